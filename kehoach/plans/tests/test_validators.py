"""The pure validators of the plan's other parts (issue 14): each rule found without a query
once the context is built, with the message the user gets; and the batch writers, all or
nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.plans.models import Attendee, RankingItem, VillageMeeting, VillagePlan
from kehoach.plans.services.attendance import (
    AttendeeChange,
    AttendeeChanges,
    attendees_apply,
    validate_attendance,
    validate_attendee,
)
from kehoach.plans.services.findings import (
    ProblemContext,
    RankingChanges,
    RankingContext,
    RankingCriterion,
    RankingItemChange,
    ranking_item_create,
    ranking_items_apply,
    validate_problem,
    validate_ranking_item,
    validate_swot,
)
from kehoach.plans.services.info import BasicInfoContext, BasicInfoData, validate_basic_info
from kehoach.plans.services.meeting import (
    MeetingContext,
    clean_meeting,
    meeting_save,
    validate_meeting,
)
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db

CRITERIA = [
    RankingCriterion("people", "Ảnh hưởng nhiều người", Decimal(2)),
    RankingCriterion("urgency", "Cần giải quyết trước", Decimal(1)),
]
MEETING = {
    "held_on": datetime.date(2026, 7, 20),
    "chair": "Trần Văn Bình",
    "decision": "Thông qua kế hoạch thôn năm 2027",
    "households_total": 180,
    "households_represented": 120,
    "participants_total": 130,
    "participants_women": 60,
    "votes_agree": 110,
}
TODAY = datetime.date(2026, 8, 1)


@pytest.fixture(autouse=True)
def _vietnamese() -> Any:
    with translation.override("vi"):
        yield


@pytest.fixture
def plan() -> VillagePlan:
    return f.village_plan()


@pytest.fixture
def planner(plan: VillagePlan) -> Any:
    return commune_planner(plan.village.parent)


def _codes(problems: list[Any]) -> list[tuple[str, str | None]]:
    return [(p.code, p.where.field) for p in problems]


# --- F1 ---------------------------------------------------------------------------------------


def test_basic_info_consistent_values_pass_without_a_query(
    django_assert_num_queries: Any,
) -> None:
    data = BasicInfoData(
        values={"total_households": 120, "poor_households": 30, "population": "1.234"},
        ethnic_groups=[{"name": "Vân Kiều", "households": 40, "persons": 180}],
    )
    with django_assert_num_queries(0):
        assert validate_basic_info(BasicInfoContext(), data) == []


def test_basic_info_a_part_larger_than_its_whole_is_named_in_vietnamese() -> None:
    data = BasicInfoData(values={"total_households": 100, "poor_households": 150})
    problems = validate_basic_info(BasicInfoContext(), data)
    assert _codes(problems) == [("more_than_whole", "poor_households")]
    assert problems[0].message == ("Hộ nghèo (đa chiều): không được lớn hơn tổng số hộ (100).")


def test_basic_info_a_repeated_ethnic_group_is_named_by_its_row() -> None:
    data = BasicInfoData(
        values={"total_households": 100},
        ethnic_groups=[{"name": "Tày", "households": 1}, {"name": "tày", "households": 2}],
    )
    problems = validate_basic_info(BasicInfoContext(), data)
    assert [(p.code, p.where.row, p.where.column) for p in problems] == [("duplicate", 2, "name")]


# --- F8 ---------------------------------------------------------------------------------------


def test_meeting_consistent_figures_pass_without_a_query(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert validate_meeting(MeetingContext(2027, TODAY), clean_meeting(MEETING)) == []


def test_meeting_votes_beyond_the_participants_are_refused() -> None:
    values = clean_meeting({**MEETING, "votes_agree": 120, "votes_disagree": 20})
    problems = validate_meeting(MeetingContext(2027, TODAY), values)
    assert _codes(problems) == [("votes_exceed", "votes_agree")]


def test_meeting_in_the_future_of_the_context_is_refused() -> None:
    values = clean_meeting({**MEETING, "held_on": datetime.date(2026, 9, 1)})
    assert _codes(validate_meeting(MeetingContext(2027, TODAY), values)) == [
        ("in_future", "held_on")
    ]


def test_attendance_rows_are_judged_by_position_and_nameless_rows_skipped() -> None:
    rows = [
        {"full_name": "Nguyễn Thị Hoa", "sex": "female"},
        {"full_name": ""},
        {"full_name": "Lê Văn Nam", "sex": "unknown"},
    ]
    problems = validate_attendance(rows)
    assert [(p.code, p.where.row, p.where.field) for p in problems] == [
        ("invalid_choice", 3, "sex")
    ]
    assert validate_attendee({"full_name": "Lê Văn Nam", "sex": "male"}) == []


# --- findings ---------------------------------------------------------------------------------


def test_swot_needs_an_active_sector_and_some_text() -> None:
    sector = f.sector()
    assert validate_swot(None, {"sector": sector, "strengths": "Đất rộng"}) == []
    assert _codes(validate_swot(None, {"sector": sector})) == [("swot_empty", "strengths")]
    assert _codes(validate_swot(None, {"sector": None, "strengths": "x"})) == [
        ("sector_invalid", "sector")
    ]


def test_problem_priority_runs_to_the_number_of_problems(django_assert_num_queries: Any) -> None:
    data = {"sector": f.sector(), "problem": "Đường lầy lội", "priority": 3}
    with django_assert_num_queries(0):
        assert validate_problem(ProblemContext(problem_count=2), data) == []
        problems = validate_problem(ProblemContext(problem_count=2, is_new=False), data)
    assert _codes(problems) == [("priority_out_of_range", "priority")]


def test_ranking_scores_from_1_to_5_of_known_criteria(django_assert_num_queries: Any) -> None:
    context = RankingContext(CRITERIA)
    with django_assert_num_queries(0):
        assert validate_ranking_item(context, {"label": "Đường", "scores": {"people": 5}}) == []
        problems = validate_ranking_item(context, {"label": "", "scores": {"people": 6, "cost": 1}})
    assert [(p.code, p.where.column) for p in problems] == [
        ("label_required", None),
        ("score_out_of_range", "people"),
        ("unknown_criterion", "cost"),
    ]


# --- batch writers ----------------------------------------------------------------------------


def _ranking_plan(plan: VillagePlan) -> VillagePlan:
    profile = plan.round.profile
    profile.ranking_criteria = [
        {"code": c.code, "name": c.name, "weight": int(c.weight)} for c in CRITERIA
    ]
    profile.save()
    return VillagePlan.objects.select_related("round__profile", "village").get(pk=plan.pk)


def test_ranking_items_apply_writes_every_change_with_one_audit_row_each(
    plan: VillagePlan, planner: Any
) -> None:
    plan = _ranking_plan(plan)
    kept = ranking_item_create(actor=planner, plan=plan, label="Đường", scores={"people": 3})
    gone = ranking_item_create(actor=planner, plan=plan, label="Cầu")
    audits = AuditEntry.objects.count()
    result = ranking_items_apply(
        actor=planner,
        plan=plan,
        changes=RankingChanges(
            adds=[{"label": "Kênh", "scores": {"urgency": 4}}, {"label": "Nước sạch"}],
            changes=[RankingItemChange(kept, {"label": "Đường thôn", "scores": {"people": 5}})],
            removals=[gone],
        ),
    )
    assert (len(result.added), len(result.changed), result.removed) == (2, 1, 1)
    assert sorted(RankingItem.objects.filter(plan=plan).values_list("label", flat=True)) == [
        "Kênh",
        "Nước sạch",
        "Đường thôn",
    ]
    assert AuditEntry.objects.count() == audits + 4


def test_ranking_items_apply_is_all_or_nothing(plan: VillagePlan, planner: Any) -> None:
    plan = _ranking_plan(plan)
    kept = ranking_item_create(actor=planner, plan=plan, label="Đường", scores={"people": 3})
    audits = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as caught:
        ranking_items_apply(
            actor=planner,
            plan=plan,
            changes=RankingChanges(
                adds=[{"label": "Kênh"}],
                changes=[RankingItemChange(kept, {"label": "Đường", "scores": {"people": 9}})],
            ),
        )
    assert [e.code for e in caught.value.errors] == ["score_out_of_range"]  # type: ignore[attr-defined]
    assert list(RankingItem.objects.filter(plan=plan).values_list("label", "scores")) == [
        ("Đường", {"people": 3})
    ]
    assert AuditEntry.objects.count() == audits


def test_ranking_items_apply_refuses_a_row_of_another_plan(plan: VillagePlan, planner: Any) -> None:
    other = f.village_plan()
    foreign = RankingItem.objects.create(plan=other, label="Khác", scores={})
    with pytest.raises(NotFoundError):
        ranking_items_apply(actor=planner, plan=plan, changes=RankingChanges(removals=[foreign]))
    assert RankingItem.objects.filter(pk=foreign.pk).exists()


def _meeting(plan: VillagePlan, planner: Any) -> VillageMeeting:
    return meeting_save(actor=planner, plan=plan, data=dict(MEETING, held_on=TODAY))


def test_attendees_apply_adds_changes_and_removes_at_once(plan: VillagePlan, planner: Any) -> None:
    _meeting(plan, planner)
    result = attendees_apply(
        actor=planner,
        plan=plan,
        changes=AttendeeChanges(
            adds=[
                {"full_name": "Nguyễn Thị Hoa", "sex": "female"},
                {"full_name": "Lê Nam", "sex": "male"},
            ]
        ),
    )
    hoa, nam = result.added
    audits = AuditEntry.objects.count()
    attendees_apply(
        actor=planner,
        plan=plan,
        changes=AttendeeChanges(
            adds=[{"full_name": "Hồ Thị Lan", "sex": "female"}],
            changes=[AttendeeChange(hoa, {"household": "Hộ ông Tư"}, expected_version=1)],
            removals=[nam],
        ),
    )
    assert sorted(Attendee.objects.values_list("full_name", "version")) == [
        ("Hồ Thị Lan", 1),
        ("Nguyễn Thị Hoa", 2),
    ]
    assert AuditEntry.objects.count() == audits + 3


def test_attendees_apply_is_all_or_nothing(plan: VillagePlan, planner: Any) -> None:
    _meeting(plan, planner)
    (hoa,) = attendees_apply(
        actor=planner,
        plan=plan,
        changes=AttendeeChanges(adds=[{"full_name": "Nguyễn Thị Hoa", "sex": "female"}]),
    ).added
    audits = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as caught:
        attendees_apply(
            actor=planner,
            plan=plan,
            changes=AttendeeChanges(
                adds=[{"full_name": "Hồ Thị Lan", "sex": "female"}],
                changes=[AttendeeChange(hoa, {"household": "Hộ ông Tư"}, expected_version=7)],
            ),
        )
    assert caught.value.code == "conflict"
    assert list(Attendee.objects.values_list("full_name", "household")) == [("Nguyễn Thị Hoa", "")]
    assert AuditEntry.objects.count() == audits
