"""The summaries of the commune plans' lines (issue 16, point 3): every writer of lines, funding
and plan status leaves them equal to a full recomputation; ``check_summaries`` reports a
difference made by hand; the province roll-up read from them equals the roll-up recomputed from
the lines, on generated data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum

from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.tests.factories import dong_hoi, hai_lang, quang_tri
from kehoach.monitoring.scale import ScaleOptions, generate
from kehoach.plans.tests import factories as pf

from ..choices import CommunePlanStatus, Decision, LineState
from ..models import CommuneLine, LineFunding, LineSummary, PlanSummary
from ..reports import province_rollup
from ..services.envelope import envelope_line_delete
from ..services.funding import allocation_run, line_decide, line_decision_clear
from ..services.lines import (
    Part,
    commune_line_create,
    commune_line_remove,
    commune_plan_synthesise,
    line_split,
    lines_merge,
    operation_undo,
)
from ..services.workflow import commune_plan_transition
from ..summaries import summaries_differences, summaries_refresh
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world() -> dict[str, Any]:
    commune = hai_lang()
    a, b = f.villages(commune, ["Thôn Một", "Thôn Hai"])
    road, school = f.transport(), f.education()
    f.submitted_plan(
        a,
        [
            f.money_line("500", "100", sector=road, activity="Đường", priority=1),
            f.money_line("300", "30", sector=school, activity="Lớp học", priority=2),
        ],
    )
    f.submitted_plan(b, [f.money_line("500", "100", sector=road, activity="Đường", priority=1)])
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    ntp = f.envelope_line(round_, f.ntp(), "450", sector_=road)
    budget = f.envelope_line(round_, f.commune_budget(), "2000")
    plan = f.commune_plan_for(round_)
    return {"commune": commune, "planner": planner, "plan": plan, "ntp": ntp, "budget": budget}


def _totals(plan: Any) -> dict[str, Any]:
    """The plan's figures read from the summaries."""
    rows = LineSummary.objects.filter(plan=plan)
    lines = rows.filter(source__isnull=True).aggregate(
        n=Sum("lines"), demand=Sum("demand_mvnd"), asked=Sum("support_asked_mvnd")
    )
    funded = rows.filter(source__isnull=False).aggregate(total=Sum("funded_mvnd"))["total"]
    return {**lines, "funded": funded or D(0)}


def test_synthesis_writes_the_summaries_of_the_plan(world: dict[str, Any]) -> None:
    plan = world["plan"]
    assert summaries_differences() == []
    assert _totals(plan) == {"n": 3, "demand": D("1300"), "asked": D("1070"), "funded": D(0)}
    row = LineSummary.objects.get(plan=plan, sector=f.education())
    assert (row.commune, row.province, row.year) == (world["commune"], quang_tri(), 2027)
    assert (row.decision, row.plan_status) == (Decision.PENDING, CommunePlanStatus.DRAFT)


def test_every_writer_leaves_the_summaries_equal_to_a_recomputation(
    world: dict[str, Any],
) -> None:
    planner, plan = world["planner"], world["plan"]
    allocation_run(actor=planner, plan=plan)
    assert summaries_differences() == []
    assert (
        _totals(plan)["funded"]
        == sum((x.amount_mvnd for x in LineFunding.objects.filter(line__plan=plan)), D(0))
        > D(0)
    )
    roads = list(plan.lines.filter(activity="Đường"))
    merged = lines_merge(actor=planner, plan=plan, lines=roads)
    assert summaries_differences() == []
    assert _totals(plan)["n"] == 2
    school = plan.lines.get(activity="Lớp học")
    first, _second = line_split(
        actor=planner,
        line=school,
        parts=[Part("Lớp học 1", "", D("200")), Part("Lớp học 2", "", D("100"))],
    )
    assert summaries_differences() == []
    assert _totals(plan)["n"] == 3
    line_decide(
        actor=planner,
        line=first,
        decision=Decision.FUNDED,
        reason="Đủ vốn",
        funding={world["budget"]: first.external_support_mvnd},
    )
    assert summaries_differences() == []
    line_decision_clear(actor=planner, line=first)
    assert summaries_differences() == []
    operation_undo(actor=planner, operation=merged.operations.get())
    assert summaries_differences() == [] and _totals(plan)["n"] == 4
    own = commune_line_create(
        actor=planner,
        plan=plan,
        data={**pf.line_data(sector=f.agriculture(), activity="Sinh kế"), "organisation": "Hội"},
    )
    assert summaries_differences() == [] and _totals(plan)["n"] == 5
    commune_line_remove(actor=planner, line=own)
    assert summaries_differences() == [] and _totals(plan)["n"] == 4
    allocation_run(actor=planner, plan=plan)
    assert LineFunding.objects.filter(envelope_line=world["ntp"]).exists()
    officer = f.province_officer(quang_tri())
    envelope_line_delete(actor=officer, line=world["ntp"])  # takes its funding back
    assert summaries_differences() == []
    assert not LineSummary.objects.filter(plan=plan, source=world["ntp"].source).exists()


