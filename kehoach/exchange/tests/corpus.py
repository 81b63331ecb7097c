"""A corpus of old village proposal lists (F6) as programmes and offices made them in Excel, not
from kehoach's template (issue 15): each workbook built here with a known content, the lines it
must give (field → value, as saved) or the cells it must be refused on.

The styles combine the patterns of real workbooks: one- to three-row merged headers ("Thời
gian" over "Bắt đầu"/"Kết thúc", "Trong đó" over "Dân góp" over its parts), a numbered column
row, the sector as a heading row ("I. NÔNG NGHIỆP" merged across the table, "1. Nông nghiệp",
a row with only its first cells filled) or as a column, units in the headers ("(tr.đ)",
"(1.000 đ)"), derived columns missing (the contribution as its parts only, the total missing),
a "Tổng cộng" row, a signature and notes block, Unicode clean or messy (NFD, "1.350,5" as text,
blank rows, extra spaces, line breaks in headers), TCVN3 and VNI text, .xls and .ods copies.

``CASES`` maps a case name to a function that builds it (the .xls/.ods ones convert with
LibreOffice, so each test builds only its own); ``build_clean(lines, ...)`` gives the clean
style with any number of lines (the bench uses 20,000)."""

from __future__ import annotations

import datetime
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import xlsxwriter

from kehoach.core.legacy import from_unicode_tcvn3, from_unicode_vni

from .helpers import libreoffice_convert

D = Decimal

# --- the content --------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One proposal as the village wrote it (amounts in million đồng)."""

    sector: str  # the sector's code in the seeded catalog
    activity: str
    location: str
    unit: str  # the unit's code (and how it is written: the seeded units are written so)
    quantity: Decimal
    start: tuple[int, int]  # (month, year)
    end: tuple[int, int]
    cash: Decimal
    labour: Decimal
    materials: Decimal
    external: Decimal
    source: str  # the source's code
    priority: int
    notes: str = ""

    @property
    def contribution(self) -> Decimal:
        return self.cash + self.labour + self.materials

    @property
    def total(self) -> Decimal:
        return self.contribution + self.external


LINES: list[Line] = [
    Line("NN", "Hỗ trợ giống lúa chất lượng cao", "Xóm Đồng", "ha", D("12.5"), (2, 2027),
         (5, 2027), D(20), D("15.5"), D(0), D(120), "NS-X", 1, "Vụ Đông Xuân"),
    Line("NN", "Mô hình nuôi bò sinh sản", "Xóm Trên", "con", D(10), (3, 2027), (9, 2027),
         D(50), D(0), D(10), D(200), "LG", 2),
    Line("HT-GT", "Bê tông hóa đường xóm Bàu", "Xóm Bàu", "km", D("1.2"), (4, 2027), (8, 2027),
         D(100), D("250.5"), D(1000), D("1350.5"), "NS-X", 1, "Đường trục xóm"),
    Line("HT-GT", "Làm rãnh thoát nước", "Xóm Đồng", "m", D(350), (5, 2027), (7, 2027),
         D(30), D(40), D(0), D(80), "LG", 2),
]  # fmt: skip

SOURCE_NAMES = {"NS-X": "Ngân sách xã", "LG": "Vốn lồng ghép"}
"""The sources as the catalog names them (what a clean workbook writes)."""

PEOPLE_SOURCES = [("CTMTQG 2026-2035", "NTP26"), ("NS tỉnh", "NS-T"),
                  ("vốn lồng ghép", "LG"), ("CTMTQG 2026-2035", "NTP26")]  # fmt: skip
"""Case 10: the source of each line as people write it, and the source it means."""

HEADINGS = {"NN": "NÔNG NGHIỆP", "HT-GT": "Hạ tầng giao thông"}
SECTOR_NAMES = {"NN": "Nông nghiệp", "HT-GT": "Hạ tầng giao thông"}
"""How the villages write the sectors (the catalog says "Nông nghiệp (trồng trọt, …)" and
"Hạ tầng: giao thông")."""

