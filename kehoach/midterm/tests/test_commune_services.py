"""The commune's five-year plan: synthesis and synthesis again, merge, split and undo, the
resource frame, decisions, the workflow with its immutable version, and the feedback."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.approvals.models import ImmutableError, Notification, StatusChange, Version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.midterm.models import (
    MediumTermCommuneLine,
    MediumTermCommunePlan,
    MediumTermFrameLine,
    MediumTermLineYear,
    MediumTermOperation,
)
from kehoach.midterm.selectors_commune import (
    frame_grid,
    pending_sources,
    undecided_lines,
    village_feedback,
)
from kehoach.midterm.services.commune import commune_line_decide, commune_plan_for
from kehoach.midterm.services.commune_operations import (
    Part,
    commune_line_split,
    commune_lines_merge,
    commune_operation_undo,
)
from kehoach.midterm.services.commune_synthesis import commune_plan_synthesise
from kehoach.midterm.services.commune_workflow import (
    commune_five_year_approve,
    commune_five_year_transition,
)
from kehoach.midterm.services.frame import frame_line_delete, frame_line_save
from kehoach.midterm.services.workflow import medium_term_plan_transition
from kehoach.midterm.tests.commune_world import activity, world
from kehoach.midterm.workflow_commune import can_approve, can_submit
from kehoach.plans.choices import PlanStatus
from kehoach.plans.tests.factories import sector, source, unit
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState

pytestmark = pytest.mark.django_db


def _synthesised() -> tuple[dict[str, Any], MediumTermCommunePlan]:
    w = world()
    commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    return w, commune_plan_for(w["round"])


def _line_of(plan: MediumTermCommunePlan, village_line: Any) -> MediumTermCommuneLine:
    return plan.lines.get(state=LineState.ACTIVE, sources__village_line=village_line)


def _years(line: MediumTermCommuneLine) -> dict[int, tuple[Decimal, Decimal]]:
    return {y.year: (y.quantity, y.cost_mvnd) for y in line.years.all()}


def _codes(exc: pytest.ExceptionInfo[ApplicationError]) -> list[str]:
    return [e.code for e in getattr(exc.value, "errors", None) or [exc.value]]


# --- synthesis --------------------------------------------------------------------------------


def test_synthesis_makes_one_line_per_village_activity_with_its_years_and_source() -> None:
    w, plan = _synthesised()
    lines = list(plan.lines.order_by("number"))
    assert len(lines) == 3
    line = _line_of(plan, w["a1"])
    assert line.activity == w["a1"].activity
    assert (line.contribution_mvnd, line.external_support_mvnd) == (Decimal(100), Decimal(400))
    assert _years(line) == {
        2026: (Decimal(1), Decimal(300)),
        2027: (Decimal("0.5"), Decimal(200)),
    }
    (src,) = line.sources.all()
    assert (src.village_line_id, src.share, src.withdrawn) == (w["a1"].pk, 1, False)
    assert StatusChange.objects.filter(plan_uid=plan.uid, action="synthesise").count() == 1


def test_synthesis_leaves_out_plans_that_are_not_submitted() -> None:
    w = world()
    w["plan_b"].status = PlanStatus.DRAFT
    w["plan_b"].save()
    report = commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    assert (report.plans, report.new, report.not_submitted) == (1, 2, ["Thôn An Thơ"])


def test_synthesis_again_adds_new_withdraws_gone_and_keeps_decisions_and_merges() -> None:
    w, plan = _synthesised()
    a1, a2 = _line_of(plan, w["a1"]), _line_of(plan, w["a2"])
    commune_line_decide(actor=w["planner"], line=a2, decision=Decision.DEFERRED, reason="Năm sau")
    merged = commune_lines_merge(actor=w["planner"], plan=plan, lines=[a1, _line_of(plan, w["b1"])])
    commune_line_decide(actor=w["planner"], line=merged, decision=Decision.FUNDED)
    new = activity(w["plan_a"], 3, {2030: ("1", "50")})
    w["a2"].deleted_at = timezone.now()
    w["a2"].save()
    assert pending_sources(plan).new == 1 and pending_sources(plan).withdrawn == 1

    report = commune_plan_synthesise(actor=w["planner"], round_=w["round"])

    assert (report.new, report.withdrawn) == (1, 1)
    assert _line_of(plan, new).activity == new.activity
    a2.refresh_from_db()
    assert a2.state == LineState.WITHDRAWN and a2.decision == Decision.DEFERRED
    merged.refresh_from_db()
    assert merged.state == LineState.ACTIVE and merged.decision == Decision.FUNDED
    assert not pending_sources(plan)

    # the plan of Diên Sanh is returned: its sources are withdrawn, the merge keeps An Thơ's
    w["plan_a"].status = PlanStatus.RETURNED
    w["plan_a"].save()
    commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    merged.refresh_from_db()
    assert merged.state == LineState.ACTIVE
    assert {s.withdrawn for s in merged.sources.all()} == {True, False}
    # submitted again: the withdrawn line is back with its decision
    w["plan_a"].status = PlanStatus.SUBMITTED
    w["plan_a"].save()
    w["a2"].deleted_at = None
    w["a2"].save()
    report = commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    assert (report.back, report.new) == (3, 0)  # the three activities of Diên Sanh
    a2.refresh_from_db()
    assert a2.state == LineState.ACTIVE and a2.decision == Decision.DEFERRED


def test_an_activity_the_village_changed_is_decided_again_with_a_note() -> None:
    """Returned, corrected, sent again: a line made of the activity alone takes its new values
    and years; a merged line keeps the commune's values; both wait for a new decision."""
    w, plan = _synthesised()
    a2 = _line_of(plan, w["a2"])
    commune_line_decide(actor=w["planner"], line=a2, decision=Decision.FUNDED)
    merged = commune_lines_merge(
        actor=w["planner"], plan=plan, lines=[_line_of(plan, w["a1"]), _line_of(plan, w["b1"])]
    )
    commune_line_decide(actor=w["planner"], line=merged, decision=Decision.FUNDED)
    before = _years(merged)
    # Diên Sanh's second activity grows (a year's cost and the support), its first is moved
    MediumTermLineYear.objects.filter(line=w["a2"]).update(
        quantity=Decimal(3), cost_mvnd=Decimal(160)
    )
    w["a2"].external_support_mvnd += 60
    for activity_ in (w["a1"], w["a2"]):
        activity_.location = "Xóm Trên"
        activity_.version += 1
        activity_.save()
    assert pending_sources(plan).changed == 2
    with pytest.raises(ApplicationError) as exc:
        commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    assert "synthesis_outdated" in _codes(exc)

    report = commune_plan_synthesise(actor=w["planner"], round_=w["round"])

    assert report.changed == 2 and not pending_sources(plan)
    a2.refresh_from_db()
    assert _years(a2) == {2028: (Decimal(3), Decimal(160))}
    assert (a2.location, a2.decision) == ("Xóm Trên", Decision.PENDING)
    assert "Thôn Diên Sanh" in a2.review_note and "160" in a2.review_note
    merged.refresh_from_db()
    assert _years(merged) == before and merged.location != "Xóm Trên"
    assert merged.decision == Decision.PENDING and merged.review_note
    commune_line_decide(actor=w["planner"], line=a2, decision=Decision.FUNDED)
    a2.refresh_from_db()
    assert a2.review_note == ""
    assert commune_plan_synthesise(actor=w["planner"], round_=w["round"]).changed == 0


