"""Opening uploads safely and reading cells the way offices type them."""

from __future__ import annotations

import datetime
import io
import unicodedata
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from kehoach.core.errors import ApplicationError
from kehoach.core.numbers import ParseError
from kehoach.exchange import cells
from kehoach.exchange.reading import (
    HeaderSpec,
    Limits,
    _calamine,
    data_rows,
    find_header,
    open_workbook,
)

from . import hostile
from .helpers import saved


def _workbook(rows: list[list[object]], name: str = "F6") -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = name
    for row in rows:
        ws.append(row)
    return saved(book)


def _refused(data: bytes, filename: str = "bieu.xlsx", **limits: int) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        open_workbook(data, filename, limits=Limits(**limits))
    return caught.value


# --- safety -----------------------------------------------------------------------------------


def test_a_plain_workbook_opens() -> None:
    book = open_workbook(_workbook([["STT", "Tên"], [1, "Thôn Đông"]]), "bieu.xlsx")
    assert book.sheet_names == ["F6"]
    assert book.sheet("F6").value(1, 1) == "Thôn Đông"


def test_a_file_over_the_size_limit_is_refused_before_reading() -> None:
    error = _refused(b"PK\x03\x04" + b"0" * 2048, max_bytes=1024)
    assert error.code == "file_too_big"


def test_a_zip_bomb_is_refused_without_inflating_it() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b"0" * (1024 * 1024)
            for _ in range(310):  # 310 MB of zeros, about 300 KB compressed
                entry.write(block)
    data = out.getvalue()
    assert len(data) < 2 * 1024 * 1024
    error = _refused(data)
    assert error.code == "file_too_big_unpacked"
    assert "310 MB" in error.message


def test_a_workbook_with_too_many_parts_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(30):
            archive.writestr(f"xl/part{n}.xml", "<x/>")
    assert _refused(out.getvalue(), max_entries=20).code == "file_too_complex"


@pytest.mark.parametrize("suffix", ["xlsm", "xltm", "xlsb"])
def test_macro_workbooks_are_refused_by_name(suffix: str) -> None:
    error = _refused(_workbook([["a"]]), f"bieu.{suffix}")
    assert error.code == "file_has_macros"
    assert "macro" in error.message


def test_an_xlsx_carrying_a_vba_project_is_refused() -> None:
    data = io.BytesIO(_workbook([["a"]]))
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        archive.writestr("xl/vbaProject.bin", b"\x00" * 64)
    assert _refused(out.getvalue()).code == "file_has_macros"


def test_an_xls_with_a_vba_stream_is_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "_VBA_PROJECT".encode("utf-16-le")
    assert _refused(ole, "bieu.xls").code == "file_has_macros"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"STT;Ten\n1;Thon Dong\n", "file_type"),
        (b"<html><script>alert(1)</script></html>", "file_type"),
        (b"PK\x03\x04 not really a zip", "file_damaged"),
    ],
)
def test_what_is_not_a_workbook_is_refused(data: bytes, code: str) -> None:
    error = _refused(data)
    assert error.code == code


