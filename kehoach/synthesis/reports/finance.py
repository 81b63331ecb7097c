"""The financial plan by source (F12): rows, the check of each source against the envelope,
and the split of the community's contribution."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from kehoach.catalog.models import FundingSource, Sector

from ..choices import Decision
from ..models import CommuneLine, CommunePlan
from ..selectors import envelope_use, lines_with_sources
from ..services.common import envelope_for

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
