"""Submitting a village plan is confirmed on a page of its own that says what it locks, and the
plan page offers a step only when the service would take it (``can_*``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import StatusChange
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import VillageFactory
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import VillagePlan
from kehoach.plans.services.lines import proposal_line_create
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.services.workflow import (
    can_accept_meeting,
    can_return,
    can_revise,
    can_submit,
    plan_accept_meeting,
    plan_offers,
    plan_return,
    plan_submit,
)
from kehoach.plans.tests import factories as f

from .test_workflow import MEETING

pytestmark = pytest.mark.django_db

IRREVERSIBLE = (
    "Sau khi gửi, thôn không sửa được đề xuất, biên bản họp thôn, thông tin cơ bản và kết quả "
    "phân tích của kế hoạch này nữa."
)


@pytest.fixture
def plan() -> VillagePlan:
    return f.village_plan()


@pytest.fixture
def editor(plan: VillagePlan) -> Any:
    return user_with_role(Role.VILLAGE_EDITOR, plan.village, username="thon.confirm")


@pytest.fixture
def planner(plan: VillagePlan) -> Any:
    return commune_planner(plan.village.parent)


def _ready(plan: VillagePlan, actor: Any, **meeting: Any) -> VillagePlan:
    proposal_line_create(actor=actor, plan=plan, data=f.line_data())
    meeting_save(actor=actor, plan=plan, data={**MEETING, **meeting})
    plan.refresh_from_db()
    return plan


def _status(plan: VillagePlan) -> str:
    plan.refresh_from_db()
    return plan.status


def _url(plan: VillagePlan, action: str = "submit") -> str:
    return reverse("plans:transition", args=[plan.uid, action])


# --- the confirmation page ------------------------------------------------------------------


def test_the_submit_link_opens_a_page_that_says_what_it_locks(
    client: Client, plan: VillagePlan, editor: Any
) -> None:
    _ready(plan, editor)
    client.force_login(editor)
    page = client.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert f'href="{_url(plan)}" id="action-submit">Gửi lên xã</a>' in page

    response = client.get(_url(plan))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Gửi kế hoạch lên xã?" in text
    assert IRREVERSIBLE in text
    assert (
        "Kế hoạch năm 2027 của Thôn Diên Sanh có 1 đề xuất, tổng kinh phí 100,0 triệu đồng, "
        "trong đó dân đóng góp 30,0 triệu đồng và đề nghị hỗ trợ 70,0 triệu đồng."
    ) in text
    assert 'name="confirm" value="1"' in text and "Xác nhận gửi lên xã" in text
    assert _status(plan) == PlanStatus.DRAFT
    assert not StatusChange.objects.filter(plan_uid=plan.uid).exists()


def test_a_post_without_the_confirmation_shows_the_page_and_changes_nothing(
    client: Client, plan: VillagePlan, editor: Any
) -> None:
    _ready(plan, editor)
    client.force_login(editor)
    for data in ({}, {"confirm": ""}, {"confirm": "yes"}):
        response = client.post(_url(plan), data)
        assert response.status_code == 200
        assert IRREVERSIBLE in response.content.decode()
    assert _status(plan) == PlanStatus.DRAFT
    assert not StatusChange.objects.filter(plan_uid=plan.uid).exists()


def test_the_post_with_the_confirmation_submits(
    client: Client, plan: VillagePlan, editor: Any
) -> None:
    _ready(plan, editor)
    client.force_login(editor)

    response = client.post(_url(plan), {"confirm": "1"}, follow=True)

    assert _status(plan) == PlanStatus.SUBMITTED
    assert "Kế hoạch đã chuyển sang trạng thái “Đã gửi lên xã”." in response.content.decode()
    assert StatusChange.objects.get(plan_uid=plan.uid).action == "submit"


def test_a_plan_not_ready_shows_why_instead_of_the_confirm_button(
    client: Client, plan: VillagePlan, editor: Any
) -> None:
    proposal_line_create(actor=editor, plan=plan, data=f.line_data())  # no meeting yet
    client.force_login(editor)
    text = client.get(_url(plan)).content.decode()
    assert 'id="confirm-refused"' in text and "Chưa thể gửi kế hoạch" in text
    assert 'name="confirm"' not in text
    client.post(_url(plan), {"confirm": "1"})
    assert _status(plan) == PlanStatus.DRAFT


def test_a_submitted_plan_has_no_confirm_button_any_more(
    client: Client, plan: VillagePlan, editor: Any
) -> None:
    plan_submit(actor=editor, plan=_ready(plan, editor))
    client.force_login(editor)
    text = client.get(_url(plan)).content.decode()
    assert "Không thể thực hiện thao tác này lúc này" in text
    assert 'name="confirm"' not in text


def test_who_may_not_submit_gets_404_for_the_page_too(client: Client, plan: VillagePlan) -> None:
    _ready(plan, commune_planner(plan.village.parent))
    other = VillageFactory.create(parent=plan.village.parent, name="Thôn Mỹ Chánh")
    approver = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent, username="ld.confirm")
    for user in (user_with_role(Role.VILLAGE_EDITOR, other, username="thon.khac"), approver):
        client.force_login(user)
        assert client.get(_url(plan)).status_code == 404
        assert client.post(_url(plan), {"confirm": "1"}).status_code == 404
    assert _status(plan) == PlanStatus.DRAFT


def test_steps_without_confirmation_still_need_a_post(
    client: Client, plan: VillagePlan, planner: Any
) -> None:
    plan_submit(actor=planner, plan=_ready(plan, planner))
    client.force_login(planner)
    assert client.get(_url(plan, "return")).status_code == 405
    assert _status(plan) == PlanStatus.SUBMITTED
    client.post(_url(plan, "return"), {"comment": "Bổ sung bản vẽ"})
    assert _status(plan) == PlanStatus.RETURNED


# --- can_* and what the page offers ---------------------------------------------------------


def test_can_submit_says_yes_only_when_the_service_would(
    plan: VillagePlan, editor: Any, planner: Any
) -> None:
    proposal_line_create(actor=editor, plan=plan, data=f.line_data())
    refused = can_submit(editor, plan)
    assert refused is not None and refused.code == "plan_not_ready" and not refused.hidden
    with pytest.raises(ApplicationError) as caught:
        plan_submit(actor=editor, plan=plan)
    assert caught.value.message == refused.message  # the same reason, word for word
    meeting_save(actor=editor, plan=plan, data=MEETING)
    assert can_submit(editor, plan) is None
    approver = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent, username="ld.can")
    forbidden = can_submit(approver, plan)
    assert forbidden is not None and forbidden.hidden
    with pytest.raises(NotFoundError):
        plan_submit(actor=approver, plan=plan)
    plan = plan_submit(actor=editor, plan=plan)
    state = can_submit(editor, plan)
    assert state is not None and state.code == "transition_invalid" and state.hidden


def test_return_and_revise_follow_the_state(plan: VillagePlan, planner: Any) -> None:
    _ready(plan, planner)
    assert can_return(planner, plan) is not None and can_revise(planner, plan) is not None
    plan = plan_submit(actor=planner, plan=plan)
    assert can_return(planner, plan) is None
    assert can_revise(planner, plan) is not None
    plan = plan_return(actor=planner, plan=plan, comment="Thiếu bản vẽ")
    assert can_return(planner, plan) is not None
    assert can_revise(planner, plan) is None


def test_the_page_offers_each_step_of_the_state_and_nothing_else(
    client: Client, plan: VillagePlan, editor: Any, planner: Any
) -> None:
    def actions(user: Any) -> list[tuple[str, bool]]:
        plan.refresh_from_db()
        return [(o.action, o.reason is None) for o in plan_offers(user, plan)]

    assert actions(editor) == [("submit", False)]  # nothing to submit yet: the reason shows
    _ready(plan, editor)
    assert actions(editor) == [("submit", True)]
    assert actions(planner) == [("submit", True)]
    plan_submit(actor=editor, plan=plan)
    assert actions(editor) == []
    assert actions(planner) == [("return", True)]
    client.force_login(editor)
    page = client.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert 'id="action-submit"' not in page and "Trả lại để chỉnh sửa" not in page
    client.force_login(planner)
    page = client.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert "Trả lại để chỉnh sửa" in page and 'id="action-submit"' not in page


def test_accepting_the_meeting_is_offered_only_while_it_may_be_done(
    client: Client, plan: VillagePlan, planner: Any
) -> None:
    approver = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent, username="ld.meeting")
    refused = can_accept_meeting(approver, plan)
    assert refused is not None and refused.code == "meeting_missing"
    _ready(plan, planner, households_represented=40)  # no quorum
    assert can_accept_meeting(approver, plan) is None
    forbidden = can_accept_meeting(planner, plan)
    assert forbidden is not None and forbidden.hidden
    client.force_login(approver)
    page = client.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert "Chấp nhận cuộc họp dù chưa đủ điều kiện" in page
    plan_accept_meeting(actor=approver, plan=plan, reason="Mưa bão, họp lại không kịp")
    plan = plan_submit(actor=planner, plan=plan)
    locked = can_accept_meeting(approver, plan)
    assert locked is not None and locked.code == "plan_locked"
    with pytest.raises(ApplicationError) as caught:
        plan_accept_meeting(actor=approver, plan=plan, reason="Lần nữa")
    assert caught.value.message == locked.message
    page = client.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert "Chấp nhận cuộc họp dù chưa đủ điều kiện" not in page