def test_synthesis_is_refused_once_submitted_and_to_a_village_editor() -> None:
    w, plan = _synthesised()
    with pytest.raises(NotFoundError):
        commune_plan_synthesise(actor=w["editor"], round_=w["round"])
    MediumTermCommunePlan.objects.filter(pk=plan.pk).update(status=CommunePlanStatus.SUBMITTED)
    with pytest.raises(ApplicationError) as exc:
        commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    assert exc.value.code == "commune_plan_locked"


# --- merge, split, undo -----------------------------------------------------------------------


def test_merge_sums_years_and_amounts_unites_sources_and_undo_restores() -> None:
    w, plan = _synthesised()
    a1, b1 = _line_of(plan, w["a1"]), _line_of(plan, w["b1"])
    commune_line_decide(actor=w["planner"], line=a1, decision=Decision.REJECTED, reason="Trùng")
    a1.refresh_from_db()
    merged = commune_lines_merge(
        actor=w["planner"],
        plan=plan,
        lines=[a1, b1],
        activity="Đường liên thôn",
        expected_versions={a1.uid: a1.version, b1.uid: b1.version},
    )
    assert merged.activity == "Đường liên thôn"
    assert _years(merged) == {
        2026: (Decimal("2.5"), Decimal(550)),
        2027: (Decimal("0.5"), Decimal(200)),
        2029: (Decimal(1), Decimal(150)),
    }
    assert merged.external_support_mvnd == Decimal(700)
    assert merged.contribution_mvnd == Decimal(200)
    assert merged.beneficiary_households == 80
    assert {s.village_line_id for s in merged.sources.all()} == {w["a1"].pk, w["b1"].pk}
    a1.refresh_from_db()
    assert (a1.state, a1.merged_into_id, a1.decision) == (
        LineState.MERGED,
        merged.pk,
        Decision.MERGED,
    )

    commune_operation_undo(actor=w["planner"], plan=plan, expected_version=merged.version)

    merged.refresh_from_db()
    a1.refresh_from_db()
    assert merged.state == LineState.REMOVED
    assert (a1.state, a1.decision, a1.decision_reason) == (
        LineState.ACTIVE,
        Decision.REJECTED,
        "Trùng",
    )
    assert MediumTermOperation.objects.get().undone_at is not None
    with pytest.raises(ApplicationError) as exc:
        commune_operation_undo(actor=w["planner"], plan=plan)
    assert exc.value.code == "undo_nothing"


