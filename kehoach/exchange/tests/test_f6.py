"""F6 (village proposals) out and in: the round trip applies exactly what changed, every kind of
bad input refuses the whole file and names the cell, legacy encodings, other layouts, .xls and
.ods."""

from __future__ import annotations

import datetime
import io
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter
from openpyxl import Workbook

from kehoach.approvals.models import StatusChange
from kehoach.core.legacy import from_unicode_tcvn3, from_unicode_vni
from kehoach.exchange.forms import f6
from kehoach.exchange.layouts import layout_get
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.services import error_workbook
from kehoach.geo.tests.factories import VillageFactory
from kehoach.plans.models import ProposalLine
from kehoach.plans.services.lines import proposal_line_update
from kehoach.plans.tests import factories as f

from .helpers import (
    FIRST_ROW,
    confirm,
    libreoffice_convert,
    lines_state,
    opened,
    plan_with_lines,
    saved,
    upload,
)

pytestmark = pytest.mark.django_db

ROW1, ROW2, NEW = FIRST_ROW, FIRST_ROW + 1, FIRST_ROW + 2


@pytest.fixture
def setup() -> tuple[Any, Any]:
    return plan_with_lines()


def _line(plan: Any, number: int) -> ProposalLine:
    return ProposalLine.objects.get(plan=plan, number=number)


def test_the_exported_form_looks_like_the_official_one(setup: Any) -> None:
    plan, _planner = setup
    book = opened(f6.export(plan))
    assert book.sheetnames == ["F6", "Danh mục", "Hướng dẫn", "_kehoach"]
    ws = book["F6"]
    assert ws["A1"].value == "Tỉnh/thành phố: Quảng Trị"
    assert ws["A3"].value == "Thôn/tổ dân phố: Thôn Diên Sanh"
    assert ws["A4"].value == "Năm kế hoạch: 2027"
    assert ws["A5"].value == "Biểu: F6 – Biểu đề xuất kế hoạch thôn"
    assert ws["A8"].value == "BIỂU ĐỀ XUẤT KẾ HOẠCH THÔN NĂM 2027"
    assert ws["J11"].value == "Dân đóng góp" and ws["K12"].value == "Tiền mặt"
    assert "J11:O11" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws[f"C{r}"].value for r in (ROW1, ROW2)] == [
        "Bê tông hóa đường thôn",
        "Xây dựng nhà văn hóa thôn",
    ]
    assert ws[f"I{ROW1}"].value == 100 and ws[f"I{ROW1}"].number_format == "#,##0.0"
    assert ws[f"G{ROW1}"].value == "03/2027"
    totals = next(r for r in range(ROW1, ws.max_row + 1) if ws[f"B{r}"].value == "Tổng cộng")
    assert ws[f"I{totals}"].value == f"=SUM(I{ROW1}:I{totals - 1})"
    # structure locked, data cells open, lists on the sector, unit, source, priority columns
    assert ws.protection.sheet
    assert ws[f"C{ROW1}"].protection.locked is False and ws["C12"].protection.locked is True
    listed = {str(v.sqref).split(":")[0][0] for v in ws.data_validations.dataValidation}
    assert {"B", "E", "Q", "U", "V"} <= listed
    assert book["_kehoach"].sheet_state == "hidden"
    meta = {row[0].value: row[1].value for row in book["_kehoach"].iter_rows() if row[0].value}
    assert meta["form"] == "F6" and meta["unit"] == plan.village.code
    assert meta["template_version"] == "1" and meta["round"] == str(plan.round.uid)
    assert meta["D1"] == str(_line(plan, 1).uid)
    assert book["Hướng dẫn"]["A1"].value.startswith("Hướng dẫn điền biểu")