# --- a table's shape ----------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A column of the file: what it holds (``Line`` attribute, "number", "total",
    "contribution"…) and its header path, top row first ("Trong đó", "Dân góp", "Tiền mặt")."""

    what: str
    path: tuple[str, ...]


ORDER_A = [
    Col("number", ("STT",)),
    Col("activity", ("Nội dung",)),
    Col("location", ("Địa điểm",)),
    Col("unit", ("ĐVT",)),
    Col("quantity", ("KL",)),
    Col("start", ("Thời gian", "Bắt đầu")),
    Col("end", ("Thời gian", "Kết thúc")),
    Col("total", ("Tổng kinh phí (tr.đ)",)),
    Col("cash", ("Trong đó", "Dân góp", "Tiền mặt")),
    Col("labour", ("Trong đó", "Dân góp", "Ngày công")),
    Col("materials", ("Trong đó", "Dân góp", "Vật liệu")),
    Col("external", ("Trong đó", "Nhà nước hỗ trợ")),
    Col("source", ("Nguồn vốn",)),
    Col("notes", ("Ghi chú",)),
]
"""Programme order A (the issue's workbook): the sector as heading rows."""

ORDER_B = [
    Col("number", ("Số TT",)),
    Col("activity", ("Tên dự án/hoạt động",)),
    Col("sector", ("Lĩnh vực",)),
    Col("unit", ("Quy mô", "Đơn vị")),
    Col("quantity", ("Quy mô", "Số lượng")),
    Col("total", ("Kinh phí (triệu đồng)", "Tổng kinh phí")),
    Col("contribution", ("Kinh phí (triệu đồng)", "Trong đó", "Dân góp")),
    Col("external", ("Kinh phí (triệu đồng)", "Trong đó", "Hỗ trợ")),
    Col("start", ("Thời gian thực hiện", "Từ tháng")),
    Col("end", ("Thời gian thực hiện", "Đến tháng")),
    Col("source", ("Nguồn vốn đề nghị",)),
    Col("priority", ("Mức ưu tiên",)),
]
"""Another programme's order B: a three-row header, the sector as a column, a priority, the
contribution as one figure."""

FIELDS = {
    "activity": "activity",
    "location": "location",
    "unit": "unit",
    "quantity": "quantity",
    "start": "start_month",
    "end": "end_month",
    "total": "total_cost_mvnd",
    "contribution": "contribution_mvnd",
    "cash": "contribution_cash_mvnd",
    "labour": "contribution_labour_mvnd",
    "materials": "contribution_materials_mvnd",
    "external": "external_support_mvnd",
    "source": "proposed_source",
    "priority": "priority",
    "notes": "notes",
    "sector": "sector",
}
"""A column's content → the saved line's field."""

MONEY = ("total", "contribution", "cash", "labour", "materials", "external")


@dataclass
class Style:
    """How one workbook writes the same content."""

    columns: list[Col]
    sheet: str = "Biểu 02-KHT"
    headings: str = "roman"  # "roman" | "arabic" | "column" (the sector is a column)
    numbered_row: bool = True
    total_row: bool = True
    signature: bool = True
    months: str = "text"  # "text" 02/2027 | "date" | "thang" tháng 2/2027
    money_text: bool = False  # "1.350,5" as text
    scale: int = 1  # the file's money = million đồng × scale
    blank_rows: bool = False
    nfd: bool = False
    spaces: bool = False
    legacy: Callable[[str], str] | None = None
    sources: Callable[[int, Line], str] = lambda _i, line: SOURCE_NAMES[line.source]
    heading_text: Callable[[int, str], list[str]] | None = None
    sector_names: dict[str, str] = field(default_factory=lambda: dict(SECTOR_NAMES))


@dataclass
class Case:
    """A workbook and what it must give: the lines (field → value, as saved: codes for the
    sector, unit and source) or the cells it must be refused on (cell → part of the message)."""

    name: str
    data: bytes
    filename: str
    expected: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class Built:
    data: bytes
    rows: list[int]  # the sheet row (1-based) of each line
    letters: dict[str, str]  # a column's content → its letter
    heading_rows: dict[str, int]  # a sector code → the row of its heading


def _letter(index: int) -> str:
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


def _roman(number: int) -> str:
    text = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):  # fmt: skip
        count, number = divmod(number, value)
        text += letters * count
    return text


