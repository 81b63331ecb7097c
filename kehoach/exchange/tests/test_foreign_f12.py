"""F12 (the financial plan) from a commune's own workbook (issue 15): no ``_kehoach`` sheet, a
two-row header with "Nguồn vốn" merged over the sources as people write them, amounts in
thousand đồng, heading rows, a total row and the signature block. Rows are matched to the
plan's lines by name, money columns to the envelope's lines by the source (and the sector)
their headers name; a column that could be several envelope lines, or none, is refused by its
letter, never guessed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kehoach.catalog.models import FundingSource
from kehoach.catalog.services import catalog_load_defaults
from kehoach.exchange import choices as lists
from kehoach.exchange.forms.base.sources import match_source_columns
from kehoach.geo.tests.factories import hai_lang
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine, EnvelopeLine, LineFunding
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

from .helpers import confirm, upload
from .workbooks import drawn, errors_by_cell, header_style, write_rows

pytestmark = pytest.mark.django_db

ROAD, SCHOOL = "Đường xóm Trên", "Sửa phòng học"
SOURCES = ["CTMTQG – Giao thông", "CTMTQG – Giáo dục", "NS tỉnh", "Vốn lồng ghép", "Dân góp"]
"""The children of "Nguồn vốn (1.000 đồng)", as the commune's officer wrote them."""
FIRST = 9
"""The sheet row (1-based) of the first line below the first heading row."""


@pytest.fixture
def commune() -> dict[str, Any]:
    """A commune plan of 2027 of the seeded catalog with a road and a school line, and an
    envelope of four lines: two of the national target programme (one for transport, one for
    education), the provincial budget and the integrated capital."""
    catalog_load_defaults()
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = sf.transport(), sf.education()
    sf.submitted_plan(a, [sf.money_line("600", "100", sector=road, activity=ROAD)])
    sf.submitted_plan(b, [sf.money_line("400", "50", sector=school, activity=SCHOOL)])
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    ntp = sf.ntp()
    envelope = [
        sf.envelope_line(round_, ntp, "1000", sector_=road),
        sf.envelope_line(round_, ntp, "500", sector_=school),
        sf.envelope_line(round_, FundingSource.objects.get(code="NS-T"), "400"),
        sf.envelope_line(round_, FundingSource.objects.get(code="LG"), "300"),
    ]
    return {"plan": plan, "planner": planner, "envelope": envelope, "round": round_}


def _f12_book(
    sources: list[str] = SOURCES,
    rows: list[list[Any]] | None = None,
) -> bytes:
    """The commune's own "KH tài chính" sheet: a title block, "TT", "Tên công trình" and
    "Tổng kinh phí (1.000 đồng)" merged over two rows, "Nguồn vốn (1.000 đồng)" merged over
    ``sources``, "Ghi chú"; the column numbers; a heading row per sector; "Tổng cộng"; the
    chairman's signature block. ``rows``: [TT, name, total, amount per source …]."""
    if rows is None:
        rows = [
            ["I", "HẠ TẦNG GIAO THÔNG"],
            [1, ROAD, 600_000, 400_000, None, 100_000, None, 100_000],
            ["II", "GIÁO DỤC - ĐÀO TẠO"],
            [1, SCHOOL, 400_000, None, 250_000, None, 100_000, 50_000],
        ]
    last = 3 + len(sources)  # the "Ghi chú" column

    def fill(book: Any, ws: Any) -> None:
        bold = header_style(book)
        ws.write(0, 0, "UBND XÃ HẢI LĂNG")
        ws.merge_range(2, 0, 2, last, "KẾ HOẠCH TÀI CHÍNH NĂM 2027", bold)
        for column, text in enumerate(["TT", "Tên công trình", "Tổng kinh phí (1.000 đồng)"]):
            ws.merge_range(5, column, 6, column, text, bold)
        if len(sources) > 1:
            ws.merge_range(5, 3, 5, 2 + len(sources), "Nguồn vốn (1.000 đồng)", bold)
        else:
            ws.write(5, 3, "Nguồn vốn (1.000 đồng)", bold)
        for offset, text in enumerate(sources):
            ws.write(6, 3 + offset, text, bold)
        ws.merge_range(5, last, 6, last, "Ghi chú", bold)
        for column in range(last + 1):
            ws.write(7, column, f"({column + 1})", bold)
        end = write_rows(ws, FIRST - 1, rows)
        ws.write(end, 1, "Tổng cộng", bold)
        ws.write(end, 2, 1_000_000, bold)
        ws.write(end + 2, 4, "Hải Lăng, ngày … tháng … năm 2026")
        ws.write(end + 3, 4, "CHỦ TỊCH UBND XÃ", bold)
        ws.write(end + 6, 4, "Nguyễn Văn An")

    return drawn("KH tài chính", fill)


