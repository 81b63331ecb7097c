"""The scan in front of every reader: each hostile family is refused with its code and a message
naming the file (and the sheet and cell), before calamine allocates anything; the workbooks
people really send (kehoach's own, LibreOffice's .ods and .xls, a province's 20,000 lines)
still open."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from kehoach.core.errors import ApplicationError
from kehoach.exchange import scan
from kehoach.exchange.forms import f6
from kehoach.exchange.layouts import parse_layout, shipped_layouts
from kehoach.exchange.reading import Limits, check_upload, open_workbook
from kehoach.exchange.scan import xlsx_cells

from . import hostile
from .helpers import libreoffice_convert, plan_with_lines, saved

ROOT = Path(__file__).resolve().parents[3]


def f6_workbook(lines: int) -> bytes:
    """A village's proposal list in the official F6 layout, as an office would send it (two
    header rows under a title, numbers and text), written with xlsxwriter like
    ``scripts/bench.py`` but without the database."""
    columns = parse_layout(shipped_layouts()["F6-CHUAN"]).columns
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = book.add_worksheet("F6")
    ws.write(0, 0, "BIỂU ĐỀ XUẤT KẾ HOẠCH THÔN NĂM 2027")
    index = 0
    while index < len(columns):
        column = columns[index]
        if column.parent:
            end = index
            while end + 1 < len(columns) and columns[end + 1].parent == column.parent:
                end += 1
            ws.merge_range(2, index, 2, end, column.parent)
            index = end + 1
        else:
            ws.merge_range(2, index, 3, index, column.header)
            index += 1
    for col, column in enumerate(columns):
        if column.parent:
            ws.write(3, col, column.header)
    sample: dict[str, Any] = {
        "sector": "Hạ tầng: giao thông",
        "location": "Xóm Trên",
        "unit": "km",
        "quantity": 1.5,
        "start_month": "03/2027",
        "end_month": "06/2027",
        "contribution_mvnd": 30.5,
        "contribution_cash_mvnd": 10.5,
        "contribution_labour_days": 200,
        "contribution_labour_mvnd": 20,
        "proposed_source": "NTP26 – CTMTQG 2026–2035",
        "beneficiary_households": 80,
        "implementation_mode": "Cộng đồng tự thực hiện",
    }
    for row in range(lines):
        values = {**sample, "number": row + 1, "activity": f"Bê tông hóa đường xóm số {row + 1}"}
        values["total_cost_mvnd"] = 100.5 + row % 7
        values["external_support_mvnd"] = 70 + row % 7
        for col, column in enumerate(columns):
            value = values.get(column.key)
            if isinstance(value, str):
                ws.write_string(4 + row, col, value)
            elif value is not None:
                ws.write_number(4 + row, col, value)
    book.close()
    return out.getvalue()


def _suffix(filename: str) -> str:
    return filename.rsplit(".", 1)[-1]


# --- every hostile family ---------------------------------------------------------------------


@pytest.mark.parametrize("item", hostile.hostile_files(), ids=lambda item: item.name)
def test_each_hostile_file_is_refused_naming_the_file_sheet_and_cell(item: hostile.Hostile) -> None:
    name = f"Biểu F6 thôn Đông.{_suffix(item.filename)}"
    with pytest.raises(ApplicationError) as caught:
        open_workbook(item.make(), name)
    error = caught.value
    assert error.code in item.codes, error.message
    assert f"“{name}”" in error.message
    if item.sheet:
        assert f"“{item.sheet}”" in error.message
    if item.cell:
        assert re.search(rf"\b{item.cell}\b", error.message)


def test_a_cell_far_below_the_table_is_named_with_what_to_do() -> None:
    with pytest.raises(ApplicationError) as caught:
        check_upload(hostile.huge_dimension_xlsx(), "bieu.xlsx")
    assert caught.value.message == (
        "Tệp “bieu.xlsx”, trang “F6”: ô XFD1048576 nằm ở dòng 1.048.576, vượt quá 100.000 dòng "
        "cho phép. Hãy xóa những gì nằm bên dưới bảng hoặc chia dữ liệu ra nhiều tệp, rồi tải "
        "lên lại."
    )
    assert caught.value.where.sheet == "F6"


def test_a_cell_right_of_the_table_names_the_last_column_accepted() -> None:
    with pytest.raises(ApplicationError) as caught:
        check_upload(hostile.missing_r_columns_xlsx(), "bieu.xlsx")
    assert caught.value.message == (
        "Tệp “bieu.xlsx”, trang “F6”: ô GS1 nằm ngoài cột GR, cột cuối cùng trong 200 cột cho "
        "phép. Hãy xóa những gì nằm bên phải bảng rồi tải lên lại."
    )


def test_a_used_area_too_large_names_the_cell_that_reaches_it() -> None:
    with pytest.raises(ApplicationError) as caught:
        check_upload(hostile.wide_area_xlsx(), "bieu.xlsx")
    assert caught.value.message == (
        "Tệp “bieu.xlsx”: tính từ ô A1, các trang tính trải trên hơn 1.000.000 ô (trang “F6” "
        "kéo đến ô GR70000). Hãy xóa những gì nằm ngoài các bảng hoặc chia dữ liệu ra nhiều "
        "tệp, rồi tải lên lại."
    )


def test_a_cell_longer_than_excel_allows_is_named() -> None:
    with pytest.raises(ApplicationError) as caught:
        check_upload(hostile.long_cell_xlsx(), "bieu.xlsx")
    assert caught.value.message == (
        "Tệp “bieu.xlsx”, trang “F6”, ô B1 có 40.000 ký tự; mỗi ô chỉ được chứa tối đa 32.767 "
        "ký tự. Hãy rút gọn nội dung rồi tải lên lại."
    )


def test_a_cell_of_exactly_32767_characters_is_accepted() -> None:
    book = open_workbook(hostile.long_cell_xlsx(32_767), "bieu.xlsx")
    assert len(book.sheet("F6").value(0, 1)) == 32_767


def test_damaged_and_password_messages_name_the_file() -> None:
    with pytest.raises(ApplicationError) as caught:
        check_upload(hostile.forged_size_xlsx(), "bieu.xlsx")
    assert caught.value.message == (
        "Tệp “bieu.xlsx” bị hỏng: không đọc được phần “xl/worksheets/sheet1.xml” bên trong tệp. "
        "Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại dưới dạng .xlsx rồi tải tệp đó lên."
    )
    with pytest.raises(ApplicationError) as caught:
        check_upload(hostile.xls_password(), "bieu.xls")
    assert caught.value.message == (
        "Tệp “bieu.xls” được bảo vệ bằng mật khẩu; hãy gỡ mật khẩu rồi tải lên lại."
    )


def test_the_declared_size_of_a_zip_bomb_refuses_it_before_inflating() -> None:
    with pytest.raises(ApplicationError) as caught:
        check_upload(hostile.zip_bomb_xlsx(), "bieu.xlsx")
    assert caught.value.code == "file_too_big_unpacked"
    assert "4096 MB" in caught.value.message


def test_sheets_larger_than_the_xml_limit_are_refused_as_they_inflate() -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 20_001))
    data = hostile.xlsx(hostile.worksheet(rows))
    with pytest.raises(ApplicationError) as caught:
        check_upload(data, "bieu.xlsx", limits=Limits(max_sheet_xml=256 * 1024))
    assert caught.value.code == "file_too_big_unpacked"
    assert check_upload(data, "bieu.xlsx") == "zip"


def test_every_limit_is_the_one_given() -> None:
    data = hostile.xlsx(hostile.worksheet(hostile.cells("A1", "J20")))
    assert check_upload(data, "bieu.xlsx", limits=Limits(max_cells=200)) == "zip"
    for limits, code in [
        (Limits(max_cells=199), "file_too_many_cells"),
        (Limits(max_rows=19), "file_too_many_rows"),
        (Limits(max_columns=9), "file_too_many_columns"),
        (Limits(max_sheets=0), "file_too_complex"),
    ]:
        with pytest.raises(ApplicationError) as caught:
            check_upload(data, "bieu.xlsx", limits=limits)
        assert caught.value.code == code


# --- no reader is reached: every hostile file under a 1 GiB address space -----------------------

CHILD = textwrap.dedent(
    """
    import json, os, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django
    django.setup()
    from kehoach.core.errors import ApplicationError
    from kehoach.exchange.reading import open_workbook
    folder = sys.argv[1]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome = {}
    for entry in sorted(os.listdir(folder)):
        name, filename = entry.split("@", 1)
        with open(os.path.join(folder, entry), "rb") as handle:
            data = handle.read()
        try:
            open_workbook(data, filename)
            outcome[name] = "opened"
        except ApplicationError as exc:
            outcome[name] = exc.code if filename in exc.message else "unnamed " + exc.code
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"outcome": outcome, "grew_kb": after - before}))
    """
)


def _child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )


def test_every_hostile_file_is_refused_within_1_gib_and_100_mb_of_growth(tmp_path: Path) -> None:
    """Each file is written here and read by the child one at a time, so that its peak memory
    is that of refusing the files, above Django and the readers loaded."""
    items = hostile.hostile_files()
    for index, item in enumerate(items):
        (tmp_path / f"{index:03d}@{item.filename}").write_bytes(item.make())
    for index, (filename, data) in enumerate(hostile.mutated_files(150)):
        (tmp_path / f"m{index:03d}@{filename}").write_bytes(data)
    done = _child(CHILD, str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]  # a killed child: a reader was reached
    report = json.loads(done.stdout.strip().splitlines()[-1])
    outcome = report["outcome"]
    for index, item in enumerate(items):
        assert outcome[f"{index:03d}"] in item.codes, item.name
    assert not [name for name, code in outcome.items() if code.startswith("unnamed")]
    assert report["grew_kb"] < 100 * 1024


def test_without_the_scan_the_reader_dies_on_the_same_file() -> None:
    """The harness above can fail: calamine alone, in the same 1 GiB, aborts on the file."""
    code = textwrap.dedent(
        """
        import io, os, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        sys.path.insert(0, os.getcwd())
        from python_calamine import CalamineWorkbook
        from kehoach.exchange.tests import hostile
        book = CalamineWorkbook.from_filelike(io.BytesIO(hostile.huge_dimension_xlsx()))
        book.get_sheet_by_name("F6").to_python()
        """
    )
    done = _child(code)
    assert done.returncode != 0
    assert "memory allocation" in done.stderr


# --- what people really send still opens ------------------------------------------------------


@pytest.mark.django_db
def test_the_workbooks_kehoach_exports_open() -> None:
    plan, _planner = plan_with_lines()
    for data in (f6.export(plan), f6.export(plan, blank=True)):
        budget = scan.scan(data, "F6.xlsx", Limits(), "zip")
        book = open_workbook(data, "F6.xlsx")
        rows, columns = budget.extents["F6"]
        grid = book.sheet("F6").grid
        assert len(grid) <= rows and max(len(row) for row in grid) <= columns


@pytest.fixture(scope="module")
def converted() -> dict[str, bytes]:
    """A 30-line F6 workbook and what LibreOffice makes of it as .ods and .xls."""
    data = f6_workbook(30)
    return {
        "xlsx": data,
        "ods": libreoffice_convert(data, "xlsx", "ods"),
        "xls": libreoffice_convert(data, "xlsx", "xls"),
    }


def _value(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _rows(book: Any) -> list[list[Any]]:
    return [
        [_value(value) for value in row]
        for row in book.sheet("F6").grid[4:]
        if any(value not in ("", None) for value in row)
    ]


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_libreoffice_ods_and_xls_open_with_the_same_values(
    converted: dict[str, bytes], kind: str
) -> None:
    original = _rows(open_workbook(converted["xlsx"], "bieu.xlsx"))
    again = _rows(open_workbook(converted[kind], f"bieu.{kind}"))
    assert len(again) == 30
    assert [row[:23] for row in again] == [row[:23] for row in original]


def test_libreoffice_ods_with_its_trailing_repeated_rows_opens(
    converted: dict[str, bytes],
) -> None:
    with zipfile.ZipFile(io.BytesIO(converted["ods"])) as archive:
        content = archive.read("content.xml")
    assert b"table:number-columns-repeated" in content
    budget = scan.scan(converted["ods"], "bieu.ods", Limits(), "zip")
    assert budget.extents["F6"] == (34, 23)
    book = open_workbook(hostile.plain_ods(), "bieu.ods")  # a million empty rows after
    assert book.sheet("F6").grid == [[1.0, 2.0]]


def test_a_province_workbook_of_20000_lines_opens() -> None:
    data = f6_workbook(20_000)
    budget = scan.scan(data, "bieu.xlsx", Limits(), "zip")
    assert budget.extents == {"F6": (20_004, 23)}
    book = open_workbook(data, "bieu.xlsx")
    assert len(book.sheet("F6").grid) == 20_004


@pytest.mark.parametrize(
    "make",
    [hostile.plain_xlsx, hostile.plain_ods, hostile.plain_xls, hostile.plain_xls_in_mini_stream],
    ids=["xlsx", "ods", "xls", "xls in the mini stream"],
)
def test_the_hand_made_workbooks_are_real_ones(make: Any) -> None:
    """What ``hostile`` varies is a workbook calamine reads: its refusals are the scan's."""
    suffix = {hostile.plain_ods: "ods", hostile.plain_xlsx: "xlsx"}.get(make, "xls")
    book = open_workbook(make(), f"bieu.{suffix}")
    grid = book.sheet("F6").grid
    assert grid[0][0] == 1.0
    assert (
        len(grid)
        == scan.scan(make(), "bieu", Limits(), "zip" if suffix != "xls" else "ole").extents["F6"][0]
    )