def test_merge_refuses_other_sector_or_unit_too_few_and_stale_versions() -> None:
    w, plan = _synthesised()
    a1, a2, b1 = (_line_of(plan, w[k]) for k in ("a1", "a2", "b1"))
    with pytest.raises(ApplicationError) as exc:
        commune_lines_merge(actor=w["planner"], plan=plan, lines=[a1])
    assert exc.value.code == "merge_too_few"
    MediumTermCommuneLine.objects.filter(pk=a2.pk).update(sector=sector("NN", "Nông nghiệp"))
    with pytest.raises(ApplicationError) as exc:
        commune_lines_merge(actor=w["planner"], plan=plan, lines=[a1, a2])
    assert exc.value.code == "merge_sector"
    assert "Nông nghiệp" in exc.value.message
    MediumTermCommuneLine.objects.filter(pk=b1.pk).update(unit=unit("m", "m"))
    with pytest.raises(ApplicationError) as exc:
        commune_lines_merge(actor=w["planner"], plan=plan, lines=[a1, b1])
    assert exc.value.code == "merge_unit"
    MediumTermCommuneLine.objects.filter(pk=b1.pk).update(unit=unit())
    with pytest.raises(ApplicationError) as exc:
        commune_lines_merge(
            actor=w["planner"], plan=plan, lines=[a1, b1], expected_versions={a1.uid: 99}
        )
    assert exc.value.code == "conflict"
    assert not MediumTermOperation.objects.exists()


def test_split_divides_years_and_amounts_exactly_and_undo_brings_the_line_back() -> None:
    w, plan = _synthesised()
    line = _line_of(plan, w["a1"])
    commune_line_decide(actor=w["planner"], line=line, decision=Decision.FUNDED)
    line.refresh_from_db()
    parts = commune_line_split(
        actor=w["planner"],
        line=line,
        parts=[
            Part("Giai đoạn 1", "", Decimal("0.333333")),
            Part("Giai đoạn 2", "Xóm 2", Decimal("0.666667")),
        ],
        expected_version=line.version,
    )
    assert len(parts) == 2
    for name in ("contribution_mvnd", "external_support_mvnd", "beneficiary_households"):
        assert sum(getattr(p, name) for p in parts) == getattr(line, name)
    for year, (quantity, cost) in _years(line).items():
        assert sum(_years(p)[year][0] for p in parts) == quantity
        assert sum(_years(p)[year][1] for p in parts) == cost
    for part in parts:  # R1 holds in every part
        assert sum(c for _q, c in _years(part).values()) == (
            part.contribution_mvnd + part.external_support_mvnd
        )
        assert part.sources.get().village_line_id == w["a1"].pk
    assert parts[1].location == "Xóm 2"
    line.refresh_from_db()
    assert (line.state, line.decision) == (LineState.SPLIT, Decision.PENDING)

    commune_operation_undo(actor=w["planner"], plan=plan, expected_version=line.version)

    line.refresh_from_db()
    assert (line.state, line.decision) == (LineState.ACTIVE, Decision.FUNDED)
    assert {p.state for p in MediumTermCommuneLine.objects.filter(split_from=line)} == {
        LineState.REMOVED
    }


