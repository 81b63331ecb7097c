"""Five-year data written straight to the database for the drawing tests (the F7 services are
another helper's; these tests are about drawing, statuses and the comparison page)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from kehoach.geo.models import AdministrativeUnit
from kehoach.midterm.models import (
    MediumTermCommunePlan,
    MediumTermLine,
    MediumTermLineYear,
    MediumTermPlan,
    MediumTermRound,
)
from kehoach.monitoring.choices import ProgressStatus
from kehoach.monitoring.models import ProgressReport
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.tests import factories as f
from kehoach.synthesis.choices import CommunePlanStatus, Decision
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineSource


def medium_round(
    commune: AdministrativeUnit,
    first: int = 2026,
    last: int = 2030,
    commune_status: str = CommunePlanStatus.APPROVED,
) -> MediumTermRound:
    """The period, with the commune's five-year plan in ``commune_status`` (approved: its
    villages' plans may be drawn from)."""
    round_ = MediumTermRound.objects.get_or_create(
        commune=commune, first_year=first, defaults={"last_year": last, "profile": f.profile()}
    )[0]
    MediumTermCommunePlan.objects.update_or_create(
        round=round_, defaults={"status": commune_status}
    )
    return round_


def medium_plan(
    village: AdministrativeUnit, status: str = PlanStatus.SUBMITTED, **kwargs: Any
) -> MediumTermPlan:
    assert village.parent is not None
    return MediumTermPlan.objects.get_or_create(
        round=medium_round(village.parent, **kwargs),
        village=village,
        defaults={"status": status},
    )[0]


def activity(
    plan: MediumTermPlan,
    years: dict[int, tuple[str, str]] | None = None,
    **overrides: Any,
) -> MediumTermLine:
    """An activity with its years (``{year: (quantity, cost)}``); contribution and support add
    up to the years' costs."""
    years = years if years is not None else {2027: ("0.6", "50"), 2028: ("0.6", "50")}
    total = sum((Decimal(cost) for _q, cost in years.values()), Decimal(0))
    values: dict[str, Any] = {
        "number": MediumTermLine.objects.filter(plan=plan).count() + 1,
        "sector": f.sector(),
        "activity": "Bê tông hóa đường thôn",
        "location": "Xóm Trên",
        "unit": f.unit(),
        "contribution_mvnd": total * Decimal("0.3"),
        "external_support_mvnd": total * Decimal("0.7"),
        "proposed_source": f.source(),
        "beneficiary_households": 80,
        "beneficiary_poor": 12,
    }
    values.update(overrides)
    line = MediumTermLine.objects.create(plan=plan, **values)
    for year, (quantity, cost) in years.items():
        MediumTermLineYear.objects.create(
            line=line, year=year, quantity=Decimal(quantity), cost_mvnd=Decimal(cost)
        )
    return line


def year_of(line: MediumTermLine, year: int) -> MediumTermLineYear:
    return MediumTermLineYear.objects.get(line=line, year=year)


def commune_plan(plan: VillagePlan, status: str = CommunePlanStatus.APPROVED) -> CommunePlan:
    found, _created = CommunePlan.objects.get_or_create(
        round=plan.round, defaults={"status": status}
    )
    if found.status != status:
        found.status = status
        found.save(update_fields=["status"])
    return found


def work(village_line: ProposalLine, decision: str = Decision.FUNDED, **kwargs: Any) -> CommuneLine:
    """The commune line made from ``village_line`` (its source), with the commune's decision."""
    cplan = commune_plan(village_line.plan, **kwargs)
    values = {
        name: getattr(village_line, name)
        for name in (
            "sector",
            "activity",
            "location",
            "unit",
            "quantity",
            "start_month",
            "end_month",
            "total_cost_mvnd",
            "contribution_mvnd",
            "external_support_mvnd",
        )
    }
    line = CommuneLine.objects.create(
        plan=cplan,
        number=CommuneLine.objects.filter(plan=cplan).count() + 1,
        decision=decision,
        decision_reason="Theo nghị quyết",
        **values,
    )
    LineSource.objects.create(line=line, village_line=village_line)
    return line


def report(line: CommuneLine, status: str = ProgressStatus.COMPLETED) -> ProgressReport:
    return ProgressReport.objects.create(
        line=line,
        reported_on=datetime.date(2027, 11, 30),
        quantity_done=line.quantity,
        status=status,
        actual_start=datetime.date(2027, 3, 1),
        actual_finish=datetime.date(2027, 11, 20) if status == ProgressStatus.COMPLETED else None,
        reporter_name="Cán bộ xã",
    )
