"""Each kind of notification opens the page where the person told acts: a submitted village
plan opens that plan for the commune, a returned one opens it for the village with the return's
comment, a commune plan submitted for approval opens its Approval tab, a publication opens each
village's feedback (F13). Notifications stored before keep their link, which still opens."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.approvals.models import Notification
from kehoach.approvals.services import comment_add, notify
from kehoach.plans.services.lines import proposal_line_create
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.services.workflow import plan_return, plan_submit
from kehoach.plans.tests import factories as pf

from ..services.funding import allocation_run
from ..services.lines import commune_plan_synthesise
from ..services.workflow import commune_plan_approve, commune_plan_transition
from . import factories as f

pytestmark = pytest.mark.django_db

MEETING = {
    "held_on": datetime.date(2026, 6, 10),
    "place": "Nhà văn hóa thôn",
    "chair": "Trần Văn Bình",
    "secretary": "Lê Thị Na",
    "households_total": 100,
    "households_represented": 62,
    "participants_total": 70,
    "participants_women": 28,
    "participants_poor": 9,
    "participants_em": 0,
    "decision": "Thông qua danh mục đề xuất năm 2027",
    "votes_agree": 60,
    "votes_disagree": 5,
    "votes_abstain": 5,
}
RESOLUTION = {
    "resolution_number": "25/NQ-HĐND",
    "resolution_date": datetime.date(2026, 12, 1),
    "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
}


@pytest.fixture
def people() -> dict[str, Any]:
    commune = f.round_of().commune
    (village,) = f.villages(commune, ["Thôn Diên Sanh"])
    plan = pf.village_plan(village)
    return {
        "plan": plan,
        "planner": f.planner(commune, username="xa.hailang"),
        "approver": f.approver(commune, username="lanhdao.hailang"),
        "editor": user_with_role(Role.VILLAGE_EDITOR, village, username="thon.diensanh"),
    }


def _open(user: Any) -> tuple[str, str]:
    """Open the user's latest notification as the list page does: where it leads, and that
    page's HTML."""
    note = Notification.objects.filter(user=user).latest("id")
    client = Client()
    client.force_login(user)
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302
    target = response["Location"]
    page = client.get(target)
    assert page.status_code == 200
    return target, page.content.decode()


def _submitted(people: dict[str, Any]) -> Any:
    plan, editor = people["plan"], people["editor"]
    proposal_line_create(actor=editor, plan=plan, data=pf.line_data(**f.money_line("600", "100")))
    meeting_save(actor=editor, plan=plan, data=MEETING)
    return plan_submit(actor=editor, plan=plan)


def _tab(html: str) -> str:
    """The name of the tab the page shows as current."""
    tabs = re.search(r'<nav class="tabs".*?</nav>', html, re.S)
    assert tabs, "no tabs"
    match = re.search(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', tabs.group(0))
    assert match, "no current tab"
    return match.group(1)


def test_a_submitted_village_plan_opens_that_plan_for_the_commune(people: dict) -> None:
    plan = _submitted(people)
    target, html = _open(people["planner"])
    assert target == f"/plans/{plan.uid}/"
    assert _tab(html) == "Đề xuất (F6)"
    assert "Trả lại để chỉnh sửa" in html  # the planner's action is on this page


def test_a_returned_village_plan_opens_the_plan_with_the_communes_comment(
    people: dict,
) -> None:
    plan = _submitted(people)
    plan_return(actor=people["planner"], plan=plan, comment="Bổ sung số hộ hưởng lợi")
    target, html = _open(people["editor"])
    assert target == f"/plans/{plan.uid}/"
    assert "Bổ sung số hộ hưởng lợi" in html  # the return's comment, on the plan itself
    assert "Mở lại để chỉnh sửa" in html


def _commune_plan(people: dict) -> Any:
    _submitted(people)
    round_ = people["plan"].round
    commune_plan_synthesise(actor=people["planner"], round_=round_)
    plan = f.commune_plan_for(round_)
    f.envelope_line(round_, f.ntp(), "900", sector_=f.transport())
    allocation_run(actor=people["planner"], plan=plan)
    return plan


def test_a_commune_plan_submitted_for_approval_opens_the_approval_tab(people: dict) -> None:
    plan = _commune_plan(people)
    commune_plan_transition(actor=people["planner"], plan=plan, action="submit")
    target, html = _open(people["approver"])
    assert target == f"/cdp/{plan.uid}/approval/"
    assert _tab(html) == "Phê duyệt"
    assert "Trả lại để chỉnh sửa" in html and "Phê duyệt (nghị quyết HĐND xã)" in html


def test_a_returned_commune_plan_opens_the_approval_tab_with_its_comments(
    people: dict,
) -> None:
    plan = _commune_plan(people)
    commune_plan_transition(actor=people["planner"], plan=plan, action="submit")
    comment_add(actor=people["approver"], plan_uid=plan.uid, body="Bổ sung bản vẽ thiết kế")
    commune_plan_transition(actor=people["approver"], plan=plan, action="return")
    target, html = _open(people["planner"])
    assert target == f"/cdp/{plan.uid}/approval/"
    assert "Bổ sung bản vẽ thiết kế" in html and "Mở lại để chỉnh sửa" in html


def test_an_approved_plan_opens_the_approval_tab_where_it_is_published(people: dict) -> None:
    plan = _commune_plan(people)
    commune_plan_transition(actor=people["planner"], plan=plan, action="submit")
    commune_plan_approve(actor=people["approver"], plan=plan, data=RESOLUTION)
    target, html = _open(people["planner"])
    assert target == f"/cdp/{plan.uid}/approval/"
    assert "Công bố và gửi phản hồi cho các thôn" in html


def test_a_publication_opens_the_approval_tab_for_the_commune_and_f13_for_the_village(
    people: dict,
) -> None:
    plan = _commune_plan(people)
    commune_plan_transition(actor=people["planner"], plan=plan, action="submit")
    commune_plan_approve(actor=people["approver"], plan=plan, data=RESOLUTION)
    commune_plan_transition(actor=people["planner"], plan=plan, action="publish")

    target, html = _open(people["approver"])
    assert target == f"/cdp/{plan.uid}/approval/" and _tab(html) == "Phê duyệt"
    target, html = _open(people["editor"])
    assert target == f"/plans/{people['plan'].uid}/feedback/"
    assert "Bê tông hóa đường thôn" in html  # the fate of the village's proposal


def test_an_amendment_opens_the_approval_tab_for_the_leader(people: dict) -> None:
    plan = _commune_plan(people)
    commune_plan_transition(actor=people["planner"], plan=plan, action="submit")
    commune_plan_approve(actor=people["approver"], plan=plan, data=RESOLUTION)
    commune_plan_transition(
        actor=people["planner"], plan=plan, action="amend", comment="Bổ sung vốn"
    )
    target, html = _open(people["approver"])
    assert target == f"/cdp/{plan.uid}/approval/" and _tab(html) == "Phê duyệt"


def test_a_notification_stored_with_the_former_link_still_opens(people: dict) -> None:
    plan = _commune_plan(people)
    notify(
        [people["approver"]],
        "Kế hoạch xã năm 2027 của Xã Hải Lăng đã được trình phê duyệt",
        f"/cdp/{plan.uid}/",
    )
    target, html = _open(people["approver"])
    assert target == f"/cdp/{plan.uid}/"
    assert _tab(html) == "Tổng hợp (F9)"
