"""Report generators of the commune plan: the financial plan by source (F12) and the province
roll-ups (F18). Each class knows its rows; formatters (the HTML pages now, the workbooks and
documents later) render them (style.md §10). Roll-ups are a fixed number of aggregate queries
over the province's subtree, whatever the number of communes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from kehoach.catalog.models import FundingSource, Sector
from kehoach.core.numbers import percent
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, VillageMeeting, VillagePlan

from .choices import Decision, LineState
from .models import CommuneLine, CommunePlan, EnvelopeLine, LineFunding, LineSource
from .services.common import envelope_for
from .services.envelope import envelope_use
from .services.lines import lines_with_sources

ZERO = Decimal(0)


# --- F12 financial plan -----------------------------------------------------------------------


@dataclass
class FinanceRow:
    line: CommuneLine | None
    label: str
    total: Decimal = ZERO
    by_source: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    cash: Decimal = ZERO
    labour: Decimal = ZERO
    labour_days: Decimal = ZERO
    materials: Decimal = ZERO
    unsplit: Decimal = ZERO
    land_m2: Decimal = ZERO
    support: Decimal = ZERO

    @property
    def contribution(self) -> Decimal:
        return self.cash + self.labour + self.materials + self.unsplit

    @property
    def sources_total(self) -> Decimal:
        return sum(self.by_source.values(), ZERO)

    @property
    def balanced(self) -> bool:
        """R1b: the sources pay exactly the external support."""
        return self.sources_total == self.support

    def add(self, other: FinanceRow) -> None:
        self.total += other.total
        for key, value in other.by_source.items():
            self.by_source[key] += value
        self.cash += other.cash
        self.labour += other.labour
        self.labour_days += other.labour_days
        self.materials += other.materials
        self.unsplit += other.unsplit
        self.land_m2 += other.land_m2
        self.support += other.support


@dataclass
class SourceCheck:
    source: FundingSource
    envelope: Decimal
    used: Decimal

    @property
    def left(self) -> Decimal:
        return self.envelope - self.used

    @property
    def within(self) -> bool:
        return self.used <= self.envelope


@dataclass
class FinancialPlan:
    sources: list[FundingSource]
    groups: list[tuple[Sector, list[FinanceRow], FinanceRow]]
    total: FinanceRow
    checks: list[SourceCheck]
    unfunded_count: int
    unfunded_support: Decimal

    @property
    def all_within(self) -> bool:
        return all(c.within for c in self.checks)


@dataclass(frozen=True)
class ContributionParts:
    """A community contribution by kind. What the village did not break down into cash,
    labour and materials stays ``unsplit`` ("not broken down"): it is never counted as cash."""

    cash: Decimal
    labour: Decimal
    materials: Decimal
    unsplit: Decimal

    @property
    def total(self) -> Decimal:
        return self.cash + self.labour + self.materials + self.unsplit


def contribution_parts(
    total: Decimal, cash: Decimal, labour: Decimal, materials: Decimal
) -> ContributionParts:
    """The one rule for showing a contribution by kind (the F12 page, the F12 workbook, the
    plan document): the parts as entered, and the rest of the total as "not broken down"."""
    rest = total - (cash + labour + materials)
    return ContributionParts(cash, labour, materials, rest if rest > ZERO else ZERO)


def line_contribution_parts(line: CommuneLine) -> ContributionParts:
    return contribution_parts(
        line.contribution_mvnd,
        line.contribution_cash_mvnd,
        line.contribution_labour_mvnd,
        line.contribution_materials_mvnd,
    )


def financial_plan(plan: CommunePlan) -> FinancialPlan:
    lines = lines_with_sources(plan)
    use = envelope_use(envelope_for(plan.round))
    source_ids: dict[int, FundingSource] = {}
    envelope_by_source: dict[int, Decimal] = defaultdict(lambda: ZERO)
    used_by_source: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in use:
        source = row["line"].source
        source_ids[source.pk] = source
        envelope_by_source[source.pk] += row["line"].amount_mvnd
        used_by_source[source.pk] += row["used"]
    groups: dict[int, tuple[Sector, list[FinanceRow], FinanceRow]] = {}
    grand = FinanceRow(line=None, label="")
    unfunded_count, unfunded_support = 0, ZERO
    for line in lines:
        if line.decision != Decision.FUNDED:
            if line.decision in (Decision.UNFUNDED, Decision.PENDING):
                unfunded_count += 1
                unfunded_support += line.external_support_mvnd
            continue
        parts = line_contribution_parts(line)
        finance_row = FinanceRow(
            line=line,
            label=str(line),
            total=line.total_cost_mvnd,
            cash=parts.cash,
            labour=parts.labour,
            labour_days=line.contribution_labour_days,
            materials=parts.materials,
            unsplit=parts.unsplit,
            land_m2=line.contribution_land_m2,
            support=line.external_support_mvnd,
        )
        for funding in line.funding.all():
            source = funding.envelope_line.source
            source_ids.setdefault(source.pk, source)
            finance_row.by_source[source.pk] += funding.amount_mvnd
        sector = line.sector
        group = groups.setdefault(sector.pk, (sector, [], FinanceRow(line=None, label=sector.name)))
        group[1].append(finance_row)
        group[2].add(finance_row)
        grand.add(finance_row)
    sources = sorted(source_ids.values(), key=lambda s: (s.sort_order, s.code))
    checks = [
        SourceCheck(source=s, envelope=envelope_by_source[s.pk], used=used_by_source[s.pk])
        for s in sources
    ]
    ordered = sorted(groups.values(), key=lambda g: (g[0].sort_order, g[0].code))
    return FinancialPlan(
        sources=sources,
        groups=ordered,
        total=grand,
        checks=checks,
        unfunded_count=unfunded_count,
        unfunded_support=unfunded_support,
    )


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


def _communes(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(
        AdministrativeUnit.objects.filter(path__startswith=unit.path, level=Level.COMMUNE)
        .select_related("parent")
        .order_by("parent__sort_key", "sort_key", "code")
    )


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
    for round_ in PlanningRound.objects.filter(in_scope).select_related("commune_plan"):
        row = rows.get(round_.commune_id)
        if row:
            row.round = round_
            row.plan = getattr(round_, "commune_plan", None)
    prefix = "round__commune"
    plan_filter = Q(round__commune__path__startswith=unit.path, round__plan_year=year)
    for item in (
        VillagePlan.objects.filter(plan_filter)
        .values(prefix)
        .annotate(n=Count("id"), submitted=Count("id", filter=Q(status=PlanStatus.SUBMITTED)))
    ):
        rows[item[prefix]].village_plans = item["n"]
        rows[item[prefix]].submitted = item["submitted"]
    line_filter = Q(
        plan__round__commune__path__startswith=unit.path,
        plan__round__plan_year=year,
        state=LineState.ACTIVE,
    )
    key = "plan__round__commune"
    for item in (
        CommuneLine.objects.filter(line_filter)
        .values(key)
        .annotate(
            n=Count("id"),
            demand=Sum("total_cost_mvnd"),
            asked=Sum("external_support_mvnd"),
            unfunded=Sum(
                "external_support_mvnd",
                filter=Q(decision__in=[Decision.UNFUNDED, Decision.PENDING]),
            ),
        )
    ):
        row = rows[item[key]]
        row.lines = item["n"]
        row.demand = item["demand"] or ZERO
        row.support_asked = item["asked"] or ZERO
        row.unfunded = item["unfunded"] or ZERO
    sector_ids: set[int] = set()
    for item in (
        CommuneLine.objects.filter(line_filter)
        .values(key, "sector")
        .annotate(total=Sum("total_cost_mvnd"))
    ):
        rows[item[key]].by_sector[item["sector"]] = item["total"] or ZERO
        sector_ids.add(item["sector"])
    source_ids: set[int] = set()
    fkey = "line__plan__round__commune"
    for item in (
        LineFunding.objects.filter(
            line__plan__round__commune__path__startswith=unit.path,
            line__plan__round__plan_year=year,
            line__state=LineState.ACTIVE,
        )
        .values(fkey, "envelope_line__source")
        .annotate(total=Sum("amount_mvnd"))
    ):
        row = rows[item[fkey]]
        row.by_source[item["envelope_line__source"]] = item["total"] or ZERO
        row.used += item["total"] or ZERO
        source_ids.add(item["envelope_line__source"])
    ekey = "envelope__round__commune"
    for item in (
        EnvelopeLine.objects.alive()
        .filter(
            envelope__round__commune__path__startswith=unit.path,
            envelope__round__plan_year=year,
        )
        .values(ekey)
        .annotate(total=Sum("amount_mvnd"))
    ):
        rows[item[ekey]].envelope = item["total"] or ZERO
    mkey = "plan__round__commune"
    for item in (
        VillageMeeting.objects.filter(
            plan__round__commune__path__startswith=unit.path, plan__round__plan_year=year
        )
        .values(mkey)
        .annotate(
            households=Sum("households_total"),
            represented=Sum("households_represented"),
            participants=Sum("participants_total"),
            women=Sum("participants_women"),
            poor=Sum("participants_poor"),
            em=Sum("participants_em"),
        )
    ):
        row = rows[item[mkey]]
        row.households_pct = percent(item["represented"], item["households"])
        row.women_pct = percent(item["women"], item["participants"])
        row.poor_pct = percent(item["poor"], item["participants"])
        row.em_pct = percent(item["em"], item["participants"])
    skey = "line__plan__round__commune"
    funded = Q(line__state=LineState.ACTIVE, line__decision=Decision.FUNDED)
    for item in (
        LineSource.objects.filter(
            line__plan__round__commune__path__startswith=unit.path,
            line__plan__round__plan_year=year,
            withdrawn=False,
            village_line__priority=1,
            line__state__in=[LineState.ACTIVE],
        )
        .values(skey)
        .annotate(
            n=Count("village_line", distinct=True),
            funded=Count("village_line", filter=funded, distinct=True),
        )
    ):
        row = rows[item[skey]]
        row.priority1 = item["n"]
        row.priority1_funded = item["funded"]
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
    participation = VillageMeeting.objects.filter(
        plan__round__commune__path__startswith=unit.path, plan__round__plan_year=year
    ).aggregate(
        households=Sum("households_total"),
        represented=Sum("households_represented"),
        participants=Sum("participants_total"),
        women=Sum("participants_women"),
        poor=Sum("participants_poor"),
        em=Sum("participants_em"),
    )
    total.households_pct = percent(participation["represented"], participation["households"])
    total.women_pct = percent(participation["women"], participation["participants"])
    total.poor_pct = percent(participation["poor"], participation["participants"])
    total.em_pct = percent(participation["em"], participation["participants"])
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


@dataclass
class ProgrammeRow:
    commune: AdministrativeUnit
    group: AdministrativeUnit | None
    envelope: Decimal = ZERO
    used: Decimal = ZERO
    funded_lines: int = 0
    proposed: Decimal = ZERO
    proposed_lines: int = 0

    @property
    def left(self) -> Decimal:
        return self.envelope - self.used

    @property
    def use_pct(self) -> Decimal | None:
        return percent(self.used, self.envelope) if self.envelope else None


@dataclass
class ProgrammeRollup:
    unit: AdministrativeUnit
    year: int
    source: FundingSource
    rows: list[ProgrammeRow]
    total: ProgrammeRow


def programme_rollup(unit: AdministrativeUnit, year: int, source: FundingSource) -> ProgrammeRollup:
    """One programme (with its components) across the communes of a province."""
    codes = [source.pk, *source.components.values_list("pk", flat=True)]
    communes = _communes(unit)
    rows = {
        c.pk: ProgrammeRow(
            commune=c, group=c.parent if c.parent and c.parent.level == Level.DISTRICT else None
        )
        for c in communes
    }
    ekey = "envelope__round__commune"
    for item in (
        EnvelopeLine.objects.alive()
        .filter(
            envelope__round__commune__path__startswith=unit.path,
            envelope__round__plan_year=year,
            source__in=codes,
        )
        .values(ekey)
        .annotate(total=Sum("amount_mvnd"))
    ):
        rows[item[ekey]].envelope = item["total"] or ZERO
    fkey = "line__plan__round__commune"
    for item in (
        LineFunding.objects.filter(
            line__plan__round__commune__path__startswith=unit.path,
            line__plan__round__plan_year=year,
            line__state=LineState.ACTIVE,
            envelope_line__source__in=codes,
        )
        .values(fkey)
        .annotate(total=Sum("amount_mvnd"), n=Count("line", distinct=True))
    ):
        rows[item[fkey]].used = item["total"] or ZERO
        rows[item[fkey]].funded_lines = item["n"]
    lkey = "plan__round__commune"
    for item in (
        CommuneLine.objects.filter(
            plan__round__commune__path__startswith=unit.path,
            plan__round__plan_year=year,
            state=LineState.ACTIVE,
            proposed_source__in=codes,
        )
        .values(lkey)
        .annotate(total=Sum("external_support_mvnd"), n=Count("id"))
    ):
        rows[item[lkey]].proposed = item["total"] or ZERO
        rows[item[lkey]].proposed_lines = item["n"]
    total = ProgrammeRow(commune=unit, group=None)
    for row in rows.values():
        total.envelope += row.envelope
        total.used += row.used
        total.funded_lines += row.funded_lines
        total.proposed += row.proposed
        total.proposed_lines += row.proposed_lines
    shown = [r for r in rows.values() if r.envelope or r.used or r.proposed]
    return ProgrammeRollup(unit=unit, year=year, source=source, rows=shown, total=total)


def rollup_years(unit: AdministrativeUnit) -> list[int]:
    return list(
        PlanningRound.objects.filter(commune__path__startswith=unit.path)
        .values_list("plan_year", flat=True)
        .distinct()
        .order_by("-plan_year")
    )
