"""F9 in (issue 14): the check is the commune lines' validators — nothing is written, not even
in a transaction rolled back — and reports what the writer would refuse; the confirmation is
the one writer, with the real actor."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.approvals.models import AuditEntry
from kehoach.exchange.forms import f9
from kehoach.geo.tests.factories import hai_lang
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine, LineFunding
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

from .helpers import confirm, opened, saved, upload
from .test_forms import C_FIRST

pytestmark = pytest.mark.django_db

WRITES = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE)\b.*\b(synthesis_communeline|synthesis_linefunding|"
    r"approvals_auditentry|synthesis_communeplan)\b",
    re.IGNORECASE | re.DOTALL,
)


@pytest.fixture
def commune() -> dict[str, Any]:
    """Two villages' lines in a commune plan (as in ``test_forms``)."""
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = sf.transport(), sf.education()
    sf.submitted_plan(a, [sf.money_line("600", "100", sector=road, activity="Đường xóm Trên")])
    sf.submitted_plan(b, [sf.money_line("400", "50", sector=school, activity="Sửa phòng học")])
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    return {"plan": sf.commune_plan_for(round_), "planner": planner}


def _state(plan: Any) -> list[tuple[Any, ...]]:
    return [
        (x.pk, x.version, x.activity, x.location, x.decision, x.decision_reason)
        for x in CommuneLine.objects.filter(plan=plan).order_by("pk")
    ]


def _rows(book: Any) -> dict[str, int]:
    ws = book["F9"]
    return {ws[f"C{r}"].value: r for r in range(C_FIRST, C_FIRST + 2)}


def _checked(plan: Any, planner: Any, book: Any) -> tuple[Any, list[str]]:
    """Upload ``book`` for checking; the record and the writes to the plan's tables."""
    before = (_state(plan), AuditEntry.objects.count(), LineFunding.objects.count())
    with CaptureQueriesContext(connection) as queries:
        record = upload(plan, planner, saved(book), form="F9")
    after = (_state(plan), AuditEntry.objects.count(), LineFunding.objects.count())
    assert after == before
    writes = [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]
    return record, writes


def test_a_valid_check_writes_nothing_and_the_confirmation_writes_as_the_planner(
    commune: dict[str, Any],
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f9.export(plan))
    ws = book["F9"]
    rows = _rows(book)
    ws[f"D{rows['Đường xóm Trên']}"] = "Xóm Trên, thôn Diên Sanh"
    ws[f"O{rows['Sửa phòng học']}"] = "Hoãn lại"
    ws[f"P{rows['Sửa phòng học']}"] = "Chờ vốn năm sau"
    record, writes = _checked(plan, planner, book)
    assert record.result == "previewed", record.errors
    assert writes == []
    audits = AuditEntry.objects.count()
    confirm(plan, planner, record)
    road = CommuneLine.objects.get(plan=plan, activity="Đường xóm Trên")
    school = CommuneLine.objects.get(plan=plan, activity="Sửa phòng học")
    assert road.location == "Xóm Trên, thôn Diên Sanh"
    assert (school.decision, school.decided_by) == (Decision.DEFERRED, planner)
    new = AuditEntry.objects.order_by("id")[audits:]
    assert {(e.subject_id, e.actor_id) for e in new} == {
        (str(road.pk), planner.pk),
        (str(school.pk), planner.pk),
    }


def test_the_check_reports_the_writers_refusals_by_cell_and_writes_nothing(
    commune: dict[str, Any],
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f9.export(plan))
    ws = book["F9"]
    rows = _rows(book)
    ws[f"C{rows['Đường xóm Trên']}"] = "x" * 301
    ws[f"O{rows['Sửa phòng học']}"] = "Không được chấp nhận"
    record, writes = _checked(plan, planner, book)
    assert record.result == "refused"
    assert writes == []
    found = [(e["row"], e["column"], e["problem"]) for e in record.errors]
    assert found == [
        (
            rows["Đường xóm Trên"],
            "C",
            "nội dung có 301 ký tự; chỉ được tối đa 300 ký tự. Hãy rút gọn.",
        ),
        (rows["Sửa phòng học"], "P", "Hãy ghi lý do của quyết định này; thôn sẽ đọc lý do."),
    ]


def test_an_emptied_activity_is_refused_naming_the_line(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f9.export(plan))
    row = _rows(book)["Đường xóm Trên"]
    book["F9"][f"C{row}"] = None
    record, writes = _checked(plan, planner, book)
    assert record.result == "refused" and writes == []
    assert [(e["row"], e["column"], e["problem"]) for e in record.errors] == [
        (row, "C", "Dòng 1, Hoạt động: hãy nhập tên hoạt động.")
    ]
