"""F9 and F10 in the commune's own layout (issue 15): the synthesis and scoring sheets a commune
keeps in Excel (no ``_kehoach`` sheet, a two-row merged header, sector heading rows, numbers
restarting under each heading, a total row and the signature block), imported through the real
path (check, then confirm by the planner). Each row is matched to the plan's line by its name,
and by its number among lines of the same name; the saved lines are compared field by field.
A row that names no line, or a line on two rows, is refused on its cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from kehoach.exchange.models import ImportRecord
from kehoach.geo.tests.factories import hai_lang
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.scoring import line_scores_set
from kehoach.synthesis.tests import factories as sf

from .helpers import confirm, upload
from .workbooks import drawn, errors_by_cell, header_style, write_rows

pytestmark = pytest.mark.django_db

ROAD = "Đường xóm Trên"
BRIDGE = "Cầu tràn xóm Dưới"
SCHOOL = "Sửa phòng học"
FIELD_ROAD = "Bê tông hóa đường nội đồng"  # proposed by both villages: two lines of one name
FIRST = 8
"""The sheet row (1-based) of the first heading row of the workbooks below."""


@pytest.fixture
def commune() -> dict[str, Any]:
    """A commune plan of five lines in two sectors, two of them of the same name."""
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = sf.transport(), sf.education()
    sf.submitted_plan(
        a,
        [
            sf.money_line("600", "100", sector=road, activity=ROAD, location="Xóm Trên"),
            sf.money_line("200", "20", sector=road, activity=BRIDGE, priority=2),
            sf.money_line("300", "30", sector=road, activity=FIELD_ROAD, priority=3),
        ],
    )
    sf.submitted_plan(
        b,
        [
            sf.money_line("400", "50", sector=school, activity=SCHOOL),
            sf.money_line("350", "35", sector=road, activity=FIELD_ROAD, priority=2),
        ],
    )
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    return {"plan": plan, "planner": planner}


def _line(plan: Any, activity: str) -> CommuneLine:
    return CommuneLine.objects.get(plan=plan, activity=activity)


def _fields(line: CommuneLine) -> dict[str, Any]:
    return {
        "activity": line.activity,
        "location": line.location,
        "notes": line.notes,
        "decision": line.decision,
        "decision_reason": line.decision_reason,
    }


# --- F9 ----------------------------------------------------------------------------------------


@dataclass
class Row:
    """A row of the commune's own synthesis sheet: a heading (``heading``) or a line."""

    number: Any = None
    name: str = ""
    villages: str = ""
    location: str = ""
    cost: Any = None
    decision: str = ""
    reason: str = ""
    notes: str = ""
    heading: str = ""
    extra: dict[int, Any] = field(default_factory=dict)


