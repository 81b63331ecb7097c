"""Village plan transitions: each with a positive and a negative case."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry, StatusChange
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillageMeeting
from kehoach.plans.services.checks import plan_checks
from kehoach.plans.services.lines import proposal_line_create
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.services.workflow import (
    plan_accept_meeting,
    plan_return,
    plan_revise,
    plan_submit,
)
from kehoach.plans.tests import factories as f

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


@pytest.fixture
def plan() -> Any:
    return f.village_plan()


@pytest.fixture
def planner(plan: Any) -> Any:
    return commune_planner(plan.village.parent)


def _ready(plan: Any, planner: Any, **meeting: Any) -> None:
    proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    meeting_save(actor=planner, plan=plan, data={**MEETING, **meeting})


def test_submit_a_ready_plan_locks_it_and_records_the_change(plan: Any, planner: Any) -> None:
    _ready(plan, planner)

    plan = plan_submit(actor=planner, plan=plan)

    assert plan.status == PlanStatus.SUBMITTED
    change = StatusChange.objects.get(plan_uid=plan.uid)
    assert (change.from_state, change.to_state, change.actor) == ("draft", "submitted", planner)
    # R11: the line with a community contribution records the meeting that decided it
    assert ProposalLine.objects.get(plan=plan).meeting == VillageMeeting.objects.get(plan=plan)
    with pytest.raises(ApplicationError) as caught:
        proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    assert caught.value.code == "plan_locked"


def test_submit_is_refused_without_a_meeting_and_lists_what_is_missing(
    plan: Any, planner: Any
) -> None:
    proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    with pytest.raises(ApplicationError) as caught:
        plan_submit(actor=planner, plan=plan)
    assert caught.value.message.splitlines() == [
        "Chưa thể gửi kế hoạch:",
        "Chưa ghi biên bản họp thôn.",
    ]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not StatusChange.objects.exists()


def test_r3_four_priority_activities_in_one_sector_block_submission(
    plan: Any, planner: Any
) -> None:
    _ready(plan, planner)
    for priority in (1, 2, 3):
        proposal_line_create(actor=planner, plan=plan, data=f.line_data(priority=priority))
    checks = {c.code: c for c in plan_checks(plan)}
    assert not checks["priority_count:HT-GT"].ok
    assert checks["priority_count:HT-GT"].message == (
        "Hạ tầng: giao thông có 4 hoạt động ưu tiên; mỗi lĩnh vực phải có từ 1 đến 3. "
        "Hãy đổi thứ tự ưu tiên của một số hoạt động."
    )
    with pytest.raises(ApplicationError):
        plan_submit(actor=planner, plan=plan)
    assert plan.status == PlanStatus.DRAFT


def test_r3_a_sector_without_priority_activity_fails(plan: Any, planner: Any) -> None:
    _ready(plan, planner)
    proposal_line_create(
        actor=planner,
        plan=plan,
        data=f.line_data(sector=f.sector("GD", "Giáo dục – đào tạo", 90), priority=None),
    )
    checks = {c.code: c for c in plan_checks(plan)}
    assert not checks["priority_count:GD"].ok
    assert checks["priority_count:HT-GT"].ok


def test_r4_unique_ranks_when_the_profile_asks(plan: Any, planner: Any) -> None:
    f.profile(unique_ranks_within_sector=True)
    plan.round.profile.refresh_from_db()
    _ready(plan, planner)
    proposal_line_create(actor=planner, plan=plan, data=f.line_data(priority=1))
    checks = {c.code: c for c in plan_checks(plan)}
    assert checks["unique_rank:HT-GT:1"].message == (
        "Hạ tầng: giao thông: thứ tự ưu tiên 1 được gán cho các dòng 1, 2; mỗi thứ tự ưu tiên "
        "chỉ được dùng một lần trong một lĩnh vực."
    )


def test_r9_no_quorum_blocks_until_the_commune_leader_accepts(plan: Any, planner: Any) -> None:
    _ready(plan, planner, households_represented=50, participants_total=55, votes_agree=40)
    checks = {c.code: c for c in plan_checks(plan)}
    assert not checks["quorum"].ok  # 50% is not more than 50%
    with pytest.raises(ApplicationError):
        plan_submit(actor=planner, plan=plan)

    with pytest.raises(NotFoundError):  # only the commune leader may accept
        plan_accept_meeting(actor=planner, plan=plan, reason="Mưa lớn")
    leader = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent)
    with pytest.raises(ApplicationError) as caught:
        plan_accept_meeting(actor=leader, plan=plan, reason=" ")
    assert caught.value.where.field == "reason"
    plan_accept_meeting(actor=leader, plan=plan, reason="Mưa lớn, họp bổ sung ngày 20/6")

    plan.refresh_from_db()
    assert plan_submit(actor=planner, plan=plan).status == PlanStatus.SUBMITTED


def test_return_needs_a_comment_and_revise_reopens(plan: Any, planner: Any) -> None:
    _ready(plan, planner)
    plan_submit(actor=planner, plan=plan)
    leader = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent)

    with pytest.raises(ApplicationError) as caught:
        plan_return(actor=leader, plan=plan, comment="")
    assert caught.value.code == "comment_required"

    plan = plan_return(actor=leader, plan=plan, comment="Bổ sung số hộ hưởng lợi")
    assert plan.status == PlanStatus.RETURNED
    with pytest.raises(ApplicationError):  # a returned plan is not edited before reopening
        proposal_line_create(actor=planner, plan=plan, data=f.line_data())

    plan = plan_revise(actor=planner, plan=plan)
    assert plan.status == PlanStatus.DRAFT
    assert [c.to_state for c in StatusChange.objects.order_by("at", "id")] == [
        "submitted",
        "returned",
        "draft",
    ]
    assert StatusChange.objects.get(to_state="returned").comment == "Bổ sung số hộ hưởng lợi"


def test_transitions_not_allowed_from_a_state(plan: Any, planner: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        plan_revise(actor=planner, plan=plan)
    assert caught.value.code == "transition_invalid"
    leader = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent)
    with pytest.raises(ApplicationError):
        plan_return(actor=leader, plan=plan, comment="x")
    with pytest.raises(NotFoundError):  # an approver does not submit
        plan_submit(actor=leader, plan=plan)


def test_a_village_editor_cannot_submit_another_villages_plan(plan: Any) -> None:
    other_village = VillageFactory.create(parent=hai_lang(), name="Thôn Mỹ Chánh")
    editor = user_with_role(Role.VILLAGE_EDITOR, other_village)
    with pytest.raises(NotFoundError):
        plan_submit(actor=editor, plan=plan)


def test_every_data_change_is_in_the_history(plan: Any, planner: Any) -> None:
    _ready(plan, planner)
    operations = list(
        AuditEntry.objects.filter(plan_uid=plan.uid).values_list("subject_label", "operation")
    )
    assert ("plans.proposalline", "create") in operations
    assert ("plans.villagemeeting", "create") in operations


def test_submitting_links_contributions_to_the_meeting_with_history(
    plan: Any, planner: Any
) -> None:
    _ready(plan, planner)
    plan_submit(actor=planner, plan=plan)
    line = ProposalLine.objects.get(plan=plan)
    meeting = VillageMeeting.objects.get(plan=plan)
    assert line.meeting == meeting
    entry = AuditEntry.objects.filter(plan_uid=plan.uid, subject_id=str(line.pk)).latest("id")
    assert (entry.before, entry.after, entry.actor) == (
        {"meeting": None},
        {"meeting": str(meeting)},
        planner,
    )


def test_the_commune_is_told_of_a_submission_and_the_village_of_a_return(
    plan: Any, planner: Any
) -> None:
    from kehoach.approvals.models import Notification

    editor = user_with_role(Role.VILLAGE_EDITOR, plan.village)
    _ready(plan, planner)
    plan_submit(actor=editor, plan=plan)
    note = Notification.objects.get(user=planner)
    assert note.text == "Thôn Diên Sanh đã gửi kế hoạch năm 2027 lên xã"
    assert note.url == f"/plans/{plan.uid}/"
    plan_return(actor=planner, plan=plan, comment="Bổ sung số hộ hưởng lợi")
    assert Notification.objects.get(user=editor).text == (
        "Kế hoạch năm 2027 của Thôn Diên Sanh đã bị trả lại để chỉnh sửa"
    )
