"""Commune scoring (F10): the breakdown of a score, the planner's scores and rank changes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError
from kehoach.geo.tests.factories import hai_lang

from ..services.lines import commune_plan_synthesise, lines_merge, lines_with_sources
from ..services.scoring import (
    Criterion,
    line_rank_set,
    line_scores,
    line_scores_set,
    scores_clean,
)
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def plan_lines() -> dict[str, Any]:
    commune = hai_lang()
    a, b = f.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road = f.transport()
    f.submitted_plan(
        a,
        [
            f.money_line(
                "400", "100", sector=road, activity="Đường A", beneficiary_households=100,
                beneficiary_poor=40, priority=1,
            ),
            f.money_line(
                "200", "20", sector=road, activity="Cầu B", beneficiary_households=50,
                beneficiary_poor=5, priority=3,
            ),
        ],
    )  # fmt: skip
    f.submitted_plan(
        b,
        [
            f.money_line(
                "400", "100", sector=road, activity="Đường A", beneficiary_households=100,
                beneficiary_poor=10, priority=2,
            )
        ],
    )  # fmt: skip
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    return {"plan": f.commune_plan_for(round_), "planner": planner}


def _points(score: Any) -> dict[str, Decimal]:
    return {p.criterion.code: p.points for p in score.points}


def test_the_breakdown_follows_the_documented_formulas(plan_lines: dict[str, Any]) -> None:
    plan = plan_lines["plan"]
    lines = lines_with_sources(plan)
    scores = line_scores(plan, lines)
    by_name = {x.activity: scores[x.pk] for x in lines}
    bridge = _points(by_name["Cầu B"])
    # priority 3 of 1..3 → 5 × 1/3; one village; 50 households of 100 at most and 10% poor;
    # 4 million per household against the cheapest 4 → 5; contribution 10% against 25% → 2
    assert bridge["village_priority"] == D("1.67")
    assert bridge["villages_proposing"] == D("1")
    assert bridge["beneficiaries"] == D("1.50")
    assert bridge["cost_per_beneficiary"] == D("5.00")
    assert bridge["community_contribution"] == D("2.00")
    assert bridge["urgency_safety"] == D("0")
    first_road = [s for s in scores.values() if s.line.activity == "Đường A"]
    assert {_points(s)["village_priority"] for s in first_road} == {D("5.00"), D("3.33")}
    # nine criteria, equal weights: the score is the mean
    total = sum(bridge.values(), D(0))
    assert by_name["Cầu B"].score == (total / 9).quantize(D("0.01"))
    assert sorted(s.rank for s in scores.values()) == [1, 2, 3]


def test_a_merged_line_counts_its_villages(plan_lines: dict[str, Any]) -> None:
    plan, planner = plan_lines["plan"], plan_lines["planner"]
    merged = lines_merge(
        actor=planner, plan=plan, lines=list(plan.lines.filter(activity="Đường A"))
    )
    lines = lines_with_sources(plan)
    points = _points(line_scores(plan, lines)[merged.pk])
    assert points["villages_proposing"] == D("2")
    assert points["village_priority"] == D("5.00")


def test_the_planner_scores_the_judged_criteria_within_0_to_5(plan_lines: dict[str, Any]) -> None:
    plan, planner = plan_lines["plan"], plan_lines["planner"]
    line = plan.lines.get(activity="Cầu B")
    with pytest.raises(ApplicationError) as caught:
        line_scores_set(actor=planner, line=line, scores={"urgency_safety": "7"})
    assert caught.value.message == (
        "Tính cấp thiết, an toàn: điểm phải là số từ 0 đến 5, hoặc để trống."
    )
    line_scores_set(
        actor=planner,
        line=line,
        scores={"urgency_safety": "4,5", "readiness": "", "village_priority": "5"},
    )
    line.refresh_from_db()
    assert line.manual_scores == {"urgency_safety": 4.5}
    points = _points(line_scores(plan, lines_with_sources(plan))[line.pk])
    assert points["urgency_safety"] == D("4.50")
    assert points["village_priority"] == D("1.67")


def test_a_rank_by_hand_needs_a_reason_and_is_recorded(plan_lines: dict[str, Any]) -> None:
    plan, planner = plan_lines["plan"], plan_lines["planner"]
    line = plan.lines.get(activity="Cầu B")
    with pytest.raises(ApplicationError) as caught:
        line_rank_set(actor=planner, line=line, rank=1, reason="")
    assert caught.value.message == (
        "Hãy ghi lý do vì sao dòng này có thứ hạng khác với thứ hạng theo điểm."
    )
    line_rank_set(actor=planner, line=line, rank=1, reason="Cầu bị sạt lở, nguy hiểm")
    scores = line_scores(plan, lines_with_sources(plan))
    assert scores[line.pk].rank == 1
    assert scores[line.pk].computed_rank != 1
    entry = AuditEntry.objects.filter(plan_uid=plan.uid, subject_id=str(line.pk)).latest("id")
    assert entry.after == {"rank_override": 1, "rank_reason": "Cầu bị sạt lở, nguy hiểm"}
    line_rank_set(actor=planner, line=line, rank=None, reason="")
    scores = line_scores(plan, lines_with_sources(plan))
    assert scores[line.pk].rank == scores[line.pk].computed_rank


def _weights(plan: Any, weights: dict[str, int]) -> Any:
    """Give the round's profile these criteria and weights; the plan as read afresh."""
    names = {
        "village_priority": "Thứ tự ưu tiên của thôn",
        "urgency_safety": "Tính cấp thiết, an toàn",
        "community_contribution": "Tỷ lệ đóng góp của cộng đồng",
    }
    profile = plan.round.profile
    profile.scoring_criteria = [
        {"code": code, "name": names[code], "weight": weight} for code, weight in weights.items()
    ]
    profile.save(update_fields=["scoring_criteria"])
    return type(plan).objects.select_related("round__profile").get(pk=plan.pk)