def test_split_refuses_shares_that_do_not_add_up_and_empty_parts() -> None:
    w, plan = _synthesised()
    line = _line_of(plan, w["a1"])
    with pytest.raises(ApplicationError) as exc:
        commune_line_split(
            actor=w["planner"],
            line=line,
            parts=[Part("A", "", Decimal("0.5")), Part("B", "", Decimal("0.4"))],
        )
    assert _codes(exc) == ["parts_sum"]
    assert "100%" in exc.value.errors[0].message  # type: ignore[attr-defined]
    with pytest.raises(ApplicationError) as exc:
        commune_line_split(
            actor=w["planner"],
            line=line,
            parts=[Part("", "", Decimal("0.5")), Part("B", "", Decimal(0))],
        )
    assert _codes(exc) == ["part_activity", "part_share"]
    with pytest.raises(ApplicationError) as exc:
        commune_line_split(
            actor=w["planner"], line=line, parts=[Part("A", "", Decimal(1))], expected_version=1
        )
    assert exc.value.code == "split_too_few"
    with pytest.raises(ApplicationError) as exc:
        commune_line_split(
            actor=w["planner"],
            line=line,
            parts=[Part("A", "", Decimal("0.5")), Part("B", "", Decimal("0.5"))],
            expected_version=line.version + 1,
        )
    assert exc.value.code == "conflict"
    assert not MediumTermCommuneLine.objects.filter(split_from=line).exists()


def test_only_the_last_operation_is_undone() -> None:
    w, plan = _synthesised()
    a1, a2, b1 = (_line_of(plan, w[k]) for k in ("a1", "a2", "b1"))
    merged = commune_lines_merge(actor=w["planner"], plan=plan, lines=[a1, b1])
    first = MediumTermOperation.objects.get()
    commune_line_split(
        actor=w["planner"],
        line=a2,
        parts=[Part("A", "", Decimal("0.5")), Part("B", "", Decimal("0.5"))],
    )
    with pytest.raises(ApplicationError) as exc:
        commune_operation_undo(actor=w["planner"], plan=plan, operation=first)
    assert exc.value.code == "undo_not_last"
    commune_operation_undo(actor=w["planner"], plan=plan)
    commune_operation_undo(actor=w["planner"], plan=plan, operation=first)
    merged.refresh_from_db()
    assert merged.state == LineState.REMOVED


# --- decisions --------------------------------------------------------------------------------


def test_a_decision_other_than_funded_needs_a_reason() -> None:
    w, plan = _synthesised()
    line = _line_of(plan, w["a2"])
    for decision in (Decision.DEFERRED, Decision.REJECTED, Decision.UNFUNDED):
        with pytest.raises(ApplicationError) as exc:
            commune_line_decide(actor=w["planner"], line=line, decision=decision, reason=" ")
        assert _codes(exc) == ["decision_reason_required"]
        error = exc.value.errors[0]  # type: ignore[attr-defined]
        assert error.where.field == "reason" and str(line.number) in error.message
    with pytest.raises(ApplicationError) as exc:
        commune_line_decide(actor=w["planner"], line=line, decision="merged", reason="x")
    assert _codes(exc) == ["decision_invalid"]
    done = commune_line_decide(
        actor=w["planner"], line=line, decision=Decision.REJECTED, reason="Không phù hợp"
    )
    assert (done.decision, done.decision_reason, done.version) == (
        Decision.REJECTED,
        "Không phù hợp",
        line.version + 1,
    )
    with pytest.raises(ApplicationError) as exc:
        commune_line_decide(
            actor=w["planner"],
            line=line,
            decision=Decision.FUNDED,
            expected_version=line.version,
        )
    assert exc.value.code == "conflict"


