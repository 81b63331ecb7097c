"""The pure validators of supervision (board, member, visit) and evaluation (work, year,
targets achieved): each rule with a case it refuses and one it lets through, no query once the
context is built; and the batch writer of works' evaluations (all or nothing, one audit row per
change, the one-work save a one-change call to it)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kehoach.approvals.models import AuditEntry
from kehoach.catalog.models import Indicator
from kehoach.core.errors import ApplicationError, ApplicationErrors
from kehoach.synthesis.models import TargetValue

from ..models import BoardMember, LineEvaluation, ProgressReport
from ..services.evaluation import (
    LineEvaluationChange,
    WorkRow,
    line_evaluation_save,
    line_evaluations_apply,
)
from ..services.progress import progress_report_create
from ..validators.board_people import (
    LifeContext,
    MemberContext,
    VisitContext,
    validate_member,
    validate_visit,
)
from ..validators.evaluation import (
    validate_line_evaluation,
    validate_plan_evaluation,
    validate_target_achievements,
)
from ..validators.supervision import (
    BoardContext,
    DissolutionContext,
    validate_board,
    validate_dissolution,
)
from .factories import followed_plan, report_data

pytestmark = pytest.mark.django_db
D = Decimal
day = datetime.date
TODAY = day(2026, 12, 5)
BOARD = {"established_on": day(2026, 11, 10), "decision_ref": "15/QĐ-BTTMTTQ", "notes": ""}
VISITED = day(2026, 11, 25)
VISIT: dict[str, Any] = {"visited_on": VISITED, "items_checked": "Vật liệu", "findings": "Đạt"}


def codes(problems: list[Any]) -> set[tuple[str, str | None]]:
    return {(p.code, p.where.field) for p in problems}


@pytest.fixture
def world() -> dict[str, Any]:
    return followed_plan()


# --- supervision -------------------------------------------------------------------------------


def test_a_board_with_its_date_and_decision_is_valid_and_needs_no_query(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(0):
        assert validate_board(BoardContext(TODAY), BOARD) == []


def test_a_board_needs_its_decision_a_past_date_and_no_visit_before_it() -> None:
    problems = validate_board(
        BoardContext(TODAY), {**BOARD, "established_on": day(2026, 12, 6), "decision_ref": " "}
    )
    assert codes(problems) == {
        ("date_future", "established_on"),
        ("required", "decision_ref"),
    }
    later = validate_board(BoardContext(TODAY, first_visit=day(2026, 11, 1)), BOARD)
    assert codes(later) == {("after_first_visit", "established_on")}


def test_a_board_is_dissolved_within_its_life() -> None:
    context = DissolutionContext(day(2026, 11, 10), day(2026, 11, 25), TODAY)
    assert validate_dissolution(context, day(2026, 11, 30)) == []
    assert codes(validate_dissolution(context, day(2026, 11, 20))) == {
        ("before_last_visit", "dissolved_on")
    }
    assert codes(validate_dissolution(context, day(2026, 11, 1))) == {
        ("before_established", "dissolved_on")
    }


def _member(name: str, role: str = "member", left_on: datetime.date | None = None) -> BoardMember:
    return BoardMember(full_name=name, role=role, organisation="front", left_on=left_on)


def test_a_member_is_checked_against_the_board_without_a_query(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    commune, (village, _other) = world["commune"], world["villages"]
    head = _member("Lê Văn Hùng", "head")
    head.pk = 1
    context = MemberContext(commune, [head], adding=True)
    resident = {
        "full_name": "Trần Văn Nam",
        "role": "member",
        "organisation": "resident",
        "village": village,
        "no_conflict": True,
    }
    with django_assert_num_queries(0):
        assert validate_member(context, resident) == []
        refused = validate_member(
            context, {**resident, "role": "head", "village": None, "no_conflict": False}
        )
    assert codes(refused) == {
        ("one_head", "role"),
        ("village_required", "village"),
        ("conflict_of_interest", "no_conflict"),
    }
    # the head changing their own row is not a second head; a change asks no confirmation
    editing = MemberContext(commune, [head], editing=head)
    assert validate_member(editing, {**resident, "full_name": "Lê Văn Hùng", "role": "head"}) == []


def test_a_member_lives_in_a_village_of_the_commune(world: dict[str, Any]) -> None:
    elsewhere = world["commune"]  # a commune, not one of its villages
    context = MemberContext(world["commune"], [])
    data = {"full_name": "A", "role": "member", "organisation": "resident"}
    assert codes(validate_member(context, {**data, "village": elsewhere})) == {
        ("village_elsewhere", "village")
    }
    assert validate_member(context, {**data, "village": world["villages"][1]}) == []
    assert codes(validate_member(context, {**data, "village": 999999})) == {("invalid", "village")}


def test_a_visit_needs_enough_members_serving_on_its_date(
    django_assert_num_queries: Any,
) -> None:
    life = LifeContext(day(2026, 11, 10), None, TODAY)
    five = [_member(f"Người {n}") for n in range(5)]
    gone = [*five[:4], _member("Người 5", left_on=day(2026, 11, 20))]
    with django_assert_num_queries(0):
        assert validate_visit(VisitContext(life, five, 5), VISIT) == []
        small = validate_visit(VisitContext(life, gone, 5), VISIT)
    assert codes(small) == {("board_too_small", "visited_on")}
    # an unchanged date is not checked again (the board was large enough then)
    same = VisitContext(life, gone, 5, visited_on=VISITED)
    assert validate_visit(same, VISIT) == []


def test_a_visit_is_within_the_boards_life_and_says_what_was_found() -> None:
    life = LifeContext(day(2026, 11, 10), day(2026, 11, 20), TODAY)
    members = [_member(f"Người {n}") for n in range(5)]
    problems = validate_visit(VisitContext(life, members, 5), {**VISIT, "findings": ""})
    assert codes(problems) == {("after_dissolution", "visited_on"), ("required", "findings")}


# --- evaluation --------------------------------------------------------------------------------


def _row(world: dict[str, Any], line: str, **report: Any) -> WorkRow:
    work = world[line]
    work.unit  # noqa: B018 - loaded with the context
    latest = ProgressReport(line=work, **report_data(**report)) if report else None
    return WorkRow(line=work, report=latest, evaluation=None)


def test_a_work_not_completed_needs_the_reason_without_a_query(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    row = _row(world, "school", quantity_done=D("0.6"))
    with django_assert_num_queries(0):
        refused = validate_line_evaluation(row, {"beneficiary_opinion": "satisfied"})
        accepted = validate_line_evaluation(row, {"deviation_reason": "Mưa kéo dài"})
    assert codes(refused) == {("reason_required", "deviation_reason")}
    assert accepted == []


def test_a_completed_work_names_who_maintains_it_and_an_opinion_from_the_list(
    world: dict[str, Any],
) -> None:
    row = _row(world, "road", status="completed", quantity_done=D("1.5"))
    assert codes(validate_line_evaluation(row, {"beneficiary_opinion": "partly"})) == {
        ("operation_required", "operation_maintenance"),
        ("opinion_notes_required", "opinion_notes"),
    }
    assert validate_line_evaluation(row, {"operation_maintenance": "Tổ tự quản thôn"}) == []


def test_the_year_is_evaluated_with_a_past_date_and_its_results() -> None:
    assert codes(validate_plan_evaluation(TODAY, {"evaluated_on": day(2026, 12, 6)})) == {
        ("date_future", "evaluated_on"),
        ("required", "results"),
    }
    assert validate_plan_evaluation(TODAY, {"evaluated_on": TODAY, "results": "Đạt"}) == []


def test_a_value_achieved_is_a_number_that_may_not_be_negative_for_a_share(
    world: dict[str, Any],
) -> None:
    poverty = Indicator.objects.create(
        code="HO-NGHEO", name="Tỷ lệ hộ nghèo", unit="%", group="general", decimals=1
    )
    target = TargetValue.objects.create(
        plan=world["plan"], indicator=poverty, plan_current=D("3.5"), plan_next=D(3)
    )
    targets = {"HO-NGHEO": target}
    assert validate_target_achievements(targets, {"HO-NGHEO": {"achieved": "2,9"}}) == []
    assert codes(validate_target_achievements(targets, {"HO-NGHEO": {"achieved": "-1"}})) == {
        ("achieved_invalid", "HO-NGHEO__achieved")
    }
    assert codes(validate_target_achievements(targets, {"HO-NGHEO": {"notes": "chưa có"}})) == {
        ("achieved_required", "HO-NGHEO__achieved")
    }


# --- the batch writer --------------------------------------------------------------------------


def _reported(world: dict[str, Any]) -> None:
    progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(
            status="completed", quantity_done=D("1.5"), actual_finish=day(2026, 11, 28)
        ),
        disbursed={world["ntp"]: D(480)},
    )
    progress_report_create(
        actor=world["planner"],
        line=world["school"],
        data=report_data(quantity_done=D("0.6")),
        disbursed={world["budget"]: D(200)},
    )


ROAD_OK = {"operation_maintenance": "Tổ tự quản thôn Diên Sanh", "beneficiary_opinion": "satisfied"}
SCHOOL_OK = {"deviation_reason": "Mưa kéo dài tháng 10, 11"}


def _audits() -> int:
    return AuditEntry.objects.filter(subject_label="monitoring.lineevaluation").count()


def test_the_writer_saves_every_work_with_one_audit_row_each(world: dict[str, Any]) -> None:
    _reported(world)
    result = line_evaluations_apply(
        actor=world["planner"],
        target=world["plan"],
        changes=[
            LineEvaluationChange(world["road"], ROAD_OK, 0),
            LineEvaluationChange(world["school"], SCHOOL_OK, 0),
        ],
    )
    assert (result.created, result.updated) == (2, 0)
    assert LineEvaluation.objects.count() == 2
    assert _audits() == 2
    # a second pass changes one work: one update, one audit row, its version moves
    road = LineEvaluation.objects.get(line=world["road"])
    result = line_evaluations_apply(
        actor=world["planner"],
        target=world["plan"],
        changes=[
            LineEvaluationChange(world["road"], {**ROAD_OK, "lesson": "Làm sớm"}, road.version),
            LineEvaluationChange(world["school"], SCHOOL_OK, 1),
        ],
    )
    assert (result.created, result.updated) == (0, 1)
    assert _audits() == 3
    road.refresh_from_db()
    assert (road.lesson, road.version) == ("Làm sớm", 2)
    entry = AuditEntry.objects.get(
        subject_label="monitoring.lineevaluation", subject_id=str(road.pk), operation="update"
    )
    assert entry.after["lesson"] == "Làm sớm" and entry.before["lesson"] == ""


def test_one_wrong_work_saves_none_and_lists_every_problem(world: dict[str, Any]) -> None:
    _reported(world)
    before = (LineEvaluation.objects.count(), _audits())
    with pytest.raises(ApplicationErrors) as caught:
        line_evaluations_apply(
            actor=world["planner"],
            target=world["plan"],
            changes=[
                LineEvaluationChange(world["road"], ROAD_OK, 0),
                LineEvaluationChange(world["school"], {}, 0),
            ],
        )
    assert [e.code for e in caught.value.errors] == ["reason_required"]
    assert (LineEvaluation.objects.count(), _audits()) == before


def test_a_stale_version_refuses_the_whole_batch(world: dict[str, Any]) -> None:
    _reported(world)
    line_evaluation_save(actor=world["planner"], line=world["road"], data=ROAD_OK)
    with pytest.raises(ApplicationError) as caught:
        line_evaluations_apply(
            actor=world["planner"],
            target=world["plan"],
            changes=[
                LineEvaluationChange(world["school"], SCHOOL_OK, 0),
                LineEvaluationChange(world["road"], ROAD_OK, 0),  # it was created meanwhile
            ],
        )
    assert caught.value.code == "conflict"
    assert not LineEvaluation.objects.filter(line=world["school"]).exists()


def test_the_one_work_save_writes_the_same_audit_row_as_the_batch(world: dict[str, Any]) -> None:
    _reported(world)
    saved = line_evaluation_save(
        actor=world["planner"], line=world["road"], data=ROAD_OK, expected_version=0
    )
    entry = AuditEntry.objects.get(subject_label="monitoring.lineevaluation")
    assert (entry.operation, entry.subject_id, entry.actor) == (
        "create",
        str(saved.pk),
        world["planner"],
    )
    assert entry.after["operation_maintenance"] == ROAD_OK["operation_maintenance"]
    assert entry.plan_uid == world["plan"].uid
