"""The pure validator of a progress report (no query once its context is built), the batch
writer (all or nothing, one audit row per report), the permissions the pages ask, and no
import cycle between the monitoring views."""

from __future__ import annotations

import ast
import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationErrors
from kehoach.geo.tests.factories import dong_hoi

from ..models import Disbursement, ProgressReport
from ..permissions import can_add_photo, can_evaluate, can_report_progress, can_supervise
from ..services.progress import ReportChange, funding_of, progress_reports_apply
from ..validators import ReportContext, ReportData, validate_progress_report
from .factories import followed_plan, report_data

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 12, 5)


@pytest.fixture
def world() -> dict[str, Any]:
    return followed_plan()


def _context(world: dict[str, Any], line: str = "road") -> ReportContext:
    work = world[line]
    work.unit  # noqa: B018 - loaded with the context, as the writer and the workbook do
    return ReportContext(work, funding_of(work), TODAY)


def test_a_valid_report_has_no_problem_and_needs_no_query(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    context = _context(world)
    with django_assert_num_queries(0):
        problems = validate_progress_report(
            context, ReportData(report_data(), {world["ntp"]: D(250)})
        )
    assert problems == []


def test_the_validator_names_each_problem_without_a_query(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    context = _context(world)
    data = ReportData(
        report_data(reported_on=datetime.date(2026, 12, 6), quantity_done=D(2)),
        {world["ntp"]: D(250), world["budget"]: D(10)},
    )
    with django_assert_num_queries(0):
        problems = validate_progress_report(context, data)
    by_code = {p.code: p for p in problems}
    assert set(by_code) == {"date_future", "source_not_funding", "excess_without_reason"}
    assert by_code["date_future"].where.field == "reported_on"
    assert by_code["date_future"].message == (
        "Ngày báo cáo: 06/12/2026 là ngày trong tương lai; hãy báo cáo những gì đã diễn ra."
    )
    assert by_code["source_not_funding"].message.startswith("NS-X ")
    assert all(p.is_error for p in problems)
    # the same values with the reason, dated today: nothing left
    fixed = ReportData(
        report_data(quantity_done=D(2), excess_reason="Kéo dài thêm 500 m"),
        {world["ntp"]: D(250)},
    )
    assert validate_progress_report(context, fixed) == []


def test_the_writer_saves_every_report_with_one_audit_row_each(world: dict[str, Any]) -> None:
    before = AuditEntry.objects.count()
    result = progress_reports_apply(
        actor=world["planner"],
        target=world["plan"],
        changes=[
            ReportChange(world["road"], report_data(), {world["ntp"]: D(250)}),
            ReportChange(
                world["school"],
                report_data(quantity_done=D("0.5"), contribution_labour_days=D(10)),
                {world["budget"]: D(100)},
            ),
        ],
        today=TODAY,
    )
    assert [r.line_id for r in result.reports] == [world["road"].pk, world["school"].pk]
    assert ProgressReport.objects.filter(is_latest=True).count() == 2
    assert Disbursement.objects.count() == 2
    entries = AuditEntry.objects.filter(subject_label="monitoring.progressreport")
    assert AuditEntry.objects.count() - before == 2
    assert {e.subject_id for e in entries} == {str(r.pk) for r in result.reports}


def test_the_writer_writes_nothing_when_one_report_is_refused(world: dict[str, Any]) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(ApplicationErrors) as caught:
        progress_reports_apply(
            actor=world["planner"],
            target=world["plan"],
            changes=[
                ReportChange(world["road"], report_data(), {world["ntp"]: D(250)}),
                ReportChange(world["school"], report_data(status="cancelled"), {}),
            ],
            today=TODAY,
        )
    assert [e.code for e in caught.value.errors] == ["reason_required"]
    assert not ProgressReport.objects.exists()
    assert not Disbursement.objects.exists()
    assert AuditEntry.objects.count() == before


def test_a_later_report_of_the_batch_becomes_the_latest(world: dict[str, Any]) -> None:
    road = world["road"]
    first, second = progress_reports_apply(
        actor=world["planner"],
        target=world["plan"],
        changes=[
            ReportChange(road, report_data(), {}),
            ReportChange(road, report_data(reported_on=datetime.date(2026, 12, 1)), {}),
        ],
        today=TODAY,
    ).reports
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_latest, second.is_latest) == (False, True)


def test_the_permissions_answer_what_the_services_do(world: dict[str, Any]) -> None:
    planner, plan = world["planner"], world["plan"]
    assert can_report_progress(planner, world["road"]) is None
    assert can_add_photo(planner, world["road"]) is None
    assert can_supervise(planner, plan) is None
    assert can_evaluate(planner, plan) is None
    # not a work: the training was not funded
    reason = can_report_progress(planner, world["farm"])
    assert reason is not None and reason.code == "not_a_work"
    # someone of another commune may not, and is not told more than "not found"
    stranger = commune_planner(dong_hoi())
    reason = can_supervise(stranger, plan)
    assert reason is not None and reason.hidden


def test_a_plan_not_yet_published_is_not_followed() -> None:
    world = followed_plan(publish=False)
    reason = can_evaluate(world["planner"], world["plan"])
    assert reason is not None and reason.code == "not_published"


def _imports(path: Path, package: str) -> set[str]:
    """The monitoring view modules ``path`` imports (relative imports inside the package)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return {name for name in found if (path.parent / f"{name}.py").exists()} - {package}


def test_the_monitoring_views_import_one_way() -> None:
    views = Path(__file__).resolve().parent.parent / "views"
    graph = {p.stem: _imports(p, p.stem) for p in views.glob("*.py")}
    for path in views.glob("*.py"):  # no import hidden in a function to dodge a cycle
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                inner = [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
                assert not inner, f"{path.name}: import inside {node.name}()"

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for name in graph.get(start, ()):
            if name == goal or (name not in seen and reaches(name, goal, seen | {name})):
                return True
        return False

    cycles = [name for name in graph if reaches(name, name, set())]
    assert cycles == []
    assert "work" in graph["photos"] and "photos" not in graph["work"]
