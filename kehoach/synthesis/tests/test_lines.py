"""Synthesis (F9): building the commune plan from the villages, merging, splitting, undoing,
re-synthesis, commune-level lines (R12–R14)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import CommuneFactory, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan

from ..choices import Decision, DecisionOrigin, LineState, Review
from ..models import CommuneLine, LineFunding, LineSource, SynthesisOperation
from ..services.funding import allocation_run, line_decide
from ..services.lines import (
    Part,
    commune_line_create,
    commune_plan_synthesise,
    line_split,
    lines_merge,
    operation_undo,
)
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal
ROAD = "Bê tông hóa đường liên thôn Diên Sanh – Mỹ Chánh"


@pytest.fixture
def setup() -> dict[str, Any]:
    commune = hai_lang()
    a, b, c = f.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh", "Thôn Câu Nhi"])
    road, school, farm = f.transport(), f.education(), f.agriculture()
    plan_a = f.submitted_plan(
        a,
        [
            f.money_line("600", "100", sector=road, activity=ROAD, beneficiary_households=120),
            f.money_line("400", "50", sector=school, activity="Sửa phòng học mẫu giáo"),
        ],
    )
    plan_b = f.submitted_plan(
        b,
        [
            f.money_line("500", "100", sector=road, activity=ROAD, beneficiary_households=90),
            f.money_line("30", "0", sector=farm, activity="Tập huấn chăn nuôi", priority=2),
        ],
    )
    plan_c = f.submitted_plan(c, [f.money_line("80", "10", sector=farm)], status=PlanStatus.DRAFT)
    round_ = plan_a.round
    return {
        "round": round_,
        "plan": f.commune_plan_for(round_),
        "planner": f.planner(commune),
        "plans": (plan_a, plan_b, plan_c),
    }


def _active(plan: Any) -> list[CommuneLine]:
    return list(plan.lines.active().order_by("number"))


def _totals(lines: list[CommuneLine]) -> tuple[Decimal, Decimal, Decimal]:
    return (
        sum((x.total_cost_mvnd for x in lines), D(0)),
        sum((x.contribution_mvnd for x in lines), D(0)),
        sum((x.external_support_mvnd for x in lines), D(0)),
    )


def test_synthesis_takes_every_submitted_line_once_with_its_link(setup: dict[str, Any]) -> None:
    report = commune_plan_synthesise(actor=setup["planner"], round_=setup["round"])
    assert (report.plans, report.new, report.changed, report.withdrawn) == (2, 4, 0, 0)
    assert report.not_submitted == ["Thôn Câu Nhi"]
    lines = _active(setup["plan"])
    assert len(lines) == 4
    village_lines = ProposalLine.objects.filter(plan__status=PlanStatus.SUBMITTED)
    totals = village_lines.aggregate(
        t=Sum("total_cost_mvnd"), c=Sum("contribution_mvnd"), s=Sum("external_support_mvnd")
    )
    assert _totals(lines) == (totals["t"], totals["c"], totals["s"])
    for line in lines:
        (source,) = line.sources.all()
        assert source.village_line.activity == line.activity
        assert source.village_line.total_cost_mvnd == line.total_cost_mvnd
        assert line.village_priority == source.village_line.priority
    school = next(x for x in lines if x.sector.code == "GD")
    assert school.expenditure_type == "recurrent"
    assert all(x.review == Review.NONE for x in lines)


def test_merge_sums_the_villages_keeps_the_links_and_can_be_undone(setup: dict[str, Any]) -> None:
    planner, plan = setup["planner"], setup["plan"]
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    before = _totals(_active(plan))
    roads = list(plan.lines.filter(activity=ROAD))
    merged = lines_merge(actor=planner, plan=plan, lines=roads, location="Liên thôn")
    assert (merged.total_cost_mvnd, merged.contribution_mvnd, merged.external_support_mvnd) == (
        D("1100"),
        D("200"),
        D("900"),
    )
    assert merged.beneficiary_households == 210
    assert merged.quantity == D("2.4")
    assert merged.location == "Liên thôn"
    assert {s.village_line.plan.village.name for s in merged.sources.all()} == {
        "Thôn Diên Sanh",
        "Thôn Mỹ Chánh",
    }
    for old in roads:
        old.refresh_from_db()
        assert old.state == LineState.MERGED
        assert old.merged_into == merged
        assert old.decision == Decision.MERGED
        assert old.decision_reason == f"Đã gộp vào dòng {merged.number} ({ROAD})."
    assert _totals(_active(plan)) == before
    assert AuditEntry.objects.filter(plan_uid=plan.uid, subject_id=str(merged.pk)).exists()

    operation = SynthesisOperation.objects.get(line=merged)
    operation_undo(actor=planner, operation=operation)
    merged.refresh_from_db()
    assert merged.state == LineState.REMOVED
    for old in roads:
        old.refresh_from_db()
        assert (old.state, old.merged_into_id) == (LineState.ACTIVE, None)
        assert old.decision == Decision.PENDING
    assert _totals(_active(plan)) == before
    with pytest.raises(ApplicationError) as caught:
        operation_undo(actor=planner, operation=operation)
    assert caught.value.message == "Việc này đã được hoàn tác rồi."


def test_undoing_a_merge_gives_back_the_decisions(setup: dict[str, Any]) -> None:
    planner, plan = setup["planner"], setup["plan"]
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    roads = list(plan.lines.filter(activity=ROAD).order_by("number"))
    line_decide(actor=planner, line=roads[0], decision=Decision.DEFERRED, reason="Chờ thiết kế")
    merged = lines_merge(actor=planner, plan=plan, lines=roads)
    operation_undo(actor=planner, operation=SynthesisOperation.objects.get(line=merged))
    roads[0].refresh_from_db()
    assert (roads[0].decision, roads[0].decision_reason) == (Decision.DEFERRED, "Chờ thiết kế")
    assert roads[0].decision_origin == DecisionOrigin.MANUAL


def test_merge_refuses_what_is_not_the_same_work(setup: dict[str, Any]) -> None:
    planner, plan = setup["planner"], setup["plan"]
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    road = plan.lines.filter(activity=ROAD).order_by("number").first()
    school = plan.lines.get(sector__code="GD")
    first, second = sorted([road, school], key=lambda x: x.number)
    count = CommuneLine.objects.count()
    with pytest.raises(ApplicationError) as caught:
        lines_merge(actor=planner, plan=plan, lines=[road, school])
    assert caught.value.message == (
        f"Dòng {first.number} và dòng {second.number} thuộc hai lĩnh vực khác nhau "
        f"({first.sector.name}, {second.sector.name}); chỉ gộp được cùng một công trình."
    )
    with pytest.raises(ApplicationError) as caught:
        lines_merge(actor=planner, plan=plan, lines=[road])
    assert caught.value.message == "Hãy đánh dấu ít nhất hai dòng để gộp."
    assert CommuneLine.objects.count() == count
    assert plan.lines.active().count() == 4


def test_split_apportions_every_amount_and_can_be_undone(setup: dict[str, Any]) -> None:
    planner, plan = setup["planner"], setup["plan"]
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    school = plan.lines.get(sector__code="GD")
    parts = line_split(
        actor=planner,
        line=school,
        parts=[
            Part("Sửa mái phòng học", "Điểm trường chính", D("250")),
            Part("Sửa nền phòng học", "Điểm trường lẻ", D("150")),
        ],
    )
    assert [p.total_cost_mvnd for p in parts] == [D("250"), D("150")]
    assert sum((p.contribution_mvnd for p in parts), D(0)) == D("50")
    assert sum((p.external_support_mvnd for p in parts), D(0)) == D("350")
    assert [p.contribution_mvnd for p in parts] == [D("31.250"), D("18.750")]
    for part in parts:
        (source,) = part.sources.all()
        assert source.village_line == school.sources.get().village_line
        assert source.share == part.share
    school.refresh_from_db()
    assert school.state == LineState.SPLIT
    operation_undo(actor=planner, operation=SynthesisOperation.objects.get(line=school))
    school.refresh_from_db()
    assert school.state == LineState.ACTIVE
    assert all(CommuneLine.objects.get(pk=p.pk).state == LineState.REMOVED for p in parts)


def test_split_parts_must_add_up_and_nothing_changes_otherwise(setup: dict[str, Any]) -> None:
    planner, plan = setup["planner"], setup["plan"]
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    school = plan.lines.get(sector__code="GD")
    with pytest.raises(ApplicationError) as caught:
        line_split(
            actor=planner,
            line=school,
            parts=[Part("Phần 1", "", D("250")), Part("Phần 2", "", D("100"))],
        )
    assert caught.value.message == (
        "Kinh phí các phần cộng lại là 350 triệu đồng nhưng dòng có tổng kinh phí "
        "400 triệu đồng; hai số phải bằng nhau."
    )
    school.refresh_from_db()
    assert school.state == LineState.ACTIVE
    assert not school.parts.exists()


def test_resynthesis_keeps_unchanged_decisions_and_flags_the_rest(setup: dict[str, Any]) -> None:
    planner, plan = setup["planner"], setup["plan"]
    plan_a, plan_b, _plan_c = setup["plans"]
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    for line in _active(plan):
        line_decide(actor=planner, line=line, decision=Decision.DEFERRED, reason="Năm sau")
    school_village_line = plan_a.lines.get(sector__code="GD")
    training = plan_b.lines.get(sector__code="NN")
    # plan B is returned, edited and sent again: a new line, the training line deleted;
    # plan A's classroom costs more.
    ProposalLine.objects.filter(pk=school_village_line.pk).update(
        total_cost_mvnd=D("450"), external_support_mvnd=D("400"), version=2
    )
    ProposalLine.objects.filter(pk=training.pk).update(deleted_at="2026-08-01T00:00:00Z")
    f.submitted_plan(
        plan_b.village,
        [f.money_line("90", "30", sector=f.agriculture(), activity="Mô hình nuôi gà")],
    )
    report = commune_plan_synthesise(actor=planner, round_=setup["round"])
    assert (report.new, report.changed, report.withdrawn, report.unchanged) == (1, 1, 1, 2)
    by_activity = {x.activity: x for x in plan.lines.all()}
    for road in plan.lines.filter(activity=ROAD):
        assert (road.decision, road.review) == (Decision.DEFERRED, Review.NONE)
    school = by_activity["Sửa phòng học mẫu giáo"]
    assert (school.decision, school.review) == (Decision.PENDING, Review.CHANGED)
    assert school.total_cost_mvnd == D("450")
    assert "Thôn Diên Sanh đã sửa: tổng kinh phí" in school.review_note
    assert school.review_note.endswith("Quyết định trước đó: Hoãn lại.")
    new = by_activity["Mô hình nuôi gà"]
    assert (new.review, new.decision) == (Review.NEW, Decision.PENDING)
    gone = by_activity["Tập huấn chăn nuôi"]
    assert (gone.state, gone.review) == (LineState.WITHDRAWN, Review.WITHDRAWN)
    again = commune_plan_synthesise(actor=planner, round_=setup["round"])
    assert (again.new, again.changed, again.withdrawn, again.unchanged) == (0, 0, 0, 4)


def test_a_returned_plan_is_withdrawn_until_it_is_sent_again(setup: dict[str, Any]) -> None:
    planner = setup["planner"]
    plan_a = setup["plans"][0]
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    VillagePlan.objects.filter(pk=plan_a.pk).update(status=PlanStatus.RETURNED)
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    from_a = CommuneLine.objects.filter(sources__village_line__plan=plan_a).distinct()
    assert {x.state for x in from_a} == {LineState.WITHDRAWN}
    VillagePlan.objects.filter(pk=plan_a.pk).update(status=PlanStatus.SUBMITTED)
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    assert {x.state for x in from_a.all()} == {LineState.ACTIVE}
    assert {x.review for x in from_a.all()} == {Review.CHANGED}
    assert LineSource.objects.filter(withdrawn=True).count() == 0


def test_a_merged_line_follows_a_change_in_one_village(setup: dict[str, Any]) -> None:
    planner, plan = setup["planner"], setup["plan"]
    plan_b = setup["plans"][1]
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    merged = lines_merge(actor=planner, plan=plan, lines=list(plan.lines.filter(activity=ROAD)))
    ProposalLine.objects.filter(plan=plan_b, activity=ROAD).update(
        total_cost_mvnd=D("700"), external_support_mvnd=D("600")
    )
    commune_plan_synthesise(actor=planner, round_=setup["round"])
    merged.refresh_from_db()
    assert (merged.total_cost_mvnd, merged.external_support_mvnd) == (D("1300"), D("1100"))
    assert merged.review == Review.CHANGED


def test_a_commune_organisation_proposes_with_the_same_rules(setup: dict[str, Any]) -> None:
    planner, plan = setup["planner"], setup["plan"]
    data = {
        **f.pf.line_data(sector=f.agriculture(), activity="Mô hình sinh kế cho phụ nữ"),
        "organisation": "Hội Phụ nữ xã",
    }
    line = commune_line_create(actor=planner, plan=plan, data=data)
    assert line.is_commune_level and line.sources.count() == 0
    assert line.expenditure_type == "recurrent"
    with pytest.raises(ApplicationError) as caught:
        commune_line_create(actor=planner, plan=plan, data={**data, "total_cost_mvnd": D("150")})
    assert caught.value.message.startswith("Dòng 2, Tổng kinh phí: tổng kinh phí (150)")
    with pytest.raises(ApplicationError) as caught:
        commune_line_create(actor=planner, plan=plan, data={**data, "organisation": " "})
    assert caught.value.message == (
        "Dòng 2, Đơn vị đề xuất: hãy ghi ban ngành hoặc đoàn thể xã đề xuất, ví dụ Hội Phụ nữ xã."
    )
    assert plan.lines.count() == 1


def test_only_the_communes_planner_synthesises(setup: dict[str, Any]) -> None:
    other = CommuneFactory.create(name="Xã Khác", parent=hai_lang().parent)
    for actor in (f.planner(other), f.province_officer(hai_lang().parent), f.approver(hai_lang())):
        with pytest.raises(NotFoundError):
            commune_plan_synthesise(actor=actor, round_=setup["round"])
    assert not CommuneLine.objects.exists()


def _village_totals(round_: Any) -> tuple[Decimal, Decimal, Decimal]:
    totals = (
        ProposalLine.objects.alive()
        .filter(plan__round=round_, plan__status=PlanStatus.SUBMITTED)
        .aggregate(
            t=Sum("total_cost_mvnd"), c=Sum("contribution_mvnd"), s=Sum("external_support_mvnd")
        )
    )
    return (totals["t"], totals["c"], totals["s"])


def _funding(line: CommuneLine) -> dict[int, Decimal]:
    return dict(LineFunding.objects.filter(line=line).values_list("envelope_line", "amount_mvnd"))


def test_undoing_a_split_gives_back_the_line_its_funding_and_the_totals(
    setup: dict[str, Any],
) -> None:
    planner, plan, round_ = setup["planner"], setup["plan"], setup["round"]
    commune_plan_synthesise(actor=planner, round_=round_)
    budget = f.envelope_line(round_, f.commune_budget(), "1000")
    school = plan.lines.get(sector__code="GD")
    line_decide(
        actor=planner,
        line=school,
        decision=Decision.FUNDED,
        reason="Trường xuống cấp",
        funding={budget: D("350")},
    )
    before = _totals(_active(plan))
    assert before == _village_totals(round_)
    parts = line_split(
        actor=planner,
        line=school,
        parts=[Part("Sửa mái", "", D("300")), Part("Sửa nền", "", D("100"))],
    )
    assert _totals(_active(plan)) == before
    assert not _funding(school)
    line_decide(
        actor=planner,
        line=parts[0],
        decision=Decision.FUNDED,
        reason="Mái dột",
        funding={budget: parts[0].external_support_mvnd},
    )
    operation_undo(actor=planner, operation=SynthesisOperation.objects.get(line=school))
    school.refresh_from_db()
    assert (school.state, school.total_cost_mvnd, school.external_support_mvnd) == (
        LineState.ACTIVE,
        D("400"),
        D("350"),
    )
    assert (school.decision, school.decision_reason) == (Decision.FUNDED, "Trường xuống cấp")
    assert _funding(school) == {budget.pk: D("350")}
    for part in parts:
        part.refresh_from_db()
        assert part.state == LineState.REMOVED
        assert not _funding(part)
    assert _totals(_active(plan)) == before == _village_totals(round_)
    assert school.sources.get().share == D(1)
    used = LineFunding.objects.filter(envelope_line=budget).aggregate(s=Sum("amount_mvnd"))["s"]
    assert used == D("350")


def test_undoing_a_split_after_the_village_changed_takes_the_new_figures(
    setup: dict[str, Any],
) -> None:
    planner, plan, round_ = setup["planner"], setup["plan"], setup["round"]
    plan_a = setup["plans"][0]
    commune_plan_synthesise(actor=planner, round_=round_)
    school = plan.lines.get(sector__code="GD")
    line_split(
        actor=planner,
        line=school,
        parts=[Part("Sửa mái", "", D("300")), Part("Sửa nền", "", D("100"))],
    )
    ProposalLine.objects.filter(plan=plan_a, sector__code="GD").update(
        total_cost_mvnd=D("480"), external_support_mvnd=D("430")
    )
    commune_plan_synthesise(actor=planner, round_=round_)
    parts = list(school.parts.order_by("number"))
    assert [p.total_cost_mvnd for p in parts] == [D("360"), D("120")]
    assert _totals(_active(plan)) == _village_totals(round_)
    operation_undo(actor=planner, operation=SynthesisOperation.objects.get(line=school))
    school.refresh_from_db()
    assert (school.total_cost_mvnd, school.contribution_mvnd, school.external_support_mvnd) == (
        D("480"),
        D("50"),
        D("430"),
    )
    assert school.decision == Decision.PENDING
    assert _totals(_active(plan)) == _village_totals(round_)


def test_resynthesis_keeps_funded_lines_and_their_funding_when_unchanged(
    setup: dict[str, Any],
) -> None:
    planner, plan, round_ = setup["planner"], setup["plan"], setup["round"]
    plan_a = setup["plans"][0]
    commune_plan_synthesise(actor=planner, round_=round_)
    f.envelope_line(round_, f.ntp(), "2000", sector_=f.transport())
    f.envelope_line(round_, f.commune_budget(), "1000")
    allocation_run(actor=planner, plan=plan)
    before = {
        x.pk: (x.decision, x.decision_origin, x.decision_reason, _funding(x)) for x in _active(plan)
    }
    assert {state[0] for state in before.values()} == {Decision.FUNDED}
    assert {state[1] for state in before.values()} == {DecisionOrigin.ALLOCATION}
    school = plan.lines.get(sector__code="GD")
    ProposalLine.objects.filter(plan=plan_a, sector__code="GD").update(
        total_cost_mvnd=D("450"), external_support_mvnd=D("400")
    )
    report = commune_plan_synthesise(actor=planner, round_=round_)
    assert (report.changed, report.unchanged) == (1, 3)
    for line in _active(plan):
        if line.pk == school.pk:
            assert (line.decision, line.review) == (Decision.PENDING, Review.CHANGED)
            assert line.review_note.endswith("Quyết định trước đó: Đưa vào kế hoạch, có vốn.")
            assert not _funding(line)
        else:
            assert (line.decision, line.decision_origin, line.decision_reason, _funding(line)) == (
                before[line.pk]
            )
            assert line.review == Review.NONE


def test_resynthesis_records_the_reset_of_split_parts_in_the_history(
    setup: dict[str, Any],
) -> None:
    planner, plan, round_ = setup["planner"], setup["plan"], setup["round"]
    plan_a = setup["plans"][0]
    commune_plan_synthesise(actor=planner, round_=round_)
    school = plan.lines.get(sector__code="GD")
    parts = line_split(
        actor=planner,
        line=school,
        parts=[Part("Sửa mái", "", D("300")), Part("Sửa nền", "", D("100"))],
    )
    for part in parts:
        line_decide(actor=planner, line=part, decision=Decision.DEFERRED, reason="Chờ năm sau")
    ProposalLine.objects.filter(plan=plan_a, sector__code="GD").update(
        total_cost_mvnd=D("480"), external_support_mvnd=D("430")
    )
    commune_plan_synthesise(actor=planner, round_=round_)
    for part in parts:
        part.refresh_from_db()
        assert part.decision == Decision.PENDING
        last = AuditEntry.objects.filter(subject_id=str(part.pk), operation="update").latest("pk")
        assert last.before["decision"] == Decision.DEFERRED
        assert last.after["decision"] == Decision.PENDING
