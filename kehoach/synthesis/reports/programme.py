"""The roll-up of one programme over the province's communes (F18)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from kehoach.catalog.models import FundingSource
from kehoach.core.numbers import percent
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit

from ..choices import LineState
from ..models import CommuneLine, EnvelopeLine, LineFunding
from .finance import ZERO
from .rollup import _communes


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
