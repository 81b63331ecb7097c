"""Checking a workbook F1 or F8 writes nothing and forges no actor (issue 14): the preview is
the pure validators' answer, not a rolled-back write, and the problems are the writer's own."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.approvals.models import AuditEntry
from kehoach.exchange.forms import f1, f8
from kehoach.exchange.layouts import layouts_for_form
from kehoach.exchange.reading import Limits, open_workbook
from kehoach.plans.models import Attendee, BasicInfo, EthnicGroup, VillageMeeting

from .helpers import FIRST_ROW, opened, plan_with_lines, saved
from .test_forms import MEETING, _row_of

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT")


def _state() -> tuple[int, ...]:
    return (
        BasicInfo.objects.count(),
        EthnicGroup.objects.count(),
        VillageMeeting.objects.count(),
        Attendee.objects.count(),
        AuditEntry.objects.count(),
    )


def _check(module: Any, form: str, plan: Any, book: Any) -> tuple[Any, list[str]]:
    """Read the workbook as the import's check does; the statements that would write."""
    upload = open_workbook(saved(book), "bieu.xlsx", limits=Limits())
    with CaptureQueriesContext(connection) as queries:
        reading = module.read(plan, upload, layouts_for_form(form))
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
    ]
    return reading, writes


def test_f1_check_of_a_valid_workbook_writes_nothing_and_previews_the_change() -> None:
    plan, _planner = plan_with_lines()
    book = opened(f1.export(plan))
    book["F1"][f"C{_row_of(book, 'F1', 'total_households')}"] = 120
    book["Dân tộc"][f"B{FIRST_ROW}"], book["Dân tộc"][f"C{FIRST_ROW}"] = "Vân Kiều", 40
    before = _state()
    reading, writes = _check(f1, "F1", plan, book)
    assert not reading.errors
    assert reading.preview
    assert writes == []
    assert _state() == before


def test_f1_check_names_the_cell_of_each_rule_broken_and_writes_nothing() -> None:
    plan, _planner = plan_with_lines()
    book = opened(f1.export(plan))
    ws = book["F1"]
    ws[f"C{_row_of(book, 'F1', 'total_households')}"] = 100
    poor = _row_of(book, "F1", "poor_households")
    ws[f"C{poor}"] = 150  # more than the village has
    before = _state()
    reading, writes = _check(f1, "F1", plan, book)
    assert [(e.sheet, e.row, e.column) for e in reading.errors] == [("F1", poor, "C")]
    assert "150" in reading.errors[0].message or "100" in reading.errors[0].message
    assert writes == []
    assert _state() == before


def test_f8_check_of_a_valid_workbook_writes_nothing() -> None:
    plan, _planner = plan_with_lines()
    book = opened(f8.export(plan))
    for key, value in MEETING.items():
        book["F8"][f"B{_row_of(book, 'F8', key)}"] = value
    people = book["Danh sách dự họp"]
    people[f"B{FIRST_ROW}"], people[f"C{FIRST_ROW}"] = "Nguyễn Thị Hoa", "Nữ"
    before = _state()
    reading, writes = _check(f8, "F8", plan, book)
    assert not reading.errors
    assert writes == []
    assert _state() == before


def test_f8_check_refuses_an_inconsistent_figure_at_its_cell_and_writes_nothing() -> None:
    plan, _planner = plan_with_lines()
    book = opened(f8.export(plan))
    for key, value in MEETING.items():
        book["F8"][f"B{_row_of(book, 'F8', key)}"] = value
    row = _row_of(book, "F8", "households_represented")
    book["F8"][f"B{row}"] = 250  # more than the 180 households of the village
    before = _state()
    reading, writes = _check(f8, "F8", plan, book)
    assert ("F8", row) in [(e.sheet, e.row) for e in reading.errors]
    assert writes == []
    assert _state() == before