def test_feedback_gives_each_village_activity_the_decisions_it_reached() -> None:
    w, plan = _synthesised()
    a1, a2, b1 = (_line_of(plan, w[k]) for k in ("a1", "a2", "b1"))
    merged = commune_lines_merge(actor=w["planner"], plan=plan, lines=[a1, b1])
    commune_line_decide(actor=w["planner"], line=merged, decision=Decision.FUNDED)
    commune_line_decide(actor=w["planner"], line=a2, decision=Decision.DEFERRED, reason="2029")
    unsynthesised = activity(w["plan_a"], 3, {2030: ("1", "10")})
    rows = {row.activity.pk: row for row in village_feedback(plan, w["plan_a"])}
    assert [x.decision for x in rows[w["a1"].pk].lines] == [Decision.FUNDED]
    assert rows[w["a1"].pk].lines[0].pk == merged.pk
    assert [(x.decision, x.decision_reason) for x in rows[w["a2"].pk].lines] == [
        (Decision.DEFERRED, "2029")
    ]
    assert not rows[unsynthesised.pk].synthesised
    assert {row.activity.pk for row in village_feedback(plan, w["plan_b"])} == {w["b1"].pk}


# --- the resource frame -----------------------------------------------------------------------


def test_frame_lines_are_bounded_to_the_period_and_one_per_programme_sector_year() -> None:
    w, plan = _synthesised()
    ntp = source()
    with pytest.raises(ApplicationError) as exc:
        frame_line_save(
            actor=w["planner"],
            plan=plan,
            data={"source": ntp, "year": 2031, "amount_mvnd": Decimal(10)},
        )
    assert _codes(exc) == ["frame_year"]
    assert "2026–2030" in exc.value.errors[0].message  # type: ignore[attr-defined]
    with pytest.raises(ApplicationError) as exc:
        frame_line_save(
            actor=w["planner"],
            plan=plan,
            data={"source": ntp, "year": 2026, "amount_mvnd": Decimal(20_000_000)},
        )
    assert _codes(exc) == ["value_too_large"]
    with pytest.raises(ApplicationError) as exc:
        frame_line_save(
            actor=w["planner"],
            plan=plan,
            data={"source": ntp, "year": 2026, "amount_mvnd": Decimal(-1)},
        )
    assert _codes(exc) == ["amount_negative"]
    line = frame_line_save(
        actor=w["planner"],
        plan=plan,
        data={"source": ntp, "year": 2026, "amount_mvnd": Decimal(500)},
    )
    with pytest.raises(ApplicationError) as exc:
        frame_line_save(
            actor=w["planner"],
            plan=plan,
            data={"source": ntp, "year": 2026, "amount_mvnd": Decimal(5)},
        )
    assert _codes(exc) == ["frame_duplicate"]
    changed = frame_line_save(
        actor=w["planner"],
        plan=plan,
        line=line,
        data={"source": ntp, "year": 2026, "amount_mvnd": Decimal(600)},
        expected_version=1,
    )
    assert (changed.amount_mvnd, changed.version) == (Decimal(600), 2)
    with pytest.raises(ApplicationError) as exc:
        frame_line_delete(actor=w["planner"], line=line, expected_version=1)
    assert exc.value.code == "conflict"
    frame_line_delete(actor=w["planner"], line=line, expected_version=2)
    assert not MediumTermFrameLine.objects.exists()