def _month(style: Style, value: tuple[int, int]) -> Any:
    month, year = value
    if style.months == "date":
        return datetime.date(year, month, 1)
    if style.months == "thang":
        return f"tháng {month}/{year}"
    return f"{month:02d}/{year}"


def _vi_number(value: Decimal) -> str:
    text = f"{value:,.1f}" if value != value.to_integral_value() else f"{value:,.0f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _cell(style: Style, col: Col, index: int, line: Line, number: int) -> Any:
    what = col.what
    if what == "number":
        return number
    if what == "sector":
        return style.sector_names[line.sector]
    if what == "source":
        return style.sources(index, line)
    if what in ("start", "end"):
        return _month(style, getattr(line, what))
    value = getattr(line, what)
    if what in MONEY:
        value = value * style.scale
        return _vi_number(value) if style.money_text else value
    if what == "quantity":
        return _vi_number(value) if style.money_text else value
    return value


def build(
    style: Style,
    lines: list[Line],
    *,
    overrides: dict[tuple[int, str], Any] | None = None,
    extra_heading: tuple[str, Line] | None = None,
) -> Built:
    """The workbook of ``lines`` in ``style``; ``overrides`` sets a line's cell to a wrong value
    ((line index, content) → value), ``extra_heading`` adds a heading row with the given text
    and a line under it at the end."""
    overrides = overrides or {}
    legacy = style.legacy or (lambda s: s)

    def text(value: str) -> str:
        if style.nfd:
            value = unicodedata.normalize("NFD", value)
        return legacy(value)

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet(text(style.sheet))
    bold = book.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center"})
    plain_bold = book.add_format({"bold": True})
    date = book.add_format({"num_format": "mm/yyyy"})
    width = len(style.columns)
    last = _letter(width - 1)

    ws.merge_range(f"A1:{last}1", text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), plain_bold)
    ws.write(1, 0, text("Thôn Diên Sanh, xã Hải Lăng"))
    ws.merge_range(f"A3:{last}3", text("DANH MỤC ĐỀ XUẤT KẾ HOẠCH NĂM 2027"), plain_bold)

    # the header block: each column's path, merged across equal prefixes and down to the bottom
    top = 4  # 0-based
    depth = max(len(c.path) for c in style.columns)
    for level in range(depth):
        col = 0
        while col < width:
            path = style.columns[col].path
            if level >= len(path):
                col += 1
                continue
            span = 1
            while (
                col + span < width
                and len(style.columns[col + span].path) > level
                and style.columns[col + span].path[: level + 1] == path[: level + 1]
                and level < len(path) - 1
            ):
                span += 1
            bottom = top + level if level < len(path) - 1 else top + depth - 1
            label = path[level]
            if style.spaces:
                label = label.replace(" ", "  ", 1)
            if style.nfd or style.spaces:
                label = label.replace(" (", "\n(")
            if span > 1 or bottom > top + level:
                ws.merge_range(top + level, col, bottom, col + span - 1, text(label), bold)
            else:
                ws.write_string(top + level, col, text(label), bold)
            col += span
    row = top + depth
    if style.numbered_row:
        ws.write_row(row, 0, [f"({n})" for n in range(1, width + 1)])
        row += 1

    letters = {c.what: _letter(i) for i, c in enumerate(style.columns)}
    rows: list[int] = []
    heading_rows: dict[str, int] = {}

    def heading(position: int, name: str, code: str | None) -> None:
        nonlocal row
        if style.heading_text is not None:
            cells = style.heading_text(position, name)
        elif style.headings == "arabic":
            cells = [f"{position + 1}. {name}"]
        else:
            cells = [f"{_roman(position % 20 + 1)}. {name}"]  # a long list restarts at I
        if len(cells) == 1 and style.headings == "roman":
            ws.merge_range(row, 0, row, width - 1, text(cells[0]), plain_bold)
        else:
            for offset, value in enumerate(cells):
                ws.write_string(row, offset, text(value), plain_bold)
        if code:
            heading_rows[code] = row + 1
        row += 1

    def line_row(index: int, line: Line, number: int) -> None:
        nonlocal row
        for position, col in enumerate(style.columns):
            value = overrides.get((index, col.what), _cell(style, col, index, line, number))
            if isinstance(value, datetime.date):
                ws.write_datetime(
                    row, position, datetime.datetime.combine(value, datetime.time()), date
                )
            elif isinstance(value, str):
                if style.spaces and col.what in ("activity", "location"):
                    value = f"  {value} "
                ws.write_string(row, position, text(value))
            elif isinstance(value, Decimal):
                ws.write_number(row, position, float(value))
            elif value is not None:
                ws.write_number(row, position, value)
        rows.append(row + 1)
        row += 1
        if style.blank_rows:
            row += 1

    first = row
    sector: str | None = None
    number = 0
    headed = 0
    for index, line in enumerate(lines):
        if style.headings != "column" and line.sector != sector:
            heading(headed, HEADINGS[line.sector], line.sector)
            sector = line.sector
            headed += 1
        number += 1
        line_row(index, line, number)
    if extra_heading is not None:
        name, line = extra_heading
        heading(headed, name, "?")
        line_row(len(lines), line, number + 1)
    if style.total_row:
        ws.write_string(row, 1, text("Tổng cộng"), plain_bold)
        for what in ("total", "external"):
            if what in letters:
                column = letters[what]
                total = sum((getattr(x, what) for x in lines), D(0)) * style.scale
                ws.write_formula(
                    row, style.columns.index(next(c for c in style.columns if c.what == what)),
                    f"=SUM({column}{first + 1}:{column}{row})", None, float(total),
                )  # fmt: skip
        row += 1
    if style.signature:
        row += 1
        ws.write_string(row, width - 4, text("Diên Sanh, ngày 12 tháng 3 năm 2026"))
        ws.write_string(row + 1, 1, text("NGƯỜI LẬP BIỂU"), plain_bold)
        ws.write_string(row + 1, width - 4, text("TRƯỞNG THÔN"), plain_bold)
        ws.write_string(row + 4, 1, text("Lê Thị Hoa"))
        ws.write_string(row + 4, width - 4, text("Nguyễn Văn An"))
        ws.write_string(row + 6, 0, text("Ghi chú:"))
        ws.write_string(row + 7, 0, text("- Kinh phí tính theo đơn giá năm 2026; 3 dòng đầu"))
    book.close()
    return Built(out.getvalue(), rows, letters, heading_rows)


