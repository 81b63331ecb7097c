"""Commune scoring (F10), the scores: each line's score with its breakdown, the commune's
rank; the planner's inputs (scores for the criteria only people can judge, rank changes with a
reason) are written by ``writers``.

The criteria and their weights come from the round's process profile (``scoring_criteria``).
Each criterion gives 0–5 points; the score is the weighted mean, 0–5. Five criteria are
computed from the lines (codes of the default profile):

- ``village_priority``: priority 1 of the village's scale gives 5 points, the lowest priority
  gives 5 / (number of levels); a line that is not a village priority gives 0;
- ``villages_proposing``: one point per proposing village, at most 5;
- ``beneficiaries``: up to 2.5 points for the number of beneficiary households (relative to the
  line of the plan with the most) and up to 2.5 for the share of poor or ethnic-minority
  households among them (the larger of the two shares);
- ``cost_per_beneficiary``: 5 points for the lowest cost per beneficiary household of the plan,
  less in proportion for dearer lines; 0 without beneficiaries;
- ``community_contribution``: 5 points for the line with the largest contribution share of the
  plan, less in proportion.

Every other criterion (new-rural criterion, urgency and safety, readiness, operation and
maintenance, and any a province adds) is scored 0–5 by the commune planner on the line.

Rank: by score (highest first), then village priority, then line number. A rank set by hand
moves the line to that position; it needs a reason, and both are recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Protocol

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.utils.translation import gettext as _

from kehoach.catalog.models import bilingual_name
from kehoach.core.numbers import format_number_vi

from ...choices import LineState
from ...models import CommuneLine, CommunePlan, LineSource
from ..common import money_text

AUTO = ("village_priority", "villages_proposing", "beneficiaries", "cost_per_beneficiary",
        "community_contribution")  # fmt: skip
FIVE = Decimal(5)
TWO = Decimal("0.01")


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    weight: Decimal
    automatic: bool


@dataclass
class Point:
    criterion: Criterion
    points: Decimal
    basis: str


@dataclass
class LineScore:
    line: CommuneLine
    score: Decimal
    points: list[Point] = field(default_factory=list)
    computed_rank: int = 0
    rank: int = 0


def criteria_of(plan: CommunePlan, language: str | None = None) -> list[Criterion]:
    result = []
    for item in plan.round.profile.scoring_criteria or []:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            continue
        try:
            weight = Decimal(str(item.get("weight", 0)))
        except InvalidOperation:
            weight = Decimal(0)
        result.append(
            Criterion(
                code=item["code"],
                name=bilingual_name(
                    str(item.get("name") or item["code"]), str(item.get("name_en") or ""), language
                ),
                weight=weight,
                automatic=item["code"] in AUTO,
            )
        )
    return result


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def _pct(value: Decimal) -> str:
    return format_number_vi(value * 100, 0) + "%"


def _villages(line: CommuneLine) -> int:
    if line.organisation:
        return 0
    return len({s.village_line.plan.village_id for s in line.sources.all() if not s.withdrawn})


class Facts(Protocol):
    """What scoring reads of a line: a ``CommuneLine`` (``line_scores``) or a ``LineFacts``
    (``plan_ranks``)."""

    number: int
    organisation: str
    village_priority: int | None
    beneficiary_households: int
    beneficiary_poor: int
    beneficiary_em: int
    total_cost_mvnd: Decimal
    contribution_mvnd: Decimal
    manual_scores: Any
    rank_override: int | None


def _auto_points(
    code: str, line: Facts, villages: int, plan_max: dict[str, Decimal], levels: tuple[int, int]
) -> Decimal | None:
    """The points (not yet bounded to 0–5) of a computed criterion; None for a judged one.
    ``line_scores`` and ``plan_ranks`` both count with it, so they cannot differ."""
    lowest, highest = levels
    if code == "village_priority":
        p = line.village_priority
        if p is None:
            return Decimal(0)
        return FIVE * Decimal(highest - p + 1) / Decimal(highest - lowest + 1)
    if code == "villages_proposing":
        return Decimal(min(villages, 5))
    households = Decimal(line.beneficiary_households)
    if code == "beneficiaries":
        if not households:
            return Decimal(0)
        most = plan_max["households"] or Decimal(1)
        share = max(Decimal(line.beneficiary_poor), Decimal(line.beneficiary_em)) / households
        return Decimal("2.5") * households / most + Decimal("2.5") * min(share, Decimal(1))
    if code == "cost_per_beneficiary":
        if not households:
            return Decimal(0)
        cost = Decimal(line.total_cost_mvnd) / households
        return FIVE * plan_max["cheapest"] / cost if cost > 0 else FIVE
    if code == "community_contribution":
        total = Decimal(line.total_cost_mvnd)
        share = Decimal(line.contribution_mvnd) / total if total else Decimal(0)
        best = plan_max["share"]
        return FIVE * share / best if best else Decimal(0)
    return None


def _auto_basis(code: str, line: CommuneLine, villages: int) -> str:
    """Why a computed criterion gives its points, in words."""
    households = Decimal(line.beneficiary_households)
    if code == "village_priority":
        p = line.village_priority
        if p is None:
            return _("not a village priority")
        return _("village priority %(p)s") % {"p": p}
    if code == "villages_proposing":
        if line.organisation:
            return _("proposed by %(org)s") % {"org": line.organisation}
        return _("%(n)s village(s)") % {"n": villages}
    if code in ("beneficiaries", "cost_per_beneficiary") and not households:
        return _("no beneficiaries given")
    if code == "beneficiaries":
        share = max(Decimal(line.beneficiary_poor), Decimal(line.beneficiary_em)) / households
        return _("%(hh)s households, %(share)s poor or ethnic minority") % {
            "hh": format_number_vi(households),
            "share": _pct(share),
        }
    if code == "cost_per_beneficiary":
        cost = Decimal(line.total_cost_mvnd) / households
        return _("%(cost)s million per household") % {
            "cost": money_text(cost.quantize(Decimal("0.001")))
        }
    total = Decimal(line.total_cost_mvnd)
    share = Decimal(line.contribution_mvnd) / total if total else Decimal(0)
    return _("community gives %(share)s") % {"share": _pct(share)}


def _given(line: Facts, code: str) -> Decimal | None:
    """The planner's score of a judged criterion, None when not scored."""
    value = (line.manual_scores or {}).get(code)
    return Decimal(str(value)) if value is not None else None