def test_round_trip_applies_exactly_the_changed_cells(setup: Any) -> None:
    plan, planner = setup
    book = opened(f6.export(plan))
    ws = book["F6"]
    ws[f"C{ROW1}"] = "Bê tông hóa đường trục thôn"  # a text
    ws[f"I{ROW2}"] = 600  # total 600 = 100 + 500
    ws[f"P{ROW2}"] = 500
    ws[f"A{NEW}"], ws[f"B{NEW}"], ws[f"C{NEW}"] = 3, "Hạ tầng: giao thông", "Làm cầu tràn"
    ws[f"E{NEW}"], ws[f"F{NEW}"], ws[f"G{NEW}"], ws[f"H{NEW}"] = "km", 0.5, "05/2027", "08/2027"
    ws[f"I{NEW}"], ws[f"J{NEW}"], ws[f"P{NEW}"] = 200, 0, 200
    before = {line.number: line.version for line in ProposalLine.objects.filter(plan=plan)}
    untouched = _line(plan, 1)

    record = upload(plan, planner, saved(book))

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 1, "change": 2, "remove": 0}
    changes = {c["label"]: [list(x) for x in c["fields"]] for c in record.summary["changes"]}
    assert changes["1. Bê tông hóa đường thôn"] == [
        ["Hoạt động", "Bê tông hóa đường thôn", "Bê tông hóa đường trục thôn"]
    ]
    assert _line(plan, 1).activity == "Bê tông hóa đường thôn"  # nothing before confirming

    confirm(plan, planner, record)

    first, second, third = (_line(plan, n) for n in (1, 2, 3))
    assert first.activity == "Bê tông hóa đường trục thôn"
    assert (second.total_cost_mvnd, second.external_support_mvnd) == (600, 500)
    assert (third.activity, third.quantity, third.total_cost_mvnd) == (
        "Làm cầu tràn",
        Decimal("0.5"),
        200,
    )
    assert third.start_month == datetime.date(2027, 5, 1)
    # every other field of the changed lines is as it was
    for name in ("sector_id", "unit_id", "quantity", "contribution_cash_mvnd", "priority"):
        assert getattr(first, name) == getattr(untouched, name)
    assert (first.version, second.version) == (before[1] + 1, before[2] + 1)
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.APPLIED
    assert record.summary["applied"] == {"added": 1, "changed": 2, "deleted": 0}
    history = list(StatusChange.objects.filter(plan_uid=plan.uid, action="import"))
    assert [h.to_state for h in history] == ["previewed", "applied"]


def test_a_row_deleted_in_the_workbook_removes_the_line(setup: Any) -> None:
    plan, planner = setup
    book = opened(f6.export(plan))
    book["F6"].delete_rows(ROW2)
    record = upload(plan, planner, saved(book))
    assert record.summary["counts"] == {"add": 0, "change": 0, "remove": 1}
    confirm(plan, planner, record)
    assert list(
        ProposalLine.objects.alive().filter(plan=plan).values_list("number", flat=True)
    ) == [1]


def test_an_unchanged_workbook_changes_nothing(setup: Any) -> None:
    plan, planner = setup
    state = lines_state(plan)
    record = upload(plan, planner, f6.export(plan))
    assert record.result == ImportRecord.Result.PREVIEWED
    assert record.summary["changes"] == []
    assert lines_state(plan) == state


def test_a_blank_form_adds_lines_and_removes_none(setup: Any) -> None:
    plan, planner = setup
    book = opened(f6.export(plan, blank=True))
    ws = book["F6"]
    assert ws[f"C{ROW1}"].value is None
    for col, value in zip(
        "BCEFGHIJP",
        ["Giáo dục", "Sửa lớp học", "công trình", 1, "02/2027", "04/2027", 80, 0, 80],
        strict=True,
    ):
        ws[f"{col}{ROW1}"] = value
    f.sector("GD", "Giáo dục", 60)
    record = upload(plan, planner, saved(book))
    assert record.result == "previewed", record.errors
    assert record.summary["counts"] == {"add": 1, "change": 0, "remove": 0}
    confirm(plan, planner, record)
    assert ProposalLine.objects.alive().filter(plan=plan).count() == 3


# --- bad input: refused whole, nothing saved, the cell named ---------------------------------


def _cell(letter: str, row: int, value: Any) -> Callable[[Workbook], None]:
    def change(book: Workbook) -> None:
        book["F6"][f"{letter}{row}"] = value

    return change


