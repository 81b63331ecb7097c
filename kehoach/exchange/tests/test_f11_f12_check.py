"""F11 and F12 are checked by the validators, never by a trial write (issue 14): the check
sends no write to the plan's tables (no rolled-back INSERT/UPDATE/DELETE either) and no audit
row, and the confirmation applies the same changes with the real user."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.approvals.models import AuditEntry
from kehoach.exchange.forms import f11, f12
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine, EnvelopeLine, LineFunding

from .helpers import confirm, opened, saved, upload
from .test_forms import C_FIRST, commune  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

WATCHED = ("synthesis_", "approvals_auditentry")


def _writes(queries: list[dict[str, Any]]) -> list[str]:
    """The statements that write (or prepare a rollback) on the plan's tables."""
    found = []
    for query in queries:
        sql = query["sql"].lstrip().upper()
        if sql.startswith(("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "ROLLBACK TO")) and any(
            name.upper() in sql for name in WATCHED
        ):
            found.append(query["sql"])
        if sql.startswith(("SAVEPOINT", "ROLLBACK TO")):
            found.append(query["sql"])
    return found


def _counts() -> tuple[int, int, int, list[int]]:
    return (
        EnvelopeLine.objects.count(),
        LineFunding.objects.count(),
        AuditEntry.objects.count(),
        list(CommuneLine.objects.order_by("pk").values_list("version", flat=True)),
    )


def test_the_statement_filter_sees_a_write() -> None:
    assert _writes([{"sql": 'UPDATE "synthesis_communeline" SET x = 1'}]) != []
    assert _writes([{"sql": 'SELECT * FROM "synthesis_communeline"'}]) == []


def test_f11_check_writes_nothing_and_confirm_applies(commune: dict[str, Any]) -> None:  # noqa: F811
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f11.export(plan, actor=planner))
    ws = book["F11"]
    rows = {str(ws[f"B{r}"].value): r for r in range(C_FIRST, C_FIRST + 2)}
    budget_row = next(r for name, r in rows.items() if name.startswith("NS-X"))
    ws[f"H{budget_row}"] = "450"
    new = C_FIRST + 2
    ws[f"B{new}"], ws[f"D{new}"], ws[f"H{new}"] = ws[f"B{budget_row}"].value, "Sửa chữa nhỏ", 50
    data = saved(book)
    before = _counts()
    with CaptureQueriesContext(connection) as caught:
        record = upload(plan, planner, data, form="F11")
    assert record.result == "previewed", record.errors
    assert _writes(caught.captured_queries) == []
    assert _counts() == before
    confirm(plan, planner, record)
    assert _counts()[0] == before[0] + 1
    assert _counts()[2] == before[2] + 2  # one audit row per change


def test_f11_check_finds_a_wrong_amount_without_writing(commune: dict[str, Any]) -> None:  # noqa: F811
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f11.export(plan, actor=planner))
    ws = book["F11"]
    budget_row = next(
        r for r in range(C_FIRST, C_FIRST + 2) if str(ws[f"B{r}"].value).startswith("NS-X")
    )
    ws[f"H{budget_row}"] = -5
    before = _counts()
    with CaptureQueriesContext(connection) as caught:
        record = upload(plan, planner, saved(book), form="F11")
    assert record.result == "refused"
    assert record.errors[0]["row"] == budget_row
    assert _writes(caught.captured_queries) == []
    assert _counts() == before


def test_f12_check_writes_nothing_and_confirm_applies(commune: dict[str, Any]) -> None:  # noqa: F811
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f12.export(plan))
    ws = book["F12"]
    headers = [c.value for c in ws[C_FIRST - 2]]
    ntp_col = next(i for i, h in enumerate(headers, start=1) if h and str(h).startswith("1. NTP"))
    rows = {ws[f"C{r}"].value: r for r in range(C_FIRST, C_FIRST + 2)}
    ws.cell(row=rows["Đường xóm Trên"], column=ntp_col, value=500)
    data = saved(book)
    before = _counts()
    with CaptureQueriesContext(connection) as caught:
        record = upload(plan, planner, data, form="F12")
    assert record.result == "previewed", record.errors
    assert _writes(caught.captured_queries) == []
    assert _counts() == before
    confirm(plan, planner, record)
    line = CommuneLine.objects.get(plan=plan, activity="Đường xóm Trên")
    assert line.decision == Decision.FUNDED
    assert _counts()[1] == before[1] + 1


def test_f12_check_refuses_over_the_envelope_without_writing(commune: dict[str, Any]) -> None:  # noqa: F811
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f12.export(plan))
    ws = book["F12"]
    headers = [c.value for c in ws[C_FIRST - 2]]
    budget_col = next(
        i for i, h in enumerate(headers, start=1) if h and str(h).startswith("2. NS-X")
    )
    rows = {ws[f"C{r}"].value: r for r in range(C_FIRST, C_FIRST + 2)}
    ws.cell(row=rows["Sửa phòng học"], column=budget_col, value=350)
    ws.cell(row=rows["Đường xóm Trên"], column=budget_col, value=500)  # 350 + 500 > 400
    before = _counts()
    with CaptureQueriesContext(connection) as caught:
        record = upload(plan, planner, saved(book), form="F12")
    assert record.result == "refused"
    assert _writes(caught.captured_queries) == []
    assert _counts() == before
