"""Implementation dashboards (issue 7, item 6): where the followed works of one commune plan, or
of every commune plan of a year under a province or a former district, stand.

``ImplementationReport`` is the report generator (style.md §10): it knows the rows — physical
progress (works by status, average % done) by sector, source and programme, money approved
against disbursed by source, programme and sector, community contribution realised against
promised, the delayed works and, for a province, one row per commune — and the pages
(``views/dashboards.py`` with ``charts.py``) format them.

Every figure comes from a fixed number of aggregate queries (``values(...).annotate(Sum(...))``)
whatever the number of communes, works and reports:

- the works are the funded lines in the plan (``services.common.works_of``) of commune plans
  that have a published version (``services.common.is_monitored``), written here as SQL;
- a work's position is its latest report (``ProgressReport.is_latest``, one per work), joined
  to the work; a work without a report counts as not started, with nothing done or given;
- a work is delayed when its planned end (the last day of its end month) is before today and
  it is neither completed nor cancelled (``selectors.is_delayed``).

The queries group by commune × sector × status (works), source × status (works again, through
the sources that fund them) and commune × sector × source (money); Python only adds those few
groups up into the tables.

Physical progress by source or programme counts a work under *each* source (programme) that
funds it, whatever the share of its money, not weighted by amount: "of the works this source
helps pay for, how many are done and how far along are they". A work funded by two sources
is in both rows, so the rows add up to more than the total; a work funded by two envelope
lines of one source (or by two components of one programme) counts once in that row; a work
without approved support (all from the community) is under no source.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import Exact
from django.utils import timezone

from kehoach.approvals.models import Version
from kehoach.catalog.models import FundingSource, Sector
from kehoach.core.numbers import percent
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineFunding

from .choices import ProgressStatus
from .models import Disbursement
from .selectors import planned_end

ZERO = Decimal(0)
HUNDRED = Decimal(100)
DELAYED_SHOWN = 50
"""A province may have many delayed works: the list shows the longest overdue; each commune's
dashboard lists all of its own."""

FINISHED = (ProgressStatus.COMPLETED, ProgressStatus.CANCELLED)
OPEN = [s for s in ProgressStatus.values if s not in FINISHED]


def _decimal(places: int) -> DecimalField[Decimal, Decimal]:
    """The type of a computed sum (percent with 6 decimals, money with 3)."""
    return DecimalField(max_digits=20, decimal_places=places)


def _share(prefix: str = "") -> Case:
    """The % done of the work at ``prefix`` from its latest report (joined as ``latest``): the
    quantity done over the approved quantity, at most 100; 0 without a report or a quantity."""
    done = Coalesce("latest__quantity_done", Value(ZERO), output_field=_decimal(6))
    return Case(
        When(
            Q(**{f"{prefix}quantity__gt": 0}),
            then=Least(
                done * HUNDRED / F(f"{prefix}quantity"), Value(HUNDRED), output_field=_decimal(6)
            ),
        ),
        default=Value(ZERO),
        output_field=_decimal(6),
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


# --- the generator ----------------------------------------------------------------------------


def published(plan_uid: str) -> Exists:
    """``is_monitored`` as SQL: a published version of the commune plan whose uid is at
    ``plan_uid`` (a path from the rows being filtered)."""
    return Exists(
        Version.objects.filter(
            plan_uid=OuterRef(plan_uid),
            subject_label=CommunePlan._meta.label_lower,
            published_at__isnull=False,
        )
    )


def monitored_plans(unit: AdministrativeUnit, year: int | None = None) -> QuerySet[CommunePlan]:
    """The commune plans under ``unit`` (a province, former district or commune) that are
    followed, i.e. have a published version."""
    plans = CommunePlan.objects.filter(round__commune__path__startswith=unit.path).filter(
        published("uid")
    )
    if year is not None:
        plans = plans.filter(round__plan_year=year)
    return plans


class ImplementationReport:
    """The rows of an implementation dashboard for one commune plan (``for_plan``) or for the
    commune plans of a year under a province or a former district (``for_unit``)."""

    def __init__(
        self,
        *,
        plan: CommunePlan | None = None,
        unit: AdministrativeUnit | None = None,
        year: int | None = None,
        today: datetime.date | None = None,
    ) -> None:
        if (plan is None) == (unit is None or year is None):
            raise ValueError("give a commune plan, or a unit and a year")
        self.plan = plan
        self.unit = unit
        self.year = year
        self.today = today or timezone.localdate()

    @classmethod
    def for_plan(cls, plan: CommunePlan, today: datetime.date | None = None) -> Dashboard:
        return cls(plan=plan, today=today).build()

    @classmethod
    def for_unit(
        cls, unit: AdministrativeUnit, year: int, today: datetime.date | None = None
    ) -> Dashboard:
        return cls(unit=unit, year=year, today=today).build()

    # Scope: the works, seen from a model that reaches them through ``prefix``.

    def _plans(self, prefix: str) -> Q:
        if self.plan is not None:
            return Q(**{f"{prefix}plan": self.plan})
        assert self.unit is not None
        return Q(
            **{
                f"{prefix}plan__round__commune__path__startswith": self.unit.path,
                f"{prefix}plan__round__plan_year": self.year,
            }
        )

    def _works(self, prefix: str = "") -> Q:
        return (
            self._plans(prefix)
            & Q(**{f"{prefix}state": LineState.ACTIVE, f"{prefix}decision": Decision.FUNDED})
            & Q(published(f"{prefix}plan__uid"))
        )

    def _latest(self) -> QuerySet[CommuneLine]:
        """The works, each joined to its latest report as ``latest`` (none: not started)."""
        return (
            CommuneLine.objects.filter(self._works())
            .annotate(
                latest=FilteredRelation(
                    "progress_reports", condition=Q(progress_reports__is_latest=True)
                ),
                current=Coalesce("latest__status", Value(ProgressStatus.NOT_STARTED.value)),
            )
            .order_by()
        )

    def _delayed(self, prefix: str = "") -> Q:
        """Past the end of the planned end month, and neither completed nor cancelled (the work
        at ``prefix``, its latest report joined as ``latest``)."""
        month = self.today.replace(day=1)
        return Q(**{f"{prefix}end_month__lt": month}) & (
            Q(latest__status__isnull=True) | Q(latest__status__in=OPEN)
        )

    # The queries.

    def work_rows(self) -> list[dict[str, Any]]:
        """Works per commune × sector × status: how many, their % done added up (each at most
        100), how many are delayed, the contribution promised and given."""
        share = _share()
        # A contribution that was not split into cash, labour and materials counts as cash
        # (as in the financial plan, ``synthesis.reports``).
        unsplit: Exact[Any] = Exact(
            F("contribution_cash_mvnd")
            + F("contribution_labour_mvnd")
            + F("contribution_materials_mvnd"),
            ZERO,
        )
        promised_cash = Case(
            When(unsplit, then=F("contribution_mvnd")),
            default=F("contribution_cash_mvnd"),
            output_field=_decimal(3),
        )
        return list(
            self._latest()
            .values("plan__round__commune", "sector", "current")  # type: ignore[misc]
            .annotate(
                n=Count("id"),
                percent_sum=Sum(share),
                delayed=Count("id", filter=self._delayed()),
                promised_cash=Sum(promised_cash),
                promised_labour=Sum("contribution_labour_mvnd"),
                promised_materials=Sum("contribution_materials_mvnd"),
                promised_days=Sum("contribution_labour_days"),
                given_cash=Sum("latest__contribution_cash_mvnd"),
                given_labour=Sum("latest__contribution_labour_mvnd"),
                given_materials=Sum("latest__contribution_materials_mvnd"),
                given_days=Sum("latest__contribution_labour_days"),
            )
        )

    def source_rows(self) -> list[dict[str, Any]]:
        """Works per source × status, through the funding rows of the works joined to each
        work's latest report: how many, their % done added up, how many are delayed.

        A work is counted once under each source that funds it: with two envelope lines of one
        source it has two funding rows with that source, and only the first (lowest id) is
        ``first_of_source``. ``first_of_programme`` likewise marks the one row of a work that
        counts in a programme (a component's programme is its parent, as in ``_by_source``).
        Python adds each group to its source, its programme, both or neither."""
        programme = Coalesce("envelope_line__source__parent", "envelope_line__source")
        earlier = LineFunding.objects.filter(line=OuterRef("line"), pk__lt=OuterRef("pk"))
        return list(
            LineFunding.objects.filter(self._works("line__"))
            .alias(programme=programme)
            .annotate(
                latest=FilteredRelation(
                    "line__progress_reports",
                    condition=Q(line__progress_reports__is_latest=True),
                ),
                current=Coalesce("latest__status", Value(ProgressStatus.NOT_STARTED.value)),
                first_of_source=~Exists(
                    earlier.filter(envelope_line__source=OuterRef("envelope_line__source"))
                ),
                first_of_programme=~Exists(
                    earlier.alias(programme=programme).filter(programme=OuterRef("programme"))
                ),
            )
            .values("envelope_line__source", "current", "first_of_source", "first_of_programme")
            .annotate(
                n=Count("id"),
                percent_sum=Sum(_share("line__")),
                delayed=Count("id", filter=self._delayed("line__")),
            )
            .order_by()
        )

    def funding_rows(self) -> list[dict[str, Any]]:
        """Support approved per commune × sector × source."""
        return list(
            LineFunding.objects.filter(self._works("line__"))
            .values("line__plan__round__commune", "line__sector", "envelope_line__source")
            .annotate(amount=Sum("amount_mvnd"))
            .order_by()
        )

    def disbursement_rows(self) -> list[dict[str, Any]]:
        """Money disbursed to date (the latest reports) per commune × sector × source."""
        return list(
            Disbursement.objects.filter(report__is_latest=True)
            .filter(self._works("report__line__"))
            .values(
                "report__line__plan__round__commune",
                "report__line__sector",
                "envelope_line__source",
            )
            .annotate(amount=Sum("amount_mvnd"))
            .order_by()
        )

    def delayed_works(self) -> list[DelayedWork]:
        """The delayed works, longest overdue first (at most ``DELAYED_SHOWN``)."""
        rows = (
            self._latest()
            .filter(self._delayed())
            .select_related("plan__round__commune", "sector", "unit")
            .annotate(
                latest_done=F("latest__quantity_done"),
                latest_on=F("latest__reported_on"),
            )
            .order_by(
                "end_month",
                "plan__round__commune__sort_key",
                "plan__round__commune__code",
                "number",
            )[:DELAYED_SHOWN]
        )
        return [
            DelayedWork(
                commune=line.plan.round.commune,
                plan_uid=line.plan.uid,
                uid=line.uid,
                number=line.number,
                activity=line.activity,
                sector=line.sector.name,
                planned_end=planned_end(line),
                status=line.current,  # type: ignore[attr-defined]
                quantity=line.quantity,
                quantity_done=line.latest_done or ZERO,
                unit=line.unit.name,
                reported_on=line.latest_on,
            )
            for line in rows
        ]

    def commune_rows(self) -> dict[int, CommuneRow]:
        """One row per followed commune plan (the commune of a plan: one)."""
        if self.plan is not None:
            commune = self.plan.round.commune
            return {commune.pk: CommuneRow(commune=commune, plan_uid=self.plan.uid)}
        assert self.unit is not None and self.year is not None
        plans = (
            monitored_plans(self.unit, self.year)
            .select_related("round__commune__parent")
            .order_by("round__commune__parent__sort_key", "round__commune__sort_key")
        )
        rows = {}
        for plan in plans:
            commune = plan.round.commune
            parent = commune.parent
            rows[commune.pk] = CommuneRow(
                commune=commune,
                plan_uid=plan.uid,
                group=parent if parent is not None and parent.level == Level.DISTRICT else None,
            )
        return rows

    # Adding the groups up.

    def build(self) -> Dashboard:
        communes = self.commune_rows()
        by_sector: dict[int, Figures] = defaultdict(Figures)
        total = Figures()

        def targets(commune: int, sector: int) -> Iterable[Figures]:
            yield total
            yield by_sector[sector]
            if commune in communes:
                yield communes[commune].figures

        for row in self.work_rows():
            part = Figures(
                works=row["n"],
                percent_sum=row["percent_sum"] or ZERO,
                delayed=row["delayed"],
                promised=Contribution(
                    cash=row["promised_cash"] or ZERO,
                    labour=row["promised_labour"] or ZERO,
                    materials=row["promised_materials"] or ZERO,
                    labour_days=row["promised_days"] or ZERO,
                ),
                given=Contribution(
                    cash=row["given_cash"] or ZERO,
                    labour=row["given_labour"] or ZERO,
                    materials=row["given_materials"] or ZERO,
                    labour_days=row["given_days"] or ZERO,
                ),
            )
            part.by_status[row["current"]] = row["n"]
            for figures in targets(row["plan__round__commune"], row["sector"]):
                figures.add(part)

        approved: dict[int, Decimal] = defaultdict(lambda: ZERO)
        disbursed: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for row in self.funding_rows():
            amount = row["amount"] or ZERO
            approved[row["envelope_line__source"]] += amount
            for figures in targets(row["line__plan__round__commune"], row["line__sector"]):
                figures.approved += amount
        for row in self.disbursement_rows():
            amount = row["amount"] or ZERO
            disbursed[row["envelope_line__source"]] += amount
            for figures in targets(
                row["report__line__plan__round__commune"], row["report__line__sector"]
            ):
                figures.disbursed += amount

        # Physical progress by source, and each source's part of its programme's.
        physical: dict[int, Figures] = defaultdict(Figures)
        in_programme: dict[int, Figures] = defaultdict(Figures)
        for row in self.source_rows():
            part = Figures(
                works=row["n"], percent_sum=row["percent_sum"] or ZERO, delayed=row["delayed"]
            )
            part.by_status[row["current"]] = row["n"]
            if row["first_of_source"]:
                physical[row["envelope_line__source"]].add(part)
            if row["first_of_programme"]:
                in_programme[row["envelope_line__source"]].add(part)

        sources, programmes = self._by_source(approved, disbursed, physical, in_programme)
        sectors = Sector.objects.in_bulk(list(by_sector))
        return Dashboard(
            today=self.today,
            total=total,
            sectors=[
                (sectors[pk], by_sector[pk])
                for pk in sorted(
                    by_sector, key=lambda pk: (sectors[pk].sort_order, sectors[pk].code)
                )
            ],
            sources=sources,
            programmes=programmes,
            communes=list(communes.values()),
            delayed=self.delayed_works(),
        )

    def _by_source(
        self,
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
        return sources, sorted(
            programmes.values(), key=lambda r: (r.source.sort_order, r.source.code)
        )


def years_followed(unit: AdministrativeUnit) -> list[int]:
    """Plan years with at least one followed commune plan under ``unit``, newest first."""
    return list(
        monitored_plans(unit)
        .values_list("round__plan_year", flat=True)
        .distinct()
        .order_by("-round__plan_year")
    )