BAD_CELLS = [
    # (what, change, column, message fragment)
    ("money not a number", _cell("I", ROW1, "12a"), "I", "không phải là"),
    ("negative money", _cell("P", ROW1, "-5"), "P", "âm"),
    ("month not a month", _cell("G", ROW1, "13/2027"), "G", "mm/yyyy"),
    ("month outside the year", _cell("H", ROW1, "02/2028"), "H", "2027"),
    ("end before start", _cell("H", ROW1, "01/2027"), "H", "trước"),
    (
        "unknown sector",
        _cell("B", ROW1, "Ha tang giao thong nong thon"),
        "B",
        "Hạ tầng: giao thông",
    ),
    ("unknown unit", _cell("E", ROW1, "dặm"), "E", "danh sách"),
    ("priority outside 1..3", _cell("V", ROW1, 7), "V", "danh sách"),
    ("quantity zero", _cell("F", ROW1, 0), "F", "lớn hơn 0"),
    ("cost identity (R1)", _cell("I", ROW1, 150), "I", "phải bằng"),
    ("poor more than households", _cell("S", ROW1, 500), "S", "80"),
    ("activity emptied", _cell("C", ROW1, None), "C", "hoạt động"),
]


@pytest.mark.parametrize(("what", "change", "column", "fragment"), BAD_CELLS)
def test_a_wrong_cell_refuses_the_whole_file_and_names_the_cell(
    setup: Any, what: str, change: Callable[[Workbook], None], column: str, fragment: str
) -> None:
    plan, planner = setup
    book = opened(f6.export(plan))
    book["F6"][f"C{ROW2}"] = "Một thay đổi đúng ở dòng khác"  # a valid change beside the error
    change(book)
    state = lines_state(plan)

    record = upload(plan, planner, saved(book))

    assert record.result == ImportRecord.Result.REFUSED
    assert lines_state(plan) == state
    wrong = [e for e in record.errors if e["column"] == column]
    assert wrong, record.errors
    error = wrong[0]
    assert (error["sheet"], error["row"]) == ("F6", ROW1)
    assert f"ô {column}{ROW1}" in error["message"], error["message"]
    assert fragment.casefold() in error["message"].casefold(), error["message"]
    assert error["message"].startswith("Trang “F6”")


def test_an_unknown_sector_is_matched_without_diacritics_and_suggested_when_unsure(
    setup: Any,
) -> None:
    plan, planner = setup
    book = opened(f6.export(plan))
    book["F6"][f"B{ROW1}"] = "HA TANG: GIAO THONG"  # folded: an exact match
    record = upload(plan, planner, saved(book))
    assert record.result == "previewed" and record.summary["changes"] == []
    book["F6"][f"B{ROW1}"] = "Hạ tầng giao thôngg"
    record = upload(plan, planner, saved(book))
    assert "Hạ tầng: giao thông" in record.errors[0]["message"]  # the suggestion