def test_formatted_empty_cells_far_away_do_not_count() -> None:
    book = open_workbook(hostile.styled_far_cells_xlsx(), "bieu.xlsx")
    assert book.sheet("F6").grid == [[1.0, ""], ["", 1.0]]


# --- the scan counts as calamine reads --------------------------------------------------------

VARIANTS = {
    "rows and cells without r": "<row><c><v>1</v></c><c><v>2</v></c></row>" * 3,
    "a row with r, then rows without": (
        '<row r="4"><c r="B4"><v>1</v></c></row><row><c><v>1</v></c><c><v>2</v></c></row>'
    ),
    "cells without r after one with r": '<row r="2"><c r="C2"><v>1</v></c><c><v>2</v></c></row>',
    "a formula with its value": '<row r="3"><c r="D3"><f>1+1</f><v>2</v></c></row>',
    "shared strings": '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="E5" t="s"><v>1</v></c></row>',
    "empty and valued cells": '<row r="7"><c r="A7" s="1"/><c r="C7"><v>1</v></c></row>',
}
SHARED = (
    f'<sst xmlns="{hostile.MAIN}" count="2" uniqueCount="2"><si><t>Thôn Đông</t></si>'
    "<si><r><t>Đường </t></r><r><t>xóm</t></r></si></sst>"
)


