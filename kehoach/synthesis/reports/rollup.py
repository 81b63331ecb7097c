"""The province roll-up (F18): one row per commune, a fixed number of aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, Q, Sum

from kehoach.catalog.models import FundingSource, Sector
from kehoach.core.numbers import format_number_vi, percent
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, VillageMeeting, VillagePlan

from ..choices import Decision
from ..models import CommunePlan, EnvelopeLine, LineSummary, PlanSummary
from .finance import ZERO

UNFUNDED_DECISIONS = frozenset({Decision.UNFUNDED, Decision.PENDING})
"""The decisions whose support asked is "unfunded demand"."""

# --- F18 roll-ups -----------------------------------------------------------------------------


@dataclass
class CommuneRow:
    commune: AdministrativeUnit
    group: AdministrativeUnit | None
    round: PlanningRound | None = None
    plan: CommunePlan | None = None
    village_plans: int = 0
    submitted: int = 0
    lines: int = 0
    demand: Decimal = ZERO
    support_asked: Decimal = ZERO
    by_sector: dict[int, Decimal] = field(default_factory=dict)
    by_source: dict[int, Decimal] = field(default_factory=dict)
    envelope: Decimal = ZERO
    used: Decimal = ZERO
    unfunded: Decimal = ZERO
    households_pct: Decimal | None = None
    women_pct: Decimal | None = None
    poor_pct: Decimal | None = None
    em_pct: Decimal | None = None
    priority1: int = 0
    priority1_funded: int = 0

    @property
    def use_pct(self) -> Decimal | None:
        return percent(self.used, self.envelope) if self.envelope else None

    @property
    def priority1_funded_pct(self) -> Decimal | None:
        return percent(self.priority1_funded, self.priority1) if self.priority1 else None

    @property
    def cells(self) -> list[str]:
        """The row's numbers after the commune's name, as the roll-up's table shows them
        (the ``money`` and ``pct`` filters' text), formatted here once rather than by a filter
        per cell."""
        priority1 = (
            f"{self.priority1_funded}/{self.priority1} ({_pct(self.priority1_funded_pct)})"
            if self.priority1
            else ""
        )
        return [
            f"{self.submitted}/{self.village_plans}",
            str(self.lines),
            _money(self.demand),
            _money(self.support_asked),
            _money(self.envelope),
            _money(self.used),
            _pct(self.use_pct),
            _money(self.unfunded),
            _pct(self.households_pct),
            _pct(self.women_pct),
            _pct(self.poor_pct),
            _pct(self.em_pct),
            priority1,
        ]


@dataclass
class Rollup:
    unit: AdministrativeUnit
    year: int
    rows: list[CommuneRow]
    sectors: list[Sector]
    sources: list[FundingSource]
    total: CommuneRow
    without_round: list[AdministrativeUnit] = field(default_factory=list)
    """Communes of the subtree that have no planning round for the year."""

    @cached_property
    def sector_table(self) -> list[tuple[CommuneRow, list[str]]]:
        """The communes with lines and their total cost in each sector of ``sectors``,
        formatted once (million VND, "" where none)."""
        return [(r, _cells(r.by_sector, self.sectors)) for r in self.rows if r.lines]

    @cached_property
    def sector_totals(self) -> list[str]:
        return _cells(self.total.by_sector, self.sectors)

    @cached_property
    def source_table(self) -> list[tuple[CommuneRow, list[str]]]:
        """The communes with allocations and the amount from each source of ``sources``."""
        return [(r, _cells(r.by_source, self.sources)) for r in self.rows if r.used]

    @cached_property
    def source_totals(self) -> list[str]:
        return _cells(self.total.by_source, self.sources)

    @property
    def grouped(self) -> list[tuple[AdministrativeUnit | None, list[CommuneRow]]]:
        """Rows by former district (pre-2025 data); one group without a name otherwise."""
        groups: dict[int | None, list[CommuneRow]] = {}
        heads: dict[int | None, AdministrativeUnit | None] = {}
        for row in self.rows:
            key = row.group.pk if row.group else None
            groups.setdefault(key, []).append(row)
            heads[key] = row.group
        return [(heads[key], rows) for key, rows in groups.items()]


def _money(value: Decimal) -> str:
    return format_number_vi(value, 1)


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{format_number_vi(value, 1)}%"


def _cells(amounts: dict[int, Decimal], columns: list[Sector] | list[FundingSource]) -> list[str]:
    """The amounts of ``columns`` in order, as the ``money`` filter shows them."""
    return [
        "" if (value := amounts.get(column.pk)) is None else format_number_vi(value, 1)
        for column in columns
    ]


def _communes(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(
        AdministrativeUnit.objects.filter(path__startswith=unit.path, level=Level.COMMUNE)
        .select_related("parent")
        .order_by("parent__sort_key", "sort_key", "code")
    )


PARTICIPATION = {
    "households": "households_total",
    "represented": "households_represented",
    "participants": "participants_total",
    "women": "participants_women",
    "poor": "participants_poor",
    "em": "participants_em",
}
"""The sums of the village meetings behind the participation shares (name: column)."""


def _participation(row: CommuneRow, sums: dict[str, Any]) -> None:
    row.households_pct = percent(sums["represented"], sums["households"])
    row.women_pct = percent(sums["women"], sums["participants"])
    row.poor_pct = percent(sums["poor"], sums["participants"])
    row.em_pct = percent(sums["em"], sums["participants"])


def _priority1(rows: dict[int, CommuneRow], commune_of_plan: dict[int, int]) -> None:
    """The villages' priority-1 proposals in the active lines of the commune plans (each village
    line once: a merged line counts each of its villages' proposals, the parts of a split line
    their proposal once, funded if one part is), from the plans' summaries (``PlanSummary``,
    kept by the writers with ``LineSummary``): one query of at most one row a plan."""
    for plan_id, priority1, funded in PlanSummary.objects.filter(
        plan_id__in=list(commune_of_plan)
    ).values_list("plan_id", "priority1", "priority1_funded"):
        row = rows[commune_of_plan[plan_id]]
        row.priority1 = priority1
        row.priority1_funded = funded


def province_rollup(unit: AdministrativeUnit, year: int) -> Rollup:
    """F18 for a province (or a former district): one row per commune of its subtree."""
    communes = _communes(unit)
    rows = {
        c.pk: CommuneRow(
            commune=c, group=c.parent if c.parent and c.parent.level == Level.DISTRICT else None
        )
        for c in communes
    }
    in_scope = Q(commune__path__startswith=unit.path, plan_year=year)
    round_ids: list[int] = []
    commune_of_plan: dict[int, int] = {}
    for round_ in PlanningRound.objects.filter(in_scope).select_related("commune_plan"):
        row = rows.get(round_.commune_id)
        if row:
            row.round = round_
            row.plan = getattr(round_, "commune_plan", None)
            round_ids.append(round_.pk)
            if row.plan is not None:
                commune_of_plan[row.plan.pk] = round_.commune_id
    # every later query starts from the rounds just read (their ids), not from the subtree
    prefix = "round__commune"
    for item in (
        VillagePlan.objects.filter(round_id__in=round_ids)
        .values(prefix)
        .annotate(n=Count("id"), submitted=Count("id", filter=Q(status=PlanStatus.SUBMITTED)))
    ):
        rows[item[prefix]].village_plans = item["n"]
        rows[item[prefix]].submitted = item["submitted"]
    # lines, demand, support asked and unfunded, by sector and by source: the summaries
    # (``LineSummary``, kept by the writers), one aggregate query
    summaries = (
        LineSummary.objects.filter(province=unit, year=year)
        if unit.level == Level.PROVINCE
        else LineSummary.objects.filter(commune__path__startswith=unit.path, year=year)
    )
    sector_ids: set[int] = set()
    source_ids: set[int] = set()
    for item in (
        summaries.order_by()
        .values("commune", "sector", "source", "decision")
        .annotate(
            n=Sum("lines"),
            demand=Sum("demand_mvnd"),
            asked=Sum("support_asked_mvnd"),
            funded=Sum("funded_mvnd"),
        )
    ):
        row = rows[item["commune"]]
        if item["source"] is not None:
            row.by_source[item["source"]] = row.by_source.get(item["source"], ZERO) + (
                item["funded"] or ZERO
            )
            row.used += item["funded"] or ZERO
            source_ids.add(item["source"])
            continue
        row.lines += item["n"] or 0
        row.demand += item["demand"] or ZERO
        row.support_asked += item["asked"] or ZERO
        if item["decision"] in UNFUNDED_DECISIONS:
            row.unfunded += item["asked"] or ZERO
        row.by_sector[item["sector"]] = row.by_sector.get(item["sector"], ZERO) + (
            item["demand"] or ZERO
        )
        sector_ids.add(item["sector"])
    ekey = "envelope__round__commune"
    for item in (
        EnvelopeLine.objects.alive()
        .filter(envelope__round_id__in=round_ids)
        .values(ekey)
        .annotate(total=Sum("amount_mvnd"))
    ):
        rows[item[ekey]].envelope = item["total"] or ZERO
    mkey = "plan__round__commune"
    participation: dict[str, int | None] = dict.fromkeys(PARTICIPATION)
    for item in (
        VillageMeeting.objects.filter(plan__round_id__in=round_ids)
        .values(mkey)
        .annotate(**{name: Sum(column) for name, column in PARTICIPATION.items()})
    ):
        _participation(rows[item[mkey]], item)
        for name in PARTICIPATION:
            if item[name] is not None:  # as SQL's SUM: None until a value is there
                participation[name] = (participation[name] or 0) + item[name]
    _priority1(rows, commune_of_plan)
    total = CommuneRow(commune=unit, group=None)
    for row in rows.values():
        total.village_plans += row.village_plans
        total.submitted += row.submitted
        total.lines += row.lines
        total.demand += row.demand
        total.support_asked += row.support_asked
        total.envelope += row.envelope
        total.used += row.used
        total.unfunded += row.unfunded
        total.priority1 += row.priority1
        total.priority1_funded += row.priority1_funded
        for k, v in row.by_sector.items():
            total.by_sector[k] = total.by_sector.get(k, ZERO) + v
        for k, v in row.by_source.items():
            total.by_source[k] = total.by_source.get(k, ZERO) + v
    # the subtree's participation: the sums of the communes' sums (the same meetings)
    _participation(total, participation)
    return Rollup(
        unit=unit,
        year=year,
        rows=[row for row in rows.values() if row.round is not None],
        without_round=[row.commune for row in rows.values() if row.round is None],
        sectors=list(Sector.objects.filter(pk__in=sector_ids).order_by("sort_order", "code")),
        sources=list(
            FundingSource.objects.filter(pk__in=source_ids).order_by("sort_order", "code")
        ),
        total=total,
    )


def rollup_years(unit: AdministrativeUnit) -> list[int]:
    return list(
        PlanningRound.objects.filter(commune__path__startswith=unit.path)
        .values_list("plan_year", flat=True)
        .distinct()
        .order_by("-plan_year")
    )