def expected_lines(style: Style, lines: list[Line]) -> list[dict[str, Any]]:
    """What each line must be once saved: every field the file gives, and the contribution
    and total computed from their parts where the file has only the parts."""
    present = {c.what for c in style.columns}
    found = []
    for index, line in enumerate(lines):
        values: dict[str, Any] = {"sector": line.sector}
        for what in present - {"number", "sector"}:
            name = FIELDS[what]
            if what in ("start", "end"):
                month, year = getattr(line, what)
                values[name] = datetime.date(year, month, 1)
            elif what == "source":
                values[name] = _source_code(style, index, line)
            else:
                values[name] = getattr(line, what)
        if {"cash", "labour", "materials"} & present or "contribution" in present:
            values["contribution_mvnd"] = line.contribution
        if "external" in present:
            values["total_cost_mvnd"] = line.total
        found.append(values)
    return found


def _source_code(style: Style, index: int, line: Line) -> str:
    written = style.sources(index, line)
    for spelling, code in PEOPLE_SOURCES:
        if written == spelling:
            return code
    return line.source


# --- the cases ----------------------------------------------------------------------------


def _case(name: str, style: Style, filename: str = "de-xuat.xlsx") -> Case:
    built = build(style, LINES)
    return Case(name, built.data, filename, expected_lines(style, LINES))