def test_a_status_change_moves_the_plan_s_summaries(world: dict[str, Any]) -> None:
    planner, plan = world["planner"], world["plan"]
    allocation_run(actor=planner, plan=plan)
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    statuses = set(LineSummary.objects.filter(plan=plan).values_list("plan_status", flat=True))
    assert statuses == {CommunePlanStatus.SUBMITTED}
    assert summaries_differences() == []


def test_a_write_around_the_writers_is_a_difference(world: dict[str, Any]) -> None:
    plan = world["plan"]
    CommuneLine.objects.filter(plan=plan, activity="Lớp học").update(total_cost_mvnd=D("999"))
    (difference,) = summaries_differences()
    assert difference.stored is not None and difference.expected is not None
    assert (difference.stored["demand_mvnd"], difference.expected["demand_mvnd"]) == (
        D("300.000"),
        D("999.000"),
    )
    summaries_refresh(plan)
    assert summaries_differences() == []


def _check(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("check_summaries", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_check_summaries_reports_each_difference_and_fails(world: dict[str, Any]) -> None:
    plan = world["plan"]
    assert _check() == (0, "Bảng tổng hợp khớp với số liệu các dòng kế hoạch xã.\n")
    LineSummary.objects.filter(plan=plan, sector=f.education()).update(lines=7)
    LineSummary.objects.filter(plan=plan, sector=f.transport()).delete()
    code, out = _check()
    assert code == 1
    assert "Dòng tổng hợp sai" in out and "lines: lưu 7, đúng là 1" in out
    assert "Thiếu dòng tổng hợp" in out
    assert "2 dòng tổng hợp khác với số liệu tính lại." in out
    code, out = _check("--fix")
    assert code == 0 and "Đã tính lại; còn 0 dòng khác." in out
    assert _check()[0] == 0


def test_a_row_no_line_explains_is_reported() -> None:
    commune = hai_lang()
    f.villages(commune, ["Thôn Một"])
    round_ = f.round_of(commune)
    plan = f.commune_plan_for(round_)
    LineSummary.objects.create(
        plan=plan,
        province=quang_tri(),
        commune=commune,
        year=2027,
        plan_status=plan.status,
        sector=f.transport(),
        decision=Decision.PENDING,
        lines=1,
        demand_mvnd=D(5),
    )
    code, out = _check()
    assert code == 1 and "Dòng tổng hợp thừa" in out


# --- the province roll-up on generated data -----------------------------------------------------


def _recomputed(province: Any, year: int) -> dict[int, dict[str, Any]]:
    """F18's line figures computed from the lines and their funding (as before the summaries)."""
    scope = Q(plan__round__commune__path__startswith=province.path, plan__round__plan_year=year)
    found: dict[int, dict[str, Any]] = {}
    lines = CommuneLine.objects.filter(scope, state=LineState.ACTIVE)
    for item in lines.values("plan__round__commune", "sector").annotate(
        n=Count("id"),
        demand=Sum("total_cost_mvnd"),
        asked=Sum("external_support_mvnd"),
        unfunded=Sum(
            "external_support_mvnd", filter=Q(decision__in=[Decision.UNFUNDED, Decision.PENDING])
        ),
    ):
        row = found.setdefault(
            item["plan__round__commune"],
            {"lines": 0, "demand": D(0), "asked": D(0), "unfunded": D(0), "sector": {}, "src": {}},
        )
        row["lines"] += item["n"]
        row["demand"] += item["demand"]
        row["asked"] += item["asked"]
        row["unfunded"] += item["unfunded"] or D(0)
        row["sector"][item["sector"]] = item["demand"]
    funding = LineFunding.objects.filter(
        line__plan__round__commune__path__startswith=province.path,
        line__plan__round__plan_year=year,
        line__state=LineState.ACTIVE,
    )
    for item in funding.values("line__plan__round__commune", "envelope_line__source").annotate(
        total=Sum("amount_mvnd")
    ):
        found[item["line__plan__round__commune"]]["src"][item["envelope_line__source"]] = item[
            "total"
        ]
    return found


def test_the_roll_up_equals_the_recomputation_on_generated_data() -> None:
    catalog_load_defaults()
    hai_lang(), dong_hoi()
    generate(
        ScaleOptions(
            provinces=("44",),
            villages_per_commune=3,
            lines_per_plan=6,
            years=(2027,),
            synthesised=1,
            approved=0.5,
            published=0.5,
        ),
        today=datetime.date(2026, 12, 6),
    )
    assert LineSummary.objects.exists()
    assert summaries_differences() == []
    province = quang_tri()
    rollup = province_rollup(province, 2027)
    expected = _recomputed(province, 2027)
    assert expected and {r.commune.pk for r in rollup.rows if r.lines} == set(expected)
    for row in rollup.rows:
        if not row.lines:
            continue
        want = expected[row.commune.pk]
        assert (row.lines, row.demand, row.support_asked, row.unfunded) == (
            want["lines"],
            want["demand"],
            want["asked"],
            want["unfunded"],
        )
        assert row.by_sector == want["sector"]
        assert row.by_source == want["src"]
        assert row.used == sum(want["src"].values(), D(0))


def test_the_priority_1_proposals_are_kept_per_plan_through_merge_split_and_funding(
    world: dict[str, Any],
) -> None:
    """Each village's priority-1 proposal counted once (a merge counts both villages' roads;
    the parts of a split count their proposal once, funded if one part is)."""
    planner, plan = world["planner"], world["plan"]

    def kept() -> tuple[int, int]:
        row = PlanSummary.objects.get(plan=plan)
        return row.priority1, row.priority1_funded

    assert kept() == (2, 0)
    roads = list(plan.lines.filter(activity="Đường").order_by("number"))
    merged = lines_merge(actor=planner, plan=plan, lines=roads)
    assert kept() == (2, 0) and summaries_differences() == []
    first, _second = line_split(
        actor=planner,
        line=merged,
        parts=[Part("Đường đoạn 1", "", D("600")), Part("Đường đoạn 2", "", D("400"))],
    )
    assert kept() == (2, 0)
    line_decide(
        actor=planner,
        line=first,
        decision=Decision.FUNDED,
        reason="Đủ vốn",
        funding={world["budget"]: first.external_support_mvnd},
    )
    assert kept() == (2, 2) and summaries_differences() == []
    row = province_rollup(quang_tri(), 2027).rows[0]
    assert (row.priority1, row.priority1_funded) == (2, 2)
    # a hand edit is a difference that check_summaries reports and --fix repairs
    PlanSummary.objects.filter(plan=plan).update(priority1_funded=0)
    code, out = _check()
    assert code == 1 and "đề xuất ưu tiên 1" in out and "priority1_funded: lưu 0, đúng là 2" in out
    assert _check("--fix")[0] == 0 and kept() == (2, 2)