def _f9_book(rows: list[Row]) -> bytes:
    """ "TỔNG HỢP DANH MỤC" of the commune: a title block; "STT", "Tên công trình", "Thôn đề
    xuất", "Địa điểm", "Tổng kinh phí (tr.đ)" over two rows and "Ý kiến của UBND xã" merged
    over "Quyết định" and "Lý do"; the column numbers; the rows; "Tổng cộng"; the signature."""

    def fill(book: Any, ws: Any) -> None:
        bold = header_style(book)
        ws.write(0, 0, "UBND XÃ HẢI LĂNG")
        ws.merge_range(2, 0, 2, 7, "TỔNG HỢP DANH MỤC ĐỀ XUẤT CỦA CÁC THÔN NĂM 2027", bold)
        heads = ["STT", "Tên công trình", "Thôn đề xuất", "Địa điểm", "Tổng kinh phí (tr.đ)"]
        for column, text in enumerate(heads):
            ws.merge_range(4, column, 5, column, text, bold)
        ws.merge_range(4, 5, 4, 6, "Ý kiến của UBND xã", bold)
        ws.write(5, 5, "Quyết định", bold)
        ws.write(5, 6, "Lý do", bold)
        ws.merge_range(4, 7, 5, 7, "Ghi chú", bold)
        for column in range(8):
            ws.write(6, column, column + 1, bold)
        total = Decimal(0)
        for index, row in enumerate(rows):
            r = FIRST - 1 + index
            if row.heading:
                if row.number is None:  # "II. GIÁO DỤC" in one cell merged across the table
                    ws.merge_range(r, 0, r, 7, row.heading, bold)
                else:
                    ws.write(r, 0, row.number, bold)
                    ws.merge_range(r, 1, r, 7, row.heading, bold)
                continue
            values = [row.number, row.name, row.villages, row.location, row.cost]
            values += [row.decision, row.reason, row.notes]
            for column, value in enumerate(values):
                if value not in (None, ""):
                    ws.write(r, column, value)
            for column, value in row.extra.items():
                ws.write(r, column, value)
            total += Decimal(str(row.cost or 0))
        r = FIRST - 1 + len(rows)
        ws.write(r, 1, "Tổng cộng", bold)
        ws.write(r, 4, float(total), bold)
        ws.write(r + 2, 5, "Hải Lăng, ngày … tháng … năm 2026")
        ws.write(r + 3, 5, "TM. UBND XÃ", bold)
        ws.write(r + 4, 5, "CHỦ TỊCH", bold)
        ws.write(r + 7, 5, "Nguyễn Văn An")

    return drawn("Tong hop", fill)


def _own_rows() -> list[Row]:
    """The commune's sheet as its officer wrote it: headings I (a numeral, then the title) and
    II (one cell), STT restarting, names with another case and spacing, decisions in words."""
    return [
        Row("I", heading="HẠ TẦNG GIAO THÔNG"),
        Row(
            1,
            "đường  xóm TRÊN",  # the name as written: another case, two spaces
            "Diên Sanh",
            "Xóm Trên, thôn Diên Sanh",
            600,
            "chưa có vốn",
            "Chờ vốn tỉnh phân bổ",
        ),
        Row(2, BRIDGE, "Diên Sanh", "", 200, "Hoãn", "Để năm 2028", "Cần khảo sát lại"),
        Row(heading="II. GIÁO DỤC – ĐÀO TẠO"),
        Row(1, SCHOOL, "Mỹ Chánh", "", "400", "không chấp nhận", "Đã có dự án của tỉnh"),
    ]


def test_f9_in_the_communes_own_layout_imports_field_by_field(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    field_roads = list(CommuneLine.objects.filter(plan=plan, activity=FIELD_ROAD))
    before = {x.pk: (_fields(x), x.version) for x in field_roads}
    road = _line(plan, ROAD)

    record = upload(plan, planner, _f9_book(_own_rows()), "tong-hop.xlsx", form="F9")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 0, "change": 3, "remove": 0}
    skipped = dict(record.summary["skipped"])
    total_row = FIRST + len(_own_rows())
    assert {FIRST - 1, FIRST, FIRST + 3, total_row, total_row + 2} <= set(skipped), skipped
    notes = record.summary["notes"]
    assert len(notes) == 2, notes  # made elsewhere; the two lines not in the workbook
    assert "2" in notes[1]
    assert CommuneLine.objects.get(pk=road.pk).version == road.version  # nothing saved yet

    confirm(plan, planner, record)

    assert ImportRecord.objects.get(pk=record.pk).result == ImportRecord.Result.APPLIED
    expected = {
        ROAD: {
            "activity": ROAD,  # matched by its name: not renamed to the case typed
            "location": "Xóm Trên, thôn Diên Sanh",
            "notes": "",
            "decision": Decision.UNFUNDED,
            "decision_reason": "Chờ vốn tỉnh phân bổ",
        },
        BRIDGE: {
            "activity": BRIDGE,
            "location": _line(plan, BRIDGE).location or "",  # empty cell: kept
            "notes": "Cần khảo sát lại",
            "decision": Decision.DEFERRED,
            "decision_reason": "Để năm 2028",
        },
        SCHOOL: {
            "activity": SCHOOL,
            "location": _line(plan, SCHOOL).location or "",
            "notes": "",
            "decision": Decision.REJECTED,
            "decision_reason": "Đã có dự án của tỉnh",
        },
    }
    for name, want in expected.items():
        line = _line(plan, name)
        got = _fields(line)
        wrong = {k: (got[k], v) for k, v in want.items() if got[k] != v}
        assert not wrong, f"{name}: field → (saved, expected): {wrong}"
        assert line.decided_by == planner
    after = {
        x.pk: (_fields(x), x.version)
        for x in CommuneLine.objects.filter(plan=plan, activity=FIELD_ROAD)
    }
    assert after == before


