"""Reads of the link between a five-year plan (F7) and the yearly village plans drawn from it
(issue 18, item 4): which five-year plan a yearly plan draws from, which of its years are
offered, what became of each year (``year_statuses``, derived, never stored), which lines of a
yearly plan are new (not from the five-year plan), and the comparison of the five-year plan
with what each year planned, funded and completed.

A year's status follows the yearly plan it was drawn into, in this order (the first that holds):

- ``dropped``: set by hand on the five-year plan;
- ``done``: every funded work the drawn line reached in the commune plan (``synthesis``
  ``LineSource``, not withdrawn, the commune line active) has a latest progress report that says
  completed (``monitoring``);
- ``in_plan``: the year's commune plan is approved (or later) and the drawn line is funded (its
  outcome, or the decision on a commune line it reached);
- ``not_funded``: the commune plan is approved and the line is not funded (unfunded, deferred,
  rejected);
- ``proposed``: drawn into a live line of the yearly plan, not decided yet;
- ``planned``: not drawn (or the drawn line was deleted).

Two queries whatever the number of years: the years with their drawn line and the commune
plan's status, then the commune lines those lines reached with their latest report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from kehoach.accounts.permissions import units_visible_to
from kehoach.core.errors import NotFoundError
from kehoach.geo.models import AdministrativeUnit
from kehoach.monitoring.choices import ProgressStatus
from kehoach.monitoring.models import ProgressReport
from kehoach.plans.choices import LineOutcome, PlanStatus
from kehoach.plans.models import PlanningRound, ProposalLine, VillagePlan
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.models import LineSource
from kehoach.synthesis.stages import APPROVED_OR_LATER

from .choices import YearStatus
from .models import MediumTermLineYear, MediumTermPlan, MediumTermRound, MediumTermSource

ZERO = Decimal(0)

DRAWABLE_STATUSES = (PlanStatus.SUBMITTED,)
"""The village's five-year plan a yearly plan draws from was submitted to the commune and
taken into the commune's five-year plan, which was approved (``APPROVED_OR_LATER``, or an
amendment being prepared: a version was approved before it)."""


def drawable_plan(village: AdministrativeUnit, year: int) -> MediumTermPlan | None:
    """The village's five-year plan whose period covers ``year`` and that may be drawn from
    (see ``DRAWABLE_STATUSES``), or None."""
    approved = Q(round__commune_plan__status__in=APPROVED_OR_LATER) | Q(
        round__commune_plan__is_amendment=True
    )
    return (
        MediumTermPlan.objects.filter(
            approved,
            village=village,
            round__first_year__lte=year,
            round__last_year__gte=year,
            status__in=DRAWABLE_STATUSES,
        )
        .select_related("round", "village")
        .order_by("-round__first_year")
        .first()
    )


_UNSET: Any = object()


def offered_years(
    plan: VillagePlan, *, source: MediumTermPlan | None = _UNSET
) -> QuerySet[MediumTermLineYear]:
    """The years of the five-year plan that ``plan`` may draw now: the plan year's, of alive
    activities the commune did not reject in its five-year plan, not dropped, not drawn into a
    live line yet; in the activities' order.
    ``source``: the ``drawable_plan`` already read, if the caller has it."""
    if source is _UNSET:
        source = drawable_plan(plan.village, plan.round.plan_year)
    if source is None:
        return MediumTermLineYear.objects.none()
    return (
        MediumTermLineYear.objects.filter(
            line__plan=source,
            line__deleted_at__isnull=True,
            year=plan.round.plan_year,
            status=YearStatus.PLANNED,
        )
        .exclude(drawn_line__isnull=False, drawn_line__deleted_at__isnull=True)
        .exclude(
            Exists(
                MediumTermSource.objects.filter(
                    village_line=OuterRef("line"),
                    withdrawn=False,
                    line__plan__round=source.round,
                    line__decision=Decision.REJECTED,
                )
            )
        )
        .select_related("line__sector", "line__unit", "line__proposed_source", "line__plan")
        .order_by("line__number")
    )


@dataclass
class YearFacts:
    """What became of one year of a five-year activity: its ``status``, the live line of the
    yearly plan it was drawn into (None: not drawn), whether that line is funded and whether
    the works it reached are completed."""

    status: YearStatus
    drawn: ProposalLine | None = None
    funded: bool = False
    done: bool = False

    @property
    def drawn_quantity(self) -> Decimal | None:
        return self.drawn.quantity if self.drawn is not None else None

    @property
    def drawn_cost(self) -> Decimal | None:
        return self.drawn.total_cost_mvnd if self.drawn is not None else None

    @property
    def funded_cost(self) -> Decimal | None:
        return self.drawn.total_cost_mvnd if self.drawn is not None and self.funded else None

    @property
    def done_cost(self) -> Decimal | None:
        return self.drawn.total_cost_mvnd if self.drawn is not None and self.done else None

    @property
    def done_quantity(self) -> Decimal | None:
        return self.drawn.quantity if self.drawn is not None and self.done else None


@dataclass
class _Reached:
    """The commune lines a village line reached: any funded, and the funded ones completed."""

    funded: int = 0
    completed: int = 0


def _ids(line_years: Iterable[MediumTermLineYear | int]) -> list[int]:
    return [y if isinstance(y, int) else y.pk for y in line_years]


def _reached(line_ids: list[int]) -> dict[int, _Reached]:
    """For each village line, the active commune lines it reached (not withdrawn): how many
    are funded and how many of those are completed (their latest report). One query."""
    if not line_ids:
        return {}
    completed = ProgressReport.objects.filter(
        line=OuterRef("line"), is_latest=True, status=ProgressStatus.COMPLETED
    )
    rows = (
        LineSource.objects.filter(
            village_line_id__in=line_ids, withdrawn=False, line__state=LineState.ACTIVE
        )
        .annotate(completed=Exists(completed))
        .values_list("village_line_id", "line__decision", "completed")
    )
    out: dict[int, _Reached] = defaultdict(_Reached)
    for village_line_id, decision, is_completed in rows:
        if decision == Decision.FUNDED:
            out[village_line_id].funded += 1
            out[village_line_id].completed += 1 if is_completed else 0
    return out


_FACTS_RELATED = "drawn_line__plan__round__commune_plan"
"""What ``facts_of_rows`` reads of each year (give it to ``select_related``)."""


def year_facts(line_years: Iterable[MediumTermLineYear | int]) -> dict[int, YearFacts]:
    """``YearFacts`` of each year (by primary key); see the module's description. Two
    queries."""
    ids = _ids(line_years)
    if not ids:
        return {}
    rows = MediumTermLineYear.objects.filter(pk__in=ids).select_related(_FACTS_RELATED)
    return facts_of_rows(list(rows))


def facts_of_rows(rows: list[MediumTermLineYear]) -> dict[int, YearFacts]:
    """``YearFacts`` of years already read with ``select_related(_FACTS_RELATED)``: one more
    query (the commune lines their drawn lines reached)."""
    live = {
        row.pk: row.drawn_line
        for row in rows
        if row.drawn_line is not None and row.drawn_line.deleted_at is None
    }
    reached = _reached([line.pk for line in live.values()])
    out: dict[int, YearFacts] = {}
    for row in rows:
        line = live.get(row.pk)
        if row.status == YearStatus.DROPPED:
            out[row.pk] = YearFacts(YearStatus.DROPPED, drawn=line)
            continue
        if line is None:
            out[row.pk] = YearFacts(YearStatus.PLANNED)
            continue
        commune_plan = getattr(line.plan.round, "commune_plan", None)
        approved = commune_plan is not None and commune_plan.status in APPROVED_OR_LATER
        works = reached.get(line.pk, _Reached())
        funded = approved and (line.outcome == LineOutcome.FUNDED or works.funded > 0)
        done = funded and works.funded > 0 and works.completed == works.funded
        if done:
            status = YearStatus.DONE
        elif funded:
            status = YearStatus.IN_PLAN
        elif approved:
            status = YearStatus.NOT_FUNDED
        else:
            status = YearStatus.PROPOSED
        out[row.pk] = YearFacts(status, drawn=line, funded=funded, done=done)
    return out


def year_statuses(line_years: Iterable[MediumTermLineYear | int]) -> dict[int, YearStatus]:
    """The status of each year (by primary key), derived from the yearly plan it was drawn
    into (see the module's description). Two queries for any number of years."""
    return {pk: facts.status for pk, facts in year_facts(line_years).items()}


# --- lines of a yearly plan that are not from the five-year plan ----------------------------


def new_lines(plan: VillagePlan) -> list[ProposalLine]:
    """The alive lines of ``plan`` that were not drawn from a five-year plan, in number order.
    One query."""
    return list(
        ProposalLine.objects.alive()
        .filter(plan=plan, medium_term_year__isnull=True)
        .select_related("sector")
        .order_by("number")
    )


@dataclass
class VillageNewLines:
    plan: VillagePlan
    drawn: int = 0
    new: list[ProposalLine] = field(default_factory=list)


def round_new_lines(round_: PlanningRound) -> list[VillageNewLines]:
    """Per village plan of the round (in village order): how many alive lines were drawn from
    the five-year plan and which are new. Two queries."""
    plans = {
        plan.pk: VillageNewLines(plan=plan)
        for plan in VillagePlan.objects.filter(round=round_)
        .select_related("village")
        .order_by("village__name")
    }
    lines = (
        ProposalLine.objects.alive()
        .filter(plan__round=round_)
        .select_related("medium_term_year")
        .order_by("number")
    )
    for line in lines:
        entry = plans[line.plan_id]
        if getattr(line, "medium_term_year", None) is not None:
            entry.drawn += 1
        else:
            entry.new.append(line)
    return list(plans.values())


def medium_term_round_covering(round_: PlanningRound) -> MediumTermRound | None:
    """The commune's five-year period that covers the round's year, or None."""
    return (
        MediumTermRound.objects.filter(
            commune_id=round_.commune_id,
            first_year__lte=round_.plan_year,
            last_year__gte=round_.plan_year,
        )
        .order_by("-first_year")
        .first()
    )


# --- the comparison page --------------------------------------------------------------------


def medium_term_rounds_visible_to(user: Any) -> QuerySet[MediumTermRound]:
    return MediumTermRound.objects.filter(commune__in=units_visible_to(user)).select_related(
        "commune"
    )


def medium_term_round_for_user(*, user: Any, uid: Any) -> MediumTermRound:
    """A five-year period the user may see, or ``NotFoundError`` (missing and forbidden
    alike)."""
    try:
        return medium_term_rounds_visible_to(user).get(uid=uid)
    except (MediumTermRound.DoesNotExist, ValueError) as exc:
        raise NotFoundError() from exc


def medium_term_plan_for_user(*, user: Any, uid: Any) -> MediumTermPlan:
    """A five-year village plan the user may see, or ``NotFoundError``."""
    try:
        return (
            MediumTermPlan.objects.filter(village__in=units_visible_to(user))
            .select_related("round__commune", "village")
            .get(uid=uid)
        )
    except (MediumTermPlan.DoesNotExist, ValueError) as exc:
        raise NotFoundError() from exc


@dataclass
class YearRow:
    """One year of a five-year activity on the comparison page."""

    year: MediumTermLineYear
    facts: YearFacts


@dataclass
class ActivityRows:
    line: Any
    years: list[YearRow] = field(default_factory=list)


@dataclass
class VillageRows:
    plan: MediumTermPlan
    activities: list[ActivityRows] = field(default_factory=list)


@dataclass
class YearTotals:
    """The totals of one year over the activities shown (million VND; counts of years)."""

    year: int
    planned_cost: Decimal = ZERO
    drawn_cost: Decimal = ZERO
    funded_cost: Decimal = ZERO
    done_cost: Decimal = ZERO
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, row: YearRow) -> None:
        facts = row.facts
        if facts.status != YearStatus.DROPPED:
            self.planned_cost += row.year.cost_mvnd
        self.drawn_cost += facts.drawn_cost or ZERO
        self.funded_cost += facts.funded_cost or ZERO
        self.done_cost += facts.done_cost or ZERO
        self.counts[facts.status] = self.counts.get(facts.status, 0) + 1

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        return [
            (str(label), self.counts[value])
            for value, label in YearStatus.choices
            if self.counts.get(value)
        ]


