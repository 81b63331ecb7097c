"""Findings of a village plan: SWOT by sector (F3), problems with their causes and solutions
(F4) and the ranking matrix (F5).

Totals and ranks of the ranking matrix are computed here and never stored: total = Σ weight ×
score over the criteria scored so far, rank = position by total (ties share a rank: 1, 2, 2, 4).
``ranking_apply_priorities`` turns the ranking into proposal priorities (R2, R3): within each
sector, the best-ranked linked proposals get ``min_priority``, ``min_priority + 1`` … for at
most ``max_priority_activities_per_sector`` lines (capped at ``max_priority``); the sector's
other linked proposals lose their priority; proposals that no ranking item links to are left
alone. Every write checks that the actor may edit the plan and that it is a draft, runs in one
transaction and writes an audit row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_record, snapshot
from kehoach.catalog.models import Sector, bilingual_name
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.core.numbers import ParseError, format_number_vi, parse_decimal_vi
from kehoach.core.text import nfc

from ..models import Problem, ProposalLine, RankingItem, Solution, SwotEntry, VillagePlan
from .common import record_create, record_delete, record_update, require_editable

SCORE_MIN = 1
"""Lowest score of a ranking criterion."""
SCORE_MAX = 5
"""Highest score of a ranking criterion."""

SWOT_TEXT_FIELDS = ["strengths", "weaknesses", "opportunities", "threats", "implication"]
SWOT_AUDIT_FIELDS = ["sector", *SWOT_TEXT_FIELDS]
PROBLEM_FIELDS = [
    "sector",
    "problem",
    "affected_households",
    "affected_poor",
    "affected_women",
    "affected_em",
    "causes",
    "priority",
]
PROBLEM_COUNT_FIELDS = ["affected_households", "affected_poor", "affected_women", "affected_em"]
RANKING_AUDIT_FIELDS = ["label", "line", "scores"]
LINE_PRIORITY_FIELDS = ["priority"]

_BULLET_RE = re.compile(r"^(?:[-–•*+·]|\d{1,2}[.)])\s+")


# --- text -------------------------------------------------------------------------------------


def multiline_nfc(value: str | None) -> str:
    """NFC-normalise each line (single spaces, stripped) and keep the line breaks; blank lines
    at either end are dropped and runs of blank lines become one."""
    lines = [nfc(line) for line in str(value or "").splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def one_per_line(value: str | None) -> str:
    """One item per line: each line normalised, a leading bullet ("-", "•", "1.") removed,
    blank lines dropped."""
    items = [_BULLET_RE.sub("", nfc(line), count=1) for line in str(value or "").splitlines()]
    return "\n".join(item for item in items if item)


# --- shared -----------------------------------------------------------------------------------


def _lock(actor: Any, plan: VillagePlan) -> VillagePlan:
    """Check the actor may edit the plan, then lock it for this transaction and check again
    with the status read under the lock (a plan submitted meanwhile is refused)."""
    require_editable(actor, plan)
    locked = (
        VillagePlan.objects.select_for_update()
        .select_related("round__profile", "village")
        .get(pk=plan.pk)
    )
    require_editable(actor, locked)
    return locked


def _sector_error() -> ApplicationError:
    return ApplicationError(
        "sector_invalid",
        _("Sector: choose a sector from the list of sectors in use."),
        Where(field="sector"),
    )


def _check_sector(sector: Any, *, allowed_inactive: int | None = None) -> Sector:
    """An active sector; an inactive one only if it is ``allowed_inactive`` (the sector a
    record already has, so that old records stay editable)."""
    if not isinstance(sector, Sector):
        raise _sector_error()
    if not sector.is_active and sector.pk != allowed_inactive:
        raise _sector_error()
    return sector


def _not_a_line() -> NotFoundError:
    return NotFoundError(
        _("The proposal you chose is not part of this plan or has been deleted; choose another.")
    )


def _plan_lines(plan: VillagePlan, lines: Iterable[ProposalLine | int]) -> list[ProposalLine]:
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


# --- F3: SWOT ---------------------------------------------------------------------------------


def swot_entries(plan: VillagePlan) -> QuerySet[SwotEntry]:
    """The plan's SWOT entries in the catalogue's sector order."""
    return (
        SwotEntry.objects.filter(plan=plan)
        .select_related("sector")
        .order_by("sector__sort_order", "sector__code")
    )


@transaction.atomic
def swot_save(
    *,
    actor: Any,
    plan: VillagePlan,
    sector: Sector,
    strengths: str,
    weaknesses: str,
    opportunities: str,
    threats: str,
    implication: str,
) -> SwotEntry:
    """Create or replace the plan's SWOT entry for ``sector`` (an active sector)."""
    plan = _lock(actor, plan)
    _check_sector(sector)
    texts = {
        "strengths": multiline_nfc(strengths),
        "weaknesses": multiline_nfc(weaknesses),
        "opportunities": multiline_nfc(opportunities),
        "threats": multiline_nfc(threats),
        "implication": multiline_nfc(implication),
    }
    too_long = bounds.errors_for(
        SwotEntry,
        texts,
        lambda name, code, text: ApplicationError(
            code,
            _("%(field)s: %(problem)s")
            % {
                "field": str(
                    getattr(SwotEntry._meta.get_field(name), "verbose_name", name)
                ).capitalize(),
                "problem": text,
            },
            Where(field=name),
        ),
    )
    if too_long:
        raise ApplicationErrors(too_long)
    if not any(texts[name] for name in ("strengths", "weaknesses", "opportunities", "threats")):
        raise ApplicationError(
            "swot_empty",
            _(
                "Strengths: enter at least one strength, weakness, opportunity or threat "
                "of the sector."
            ),
            Where(field="strengths"),
        )
    entry = SwotEntry.objects.select_for_update().filter(plan=plan, sector=sector).first()
    if entry is None:
        entry = SwotEntry.objects.create(plan=plan, sector=sector, **texts)
        record_create(actor, plan, entry, SWOT_AUDIT_FIELDS)
        return entry
    before = snapshot(entry, SWOT_AUDIT_FIELDS)
    for name, text in texts.items():
        setattr(entry, name, text)
    entry.save()
    record_update(actor, plan, entry, before, SWOT_AUDIT_FIELDS)
    return entry


