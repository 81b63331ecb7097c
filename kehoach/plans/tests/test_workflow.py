"""Village plan transitions: each with a positive and a negative case."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils.translation import gettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry, StatusChange
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillageMeeting, VillagePlan
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


def _submit_refused(plan: Any, planner: Any) -> list[str]:
    """Submit, expect a refusal; return its lines after the heading. The plan stays a draft
    and no status change is recorded."""
    with pytest.raises(ApplicationError) as caught:
        plan_submit(actor=planner, plan=plan)
    assert caught.value.code == "plan_not_ready"
    heading, *lines = caught.value.message.splitlines()
    assert heading == gettext("The plan cannot be submitted yet:")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not StatusChange.objects.filter(plan_uid=plan.uid).exists()
    return lines


R3_TOO_MANY = (
    "%(sector)s has %(count)s priority activities; it must have between %(min)s "
    "and %(max)s. Change the priority of some lines."
)


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
    assert _submit_refused(plan, planner) == [
        gettext(R3_TOO_MANY) % {"sector": "Hạ tầng: giao thông", "count": 4, "min": 1, "max": 3}
    ]


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
    assert _submit_refused(plan, planner) == [
        gettext(R3_TOO_MANY) % {"sector": "Giáo dục – đào tạo", "count": 0, "min": 1, "max": 3}
    ]


def test_r3_one_to_three_priority_activities_per_sector_pass(plan: Any, planner: Any) -> None:
    _ready(plan, planner)
    for priority in (2, 3):
        proposal_line_create(actor=planner, plan=plan, data=f.line_data(priority=priority))
    proposal_line_create(actor=planner, plan=plan, data=f.line_data(priority=None))
    check = {c.code: c for c in plan_checks(plan)}["priority_count:HT-GT"]
    assert check.ok
    assert check.message == gettext(
        "%(sector)s: %(count)s priority activities (between %(min)s and %(max)s)."
    ) % {"sector": "Hạ tầng: giao thông", "count": 3, "min": 1, "max": 3}
    assert plan_submit(actor=planner, plan=plan).status == PlanStatus.SUBMITTED


R4_REPEATED = (
    "%(sector)s: priority %(rank)s is given to lines %(lines)s; each priority may be used "
    "only once in a sector."
)


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
    assert _submit_refused(plan, planner) == [
        gettext(R4_REPEATED) % {"sector": "Hạ tầng: giao thông", "rank": 1, "lines": "1, 2"}
    ]


def test_r4_distinct_ranks_pass_and_repeated_ranks_pass_when_the_profile_allows(
    plan: Any, planner: Any
) -> None:
    f.profile(unique_ranks_within_sector=True)
    _ready(plan, planner)
    second = proposal_line_create(actor=planner, plan=plan, data=f.line_data(priority=2))
    plan.round.profile.refresh_from_db()
    assert not [c for c in plan_checks(plan) if c.code.startswith("unique_rank")]

    # the same ranks repeated are fine under a profile that uses priority levels
    ProposalLine.objects.filter(pk=second.pk).update(priority=1)
    f.profile(unique_ranks_within_sector=False)
    plan.round.profile.refresh_from_db()
    assert all(c.ok for c in plan_checks(plan))
    assert plan_submit(actor=planner, plan=plan).status == PlanStatus.SUBMITTED


NO_QUORUM = (
    "No quorum: %(pct)s%% of households represented; more than %(min)s%% "
    "is needed (or the commune leader accepts the meeting with a reason)."
)
NOT_APPROVED = "Not approved: %(pct)s%% of participants agreed; more than %(min)s%% is needed."


def test_r9_a_meeting_under_quorum_is_refused_with_the_message(plan: Any, planner: Any) -> None:
    _ready(plan, planner, households_represented=45, participants_total=55, votes_agree=40)
    assert _submit_refused(plan, planner) == [gettext(NO_QUORUM) % {"pct": "45,0", "min": "50"}]


def test_r9_fewer_than_half_agreeing_is_refused_with_the_message(plan: Any, planner: Any) -> None:
    _ready(plan, planner, participants_total=70, votes_agree=30, votes_disagree=30)
    checks = {c.code: c for c in plan_checks(plan)}
    assert checks["quorum"].ok
    assert _submit_refused(plan, planner) == [gettext(NOT_APPROVED) % {"pct": "42,9", "min": "50"}]


def test_r9_exactly_half_agreeing_is_not_enough(plan: Any, planner: Any) -> None:
    _ready(plan, planner, participants_total=70, votes_agree=35, votes_disagree=30)
    assert _submit_refused(plan, planner) == [gettext(NOT_APPROVED) % {"pct": "50,0", "min": "50"}]


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


MISSING_MEETING_ACCEPT = (
    "Record the village meeting first. The commune can accept a recorded meeting that falls "
    "short of the quorum or the approval, not a meeting that was not recorded: the village "
    "meeting decides the community contributions."
)


def test_r11_the_leader_cannot_accept_a_meeting_that_was_not_recorded(
    plan: Any, planner: Any
) -> None:
    proposal_line_create(actor=planner, plan=plan, data=f.line_data())  # contribution 30
    leader = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent)
    with pytest.raises(ApplicationError) as caught:
        plan_accept_meeting(actor=leader, plan=plan, reason="Thôn đã họp nhưng mất biên bản")
    assert caught.value.code == "meeting_missing"
    assert caught.value.message == gettext(MISSING_MEETING_ACCEPT)
    plan.refresh_from_db()
    assert plan.quorum_override_reason == ""
    assert not AuditEntry.objects.filter(plan_uid=plan.uid, subject_label="plans.villageplan")


def test_r11_an_acceptance_never_stands_for_a_missing_meeting(plan: Any, planner: Any) -> None:
    """An acceptance recorded before this rule (or a meeting record lost since) does not let a
    plan with community contributions be submitted without its meeting."""
    proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    VillagePlan.objects.filter(pk=plan.pk).update(quorum_override_reason="Đã họp")
    plan.refresh_from_db()
    assert _submit_refused(plan, planner) == [
        gettext(
            "The village meeting has not been recorded. The commune's acceptance applies "
            "to a recorded meeting that falls short of the quorum or the approval; it does "
            "not replace the meeting, which decides the community contributions."
        )
    ]
    assert ProposalLine.objects.get(plan=plan).meeting is None


# --- every line is checked again on submit ----------------------------------------------------


def test_submit_checks_every_line_again_and_names_the_line_and_field(
    plan: Any, planner: Any
) -> None:
    _ready(plan, planner)
    ended = f.source("NTM", "CTMTQG NTM", valid_from_year=2021, valid_to_year=None)
    second = proposal_line_create(
        actor=planner, plan=plan, data=f.line_data(priority=2, proposed_source=ended)
    )
    # valid when saved; since then the programme ends with 2026 and an import broke R1 and R5
    ended.valid_to_year = 2026
    ended.save()
    ProposalLine.objects.filter(pk=second.pk).update(
        total_cost_mvnd=150, end_month=datetime.date(2028, 1, 1)
    )

    checks = {c.code: c for c in plan_checks(plan)}
    assert not checks["line:2:proposed_source"].ok
    refused = _submit_refused(plan, planner)

    assert refused == [
        "Dòng 2, Kết thúc: 01/2028 nằm ngoài năm kế hoạch 2027.",
        "Dòng 2, Tổng kinh phí: tổng kinh phí (150) phải bằng dân đóng góp (30) cộng hỗ trợ "
        "từ bên ngoài đề nghị (70), tức là 100 triệu đồng.",
        "Dòng 2, Nguồn vốn đề xuất: nguồn vốn “NTM” không còn áp dụng trong năm 2027; "
        "hãy chọn nguồn khác.",
    ]


def test_submit_refuses_a_line_whose_sector_or_unit_left_the_catalogue(
    plan: Any, planner: Any
) -> None:
    _ready(plan, planner)
    retired = f.unit("cai", "cái")
    line = ProposalLine.objects.get(plan=plan)
    ProposalLine.objects.filter(pk=line.pk).update(unit=retired, priority=7)
    retired.is_active = False
    retired.save()
    refused = _submit_refused(plan, planner)
    assert "Dòng 1, Đơn vị tính: hãy chọn đơn vị tính trong danh sách." in refused
    assert (
        "Dòng 1, Thứ tự ưu tiên: 7: phải là 1, 2 hoặc 3 (để trống nếu hoạt động không phải "
        "là ưu tiên)."
    ) in refused


def test_return_needs_a_comment_and_revise_reopens(plan: Any, planner: Any) -> None:
    _ready(plan, planner)
    plan_submit(actor=planner, plan=plan)
    leader = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent)

    with pytest.raises(ApplicationError) as caught:
        plan_return(actor=leader, plan=plan, comment="")
    assert caught.value.code == "comment_required"

    plan = plan_return(
        actor=leader, plan=plan, comment="Bổ sung số hộ hưởng lợi\n  Sửa  tháng kết thúc  "
    )
    assert plan.status == PlanStatus.RETURNED
    returned = StatusChange.objects.get(plan_uid=plan.uid, to_state="returned")
    assert returned.comment == "Bổ sung số hộ hưởng lợi\nSửa tháng kết thúc"  # lines kept
    with pytest.raises(ApplicationError):  # a returned plan is not edited before reopening
        proposal_line_create(actor=planner, plan=plan, data=f.line_data())

    plan = plan_revise(actor=planner, plan=plan)
    assert plan.status == PlanStatus.DRAFT
    assert [c.to_state for c in StatusChange.objects.order_by("at", "id")] == [
        "submitted",
        "returned",
        "draft",
    ]


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