@dataclass
class Comparison:
    years: list[int]
    villages: list[VillageRows]
    totals: list[YearTotals]


def comparison(medium_round: MediumTermRound, plan: MediumTermPlan | None = None) -> Comparison:
    """The five-year plan against what each year planned, funded and completed: per village
    plan of the period (or only ``plan``), per alive activity, per year; with the totals of
    each year. Two queries whatever the number of villages, activities and years."""
    rows = (
        MediumTermLineYear.objects.filter(
            line__plan__round=medium_round, line__deleted_at__isnull=True
        )
        .select_related("line__plan__village", "line__sector", "line__unit", _FACTS_RELATED)
        .order_by("line__plan__village__name", "line__plan_id", "line__number", "year")
    )
    if plan is not None:
        rows = rows.filter(line__plan=plan)
    years = list(rows)
    facts = facts_of_rows(years)
    villages: dict[int, VillageRows] = {}
    activities: dict[int, ActivityRows] = {}
    totals = {year: YearTotals(year) for year in medium_round.years}
    for item in years:
        line = item.line
        village = villages.get(line.plan_id)
        if village is None:
            village = villages[line.plan_id] = VillageRows(plan=line.plan)
        activity = activities.get(line.pk)
        if activity is None:
            activity = activities[line.pk] = ActivityRows(line=line)
            village.activities.append(activity)
        row = YearRow(year=item, facts=facts[item.pk])
        activity.years.append(row)
        totals.setdefault(item.year, YearTotals(item.year)).add(row)
    if plan is not None and plan.pk not in villages:
        villages[plan.pk] = VillageRows(plan=plan)
    return Comparison(
        years=medium_round.years,
        villages=list(villages.values()),
        totals=[totals[year] for year in sorted(totals)],
    )