@transaction.atomic
def swot_delete(*, actor: Any, entry: SwotEntry) -> None:
    plan = _lock(actor, entry.plan)
    record_delete(actor, plan, entry, SWOT_AUDIT_FIELDS)
    entry.delete()


# --- F4: problems -----------------------------------------------------------------------------


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


def _solution_state(solution: Solution) -> str:
    lines = [line for line in solution.lines.all() if line.deleted_at is None]
    if not lines:
        return solution.text
    return f"{solution.text} → " + "; ".join(str(line) for line in lines)


def _problem_state(problem: Problem) -> dict[str, Any]:
    """What the audit keeps of a problem: its fields and its solutions with the proposals
    each produced ("Bê tông hóa đường thôn → 1. Bê tông hóa đường xóm Trên")."""
    solutions = Solution.objects.filter(problem=problem).prefetch_related("lines")
    return {
        **snapshot(problem, PROBLEM_FIELDS),
        "solutions": [_solution_state(s) for s in solutions.order_by("position", "id")],
    }


def _field_label(name: str) -> str:
    model_field = Problem._meta.get_field(name)
    return str(getattr(model_field, "verbose_name", name)).capitalize()


def _whole_number(value: Any) -> Decimal | None:
    """A whole number from an int or text typed the Vietnamese way; ``None`` when empty.
    Raises ``ValueError`` for anything else (a bool, text that is not a number, a fraction)."""
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        number = parse_decimal_vi(value)
    except ParseError as exc:
        raise ValueError(value) from exc
    if number is not None and number != number.to_integral_value():
        raise ValueError(value)
    return number


def _count(value: Any, name: str, errors: list[ApplicationError]) -> int:
    """A whole number ≥ 0; empty is 0. A problem is added to ``errors`` (and 0 returned)."""
    try:
        number = _whole_number(value)
        if number is not None and number < 0:
            raise ValueError(value)
    except ValueError:
        errors.append(
            ApplicationError(
                "invalid_number",
                _("%(field)s: enter a whole number, 0 or more.") % {"field": _field_label(name)},
                Where(field=name),
            )
        )
        return 0
    beyond = (
        bounds.number_problem(bounds.limits_of(Problem, name), number)
        if number is not None
        else None
    )
    if beyond is not None:
        errors.append(
            ApplicationError(
                beyond[0],
                _("%(field)s: %(problem)s") % {"field": _field_label(name), "problem": beyond[1]},
                Where(field=name),
            )
        )
        return 0
    return int(number) if number is not None else 0