def _calamine_extent(data: bytes) -> tuple[int, int]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    end = book.get_sheet_by_name("F6").end
    return (end[0] + 1, end[1] + 1) if end else (0, 0)


@pytest.mark.parametrize("rows", VARIANTS.values(), ids=list(VARIANTS))
def test_the_scan_counts_rows_and_columns_as_calamine_does(rows: str) -> None:
    data = hostile.xlsx(hostile.worksheet(rows), shared=SHARED)
    assert scan.scan(data, "bieu.xlsx", Limits(), "zip").extents["F6"] == _calamine_extent(data)


def test_the_fast_and_the_exact_reading_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "F6"
    for row in range(1, 301):  # openpyxl writes shared strings
        ws.append([row, f"Đường xóm số {row % 17}", "x" * (row % 50), row * 1.5])
    ws.merge_cells("A1:B1")
    files = [saved(book), f6_workbook(200)] + [
        hostile.xlsx(hostile.worksheet(rows), shared=SHARED) for rows in VARIANTS.values()
    ]

    def results() -> list[tuple[Any, ...]]:
        out = []
        for data in files:
            budget = scan.scan(data, "bieu.xlsx", Limits(), "zip")
            out.append((budget.extents, budget.text, budget.merged))
        return out

    fast = results()

    def exact(self: Any, chunk: bytes) -> None:
        raise xlsx_cells._Fallback

    monkeypatch.setattr(xlsx_cells._FastCells, "feed", exact)
    assert results() == fast


