"""The village side of a five-year period built with the models directly, for the tests of the
commune's five-year plan: two villages of Hải Lăng with submitted F7 plans."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.midterm.models import (
    MediumTermLine,
    MediumTermLineYear,
    MediumTermPlan,
    MediumTermRound,
)
from kehoach.plans.choices import PlanStatus
from kehoach.plans.tests.factories import profile, sector, source, unit


def activity(
    plan: MediumTermPlan,
    number: int,
    years: dict[int, tuple[str, str]],
    *,
    support: str | None = None,
    **values: Any,
) -> MediumTermLine:
    """An F7 activity whose years' costs add up to contribution + support (R1)."""
    total = sum((Decimal(cost) for _q, cost in years.values()), Decimal(0))
    given_support = Decimal(support) if support is not None else total
    defaults: dict[str, Any] = {
        "sector": sector(),
        "activity": f"Bê tông hóa đường thôn {number}",
        "unit": unit(),
        "contribution_mvnd": total - given_support,
        "external_support_mvnd": given_support,
        "proposed_source": source(),
        "beneficiary_households": 40,
        "beneficiary_poor": 10,
        "beneficiary_em": 5,
    }
    defaults.update(values)
    line = MediumTermLine.objects.create(plan=plan, number=number, **defaults)
    for year, (quantity, cost) in years.items():
        MediumTermLineYear.objects.create(
            line=line, year=year, quantity=Decimal(quantity), cost_mvnd=Decimal(cost)
        )
    return line


def village_plan(
    round_: MediumTermRound, village: AdministrativeUnit, status: str = PlanStatus.SUBMITTED
) -> MediumTermPlan:
    return MediumTermPlan.objects.create(round=round_, village=village, status=status)


def world(commune: AdministrativeUnit | None = None) -> dict[str, Any]:
    commune = commune or hai_lang()
    round_ = MediumTermRound.objects.create(
        commune=commune, first_year=2026, last_year=2030, profile=profile()
    )
    dien_sanh = VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    an_tho = VillageFactory.create(parent=commune, name="Thôn An Thơ")
    plan_a = village_plan(round_, dien_sanh)
    plan_b = village_plan(round_, an_tho)
    a1 = activity(plan_a, 1, {2026: ("1", "300"), 2027: ("0.5", "200")}, support="400")
    a2 = activity(plan_a, 2, {2028: ("2", "100")})
    b1 = activity(plan_b, 1, {2026: ("1.5", "250"), 2029: ("1", "150")}, support="300")
    return {
        "commune": commune,
        "round": round_,
        "dien_sanh": dien_sanh,
        "an_tho": an_tho,
        "plan_a": plan_a,
        "plan_b": plan_b,
        "a1": a1,
        "a2": a2,
        "b1": b1,
        "planner": commune_planner(commune),
        "approver": user_with_role(Role.COMMUNE_APPROVER, commune),
        "editor": user_with_role(Role.VILLAGE_EDITOR, dien_sanh),
    }
