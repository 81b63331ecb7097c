"""``manage.py generate_scale`` (issue 16, point 1): small scales, determinism, the refusal of
real data, the real validators over what it makes, the shares, a bounded number of queries."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from kehoach.approvals.models import StatusChange, Version
from kehoach.catalog.services import catalog_load_defaults
from kehoach.core.errors import ApplicationError
from kehoach.geo.choices import Kind, Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.monitoring.models import Disbursement, ProgressReport
from kehoach.monitoring.scale import GENERATOR_USERNAME, ScaleOptions, content_hash, generate
from kehoach.monitoring.scale.build import APPROVED, PUBLISHED, SYNTHESISED, stage_of
from kehoach.monitoring.validators.progress import (
    REPORT_FIELDS,
    ReportContext,
    ReportData,
    validate_progress_report,
)
from kehoach.plans.choices import LineOutcome, PlanStatus
from kehoach.plans.models import PlanningRound, ProposalLine, VillagePlan
from kehoach.plans.services.lines import LINE_FIELDS, line_context, validate_proposal_line
from kehoach.plans.tests import factories as pf
from kehoach.synthesis.choices import CommunePlanStatus, Decision
from kehoach.synthesis.models import CommuneLine, CommunePlan, EnvelopeLine, LineSource
from kehoach.synthesis.services.funding.decide import (
    FundingChange,
    FundingContext,
    check_line_fundings,
)
from kehoach.synthesis.versions import plan_snapshot

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 6)
SMALL: dict[str, Any] = {
    "provinces": ("44",),
    "villages_per_commune": 3,
    "lines_per_plan": 5,
    "years": (2026, 2027),
}


@pytest.fixture
def units() -> list[AdministrativeUnit]:
    """Quảng Trị with a rural commune and an urban ward, and the seeded catalog."""
    catalog_load_defaults()
    return [hai_lang(), dong_hoi()]


def run(**options: Any) -> Any:
    return generate(ScaleOptions(**{**SMALL, **options}), today=TODAY)


def run_and_roll_back(**options: Any) -> tuple[str, int]:
    """The content hash and the number of queries of one run, undone afterwards."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            run(**options)
        digest = content_hash()
        transaction.set_rollback(True)
    return digest, len(queries)


# --- what it makes ----------------------------------------------------------------------------


def test_a_small_scale_is_complete_and_consistent(units: list[AdministrativeUnit]) -> None:
    report = run(synthesised=1, approved=1, published=1, progress=1)

    assert report.communes == 2
    villages = AdministrativeUnit.objects.filter(level=Level.VILLAGE)
    assert villages.count() == 6
    assert {v.kind for v in villages.filter(parent__code="18880")} == {Kind.RESIDENTIAL_GROUP}
    assert sorted(v.code for v in villages.filter(parent__code="19702")) == [
        "19702-001",
        "19702-002",
        "19702-003",
    ]
    assert PlanningRound.objects.filter(created_by__username=GENERATOR_USERNAME).count() == 4
    assert VillagePlan.objects.filter(status=PlanStatus.SUBMITTED).count() == 12
    assert ProposalLine.objects.count() == 60
    assert report.counts["plans.ProposalLine"] == 60
    # every village line is traced to exactly one commune line with the same amounts (R12, R13)
    assert LineSource.objects.count() == CommuneLine.objects.count() == 60
    village_total = ProposalLine.objects.aggregate(s=Sum("total_cost_mvnd"))["s"]
    assert CommuneLine.objects.aggregate(s=Sum("total_cost_mvnd"))["s"] == village_total
    # funded lines are funded exactly, and no envelope line is overdrawn (R16–R18)
    for line in CommuneLine.objects.filter(decision=Decision.FUNDED):
        given = sum((f.amount_mvnd for f in line.funding.all()), Decimal(0))
        assert given == line.external_support_mvnd
    for pot in EnvelopeLine.objects.all():
        used = pot.funding.aggregate(s=Sum("amount_mvnd"))["s"] or Decimal(0)
        assert used <= pot.amount_mvnd
    assert not CommuneLine.objects.filter(decision=Decision.PENDING).exists()
    # published: four versions, every proposal has its outcome, the 2026 works have progress
    assert Version.objects.filter(published_at__isnull=False).count() == 4
    assert set(CommunePlan.objects.values_list("status", flat=True)) == {
        CommunePlanStatus.PUBLISHED
    }
    assert not ProposalLine.objects.filter(outcome=LineOutcome.PENDING).exists()
    reports = ProgressReport.objects.all()
    assert reports.exists()
    assert {r.line.plan.round.plan_year for r in reports} == {2026}
    assert Disbursement.objects.exists()
    actions = Counter(StatusChange.objects.values_list("action", flat=True))
    assert actions == {"submit": 12 + 4, "synthesise": 4, "approve": 4, "publish": 4}


