"""Commune lines (issue 14): the pure validators (no query, no write) and the one writer
``commune_lines_apply`` — all or nothing, versions checked, one history row per change, a
query count that does not grow with the plan."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError
from kehoach.geo.tests.factories import hai_lang
from kehoach.plans.services.lines import line_context

from ..choices import Decision, LineState
from ..models import CommuneLine
from ..services.lines import (
    CommuneLineChange,
    commune_line_create,
    commune_line_update,
    commune_lines_apply,
    commune_plan_synthesise,
    validate_commune_line,
    validate_line_decision,
)
from ..services.scoring import ScoreChange, line_scores_apply
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world() -> dict[str, Any]:
    commune = hai_lang()
    a, b = f.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    f.submitted_plan(a, [f.money_line("600", "100", sector=f.transport(), activity="Đường")])
    f.submitted_plan(b, [f.money_line("400", "50", sector=f.education(), activity="Trường")])
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = f.commune_plan_for(round_)
    own = commune_line_create(actor=planner, plan=plan, data=_own_data())
    return {
        "plan": plan,
        "planner": planner,
        "road": plan.lines.get(activity="Đường"),
        "school": plan.lines.get(activity="Trường"),
        "own": own,
        "context": line_context(round_),
    }


def _own_data(**overrides: Any) -> dict[str, Any]:
    return {
        **f.pf.line_data(sector=f.agriculture(), activity="Mô hình sinh kế cho phụ nữ"),
        "organisation": "Hội Phụ nữ xã",
        **overrides,
    }


def _codes(problems: list[Any]) -> list[str]:
    return [p.code for p in problems]


# --- validators -----------------------------------------------------------------------------


def test_a_commune_organisations_line_is_checked_like_f6_without_a_query(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    context, own = world["context"], world["own"]
    good, wrong_sum, nobody = (
        _own_data(),
        _own_data(total_cost_mvnd=D("150")),
        _own_data(organisation=" "),
    )
    with django_assert_num_queries(0):
        assert validate_commune_line(context, 9, good) == []
        assert _codes(validate_commune_line(context, 9, wrong_sum)) == ["cost_identity"]
        found = validate_commune_line(context, 9, nobody)
        assert validate_commune_line(context, own.number, {"notes": "Ghi chú"}, own) == []
        assert validate_commune_line(context, own.number, {"organisation": ""}, own) != []
    assert [(p.code, p.message) for p in found] == [
        (
            "organisation_required",
            "Dòng 9, Đơn vị đề xuất: hãy ghi ban ngành hoặc đoàn thể xã đề xuất, ví dụ Hội "
            "Phụ nữ xã.",
        )
    ]


def test_a_line_from_villages_takes_only_its_texts(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    context, road = world["context"], world["road"]
    with django_assert_num_queries(0):
        assert validate_commune_line(context, road.number, {"location": "Xóm Giữa"}, road) == []
        # amounts of a line from villages are not the commune's to type: they are ignored
        assert validate_commune_line(context, road.number, {"total_cost_mvnd": -1}, road) == []
        empty = validate_commune_line(context, road.number, {"activity": "  "}, road)
        long = validate_commune_line(context, road.number, {"location": "x" * 301}, road)
    assert [(p.code, p.message) for p in empty] == [
        ("activity_required", f"Dòng {road.number}, Hoạt động: hãy nhập tên hoạt động.")
    ]
    assert _codes(long) == ["text_too_long"] and long[0].where.field == "location"


def test_a_decision_by_hand_needs_an_active_line_and_a_reason(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    road = world["road"]
    with django_assert_num_queries(0):
        assert validate_line_decision(road, Decision.DEFERRED, "Chờ vốn") == []
        assert _codes(validate_line_decision(road, Decision.DEFERRED, " ")) == ["reason_required"]
        assert _codes(validate_line_decision(road, Decision.FUNDED, "Có vốn")) == [
            "decision_invalid"
        ]
        road.state = LineState.MERGED
        assert _codes(validate_line_decision(road, Decision.REJECTED, "Trùng")) == [
            "decide_not_active"
        ]


# --- the writer -----------------------------------------------------------------------------


def _stored(plan: Any) -> list[tuple[Any, ...]]:
    return list(
        CommuneLine.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("pk", "version", "activity", "location", "decision", "state")
    )


def test_the_writer_applies_every_change_with_one_history_row_each(
    world: dict[str, Any],
) -> None:
    plan, planner, road, school, own = (
        world[k] for k in ("plan", "planner", "road", "school", "own")
    )
    audits = AuditEntry.objects.count()
    result = commune_lines_apply(
        actor=planner,
        plan=plan,
        changes=[
            CommuneLineChange("add", data=_own_data(activity="Tập huấn", organisation="Hội ND")),
            CommuneLineChange("change", road, data={"location": "Xóm Giữa"}, version=road.version),
            CommuneLineChange("change", school, decision=Decision.DEFERRED, reason="Chờ vốn"),
            CommuneLineChange("remove", own),
        ],
    )
    assert (result.added, result.changed, result.removed) == (1, 2, 1)
    added = result.lines[0]
    assert (added.number, added.organisation, added.expenditure_type) == (
        own.number + 1,
        "Hội ND",
        f.agriculture().default_expenditure,
    )
    road.refresh_from_db()
    school.refresh_from_db()
    own.refresh_from_db()
    assert (road.location, road.version) == ("Xóm Giữa", 2)
    assert (school.decision, school.decision_reason, school.decided_by) == (
        Decision.DEFERRED,
        "Chờ vốn",
        planner,
    )
    assert own.state == LineState.REMOVED
    rows = list(AuditEntry.objects.order_by("id")[audits:])
    assert sorted((r.subject_id, r.operation) for r in rows) == sorted(
        [
            (str(added.pk), "create"),
            (str(road.pk), "update"),
            (str(school.pk), "update"),
            (str(own.pk), "delete"),
        ]
    )
    assert all(r.actor_id == planner.pk for r in rows)
    by_line = {r.subject_id: r for r in rows}
    assert by_line[str(road.pk)].after["location"] == "Xóm Giữa"
    assert by_line[str(school.pk)].after["decision"] == Decision.DEFERRED


def test_the_writer_writes_nothing_when_one_change_is_refused(world: dict[str, Any]) -> None:
    plan, planner, road, own = (world[k] for k in ("plan", "planner", "road", "own"))
    before, audits = _stored(plan), AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as caught:
        commune_lines_apply(
            actor=planner,
            plan=plan,
            changes=[
                CommuneLineChange("change", own, data={"notes": "Đổi ghi chú"}),
                CommuneLineChange("add", data=_own_data(organisation="")),
                CommuneLineChange("remove", road),
            ],
        )
    assert [e.code for e in caught.value.errors] == [  # type: ignore[attr-defined]
        "organisation_required",
        "line_not_removable",
    ]
    assert _stored(plan) == before and AuditEntry.objects.count() == audits


def test_a_change_on_an_older_version_is_refused_and_nothing_is_written(
    world: dict[str, Any],
) -> None:
    plan, planner, road = world["plan"], world["planner"], world["road"]
    commune_line_update(actor=planner, line=road, data={"notes": "Lần 1"}, expected_version=1)
    before = _stored(plan)
    with pytest.raises(ApplicationError) as caught:
        commune_line_update(actor=planner, line=road, data={"notes": "Lần 2"}, expected_version=1)
    assert caught.value.code == "conflict"
    assert _stored(plan) == before
    # the current version goes through
    line = commune_line_update(
        actor=planner, line=road, data={"notes": "Lần 2"}, expected_version=2
    )
    assert (line.notes, line.version) == ("Lần 2", 3)


def _queries_to_edit_one_line(plan: Any, planner: Any, line: CommuneLine) -> int:
    line = CommuneLine.objects.select_related("plan").get(pk=line.pk)
    with CaptureQueriesContext(connection) as queries:
        commune_line_update(actor=planner, line=line, data={"notes": f"v{line.version}"})
    return len(queries.captured_queries)


def test_editing_one_line_costs_the_same_queries_on_a_plan_of_200_lines(
    world: dict[str, Any],
) -> None:
    plan, planner, own = world["plan"], world["planner"], world["own"]
    small = _queries_to_edit_one_line(plan, planner, own)
    commune_lines_apply(
        actor=planner,
        plan=plan,
        changes=[
            CommuneLineChange("add", data=_own_data(activity=f"Hoạt động {n}")) for n in range(200)
        ],
    )
    assert plan.lines.count() == 203
    assert _queries_to_edit_one_line(plan, planner, own) == small


# --- the scores' writer (F10) -----------------------------------------------------------------


def test_scores_of_many_lines_are_written_together_with_one_history_row_each(
    world: dict[str, Any],
) -> None:
    plan, planner, road, school = (world[k] for k in ("plan", "planner", "road", "school"))
    audits = AuditEntry.objects.count()
    lines = line_scores_apply(
        actor=planner,
        plan=plan,
        changes=[
            ScoreChange(road, {"urgency_safety": "4,5"}, road.version),
            ScoreChange(school, {"readiness": 2}),
        ],
    )
    assert [x.manual_scores for x in lines] == [{"urgency_safety": 4.5}, {"readiness": 2}]
    road.refresh_from_db()
    assert (road.manual_scores, road.version) == ({"urgency_safety": 4.5}, 2)
    rows = list(AuditEntry.objects.order_by("id")[audits:])
    assert sorted((r.subject_id, r.after["manual_scores"]) for r in rows) == sorted(
        [(str(road.pk), {"urgency_safety": 4.5}), (str(school.pk), {"readiness": 2})]
    )
    # the same scores again: nothing is written, no new version, no history
    line_scores_apply(
        actor=planner, plan=plan, changes=[ScoreChange(road, {"urgency_safety": 4.5})]
    )
    road.refresh_from_db()
    assert road.version == 2 and AuditEntry.objects.count() == audits + 2


def test_a_wrong_score_or_an_old_version_refuses_every_line_of_the_set(
    world: dict[str, Any],
) -> None:
    plan, planner, road, school = (world[k] for k in ("plan", "planner", "road", "school"))
    before, audits = _stored(plan), AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as caught:
        line_scores_apply(
            actor=planner,
            plan=plan,
            changes=[
                ScoreChange(road, {"urgency_safety": 4}),
                ScoreChange(school, {"readiness": 7}),
            ],
        )
    assert caught.value.code == "score_range"
    with pytest.raises(ApplicationError) as caught:
        line_scores_apply(
            actor=planner,
            plan=plan,
            changes=[ScoreChange(road, {"urgency_safety": 4}), ScoreChange(school, {}, version=9)],
        )
    assert caught.value.code == "conflict"
    assert _stored(plan) == before and AuditEntry.objects.count() == audits
    assert not CommuneLine.objects.filter(plan=plan).exclude(manual_scores={}).exists()
