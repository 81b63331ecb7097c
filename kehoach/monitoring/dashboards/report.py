"""The implementation report generator: the aggregate queries and how their groups add up."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
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
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone

from kehoach.catalog.models import Sector
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineFunding, LineSummary

from ..choices import ProgressStatus
from ..models import Disbursement
from ..selectors import planned_end
from .followed import monitored_plans, published
from .rows import (
    DELAYED_SHOWN,
    OPEN,
    ZERO,
    CommuneRow,
    Contribution,
    Dashboard,
    DelayedWork,
    Figures,
    by_source_and_programme,
    decimal_field,
    done_share,
)

# --- the generator ----------------------------------------------------------------------------


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

    @staticmethod
    def _latest_report() -> FilteredRelation:
        """A work's latest report (none: not started), to join as ``latest``."""
        return FilteredRelation("progress_reports", condition=Q(progress_reports__is_latest=True))

    def _latest(self) -> QuerySet[CommuneLine]:
        """The works, each joined to its latest report as ``latest`` (none: not started)."""
        return (
            CommuneLine.objects.filter(self._works())
            .annotate(
                latest=self._latest_report(),
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
        share = done_share()
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
            output_field=decimal_field(3),
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
                percent_sum=Sum(done_share("line__")),
                delayed=Count("id", filter=self._delayed("line__")),
            )
            .order_by()
        )

    def funding_rows(self) -> list[dict[str, Any]]:
        """Support approved per commune × sector × source, read from the summaries of the
        commune plans' lines (``LineSummary``, kept by every writer of lines and funding): the
        rows with a source of the funded lines of the followed plans are the funding of the
        works."""
        summaries = LineSummary.objects.filter(decision=Decision.FUNDED, source__isnull=False)
        if self.plan is not None:
            summaries = summaries.filter(plan=self.plan)
        else:
            assert self.unit is not None and self.year is not None
            summaries = summaries.filter(year=self.year).filter(
                Q(province=self.unit)
                if self.unit.level == Level.PROVINCE
                else Q(commune__path__startswith=self.unit.path)
            )
        return list(
            summaries.filter(published("plan__uid"))
            .values("commune", "sector", "source")
            .annotate(amount=Sum("funded_mvnd"))
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
        """The delayed works, longest overdue first (at most ``DELAYED_SHOWN``): the narrow
        rows of the works are sorted in a subquery and only the ones shown are read whole with
        their commune, sector and unit (sorting every delayed work whole was 3× slower)."""
        order = (
            "end_month",
            "plan__round__commune__sort_key",
            "plan__round__commune__code",
            "number",
        )
        shown = (
            CommuneLine.objects.filter(self._works())
            .alias(latest=self._latest_report())
            .filter(self._delayed())
            .order_by(*order)
            .values("pk")
        )
        rows = (
            CommuneLine.objects.filter(pk__in=shown[:DELAYED_SHOWN])
            .annotate(
                latest=self._latest_report(),
                current=Coalesce("latest__status", Value(ProgressStatus.NOT_STARTED.value)),
                latest_done=F("latest__quantity_done"),
                latest_on=F("latest__reported_on"),
            )
            .select_related("plan__round__commune", "sector", "unit")
            .order_by(*order)
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
                quantity_done=line.latest_done or ZERO,  # type: ignore[attr-defined]
                unit=line.unit.name,
                reported_on=line.latest_on,  # type: ignore[attr-defined]
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
            approved[row["source"]] += amount
            for figures in targets(row["commune"], row["sector"]):
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

        sources, programmes = by_source_and_programme(approved, disbursed, physical, in_programme)
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