def clean_style() -> Style:
    return Style(columns=list(ORDER_A))


def build_clean(lines: list[Line]) -> bytes:
    """Workbook (1) with any lines (a heading row at each new sector)."""
    return build(clean_style(), lines).data


def many_lines(count: int, per_heading: int = 50) -> list[Line]:
    """``count`` lines of the corpus's content, the sector changing every ``per_heading`` lines
    (so workbook (1) has a heading row that often): the bench's 20,000-line workbook."""
    found = []
    for index in range(count):
        base = LINES[(index // per_heading) % 2 * 2 + index % 2]
        found.append(replace(base, activity=f"{base.activity} (hạng mục {index + 1})"))
    return found


def _without(columns: list[Col], *whats: str) -> list[Col]:
    return [c for c in columns if c.what not in whats]


def _case_total_missing() -> Case:
    columns = _without(ORDER_A, "total")
    return _case("06-total-missing", Style(columns=columns))


def _case_contribution_parts() -> Case:
    columns = [
        Col("number", ("TT",)),
        Col("activity", ("Tên công trình",)),
        Col("unit", ("Đơn vị tính",)),
        Col("quantity", ("Khối lượng",)),
        Col("start", ("Thời gian thực hiện", "Bắt đầu")),
        Col("end", ("Thời gian thực hiện", "Kết thúc")),
        Col("total", ("Tổng kinh phí (triệu đồng)",)),
        Col("cash", ("Dân đóng góp", "Tiền mặt")),
        Col("labour", ("Dân đóng góp", "Ngày công quy đổi")),
        Col("materials", ("Dân đóng góp", "Vật liệu, hiến đất")),
        Col("external", ("Đề nghị hỗ trợ",)),
        Col("notes", ("Ghi chú",)),
    ]
    return _case("07-contribution-parts", Style(columns=columns, months="date"))


def _case_arabic() -> Case:
    def cells(position: int, name: str) -> list[str]:
        # the first sector "1. Nông nghiệp"; the second a row with only its first cells filled
        return [f"{position + 1}. {name.capitalize()}"] if position == 0 else ["2", name]

    style = Style(columns=list(ORDER_A), headings="arabic", heading_text=cells, numbered_row=False)
    return _case("08-arabic-headings", style)


def _style_b() -> Style:
    return Style(columns=list(ORDER_B), headings="column", sheet="DM", months="thang")


def _in_thousands(columns: list[Col]) -> list[Col]:
    """Every money header in thousand đồng: "Tổng kinh phí (1.000 đ)", "Tiền mặt (1.000 đ)"…"""
    found = []
    for col in columns:
        if col.what in MONEY:
            last = col.path[-1].replace(" (tr.đ)", "") + " (1.000 đ)"
            col = Col(col.what, (*col.path[:-1], last))
        found.append(col)
    return found


def _people_sources(index: int, _line: Line) -> str:
    return PEOPLE_SOURCES[index][0]


OUR_HEADERS = [
    Col("number", ("STT",)),
    Col("sector", ("Lĩnh vực",)),
    Col("activity", ("Tên hoạt động / công trình",)),
    Col("location", ("Địa điểm",)),
    Col("unit", ("Đơn vị tính",)),
    Col("quantity", ("Khối lượng",)),
    Col("start", ("Thời gian", "Bắt đầu (tháng/năm)")),
    Col("end", ("Thời gian", "Kết thúc (tháng/năm)")),
    Col("total", ("Tổng kinh phí",)),
    Col("contribution", ("Dân đóng góp", "Tổng")),
    Col("cash", ("Dân đóng góp", "Tiền mặt")),
    Col("labour", ("Dân đóng góp", "Ngày công quy đổi")),
    Col("materials", ("Dân đóng góp", "Vật liệu, hiến đất")),
    Col("external", ("Hỗ trợ từ bên ngoài đề nghị",)),
    Col("source", ("Nguồn vốn đề xuất",)),
    Col("priority", ("Thứ tự ưu tiên (1–3)",)),
    Col("notes", ("Ghi chú",)),
]
"""Our own template's headers in an office's workbook (no kehoach metadata), the catalog's
sector names: what kehoach read before issue 15 — the corpus's control case."""

CATALOG_SECTORS = {
    "NN": "Nông nghiệp (trồng trọt, chăn nuôi, thủy sản, khuyến nông)",
    "HT-GT": "Hạ tầng: giao thông",
}

CASES: dict[str, Callable[[], Case]] = {
    "00-our-headers": lambda: _case(
        "00-our-headers",
        Style(
            columns=list(OUR_HEADERS),
            headings="column",
            numbered_row=False,
            signature=False,
            sector_names=CATALOG_SECTORS,
        ),
    ),
    "01-clean": lambda: _case("01-clean", clean_style()),
    "02-messy": lambda: _case(
        "02-messy",
        Style(columns=list(ORDER_A), nfd=True, money_text=True, blank_rows=True, spaces=True),
    ),
    "03-tcvn3": lambda: _case("03-tcvn3", Style(columns=list(ORDER_A), legacy=from_unicode_tcvn3)),
    "04-vni": lambda: _case("04-vni", Style(columns=list(ORDER_A), legacy=from_unicode_vni)),
    "05-thousand-dong": lambda: _case(
        "05-thousand-dong", Style(columns=_in_thousands(ORDER_A), scale=1000)
    ),
    "06-total-missing": _case_total_missing,
    "07-contribution-parts": _case_contribution_parts,
    "08-arabic-headings": _case_arabic,
    "09-order-b": lambda: _case("09-order-b", _style_b()),
    "10-people-sources": lambda: _case(
        "10-people-sources", Style(columns=list(ORDER_A), sources=_people_sources)
    ),
    "11-xls": lambda: _converted("11-xls", clean_style(), "xls"),
    "12-ods": lambda: _converted("12-ods", _style_b(), "ods"),
}


def _converted(name: str, style: Style, target: str) -> Case:
    case = _case(name, style)
    case.data = libreoffice_convert(case.data, "xlsx", target)
    case.filename = f"de-xuat.{target}"
    return case


# --- the error cases ----------------------------------------------------------------------


def _error_case(
    name: str,
    style: Style,
    overrides: dict[tuple[int, str], Any],
    where: Callable[[Built], dict[str, str]],
    extra_heading: tuple[str, Line] | None = None,
) -> Case:
    built = build(style, LINES, overrides=overrides, extra_heading=extra_heading)
    return Case(name, built.data, "de-xuat.xlsx", errors=where(built))


ERROR_CASES: dict[str, Callable[[], Case]] = {
    # a wrong month: the cell and the value as typed
    "e1-month-13": lambda: _error_case(
        "e1-month-13",
        clean_style(),
        {(1, "start"): "13/2027"},
        lambda b: {f"{b.letters['start']}{b.rows[1]}": "13/2027"},
    ),
    # a heading that names no sector: the heading row's first cell
    "e2-heading-no-sector": lambda: _error_case(
        "e2-heading-no-sector",
        clean_style(),
        {},
        lambda b: {f"A{b.heading_rows['?']}": "CÔNG VIỆC KHÁC"},
        extra_heading=("CÔNG VIỆC KHÁC", LINES[0]),
    ),
    # a negative amount
    "e3-negative": lambda: _error_case(
        "e3-negative",
        clean_style(),
        {(2, "external"): -50},
        lambda b: {f"{b.letters['external']}{b.rows[2]}": "-50"},
    ),
    # no sector column and no heading row: each line named
    "e5-no-sector": lambda: _error_case(
        "e5-no-sector",
        Style(columns=list(ORDER_A), headings="column"),
        {},
        lambda b: {f"{b.letters['activity']}{b.rows[0]}": "lĩnh vực"},
    ),
    # a priority out of 1..3: the message says what is allowed
    "e4-priority-5": lambda: _error_case(
        "e4-priority-5",
        _style_b(),
        {(3, "priority"): 5},
        lambda b: {f"{b.letters['priority']}{b.rows[3]}": "1, 2"},
    ),
}