def _clean_problem(
    plan: VillagePlan, data: Mapping[str, Any], *, current: Problem | None
) -> tuple[dict[str, Any], list[tuple[str, list[ProposalLine]]]]:
    """Clean values of a problem and its solutions (text, linked lines); raises
    ``ApplicationErrors`` with every problem found, each naming its field, or
    ``NotFoundError`` for a line of another plan."""
    errors: list[ApplicationError] = []
    values: dict[str, Any] = {}
    try:
        values["sector"] = _check_sector(
            data.get("sector"), allowed_inactive=current.sector_id if current else None
        )
    except ApplicationError as exc:
        errors.append(exc)
    values["problem"] = multiline_nfc(data.get("problem"))
    if not values["problem"]:
        errors.append(
            ApplicationError(
                "problem_required",
                _("Problem: describe the problem the village faces; it cannot be empty."),
                Where(field="problem"),
            )
        )
    for name in PROBLEM_COUNT_FIELDS:
        values[name] = _count(data.get(name), name, errors)
    bad = {e.where.field for e in errors}
    households = values["affected_households"]
    if not bad & {"affected_households", "affected_poor"} and values["affected_poor"] > households:
        errors.append(
            ApplicationError(
                "poor_more_than_households",
                _(
                    "Of which poor: the poor households (%(poor)s) cannot be more than the "
                    "households affected (%(households)s)."
                )
                % {
                    "poor": format_number_vi(values["affected_poor"]),
                    "households": format_number_vi(households),
                },
                Where(field="affected_poor"),
            )
        )
    if not bad & {"affected_households", "affected_em"} and values["affected_em"] > households:
        errors.append(
            ApplicationError(
                "em_more_than_households",
                _(
                    "Of which ethnic minority: the ethnic-minority households (%(em)s) cannot "
                    "be more than the households affected (%(households)s)."
                )
                % {
                    "em": format_number_vi(values["affected_em"]),
                    "households": format_number_vi(households),
                },
                Where(field="affected_em"),
            )
        )
    values["causes"] = one_per_line(data.get("causes"))
    errors.extend(
        bounds.errors_for(
            Problem,
            values,
            lambda name, code, text: ApplicationError(
                code,
                _("%(field)s: %(problem)s") % {"field": _field_label(name), "problem": text},
                Where(field=name),
            ),
            ("problem", "causes"),
        )
    )
    values["priority"] = _clean_problem_priority(plan, data.get("priority"), current, errors)
    solutions = _clean_solutions(data.get("solutions"), errors)
    if errors:
        raise ApplicationErrors(errors)
    return values, [(text, _plan_lines(plan, lines)) for text, lines in solutions]


def _clean_solutions(value: Any, errors: list[ApplicationError]) -> list[tuple[str, list[Any]]]:
    """The solutions as (text, lines) in order. ``value`` is a list of ``{"text", "lines"}``
    (a form row each; rows with neither text nor line are skipped), or a text with one solution
    per line and no proposal linked."""
    if value is None:
        return []
    if isinstance(value, str):
        return [(item, []) for item in one_per_line(value).splitlines()]
    cleaned: list[tuple[str, list[Any]]] = []
    for row, item in enumerate(value, start=1):
        text = nfc(str(item.get("text") or ""))
        text = _BULLET_RE.sub("", text, count=1)
        lines = list(item.get("lines") or [])
        if not text and not lines:
            continue
        if not text:
            errors.append(
                ApplicationError(
                    "solution_required",
                    _(
                        "Solution %(row)s: write the solution that the ticked proposals came "
                        "from, or untick them."
                    )
                    % {"row": row},
                    Where(field="solutions", row=row),
                )
            )
            continue
        beyond = bounds.text_problem(bounds.limits_of(Solution, "text"), text)
        if beyond is not None:
            errors.append(
                ApplicationError(
                    beyond[0],
                    _("Solution %(row)s: %(problem)s") % {"row": row, "problem": beyond[1]},
                    Where(field="solutions", row=row),
                )
            )
            continue
        cleaned.append((text, lines))
    return cleaned