def test_unequal_weights_change_the_score_and_the_rank_as_they_say(
    plan_lines: dict[str, Any], client: Any
) -> None:
    """Points per criterion (0–5) do not depend on the weights; the score is Σ weight × points
    / Σ weights. Points here: the bridge (priority 3) 1.67 for priority, 5 for urgency (scored
    by the commune), 2 for contribution; the roads 5.00 and 3.33 for priority, 0 for urgency,
    5 for contribution."""
    plan, planner = plan_lines["plan"], plan_lines["planner"]
    bridge = plan.lines.get(activity="Cầu B")
    line_scores_set(actor=planner, line=bridge, scores={"urgency_safety": "5"})

    def scored(weights: dict[str, int]) -> dict[str, Any]:
        fresh = _weights(plan, weights)
        lines = lines_with_sources(fresh)
        scores = line_scores(fresh, lines)
        return {
            f"{s.line.activity} {s.line.village_priority}": s
            for s in sorted(scores.values(), key=lambda s: s.rank)
        }

    # priority counts three times as much as urgency; contribution not at all
    first = scored({"village_priority": 3, "urgency_safety": 1, "community_contribution": 0})
    assert {k: s.score for k, s in first.items()} == {
        "Đường A 1": D("3.75"),  # (3 × 5 + 1 × 0 + 0 × 5) / 4
        "Cầu B 3": D("2.50"),  # (3 × 1.67 + 1 × 5 + 0 × 2) / 4 = 2.5025
        "Đường A 2": D("2.50"),  # (3 × 3.33 + 0 + 0) / 4 = 2.4975
    }
    # equal scores (to two decimals): the higher village priority first
    assert list(first) == ["Đường A 1", "Đường A 2", "Cầu B 3"]
    breakdown = [(p.criterion.code, p.criterion.weight, p.points) for p in first["Cầu B 3"].points]
    assert breakdown == [
        ("village_priority", D(3), D("1.67")),
        ("urgency_safety", D(1), D("5.00")),
        ("community_contribution", D(0), D("2.00")),
    ]

    # urgency counts three times as much as priority, contribution twice
    second = scored({"village_priority": 1, "urgency_safety": 3, "community_contribution": 2})
    assert {k: s.score for k, s in second.items()} == {
        "Cầu B 3": D("3.45"),  # (1.67 + 3 × 5 + 2 × 2) / 6 = 3.445
        "Đường A 1": D("2.50"),  # (5 + 0 + 2 × 5) / 6
        "Đường A 2": D("2.22"),  # (3.33 + 0 + 2 × 5) / 6 = 2.2217
    }
    assert list(second) == ["Cầu B 3", "Đường A 1", "Đường A 2"]
    breakdown = [(p.criterion.code, p.criterion.weight, p.points) for p in second["Cầu B 3"].points]
    assert breakdown == [
        ("village_priority", D(1), D("1.67")),
        ("urgency_safety", D(3), D("5.00")),
        ("community_contribution", D(2), D("2.00")),
    ]
    for score in second.values():
        weighted = sum((p.criterion.weight * p.points for p in score.points), D(0))
        assert score.score == (weighted / 6).quantize(D("0.01"), rounding=ROUND_HALF_UP)

    # the scoring page shows the weights beside the criteria and the new order
    client.force_login(planner)
    page = client.get(f"/cdp/{plan.uid}/scoring/?order=rank").content.decode()
    assert '<span class="crit-meta">×3 · xã chấm</span>' in page
    assert '<span class="crit-meta">×2 · tự tính</span>' in page
    assert page.index("Cầu B") < page.index("Đường A")


