"""The demo village plans of the 2027 round: built through the services, valid, idempotent.

The two demo communes are made with the geo factories (not the 3,321 official units) and the
catalogue with its service, then the real demo commands run."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from kehoach.approvals.models import AuditEntry, StatusChange
from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import (
    BasicInfo,
    PlanningRound,
    Problem,
    ProposalLine,
    RankingItem,
    SwotEntry,
    VillageMeeting,
    VillagePlan,
)
from kehoach.plans.services.checks import plan_checks
from kehoach.plans.services.lines import LINE_FIELDS, validate_line
from kehoach.plans.services.meeting import meeting_result

pytestmark = pytest.mark.django_db

DUPLICATES = {
    "Bê tông hóa đường liên thôn Diên Sanh – Mỹ Chánh": {"Thôn Diên Sanh", "Thôn Mỹ Chánh"},
    "Kiên cố hóa kênh mương nội đồng liên thôn Phước Điền – Hội Kỳ": {
        "Thôn Phước Điền",
        "Thôn Hội Kỳ",
    },
    "Nạo vét, kiên cố hóa mương thoát nước liên tổ dân phố 1 – 2": {
        "Tổ dân phố 1",
        "Tổ dân phố 2",
    },
}


@pytest.fixture
def demo() -> str:
    hai_lang()
    dong_hoi()
    catalog_load_defaults()
    call_command("load_demo", stdout=_Sink())
    out = _Sink()
    call_command("load_demo_rounds", stdout=out)
    return out.text


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def _round(code: str) -> PlanningRound:
    return PlanningRound.objects.get(commune__code=code, plan_year=2027)


def _check_twelve_submitted_plans_that_pass_every_rule() -> None:
    plans = list(
        VillagePlan.objects.filter(round=_round("19702"))
        .select_related("village", "round__profile")
        .order_by("village__code")
    )
    assert len(plans) == 12
    assert {p.status for p in plans} == {PlanStatus.SUBMITTED}
    for plan in plans:
        assert all(c.ok for c in plan_checks(plan)), plan.village.name
        lines = list(plan.lines.alive().select_related("sector", "unit", "proposed_source"))
        assert 4 <= len(lines) <= 8, plan.village.name
        assert 3 <= len({line.sector_id for line in lines}) <= 5, plan.village.name
        for line in lines:
            # The service's own validation accepts the stored values as they are.
            values = validate_line(
                plan.round, line.number, {f: getattr(line, f) for f in LINE_FIELDS}
            )
            assert values["total_cost_mvnd"] == line.total_cost_mvnd
            assert line.total_cost_mvnd == line.contribution_mvnd + line.external_support_mvnd
            assert line.contribution_mvnd == (
                line.contribution_cash_mvnd
                + line.contribution_labour_mvnd
                + line.contribution_materials_mvnd
            )
            assert line.contribution_labour_mvnd == line.contribution_labour_days * Decimal("0.2")
            assert line.priority in (1, 2, 3)
            assert line.proposed_source is not None
            assert line.proposed_source.code in {"NTP26", "NS-X", "NS-T", "ODA"}
            assert line.start_month.year == line.end_month.year == 2027
            assert 0 <= line.beneficiary_poor <= line.beneficiary_households
            assert Decimal(10) <= line.total_cost_mvnd <= Decimal(1500), line.activity
            # R11: the meeting that decided the contribution is recorded on submit.
            assert (line.meeting_id is not None) == (line.contribution_mvnd > 0)


def _check_basic_information_findings_and_a_quorate_meeting() -> None:
    for plan in VillagePlan.objects.filter(round=_round("19702")).select_related("round__profile"):
        info = BasicInfo.objects.get(plan=plan)
        assert info.total_households is not None
        assert 150 <= info.total_households <= 450
        assert info.poor_households is not None
        assert 0.03 <= info.poor_households / info.total_households <= 0.12
        assert info.sources["total_households"]["source"]
        assert info.sources["poor_households"]["date"] == "2025-12-31"
        assert 2 <= SwotEntry.objects.filter(plan=plan).count() <= 3
        problems = list(Problem.objects.filter(plan=plan).prefetch_related("solutions__lines"))
        assert 2 <= len(problems) <= 3
        for problem in problems:  # each solution is a row; the proposals hang on solutions
            solutions = list(problem.solutions.all())
            assert len(solutions) >= 1
            assert any(solution.lines.all() for solution in solutions)
        ranking = RankingItem.objects.filter(plan=plan)
        assert ranking.filter(line__isnull=False).count() >= 2
        meeting = VillageMeeting.objects.get(plan=plan)
        assert datetime.date(2026, 5, 1) <= meeting.held_on <= datetime.date(2026, 6, 30)
        assert meeting.households_total == info.total_households
        result = meeting_result(meeting, plan.round.profile)
        assert result.quorate and result.approved
        assert result.households_pct is not None
        assert 55 <= result.households_pct <= 80
        assert 30 <= meeting.participants_women * 100 / meeting.participants_total <= 50


def _check_inter_village_works_proposed_twice() -> None:
    villages_by_activity: dict[str, set[str]] = defaultdict(set)
    for activity, village in ProposalLine.objects.alive().values_list(
        "activity", "plan__village__name"
    ):
        villages_by_activity[activity].add(village)
    shared = {a: v for a, v in villages_by_activity.items() if len(v) > 1}
    assert shared == DUPLICATES
    for activity in DUPLICATES:
        pair = ProposalLine.objects.filter(activity=activity)
        assert len({(line.quantity, line.total_cost_mvnd, line.unit_id) for line in pair}) == 1


def _check_totals_and_the_ward_states(demo: str) -> None:
    hai_lang_lines = ProposalLine.objects.alive().filter(plan__round=_round("19702"))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for village, total in hai_lang_lines.values_list("plan__village__name", "total_cost_mvnd"):
        totals[village] += total
    assert all(Decimal(500) <= total <= Decimal(5000) for total in totals.values()), totals
    for activity in DUPLICATES:
        for work in ProposalLine.objects.filter(activity=activity):
            assert Decimal(300) <= work.total_cost_mvnd <= Decimal(1500)

    ward = {
        plan.village.name: plan
        for plan in VillagePlan.objects.filter(round=_round("18880")).select_related("village")
    }
    assert ward["Tổ dân phố 1"].status == ward["Tổ dân phố 2"].status == PlanStatus.SUBMITTED
    assert ward["Tổ dân phố 3"].status == PlanStatus.DRAFT
    assert ward["Tổ dân phố 3"].lines.exists()
    assert not VillageMeeting.objects.filter(plan=ward["Tổ dân phố 3"]).exists()
    assert not ward["Tổ dân phố Đồng Phú"].lines.exists()
    assert "Kỳ lập kế hoạch mẫu năm 2027: 2 mới" in demo
    assert "15 mới (14 đã nộp xã, 1 bản nháp)" in demo


def _check_history_shows_the_commune_planner() -> None:
    plan = VillagePlan.objects.get(round=_round("19702"), village__name="Thôn Diên Sanh")
    actors = set(AuditEntry.objects.filter(plan_uid=plan.uid).values_list("actor__username"))
    assert actors == {("xa.hailang",)}
    submitted_by = StatusChange.objects.filter(plan_uid=plan.uid, action="submit").values_list(
        "actor__username", flat=True
    )
    assert list(submitted_by) == ["xa.hailang"]
    ward_plan = VillagePlan.objects.get(round=_round("18880"), village__name="Tổ dân phố 1")
    assert set(
        AuditEntry.objects.filter(plan_uid=ward_plan.uid).values_list("actor__username", flat=True)
    ) == {"xa.donghoi"}


def _check_a_second_run_changes_nothing() -> None:
    def state() -> tuple[int, ...]:
        return (
            PlanningRound.objects.count(),
            ProposalLine.objects.count(),
            AuditEntry.objects.count(),
            StatusChange.objects.count(),
            Problem.objects.count(),
            RankingItem.objects.count(),
            VillageMeeting.objects.count(),
        )

    before = state()
    lines = list(ProposalLine.objects.order_by("pk").values_list("activity", "total_cost_mvnd"))
    out = _Sink()
    call_command("load_demo_rounds", stdout=out)
    assert state() == before
    assert list(ProposalLine.objects.order_by("pk").values_list("activity", "total_cost_mvnd")) == (
        lines
    )
    assert "0 mới; kế hoạch thôn mẫu: 0 mới" in out.text
    assert "15 đã có đề xuất được giữ nguyên" in out.text


def test_hai_lang_plans_are_complete_valid_and_submitted_by_the_planner(demo: str) -> None:
    # One demo build serves several checks: building it is most of the test's time.
    _check_twelve_submitted_plans_that_pass_every_rule()
    _check_basic_information_findings_and_a_quorate_meeting()
    _check_history_shows_the_commune_planner()


def test_duplicates_totals_mixed_states_and_a_second_run(demo: str) -> None:
    _check_inter_village_works_proposed_twice()
    _check_totals_and_the_ward_states(demo)
    _check_a_second_run_changes_nothing()


@override_settings(KEHOACH_DEMO=False)
def test_the_command_refuses_when_the_demo_is_off() -> None:
    hai_lang()
    catalog_load_defaults()
    with pytest.raises(Exception, match="KEHOACH_DEMO"):
        call_command("load_demo_rounds")
    assert not PlanningRound.objects.exists()