def _clean_problem_priority(
    plan: VillagePlan, value: Any, current: Problem | None, errors: list[ApplicationError]
) -> int | None:
    """Empty, or 1..N where N is the number of problems of the plan (this one included)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    highest = Problem.objects.filter(plan=plan).count() + (0 if current else 1)
    try:
        number = _whole_number(value)
    except ValueError:
        number = None
    if number is None or not 1 <= number <= highest:
        errors.append(
            ApplicationError(
                "priority_out_of_range",
                _(
                    "Problem priority: enter a whole number from 1 to %(max)s (the number of "
                    "problems), or leave it empty."
                )
                % {"max": highest},
                Where(field="priority"),
            )
        )
        return None
    return int(number)


def _save_solutions(
    problem: Problem, solutions: list[tuple[str, list[ProposalLine]]], *, replace: bool
) -> None:
    if replace:
        Solution.objects.filter(problem=problem).delete()
    for position, (text, lines) in enumerate(solutions, start=1):
        solution = Solution.objects.create(problem=problem, position=position, text=text)
        solution.lines.set(lines)


@transaction.atomic
def problem_create(*, actor: Any, plan: VillagePlan, data: Mapping[str, Any]) -> Problem:
    """Add a problem (F4). ``data``: ``sector`` (an active ``Sector``), ``problem`` (required),
    ``affected_households``, ``affected_poor``, ``affected_women``, ``affected_em`` (whole
    numbers, empty is 0; poor and ethnic-minority households at most the households affected),
    ``causes`` (one per line), ``priority`` (empty or 1..number of problems) and
    ``solutions``: a list of ``{"text": …, "lines": […]}``, each solution with the plan's
    alive proposals it produced (or a text, one solution per line, none linked)."""
    plan = _lock(actor, plan)
    values, solutions = _clean_problem(plan, data, current=None)
    problem = Problem.objects.create(plan=plan, **values)
    _save_solutions(problem, solutions, replace=False)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=problem,
        operation="create",
        after=_problem_state(problem),
    )
    return problem


@transaction.atomic
def problem_update(*, actor: Any, problem: Problem, data: Mapping[str, Any]) -> Problem:
    """Change a problem; keys missing from ``data`` keep their values (see ``problem_create``;
    ``solutions``, when given, replaces all of them).

    Problems have no version number: the last save wins."""
    plan = _lock(actor, problem.plan)
    current = (
        Problem.objects.select_for_update(of=("self",)).select_related("sector").get(pk=problem.pk)
    )
    saved: dict[str, Any] = {name: getattr(current, name) for name in PROBLEM_FIELDS}
    if "solutions" not in data:
        saved["solutions"] = [
            {"text": s.text, "lines": list(s.lines.filter(deleted_at__isnull=True))}
            for s in Solution.objects.filter(problem=current).order_by("position", "id")
        ]
    values, solutions = _clean_problem(plan, {**saved, **data}, current=current)
    before = _problem_state(current)
    for name, value in values.items():
        setattr(current, name, value)
    current.save()
    _save_solutions(current, solutions, replace=True)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=current,
        operation="update",
        before=before,
        after=_problem_state(current),
    )
    return current


@transaction.atomic
def problem_delete(*, actor: Any, problem: Problem) -> None:
    plan = _lock(actor, problem.plan)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=problem,
        operation="delete",
        before=_problem_state(problem),
    )
    problem.delete()


# --- F5: ranking matrix -----------------------------------------------------------------------


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


def _clean_scores(plan: VillagePlan, scores: Mapping[str, Any] | None) -> dict[str, int]:
    criteria = {c.code: c for c in ranking_criteria(plan)}
    errors: list[ApplicationError] = []
    cleaned: dict[str, int] = {}
    for code, value in (scores or {}).items():
        criterion = criteria.get(code)
        if criterion is None:
            errors.append(
                ApplicationError(
                    "unknown_criterion",
                    _("“%(code)s” is not a ranking criterion of this plan's process.")
                    % {"code": code},
                    Where(field="scores", column=code),
                )
            )
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # not yet scored
        try:
            number = _whole_number(value)
        except ValueError:
            number = None
        if number is None or not SCORE_MIN <= number <= SCORE_MAX:
            errors.append(
                ApplicationError(
                    "score_out_of_range",
                    _(
                        "%(criterion)s: the score must be a whole number from %(min)s to "
                        "%(max)s, or empty if not yet scored."
                    )
                    % {"criterion": criterion.name, "min": SCORE_MIN, "max": SCORE_MAX},
                    Where(field="scores", column=code),
                )
            )
            continue
        cleaned[code] = int(number)
    if errors:
        raise ApplicationErrors(errors)
    # Keep the profile's order, so the stored object reads like the matrix.
    return {code: cleaned[code] for code in criteria if code in cleaned}


def _clean_label(label: Any) -> str:
    text = nfc(str(label or ""))
    limit = RankingItem._meta.get_field("label").max_length or 300
    if not text:
        raise ApplicationErrors(
            [
                ApplicationError(
                    "label_required",
                    _("Problem or activity: enter the problem or activity to be scored."),
                    Where(field="label"),
                )
            ]
        )
    if len(text) > limit:
        raise ApplicationErrors(
            [
                ApplicationError(
                    "label_too_long",
                    _("Problem or activity: it can have at most %(max)s characters.")
                    % {"max": limit},
                    Where(field="label"),
                )
            ]
        )
    return text


def _clean_item(
    plan: VillagePlan, label: Any, line: ProposalLine | int | None, scores: Mapping[str, Any] | None
) -> tuple[str, ProposalLine | None, dict[str, int]]:
    errors: list[ApplicationError] = []
    text = ""
    cleaned_scores: dict[str, int] = {}
    try:
        text = _clean_label(label)
    except ApplicationErrors as exc:
        errors.extend(exc.errors)
    try:
        cleaned_scores = _clean_scores(plan, scores)
    except ApplicationErrors as exc:
        errors.extend(exc.errors)
    if errors:
        raise ApplicationErrors(errors)
    found = _plan_lines(plan, [line]) if line is not None else []
    return text, (found[0] if found else None), cleaned_scores


@transaction.atomic
def ranking_item_create(
    *,
    actor: Any,
    plan: VillagePlan,
    label: str,
    line: ProposalLine | int | None = None,
    scores: Mapping[str, Any] | None = None,
) -> RankingItem:
    """Add a row to the ranking matrix. ``scores``: criterion code → whole number from
    ``SCORE_MIN`` to ``SCORE_MAX``, or empty/missing when not yet scored. ``line``: the
    plan's alive proposal the row stands for, if any."""
    plan = _lock(actor, plan)
    text, found, cleaned = _clean_item(plan, label, line, scores)
    item = RankingItem.objects.create(plan=plan, label=text, line=found, scores=cleaned)
    record_create(actor, plan, item, RANKING_AUDIT_FIELDS)
    return item


