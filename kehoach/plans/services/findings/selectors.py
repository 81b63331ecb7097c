"""Reads of the findings: the SWOT entries, the problems with their solutions, the ranking
matrix with totals and ranks (computed, never stored: total = Σ weight × score over the
criteria scored so far, rank = position by total; ties share a rank: 1, 2, 2, 4), and the
plan's alive proposals a problem or a ranking row may link to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext as _

from kehoach.catalog.models import bilingual_name
from kehoach.core.errors import NotFoundError

from ...models import Problem, ProposalLine, RankingItem, Solution, SwotEntry, VillagePlan


def _not_a_line() -> NotFoundError:
    return NotFoundError(
        _("The proposal you chose is not part of this plan or has been deleted; choose another.")
    )


def plan_lines(plan: VillagePlan, lines: Iterable[ProposalLine | int]) -> list[ProposalLine]:
    """The alive lines of ``plan`` given as lines or primary keys, in number order; any other
    line (another plan's, a deleted one, a missing one) raises ``NotFoundError``."""
    wanted = {line.pk if isinstance(line, ProposalLine) else line for line in lines}
    if not wanted:
        return []
    if not all(isinstance(pk, int) for pk in wanted):
        raise _not_a_line()
    found = list(ProposalLine.objects.alive().filter(plan=plan, pk__in=wanted).order_by("number"))
    if len(found) != len(wanted):
        raise _not_a_line()
    return found


def swot_entries(plan: VillagePlan) -> QuerySet[SwotEntry]:
    """The plan's SWOT entries in the catalogue's sector order."""
    return (
        SwotEntry.objects.filter(plan=plan)
        .select_related("sector")
        .order_by("sector__sort_order", "sector__code")
    )


def problems_of(plan: VillagePlan) -> QuerySet[Problem]:
    """The plan's problems by priority (unranked last), each with its sector and its solutions
    in order, each solution with its alive linked proposals in number order."""
    return (
        Problem.objects.filter(plan=plan)
        .select_related("sector")
        .prefetch_related(
            Prefetch(
                "solutions",
                queryset=Solution.objects.order_by("position", "id").prefetch_related(
                    Prefetch("lines", queryset=ProposalLine.objects.alive().order_by("number"))
                ),
            )
        )
        .order_by(F("priority").asc(nulls_last=True), "id")
    )


@dataclass(frozen=True)
class RankingCriterion:
    code: str
    name: str
    weight: Decimal


def ranking_criteria(plan: VillagePlan, language: str | None = None) -> list[RankingCriterion]:
    """The criteria of the plan's process profile, named in ``language`` (the active one)."""
    criteria: list[RankingCriterion] = []
    for item in plan.round.profile.ranking_criteria or []:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            continue
        try:
            weight = Decimal(str(item.get("weight", 0)))
        except InvalidOperation:
            weight = Decimal(0)
        criteria.append(
            RankingCriterion(
                code=item["code"],
                name=bilingual_name(
                    str(item.get("name") or item["code"]), str(item.get("name_en") or ""), language
                ),
                weight=weight,
            )
        )
    return criteria


@dataclass
class RankingRow:
    item: RankingItem
    scores: dict[str, int]
    """Scores of the criteria scored so far, by criterion code."""
    cells: list[int | None]
    """Scores in the order of the criteria, ``None`` where not yet scored."""
    total: Decimal
    rank: int | None = None
    """``None`` while no criterion is scored."""
    missing: int = 0
    """How many criteria are not yet scored."""

    @property
    def complete(self) -> bool:
        return self.missing == 0


def _row(item: RankingItem, criteria: list[RankingCriterion]) -> RankingRow:
    stored = item.scores if isinstance(item.scores, dict) else {}
    scores: dict[str, int] = {}
    cells: list[int | None] = []
    total = Decimal(0)
    for criterion in criteria:
        value = stored.get(criterion.code)
        if isinstance(value, int) and not isinstance(value, bool):
            scores[criterion.code] = value
            cells.append(value)
            total += criterion.weight * value
        else:
            cells.append(None)
    return RankingRow(
        item=item,
        scores=scores,
        cells=cells,
        total=total,
        missing=len(criteria) - len(scores),
    )


def rank_rows(rows: list[RankingRow]) -> list[RankingRow]:
    """Give each scored row its rank by total, highest first (equal totals share a rank and
    the next rank skips: 1, 2, 2, 4); rows with no score come last without a rank."""
    scored = sorted((r for r in rows if r.scores), key=lambda r: (-r.total, r.item.pk))
    rank, previous = 0, None
    for position, row in enumerate(scored, start=1):
        if row.total != previous:
            rank, previous = position, row.total
        row.rank = rank
    unscored = [r for r in rows if not r.scores]
    for row in unscored:
        row.rank = None
    return scored + unscored


def ranking_table(plan: VillagePlan, language: str | None = None) -> list[RankingRow]:
    """Every ranking item of the plan with its scores, total and rank, best first."""
    criteria = ranking_criteria(plan, language)
    items = RankingItem.objects.filter(plan=plan).select_related("line").order_by("id")
    return rank_rows([_row(item, criteria) for item in items])
