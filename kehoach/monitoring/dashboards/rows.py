"""The rows an implementation dashboard shows and the aggregate expressions they are built from."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    F,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least

from kehoach.catalog.models import FundingSource, Sector
from kehoach.core.numbers import percent
from kehoach.geo.models import AdministrativeUnit

from ..choices import ProgressStatus

ZERO = Decimal(0)
HUNDRED = Decimal(100)
DELAYED_SHOWN = 50
"""A province may have many delayed works: the list shows the longest overdue; each commune's
dashboard lists all of its own."""

FINISHED = (ProgressStatus.COMPLETED, ProgressStatus.CANCELLED)
OPEN = [s for s in ProgressStatus.values if s not in FINISHED]


def decimal_field(places: int) -> DecimalField[Decimal, Decimal]:
    """The type of a computed sum (percent with 6 decimals, money with 3)."""
    return DecimalField(max_digits=20, decimal_places=places)


def done_share(prefix: str = "") -> Case:
    """The % done of the work at ``prefix`` from its latest report (joined as ``latest``): the
    quantity done over the approved quantity, at most 100; 0 without a report or a quantity."""
    done = Coalesce("latest__quantity_done", Value(ZERO), output_field=decimal_field(6))
    return Case(
        When(
            Q(**{f"{prefix}quantity__gt": 0}),
            then=Least(
                done * HUNDRED / F(f"{prefix}quantity"),
                Value(HUNDRED),
                output_field=decimal_field(6),
            ),
        ),
        default=Value(ZERO),
        output_field=decimal_field(6),
    )


# --- the rows ---------------------------------------------------------------------------------


@dataclass
class Contribution:
    """Community contribution in million VND (cash, value of the labour, materials) and the
    labour days."""

    cash: Decimal = ZERO
    labour: Decimal = ZERO
    materials: Decimal = ZERO
    labour_days: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.cash + self.labour + self.materials

    def add(self, other: Contribution) -> None:
        self.cash += other.cash
        self.labour += other.labour
        self.materials += other.materials
        self.labour_days += other.labour_days


@dataclass
class Figures:
    """What a group of works (one sector, one commune, all of them) adds up to."""

    works: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    percent_sum: Decimal = ZERO
    delayed: int = 0
    approved: Decimal = ZERO
    disbursed: Decimal = ZERO
    promised: Contribution = field(default_factory=Contribution)
    given: Contribution = field(default_factory=Contribution)

    @property
    def statuses(self) -> list[int]:
        """Works per status, in the order of ``ProgressStatus``."""
        return [self.by_status.get(s, 0) for s in ProgressStatus.values]

    @property
    def completed(self) -> int:
        return self.by_status.get(ProgressStatus.COMPLETED, 0)

    @property
    def completed_pct(self) -> Decimal | None:
        return percent(self.completed, self.works) if self.works else None

    @property
    def average_percent(self) -> Decimal | None:
        """The average of the works' % done (each at most 100)."""
        return percent(self.percent_sum, self.works * 100) if self.works else None

    @property
    def disbursed_pct(self) -> Decimal | None:
        return percent(self.disbursed, self.approved) if self.approved else None

    @property
    def given_pct(self) -> Decimal | None:
        return percent(self.given.total, self.promised.total) if self.promised.total else None

    def add(self, other: Figures) -> None:
        self.works += other.works
        for status, n in other.by_status.items():
            self.by_status[status] += n
        self.percent_sum += other.percent_sum
        self.delayed += other.delayed
        self.approved += other.approved
        self.disbursed += other.disbursed
        self.promised.add(other.promised)
        self.given.add(other.given)


@dataclass
class SourceRow:
    """One source or programme: the support approved against the money disbursed, and the
    physical progress of the works it funds (``physical``: each work once, however many of
    its envelope lines or components fund it; its money fields are not used)."""

    source: FundingSource
    approved: Decimal = ZERO
    disbursed: Decimal = ZERO
    physical: Figures = field(default_factory=Figures)

    @property
    def disbursed_pct(self) -> Decimal | None:
        return percent(self.disbursed, self.approved) if self.approved else None


@dataclass
class CommuneRow:
    commune: AdministrativeUnit
    plan_uid: uuid.UUID
    group: AdministrativeUnit | None = None
    figures: Figures = field(default_factory=Figures)


@dataclass
class DelayedWork:
    commune: AdministrativeUnit
    plan_uid: uuid.UUID
    uid: uuid.UUID
    number: int
    activity: str
    sector: str
    planned_end: datetime.date
    status: str
    quantity: Decimal
    quantity_done: Decimal
    unit: str
    reported_on: datetime.date | None

    @property
    def status_label(self) -> str:
        return str(ProgressStatus(self.status).label)

    @property
    def percent(self) -> Decimal | None:
        return percent(self.quantity_done, self.quantity) if self.quantity else None


@dataclass
class Dashboard:
    today: datetime.date
    total: Figures
    sectors: list[tuple[Sector, Figures]]
    sources: list[SourceRow]
    programmes: list[SourceRow]
    communes: list[CommuneRow]
    delayed: list[DelayedWork]

    @property
    def programmes_differ(self) -> bool:
        """Some source is a component of a programme, so the programmes are not the sources."""
        return any(row.source.parent_id for row in self.sources)

    @property
    def delayed_hidden(self) -> int:
        """Delayed works not in ``delayed`` (beyond the ones shown)."""
        return self.total.delayed - len(self.delayed)

    @property
    def grouped_communes(self) -> list[tuple[AdministrativeUnit | None, list[CommuneRow]]]:
        """Commune rows by former district (pre-2025 data); one group without a name else."""
        groups: dict[int | None, list[CommuneRow]] = {}
        heads: dict[int | None, AdministrativeUnit | None] = {}
        for row in self.communes:
            key = row.group.pk if row.group else None
            groups.setdefault(key, []).append(row)
            heads[key] = row.group
        return [(heads[key], rows) for key, rows in groups.items()]


def by_source_and_programme(
    approved: dict[int, Decimal],
    disbursed: dict[int, Decimal],
    physical: dict[int, Figures],
    in_programme: dict[int, Figures],
) -> tuple[list[SourceRow], list[SourceRow]]:
    """Rows by source and by programme (a component counts in its parent programme):
    ``physical`` per source, ``in_programme`` the part of a source in its programme's."""
    ids = set(approved) | set(disbursed) | set(physical)
    if not ids:
        return [], []
    found = FundingSource.objects.filter(pk__in=ids).select_related("parent")
    order = {s.pk: (s.sort_order, s.code) for s in found}
    sources = [
        SourceRow(
            source=s,
            approved=approved[s.pk],
            disbursed=disbursed[s.pk],
            physical=physical[s.pk],
        )
        for s in sorted(found, key=lambda s: order[s.pk])
    ]
    programmes: dict[int, SourceRow] = {}
    for row in sources:
        programme = row.source.parent or row.source
        into = programmes.setdefault(programme.pk, SourceRow(source=programme))
        into.approved += row.approved
        into.disbursed += row.disbursed
        into.physical.add(in_programme[row.source.pk])
    return sources, sorted(programmes.values(), key=lambda r: (r.source.sort_order, r.source.code))