def test_f9_rows_that_change_nothing_are_not_in_the_preview(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    _line(plan, ROAD)
    rows = [Row("I", heading="HẠ TẦNG GIAO THÔNG"), Row(1, ROAD, "Diên Sanh", "", 600)]
    record = upload(plan, planner, _f9_book(rows), form="F9")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 0, "change": 0, "remove": 0}


def test_f9_lines_of_the_same_name_are_told_apart_by_their_number(
    commune: dict[str, Any],
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    first, second = CommuneLine.objects.filter(plan=plan, activity=FIELD_ROAD).order_by("number")
    rows = [
        Row(heading="1. Hạ tầng giao thông"),  # an Arabic numbering of the heading
        Row(second.number, FIELD_ROAD, "Mỹ Chánh", "", 350, "Hoãn lại", "Chờ giải phóng mặt bằng"),
        Row(first.number, FIELD_ROAD, "Diên Sanh", "Cánh đồng Bàu", 300),
    ]

    record = upload(plan, planner, _f9_book(rows), form="F9")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    confirm(plan, planner, record)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.location, first.decision) == ("Cánh đồng Bàu", Decision.PENDING)
    assert (second.decision, second.decision_reason) == (
        Decision.DEFERRED,
        "Chờ giải phóng mặt bằng",
    )
    assert second.location != "Cánh đồng Bàu"