# --- the planner's scores: one writer for the grid, the line's page and the workbook ----------


def test_scores_named_are_set_and_the_others_of_the_line_kept(plan_lines: dict[str, Any]) -> None:
    plan, planner = plan_lines["plan"], plan_lines["planner"]
    line = plan.lines.get(activity="Cầu B")
    line_scores_set(actor=planner, line=line, scores={"urgency_safety": "4", "readiness": "2"})
    line_scores_set(actor=planner, line=line, scores={"readiness": "3,5"})
    line.refresh_from_db()
    assert line.manual_scores == {"urgency_safety": 4, "readiness": 3.5}
    line_scores_set(actor=planner, line=line, scores={"urgency_safety": ""})
    line.refresh_from_db()
    assert line.manual_scores == {"readiness": 3.5}


def test_nothing_to_change_writes_nothing(plan_lines: dict[str, Any]) -> None:
    plan, planner = plan_lines["plan"], plan_lines["planner"]
    line = plan.lines.get(activity="Cầu B")
    line_scores_set(actor=planner, line=line, scores={"urgency_safety": "4"})
    line.refresh_from_db()
    version, entries = line.version, AuditEntry.objects.count()
    line_scores_set(actor=planner, line=line, scores={"urgency_safety": "4,0", "readiness": ""})
    line.refresh_from_db()
    assert (line.version, AuditEntry.objects.count()) == (version, entries)
    line_scores_set(actor=planner, line=line, scores={"urgency_safety": "4,5"})
    line.refresh_from_db()
    assert (line.version, AuditEntry.objects.count()) == (version + 1, entries + 1)


def test_a_line_changed_since_it_was_opened_is_refused(plan_lines: dict[str, Any]) -> None:
    plan, planner = plan_lines["plan"], plan_lines["planner"]
    line = plan.lines.get(activity="Cầu B")
    opened = line.version
    line_scores_set(
        actor=planner, line=line, scores={"urgency_safety": "4"}, expected_version=opened
    )
    with pytest.raises(ApplicationError) as caught:
        line_scores_set(
            actor=planner, line=line, scores={"readiness": "2"}, expected_version=opened
        )
    assert caught.value.code == "conflict"
    assert caught.value.message.startswith("Dòng 2 đã được người khác sửa sau khi bạn mở.")
    line.refresh_from_db()
    assert (line.manual_scores, line.version) == ({"urgency_safety": 4}, opened + 1)


@pytest.mark.parametrize(
    "typed", ["5,01", "-0,5", "năm", "4,5 điểm", "NaN", "-Infinity", "sNaN", "1e1", True, 6.0]
)
def test_every_wrong_score_gets_the_same_message(typed: Any) -> None:
    criteria = [
        Criterion("urgency_safety", "Tính cấp thiết, an toàn", D(1), False),
        Criterion("village_priority", "Thứ tự ưu tiên của thôn", D(1), True),
    ]
    cleaned, problems = scores_clean(criteria, {"urgency_safety": typed, "village_priority": 5})
    assert cleaned == {}
    [problem] = problems
    assert problem.message == "Tính cấp thiết, an toàn: điểm phải là số từ 0 đến 5, hoặc để trống."
    assert problem.detail == "điểm phải là số từ 0 đến 5, hoặc để trống."
    assert problem.where.field == "score_urgency_safety"


def test_right_scores_are_cleaned_as_stored() -> None:
    criteria = [Criterion(code, code, D(1), False) for code in ("a", "b", "c", "d", "e", "f")]
    cleaned, problems = scores_clean(
        criteria, {"a": " 4 ", "b": "4.5", "c": "0", "d": 5, "e": "", "f": None, "x": "9"}
    )
    assert problems == []
    assert cleaned == {"a": 4, "b": 4.5, "c": 0, "d": 5, "e": None, "f": None}