def _funding(plan: Any) -> dict[str, dict[int, Decimal]]:
    """Line → envelope line number → amount, as saved."""
    out: dict[str, dict[int, Decimal]] = {}
    for row in LineFunding.objects.filter(line__plan=plan).select_related("line", "envelope_line"):
        out.setdefault(row.line.activity, {})[row.envelope_line.number] = row.amount_mvnd
    return out


def test_f12_in_a_communes_own_layout_funds_each_line_from_its_envelope_lines(
    commune: dict[str, Any],
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    record = upload(plan, planner, _f12_book(), filename="kh-tai-chinh.xlsx", form="F12")
    assert record.result == "previewed", record.errors
    assert record.summary["counts"]["change"] == 2
    summary = record.summary
    assert any("không tải từ kehoach" in note for note in summary["notes"])
    skipped = {row for row, _why in summary["skipped"]}
    assert {8, FIRST, FIRST + 2, FIRST + 4} <= skipped  # numbers, headings, the total
    assert ["H", "Nguồn vốn (1.000 đồng) > Dân góp"] in summary["unread"]
    confirm(plan, planner, record)
    assert _funding(plan) == {
        ROAD: {1: Decimal("400"), 3: Decimal("100")},
        SCHOOL: {2: Decimal("250"), 4: Decimal("100")},
    }
    decided = dict(CommuneLine.objects.filter(plan=plan).values_list("activity", "decision"))
    assert decided == {ROAD: Decision.FUNDED, SCHOOL: Decision.FUNDED}


def test_the_sector_in_the_header_tells_two_lines_of_one_source_apart(
    commune: dict[str, Any],
) -> None:
    """The same amounts with the sectors swapped in the headers land on the other lines of
    the programme — and then the road draws on the education line, which cannot pay for it."""
    plan, planner = commune["plan"], commune["planner"]
    swapped = ["CTMTQG – Giáo dục", "CTMTQG – Giao thông", *SOURCES[2:]]
    record = upload(plan, planner, _f12_book(swapped), form="F12")
    assert record.result == "refused"
    errors = errors_by_cell(record)
    assert f"D{FIRST + 1}" in errors, record.errors  # the road's amount under "Giáo dục"
    assert "2. NTP26" in errors[f"D{FIRST + 1}"]["message"]
    assert not LineFunding.objects.filter(line__plan=plan).exists()


def test_a_column_naming_only_a_programme_with_two_envelope_lines_is_refused_by_letter(
    commune: dict[str, Any],
) -> None:
    plan, planner = commune["plan"], commune["planner"]
    ambiguous = ["CTMTQG 2026-2035", "CTMTQG – Giáo dục", *SOURCES[2:]]
    record = upload(plan, planner, _f12_book(ambiguous), form="F12")
    assert record.result == "refused"
    errors = errors_by_cell(record)
    assert "D7" in errors, record.errors
    error = errors["D7"]  # the header cell of the column
    assert error["header"] == "Nguồn vốn (1.000 đồng) > CTMTQG 2026-2035"
    assert "1. NTP26 – Hạ tầng: giao thông" in error["message"]
    assert "2. NTP26 – Giáo dục" in error["message"]
    assert "ô D7" in error["message"]
    assert not LineFunding.objects.filter(line__plan=plan).exists()


def test_a_column_of_a_source_the_envelope_lacks_is_refused(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    other = [*SOURCES[:3], "Vốn ODA", "Dân góp"]
    record = upload(plan, planner, _f12_book(other), form="F12")
    assert record.result == "refused"
    errors = errors_by_cell(record)
    assert "G7" in errors, record.errors
    assert "khung nguồn lực không có dòng nào của nguồn này" in errors["G7"]["problem"]


def test_an_unknown_line_is_refused_on_its_name_cell(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    rows = [
        [1, ROAD, 600_000, 400_000, None, 100_000],
        [2, "Xây cầu treo bản Mới", 300_000, None, None, 300_000],
    ]
    record = upload(plan, planner, _f12_book(rows=rows), form="F12")
    assert record.result == "refused"
    errors = errors_by_cell(record)
    assert list(errors) == [f"B{FIRST + 1}"], record.errors
    assert errors[f"B{FIRST + 1}"]["value"] == "Xây cầu treo bản Mới"
    assert "Không thêm được dòng mới" in errors[f"B{FIRST + 1}"]["problem"]
    assert not LineFunding.objects.filter(line__plan=plan).exists()


def test_a_row_for_a_line_already_given_is_refused(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    rows = [
        [1, ROAD, 600_000, 400_000, None, 100_000],
        [2, "đường xóm trên", 600_000, 400_000, None, 100_000],
    ]
    record = upload(plan, planner, _f12_book(rows=rows), form="F12")
    assert record.result == "refused"
    errors = errors_by_cell(record)
    assert list(errors) == [f"B{FIRST + 1}"], record.errors
    assert f"ở dòng {FIRST}" in errors[f"B{FIRST + 1}"]["problem"]


def test_a_workbook_with_no_envelope_column_is_refused(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    record = upload(plan, planner, _f12_book(["Dân góp"], rows=[[1, ROAD, 600_000]]), form="F12")
    assert record.result == "refused"
    assert record.errors[0]["code"] == "sources_missing", record.errors


# --- the matching alone -----------------------------------------------------------------------


def _match(headers: dict[int, str], envelope: list[EnvelopeLine]) -> tuple[Any, Any]:
    return match_source_columns(
        headers,
        envelope,
        lambda line: f"env{line.number}",
        sources=lists.sources(2027),
        sectors=lists.sectors(),
        parents=["Hỗ trợ theo nguồn vốn", "Nguồn vốn"],
    )


def test_source_columns_by_label_number_alias_and_sector(commune: dict[str, Any]) -> None:
    envelope = commune["envelope"]
    found, problems = _match(
        {
            3: "Hỗ trợ theo nguồn vốn > 1. NTP26 – Hạ tầng: giao thông",  # our own label
            4: "Nguồn vốn > 2. CTMTQG",  # the envelope line's number before its source
            5: "Ngân sách tỉnh (triệu đồng)",  # an alias, outside the sources' parent
            6: "Nguồn vốn > Lồng ghép",
            7: "Nguồn vốn > Tổng số",  # a total: not read, not refused
            8: "Ghi chú",  # not money by source
        },
        envelope,
    )
    assert problems == []
    assert found == {"env1": 3, "env2": 4, "env3": 5, "env4": 6}


def test_source_columns_never_guessed(commune: dict[str, Any]) -> None:
    envelope = commune["envelope"]
    found, problems = _match(
        {
            3: "Nguồn vốn > CTMTQG",  # two envelope lines of the programme
            4: "Nguồn vốn > NS tỉnh",
            5: "Nguồn vốn > Ngân sách tỉnh",  # the same envelope line again
            6: "Nguồn vốn > Vốn khác",  # names nothing known
            7: "Nguồn vốn > CTMTQG – Y tế",  # no line of the programme for health
        },
        envelope,
    )
    assert found == {"env3": 4}
    assert [(p.letter, p.header) for p in problems] == [
        ("D", "Nguồn vốn > CTMTQG"),
        ("F", "Nguồn vốn > Ngân sách tỉnh"),
        ("G", "Nguồn vốn > Vốn khác"),
        ("H", "Nguồn vốn > CTMTQG – Y tế"),
    ]
    assert "cột E đã ghi" in problems[1].message
    assert "cho lĩnh vực “Y tế, dinh dưỡng”" in problems[3].message