def test_a_damaged_xlsx_is_refused_with_a_message() -> None:
    data = _workbook([["a"]])
    error = _refused(data[: len(data) // 2])
    assert error.code == "file_damaged"
    assert ".xlsx" in error.message


def test_too_many_rows_or_columns_are_refused() -> None:
    data = _workbook([[n] for n in range(30)])
    error = _refused(data, max_rows=20)
    assert error.code == "file_too_many_rows" and "“F6”" in error.message
    wide = _workbook([list(range(30))])
    assert _refused(wide, max_columns=20).code == "file_too_many_columns"


def test_formulas_are_read_as_cached_values_and_never_evaluated() -> None:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    ws = book.add_worksheet("F6")
    ws.write_number(0, 0, 2)
    ws.write_formula(0, 1, "=A1*1000", None, 7)  # a stale cached value: what Excel last showed
    ws.write_formula(0, 2, '=WEBSERVICE("http://example.invalid/")', None, "")
    ws.write_formula(0, 3, "='C:\\bieu\\[khac.xlsx]F6'!A1", None, 42)  # a link to another file
    book.close()
    sheet = open_workbook(out.getvalue(), "bieu.xlsx").sheet("F6")
    assert sheet.value(0, 1) == 7
    assert sheet.value(0, 2) is None
    assert sheet.value(0, 3) == 42  # the value last shown; the other file is never opened


def test_hidden_and_helper_sheets_are_not_taken_for_data() -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Hướng dẫn"
    book.create_sheet("_kehoach").sheet_state = "hidden"
    book.create_sheet("Danh sách")
    upload = open_workbook(saved(book), "bieu.xlsx")
    assert upload.hidden == {"_kehoach"}
    assert upload.data_sheet("F6") == "Danh sách"


# --- headers and rows -------------------------------------------------------------------------

SPECS = [
    HeaderSpec("number", ["STT"]),
    HeaderSpec("activity", ["Tên hoạt động / công trình"], required=True),
    HeaderSpec("cash", ["Dân đóng góp > Tiền mặt"], required=True),
    HeaderSpec("labour", ["Dân đóng góp > Ngày công quy đổi"]),
    HeaderSpec("total", ["Tổng kinh phí"], required=True),
]


def _sheet(rows: list[list[object]], merges: list[str] | None = None) -> object:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "F6"
    for row in rows:
        ws.append(row)
    for area in merges or []:
        ws.merge_cells(area)
    return open_workbook(saved(book), "bieu.xlsx").sheet("F6")


def test_headers_are_found_under_a_title_with_merged_parents() -> None:
    sheet = _sheet(
        [
            ["BIỂU ĐỀ XUẤT"],
            [],
            ["STT", "Tên hoạt động / công trình", "Dân đóng góp", None, "Tổng kinh phí"],
            [None, None, "Tiền mặt", "Ngày công quy đổi", None],
            [1, 2, 3, 4, 5],
            [1, "Làm đường", 10, 5, 15],
        ],
        ["C3:D3", "A3:A4", "B3:B4", "E3:E4"],
    )
    header = find_header(sheet, SPECS)  # type: ignore[arg-type]
    assert header.columns == {"number": 0, "activity": 1, "cash": 2, "labour": 3, "total": 4}
    rows = list(data_rows(sheet, header))  # type: ignore[arg-type]
    assert [r.number for r in rows] == [6]
    assert header.letters["cash"] == "C" and rows[0].values["cash"] == 10
    assert header.skipped[0][0] == 5


def test_headers_match_whatever_the_case_marks_spaces_and_notes() -> None:
    sheet = _sheet(
        [
            [
                "stt",
                unicodedata.normalize("NFD", "TÊN HOẠT ĐỘNG  / CÔNG TRÌNH"),
                "Dân đóng góp",
                "Tổng kinh phí (triệu đồng)*",
            ],
            [None, None, "tiền mặt", None],
        ]
    )
    header = find_header(sheet, SPECS)  # type: ignore[arg-type]
    assert set(header.columns) == {"number", "activity", "cash", "total"}


def test_a_parent_typed_once_over_its_children_is_carried_right() -> None:
    sheet = _sheet(
        [
            ["Tên hoạt động / công trình", "Dân đóng góp", None, "Tổng kinh phí"],
            [None, "Tiền mặt", "Ngày công quy đổi", None],
        ]
    )
    header = find_header(sheet, SPECS)  # type: ignore[arg-type]
    assert header.columns["labour"] == 2


def test_missing_required_columns_are_named() -> None:
    sheet = _sheet([["STT", "Tên hoạt động / công trình"], [1, "Làm đường"]])
    with pytest.raises(ApplicationError) as caught:
        find_header(sheet, SPECS)  # type: ignore[arg-type]
    assert "“Dân đóng góp > Tiền mặt”" in caught.value.message
    assert "“Tổng kinh phí”" in caught.value.message
    assert caught.value.where.sheet == "F6"


def test_blank_total_and_heading_rows_are_skipped_with_reasons() -> None:
    sheet = _sheet(
        [
            ["STT", "Tên hoạt động / công trình", "Tiền mặt", "Tổng kinh phí"],
            ["I", "HẠ TẦNG", None, None],
            [1, "Làm đường", 10, 15],
            [None, None, None, None],
            [2, "Cộng", 20, None],  # not a total: "Cộng" is one of its texts but a number is there
            [None, "Cộng", 30, 30],
            [None, "Tổng cộng:", 30, 30],
        ]
    )
    specs = [SPECS[0], SPECS[1], HeaderSpec("cash", ["Tiền mặt"]), SPECS[4]]
    header = find_header(sheet, specs)  # type: ignore[arg-type]
    rows = list(data_rows(sheet, header))  # type: ignore[arg-type]
    assert [r.number for r in rows] == [3, 5]
    assert [s[0] for s in header.skipped] == [2, 6, 7]


# --- cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.200", Decimal(1200)),
        ("1.200,5", Decimal("1200.5")),
        ("350 triệu", Decimal(350)),
        ("1,2 tỷ", Decimal(1200)),
        ("500.000 đồng", Decimal("0.5")),
        (12.5, Decimal("12.5")),
        (3, Decimal(3)),
        (" 7 ", Decimal(7)),
        ("", None),
        (None, None),
    ],
)
def test_money_is_read_as_typed(value: object, expected: Decimal | None) -> None:
    assert cells.money(value) == expected


