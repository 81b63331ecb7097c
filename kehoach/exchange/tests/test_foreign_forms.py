"""Old workbooks of the other imported forms in a programme's own layout (issue 15): built by
the test the way a commune's officer made them (no ``_kehoach`` sheet, headers as people write
them over merged rows, a row of column numbers, units in the headers, a total row and the
signature block), imported through the real path (check, then confirm by the planner) with no
hand edits, the saved records compared field by field with the known content; a wrong cell is
refused and named by its cell."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kehoach.catalog.services import catalog_load_defaults
from kehoach.exchange.models import ImportRecord
from kehoach.geo.tests.factories import hai_lang
from kehoach.plans.models import BasicInfo, VillagePlan
from kehoach.synthesis.choices import AreaScope, EnvelopeOrigin, Firmness
from kehoach.synthesis.models import EnvelopeLine
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

from .helpers import confirm, plan_with_lines, upload
from .workbooks import Rows, drawn, errors_by_cell, header_style, write_rows

pytestmark = pytest.mark.django_db


# --- F11: the resource envelope ---------------------------------------------------------------

F11_LINES: list[dict[str, Any]] = [
    {
        "source": "NS xã",
        "sector": "Giao thông",
        "content": "Bê tông hóa đường trục thôn",
        "area": "Thôn Diên Sanh",
        "amount": 1_250_000,  # thousand đồng
        "share": None,
        "notes": "",
    },
    {
        "source": "Vốn lồng ghép",
        "sector": "Giáo dục - đào tạo",
        "content": "Sửa chữa phòng học",
        "area": "Toàn xã",
        "amount": "350.500",  # typed as text, the Vietnamese way
        "share": 10,
        "notes": "Lồng ghép chương trình kiên cố hóa trường lớp",
    },
    {
        "source": "Doanh nghiệp",
        "sector": "Nông nghiệp",
        "content": "Hỗ trợ giống cây trồng",
        "area": "Diên Sanh, Mỹ Chánh",
        "amount": 80_000,
        "share": None,
        "notes": "",
    },
]
F11_EXPECTED: list[dict[str, Any]] = [
    {
        "source": "NS-X",
        "sector": "HT-GT",
        "content": "Bê tông hóa đường trục thôn",
        "amount_mvnd": Decimal("1250"),
        "counterpart_share_pct": None,
        "area_scope": AreaScope.LISTED,
        "villages": ["Thôn Diên Sanh"],
        "notes": "",
    },
    {
        "source": "LG",
        "sector": "GD",
        "content": "Sửa chữa phòng học",
        "amount_mvnd": Decimal("350.5"),
        "counterpart_share_pct": Decimal("10"),
        "area_scope": AreaScope.ALL,
        "villages": [],
        "notes": "Lồng ghép chương trình kiên cố hóa trường lớp",
    },
    {
        "source": "DN",
        "sector": "NN",
        "content": "Hỗ trợ giống cây trồng",
        "amount_mvnd": Decimal("80"),
        "counterpart_share_pct": None,
        "area_scope": AreaScope.LISTED,
        "villages": ["Thôn Diên Sanh", "Thôn Mỹ Chánh"],
        "notes": "",
    },
]
F11_FIRST = 9
"""The sheet row (1-based) of the first line of the F11 workbook below."""


def _f11_book(lines: list[dict[str, Any]]) -> bytes:
    """The commune's own "Kế hoạch vốn" sheet: a title block, a two-row header with "Kinh phí"
    merged over the amount in thousand đồng and the counterpart share, the column numbers, the
    lines, "Tổng cộng" and the chairman's signature block."""

    def fill(book: Any, ws: Any) -> None:
        bold = header_style(book)
        ws.write(0, 0, "UBND XÃ HẢI LĂNG")
        ws.write(0, 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        ws.merge_range(2, 0, 2, 7, "KẾ HOẠCH NGUỒN VỐN HỖ TRỢ NĂM 2027", bold)
        ws.write(3, 2, "(Kèm theo Tờ trình số 15/TTr-UBND của UBND xã)")
        for column, text in enumerate(["TT", "Nguồn vốn", "Lĩnh vực", "Nội dung", "Địa bàn"]):
            ws.merge_range(5, column, 6, column, text, bold)
        ws.merge_range(5, 5, 5, 6, "Kinh phí", bold)
        ws.write(6, 5, "Số tiền\n(1.000 đồng)", bold)
        ws.write(6, 6, "Tỷ lệ đối ứng (%)", bold)
        ws.merge_range(5, 7, 6, 7, "Ghi chú", bold)
        for column in range(8):
            ws.write(7, column, f"({column + 1})", bold)
        total = 0
        for index, line in enumerate(lines):
            row = F11_FIRST - 1 + index
            ws.write(row, 0, index + 1)
            ws.write(row, 1, line["source"])
            ws.write(row, 2, line["sector"])
            ws.write(row, 3, line["content"])
            ws.write(row, 4, line["area"])
            ws.write(row, 5, line["amount"])
            if line["share"] is not None:
                ws.write(row, 6, line["share"])
            if line["notes"]:
                ws.write(row, 7, line["notes"])
            if isinstance(line["amount"], int):
                total += line["amount"]
        row = F11_FIRST - 1 + len(lines)
        ws.write(row, 1, "Tổng cộng", bold)
        ws.write(row, 5, total, bold)
        ws.write(row + 2, 5, "Hải Lăng, ngày … tháng … năm 2026")
        ws.write(row + 3, 5, "CHỦ TỊCH UBND XÃ", bold)
        ws.write(row + 4, 5, "(Ký, ghi rõ họ tên)")
        ws.write(row + 7, 5, "Nguyễn Văn An")

    return drawn("KH von 2027", fill)


@pytest.fixture
def commune() -> dict[str, Any]:
    """A commune plan of 2027 of the seeded catalog (its sources, sectors and aliases), with
    two villages and two lines already in the envelope."""
    catalog_load_defaults()
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = sf.transport(), sf.education()
    sf.submitted_plan(a, [sf.money_line("600", "100", sector=road, activity="Đường xóm Trên")])
    sf.submitted_plan(b, [sf.money_line("400", "50", sector=school, activity="Sửa phòng học")])
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    sf.envelope_line(round_, sf.ntp(), "1000", sector_=road)
    sf.envelope_line(round_, sf.commune_budget(), "400", origin="commune")
    return {"plan": plan, "planner": planner, "round": round_}


def _envelope(round_: Any) -> list[EnvelopeLine]:
    return list(
        EnvelopeLine.objects.filter(envelope__round=round_, deleted_at__isnull=True)
        .select_related("source", "sector")
        .prefetch_related("area_villages")
        .order_by("number")
    )


def test_f11_in_a_communes_own_layout_imports_as_its_known_content(
    commune: dict[str, Any],
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    before = [(x.pk, x.version) for x in _envelope(commune["round"])]

    record = upload(plan, planner, _f11_book(F11_LINES), "ke-hoach-von.xlsx", form="F11")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 3, "change": 0, "remove": 0}
    confirm(plan, planner, record)
    lines = _envelope(commune["round"])
    assert [(x.pk, x.version) for x in lines[:2]] == before  # the lines there stay as they were
    added = lines[2:]
    assert len(added) == len(F11_EXPECTED)
    for number, (line, want) in enumerate(zip(added, F11_EXPECTED, strict=True), start=1):
        got = {
            "source": line.source.code,
            "sector": line.sector.code if line.sector else None,
            "content": line.content,
            "amount_mvnd": line.amount_mvnd,
            "counterpart_share_pct": line.counterpart_share_pct,
            "area_scope": line.area_scope,
            "villages": sorted(v.name for v in line.area_villages.all()),
            "notes": line.notes,
        }
        wrong = {k: (got[k], v) for k, v in want.items() if got[k] != v}
        assert not wrong, f"line {number}: field → (saved, expected): {wrong}"
        assert (line.origin, line.firmness) == (EnvelopeOrigin.COMMUNE, Firmness.INDICATIVE)


def test_f11_own_layout_lists_the_rows_it_skipped(commune: dict[str, Any]) -> None:
    record = upload(
        commune["plan"], commune["planner"], _f11_book(F11_LINES), "kh.xlsx", form="F11"
    )
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    skipped = {row for row, _why in record.summary["skipped"]}
    total_row = F11_FIRST + len(F11_LINES)
    assert {F11_FIRST - 1, total_row, total_row + 2, total_row + 3} <= skipped


@pytest.mark.parametrize(
    ("index", "key", "value", "cell", "shown"),
    [
        (1, "amount", "ba trăm triệu", f"F{F11_FIRST + 1}", "ba trăm triệu"),
        (2, "source", "Quỹ khuyến học XYZ", f"B{F11_FIRST + 2}", "Quỹ khuyến học XYZ"),
        (0, "area", "Thôn Không Có", f"E{F11_FIRST}", "thon khong co"),
    ],
)
def test_f11_own_layout_with_a_wrong_cell_is_refused_on_that_cell(
    commune: dict[str, Any], index: int, key: str, value: str, cell: str, shown: str
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    lines = [dict(line) for line in F11_LINES]
    lines[index][key] = value
    count = EnvelopeLine.objects.count()

    record = upload(plan, planner, _f11_book(lines), "kh.xlsx", form="F11")

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    named = errors_by_cell(record)
    assert list(named) == [cell], record.errors
    error = named[cell]
    assert shown in str(error["value"]) or shown in error["message"], error
    assert EnvelopeLine.objects.count() == count


# --- F1: the village's basic information ------------------------------------------------------

F1_ROWS_WRITTEN: list[list[Any]] = [
    # STT, Chỉ tiêu, ĐVT, Giá trị, Tỷ lệ (%), Nguồn số liệu, Thời điểm số liệu
    ["I", "DÂN SỐ VÀ HỘ GIA ĐÌNH", None, None, None, None, None],
    [1, "Tổng số hộ", "hộ", 185, None, None, None],
    [2, "Nhân khẩu", "người", "1.250", None, "Sổ hộ khẩu", "15/11/2025"],
    [3, "Hộ nghèo (đa chiều)", "hộ", 25, 13.5, "Rà soát hộ nghèo 2025", "15/11/2025"],
    [4, "Số trẻ em dưới 5 tuổi", "người", 60, None, None, None],
    ["II", "HẠ TẦNG, DỊCH VỤ", None, None, None, None, None],
    [5, "Đường đi lại được quanh năm", None, "có", None, None, None],
    [6, "Nhà văn hóa thôn", None, "Có", None, None, None],
    [7, "Thu nhập bình quân đầu người", "triệu đồng/người/năm", "32,5", None, None, None],
]
F1_EXPECTED: dict[str, Any] = {
    "total_households": 185,
    "population": 1250,
    "poor_households": 25,
    "road_all_season": True,
    "has_cultural_house": True,
    "income_per_capita_mvnd": Decimal("32.5"),
}
F1_SOURCES: dict[str, Any] = {
    "population": {"source": "Sổ hộ khẩu", "date": "2025-11-15"},
    "poor_households": {"source": "Rà soát hộ nghèo 2025", "date": "2025-11-15"},
}
F1_FIRST = 8
"""The sheet row (1-based) of the first row under the column numbers."""
F1_ETHNIC: Rows = [
    ["TT", "Dân tộc", "Số hộ", "Số khẩu"],
    [1, "Kinh", 150, 1000],
    [2, "Vân Kiều", 35, 250],
]


def _f1_book(rows: list[list[Any]]) -> bytes:
    """The village's own sheet: a title, "Số liệu" merged over the value and its percentage,
    numbered columns, Roman-numbered groups, a note and the village head's signature."""

    def fill(book: Any, ws: Any) -> None:
        bold = header_style(book)
        ws.write(0, 0, "UBND XÃ HẢI LĂNG")
        ws.write(1, 0, "THÔN DIÊN SANH")
        ws.merge_range(2, 0, 2, 6, "BIỂU THÔNG TIN CƠ BẢN CỦA THÔN NĂM 2026", bold)
        for column, text in enumerate(["STT", "Chỉ tiêu", "ĐVT"]):
            ws.merge_range(4, column, 5, column, text, bold)
        ws.merge_range(4, 3, 4, 4, "Số liệu", bold)
        ws.write(5, 3, "Giá trị", bold)
        ws.write(5, 4, "Tỷ lệ (%)", bold)
        ws.merge_range(4, 5, 5, 5, "Nguồn số liệu", bold)
        ws.merge_range(4, 6, 5, 6, "Thời điểm", bold)
        for column in range(7):
            ws.write(6, column, column + 1, bold)
        below = write_rows(ws, F1_FIRST - 1, rows) + 1
        ws.write(below, 0, "Ghi chú: số liệu do thôn tổng hợp từ sổ theo dõi.")
        ws.write(below + 1, 4, "Ngày … tháng … năm 2025")
        ws.write(below + 2, 4, "TRƯỞNG THÔN")
        ws.write(below + 5, 4, "Lê Văn Bình")

    return drawn("Thong tin thon", fill, extra={"Dân tộc": F1_ETHNIC})


@pytest.fixture
def village() -> tuple[VillagePlan, Any]:
    plan, planner = plan_with_lines()
    return plan, planner


def test_f1_in_a_villages_own_layout_imports_as_its_known_content(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village

    record = upload(plan, planner, _f1_book(F1_ROWS_WRITTEN), "thong-tin.xlsx", form="F1")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    confirm(plan, planner, record)
    info = BasicInfo.objects.get(plan=plan)
    got = {name: getattr(info, name) for name in F1_EXPECTED}
    wrong = {k: (got[k], v) for k, v in F1_EXPECTED.items() if got[k] != v}
    assert not wrong, f"field → (saved, expected): {wrong}"
    assert {k: info.sources.get(k) for k in F1_SOURCES} == F1_SOURCES
    assert info.population_female is None  # a row the workbook does not have stays empty
    groups = [(g.name, g.households, g.persons) for g in info.ethnic_groups.order_by("pk")]
    assert groups == [("Kinh", 150, 1000), ("Vân Kiều", 35, 250)]


def test_f1_own_layout_lists_the_rows_it_skipped_and_why(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    record = upload(plan, planner, _f1_book(F1_ROWS_WRITTEN), "thong-tin.xlsx", form="F1")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    skipped = dict(record.summary["skipped"])
    unknown = F1_FIRST + 4
    assert "Số trẻ em dưới 5 tuổi" in skipped[unknown], skipped
    assert "không phải là một dòng" in skipped[unknown]
    assert F1_FIRST - 1 in skipped  # the column numbers
    note = F1_FIRST + len(F1_ROWS_WRITTEN) + 1
    assert {note, note + 1, note + 2} <= set(skipped), skipped
    assert F1_FIRST + 1 not in skipped  # "Tổng số hộ" is a line of the form, not a total


@pytest.mark.parametrize(
    ("index", "value", "shown"),
    [(2, "nhiều hộ", "nhiều hộ"), (6, "chưa rõ lắm", "chưa rõ lắm")],
)
def test_f1_own_layout_with_a_wrong_cell_is_refused_on_that_cell(
    village: tuple[VillagePlan, Any], index: int, value: str, shown: str
) -> None:
    plan, planner = village
    rows = [list(row) for row in F1_ROWS_WRITTEN]
    rows[index][3] = value

    record = upload(plan, planner, _f1_book(rows), "thong-tin.xlsx", form="F1")

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    named = errors_by_cell(record)
    cell = f"D{F1_FIRST + index}"
    assert list(named) == [cell], record.errors
    assert shown in str(named[cell]["value"]) or shown in named[cell]["message"], named[cell]
    assert not BasicInfo.objects.filter(plan=plan, total_households__isnull=False).exists()