def test_the_error_workbook_marks_and_comments_the_wrong_cells(setup: Any) -> None:
    plan, planner = setup
    book = opened(f6.export(plan))
    book["F6"][f"I{ROW1}"] = "mười"
    record = upload(plan, planner, saved(book))
    marked = opened(error_workbook(record))
    assert marked.sheetnames[-1] == "Lỗi"  # appended last (D41)
    assert marked["Lỗi"]["B2"].value == f"I{ROW1}"
    cell = marked["F6"][f"I{ROW1}"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.comment is not None
    assert "không phải" in cell.comment.text


def test_a_line_changed_in_kehoach_after_download_is_a_conflict(setup: Any) -> None:
    plan, planner = setup
    data = f6.export(plan)
    line = _line(plan, 1)
    proposal_line_update(
        actor=planner,
        line=line,
        data={**f.line_data(), "activity": "Đổi trên web"},
        expected_version=line.version,
    )
    book = opened(data)
    book["F6"][f"C{ROW1}"] = "Đổi trong Excel"
    record = upload(plan, planner, saved(book))
    assert record.result == "refused"
    assert "tải biểu về" in record.errors[0]["message"] or "tải lại" in record.errors[0]["message"]
    assert _line(plan, 1).activity == "Đổi trên web"


def test_data_changed_between_check_and_confirm_applies_nothing(setup: Any) -> None:
    plan, planner = setup
    book = opened(f6.export(plan))
    book["F6"][f"C{ROW1}"] = "Đổi trong Excel"
    record = upload(plan, planner, saved(book))
    line = _line(plan, 2)
    proposal_line_update(
        actor=planner,
        line=line,
        data={**f.line_data(), "activity": "Đổi trên web"},
        expected_version=line.version,
    )
    with pytest.raises(Exception) as caught:
        confirm(plan, planner, record)
    assert getattr(caught.value, "code", "") == "import_stale"
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.STALE
    assert _line(plan, 1).activity == "Bê tông hóa đường thôn"


def test_a_workbook_of_another_village_is_refused(setup: Any) -> None:
    plan, planner = setup
    other = f.village_plan(VillageFactory.create(parent=plan.village.parent, name="Thôn Hội Kỳ"))
    record = upload(other, planner, f6.export(plan))
    assert record.result == "refused"
    assert plan.village.code in record.errors[0]["message"]
    assert not ProposalLine.objects.filter(plan=other).exists()


def test_a_copied_row_with_the_same_line_key_is_refused(setup: Any) -> None:
    plan, planner = setup
    book = opened(f6.export(plan))
    ws = book["F6"]
    for col in range(1, 25):
        ws.cell(row=NEW, column=col, value=ws.cell(row=ROW1, column=col).value)
    record = upload(plan, planner, saved(book))
    assert record.result == "refused"
    assert record.errors[0]["row"] == NEW and record.errors[0]["column"] == "X"


# --- real-world workbooks ---------------------------------------------------------------------


def _office_workbook(rows: list[list[Any]], *, legacy: Callable[[str], str] | None = None) -> bytes:
    """A proposal list typed in an office's own workbook: a title, merged two-row headers, a
    section heading, Vietnamese number text, month text and date cells, a blank row, a total
    row of formulas with their cached values, NFD text. No kehoach metadata."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    ws = book.add_worksheet("Đề xuất")
    head = book.add_format({"bold": True, "border": 1})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    text = legacy or (lambda s: s)
    ws.merge_range("A1:H1", text("DANH MỤC ĐỀ XUẤT CỦA THÔN DIÊN SANH"), head)
    top = 3
    simple = ["STT", "Lĩnh vực", "Tên hoạt động / công trình", "Đơn vị tính", "Khối lượng"]
    for col, name in enumerate(simple):
        ws.merge_range(top, col, top + 1, col, text(name), head)
    ws.merge_range(top, 5, top, 6, text("Thời gian"), head)
    ws.write(top + 1, 5, text("Bắt đầu (tháng/năm)"), head)
    ws.write(top + 1, 6, text("Kết thúc (tháng/năm)"), head)
    ws.merge_range(top, 7, top + 1, 7, text("Tổng kinh phí"), head)
    ws.merge_range(top, 8, top, 9, text("Dân đóng góp"), head)
    ws.write(top + 1, 8, text("Tổng"), head)
    ws.write(top + 1, 9, text("Tiền mặt"), head)
    ws.merge_range(top, 10, top + 1, 10, text("Hỗ trợ từ bên ngoài đề nghị"), head)
    row = top + 2
    ws.write_row(row, 0, ["I", text("HẠ TẦNG")])
    for values in rows:
        row += 1
        for col, value in enumerate(values):
            if isinstance(value, datetime.date):
                ws.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), date)
            elif isinstance(value, str):
                ws.write_string(row, col, text(value))
            elif value is not None:
                ws.write_number(row, col, value)
    row += 2  # a blank row, then the totals with their cached values
    ws.write(row, 1, text("Tổng cộng"))
    ws.write_formula(row, 7, f"=SUM(H6:H{row})", None, 1_900.5)
    book.close()
    return out.getvalue()


OFFICE_ROWS: list[list[Any]] = [
    [
        1,
        "Hạ tầng: giao thông",
        unicodedata.normalize("NFD", "Bê tông hóa đường xóm Bàu"),
        "km",
        "1,5",
        "03/2027",
        datetime.date(2027, 6, 1),
        "1.200,5",
        "350 triệu",
        None,
        "850,5",
    ],
    [
        2,
        "ha tang giao thong",
        "Làm rãnh thoát nước",
        "m",
        120,
        "tháng 4/2027",
        "6/2027",
        "700",
        0,
        0,
        700,
    ],
]


def _office_lines(plan: Any) -> list[tuple[Any, ...]]:
    return list(
        ProposalLine.objects.filter(plan=plan)
        .order_by("number")
        .values_list("activity", "quantity", "start_month", "end_month", "total_cost_mvnd",
                     "contribution_mvnd", "external_support_mvnd", "sector__code", "unit__code")
    )  # fmt: skip


EXPECTED_OFFICE = [
    (
        "Bê tông hóa đường xóm Bàu",
        Decimal("1.5"),
        datetime.date(2027, 3, 1),
        datetime.date(2027, 6, 1),
        Decimal("1200.5"),
        Decimal("350"),
        Decimal("850.5"),
        "HT-GT",
        "km",
    ),
    (
        "Làm rãnh thoát nước",
        Decimal("120"),
        datetime.date(2027, 4, 1),
        datetime.date(2027, 6, 1),
        Decimal("700"),
        Decimal("0"),
        Decimal("700"),
        "HT-GT",
        "m",
    ),
]


@pytest.fixture
def empty_plan() -> tuple[Any, Any]:
    from kehoach.accounts.tests.factories import commune_planner

    plan = f.village_plan()
    f.sector()
    f.unit()
    f.unit("m", "m")
    return plan, commune_planner(plan.village.parent)


def test_an_office_workbook_with_real_world_cells_imports(empty_plan: Any) -> None:
    plan, planner = empty_plan
    record = upload(plan, planner, _office_workbook(OFFICE_ROWS), "de-xuat-thon.xlsx")
    assert record.result == "previewed", record.errors
    assert record.summary["counts"] == {"add": 2, "change": 0, "remove": 0}
    skipped = {tuple(s) for s in record.summary["skipped"]}
    assert any("tiêu đề" in why or "heading" in why for _row, why in skipped)
    assert any("tổng" in why or "total" in why for _row, why in skipped)
    confirm(plan, planner, record)
    assert _office_lines(plan) == EXPECTED_OFFICE
    assert unicodedata.is_normalized("NFC", _office_lines(plan)[0][0])


@pytest.mark.parametrize(
    ("encoding", "convert"), [("tcvn3", from_unicode_tcvn3), ("vni", from_unicode_vni)]
)
def test_legacy_encoded_workbooks_import_as_the_original_text(
    empty_plan: Any, encoding: str, convert: Callable[[str], str]
) -> None:
    plan, planner = empty_plan
    rows = [list(r) for r in OFFICE_ROWS]
    rows[0][2] = "Bê tông hóa đường xóm Bàu"  # NFC: what the legacy text stands for
    data = _office_workbook(rows, legacy=convert)
    record = upload(plan, planner, data, "cu.xls.xlsx")
    assert record.result == "previewed", record.errors
    assert record.summary["encoding"] == encoding
    confirm(plan, planner, record)
    assert _office_lines(plan) == EXPECTED_OFFICE


def test_legacy_text_typed_into_the_downloaded_form_is_converted(empty_plan: Any) -> None:
    plan, planner = empty_plan
    book = opened(f6.export(plan, blank=True))
    ws = book["F6"]
    activities = ["Kiên cố hóa kênh mương nội đồng", "Sửa chữa đường vào khu sản xuất"]
    for offset, activity in enumerate(activities):
        r = ROW1 + offset
        ws[f"B{r}"], ws[f"C{r}"] = "Hạ tầng: giao thông", from_unicode_tcvn3(activity)
        ws[f"D{r}"] = from_unicode_tcvn3("Xóm Đồng")
        ws[f"E{r}"], ws[f"F{r}"], ws[f"G{r}"], ws[f"H{r}"] = "km", 1, "03/2027", "05/2027"
        ws[f"I{r}"], ws[f"P{r}"] = 100, 100
    record = upload(plan, planner, saved(book))
    assert record.summary["encoding"] == "tcvn3", record.errors
    confirm(plan, planner, record)
    assert [x.activity for x in ProposalLine.objects.filter(plan=plan)] == activities
    assert {x.location for x in ProposalLine.objects.filter(plan=plan)} == {"Xóm Đồng"}


# --- layouts ----------------------------------------------------------------------------------


def test_the_programme_layout_exports_in_its_own_shape(setup: Any) -> None:
    plan, _planner = setup
    book = opened(f6.export(plan, layout_get("F6-CHIA-SE")))
    ws = book["F6"]
    assert ws["A8"].value == "DANH MỤC CÔNG TRÌNH, HOẠT ĐỘNG ĐỀ XUẤT NĂM 2027"
    headers = [c.value for c in ws[11]]
    assert headers[:4] == ["TT", "Ưu tiên", "Tên công trình / hoạt động", "Ngành"]
    assert ws[f"H{ROW1}"].value == 100_000_000  # money in đồng


def test_the_programme_layout_imports_into_the_same_data_as_the_official_one(
    empty_plan: Any,
) -> None:
    plan, planner = empty_plan
    other = f.village_plan(VillageFactory.create(parent=plan.village.parent, name="Thôn Hội Kỳ"))
    values = {
        "sector": "Hạ tầng: giao thông",
        "activity": "Bê tông hóa đường thôn",
        "unit": "km",
        "quantity": 2,
        "start": "03/2027",
        "end": "07/2027",
        "priority": 1,
    }
    official = opened(f6.export(plan, blank=True))
    ws = official["F6"]
    for col, value in zip(
        "BCEFGHV",
        [values[k] for k in ("sector", "activity", "unit", "quantity", "start", "end", "priority")],
        strict=True,
    ):
        ws[f"{col}{ROW1}"] = value
    ws[f"I{ROW1}"], ws[f"J{ROW1}"], ws[f"P{ROW1}"] = 1_250.5, 250.5, 1_000
    donor = opened(f6.export(other, layout_get("F6-CHIA-SE"), blank=True))
    wd = donor["F6"]
    for col, value in zip(
        "BCDFGKL",
        [values[k] for k in ("priority", "activity", "sector", "quantity", "unit", "start", "end")],
        strict=True,
    ):
        wd[f"{col}{ROW1}"] = value
    wd[f"H{ROW1}"], wd[f"I{ROW1}"], wd[f"J{ROW1}"] = "1.250.500.000", 250_500_000, 1_000_000_000

    for target, book in ((plan, official), (other, donor)):
        record = upload(target, planner, saved(book))
        assert record.result == "previewed", record.errors
        confirm(target, planner, record)

    fields = [
        "sector_id",
        "activity",
        "unit_id",
        "quantity",
        "start_month",
        "end_month",
        "total_cost_mvnd",
        "contribution_mvnd",
        "external_support_mvnd",
        "priority",
    ]
    a = ProposalLine.objects.filter(plan=plan).values(*fields).get()
    b = ProposalLine.objects.filter(plan=other).values(*fields).get()
    assert a == b


def test_a_profile_names_its_layout_for_downloads(setup: Any) -> None:
    plan, _planner = setup
    profile = plan.round.profile
    profile.extra = {**(profile.extra or {}), "layouts": {"F6": "F6-CHIA-SE"}}
    profile.save()
    plan.round.refresh_from_db()
    assert opened(f6.export(plan))["F6"]["A11"].value == "TT"


# --- other file types -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_xls_and_ods_workbooks_import_like_xlsx(setup: Any, kind: str) -> None:
    plan, planner = setup
    book = opened(f6.export(plan))
    book["F6"][f"C{ROW1}"] = "Đường bê tông liên xóm"
    converted = libreoffice_convert(saved(book), "xlsx", kind)
    record = upload(plan, planner, converted, f"bieu.{kind}")
    assert record.result == "previewed", record.errors
    assert record.summary["counts"] == {"add": 0, "change": 1, "remove": 0}
    confirm(plan, planner, record)
    assert _line(plan, 1).activity == "Đường bê tông liên xóm"


def test_the_error_copy_of_an_ods_upload_is_an_xlsx_with_its_values(setup: Any) -> None:
    plan, planner = setup
    book = opened(f6.export(plan))
    book["F6"][f"I{ROW1}"] = "nhiều"
    record = upload(plan, planner, libreoffice_convert(saved(book), "xlsx", "ods"), "bieu.ods")
    assert record.result == "refused"
    marked = opened(error_workbook(record))
    assert marked["F6"][f"I{ROW1}"].value == "nhiều"
    assert marked["F6"][f"I{ROW1}"].comment is not None
