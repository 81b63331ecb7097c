"""F8 (village meeting minutes) and F1 (basic information) in a village's own old layout
(issue 15): minutes whose items are found by their label as people write them, the sheets of
the attendance list and of the ethnic groups found by their name as people write it (folded,
abbreviated, in TCVN3 or VNI), and a labelled row such as "Tổng số hộ | 412" read as data,
never as a total. Imported through the real path (check, then confirm), the saved records
compared field by field."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from kehoach.core.legacy import from_unicode_tcvn3, from_unicode_vni
from kehoach.exchange.forms import f1, f8
from kehoach.exchange.layouts import layouts_for_form
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.reading import Book, Limits, Sheet, open_workbook
from kehoach.exchange.reading.sheets import find_sheet, main_sheet
from kehoach.plans.models import BasicInfo, VillageMeeting, VillagePlan

from .helpers import confirm, opened, plan_with_lines, saved, upload
from .test_foreign_forms import F1_EXPECTED, F1_ROWS_WRITTEN, _f1_book
from .test_forms import MEETING, _row_of
from .workbooks import drawn, errors_by_cell, header_style, write_rows

pytestmark = pytest.mark.django_db

MINUTES_SHEET = "Biên bản họp thôn"
PEOPLE_SHEET = "DS dự họp"
F8_FIRST = 9
"""The sheet row (1-based) of the first row under the column numbers."""
F8_ROWS: list[list[Any]] = [
    # STT, Nội dung, Kết quả > Số liệu, Kết quả > Ghi chú
    ["I", "THỜI GIAN, ĐỊA ĐIỂM", None, None],
    [1, "Thời gian họp", "14 giờ, ngày 20/7/2026", None],
    [2, "Địa điểm", "Nhà văn hóa thôn", None],
    [3, "Chủ trì", "Trần Văn Bình", "Trưởng thôn"],
    [4, "Thư ký", "Nguyễn Thị Cúc", None],
    ["II", "THÀNH PHẦN THAM DỰ", None, None],
    [None, "Tổng số hộ trong thôn", "180 hộ", None],
    [5, "Số hộ tham dự", 120, None],
    [6, "Số người tham dự", "130 người", None],
    [None, "Trong đó: nữ", 60, None],
    [None, "- Người DTTS", 12, None],
    [7, "Cán bộ xã dự họp", "Ông Lê Văn Cường, công chức địa chính xã", None],
    ["III", "KẾT QUẢ BIỂU QUYẾT", None, None],
    [8, "Nội dung quyết nghị", "Thông qua kế hoạch thôn năm 2027", None],
    [9, "Số phiếu tán thành", 110, None],
    [10, "Không tán thành", 10, None],
    [11, "Không ý kiến", 10, None],
    [12, "Cuộc họp kết thúc lúc 11 giờ cùng ngày", None, None],
]
F8_EXPECTED: dict[str, Any] = {
    "held_on": datetime.date(2026, 7, 20),
    "place": "Nhà văn hóa thôn",
    "chair": "Trần Văn Bình",
    "secretary": "Nguyễn Thị Cúc",
    "agenda": "",
    "commune_staff": "Ông Lê Văn Cường, công chức địa chính xã",
    "households_total": 180,
    "households_represented": 120,
    "participants_total": 130,
    "participants_women": 60,
    "participants_poor": 0,
    "participants_em": 12,
    "participants_youth": None,
    "participants_elderly": None,
    "decision": "Thông qua kế hoạch thôn năm 2027",
    "votes_agree": 110,
    "votes_disagree": 10,
    "votes_abstain": 10,
}
PEOPLE: list[list[Any]] = [
    ["TT", "Họ tên", "Nam/Nữ", "Dân tộc", "Hộ nghèo/cận nghèo", "Thuộc hộ", "Ký tên"],
    [1, "Nguyễn Thị Hoa", "Nữ", "Kinh", None, "Nguyễn Văn Tư", None],
    [2, "Hồ Văn Sáu", "Nam", "Vân Kiều", "Hộ nghèo", "Hồ Văn Sáu", None],
    [3, "Lê Thị Mai", "nữ", "Kinh", "Cận nghèo", None, None],
    [None, "Tổng cộng: 3 người", None, None, None, None, None],
    [None, None, None, None, "NGƯỜI LẬP DANH SÁCH", None, None],
    [None, None, None, None, "Nguyễn Thị Cúc", None, None],
]
PEOPLE_EXPECTED = [
    ("Nguyễn Thị Hoa", "female", "Kinh", "other", "Nguyễn Văn Tư"),
    ("Hồ Văn Sáu", "male", "Vân Kiều", "poor", "Hồ Văn Sáu"),
    ("Lê Thị Mai", "female", "Kinh", "near_poor", ""),
]


def _f8_book(
    rows: list[list[Any]],
    *,
    sheet: str = from_unicode_tcvn3(MINUTES_SHEET),
    people: str = from_unicode_vni(PEOPLE_SHEET),
) -> bytes:
    """The village's own minutes: a title block, "Kết quả" merged over the figure and a
    note, numbered columns, Roman-numbered parts, items as the secretary wrote them, then the
    signature block of the secretary and the chair side by side; the attendance list on a
    sheet named in VNI."""

    def fill(book: Any, ws: Any) -> None:
        bold = header_style(book)
        ws.write(0, 0, "UBND XÃ HẢI LĂNG")
        ws.write(0, 2, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        ws.write(1, 0, "THÔN DIÊN SANH")
        ws.merge_range(2, 0, 2, 3, "BIÊN BẢN HỌP THÔN", bold)
        ws.write(3, 1, "(V/v thông qua kế hoạch phát triển thôn năm 2027)")
        ws.merge_range(5, 0, 6, 0, "STT", bold)
        ws.merge_range(5, 1, 6, 1, "Nội dung", bold)
        ws.merge_range(5, 2, 5, 3, "Kết quả", bold)
        ws.write(6, 2, "Số liệu", bold)
        ws.write(6, 3, "Ghi chú", bold)
        for column in range(4):
            ws.write(7, column, column + 1, bold)
        below = write_rows(ws, F8_FIRST - 1, rows) + 1
        ws.write(below, 1, "THƯ KÝ", bold)
        ws.write(below, 3, "CHỦ TRÌ", bold)
        ws.write(below + 1, 1, "(Ký, ghi rõ họ tên)")
        ws.write(below + 1, 3, "(Ký, ghi rõ họ tên)")
        ws.write(below + 4, 1, "Nguyễn Thị Cúc")
        ws.write(below + 4, 3, "Trần Văn Bình")

    return drawn(sheet, fill, extra={people: PEOPLE})


@pytest.fixture
def village() -> tuple[VillagePlan, Any]:
    plan, planner = plan_with_lines()
    return plan, planner


def _meeting(plan: VillagePlan) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    meeting = VillageMeeting.objects.get(plan=plan)
    fields = {name: getattr(meeting, name) for name in F8_EXPECTED}
    people = [
        (a.full_name, a.sex, a.ethnicity, a.poverty_status, a.household)
        for a in meeting.attendees.order_by("pk")
    ]
    return fields, people


# --- F8 ---------------------------------------------------------------------------------------


def test_f8_in_a_villages_own_layout_imports_as_its_known_content(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village

    record = upload(plan, planner, _f8_book(F8_ROWS), "bien-ban.xlsx", form="F8")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    confirm(plan, planner, record)
    fields, people = _meeting(plan)
    wrong = {k: (fields[k], v) for k, v in F8_EXPECTED.items() if fields[k] != v}
    assert not wrong, f"field → (saved, expected): {wrong}"
    assert people == PEOPLE_EXPECTED


def test_f8_own_layout_lists_the_rows_it_skipped_and_why(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    record = upload(plan, planner, _f8_book(F8_ROWS), "bien-ban.xlsx", form="F8")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    skipped = dict(record.summary["skipped"])
    assert F8_FIRST - 1 in skipped  # the column numbers
    assert {F8_FIRST, F8_FIRST + 5, F8_FIRST + 12} <= set(skipped)  # I, II, III
    unknown = F8_FIRST + len(F8_ROWS) - 1
    assert "Cuộc họp kết thúc" in skipped[unknown], skipped
    assert "không phải là một mục" in skipped[unknown], skipped[unknown]
    signature = F8_FIRST + len(F8_ROWS) + 1
    assert {signature, signature + 1, signature + 4} <= set(skipped), skipped
    assert F8_FIRST + 6 not in skipped  # "Tổng số hộ trong thôn" is an item, not a total
    assert F8_FIRST + 4 not in skipped  # "Thư ký | Nguyễn Thị Cúc" is an item, not a signature


def test_f8_own_layout_with_no_known_item_is_refused_naming_the_items_expected(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    rows = [
        [1, "Tình hình kinh tế - xã hội của thôn", "Ổn định", None],
        [2, "Ý kiến của bà con", "Đề nghị làm đường", None],
    ]

    record = upload(plan, planner, _f8_book(rows), "bien-ban.xlsx", form="F8")

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    [error] = record.errors
    assert error["code"] == "f8_no_known_row"
    assert f"Trang “{MINUTES_SHEET}”" in error["message"], error
    for label in ("“Ngày”", "“Số hộ trong thôn”", "“Số hộ có đại diện dự họp”", "“Đồng ý”"):
        assert label in error["message"], error["message"]
    assert not VillageMeeting.objects.filter(plan=plan).exists()


def test_f8_own_layout_with_one_known_item_is_not_refused_for_want_of_items(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    rows = [[1, "Ý kiến của bà con", "Đề nghị làm đường", None], [2, "Ngày họp", "20/7/2026", None]]
    record = upload(plan, planner, _f8_book(rows), "bien-ban.xlsx", form="F8")
    codes = [e.get("code") for e in record.errors]
    assert "f8_no_known_row" not in codes
    assert record.result == ImportRecord.Result.REFUSED  # the chair, the figures … are required
    assert "Chủ trì" in " ".join(e["message"] for e in record.errors)


@pytest.mark.parametrize(
    ("index", "value", "column"),
    [(7, "một trăm hai mươi", "C"), (1, "hôm qua", "C")],
)
def test_f8_own_layout_with_a_wrong_cell_is_refused_on_that_cell(
    village: tuple[VillagePlan, Any], index: int, value: str, column: str
) -> None:
    plan, planner = village
    rows = [list(row) for row in F8_ROWS]
    rows[index][2] = value

    record = upload(plan, planner, _f8_book(rows), "bien-ban.xlsx", form="F8")

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    named = errors_by_cell(record)
    cell = f"{column}{F8_FIRST + index}"
    assert list(named) == [cell], record.errors
    assert named[cell]["sheet"] == MINUTES_SHEET
    assert value in str(named[cell]["value"]), named[cell]
    assert not VillageMeeting.objects.filter(plan=plan).exists()


def test_f8_own_layout_with_an_inconsistent_figure_names_its_cell(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    rows = [list(row) for row in F8_ROWS]
    rows[7][2] = 250  # more households represented than the 180 of the village

    record = upload(plan, planner, _f8_book(rows), "bien-ban.xlsx", form="F8")

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    assert f"C{F8_FIRST + 7}" in errors_by_cell(record), record.errors


def test_f8_attendance_sheet_named_otherwise_is_read_and_a_wrong_person_named(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    book = load_workbook(io.BytesIO(_f8_book(F8_ROWS, people="Danh sach nguoi du hop")))
    book["Danh sach nguoi du hop"]["C3"] = "không rõ"  # the sex of the second person

    record = upload(plan, planner, saved(book), "bien-ban.xlsx", form="F8")

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    named = errors_by_cell(record)
    assert list(named) == ["C3"], record.errors
    assert named["C3"]["sheet"] == "Danh sach nguoi du hop"


def test_f8_without_an_attendance_sheet_keeps_the_list(village: tuple[VillagePlan, Any]) -> None:
    plan, planner = village
    book = load_workbook(io.BytesIO(_f8_book(F8_ROWS, people="Danh sách hộ nghèo")))
    record = upload(plan, planner, saved(book), "bien-ban.xlsx", form="F8")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    confirm(plan, planner, record)
    fields, people = _meeting(plan)
    assert fields["households_total"] == 180
    assert people == []  # "Danh sách hộ nghèo" is not the attendance list


def test_f8_our_own_template_still_imports_by_its_row_keys(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, _planner = village
    book = opened(f8.export(plan))
    for key, value in MEETING.items():
        book["F8"][f"B{_row_of(book, 'F8', key)}"] = value
    upload_ = open_workbook(saved(book), "f8.xlsx", limits=Limits())
    reading = f8.read(plan, upload_, layouts_for_form("F8"))
    assert reading.errors == []
    assert reading.data["households_total"] == MEETING["households_total"]
    assert [why for _row, why in reading.skipped] == ["dòng đánh số thứ tự cột"]


# --- F1 ---------------------------------------------------------------------------------------

ETHNIC_TCVN3 = from_unicode_tcvn3("Thành phần dân tộc")


def _f1_with_ethnic_sheet(name: str, rows: list[list[Any]]) -> bytes:
    """The F1 workbook of the village (``_f1_book``) with its ethnic sheet named ``name`` and
    holding ``rows``."""
    book = load_workbook(io.BytesIO(_f1_book(F1_ROWS_WRITTEN)))
    ws = book["Dân tộc"]
    ws.title = name
    ws.delete_rows(1, ws.max_row)
    for row in rows:
        ws.append(row)
    return saved(book)


def _tcvn3(rows: list[list[Any]]) -> list[list[Any]]:
    return [[from_unicode_tcvn3(v) if isinstance(v, str) else v for v in row] for row in rows]


ETHNIC_ROWS: list[list[Any]] = [
    ["SỐ HỘ, SỐ KHẨU THEO DÂN TỘC", None, None, None],
    [None, None, None, None],
    ["STT", "Thành phần dân tộc", "Số hộ", "Số nhân khẩu"],
    [1, "Kinh", 150, 1000],
    [2, "Vân Kiều", 30, 220],
    [3, "Pa Kô", 5, 30],
    [None, "Cộng", 185, 1250],
]


def test_f1_ethnic_sheet_named_in_tcvn3_imports_field_by_field(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    data = _f1_with_ethnic_sheet(ETHNIC_TCVN3, _tcvn3(ETHNIC_ROWS))

    record = upload(plan, planner, data, "thong-tin.xlsx", form="F1")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    confirm(plan, planner, record)
    info = BasicInfo.objects.get(plan=plan)
    groups = [(g.name, g.households, g.persons) for g in info.ethnic_groups.order_by("pk")]
    assert groups == [("Kinh", 150, 1000), ("Vân Kiều", 30, 220), ("Pa Kô", 5, 30)]
    got = {name: getattr(info, name) for name in F1_EXPECTED}
    assert got == F1_EXPECTED


def test_f1_ethnic_sheet_with_a_wrong_cell_is_named_on_its_own_sheet(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    rows = [list(row) for row in ETHNIC_ROWS]
    rows[4][3] = "hai trăm"
    data = _f1_with_ethnic_sheet("Các dân tộc", rows)

    record = upload(plan, planner, data, "thong-tin.xlsx", form="F1")

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    assert [(e["sheet"], f"{e['column']}{e['row']}") for e in record.errors] == [
        ("Các dân tộc", "D5")
    ]


def test_f1_sheet_not_named_for_ethnic_groups_changes_none(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    data = _f1_with_ethnic_sheet("Dân số", ETHNIC_ROWS)
    record = upload(plan, planner, data, "thong-tin.xlsx", form="F1")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    confirm(plan, planner, record)
    assert not BasicInfo.objects.get(plan=plan).ethnic_groups.exists()


def _labelled_f1(rows: list[list[Any]]) -> bytes:
    """An F1 sheet with no STT column: "Chỉ tiêu | Số liệu" and the rows."""

    def fill(book: Any, ws: Any) -> None:
        ws.write(0, 0, "THÔNG TIN CƠ BẢN THÔN DIÊN SANH")
        ws.write(2, 0, "Chỉ tiêu")
        ws.write(2, 1, "Số liệu")
        write_rows(ws, 3, rows)

    return drawn("Thong tin", fill)


def test_f1_labelled_total_households_row_without_stt_is_read_as_data(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    data = _labelled_f1([["Tổng số hộ", 412], ["Nhân khẩu", 1650], ["Tổng cộng", 2062]])

    record = upload(plan, planner, data, "thong-tin.xlsx", form="F1")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    skipped = dict(record.summary["skipped"])
    assert 4 not in skipped, skipped
    assert "tổng" in skipped[6].lower(), skipped  # "Tổng cộng" is still a total row
    confirm(plan, planner, record)
    info = BasicInfo.objects.get(plan=plan)
    assert (info.total_households, info.population) == (412, 1650)


def test_f1_own_layout_with_no_known_row_is_refused_naming_rows_expected(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    data = _labelled_f1([["Diện tích trồng lúa", 120], ["Số trâu bò", 300]])

    record = upload(plan, planner, data, "thong-tin.xlsx", form="F1")

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    [error] = record.errors
    assert error["code"] == "f1_no_known_row"
    assert "Trang “Thong tin”" in error["message"] and "“Tổng số hộ”" in error["message"], error
    assert not BasicInfo.objects.filter(plan=plan).exists()


def test_f1_own_layout_with_one_known_row_is_not_refused_for_want_of_rows(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    data = _labelled_f1([["Diện tích trồng lúa", 120], ["Tổng số hộ", 300]])
    record = upload(plan, planner, data, "thong-tin.xlsx", form="F1")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors


# --- find_sheet -------------------------------------------------------------------------------


def _book(*names: str, hidden: tuple[str, ...] = ()) -> Book:
    return Book(list(names), set(hidden), {n: Sheet(n, [["x"]]) for n in names})


@pytest.mark.parametrize(
    "name",
    [
        "Danh sách dự họp",
        "DANH SACH DU HOP",
        "Danh sach du hop",
        "DS dự họp",
        "Danh sách người dự họp",
        "2. Danh sách dự họp",
        "Danh sách dự họp thôn Diên Sanh",
        from_unicode_tcvn3("Danh sách dự họp"),
        from_unicode_vni("DS dự họp"),
    ],
)
def test_find_sheet_finds_the_attendance_list_as_people_name_it(name: str) -> None:
    assert find_sheet(_book("Biên bản", name), f8.ATTENDANCE_SHEETS) == name


@pytest.mark.parametrize(
    "name", ["Dân tộc", "Dan toc", "Thành phần dân tộc", "Các dân tộc", "DT", ETHNIC_TCVN3]
)
def test_find_sheet_finds_the_ethnic_sheet_as_people_name_it(name: str) -> None:
    assert find_sheet(_book("Thong tin", name), f1.ETHNIC_SHEETS) == name


@pytest.mark.parametrize(
    ("names", "wanted"),
    [
        (("Biên bản", "Danh sách hộ nghèo"), f8.ATTENDANCE_SHEETS),
        (("Biên bản", "Danh sách"), f8.ATTENDANCE_SHEETS),
        (("Thong tin", "Dân số"), f1.ETHNIC_SHEETS),
        (("Thong tin", "DTTS"), f1.ETHNIC_SHEETS),
        (("Thong tin", "Dân tộc thiểu số nghèo"), f1.ETHNIC_SHEETS),
        (("Thong tin", "Hướng dẫn"), ("Hướng dẫn",)),
    ],
)
def test_find_sheet_finds_no_other_sheet(names: tuple[str, ...], wanted: tuple[str, ...]) -> None:
    assert find_sheet(_book(*names), wanted) is None


def test_find_sheet_prefers_the_exact_name_and_skips_the_sheets_besides() -> None:
    book = _book("Dan toc", "Dân tộc")
    assert find_sheet(book, f1.ETHNIC_SHEETS) == "Dân tộc"
    assert find_sheet(book, f1.ETHNIC_SHEETS, besides=["Dân tộc"]) == "Dan toc"


def test_main_sheet_is_not_the_attendance_list_placed_first() -> None:
    book = _book("Danh sách dự họp", "Biên bản họp")
    assert main_sheet(book, "F8", besides=["Danh sách dự họp"]) == "Biên bản họp"
    assert main_sheet(book, "F8") == "Danh sách dự họp"


def test_expected_labels_are_the_forms_own_in_vietnamese() -> None:
    with translation.override("en"):
        text = f8._expected_labels()
    assert "“Số hộ trong thôn”" in text and "“Households in the village”" not in text