def test_f9_lines_of_the_same_name_without_their_number_are_refused(
    commune: dict[str, Any],
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    numbers = sorted(
        CommuneLine.objects.filter(plan=plan, activity=FIELD_ROAD).values_list("number", flat=True)
    )
    unused = max(CommuneLine.objects.filter(plan=plan).values_list("number", flat=True)) + 1
    rows = [Row("I", heading="HẠ TẦNG"), Row(unused, FIELD_ROAD, "", "Cánh đồng Bàu", 300)]

    record = upload(plan, planner, _f9_book(rows), form="F9")

    assert record.result == ImportRecord.Result.REFUSED
    error = errors_by_cell(record)[f"B{FIRST + 1}"]
    assert error["value"] == FIELD_ROAD
    assert f"{numbers[0]}, {numbers[1]}" in error["problem"], error


def test_f9_an_unknown_name_is_refused_on_its_cell_with_the_suggestion(
    commune: dict[str, Any],
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    rows = _own_rows()
    rows[2].name = "Cầu trành xóm Dưới"  # mistyped, its STT no line's number
    rows[2].number = 9
    state = [_fields(x) for x in CommuneLine.objects.filter(plan=plan).order_by("pk")]

    record = upload(plan, planner, _f9_book(rows), form="F9")

    assert record.result == ImportRecord.Result.REFUSED
    named = errors_by_cell(record)
    assert list(named) == [f"B{FIRST + 2}"], record.errors
    error = named[f"B{FIRST + 2}"]
    assert error["value"] == "Cầu trành xóm Dưới"
    assert f"“{BRIDGE}”" in error["problem"], error
    assert [_fields(x) for x in CommuneLine.objects.filter(plan=plan).order_by("pk")] == state


def test_f9_a_line_on_two_rows_is_refused_naming_the_first_row(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    rows = _own_rows()
    rows.append(Row(2, SCHOOL, "Mỹ Chánh", "", 400, "Hoãn", "Chờ vốn"))

    record = upload(plan, planner, _f9_book(rows), form="F9")

    assert record.result == ImportRecord.Result.REFUSED
    named = errors_by_cell(record)
    last = FIRST + len(rows) - 1
    assert list(named) == [f"B{last}"], record.errors
    assert str(FIRST + 4) in named[f"B{last}"]["problem"]


def test_f9_own_layout_refuses_what_the_form_refuses(commune: dict[str, Any]) -> None:
    """The same checks as kehoach's workbook: a line funded through this form, a decision
    written as nobody can tell ("Đồng ý"); then (the cells read) a decision without its
    reason."""
    plan, planner = commune["plan"], commune["planner"]
    rows = [
        Row("I", heading="HẠ TẦNG GIAO THÔNG"),
        Row(1, ROAD, "", "", 600, "Hoãn"),
        Row(2, BRIDGE, "", "", 200, "Đưa vào kế hoạch, có vốn", "Đủ vốn"),
        Row("II", heading="GIÁO DỤC"),
        Row(1, SCHOOL, "", "", 400, "Đồng ý"),
    ]

    record = upload(plan, planner, _f9_book(rows), form="F9")

    assert record.result == ImportRecord.Result.REFUSED
    named = errors_by_cell(record)
    assert set(named) == {f"F{FIRST + 4}", f"F{FIRST + 2}"}, record.errors
    assert named[f"F{FIRST + 4}"]["value"] == "Đồng ý"
    assert "F12" in named[f"F{FIRST + 2}"]["problem"]

    record = upload(plan, planner, _f9_book(rows[:2]), form="F9")

    assert record.result == ImportRecord.Result.REFUSED
    assert list(errors_by_cell(record)) == [f"G{FIRST + 1}"], record.errors
    assert not CommuneLine.objects.filter(plan=plan).exclude(decision=Decision.PENDING).exists()


def test_f9_an_empty_reason_keeps_the_decision_as_it_is(commune: dict[str, Any]) -> None:
    """A decision the line already has, written without its reason (the workbook has none),
    changes nothing; the same decision with another reason changes the reason."""
    plan, planner = commune["plan"], commune["planner"]
    first = upload(plan, planner, _f9_book(_own_rows()), form="F9")
    confirm(plan, planner, first)
    rows = [
        Row("I", heading="HẠ TẦNG GIAO THÔNG"),
        Row(1, ROAD, "", "", 600, "Chưa có vốn"),
        Row(2, BRIDGE, "", "", 200, "Hoãn", "Chờ khảo sát"),
    ]

    record = upload(plan, planner, _f9_book(rows), form="F9")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert [c["label"] for c in record.summary["changes"]] == [
        f"{_line(plan, BRIDGE).number}. {BRIDGE}"
    ]


# --- F10 ---------------------------------------------------------------------------------------

CRITERIA = [
    ("Thứ tự ưu tiên của thôn", "village_priority"),  # computed by kehoach: not read
    ("4. Gắn với tiêu chí nông thôn mới chưa đạt (×1)", "ntm_criterion"),
    ("Tính cấp thiết, an toàn", "urgency_safety"),
    ("Mức độ sẵn sàng", "readiness"),  # a synonym of the criterion
    ("operation_maintenance", "operation_maintenance"),  # the criterion's code
]


def _f10_book(rows: list[list[Any]], criteria: list[tuple[str, str]] = CRITERIA) -> bytes:
    """The commune's scoring sheet: "STT", "Tên công trình", "Điểm theo tiêu chí" merged over
    one column per criterion titled by its name, "Tổng điểm"; a heading row per sector."""

    def fill(book: Any, ws: Any) -> None:
        bold = book.add_format({"bold": True})
        ws.merge_range(1, 0, 1, 8, "BẢNG CHẤM ĐIỂM CÁC CÔNG TRÌNH NĂM 2027", bold)
        ws.merge_range(3, 0, 4, 0, "STT", bold)
        ws.merge_range(3, 1, 4, 1, "Tên công trình", bold)
        ws.merge_range(3, 2, 3, 1 + len(criteria), "Điểm theo tiêu chí", bold)
        for column, (header, _code) in enumerate(criteria, start=2):
            ws.write(4, column, header, bold)
        ws.merge_range(3, 2 + len(criteria), 4, 2 + len(criteria), "Tổng điểm", bold)
        write_rows(ws, 5, rows)
        ws.write(6 + len(rows), 1, "Người lập biểu", bold)

    return drawn("Cham diem", fill)


def test_f10_in_the_communes_own_layout_saves_the_scores(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    school = _line(plan, SCHOOL)
    line_scores_set(actor=planner, line=school, scores={"readiness": "2"})
    rows: list[list[Any]] = [
        ["I", "HẠ TẦNG GIAO THÔNG"],
        [1, ROAD, 5, "4,5", 3, None, 2],  # the village priority typed: not read
        [2, BRIDGE, None, None, None, None, None],
        ["II", "GIÁO DỤC"],
        [1, SCHOOL, None, None, 1, 4, None],  # readiness 2 → 4; empty cells keep
    ]

    record = upload(plan, planner, _f10_book(rows), "cham-diem.xlsx", form="F10")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 0, "change": 2, "remove": 0}
    notes = record.summary["notes"]
    assert any("Thứ tự ưu tiên của thôn" in n for n in notes), notes
    confirm(plan, planner, record)
    assert _line(plan, ROAD).manual_scores == {
        "ntm_criterion": 4.5,
        "urgency_safety": 3,
        "operation_maintenance": 2,
    }
    assert _line(plan, SCHOOL).manual_scores == {"urgency_safety": 1, "readiness": 4}
    assert _line(plan, BRIDGE).manual_scores == {}


def test_f10_own_layout_a_wrong_score_is_refused_by_its_cell(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    rows: list[list[Any]] = [["I", "HẠ TẦNG"], [1, ROAD, None, 7, "cao"]]

    record = upload(plan, planner, _f10_book(rows), form="F10")

    assert record.result == ImportRecord.Result.REFUSED
    named = errors_by_cell(record)
    assert set(named) == {"D7", "E7"}, record.errors
    assert named["E7"]["value"] == "cao"
    assert not CommuneLine.objects.filter(plan=plan).exclude(manual_scores={}).exists()


def test_f10_own_layout_without_a_judged_criterion_is_refused_naming_them(
    commune: dict[str, Any],
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    criteria = [("Thứ tự ưu tiên của thôn", "village_priority"), ("Điểm cộng", "")]
    record = upload(plan, planner, _f10_book([[1, ROAD, 5, 3]], criteria), form="F10")
    assert record.result == ImportRecord.Result.REFUSED
    [error] = record.errors
    assert "“Tính cấp thiết, an toàn”" in error["message"], error


def test_f10_own_layout_same_name_by_number_and_unknown_name_refused(
    commune: dict[str, Any],
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    first, second = CommuneLine.objects.filter(plan=plan, activity=FIELD_ROAD).order_by("number")
    rows = [
        [second.number, FIELD_ROAD, None, 2, 3],
        [first.number, FIELD_ROAD, None, 4, 5],
    ]
    record = upload(plan, planner, _f10_book(rows), form="F10")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    confirm(plan, planner, record)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.manual_scores, second.manual_scores) == (
        {"ntm_criterion": 4, "urgency_safety": 5},
        {"ntm_criterion": 2, "urgency_safety": 3},
    )

    record = upload(plan, planner, _f10_book([[9, "Đường xóm Trê", None, 2]]), form="F10")
    assert record.result == ImportRecord.Result.REFUSED
    error = errors_by_cell(record)["B6"]
    assert f"“{ROAD}”" in error["problem"], error