def test_the_version_holds_the_snapshot_approval_would_store(
    units: list[AdministrativeUnit],
) -> None:
    run(synthesised=1, approved=1, published=0.5)
    versions = list(Version.objects.all())
    assert versions
    for version in versions:
        plan = CommunePlan.objects.get(uid=version.plan_uid)
        assert version.data == plan_snapshot(plan)


def test_every_generated_line_passes_the_real_validators(units: list[AdministrativeUnit]) -> None:
    run(synthesised=1, approved=1, published=1, progress=1, lines_per_plan=12)

    lines = ProposalLine.objects.select_related(
        "plan__round__profile", "sector", "unit", "proposed_source"
    )
    assert lines.count() == 2 * 3 * 2 * 12
    for line in lines:
        data = {name: getattr(line, name) for name in LINE_FIELDS}
        assert validate_proposal_line(line_context(line.plan.round), line.number, data) == []

    for plan in CommunePlan.objects.all():
        decided = list(
            plan.lines.prefetch_related("funding__envelope_line__source", "sources")
            .select_related("sector")
            .filter(decision__in=[Decision.FUNDED, Decision.UNFUNDED, Decision.DEFERRED])
        )
        assert decided
        changes = [
            FundingChange(
                line=line,
                decision=line.decision,
                reason=line.decision_reason,
                funding={f.envelope_line: f.amount_mvnd for f in line.funding.all()},
            )
            for line in decided
        ]
        found = check_line_fundings(FundingContext.of(plan, decided), changes)
        assert found == [[] for _ in decided]

    reports = ProgressReport.objects.select_related("line__unit").prefetch_related(
        "disbursements__envelope_line__source", "line__funding__envelope_line__source"
    )
    assert reports.exists()
    for report in reports:
        context = ReportContext(
            line=report.line,
            funding={f.envelope_line: f.amount_mvnd for f in report.line.funding.all()},
            today=TODAY,
        )
        typed = ReportData(
            values={name: getattr(report, name) for name in REPORT_FIELDS},
            disbursed={d.envelope_line: d.amount_mvnd for d in report.disbursements.all()},
        )
        assert validate_progress_report(context, typed) == []


# --- determinism ------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_rows(units: list[AdministrativeUnit]) -> None:
    first, _ = run_and_roll_back(seed=7)
    again, _ = run_and_roll_back(seed=7)
    other, _ = run_and_roll_back(seed=8)
    assert first == again
    assert other != first


# --- shares -----------------------------------------------------------------------------------


def test_nothing_synthesised_leaves_village_plans_only(units: list[AdministrativeUnit]) -> None:
    run(synthesised=0, approved=0, published=0)
    assert PlanningRound.objects.count() == 4
    assert ProposalLine.objects.count() == 60
    assert not CommunePlan.objects.exists()
    assert not Version.objects.exists()
    assert not ProgressReport.objects.exists()


