"""F14 (progress of the works) from a monitoring officer's own progress sheet (issue 15): no
``_kehoach`` sheet, the reporting date in the title, a two-row merged header, the column
numbers, sector heading rows, a total row and the signature block, statuses as people write
them. Imported through the real path (check, then confirm by the planner) with no hand edits,
the saved reports compared field by field; a work the plan does not follow and a status not in
the list are refused on their cells."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kehoach.exchange.forms import f14
from kehoach.exchange.models import ImportRecord
from kehoach.monitoring.models import ProgressReport
from kehoach.monitoring.tests.factories import FARM, ROAD, SCHOOL, followed_plan

from .helpers import confirm, upload
from .workbooks import drawn, errors_by_cell, header_style, write_rows

pytestmark = pytest.mark.django_db
D = Decimal

FIRST = 10
"""The sheet row (1-based) of the first row under the column numbers."""
HEADERS = [
    # (column, parent or None, header)
    (0, None, "TT"),
    (1, None, "Tên công trình"),
    (2, None, "ĐVT"),
    (3, "Kế hoạch", "Khối lượng"),
    (4, "Kế hoạch", "Kinh phí (tr.đ)"),
    (5, None, "Khối lượng thực hiện"),
    (6, None, "Tình hình thực hiện"),
    (7, "Thời gian thi công", "Khởi công"),
    (8, "Thời gian thi công", "Hoàn thành"),
    (9, "Giải ngân (1.000 đồng)", "CTMTQG 2026-2035"),
    (10, "Giải ngân (1.000 đồng)", "Ngân sách xã"),
    (11, "Dân đóng góp", "Tiền mặt (tr.đ)"),
    (12, "Dân đóng góp", "Số ngày công"),
    (13, None, "Khó khăn, vướng mắc"),
    (14, None, "Ghi chú"),
]
ROWS: list[list[Any]] = [
    ["I", "HẠ TẦNG GIAO THÔNG"],
    [1, ROAD, "km", 1.5, 600, "1,5", "Đã hoàn thành", "01/10/2026", "25/11/2026", 480_000, None, 60,
     120, None, "Đã nghiệm thu"],
    ["II", "GIÁO DỤC - ĐÀO TẠO"],
    [1, SCHOOL, "phòng", 1, 400, 0.4, "Đang thi công", "15/11/2026", None, None, "100.000", 5, 40,
     "Thiếu cát xây dựng"],
]  # fmt: skip
EXPECTED: dict[str, dict[str, Any]] = {
    ROAD: {
        "reported_on": datetime.date(2026, 11, 30),
        "quantity_done": D("1.5"),
        "status": "completed",
        "actual_start": datetime.date(2026, 10, 1),
        "actual_finish": datetime.date(2026, 11, 25),
        "contribution_cash_mvnd": D(60),
        "contribution_labour_days": D(120),
        "contribution_labour_mvnd": D(0),
        "problems": "",
        "disbursed": {"NTP26": D(480)},
    },
    SCHOOL: {
        "reported_on": datetime.date(2026, 11, 30),
        "quantity_done": D("0.4"),
        "status": "ongoing",
        "actual_start": datetime.date(2026, 11, 15),
        "actual_finish": None,
        "contribution_cash_mvnd": D(5),
        "contribution_labour_days": D(40),
        "contribution_labour_mvnd": D(0),
        "problems": "Thiếu cát xây dựng",
        "disbursed": {"NS-X": D(100)},
    },
}


def _book(
    rows: list[list[Any]],
    *,
    title: str = "(Tính đến ngày 30/11/2026)",
    headers: list[tuple[int, str | None, str]] = HEADERS,
) -> bytes:
    """The officer's own "Tiến độ" sheet: a title with the date the figures reach, a two-row
    header ("Kế hoạch", "Thời gian thi công", "Đã giải ngân…", "Dân đóng góp" merged over their
    children), the column numbers, Roman-numbered sector headings, "Tổng cộng" and the
    signature block."""

    def fill(book: Any, ws: Any) -> None:
        bold = header_style(book)
        ws.write(0, 0, "UBND XÃ HẢI LĂNG")
        ws.write(0, 8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        ws.merge_range(2, 0, 2, 14, "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CÁC CÔNG TRÌNH NĂM 2027", bold)
        if title:
            ws.merge_range(3, 0, 3, 14, title)
        parents: dict[str, list[int]] = {}
        for column, parent, text in headers:
            if parent is None:
                ws.merge_range(6, column, 7, column, text, bold)
            else:
                parents.setdefault(parent, []).append(column)
                ws.write(7, column, text, bold)
        for parent, columns in parents.items():
            ws.merge_range(6, min(columns), 6, max(columns), parent, bold)
        for column in range(len(headers)):
            ws.write(8, column, f"({column + 1})", bold)
        below = write_rows(ws, FIRST - 1, rows, headings=bold)
        ws.write(below, 1, "Tổng cộng", bold)
        ws.write(below, 9, 480_000, bold)
        ws.write(below + 2, 9, "Hải Lăng, ngày … tháng … năm 2026")
        ws.write(below + 3, 9, "CÁN BỘ GIÁM SÁT", bold)
        ws.write(below + 6, 9, "Hồ Thị Lan")

    return drawn("Tiến độ T11", fill)


@pytest.fixture
def world() -> dict[str, Any]:
    return followed_plan()


def _saved(report: ProgressReport) -> dict[str, Any]:
    got = {name: getattr(report, name) for name in EXPECTED[ROAD] if name != "disbursed"}
    got["disbursed"] = {
        d.envelope_line.source.code: d.amount_mvnd
        for d in report.disbursements.select_related("envelope_line__source")
    }
    return got


def test_an_officers_own_progress_sheet_imports_as_its_known_content(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]

    record = upload(plan, planner, _book(ROWS), "tien-do-t11.xlsx", form="F14")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert len(record.summary["changes"]) == 2
    skipped = {row for row, _why in record.summary["skipped"]}
    total = FIRST + len(ROWS)
    assert {FIRST - 1, FIRST, FIRST + 2, total, total + 2, total + 3} <= skipped, skipped
    confirm(plan, planner, record)
    for work in ("road", "school"):
        report = ProgressReport.objects.get(line=world[work], is_latest=True)
        want = EXPECTED[world[work].activity]
        got = _saved(report)
        wrong = {k: (got[k], v) for k, v in want.items() if got[k] != v}
        assert not wrong, f"{work}: field → (saved, expected): {wrong}"
        assert report.reporter == planner
    assert not ProgressReport.objects.filter(line=world["farm"]).exists()


def test_the_preview_says_the_sheet_was_not_made_by_kehoach_and_the_date_it_used(
    world: dict[str, Any],
) -> None:
    record = upload(world["plan"], world["planner"], _book(ROWS), "td.xlsx", form="F14")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    notes = " ".join(record.summary["notes"])
    assert "không tải từ kehoach" in notes, notes
    assert "30/11/2026" in notes


def test_a_row_reporting_nothing_is_left_and_an_unchanged_row_makes_no_report(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    rows = [list(row) for row in ROWS]
    rows[3] = [1, SCHOOL, "phòng", 1, 400]  # the school's progress not filled in
    first = upload(plan, planner, _book(rows), "td.xlsx", form="F14")
    assert first.result == ImportRecord.Result.PREVIEWED, first.errors
    assert len(first.summary["changes"]) == 1
    confirm(plan, planner, first)
    assert not ProgressReport.objects.filter(line=world["school"]).exists()

    again = upload(plan, planner, _book(rows), "td.xlsx", form="F14")  # the same sheet again

    assert again.result == ImportRecord.Result.PREVIEWED, again.errors
    assert again.summary["changes"] == []
    assert ProgressReport.objects.filter(line=world["road"]).count() == 1


def test_works_written_by_number_when_names_were_edited(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    rows = [list(row) for row in ROWS]
    rows[1][0] = world["road"].number
    rows[1][1] = "Bê tông hoá đường xóm trên (giai đoạn 1)"  # edited a little
    record = upload(plan, planner, _book(rows), "td.xlsx", form="F14")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert len(record.summary["changes"]) == 2


@pytest.mark.parametrize(
    ("activity", "words"),
    [
        ("Nhà văn hóa thôn Diên Sanh", "Nhà văn hóa thôn Diên Sanh"),
        (FARM, FARM),  # in the plan, but not funded: not a work followed
    ],
)
def test_a_work_the_plan_does_not_follow_is_refused_on_its_cell(
    world: dict[str, Any], activity: str, words: str
) -> None:
    plan, planner = world["plan"], world["planner"]
    rows = [list(row) for row in ROWS]
    rows[3][1] = activity

    record = upload(plan, planner, _book(rows), "td.xlsx", form="F14")

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    named = errors_by_cell(record)
    cell = f"B{FIRST + 3}"
    assert list(named) == [cell], record.errors
    assert named[cell]["value"] == activity
    assert words in named[cell]["message"]
    assert not ProgressReport.objects.exists()


def test_a_status_not_in_the_list_is_named_by_its_cell(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    rows = [list(row) for row in ROWS]
    rows[3][6] = "Sắp làm"

    record = upload(plan, planner, _book(rows), "td.xlsx", form="F14")

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    named = errors_by_cell(record)
    cell = f"G{FIRST + 3}"
    assert list(named) == [cell], record.errors
    assert named[cell]["value"] == "Sắp làm"
    assert "Đang thực hiện" in named[cell]["message"]  # says what is allowed
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("Đang thi công", "ongoing"),
        ("đang triển khai", "ongoing"),
        ("HOÀN THÀNH", "completed"),
        ("Chưa triển khai", "not_started"),
        ("Tạm dừng", "suspended"),
        ("Tạm ngừng thi công", "suspended"),
        ("Hủy bỏ", "cancelled"),
        ("Đang thực hiện", "ongoing"),
        ("completed", "completed"),
    ],
)
def test_statuses_are_read_as_people_write_them(written: str, status: str) -> None:
    assert f14._statuses().find(written) == (status, [])


@pytest.mark.parametrize("written", ["Sắp làm", "Chưa", "Xong một nửa"])
def test_a_status_no_list_entry_names_is_not_guessed(written: str) -> None:
    found, _close = f14._statuses().find(written)
    assert found is None


def test_a_sheet_with_no_reporting_date_is_refused_saying_where_to_write_it(
    world: dict[str, Any],
) -> None:
    record = upload(world["plan"], world["planner"], _book(ROWS, title=""), "td.xlsx", form="F14")
    assert record.result == ImportRecord.Result.REFUSED
    assert "Ngày báo cáo" in record.errors[0]["message"], record.errors
    assert not ProgressReport.objects.exists()


def test_a_reporting_date_column_is_read_instead_of_the_title(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    rows = [list(row) for row in ROWS]
    rows[1] += ["28/11/2026"]
    rows[3] += [None, "29/11/2026"]
    headers = [*HEADERS, (15, None, "Ngày báo cáo")]
    record = upload(plan, planner, _book(rows, title="", headers=headers), "td.xlsx", form="F14")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    confirm(plan, planner, record)
    dates = {r.line_id: r.reported_on for r in ProgressReport.objects.filter(line__plan=plan)}
    assert dates == {
        world["road"].pk: datetime.date(2026, 11, 28),
        world["school"].pk: datetime.date(2026, 11, 29),
    }


def test_a_money_column_naming_a_source_with_no_envelope_line_is_refused_by_its_letter(
    world: dict[str, Any],
) -> None:
    headers = [*HEADERS]
    headers[10] = (10, "Giải ngân (1.000 đồng)", "Vốn ODA")

    record = upload(
        world["plan"], world["planner"], _book(ROWS, headers=headers), "td.xlsx", form="F14"
    )

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    assert [e["column"] for e in record.errors] == ["K"], record.errors
    assert "ODA" in record.errors[0]["message"]
    assert not ProgressReport.objects.exists()