def _bounded(points: Decimal) -> Decimal:
    return _q(min(max(points, Decimal(0)), FIVE))


def _plan_max(lines: Sequence[Facts]) -> dict[str, Decimal]:
    households = [Decimal(x.beneficiary_households) for x in lines if x.beneficiary_households]
    costs = [
        Decimal(x.total_cost_mvnd) / Decimal(x.beneficiary_households)
        for x in lines
        if x.beneficiary_households and x.total_cost_mvnd > 0
    ]
    shares = [
        Decimal(x.contribution_mvnd) / Decimal(x.total_cost_mvnd)
        for x in lines
        if x.total_cost_mvnd > 0
    ]
    return {
        "households": max(households, default=Decimal(0)),
        "cheapest": min(costs, default=Decimal(0)),
        "share": max(shares, default=Decimal(0)),
    }


SCORED_FIELDS = (
    "plan", "number", "state", "organisation", "village_priority", "beneficiary_households",
    "beneficiary_poor", "beneficiary_em", "total_cost_mvnd", "contribution_mvnd",
    "manual_scores", "rank_override", "version",
)  # fmt: skip
"""What ``line_scores`` reads of a line."""


def lines_for_scoring(plan: CommunePlan) -> list[CommuneLine]:
    """The plan's active lines with only what ``line_scores`` reads (and their sources'
    villages), in two queries: the scoring grid answers every saved cell with every rank, so
    this read is on the path of each keystroke that leaves a cell."""
    sources = LineSource.objects.select_related("village_line__plan").only(
        "line", "withdrawn", "village_line__plan__village"
    )
    return list(
        plan.lines.filter(state=LineState.ACTIVE)
        .only(*SCORED_FIELDS)
        .prefetch_related(Prefetch("sources", queryset=sources))
        .order_by("number")
    )


def line_scores(plan: CommunePlan, lines: list[CommuneLine]) -> dict[int, LineScore]:
    """Score and rank every line given (the plan's active lines, sources prefetched), each
    score with its breakdown (``plan_ranks`` gives the same scores and ranks without it)."""
    criteria = criteria_of(plan)
    profile = plan.round.profile
    levels = (profile.min_priority, profile.max_priority)
    maxima = _plan_max(lines)
    weights = sum((c.weight for c in criteria), Decimal(0)) or Decimal(1)
    result: dict[int, LineScore] = {}
    for line in lines:
        villages = _villages(line)
        points: list[Point] = []
        total = Decimal(0)
        for criterion in criteria:
            raw = (
                _auto_points(criterion.code, line, villages, maxima, levels)
                if criterion.automatic
                else None
            )
            if raw is not None:
                basis = _auto_basis(criterion.code, line, villages)
            else:
                given = _given(line, criterion.code)
                raw = given if given is not None else Decimal(0)
                basis = _("scored by the commune") if given is not None else _("not scored yet")
            point = Point(criterion, _bounded(raw), basis)
            points.append(point)
            total += criterion.weight * point.points
        result[line.pk] = LineScore(line=line, score=_q(total / weights), points=points)
    _rank(result)
    return result