def test_each_round_is_left_in_the_stage_its_share_draws(units: list[AdministrativeUnit]) -> None:
    options = {"synthesised": 0.9, "approved": 0.5, "published": 0.3, "progress": 0.0}
    run(**options)
    expected_status = {
        SYNTHESISED: CommunePlanStatus.DRAFT,
        APPROVED: CommunePlanStatus.APPROVED,
        PUBLISHED: CommunePlanStatus.PUBLISHED,
    }
    scale = ScaleOptions(**{**SMALL, **options})
    for round_ in PlanningRound.objects.select_related("commune"):
        stage = stage_of(scale, round_.commune.code, round_.plan_year)
        plan = CommunePlan.objects.filter(round=round_).first()
        if stage < SYNTHESISED:
            assert plan is None
        else:
            assert plan is not None and plan.status == expected_status[stage]
            versions = Version.objects.filter(plan_uid=plan.uid)
            assert versions.count() == (1 if stage >= APPROVED else 0)
            assert versions.filter(published_at__isnull=False).exists() == (stage == PUBLISHED)
    assert not ProgressReport.objects.exists()


def test_shares_must_decrease() -> None:
    with pytest.raises(ApplicationError) as caught:
        ScaleOptions(approved=0.5, published=0.8).check()
    assert "--synthesised ≥ --approved ≥ --published" in caught.value.message


# --- refusal ----------------------------------------------------------------------------------


def test_refuses_a_database_with_a_real_round(units: list[AdministrativeUnit]) -> None:
    pf.round_for(hai_lang(), 2027)
    with pytest.raises(ApplicationError) as caught:
        run()
    assert caught.value.code == "scale_real_data"
    assert caught.value.message.startswith(
        "Cơ sở dữ liệu này có 1 kỳ lập kế hoạch không do lệnh generate_scale tạo ra "
        "(ví dụ Xã Hải Lăng, năm 2027): đây là dữ liệu thật"
    )
    assert not AdministrativeUnit.objects.filter(level=Level.VILLAGE).exists()
    assert PlanningRound.objects.count() == 1


def test_the_command_refuses_in_vietnamese(units: list[AdministrativeUnit]) -> None:
    pf.round_for(dong_hoi(), 2026)
    with pytest.raises(CommandError, match="đây là dữ liệu thật, lệnh dừng lại"):
        call_command("generate_scale", "--provinces", "44", stdout=StringIO())
    assert not ProposalLine.objects.exists()


def test_refuses_a_commune_whose_villages_people_entered(units: list[AdministrativeUnit]) -> None:
    VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    with pytest.raises(ApplicationError) as caught:
        run()
    assert caught.value.code == "scale_real_villages"
    assert "Xã Hải Lăng (mã 19702) đã có thôn" in caught.value.message
    assert not PlanningRound.objects.exists()


def test_a_second_run_leaves_generated_communes_alone(units: list[AdministrativeUnit]) -> None:
    run()
    before = content_hash()
    report = run()
    assert report.skipped_communes == 2
    assert report.communes == 0
    assert content_hash() == before


# --- bulk -------------------------------------------------------------------------------------


def test_queries_do_not_grow_with_villages_or_lines(units: list[AdministrativeUnit]) -> None:
    shares = {"synthesised": 1, "approved": 1, "published": 1, "progress": 1}
    _, small = run_and_roll_back(villages_per_commune=3, lines_per_plan=5, **shares)
    _, large = run_and_roll_back(villages_per_commune=6, lines_per_plan=10, **shares)
    assert small == large
    assert small < 60


def test_the_command_reports_what_it_made(units: list[AdministrativeUnit]) -> None:
    out = StringIO()
    call_command(
        "generate_scale",
        "--provinces",
        "44",
        "--villages-per-commune",
        "2",
        "--lines-per-plan",
        "3",
        "--years",
        "2027",
        stdout=out,
    )
    text = out.getvalue()
    assert "Quảng Trị (44): 2 xã, 12 đề xuất thôn trong" in text
    assert "Đã sinh dữ liệu cho 2 xã của 1 tỉnh trong" in text
    assert "4 thôn, 2 kỳ lập kế hoạch, 4 kế hoạch thôn, 12 đề xuất thôn" in text