def test_frame_grid_totals_per_year_and_flags_the_funded_lines_over_the_frame() -> None:
    w, plan = _synthesised()
    ntp = source()
    a1, a2, b1 = (_line_of(plan, w[k]) for k in ("a1", "a2", "b1"))
    commune_line_decide(actor=w["planner"], line=a1, decision=Decision.FUNDED)
    commune_line_decide(actor=w["planner"], line=b1, decision=Decision.FUNDED)
    commune_line_decide(actor=w["planner"], line=a2, decision=Decision.UNFUNDED, reason="Thiếu")
    frame_line_save(
        actor=w["planner"],
        plan=plan,
        data={"source": ntp, "sector": sector(), "year": 2026, "amount_mvnd": Decimal(400)},
    )
    grid = frame_grid(plan)
    (programme,) = grid.programmes
    (row,) = programme.rows
    cell_2026 = row.cells[0]
    # a1 asks 400 × 300/500 = 240 in 2026, b1 300 × 250/400 = 187,5
    assert cell_2026.funded == Decimal("427.500")
    assert cell_2026.frame == Decimal(400) and cell_2026.over
    assert row.cells[2].unfunded == Decimal(100)  # a2, 2028
    assert row.cells[1].over  # 2027: 160 asked, no frame
    assert any("2026" in text and "427,5" in text for text in grid.excess)
    assert grid.totals[0].funded == Decimal("427.500")
    with pytest.raises(ApplicationError) as exc:
        commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    assert exc.value.code == "frame_exceeded"


# --- the workflow -----------------------------------------------------------------------------


def _ready(w: dict[str, Any], plan: MediumTermCommunePlan) -> None:
    for line in plan.lines.filter(state=LineState.ACTIVE):
        commune_line_decide(actor=w["planner"], line=line, decision=Decision.DEFERRED, reason="x")


RESOLUTION = {
    "resolution_number": "12/NQ-HĐND",
    "resolution_date": datetime.date(2025, 12, 20),
    "signer": "Lê Văn Sơn",
}


def test_submit_needs_every_line_decided_and_the_synthesis_up_to_date() -> None:
    w, plan = _synthesised()
    reason = can_submit(w["planner"], plan)
    assert reason is not None and reason.code == "submit_undecided"
    assert all(f"{n} (Bê tông" in reason.message for n in (1, 2, 3))
    assert len(undecided_lines(plan)) == 3
    _ready(w, plan)
    activity(w["plan_b"], 2, {2027: ("1", "10")})
    with pytest.raises(ApplicationError) as exc:
        commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    assert exc.value.code == "synthesis_outdated"
    commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    _ready(w, plan)
    assert can_submit(w["planner"], plan) is None
    done = commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    assert done.status == CommunePlanStatus.SUBMITTED and done.submitted_at is not None


def test_return_needs_a_comment_and_approval_needs_the_resolution() -> None:
    w, plan = _synthesised()
    _ready(w, plan)
    plan = commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    with pytest.raises(ApplicationError) as exc:
        commune_five_year_transition(actor=w["approver"], plan=plan, action="return")
    assert exc.value.code == "comment_required"
    with pytest.raises(ApplicationError) as exc:
        commune_five_year_transition(actor=w["approver"], plan=plan, action="approve")
    assert exc.value.code == "approve_needs_resolution"
    with pytest.raises(ApplicationError) as exc:
        commune_five_year_approve(actor=w["approver"], plan=plan, data={})
    assert set(_codes(exc)) == {
        "resolution_number_required",
        "resolution_date_required",
        "signer_required",
    }
    future = {**RESOLUTION, "resolution_date": timezone.localdate() + datetime.timedelta(1)}
    with pytest.raises(ApplicationError) as exc:
        commune_five_year_approve(actor=w["approver"], plan=plan, data=future)
    assert _codes(exc) == ["resolution_date_future"]
    assert not Version.objects.exists()
    # the planner may not approve, nor a village editor
    assert can_approve(w["planner"], plan) is not None
    with pytest.raises(NotFoundError):
        commune_five_year_approve(actor=w["editor"], plan=plan, data=RESOLUTION)
    back = commune_five_year_transition(
        actor=w["approver"], plan=plan, action="return", comment="Xem lại năm 2027"
    )
    assert back.status == CommunePlanStatus.RETURNED


