"""The national roll-up (issue 16): the country by province, or a province by commune, with the
commune plans' lines by sector, funding source and programme — one aggregate query over the
summaries (``LineSummary``) for each level, whatever the number of lines; then the names of the
units, sectors and sources it found (three small lookups)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from kehoach.catalog.models import FundingSource, Sector
from kehoach.core.numbers import percent
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit

from ..choices import Decision
from ..models import LineSummary

ZERO = Decimal(0)
UNFUNDED = frozenset({Decision.UNFUNDED, Decision.PENDING})
"""The decisions whose support asked is "unfunded demand" (as in F18)."""


@dataclass
class AreaRow:
    """One province (of the country) or one commune (of a province)."""

    unit: AdministrativeUnit | None
    plan_uid: Any = None
    lines: int = 0
    demand: Decimal = ZERO
    support_asked: Decimal = ZERO
    funded: Decimal = ZERO
    unfunded: Decimal = ZERO
    by_sector: dict[int, Decimal] = field(default_factory=dict)
    by_source: dict[int, Decimal] = field(default_factory=dict)
    by_programme: dict[int, Decimal] = field(default_factory=dict)

    @property
    def funded_pct(self) -> Decimal | None:
        """The share of the support asked that is allocated."""
        return percent(self.funded, self.support_asked) if self.support_asked else None

    def add(self, item: dict[str, Any]) -> None:
        """Add one group of the aggregate (see ``area_rollup``)."""
        source = item["source"]
        if source is not None:
            funded = item["funded"] or ZERO
            programme = item["source__parent"] or source
            self.funded += funded
            self.by_source[source] = self.by_source.get(source, ZERO) + funded
            self.by_programme[programme] = self.by_programme.get(programme, ZERO) + funded
            return
        demand, asked = item["demand"] or ZERO, item["asked"] or ZERO
        self.lines += item["n"] or 0
        self.demand += demand
        self.support_asked += asked
        if item["decision"] in UNFUNDED:
            self.unfunded += asked
        self.by_sector[item["sector"]] = self.by_sector.get(item["sector"], ZERO) + demand


@dataclass
class AreaRollup:
    year: int
    unit: AdministrativeUnit | None
    """The province whose communes are the rows; None: the country, by province."""
    rows: list[AreaRow]
    total: AreaRow
    sectors: list[Sector]
    sources: list[FundingSource]
    programmes: list[FundingSource]

    @property
    def with_lines(self) -> list[AreaRow]:
        return [row for row in self.rows if row.lines]


def area_rollup(year: int, unit: AdministrativeUnit | None = None) -> AreaRollup:
    """The country by province (``unit`` None: every current province is a row, with or
    without plans) or a province by commune (the communes that have summaries for the year),
    in Vietnamese order."""
    summaries = LineSummary.objects.filter(year=year)
    if unit is None:
        key, fields = "province", ["province"]
    else:
        summaries = summaries.filter(province=unit)
        key, fields = "commune", ["commune", "plan__uid"]
    totals: dict[int, AreaRow] = {}
    uids: dict[int, Any] = {}
    grand = AreaRow(unit=unit)
    for item in (
        summaries.order_by()
        .values(*fields, "sector", "source", "source__parent", "decision")
        .annotate(
            n=Sum("lines"),
            demand=Sum("demand_mvnd"),
            asked=Sum("support_asked_mvnd"),
            funded=Sum("funded_mvnd"),
        )
    ):
        row = totals.setdefault(item[key], AreaRow(unit=None))
        row.add(item)
        grand.add(item)
        if "plan__uid" in item:
            uids[item[key]] = item["plan__uid"]
    units = AdministrativeUnit.objects.filter(pk__in=list(totals))
    if unit is None:
        units = AdministrativeUnit.objects.filter(
            Q(level=Level.PROVINCE, valid_to__isnull=True) | Q(pk__in=list(totals))
        )
    rows = []
    for place in units.order_by("sort_key", "code"):
        row = totals.get(place.pk) or AreaRow(unit=None)
        row.unit, row.plan_uid = place, uids.get(place.pk)
        rows.append(row)
    sector_ids = set(grand.by_sector)
    source_ids = set(grand.by_source) | set(grand.by_programme)
    sources = {s.pk: s for s in FundingSource.objects.filter(pk__in=source_ids)}
    order = sorted(sources.values(), key=lambda s: (s.sort_order, s.code))
    return AreaRollup(
        year=year,
        unit=unit,
        rows=rows,
        total=grand,
        sectors=list(Sector.objects.filter(pk__in=sector_ids).order_by("sort_order", "code")),
        sources=[s for s in order if s.pk in grand.by_source],
        programmes=[s for s in order if s.pk in grand.by_programme],
    )


def national_years() -> list[int]:
    """The plan years that have summaries, newest first."""
    return list(LineSummary.objects.order_by("-year").values_list("year", flat=True).distinct())