def test_money_in_dong_columns_is_converted_to_million() -> None:
    assert cells.money("1.250.500.000", Decimal(1_000_000)) == Decimal("1250.5")


@pytest.mark.parametrize("value", ["12a", "mười", "1,2,3", "-5", True])
def test_bad_money_says_what_it_found(value: object) -> None:
    with pytest.raises(ParseError) as caught:
        cells.money(value)
    assert str(value) in caught.value.message or value is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03/2027", datetime.date(2027, 3, 1)),
        ("3/2027", datetime.date(2027, 3, 1)),
        ("tháng 3/2027", datetime.date(2027, 3, 1)),
        ("Tháng 12-2027", datetime.date(2027, 12, 1)),
        ("15/03/2027", datetime.date(2027, 3, 1)),
        (datetime.date(2027, 3, 15), datetime.date(2027, 3, 1)),
        (datetime.datetime(2027, 3, 15, 8, 0), datetime.date(2027, 3, 1)),
        (46447, datetime.date(2027, 3, 1)),  # an Excel serial (1 March 2027)
    ],
)
def test_months_are_read_as_typed(value: object, expected: datetime.date) -> None:
    assert cells.month(value) == expected


@pytest.mark.parametrize("value", ["13/2027", "quý 2", "2027"])
def test_a_bad_month_asks_for_mm_yyyy(value: str) -> None:
    with pytest.raises(ParseError) as caught:
        cells.month(value)
    assert "mm/yyyy" in caught.value.message


def test_dates_as_text_or_serials() -> None:
    assert cells.date("05/04/2027") == datetime.date(2027, 4, 5)
    assert cells.date(46482) == datetime.date(2027, 4, 5)
    with pytest.raises(ParseError):
        cells.date("31/02/2027")


def test_text_is_nfc_and_whole_numbers_lose_their_point() -> None:
    assert cells.text(unicodedata.normalize("NFD", " Thôn  Đông ")) == "Thôn Đông"
    assert cells.text(3.0) == "3"
    assert cells.integer("1.200") == 1200
    with pytest.raises(ParseError):
        cells.integer("2,5")


def test_an_entity_expansion_bomb_is_not_expanded() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "x"
    source = zipfile.ZipFile(io.BytesIO(saved(book)))
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = data.decode().split("?>", 1)[-1].replace("<t>x</t>", "<t>&i;</t>")
                data = f'<?xml version="1.0"?><!DOCTYPE x [{entities}]>{body}'.encode()
            archive.writestr(item, data)
    with pytest.raises(ApplicationError):
        open_workbook(out.getvalue(), "bieu.xlsx")


def test_a_panic_in_the_reader_is_a_damaged_file_not_a_crash() -> None:
    data = hostile.panicking_xls()
    assert _refused(data, "bieu.xls").code == "file_damaged"  # the scan sees it first
    with pytest.raises(ApplicationError) as caught:  # and calamine itself panics on it
        _calamine(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)), "bieu.xls")
    assert caught.value.code == "file_damaged"
    assert "“bieu.xls”" in caught.value.message


def test_an_interrupt_is_not_taken_for_a_damaged_file() -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _calamine(interrupted, "bieu.xlsx")
