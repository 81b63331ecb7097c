"""Recognising programmes' own workbooks (issue 15): header blocks of one to three rows with
merged cells matched by label and synonym, units in headers, heading rows carrying a sector,
subtotal/total rows, the signature block, legacy text, derived totals, ``recognise`` and
``mapped_layout``."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter
from django.utils import translation

from kehoach.core.errors import ApplicationError
from kehoach.core.legacy import from_unicode_tcvn3, from_unicode_vni
from kehoach.exchange.choices import Choices, _entry
from kehoach.exchange.forms.base import CellError, header_specs, read_table
from kehoach.exchange.layouts import (
    SCALES,
    Column,
    layouts_for_form,
    parse_layout,
    shipped_layouts,
)
from kehoach.exchange.models import HeaderSynonym, Layout
from kehoach.exchange.reading import HeaderSpec, find_header, open_workbook
from kehoach.exchange.reading.headers import unit_scale
from kehoach.exchange.reading.recognition import SURE, mapped_layout, recognise
from kehoach.exchange.reading.synonyms import synonyms_for

F6 = parse_layout(shipped_layouts()["F6-CHUAN"])


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _optional(columns: Any) -> list[Any]:
    return [Column(**{**c.__dict__, "required": False}) for c in columns]


def _specs(columns: Any, required: bool = False) -> list[HeaderSpec]:
    return [HeaderSpec(c.key, c.labels, required and c.required) for c in columns]


Cell = Any
Merge = tuple[int, int, int, int, str]


def _book(rows: Any, merges: Any = (), sheet: str = "F6", name: str = "cu.xlsx") -> Any:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    ws = book.add_worksheet(sheet)
    covered = set()
    for r0, c0, r1, c1, text in merges:
        ws.merge_range(r0, c0, r1, c1, text)
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, line in enumerate(rows):
        for c, value in enumerate(line):
            if value is None or (r, c) in covered:
                continue
            if isinstance(value, datetime.date):
                ws.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()))
            else:
                ws.write(r, c, value)
    book.close()
    return open_workbook(out.getvalue(), name)


# A programme's old F6: title, a three-row header ("Dân đóng góp" > "Trong đó" > parts,
# "Thời gian" > "Bắt đầu"/"Kết thúc"), units, a numbered row, heading rows, subtotals, a total
# and a signature block.
HEAD: list[list[Any]] = [
    ["KẾ HOẠCH ĐỀ XUẤT NĂM 2026"] + [None] * 11,
    [None] * 12,
    ["TT", "Nội dung", "ĐVT", "KL", "Thời gian", None, "Tổng kinh phí (1.000 đ)",
     "Dân đóng góp (1.000 đ)", None, None, "Đề nghị hỗ trợ (1.000 đ)", "Ghi chú"],
    [None, None, None, None, "Bắt đầu", "Kết thúc", None, "Trong đó", None, None, None, None],
    [None, None, None, None, None, None, None, "Tiền mặt", "Ngày công", "Vật liệu", None, None],
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)", "(11)", "(12)"],
]  # fmt: skip
MERGES: list[Merge] = [
    (0, 0, 0, 11, "KẾ HOẠCH ĐỀ XUẤT NĂM 2026"),
    (2, 0, 4, 0, "TT"),
    (2, 1, 4, 1, "Nội dung"),
    (2, 2, 4, 2, "ĐVT"),
    (2, 3, 4, 3, "KL"),
    (2, 4, 2, 5, "Thời gian"),
    (3, 4, 4, 4, "Bắt đầu"),
    (3, 5, 4, 5, "Kết thúc"),
    (2, 6, 4, 6, "Tổng kinh phí (1.000 đ)"),
    (2, 7, 2, 9, "Dân đóng góp (1.000 đ)"),
    (3, 7, 3, 9, "Trong đó"),
    (2, 10, 4, 10, "Đề nghị hỗ trợ (1.000 đ)"),
    (2, 11, 4, 11, "Ghi chú"),
]
BODY: list[list[Any]] = [
    ["I. NÔNG NGHIỆP"] + [None] * 11,
    [1, "Làm đường nội đồng", "m", 300, "03/2026", "06/2026", 200000, 20000, 10000, 5000,
     150000, None],
    [2, "Kênh mương", "m", 100, "04/2026", "08/2026", None, 10000, None, None, 90000, "gấp"],
    ["Cộng I", None, None, None, None, None, 300000, None, None, None, None, None],
    ["II", "Giáo dục - đào tạo"] + [None] * 10,
    [3, "Sửa lớp học", "cái", 1, "05/2026", "07/2026", 50000, 5000, None, None, 45000, None],
    ["Tổng cộng", None, None, None, None, None, 350000, None, None, None, None, None],
    [None] * 12,
    [None, None, None, None, None, None, None, None, "TRƯỞNG THÔN", None, None, None],
    [None, None, None, None, None, None, None, None, "Nguyễn Văn A", None, None, None],
    [None, "Ghi chú: số liệu dự kiến"] + [None] * 10,
]  # fmt: skip

COLUMNS = [
    c
    for c in F6.columns
    if c.key
    in {
        "number", "sector", "activity", "unit", "quantity", "start_month", "end_month",
        "total_cost_mvnd", "contribution_mvnd", "contribution_cash_mvnd",
        "contribution_labour_mvnd", "contribution_materials_mvnd", "external_support_mvnd",
        "notes",
    }
]  # fmt: skip
TEXT_COLUMNS = [
    Column(c.key, c.header, kind="text", parent=c.parent, heading=c.heading, required=c.required)
    if c.kind == "choice"
    else c
    for c in COLUMNS
]


def _old_f6() -> Any:
    return _book(HEAD + BODY, MERGES)


# --- synonyms --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_synonyms_merge_shipped_and_the_administrators_rows() -> None:
    HeaderSynonym.objects.create(key="total_cost_mvnd", text="Giá trị dự toán")
    HeaderSynonym.objects.create(form="F1", key="total_cost_mvnd", text="Chỉ ở F1")
    HeaderSynonym.objects.create(key="total_cost_mvnd", text="Tắt", is_active=False)
    found = synonyms_for("F6")
    assert "Tổng mức đầu tư" in found["total_cost_mvnd"]
    assert "Giá trị dự toán" in found["total_cost_mvnd"]
    assert "Chỉ ở F1" not in found["total_cost_mvnd"]
    assert "Tắt" not in found["total_cost_mvnd"]


def test_every_key_of_every_imported_layout_has_synonyms() -> None:
    from kehoach.exchange.reading.synonyms import shipped_synonyms

    shipped = shipped_synonyms()
    for code, spec in shipped_layouts().items():
        for column in spec["columns"]:
            if column.get("kind") in ("sources", "criteria"):
                continue
            names = {*shipped["*"], *shipped.get(spec["form"], {})}
            assert column["key"] in names, (code, column["key"])


@pytest.mark.django_db
def test_an_administrators_synonym_finds_a_column() -> None:
    sheet = _book([["Tên việc", "Giá trị dự toán"], ["Đường", 10]]).sheet("F6")
    specs = [HeaderSpec("activity", ["Tên hoạt động"], True), HeaderSpec("total_cost_mvnd", ["X"])]
    with pytest.raises(ApplicationError):
        find_header(sheet, specs, synonyms=lambda: synonyms_for("F6"))
    HeaderSynonym.objects.create(key="activity", text="Tên việc")
    header = find_header(sheet, specs, synonyms=lambda: synonyms_for("F6"))
    assert header.columns == {"activity": 0}
    HeaderSynonym.objects.create(form="F6", key="total_cost_mvnd", text="Giá trị dự toán")
    header = find_header(sheet, specs, synonyms=lambda: synonyms_for("F6"))
    assert header.columns == {"activity": 0, "total_cost_mvnd": 1}


# --- the header block ------------------------------------------------------------------------


def test_a_three_row_merged_header_with_trong_do_is_found() -> None:
    sheet = _old_f6().sheet("F6")
    header = find_header(sheet, header_specs(F6.columns))
    assert header.row == 4
    assert header.first_row == 2
    assert header.columns == {
        "number": 0,
        "activity": 1,
        "unit": 2,
        "quantity": 3,
        "start_month": 4,
        "end_month": 5,
        "total_cost_mvnd": 6,
        "contribution_cash_mvnd": 7,
        "contribution_labour_mvnd": 8,
        "contribution_materials_mvnd": 9,
        "external_support_mvnd": 10,
        "notes": 11,
    }
    assert header.scales["total_cost_mvnd"] == "kvnd"
    assert header.scales["contribution_cash_mvnd"] == "kvnd"  # the unit of the parent
    assert "quantity" not in header.scales


def test_the_parent_decides_between_children() -> None:
    rows = [
        ["Nội dung", "Dân đóng góp", None, "Số hộ hưởng lợi", None],
        [None, "Tổng", "Tiền mặt", "Tổng số", "Hộ nghèo"],
        ["Đường", 5, 5, 10, 2],
    ]
    merges: list[Merge] = [(0, 1, 0, 2, "Dân đóng góp"), (0, 3, 0, 4, "Số hộ hưởng lợi")]
    sheet = _book(rows, merges).sheet("F6")
    header = find_header(sheet, _specs(F6.columns))
    assert header.columns["contribution_mvnd"] == 1
    assert header.columns["contribution_cash_mvnd"] == 2
    assert header.columns["beneficiary_households"] == 3
    assert header.columns["beneficiary_poor"] == 4


def test_a_child_alone_is_not_read_without_its_parent() -> None:
    """ "Tổng" alone names nothing: only under "Dân đóng góp" is it the contribution."""
    sheet = _book([["Nội dung", "Tổng"], ["Đường", 5]]).sheet("F6")
    header = find_header(sheet, [HeaderSpec(c.key, c.labels, c.required) for c in F6.columns
                                 if c.key in ("activity", "contribution_mvnd")])  # fmt: skip
    assert header.columns == {"activity": 0}
    assert header.unread == [("B", "Tổng")]


def test_our_own_template_still_matches_by_label_only() -> None:
    rows = [[c.header for c in F6.columns]]
    sheet = _book(rows).sheet("F6")
    specs = [HeaderSpec(c.key, [c.header], c.required) for c in F6.columns]
    header = find_header(sheet, specs, synonyms=lambda: pytest.fail("synonyms looked up"))
    assert len(header.columns) == len(F6.columns)
    assert header.unread == []


def test_required_columns_missing_is_still_refused() -> None:
    sheet = _book([["Cột lạ", "Khác"], [1, 2]]).sheet("F6")
    with pytest.raises(ApplicationError) as caught:
        find_header(sheet, [HeaderSpec(c.key, c.labels, c.required) for c in F6.columns])
    assert caught.value.code == "columns_missing"


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ("Tổng kinh phí (tr.đ)", "mvnd"),
        ("Kinh phí (trđ)", "mvnd"),
        ("Kinh phí (triệu đồng)", "mvnd"),
        ("Kinh phí (Tr đồng)", "mvnd"),
        ("Kinh phí (1.000 đ)", "kvnd"),
        ("Kinh phí (1000đ)", "kvnd"),
        ("Kinh phí (nghìn đồng)", "kvnd"),
        ("Kinh phí (ngàn đồng)", "kvnd"),
        ("Kinh phí (đồng)", "vnd"),
        ("Kinh phí (đ)", "vnd"),
        ("Kinh phí (VNĐ)", "vnd"),
        ("Kinh phí", None),
        ("Dân đóng góp", None),
        ("Đất hiến (m²)", None),
    ],
)
def test_units_in_headers(text: str, scale: str | None) -> None:
    assert unit_scale(text) == scale


def test_thousand_dong_is_a_scale() -> None:
    assert SCALES["kvnd"] == Decimal(1000)


# --- rows and the table ---------------------------------------------------------------------


def _read(book: Any, columns: Any = TEXT_COLUMNS, **kw: Any) -> Any:
    return read_table(book, book.data_sheet("F6"), columns, {}, with_key=False, **kw)


@pytest.mark.django_db
def test_an_old_workbook_reads_with_headings_units_sums_and_skips() -> None:
    table = _read(_old_f6())
    assert [r.number for r in table.rows] == [8, 9, 12]
    first, second, third = (r.values for r in table.rows)
    assert first["sector"] == "NÔNG NGHIỆP"
    assert third["sector"] == "Giáo dục - đào tạo"
    assert first["total_cost_mvnd"] == Decimal(200)  # thousand đồng → million
    assert first["contribution_mvnd"] == Decimal(35)  # 20 + 10 + 5, computed
    assert table.rows[0].computed == {"contribution_mvnd"}
    assert second["total_cost_mvnd"] == Decimal(100)  # 10 + 90, computed in order
    assert table.rows[1].computed == {"contribution_mvnd", "total_cost_mvnd"}
    assert second["start_month"] == datetime.date(2026, 4, 1)
    reasons = dict(table.skipped)
    assert reasons[6] == "the row of column numbers"
    assert "NÔNG NGHIỆP" in reasons[7]
    assert reasons[10] == "a total row"  # Cộng I
    assert "Giáo dục - đào tạo" in reasons[11]
    assert reasons[13] == "a total row"
    assert reasons[15] == reasons[16] == reasons[17] == "below the signature and notes block"
    assert table.errors == []


@pytest.mark.django_db
def test_a_total_given_with_its_parts_is_not_computed() -> None:
    rows = [
        ["Nội dung", "Tổng kinh phí", "Tiền mặt", "Ngày công", "Dân đóng góp", "Hỗ trợ"],
        ["Đường", 100, 10, 5, 20, 80],
    ]
    table = _read(_book(rows), _optional(c for c in TEXT_COLUMNS if c.key != "sector"))
    row = table.rows[0]
    assert row.values["contribution_mvnd"] == Decimal(20)  # as given, R1 is the form's check
    assert row.values["total_cost_mvnd"] == Decimal(100)
    assert row.computed == set()


@pytest.mark.django_db
def test_no_part_no_sum() -> None:
    rows = [["Nội dung", "Tổng kinh phí", "Tiền mặt"], ["Đường", None, None]]
    table = _read(_book(rows), _optional(c for c in TEXT_COLUMNS if c.key != "sector"))
    assert table.rows[0].values.get("contribution_mvnd") is None
    assert table.rows[0].computed == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("heading", "second", "text"),
    [
        ("I. NÔNG NGHIỆP", None, "NÔNG NGHIỆP"),
        ("II. Hạ tầng giao thông", None, "Hạ tầng giao thông"),
        ("A. Kinh tế", None, "Kinh tế"),
        ("1. Giáo dục - đào tạo", None, "Giáo dục - đào tạo"),
        (1, "Giáo dục", "Giáo dục"),
        ("Y tế", None, "Y tế"),
    ],
)
def test_heading_rows_give_the_sector(heading: Any, second: Any, text: str) -> None:
    rows = [
        ["STT", "Tên công trình", "ĐVT", "Khối lượng", "Tổng kinh phí"],
        [heading, second, None, None, None],
        [1, "Đường", "m", 10, 5],
    ]
    table = _read(_book(rows), [c for c in TEXT_COLUMNS if c.key in ("number", "sector",
                  "activity", "unit", "quantity", "total_cost_mvnd")])  # fmt: skip
    assert len(table.rows) == 1
    assert table.rows[0].values["sector"] == text


@pytest.mark.django_db
def test_a_data_line_is_not_a_heading_and_a_sector_cell_wins() -> None:
    rows = [
        ["STT", "Lĩnh vực", "Tên công trình", "ĐVT", "Khối lượng"],
        ["I. NÔNG NGHIỆP", None, None, None, None],
        [1, None, "Đường", "m", 10],
        [2, "Y tế", "Trạm", "cái", 1],
    ]
    table = _read(_book(rows), [c for c in TEXT_COLUMNS if c.key in ("number", "sector",
                  "activity", "unit", "quantity")])  # fmt: skip
    assert [r.values["sector"] for r in table.rows] == ["NÔNG NGHIỆP", "Y tế"]


@pytest.mark.django_db
def test_without_a_heading_column_a_section_row_is_only_skipped() -> None:
    columns = [Column("activity", "Tên công trình", required=True), Column("unit", "ĐVT")]
    rows = [["Tên công trình", "ĐVT"], ["I", "HẠ TẦNG"], ["Đường", "m"]]
    table = _read(_book(rows), columns)
    assert [r.values for r in table.rows] == [{"activity": "Đường", "unit": "m"}]
    assert table.skipped == [(2, "a heading row")]


@pytest.mark.django_db
def test_a_heading_not_in_the_list_names_the_heading_row() -> None:
    sectors = Choices([_entry("Nông nghiệp", "agri"), _entry("Y tế", "health")])
    columns = [c for c in COLUMNS if c.key in ("number", "sector", "activity")]
    columns.append(Column("unit", "ĐVT"))
    rows = [["STT", "Tên công trình", "ĐVT"], ["I. NÔNG NGHIỆP"], [1, "Đường", "m"],
            [2, "Kênh", "m"], ["II. Vũ trụ"], [3, "Tên lửa", "cái"]]  # fmt: skip
    book = _book(rows)
    table = read_table(book, "F6", columns, {"sectors": sectors}, with_key=False)
    assert [r.values.get("sector") for r in table.rows] == ["agri", "agri", None]
    assert len(table.errors) == 1
    error = table.errors[0]
    assert (error.row, error.column, error.value) == (5, "A", "Vũ trụ")
    assert error.list == "sectors"
    assert "Vũ trụ" in error.message
    assert error.as_dict()["list"] == "sectors"


@pytest.mark.django_db
def test_a_month_typed_as_a_date_is_shown_as_a_month_in_an_error() -> None:
    columns = [
        Column("activity", "Nội dung", required=True),
        Column("end_month", "Kết thúc", kind="month"),
        Column("priority", "Ưu tiên", kind="choice", list="priorities"),
    ]
    priorities = Choices([_entry("1", 1), _entry("2", 2)])
    rows = [["Nội dung", "Kết thúc", "Ưu tiên"], ["Đường", datetime.date(2027, 2, 1), 5]]
    table = read_table(_book(rows), "F6", columns, {"priorities": priorities}, with_key=False)
    assert [e.column for e in table.errors] == ["C"]
    assert table.errors[0].list == "priorities"
    error = CellError("F6", 2, "B", "Kết thúc", datetime.date(2027, 2, 1), "x")
    assert error.list == ""
    from kehoach.exchange.forms.base.table import _shown_value

    assert _shown_value(columns[1], datetime.date(2027, 2, 1)) == "02/2027"
    assert _shown_value(columns[0], "02/2027") == "02/2027"


@pytest.mark.django_db
def test_the_signature_block_ends_the_table_and_a_similar_data_line_does_not() -> None:
    columns = [Column("activity", "Nội dung", required=True), Column("unit", "ĐVT"),
               Column("quantity", "KL", kind="decimal")]  # fmt: skip
    rows = [
        ["Nội dung", "ĐVT", "KL"],
        ["Xây nhà văn hóa UBND cũ", "cái", 1],
        ["Ngày 12 tháng 3 năm 2025", None, None],
        ["Đường", "m", 5],
    ]
    table = _read(_book(rows), columns)
    assert [r.values["activity"] for r in table.rows] == ["Xây nhà văn hóa UBND cũ"]
    assert table.skipped == [
        (3, "below the signature and notes block"),
        (4, "below the signature and notes block"),
    ]


@pytest.mark.parametrize(
    "text",
    ["TRƯỞNG THÔN", "Trưởng ban", "Người lập biểu", "XÁC NHẬN CỦA UBND XÃ", "T/M BAN PHÁT TRIỂN",
     "TM. UBND", "Chủ tịch", "Bí thư chi bộ", "Ngày … tháng … năm …",
     "Hải Lăng, ngày 12 tháng 3 năm 2025", "Ghi chú: xem thêm", "Nơi nhận:"],
)  # fmt: skip
def test_signature_texts(text: str) -> None:
    from kehoach.exchange.reading.rows import _is_signature

    assert _is_signature([None, text])
    assert not _is_signature(["Làm đường", text, "m", 5])


@pytest.mark.parametrize(
    ("text", "total"),
    [("Tổng cộng", True), ("Cộng", True), ("Cộng I", True), ("Cộng mục II", True),
     ("Tổng số", True), ("Cộng đồng tự quản", False), ("Làm đường", False)],
)  # fmt: skip
def test_subtotal_rows(text: str, total: bool) -> None:
    from kehoach.exchange.reading.rows import _is_total_row

    assert _is_total_row([text, None, 5]) is total


def test_number_rows() -> None:
    from kehoach.exchange.reading.rows import _is_number_row

    assert _is_number_row(["(1)", "(2)", "(3)"])
    assert _is_number_row([1, 2, 3])
    assert _is_number_row(["A", "B", 1, 2])
    assert not _is_number_row(["A", "Đường", 1, 2])
    assert not _is_number_row([1, 5, 3])


# --- legacy text ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("encode", [from_unicode_tcvn3, from_unicode_vni])
def test_legacy_sheet_name_headers_values_and_headings(encode: Any) -> None:
    def legacy(value: Any) -> Any:
        return encode(value) if isinstance(value, str) else value

    rows = [[legacy(v) for v in line] for line in [*HEAD, *BODY]]
    merges = [(*m[:4], legacy(m[4])) for m in MERGES]
    book = _book(rows, merges, sheet=encode("Biểu 02-KHT"))
    assert book.sheet_names == ["Biểu 02-KHT"]
    assert book.data_sheet("F6") == "Biểu 02-KHT"
    table = _read(book)
    assert table.encoding in ("tcvn3", "vni")
    assert [r.values["activity"] for r in table.rows] == [
        "Làm đường nội đồng", "Kênh mương", "Sửa lớp học"]  # fmt: skip
    assert table.rows[0].values["sector"].casefold() == "nông nghiệp"
    assert table.rows[2].values["sector"].casefold() == "giáo dục - đào tạo"
    assert table.rows[1].values["notes"] == "gấp"
    assert table.rows[0].values["total_cost_mvnd"] == Decimal(200)


def test_a_unicode_sheet_name_is_kept() -> None:
    book = _book([["Nội dung"], ["Đường"]], sheet="Thôn Đông")
    assert book.sheet_names == ["Thôn Đông"]


def test_data_sheet_by_folded_name() -> None:
    book = _book([["x"]], sheet="f6")
    assert book.data_sheet("F6") == "f6"


# --- recognition and mapped layouts ---------------------------------------------------------


@pytest.mark.django_db
def test_recognise_an_old_workbook() -> None:
    book = _old_f6()
    found = recognise(book.sheet("F6"), F6)
    assert (found.first_row, found.last_row) == (2, 4)
    by_letter = {c.letter: c for c in found.columns}
    assert by_letter["H"].header == "Dân đóng góp (1.000 đ) > Trong đó > Tiền mặt"
    assert by_letter["H"].key == "contribution_cash_mvnd"
    assert by_letter["H"].confidence == pytest.approx(0.95)
    assert by_letter["H"].scale == "kvnd"
    assert by_letter["B"].samples == ["Làm đường nội đồng", "Kênh mương", "Sửa lớp học"]
    assert by_letter["A"].samples == ["1", "2", "3"]  # the heading rows are no samples
    assert by_letter["L"].key == "notes" and by_letter["L"].confidence == 1.0
    assert found.missing == ["sector"]  # read from the heading rows, not a column
    assert not found.sure


@pytest.mark.django_db
def test_recognise_our_own_layout_is_sure() -> None:
    rows = [[c.labels[0].split(" > ")[-1] for c in F6.columns]]
    header_parents = [c.parent or None for c in F6.columns]
    book = _book([header_parents, *rows, [None] * len(F6.columns)])
    found = recognise(book.sheet("F6"), F6)
    assert found.missing == []
    assert found.sure
    assert all(c.confidence == 1.0 for c in found.columns if c.key)


@pytest.mark.django_db
def test_recognise_guesses_a_near_miss_and_is_not_sure() -> None:
    rows = [["Lĩnh vực", "Tên hoạt động công trình xây", "Đơn vị tính", "Khối lượng",
             "Bắt đầu", "Kết thúc", "Tổng kinh phí"], ["Y tế", "Trạm", "cái", 1, "01/2026",
             "02/2026", 5]]  # fmt: skip
    found = recognise(_book(rows).sheet("F6"), F6)
    guess = next(c for c in found.columns if c.letter == "B")
    assert guess.key == "activity"
    assert 0 < guess.confidence < SURE
    assert not found.sure


@pytest.mark.django_db
def test_recognise_never_raises_on_a_strange_sheet() -> None:
    found = recognise(_book([["a", "b"], [1, 2]]).sheet("F6"), F6)
    assert "activity" in found.missing
    assert [c.letter for c in found.columns] == ["A", "B"]


@pytest.mark.django_db
def test_mapped_layout_round_trip() -> None:
    book = _old_f6()
    found = recognise(book.sheet("F6"), F6)
    mapping = {c.index: c.key for c in found.columns if c.key}
    mapping[0] = "number"
    spec = mapped_layout(F6, found, mapping, code="F6-CU", name="Mẫu cũ")
    assert (spec["code"], spec["form"], spec["name"]) == ("F6-CU", "F6", "Mẫu cũ")
    layout = parse_layout(spec)
    sector = layout.column("sector")
    assert sector is not None and sector.heading and not sector.required
    cash = layout.column("contribution_cash_mvnd")
    assert cash is not None and cash.scale == "kvnd"
    assert cash.parent == "Dân đóng góp (1.000 đ) > Trong đó"
    specs = [HeaderSpec(c.key, c.labels, c.required) for c in layout.columns]
    header = find_header(book.sheet("F6"), specs, synonyms={})
    assert header.columns == {k: i for i, k in mapping.items()}
    table = read_table(book, "F6", [Column(**{**c.__dict__, "kind": "text"}) if c.kind ==
                       "choice" else c for c in layout.columns], {}, with_key=False)  # fmt: skip
    assert table.rows[0].values["total_cost_mvnd"] == Decimal(200)
    assert table.rows[0].values["sector"] == "NÔNG NGHIỆP"


@pytest.mark.django_db
def test_layouts_for_form_by_profile() -> None:
    from kehoach.catalog.models import ProcessProfile

    profile = ProcessProfile.objects.first()
    spec = {"columns": [{"key": "activity", "header": "Việc"}]}
    Layout.objects.create(code="F6-ALL", form="F6", name="a", spec=spec)
    codes = [layout.code for layout in layouts_for_form("F6")]
    assert "F6-ALL" in codes and "F6-CHUAN" in codes
    if profile is None:
        return
    Layout.objects.create(code="F6-P", form="F6", name="p", spec=spec, profile=profile)
    assert "F6-P" not in [layout.code for layout in layouts_for_form("F6")]
    assert "F6-P" in [layout.code for layout in layouts_for_form("F6", profile)]


def test_the_synonym_form_checks_the_field() -> None:
    from kehoach.exchange.admin import HeaderSynonymForm

    good = HeaderSynonymForm({"form": "", "key": "total_cost_mvnd", "text": "Tổng mức"})
    assert good.is_valid(), good.errors
    bad = HeaderSynonymForm({"form": "F6", "key": "tong_tien", "text": "Tổng tiền"})
    assert not bad.is_valid()
    assert "key" in bad.errors


@pytest.mark.django_db
def test_samples_are_data_lines_written_the_vietnamese_way() -> None:
    """The mapping page's samples come from the data lines: no heading, total or signature
    text, numbers as 1.350,5 and dates as dd/mm/yyyy."""
    from kehoach.exchange.layouts import layout_get
    from kehoach.exchange.reading.recognition import _text, recognise

    assert _text(1350.5) == "1.350,5"
    assert _text(12) == "12"
    assert _text(float("nan")) == "nan"
    assert _text(datetime.datetime(2027, 2, 1)) == "01/02/2027"
    sheet = _book(
        [
            ["STT", "Nội dung", "ĐVT", "Khối lượng", "Tổng kinh phí (tr.đ)"],
            ["I. NÔNG NGHIỆP", "", "", "", ""],
            [1, "Làm đường", "km", 0.5, 1350.5],
            [2, "Kênh mương", "m", 120, 300],
            ["", "Tổng cộng", "", "", 1650.5],
            ["", "TRƯỞNG THÔN", "", "", ""],
            ["", "Nguyễn Văn A", "", "", ""],
        ]
    ).sheet("F6")
    found = recognise(sheet, layout_get("F6-CHUAN"))
    by_letter = {c.letter: c.samples for c in found.columns}
    assert by_letter["B"] == ["Làm đường", "Kênh mương"]
    assert by_letter["D"] == ["0,5", "120"]
    assert by_letter["E"] == ["1.350,5", "300"]
