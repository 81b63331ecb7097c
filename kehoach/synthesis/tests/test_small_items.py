"""Small things of issue 13 (point 8) on the commune's side: a contribution that was not broken
down is not shown as cash (F12), an unfunded proposal's contribution reads the same on the
public page, the feedback page and the F13 sheet, undoing a merge has one name everywhere, and
the envelope panel's heading sits in its toggle."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kehoach.approvals.models import StatusChange
from kehoach.exchange.documents.village import FeedbackSheet
from kehoach.geo.tests.factories import hai_lang
from kehoach.monitoring.tests.factories import FARM, followed_plan
from kehoach.plans.models import VillagePlan
from kehoach.portal.tests.test_views import tables

from ..choices import Decision
from ..models import CommuneLine, SynthesisOperation
from ..reports import contribution_parts, financial_plan
from ..services.envelope import envelope_publish
from ..services.funding import line_decide
from ..services.lines import commune_plan_synthesise, lines_merge
from ..services.workflow import commune_plan_approve, commune_plan_transition
from . import factories as f
from .test_workflow import RESOLUTION

D = Decimal
PROPOSED = "Đóng góp của thôn theo đề xuất"


# --- F12: a contribution without breakdown -------------------------------------------------


def test_the_part_not_broken_down_is_its_own_kind_never_cash() -> None:
    whole = contribution_parts(D(110), D(0), D(0), D(0))
    assert (whole.cash, whole.labour, whole.materials, whole.unsplit) == (0, 0, 0, 110)
    split = contribution_parts(D(110), D(60), D(50), D(0))
    assert (split.cash, split.labour, split.unsplit, split.total) == (60, 50, 0, 110)
    part = contribution_parts(D(110), D(10), D(0), D(0))
    assert (part.cash, part.unsplit) == (10, 100)


@pytest.fixture
def unsplit(db: Any) -> dict[str, Any]:
    """The published plan of ``followed_plan`` whose funded road's 100 of contribution was never
    broken down into cash, labour and materials; the unfunded training proposes 110."""
    world = followed_plan()
    road = world["road"]
    CommuneLine.objects.filter(pk=road.pk).update(
        contribution_cash_mvnd=0, contribution_labour_mvnd=0, contribution_materials_mvnd=0
    )
    return world


def test_the_financial_plan_shows_it_as_not_broken_down(
    unsplit: dict[str, Any], client: Client
) -> None:
    plan = unsplit["plan"]
    report = financial_plan(plan)
    (road,) = [r for _s, rows, _t in report.groups for r in rows if r.line == unsplit["road"]]
    assert (road.cash, road.unsplit, road.contribution) == (0, 100, 100)
    assert (report.total.cash, report.total.unsplit) == (50, 100)  # the school's 50 is cash
    client.force_login(unsplit["planner"])
    html = client.get(reverse("synthesis:finance", args=[plan.uid])).content.decode()
    assert "chưa phân loại" in html
    assert re.search(r'id="f12-unsplit">100,0<', html)


# --- the proposed contribution: one value, one label ----------------------------------------


def _published_with_an_unfunded_contribution() -> dict[str, Any]:
    """Thôn Mỹ Chánh proposes a training of 300 with 110 of its own contribution; the commune
    puts it in the plan without funding, approves and publishes."""
    commune = hai_lang()
    (village,) = f.villages(commune, ["Thôn Mỹ Chánh"])
    f.submitted_plan(village, [f.money_line("300", "110", sector=f.agriculture(), activity=FARM)])
    round_ = f.round_of(commune)
    planner, approver = f.planner(commune), f.approver(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = f.commune_plan_for(round_)
    line_decide(
        actor=planner,
        line=plan.lines.get(),
        decision=Decision.UNFUNDED,
        reason="Chưa có nguồn vốn phù hợp",
    )
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    return {"commune": commune, "village": village, "planner": planner, "plan": plan}


def test_an_unfunded_proposal_shows_its_proposed_contribution_everywhere(
    db: Any, client: Client
) -> None:
    world = _published_with_an_unfunded_contribution()
    village = world["village"]
    village_plan = VillagePlan.objects.get(village=village)
    with translation.override("vi"):
        sheet = FeedbackSheet(village_plan).context()
    header = [c["label"] for c in sheet["table"]["columns"]]
    on_sheet = sheet["table"]["rows"][0]["cells"][header.index(PROPOSED)].text
    assert on_sheet == "110,0"

    portal = client.get(
        reverse("portal:feedback", args=[world["commune"].code, 2027, village.code])
    ).content.decode()
    client.force_login(world["planner"])
    page = client.get(reverse("synthesis:feedback", args=[village_plan.uid])).content.decode()

    for html in (portal, page):
        rows = tables(html)["fates"]
        assert PROPOSED in rows[0]
        assert rows[1][rows[0].index(PROPOSED)] == "110,0"
        assert "chỉ thực hiện khi công trình được bố trí vốn" in html


# --- undoing a merge: one name on the buttons, in the message and in the history -------------

UNDO = "Hoàn tác gộp dòng"


def test_undoing_a_merge_has_one_name_everywhere(db: Any, client: Client) -> None:
    commune = hai_lang()
    a, b = f.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road = f.transport()
    f.submitted_plan(a, [f.money_line("600", "100", sector=road, activity="Đường liên thôn")])
    f.submitted_plan(b, [f.money_line("500", "100", sector=road, activity="Đường liên thôn")])
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = f.commune_plan_for(round_)
    merged = lines_merge(actor=planner, plan=plan, lines=list(plan.lines.all()))
    client.force_login(planner)

    plan_page = client.get(reverse("synthesis:plan", args=[plan.uid])).content.decode()
    line_page = client.get(reverse("synthesis:line", args=[plan.uid, merged.uid])).content.decode()
    for html in (plan_page, line_page):
        assert f">{UNDO}</button>" in html
        assert "Hủy sáp nhập" not in html and ">Hoàn tác</button>" not in html

    operation = SynthesisOperation.objects.get()
    response = client.post(reverse("synthesis:undo", args=[plan.uid, operation.pk]), follow=True)

    assert f"Đã hoàn tác gộp dòng: các dòng đã gộp thành dòng {merged.number}" in (
        response.content.decode()
    )
    change = StatusChange.objects.get(plan_uid=plan.uid, action="undo_merge")
    assert change.comment.startswith(f"{UNDO}: bỏ dòng {merged.number} (Đường liên thôn)")
    assert change.comment.endswith("các dòng 1, 2 trở lại như trước.")
    history = client.get(reverse("synthesis:history", args=[plan.uid])).content.decode()
    assert change.comment in history
    assert StatusChange.objects.filter(action__startswith="undo").count() == 1


# --- the envelope panel of a village plan ---------------------------------------------------


def test_the_envelope_panel_heading_is_inside_its_toggle(db: Any, client: Client) -> None:
    commune = hai_lang()
    (village,) = f.villages(commune, ["Thôn Diên Sanh"])
    village_plan = f.submitted_plan(village, [f.money_line("600", "100")], status="draft")
    round_ = village_plan.round
    planner = f.planner(commune)
    f.envelope_line(round_, f.ntp(), "800", sector_=f.transport())
    envelope_publish(actor=planner, round_=round_)
    client.force_login(planner)
    html = client.get(reverse("plans:plan", args=[village_plan.uid])).content.decode()
    summary = re.search(r"<summary>(.*?)</summary>", html[html.index('id="envelope-panel"') :])
    assert summary is not None
    assert summary.group(1).startswith('<h2 id="envelope-panel-title" class="inline">')
    assert "Nguồn lực xã dự kiến cho năm 2027: 800,0 triệu đồng" in summary.group(1)