@transaction.atomic
def ranking_item_update(
    *,
    actor: Any,
    item: RankingItem,
    label: str,
    line: ProposalLine | int | None,
    scores: Mapping[str, Any] | None,
) -> RankingItem:
    """Replace the label, linked proposal and scores of a ranking row."""
    plan = _lock(actor, item.plan)
    current = (
        RankingItem.objects.select_for_update(of=("self",)).select_related("line").get(pk=item.pk)
    )
    text, found, cleaned = _clean_item(plan, label, line, scores)
    before = snapshot(current, RANKING_AUDIT_FIELDS)
    current.label, current.line, current.scores = text, found, cleaned
    current.save()
    record_update(actor, plan, current, before, RANKING_AUDIT_FIELDS)
    return current


@transaction.atomic
def ranking_item_delete(*, actor: Any, item: RankingItem) -> None:
    plan = _lock(actor, item.plan)
    record_delete(actor, plan, item, RANKING_AUDIT_FIELDS)
    item.delete()


@transaction.atomic
def ranking_apply_priorities(*, actor: Any, plan: VillagePlan) -> int:
    """Set the priority of every proposal a ranking row links to from the ranking (see the
    module docstring); return how many proposals changed."""
    plan = _lock(actor, plan)
    profile = plan.round.profile
    best: dict[int, tuple[int, ...]] = {}
    for row in ranking_table(plan):
        if row.item.line_id is None:
            continue
        key = (0, row.rank) if row.rank is not None else (1,)
        if row.item.line_id not in best or key < best[row.item.line_id]:
            best[row.item.line_id] = key
    lines = list(
        ProposalLine.objects.alive()
        .select_for_update()
        .filter(plan=plan, pk__in=best)
        .order_by("number")
    )
    by_sector: dict[int, list[ProposalLine]] = defaultdict(list)
    for line in lines:
        by_sector[line.sector_id].append(line)
    changed = 0
    for sector_lines in by_sector.values():
        ordered = sorted(sector_lines, key=lambda ln: (best[ln.pk], ln.number))
        for position, line in enumerate(ordered):
            ranked = best[line.pk][0] == 0
            priority: int | None = None
            if ranked and position < profile.max_priority_activities_per_sector:
                priority = min(profile.min_priority + position, profile.max_priority)
            if line.priority == priority:
                continue
            before = snapshot(line, LINE_PRIORITY_FIELDS)
            line.priority = priority
            line.version += 1
            line.save(update_fields=["priority", "version", "updated_at"])
            record_update(actor, plan, line, before, LINE_PRIORITY_FIELDS)
            changed += 1
    return changed