@dataclass
class LineFacts:
    """What scoring reads of one active line (``SCORED_FIELDS``) and how many villages
    propose it, read as plain values by ``plan_ranks``."""

    pk: int
    number: int
    organisation: str
    village_priority: int | None
    beneficiary_households: int
    beneficiary_poor: int
    beneficiary_em: int
    total_cost_mvnd: Decimal
    contribution_mvnd: Decimal
    manual_scores: Any
    rank_override: int | None
    villages: int = 0


FACT_FIELDS = (
    "pk", "number", "organisation", "village_priority", "beneficiary_households",
    "beneficiary_poor", "beneficiary_em", "total_cost_mvnd", "contribution_mvnd",
    "manual_scores", "rank_override",
)  # fmt: skip


def lines_scoring_facts(plan: CommunePlan) -> list[LineFacts]:
    """The plan's active lines as ``LineFacts``, in number order, in one query of plain values
    (the villages proposing each line counted by the database) whatever the number of lines
    and villages."""
    villages = (
        LineSource.objects.filter(line=OuterRef("pk"), withdrawn=False)
        .order_by()
        .values("line")
        .annotate(n=Count("village_line__plan__village", distinct=True))
        .values("n")
    )
    lines = []
    for *values, count in (
        plan.lines.filter(state=LineState.ACTIVE)
        .annotate(villages=Subquery(villages))
        .order_by("number")
        .values_list(*FACT_FIELDS, "villages")
    ):
        line = LineFacts(*values)
        line.villages = 0 if line.organisation else count or 0
        lines.append(line)
    return lines


@dataclass
class Rank:
    """A line's score and rank without the breakdown (``plan_ranks``)."""

    line: LineFacts
    score: Decimal
    computed_rank: int = 0
    rank: int = 0


def plan_ranks(plan: CommunePlan, lines: list[LineFacts] | None = None) -> dict[int, Rank]:
    """line id → score and rank of every active line of the plan: the same numbers as
    ``line_scores``, counted from plain values (``lines_scoring_facts``, two queries) with no
    breakdown — for pages that show only the score and the rank of a few lines, which are
    plan-wide all the same."""
    facts = lines_scoring_facts(plan) if lines is None else lines
    criteria = criteria_of(plan)
    profile = plan.round.profile
    levels = (profile.min_priority, profile.max_priority)
    maxima = _plan_max(facts)
    weights = sum((c.weight for c in criteria), Decimal(0)) or Decimal(1)
    computed = [c for c in criteria if c.automatic]
    judged = [c for c in criteria if not c.automatic]
    result: dict[int, Rank] = {}
    for line in facts:
        total = Decimal(0)
        for criterion in computed:
            raw = _auto_points(criterion.code, line, line.villages, maxima, levels)
            if raw is None:
                raw = _given(line, criterion.code) or Decimal(0)
            total += criterion.weight * _bounded(raw)
        given = line.manual_scores or {}
        for criterion in judged:
            value = given.get(criterion.code)
            if value is not None:  # not scored: 0 points, nothing to add
                total += criterion.weight * _bounded(Decimal(str(value)))
        result[line.pk] = Rank(line=line, score=_q(total / weights))
    _rank(result)
    return result


def _rank(scores: Mapping[int, LineScore | Rank]) -> None:
    ordered = sorted(
        scores.values(),
        key=lambda s: (-s.score, s.line.village_priority or 99, s.line.number),
    )
    for position, item in enumerate(ordered, start=1):
        item.computed_rank = position
    moved = sorted(
        (s for s in ordered if s.line.rank_override),
        key=lambda s: (s.line.rank_override or 0, s.line.number),
    )
    final = [s for s in ordered if not s.line.rank_override]
    for item in moved:
        final.insert(min((item.line.rank_override or 1) - 1, len(final)), item)
    for position, item in enumerate(final, start=1):
        item.rank = position
