"""The check of a progress workbook (F14) writes nothing and needs no forged actor: the
validators answer the preview; the confirmation writes the reports with the real actor, one
audit row each (issue 14)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kehoach.approvals.models import AuditEntry
from kehoach.exchange.forms import f14
from kehoach.monitoring.models import Disbursement, ProgressPhoto, ProgressReport
from kehoach.monitoring.tests.factories import followed_plan

from .helpers import confirm, opened, saved, upload

pytestmark = pytest.mark.django_db
D = Decimal
HEADER_ROWS = (10, 11)


def _counts() -> tuple[int, int, int, int]:
    return (
        ProgressReport.objects.count(),
        Disbursement.objects.count(),
        ProgressPhoto.objects.count(),
        AuditEntry.objects.count(),
    )


def _filled(world: dict[str, Any], values: dict[str, Any]) -> bytes:
    """The exported workbook with the school's row filled with ``values`` (by header)."""
    book = opened(f14.export(world["plan"]))
    ws = book["F14"]
    headers = {
        str(c.value).split(" – ")[0]: c.column_letter
        for row in HEADER_ROWS
        for c in ws[row]
        if isinstance(c.value, str)
    }
    activity = headers["Công trình / hoạt động"]
    row = next(
        r
        for r in range(HEADER_ROWS[1] + 2, ws.max_row + 1)
        if ws[f"{activity}{r}"].value == world["school"].activity
    )
    for header, value in values.items():
        ws[f"{headers[header]}{row}"] = value
    return saved(book)


def _status(value: str) -> str:
    return f14._statuses().label_of(value)


@pytest.fixture
def world() -> dict[str, Any]:
    return followed_plan()


def test_a_valid_workbook_is_previewed_without_a_write_then_applied(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    data = _filled(
        world,
        {
            "Ngày báo cáo": "30/11/2026",
            "Khối lượng đã thực hiện": 0.4,
            "Tình trạng": _status("ongoing"),
            "Khởi công": "15/11/2026",
            "2. NS-X": 100,
        },
    )
    before = _counts()
    record = upload(plan, planner, data, form="F14")
    assert record.result == "previewed", record.errors
    assert len(record.summary["changes"]) == 1
    assert _counts() == before  # the check wrote no report, no money, no audit row

    confirm(plan, planner, record)
    report = ProgressReport.objects.get(line=world["school"])
    assert report.reporter == planner  # the real actor, not a stand-in
    assert [d.amount_mvnd for d in report.disbursements.all()] == [D(100)]
    audit = AuditEntry.objects.filter(
        subject_label="monitoring.progressreport", subject_id=str(report.pk)
    )
    assert [(a.operation, a.actor_id) for a in audit] == [("create", planner.pk)]


def test_a_refused_workbook_writes_nothing(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    data = _filled(
        world,
        {"Ngày báo cáo": "30/11/2026", "Tình trạng": _status("cancelled")},
    )
    before = _counts()
    record = upload(plan, planner, data, form="F14")
    assert record.result != "previewed"
    assert any("hủy" in str(e).lower() or "lý do" in str(e).lower() for e in record.errors)
    assert _counts() == before
