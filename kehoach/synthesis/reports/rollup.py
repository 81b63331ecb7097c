"""The province roll-up (F18): one row per commune, a fixed number of aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from kehoach.catalog.models import FundingSource, Sector
from kehoach.core.numbers import percent
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, VillageMeeting, VillagePlan

from ..choices import Decision, LineState
from ..models import CommunePlan, EnvelopeLine, LineSource, LineSummary
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


def rollup_years(unit: AdministrativeUnit) -> list[int]:
    return list(
        PlanningRound.objects.filter(commune__path__startswith=unit.path)
        .values_list("plan_year", flat=True)
        .distinct()
        .order_by("-plan_year")
    )
