"""Allocation of the envelope to the commune plan (R16–R18) through the database, the planner's
decisions by hand, and the worked example of the user guide (reasons word for word)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from kehoach.core.errors import ApplicationError
from kehoach.geo.tests.factories import hai_lang

from ..choices import AllocationMode, AreaScope, Decision, DecisionOrigin
from ..models import AllocationRun, CommuneLine, EnvelopeLine, LineFunding
from ..services.envelope import envelope_line_update
from ..services.funding import allocation_apply, allocation_run, line_decide, line_decision_clear
from ..services.lines import commune_plan_synthesise
from ..services.scoring import line_rank_set
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def example() -> dict[str, Any]:
    """The worked example of docs/user-guide/ke-hoach-xa.md:

    Envelope: NTP26 for transport 1 000; commune budget NS-X 200 for anything.
    Lines (need = external support): road A 500 and road B 600 (transport, priority 1,
    the villages asked for NTP26), classroom 350 (education, priority 1), training 30
    (agriculture, priority 2). Ranks set by hand: A, B, classroom, training.
    """
    commune = hai_lang()
    a, b, c = f.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh", "Thôn Câu Nhi"])
    ntp, nsx = f.ntp(), f.commune_budget()
    road, school, farm = f.transport(), f.education(), f.agriculture()
    f.submitted_plan(
        a,
        [f.money_line("600", "100", sector=road, activity="Đường xóm Trên", proposed_source=ntp)],
    )
    f.submitted_plan(
        b,
        [f.money_line("700", "100", sector=road, activity="Đường ra đồng", proposed_source=ntp)],
    )
    f.submitted_plan(
        c,
        [
            f.money_line(
                "400", "50", sector=school, activity="Sửa phòng học", proposed_source=None
            ),
            f.money_line(
                "30", "0", sector=farm, activity="Tập huấn", priority=2, proposed_source=None
            ),
        ],
    )
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = f.commune_plan_for(round_)
    lines = {x.activity: x for x in plan.lines.all()}
    for rank, name in enumerate(
        ["Đường xóm Trên", "Đường ra đồng", "Sửa phòng học", "Tập huấn"], 1
    ):
        line_rank_set(actor=planner, line=lines[name], rank=rank, reason="Ví dụ")
    envelope = {
        "ntp": f.envelope_line(round_, ntp, "1000", sector_=road),
        "nsx": f.envelope_line(round_, nsx, "200"),
    }
    return {"plan": plan, "planner": planner, "lines": lines, "envelope": envelope}


def _state(plan: Any) -> dict[str, tuple[str, str]]:
    return {x.activity: (x.decision, x.decision_reason) for x in plan.lines.active()}


def test_worked_example_reasons_word_for_word(example: dict[str, Any]) -> None:
    plan = example["plan"]
    runs = allocation_run(actor=example["planner"], plan=plan)
    assert runs[AllocationMode.GREEDY].applied_at is not None
    assert _state(plan) == {
        "Đường xóm Trên": (
            Decision.FUNDED,
            "Được bố trí vốn: NTP26 lĩnh vực Hạ tầng: giao thông 500 triệu.",
        ),
        "Đường ra đồng": (
            Decision.FUNDED,
            "Được bố trí vốn: NTP26 lĩnh vực Hạ tầng: giao thông 500 triệu; NS-X 100 triệu.",
        ),
        "Sửa phòng học": (
            Decision.UNFUNDED,
            "Vượt khung vốn NS-X: còn 100 triệu, cần 350 triệu.",
        ),
        "Tập huấn": (Decision.FUNDED, "Được bố trí vốn: NS-X 30 triệu."),
    }
    used = dict(
        LineFunding.objects.values_list("envelope_line__source__code").annotate(
            s=Sum("amount_mvnd")
        )
    )
    assert used == {"NTP26": D("1000"), "NS-X": D("130")}
    greedy, optimal = runs[AllocationMode.GREEDY], runs[AllocationMode.OPTIMAL]
    assert greedy.objective <= optimal.objective
    assert (greedy.funded_count, greedy.funded_mvnd) == (3, D("1130"))


def test_a_decision_by_hand_that_breaks_a_rule_is_refused(example: dict[str, Any]) -> None:
    planner, lines, envelope = example["planner"], example["lines"], example["envelope"]
    school = lines["Sửa phòng học"]
    with pytest.raises(ApplicationError) as caught:
        line_decide(
            actor=planner,
            line=school,
            decision=Decision.FUNDED,
            reason="Ưu tiên trường học theo nghị quyết HĐND xã",
            funding={envelope["nsx"]: D("200"), envelope["ntp"]: D("150")},
        )
    assert caught.value.message == (
        "NTP26 lĩnh vực Hạ tầng: giao thông không chi được cho dòng này: chỉ dành cho lĩnh "
        "vực Hạ tầng: giao thông."
    )
    with pytest.raises(ApplicationError) as caught:
        line_decide(
            actor=planner,
            line=school,
            decision=Decision.FUNDED,
            reason="Ưu tiên trường học",
            funding={envelope["nsx"]: D("350")},
        )
    assert caught.value.message == "Vượt khung vốn NS-X: còn 200 triệu, đề nghị 350 triệu."
    with pytest.raises(ApplicationError) as caught:
        line_decide(actor=planner, line=school, decision=Decision.REJECTED, reason=" ")
    assert caught.value.message == "Hãy ghi lý do của quyết định này; thôn sẽ đọc lý do."
    school.refresh_from_db()
    assert (school.decision, school.decision_origin) == (Decision.PENDING, DecisionOrigin.NONE)
    assert not LineFunding.objects.exists()


def test_a_decision_by_hand_is_kept_and_can_be_given_back(example: dict[str, Any]) -> None:
    plan, planner, lines = example["plan"], example["planner"], example["lines"]
    line_decide(
        actor=planner,
        line=lines["Đường ra đồng"],
        decision=Decision.DEFERRED,
        reason="Chờ giải phóng mặt bằng",
    )
    allocation_run(actor=planner, plan=plan)
    state = _state(plan)
    assert state["Đường ra đồng"] == (Decision.DEFERRED, "Chờ giải phóng mặt bằng")
    assert state["Đường xóm Trên"][0] == Decision.FUNDED
    assert state["Sửa phòng học"] == (
        Decision.UNFUNDED,
        "Vượt khung vốn NS-X: còn 200 triệu, cần 350 triệu.",
    )
    road_b = CommuneLine.objects.get(pk=lines["Đường ra đồng"].pk)
    assert road_b.decision_origin == DecisionOrigin.MANUAL
    line_decision_clear(actor=planner, line=road_b)
    road_b.refresh_from_db()
    assert (road_b.decision, road_b.decision_origin) == (Decision.PENDING, DecisionOrigin.NONE)


def test_a_run_cannot_be_applied_once_the_plan_changed(example: dict[str, Any]) -> None:
    plan, planner, envelope = example["plan"], example["planner"], example["envelope"]
    runs = allocation_run(actor=planner, plan=plan)
    allocation_apply(actor=planner, run=runs[AllocationMode.OPTIMAL])
    assert AllocationRun.objects.get(pk=runs[AllocationMode.OPTIMAL].pk).applied_at is not None
    officer = f.province_officer(hai_lang().parent)
    envelope_line_update(actor=officer, line=envelope["ntp"], data={"amount_mvnd": D("900")})
    with pytest.raises(ApplicationError) as caught:
        allocation_apply(actor=planner, run=runs[AllocationMode.GREEDY])
    assert caught.value.message == (
        "Kế hoạch hoặc khung nguồn lực đã thay đổi sau lần phân bổ này; hãy chạy phân bổ vốn lại."
    )


def test_area_rules_keep_restricted_money_for_its_villages(example: dict[str, Any]) -> None:
    plan, planner, envelope = example["plan"], example["planner"], example["envelope"]
    village = hai_lang().children.get(name="Thôn Mỹ Chánh")
    EnvelopeLine.objects.filter(pk=envelope["ntp"].pk).update(area_scope=AreaScope.LISTED)
    envelope["ntp"].area_villages.set([village])
    allocation_run(actor=planner, plan=plan)
    state = _state(plan)
    assert state["Đường xóm Trên"][0] == Decision.UNFUNDED
    assert "chỉ dành cho các thôn Thôn Mỹ Chánh" in state["Đường xóm Trên"][1]
    assert state["Đường ra đồng"][0] == Decision.FUNDED


def test_no_envelope_line_is_ever_exceeded(example: dict[str, Any]) -> None:
    plan, planner = example["plan"], example["planner"]
    allocation_run(actor=planner, plan=plan)
    for line in EnvelopeLine.objects.all():
        used = line.funding.aggregate(s=Sum("amount_mvnd"))["s"] or D(0)
        assert used <= line.amount_mvnd
    for line in plan.lines.active():
        drawn = line.funding.aggregate(s=Sum("amount_mvnd"))["s"] or D(0)
        if line.decision == Decision.FUNDED:
            assert drawn == line.external_support_mvnd
        else:
            assert drawn == 0
