"""Irreversible steps of the commune plan are confirmed on a page of their own (submit for
approval, approve with the resolution, publish), and every page offers a step only when the
same check the service makes says yes (``can_*``): the approval tab, the village plan page
after publication, the envelope page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kehoach.approvals.models import Notification, StatusChange, Version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.plans.choices import PlanStatus
from kehoach.plans.services.workflow import can_return as can_return_village
from kehoach.plans.services.workflow import plan_offers as village_offers

from ..choices import CommunePlanStatus
from ..models import CommunePlan
from ..permissions import (
    can_amend,
    can_approve,
    can_edit_line,
    can_return,
    can_submit,
    plan_offers,
)
from ..permissions import can_publish as can_publish_plan
from ..permissions import can_publish_envelope as can_publish
from ..services.common import envelope_for
from ..services.envelope import envelope_line_delete
from ..services.workflow import commune_plan_approve, commune_plan_transition
from . import factories as f
from .test_workflow import PDF, RESOLUTION, _world

FORM = {
    "resolution_number": "25/NQ-HĐND",
    "resolution_date": "01/12/2026",
    "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
}


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return _world()


def _status(plan: CommunePlan) -> str:
    plan.refresh_from_db()
    return plan.status


def _submitted(world: dict[str, Any]) -> CommunePlan:
    return commune_plan_transition(actor=world["planner"], plan=world["plan"], action="submit")


def _approved(world: dict[str, Any]) -> CommunePlan:
    _submitted(world)
    return commune_plan_approve(actor=world["approver"], plan=world["plan"], data=RESOLUTION)


def _published(world: dict[str, Any]) -> CommunePlan:
    _approved(world)
    return commune_plan_transition(actor=world["planner"], plan=world["plan"], action="publish")


def _page(client: Client, user: Any, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _approval(plan: CommunePlan) -> str:
    return reverse("synthesis:approval", args=[plan.uid])


def _do(plan: CommunePlan, action: str) -> str:
    return reverse("synthesis:transition", args=[plan.uid, action])


# --- submit for approval ----------------------------------------------------------------------

SUBMIT_LOCKS = "Sau khi trình, kế hoạch xã bị khóa"


def test_submit_is_a_link_to_a_page_that_says_what_becomes_irreversible(
    world: dict[str, Any], client: Client
) -> None:
    plan = world["plan"]
    page = _page(client, world["planner"], _approval(plan))
    assert f'<a class="btn" href="{_do(plan, "submit")}" id="action-submit">' in page
    assert f'action="{_do(plan, "submit")}"' not in page  # no one-click form any more

    text = _page(client, world["planner"], _do(plan, "submit"))

    assert "Trình kế hoạch xã để phê duyệt?" in text
    assert SUBMIT_LOCKS in text
    assert "Kế hoạch xã năm 2027 của Xã Hải Lăng có 2 dòng (1.500,0 triệu đồng)" in text
    assert "Xác nhận trình phê duyệt" in text and 'name="confirm" value="1"' in text
    assert _status(plan) == CommunePlanStatus.DRAFT


def test_a_submit_without_the_confirmation_shows_the_page_and_does_nothing(
    world: dict[str, Any], client: Client
) -> None:
    plan = world["plan"]
    client.force_login(world["planner"])
    response = client.post(_do(plan, "submit"))
    assert response.status_code == 200 and SUBMIT_LOCKS in response.content.decode()
    assert _status(plan) == CommunePlanStatus.DRAFT
    assert not StatusChange.objects.filter(plan_uid=plan.uid, action="submit").exists()
    assert not Notification.objects.exists()

    response = client.post(_do(plan, "submit"), {"confirm": "1"}, follow=True)

    assert _status(plan) == CommunePlanStatus.SUBMITTED
    assert "Kế hoạch xã chuyển sang trạng thái “Đã trình phê duyệt”." in response.content.decode()


def test_the_confirmation_page_of_a_refused_submit_says_why_without_a_button(
    world: dict[str, Any], client: Client
) -> None:
    plan = world["plan"]
    line = plan.lines.active().order_by("number").first()
    assert line is not None
    type(line).objects.filter(pk=line.pk).update(decision_reason="")
    text = _page(client, world["planner"], _do(plan, "submit"))
    assert 'id="confirm-refused"' in text and "Chưa trình được kế hoạch" in text
    assert 'name="confirm"' not in text
    page = _page(client, world["planner"], _approval(plan))
    assert 'id="action-submit"' not in page and 'id="blocked-submit"' in page


def test_who_may_not_submit_gets_404_for_the_confirmation_page(
    world: dict[str, Any], client: Client
) -> None:
    plan = world["plan"]
    client.force_login(world["approver"])
    assert client.get(_do(plan, "submit")).status_code == 404
    assert client.post(_do(plan, "submit"), {"confirm": "1"}).status_code == 404
    assert _status(plan) == CommunePlanStatus.DRAFT


# --- approve --------------------------------------------------------------------------------

APPROVE_LOCKS = "Phê duyệt sẽ lưu vĩnh viễn phiên bản 1 cùng nghị quyết"


def test_approve_opens_its_page_with_the_resolution_form_and_the_warning(
    world: dict[str, Any], client: Client
) -> None:
    plan = _submitted(world)
    page = _page(client, world["approver"], _approval(plan))
    approve = reverse("synthesis:approve", args=[plan.uid])
    assert f'href="{approve}" id="action-approve">Phê duyệt (nghị quyết HĐND xã)</a>' in page
    assert 'enctype="multipart/form-data"' not in page  # the form is on its own page

    text = _page(client, world["approver"], approve)

    assert "Phê duyệt phiên bản 1 của kế hoạch xã?" in text and APPROVE_LOCKS in text
    assert 'name="resolution_number"' in text
    assert re.search(r'<input type="checkbox" name="confirm"[^>]* required', text)
    # the old address of the step sends to this page
    client.force_login(world["approver"])
    assert client.get(_do(plan, "approve"))["Location"] == approve


def test_an_approval_without_the_tick_shows_the_page_keeps_the_values_and_does_nothing(
    world: dict[str, Any], client: Client
) -> None:
    plan = _submitted(world)
    client.force_login(world["approver"])
    scan = SimpleUploadedFile("nq.pdf", PDF, content_type="application/pdf")

    response = client.post(reverse("synthesis:approve", args=[plan.uid]), {**FORM, "scan": scan})

    assert response.status_code == 400
    text = response.content.decode()
    assert "Hãy đánh dấu ô này để xác nhận phê duyệt." in text
    assert "Hãy chọn lại tệp bản chụp nghị quyết." in text
    assert 'value="25/NQ-HĐND"' in text and APPROVE_LOCKS in text
    assert _status(plan) == CommunePlanStatus.SUBMITTED
    assert not Version.objects.exists()
    # the approval tab's address, where the form once posted, answers the same
    response = client.post(_approval(plan), FORM)
    assert response.status_code == 400 and not Version.objects.exists()


def test_an_approval_with_the_tick_approves(world: dict[str, Any], client: Client) -> None:
    plan = _submitted(world)
    client.force_login(world["approver"])
    response = client.post(
        reverse("synthesis:approve", args=[plan.uid]), {**FORM, "confirm": "on"}, follow=True
    )
    assert "Kế hoạch xã đã được phê duyệt." in response.content.decode()
    assert _status(plan) == CommunePlanStatus.APPROVED
    assert Version.objects.get(plan_uid=plan.uid).resolution_number == "25/NQ-HĐND"


def test_the_approval_form_is_refused_to_whoever_may_not_approve(
    world: dict[str, Any], client: Client
) -> None:
    plan = world["plan"]
    approve = reverse("synthesis:approve", args=[plan.uid])
    client.force_login(world["planner"])
    assert client.get(approve).status_code == 404
    assert client.post(approve, {**FORM, "confirm": "on"}).status_code == 404
    # the approver, before the plan is submitted: the page says why, with no form
    text = _page(client, world["approver"], approve)
    assert 'id="confirm-refused"' in text and 'name="resolution_number"' not in text
    client.post(approve, {**FORM, "confirm": "on"})
    assert _status(plan) == CommunePlanStatus.DRAFT and not Version.objects.exists()


def _described_ids_exist(html: str) -> None:
    """Every ``aria-describedby`` of the page names an element the page has."""
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described, "the form has help texts"
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    for value in described:
        for target in value.split():
            assert target in ids, target


def test_every_described_field_of_the_approval_form_points_at_a_real_id(
    world: dict[str, Any], client: Client
) -> None:
    plan = _submitted(world)
    text = _page(client, world["approver"], reverse("synthesis:approve", args=[plan.uid]))
    assert 'aria-describedby="id_resolution_number_helptext"' in text
    _described_ids_exist(text)


# --- publish --------------------------------------------------------------------------------

PUBLISH_LOCKS = (
    "Sau khi công bố, mỗi thôn (tất cả 2 thôn) sẽ nhận thông báo kết quả (F13) và kế hoạch hiện "
    "trên cổng công khai; không thể rút lại, chỉ có thể điều chỉnh bằng một phiên bản mới."
)


def test_publish_is_confirmed_on_a_page_that_says_it_cannot_be_withdrawn(
    world: dict[str, Any], client: Client
) -> None:
    plan = _approved(world)
    page = _page(client, world["planner"], _approval(plan))
    assert f'href="{_do(plan, "publish")}" id="action-publish">' in page

    text = _page(client, world["planner"], _do(plan, "publish"))

    assert "Công bố kế hoạch xã?" in text and PUBLISH_LOCKS in text
    assert "Phiên bản 1, được phê duyệt theo nghị quyết 25/NQ-HĐND ngày 01/12/2026." in text
    client.force_login(world["planner"])
    assert client.post(_do(plan, "publish"), {"confirm": "0"}).status_code == 200
    assert _status(plan) == CommunePlanStatus.APPROVED
    assert Version.objects.get(plan_uid=plan.uid).published_at is None
    client.post(_do(plan, "publish"), {"confirm": "1"})
    assert _status(plan) == CommunePlanStatus.PUBLISHED
    assert Version.objects.get(plan_uid=plan.uid).published_at is not None


# --- what the approval tab offers, state by state -----------------------------------------


def _offered(world: dict[str, Any], user: str) -> list[tuple[str, bool]]:
    plan = world["plan"]
    plan.refresh_from_db()
    return [(o.action, o.reason is None) for o in plan_offers(world[user], plan)]


def test_the_approval_tab_offers_exactly_what_each_state_allows(world: dict[str, Any]) -> None:
    assert _offered(world, "planner") == [("submit", True)]
    assert _offered(world, "approver") == []
    _submitted(world)
    assert _offered(world, "planner") == []
    assert _offered(world, "approver") == [("return", True), ("approve", True)]
    commune_plan_approve(actor=world["approver"], plan=world["plan"], data=RESOLUTION)
    assert _offered(world, "planner") == [("publish", True), ("amend", True)]
    assert _offered(world, "approver") == [("publish", True)]
    commune_plan_transition(actor=world["planner"], plan=world["plan"], action="publish")
    assert _offered(world, "planner") == [("start", True), ("amend", True)]
    assert _offered(world, "approver") == []


def test_can_functions_agree_with_the_services(world: dict[str, Any]) -> None:
    plan, planner, approver = world["plan"], world["planner"], world["approver"]
    assert can_submit(planner, plan) is None
    forbidden = can_submit(approver, plan)
    assert forbidden is not None and forbidden.hidden
    with pytest.raises(NotFoundError):
        commune_plan_transition(actor=approver, plan=plan, action="submit")
    wrong_state = can_approve(approver, plan)
    assert wrong_state is not None and wrong_state.code == "transition_invalid"
    with pytest.raises(ApplicationError) as caught:
        commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    assert caught.value.message == wrong_state.message
    plan = _submitted(world)
    assert can_approve(approver, plan) is None and can_return(approver, plan) is None
    assert can_publish_plan(planner, plan) is not None and can_amend(planner, plan) is not None
    plan = commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    assert can_publish_plan(planner, plan) is None and can_amend(planner, plan) is None
    assert can_approve(approver, plan) is not None


def test_after_publication_the_village_plan_offers_no_return(
    world: dict[str, Any], client: Client
) -> None:
    village_plan = world["village_plan"]
    url = reverse("plans:plan", args=[village_plan.uid])
    page = _page(client, world["planner"], url)
    assert "Trả lại để chỉnh sửa" in page  # before: the commune plan is a draft
    assert can_return_village(world["planner"], village_plan) is None

    _published(world)

    village_plan.refresh_from_db()
    assert village_plan.status == PlanStatus.SUBMITTED
    refused = can_return_village(world["planner"], village_plan)
    assert refused is not None and refused.code == "commune_plan_frozen"
    offers = village_offers(world["planner"], village_plan)
    assert [(o.action, o.reason is None) for o in offers] == [("return", False)]
    page = _page(client, world["planner"], url)
    assert "Trả lại để chỉnh sửa" not in page
    assert 'id="blocked-return"' in page and "điều chỉnh kế hoạch xã" in page
    client.force_login(world["planner"])
    client.post(reverse("plans:transition", args=[village_plan.uid, "return"]), {"comment": "x"})
    village_plan.refresh_from_db()
    assert village_plan.status == PlanStatus.SUBMITTED


# --- the envelope page ----------------------------------------------------------------------


def test_the_envelope_page_offers_changes_only_while_the_plan_is_a_draft(
    world: dict[str, Any], client: Client
) -> None:
    plan, planner = world["plan"], world["planner"]
    envelope = envelope_for(plan.round)
    budget = f.envelope_line(
        plan.round, f.source("NS-KHAC", "other", name="Nguồn khác"), "20", origin="commune"
    )
    envelope_line_delete(actor=planner, line=budget)
    live = f.envelope_line(plan.round, f.source("NS-KHAC", "other"), "10", origin="commune")
    url = reverse("synthesis:envelope", args=[plan.round.uid])
    restore = reverse("synthesis:envelope_line_restore", args=[plan.round.uid, budget.uid])
    edit = reverse("synthesis:envelope_line_edit", args=[plan.round.uid, live.uid])
    page = _page(client, planner, url)
    assert restore in page and edit in page and "Công bố cho các thôn" in page
    _described_ids_exist(page)  # the add form's help texts
    assert can_publish(planner, plan) is None and can_edit_line(planner, budget, plan) is None

    _submitted(world)
    plan.refresh_from_db()

    page = _page(client, planner, url)
    assert restore not in page and edit not in page and "Công bố cho các thôn" not in page
    assert 'id="deleted-envelope-lines"' in page  # still listed, not restorable
    locked = can_edit_line(planner, budget, plan)
    assert locked is not None and locked.code == "commune_plan_locked"
    assert can_publish(planner, plan) is not None
    client.force_login(planner)
    response = client.get(edit, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Kế hoạch xã đang ở trạng thái “Đã trình phê duyệt” nên không sửa được." in (
        response.content.decode()
    )
    ntp = envelope.lines.get(source__code="NTP26")
    officer_only = can_edit_line(planner, ntp, plan)
    assert officer_only is not None and officer_only.hidden  # the province's line


def test_the_synthesis_tabs_offer_changes_only_while_the_plan_is_a_draft(
    world: dict[str, Any], client: Client
) -> None:
    plan, planner = world["plan"], world["planner"]
    line = plan.lines.active().order_by("number").first()
    assert line is not None
    operation = reverse("synthesis:undo", args=[plan.uid, 1]).rsplit("/", 2)[0]
    offered = {
        reverse("synthesis:plan", args=[plan.uid]): (
            "Tổng hợp lại từ kế hoạch thôn",
            'id="merge-box"',
            operation,
        ),
        reverse("synthesis:allocation", args=[plan.uid]): ("Chạy phân bổ vốn lại",),
        reverse("synthesis:targets", args=[plan.uid]): ("Lưu các chỉ tiêu",),
        reverse("synthesis:line", args=[plan.uid, line.uid]): (
            reverse("synthesis:line_decide", args=[plan.uid, line.uid]),
        ),
    }
    for url, marks in offered.items():
        page = _page(client, planner, url)
        for mark in marks:
            assert mark in page, (url, mark)

    _submitted(world)

    for url, marks in offered.items():
        page = _page(client, planner, url)
        for mark in marks:
            assert mark not in page, (url, mark)
        assert "đã khóa: không thể sửa kế hoạch ở trạng thái này" in page
