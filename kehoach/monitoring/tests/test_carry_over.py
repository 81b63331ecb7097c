"""Carry-over brings exactly the unfunded, deferred and unfinished lines with their origin: a
published 2027 plan is followed (one work completed, one ongoing, one never reported), the 2028
round is opened, and each village is offered its unfunded and deferred proposals and those
behind the works started and not finished — not the completed work, not a funded work that has
not started (never reported, or reported not started: the 2027 plan funds it), not the rejected
proposal."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from kehoach.geo.tests.factories import hai_lang
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.services import carry_over as plans_carry_over
from kehoach.plans.services.carry_over import (
    carry_over,
    carry_over_candidates,
    carry_over_preview,
)
from kehoach.plans.services.rounds import round_create
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

from ..models import ProgressReport
from ..services.carry_over import unfinished_note, unfinished_village_lines
from ..services.progress import progress_report_create
from .factories import RESOLUTION, report_data

pytestmark = pytest.mark.django_db
D = Decimal

ROAD = "Bê tông hóa đường xóm Trên"
SCHOOL = "Sửa phòng học mẫu giáo"
CANAL = "Nạo vét kênh mương nội đồng"
FARM = "Tập huấn chăn nuôi bò sinh sản"
MARKET = "Xây chợ thôn"
LAMPS = "Lắp đèn chiếu sáng đường làng"
DECISIONS = {
    ROAD: (Decision.FUNDED, "Đủ điều kiện, ưu tiên 1"),
    SCHOOL: (Decision.FUNDED, "Ngân sách xã"),
    CANAL: (Decision.DEFERRED, "Chờ thiết kế của huyện, hoãn sang năm sau"),
    FARM: (Decision.UNFUNDED, "Chưa có nguồn vốn phù hợp"),
    MARKET: (Decision.REJECTED, "Không thuộc thẩm quyền của xã"),
    LAMPS: (Decision.FUNDED, "Ngân sách xã"),
}


def _plan_2027(*, publish: bool = True) -> dict[str, Any]:
    """The 2027 round of Xã Hải Lăng, made through the real services, with one proposal of each
    fate: Thôn Diên Sanh has the road, the school (both funded) and the canal (deferred); Thôn
    Mỹ Chánh the training (unfunded), the market (rejected) and the lamps (funded)."""
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school, farm = sf.transport(), sf.education(), sf.agriculture()
    sf.submitted_plan(
        a,
        [
            sf.money_line("600", "100", sector=road, activity=ROAD, quantity=D("1.5")),
            sf.money_line("400", "50", sector=school, activity=SCHOOL, quantity=D(1)),
            sf.money_line("200", "40", sector=farm, activity=CANAL, priority=2),
        ],
    )
    sf.submitted_plan(
        b,
        [
            sf.money_line("30", "0", sector=farm, activity=FARM, priority=2),
            sf.money_line("900", "100", sector=road, activity=MARKET, priority=3),
            sf.money_line("60", "20", sector=road, activity=LAMPS, quantity=D(2)),
        ],
    )
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    ntp = sf.envelope_line(round_, sf.ntp(), "900", sector_=road)
    budget = sf.envelope_line(round_, sf.commune_budget(), "400", origin="commune")
    funding = {ROAD: {ntp: D(500)}, SCHOOL: {budget: D(350)}, LAMPS: {budget: D(40)}}
    lines = {x.activity: x for x in plan.lines.all()}
    for activity, (decision, reason) in DECISIONS.items():
        line_decide(
            actor=planner,
            line=lines[activity],
            decision=decision,
            reason=reason,
            funding=funding.get(activity),
        )
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=sf.approver(commune), plan=plan, data=RESOLUTION)
    if publish:
        commune_plan_transition(actor=planner, plan=plan, action="publish")
    village_lines = {
        x.activity: x for x in ProposalLine.objects.filter(plan__round=round_).order_by("id")
    }
    return {
        "commune": commune,
        "planner": planner,
        "plan": plan,
        "villages": (a, b),
        "ntp": ntp,
        "budget": budget,
        "works": {k: CommuneLine.objects.get(pk=v.pk) for k, v in lines.items()},
        "proposals": village_lines,
    }


def _follow(world: dict[str, Any]) -> None:
    """The road is completed, the school 60% done, the lamps never reported."""
    works = world["works"]
    progress_report_create(
        actor=world["planner"],
        line=works[ROAD],
        data=report_data(
            status="completed",
            quantity_done=D("1.5"),
            actual_finish=datetime.date(2026, 11, 28),
        ),
        disbursed={world["ntp"]: D(480)},
    )
    progress_report_create(
        actor=world["planner"],
        line=works[SCHOOL],
        data=report_data(quantity_done=D("0.6")),
        disbursed={world["budget"]: D(200)},
    )


def _next_round(world: dict[str, Any]) -> dict[str, VillagePlan]:
    round_ = round_create(actor=world["planner"], commune=world["commune"], plan_year=2028)
    return {p.village.name: p for p in round_.plans.select_related("village", "round")}


def _ongoing_note(percent: str) -> str:
    return gettext("work in progress, %(percent)s%% done") % {"percent": percent}


@pytest.fixture
def world() -> dict[str, Any]:
    world = _plan_2027()
    _follow(world)
    return world


def test_the_source_is_registered_at_start_up() -> None:
    assert unfinished_village_lines in plans_carry_over._sources


def test_each_village_is_offered_exactly_its_unfunded_deferred_and_unfinished_lines(
    world: dict[str, Any],
) -> None:
    proposals = world["proposals"]
    plans = _next_round(world)
    diên_sanh, mỹ_chánh = plans["Thôn Diên Sanh"], plans["Thôn Mỹ Chánh"]

    assert {line.activity for line in carry_over_candidates(diên_sanh)} == {SCHOOL, CANAL}
    # the lamps were funded and never reported: not started, so not offered
    assert {line.activity for line in carry_over_candidates(mỹ_chánh)} == {FARM}

    with translation.override("vi"):
        reasons = {c.line.activity: c.reason for c in carry_over_preview(diên_sanh)}
        assert reasons == {SCHOOL: "đang thi công dở, đã làm 60%", CANAL: "hoãn sang năm sau"}
        reasons = {c.line.activity: c.reason for c in carry_over_preview(mỹ_chánh)}
        assert reasons == {FARM: "không được bố trí vốn năm 2027"}

    # carried over, each new line keeps the link to where it came from
    for plan in (diên_sanh, mỹ_chánh):
        candidates = carry_over_preview(plan)
        assert all(c.ok for c in candidates)
        done = carry_over(
            actor=world["planner"], plan=plan, line_uids=[str(c.line.uid) for c in candidates]
        )
        assert {line.origin_id for line in done.lines} == {c.line.pk for c in candidates}
        assert carry_over_candidates(plan) == []  # nothing offered twice
    carried = {
        line.activity: line.origin
        for line in ProposalLine.objects.filter(plan__round__plan_year=2028)
    }
    assert carried == {
        SCHOOL: proposals[SCHOOL],
        CANAL: proposals[CANAL],
        FARM: proposals[FARM],
    }
    assert ROAD not in carried and MARKET not in carried and LAMPS not in carried


def test_a_funded_work_reported_not_started_is_not_offered_and_offered_once_started(
    world: dict[str, Any],
) -> None:
    def report(status: str, done: str, on: datetime.date) -> None:
        progress_report_create(
            actor=world["planner"],
            line=world["works"][LAMPS],
            data=report_data(
                reported_on=on,
                status=status,
                quantity_done=D(done),
                actual_start=None if status == "not_started" else on,
                contribution_cash_mvnd=D(0),
                contribution_labour_days=D(0),
                contribution_labour_mvnd=D(0),
            ),
            disbursed={world["budget"]: D(0)},
        )

    report("not_started", "0", datetime.date(2026, 10, 15))
    plan = _next_round(world)["Thôn Mỹ Chánh"]
    assert {x.activity for x in carry_over_candidates(plan)} == {FARM}

    report("ongoing", "0.5", datetime.date(2026, 12, 1))  # 0,5 of 2 lamps: 25%
    with translation.override("vi"):
        reasons = {c.line.activity: c.reason for c in carry_over_preview(plan)}
    assert reasons[LAMPS] == "đang thi công dở, đã làm 25%"


def test_carrying_an_unfinished_line_tells_what_was_done(world: dict[str, Any]) -> None:
    plan = _next_round(world)["Thôn Diên Sanh"]
    school = world["proposals"][SCHOOL]
    with translation.override("vi"):
        done = carry_over(actor=world["planner"], plan=plan, line_uids=[str(school.uid)])
        assert done.notes == [
            gettext(
                "Line %(number)s of the %(year)s plan (“%(activity)s”): %(note)s. "
                "Set its quantity and cost to what remains to be done."
            )
            % {
                "number": school.number,
                "year": 2027,
                "activity": SCHOOL,
                "note": _ongoing_note("60"),
            }
        ]
    (line,) = done.lines
    assert (line.origin, line.start_month) == (school, datetime.date(2028, 3, 1))


def test_a_work_completed_later_is_no_longer_offered(world: dict[str, Any]) -> None:
    progress_report_create(
        actor=world["planner"],
        line=world["works"][SCHOOL],
        data=report_data(
            reported_on=datetime.date(2026, 12, 1),
            status="completed",
            quantity_done=D(1),
            actual_finish=datetime.date(2026, 12, 1),
        ),
        disbursed={world["budget"]: D(350)},
    )
    plans = _next_round(world)
    assert {x.activity for x in carry_over_candidates(plans["Thôn Diên Sanh"])} == {CANAL}


def test_a_suspended_or_cancelled_work_is_offered_with_its_reason(world: dict[str, Any]) -> None:
    progress_report_create(
        actor=world["planner"],
        line=world["works"][SCHOOL],
        data=report_data(
            reported_on=datetime.date(2026, 12, 1),
            status="suspended",
            status_reason="Chờ bổ sung vốn",
            quantity_done=D("0.25"),
        ),
        disbursed={world["budget"]: D(200)},
    )
    plans = _next_round(world)
    with translation.override("vi"):
        (school,) = [
            c for c in carry_over_preview(plans["Thôn Diên Sanh"]) if c.line.activity == SCHOOL
        ]
        assert school.reason == "công trình tạm dừng, đã làm 25% (Chờ bổ sung vốn)"


def test_the_carry_over_page_shows_why_a_funded_line_is_offered(
    client: Client, world: dict[str, Any]
) -> None:
    plan = _next_round(world)["Thôn Diên Sanh"]
    client.force_login(world["planner"])
    with translation.override("vi"):
        html = client.get(reverse("plans:carry_over", args=[plan.uid])).content.decode()
    assert "Đang thi công dở, đã làm 60%" in html and "Hoãn sang năm sau" in html
    assert SCHOOL in html and CANAL in html and ROAD not in html
    assert f'value="{world["proposals"][SCHOOL].uid}"' in html
    assert " checked" not in html  # nothing is ticked in advance
    assert "Công trình được bố trí vốn năm 2027 nhưng chưa khởi công không được liệt kê" in html


def test_works_of_a_plan_never_published_are_not_offered_as_unfinished() -> None:
    world = _plan_2027(publish=False)
    previous = VillagePlan.objects.get(village=world["villages"][0], round__plan_year=2027)
    assert unfinished_village_lines(previous) == {}
    assert not ProgressReport.objects.exists()


def test_the_note_of_a_cancelled_work_and_of_one_in_progress(
    world: dict[str, Any],
) -> None:
    lamps = world["works"][LAMPS]
    report = ProgressReport(
        line=lamps,
        reported_on=datetime.date(2026, 11, 1),
        quantity_done=D(0),
        status="cancelled",
        status_reason="Điện lực đã lắp",
    )
    with translation.override("vi"):
        assert unfinished_note(lamps, report) == "công trình đã hủy, đã làm 0% (Điện lực đã lắp)"
        report.status, report.quantity_done = "ongoing", D("0.75")
        assert unfinished_note(lamps, report) == "đang thi công dở, đã làm 37,5%"
        assert unfinished_note(lamps, report) == _ongoing_note("37,5")