def test_approval_stores_an_immutable_version_and_an_amendment_makes_the_next() -> None:
    w, plan = _synthesised()
    frame_line_save(
        actor=w["planner"],
        plan=plan,
        data={"source": source(), "year": 2026, "amount_mvnd": Decimal(1000)},
    )
    _ready(w, plan)
    plan = commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    plan = commune_five_year_approve(actor=w["approver"], plan=plan, data=RESOLUTION)
    assert plan.status == CommunePlanStatus.APPROVED
    version = Version.objects.get(plan_uid=plan.uid)
    assert (version.number, version.resolution_number, version.is_amendment) == (
        1,
        "12/NQ-HĐND",
        False,
    )
    assert len(version.data["lines"]) == 3
    assert version.data["lines"][0]["years"] and version.data["lines"][0]["sources"]
    assert version.data["frame"][0]["amount_mvnd"] == "1000.000"
    assert {x["decision"] for x in version.data["lines"]} == {Decision.DEFERRED}
    version.signer = "Người khác"
    with pytest.raises(ImmutableError):
        version.save()
    # the approved plan cannot change
    with pytest.raises(ApplicationError) as exc:
        commune_line_decide(
            actor=w["planner"], line=plan.lines.get(number=1), decision=Decision.FUNDED
        )
    assert exc.value.code == "commune_plan_locked"

    plan = commune_five_year_transition(actor=w["planner"], plan=plan, action="publish")
    assert plan.status == CommunePlanStatus.PUBLISHED
    assert Version.objects.get().published_at is not None
    with pytest.raises(ApplicationError):
        commune_five_year_transition(actor=w["planner"], plan=plan, action="amend")
    plan = commune_five_year_transition(
        actor=w["planner"], plan=plan, action="amend", comment="Bổ sung vốn"
    )
    assert (plan.status, plan.version_number, plan.is_amendment) == (
        CommunePlanStatus.DRAFT,
        2,
        True,
    )
    plan = commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    plan = commune_five_year_approve(actor=w["approver"], plan=plan, data=RESOLUTION)
    assert sorted(
        Version.objects.filter(plan_uid=plan.uid).values_list("number", "is_amendment")
    ) == [(1, False), (2, True)]


def test_publishing_needs_the_approved_version() -> None:
    w, plan = _synthesised()
    _ready(w, plan)
    plan = commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    with pytest.raises(ApplicationError) as exc:
        commune_five_year_transition(actor=w["planner"], plan=plan, action="publish")
    assert exc.value.code == "transition_invalid"


def test_each_step_tells_who_acts_next_and_publication_tells_each_village() -> None:
    """As the yearly plans: the approvers of a submission, the planners of an approval, each
    village's editor of the publication, with a link to the village's feedback."""
    w, plan = _synthesised()
    approver = user_with_role(Role.COMMUNE_APPROVER, w["commune"])
    editor = user_with_role(Role.VILLAGE_EDITOR, w["dien_sanh"])
    medium_term_plan_transition(w["planner"], w["plan_b"], "return", "Thiếu cuộc họp thôn")
    assert Notification.objects.filter(text__contains="An Thơ").count() == 0  # no editor there
    medium_term_plan_transition(w["planner"], w["plan_a"], "return", "Bổ sung vốn đối ứng")
    assert Notification.objects.get(user=editor).url.endswith(
        f"/five-year/plans/{w['plan_a'].uid}/"
    )
    Notification.objects.all().delete()
    w["plan_a"].status = w["plan_b"].status = PlanStatus.SUBMITTED
    w["plan_a"].save()
    w["plan_b"].save()
    for line in plan.lines.all():
        commune_line_decide(actor=w["planner"], line=line, decision=Decision.FUNDED)
    frame_line_save(
        actor=w["planner"],
        plan=plan,
        data={"source": source(), "sector": None, "year": 2026, "amount_mvnd": "5000"},
    )
    for year in (2027, 2028, 2029):
        frame_line_save(
            actor=w["planner"],
            plan=plan,
            data={"source": source(), "sector": None, "year": year, "amount_mvnd": "5000"},
        )
    commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    assert Notification.objects.filter(user=approver).count() == 1
    commune_five_year_approve(
        actor=approver,
        plan=plan,
        data={
            "resolution_number": "19/NQ-HĐND",
            "resolution_date": datetime.date(2025, 12, 18),
            "signer": "Lê Văn Sơn",
        },
    )
    assert Notification.objects.filter(user=w["planner"]).count() == 1
    commune_five_year_transition(actor=w["planner"], plan=plan, action="publish")
    feedback = Notification.objects.get(user=editor)
    assert "Thôn Diên Sanh" in feedback.text
    assert feedback.url == f"/five-year/commune/feedback/{w['plan_a'].uid}/"