def test_the_usual_workbooks_take_the_fast_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a timing: the per-element reading must not run for the files people send."""

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("read element by element")

    monkeypatch.setattr(xlsx_cells._SheetCells, "__init__", refuse)
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["STT", "Tên"])
    ws.append([1, "Thôn Đông"])
    scan.scan(saved(book), "bieu.xlsx", Limits(), "zip")
    scan.scan(f6_workbook(50), "bieu.xlsx", Limits(), "zip")


# --- damaged bytes ----------------------------------------------------------------------------


def test_mutated_workbooks_open_or_are_refused_naming_the_file() -> None:
    outcomes = set()
    for filename, data in hostile.mutated_files(300):
        try:
            open_workbook(data, filename)
            outcomes.add("opened")
        except ApplicationError as exc:
            assert f"“{filename}”" in exc.message
            outcomes.add(exc.code)
    assert "file_damaged" in outcomes


@pytest.mark.parametrize(
    "make",
    [hostile.plain_xlsx, hostile.plain_ods, hostile.plain_xls],
    ids=["xlsx", "ods", "xls"],
)
def test_every_truncation_of_a_workbook_is_a_clear_refusal(make: Any) -> None:
    data = make()
    suffix = "ods" if make is hostile.plain_ods else "xls" if make is hostile.plain_xls else "xlsx"
    for keep in range(1, len(data), max(1, len(data) // 97)):
        with pytest.raises(ApplicationError) as caught:
            open_workbook(data[:keep], f"bieu.{suffix}")
        assert caught.value.code in {"file_damaged", "file_type", "file_empty"}
