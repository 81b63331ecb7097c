"""A commune plan followed in implementation, made through the real services: villages submit,
the commune synthesises, the envelope funds two works and leaves one unfunded, the plan is
submitted, approved with its resolution and published."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import hai_lang
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine, CommunePlan, EnvelopeLine
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

D = Decimal
ROAD = "Bê tông hóa đường xóm Trên"
SCHOOL = "Sửa phòng học mẫu giáo"
FARM = "Tập huấn chăn nuôi"
RESOLUTION = {
    "resolution_number": "25/NQ-HĐND",
    "resolution_date": datetime.date(2026, 12, 1),
    "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
}


def followed_plan(
    commune: AdministrativeUnit | None = None, *, publish: bool = True
) -> dict[str, Any]:
    """A published commune plan of 2027 (or only approved): the road (600: 100 contribution,
    500 from NTP26) and the school (400: 50 contribution, 350 from the commune budget) funded;
    the training (30, agriculture) in the plan without funding."""
    commune = commune or hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school, farm = sf.transport(), sf.education(), sf.agriculture()
    sf.submitted_plan(
        a,
        [
            sf.money_line("600", "100", sector=road, activity=ROAD, quantity=D("1.5")),
            sf.money_line("400", "50", sector=school, activity=SCHOOL, quantity=D(1)),
        ],
    )
    sf.submitted_plan(b, [sf.money_line("30", "0", sector=farm, activity=FARM, priority=2)])
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    approver = sf.approver(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    ntp = sf.envelope_line(round_, sf.ntp(), "900", sector_=road)
    budget = sf.envelope_line(round_, sf.commune_budget(), "400", origin="commune")
    lines = {x.activity: x for x in plan.lines.all()}
    line_decide(
        actor=planner,
        line=lines[ROAD],
        decision=Decision.FUNDED,
        reason="Đủ điều kiện, ưu tiên 1",
        funding={ntp: D(500)},
    )
    line_decide(
        actor=planner,
        line=lines[SCHOOL],
        decision=Decision.FUNDED,
        reason="Ngân sách xã",
        funding={budget: D(350)},
    )
    line_decide(
        actor=planner,
        line=lines[FARM],
        decision=Decision.UNFUNDED,
        reason="Chưa có nguồn vốn phù hợp",
    )
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    if publish:
        commune_plan_transition(actor=planner, plan=plan, action="publish")
    plan.refresh_from_db()
    return {
        "commune": commune,
        "plan": plan,
        "planner": planner,
        "approver": approver,
        "villages": (a, b),
        "ntp": ntp,
        "budget": budget,
        "road": CommuneLine.objects.get(pk=lines[ROAD].pk),
        "school": CommuneLine.objects.get(pk=lines[SCHOOL].pk),
        "farm": CommuneLine.objects.get(pk=lines[FARM].pk),
    }


def report_data(**overrides: Any) -> dict[str, Any]:
    """A valid report of the road, half done."""
    data: dict[str, Any] = {
        "reported_on": datetime.date(2026, 11, 30),
        "quantity_done": D("0.75"),
        "status": "ongoing",
        "status_reason": "",
        "actual_start": datetime.date(2026, 10, 1),
        "actual_finish": None,
        "contribution_cash_mvnd": D(20),
        "contribution_labour_days": D(100),
        "contribution_labour_mvnd": D(15),
        "contribution_materials_mvnd": D(0),
        "contribution_land_m2": D(0),
        "problems": "",
        "excess_reason": "",
    }
    data.update(overrides)
    return data


__all__ = ["CommunePlan", "EnvelopeLine", "followed_plan", "report_data"]
