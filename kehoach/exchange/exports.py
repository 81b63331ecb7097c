"""Large exports: every line of a province (or any subtree) for a plan year, in one workbook.

A report knows its columns and yields its rows from one streamed query (``values_list`` with
``iterator``, so rows are never all in memory); ``write_xlsx`` writes them with xlsxwriter in
constant-memory mode, which flushes each row to a temporary file as soon as it is written. A
province's 60,000 proposal lines are written in the memory of a few hundred (``make bench``
measures it). The view streams the finished file from disk.

Every text is written with ``write_string`` through ``core.cells_out.XlsxwriterText`` (never
xlsxwriter's ``write``, which makes a formula of a text starting with ``=``), with the quote
prefix when it starts like a formula; numbers with ``write_number``. The workbook has no
formula at all. With no lines it is the title, the headers and an empty filter.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone

from kehoach.core.cells_out import XlsxwriterText
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.choices import LineOutcome, PlanStatus
from kehoach.plans.models import ProposalLine

CHUNK = 2_000


@dataclass(frozen=True)
class ExportColumn:
    header: str
    width: int
    kind: str = "text"  # text, int, decimal, money, month


class ProvinceProposals:
    """Every village proposal (F6) of a unit's communes for one plan year, with its commune,
    village, the plan's status and the line's outcome."""

    title = "DANH SÁCH ĐỀ XUẤT CỦA CÁC THÔN NĂM {year}"
    sheet = "De xuat"
    columns = (
        ExportColumn("Mã xã", 9),
        ExportColumn("Xã/phường/đặc khu", 24),
        ExportColumn("Mã thôn", 11),
        ExportColumn("Thôn/tổ dân phố", 22),
        ExportColumn("STT", 6, "int"),
        ExportColumn("Lĩnh vực", 24),
        ExportColumn("Tên hoạt động / công trình", 40),
        ExportColumn("Địa điểm", 16),
        ExportColumn("Đơn vị tính", 10),
        ExportColumn("Khối lượng", 10, "decimal"),
        ExportColumn("Bắt đầu", 9, "month"),
        ExportColumn("Kết thúc", 9, "month"),
        ExportColumn("Tổng kinh phí (triệu đồng)", 13, "money"),
        ExportColumn("Dân đóng góp (triệu đồng)", 13, "money"),
        ExportColumn("Hỗ trợ từ bên ngoài đề nghị (triệu đồng)", 14, "money"),
        ExportColumn("Nguồn vốn đề xuất", 12),
        ExportColumn("Số hộ hưởng lợi", 9, "int"),
        ExportColumn("Hộ nghèo", 9, "int"),
        ExportColumn("Hộ DTTS", 9, "int"),
        ExportColumn("Ưu tiên", 7, "int"),
        ExportColumn("Trạng thái kế hoạch thôn", 16),
        ExportColumn("Kết quả", 18),
    )

    def __init__(self, unit: AdministrativeUnit, year: int) -> None:
        self.unit = unit
        self.year = year

    def queryset(self) -> QuerySet[ProposalLine, tuple[Any, ...]]:
        return (
            ProposalLine.objects.filter(
                deleted_at__isnull=True,
                plan__round__plan_year=self.year,
                plan__round__commune__path__startswith=self.unit.path,
            )
            .order_by("plan__round__commune__code", "plan__village__code", "number")
            .values_list(
                "plan__round__commune__code",
                "plan__round__commune__name",
                "plan__village__code",
                "plan__village__name",
                "number",
                "sector__name",
                "activity",
                "location",
                "unit__name",
                "quantity",
                "start_month",
                "end_month",
                "total_cost_mvnd",
                "contribution_mvnd",
                "external_support_mvnd",
                "proposed_source__code",
                "beneficiary_households",
                "beneficiary_poor",
                "beneficiary_em",
                "priority",
                "plan__status",
                "outcome",
            )
        )

    def rows(self) -> Iterator[tuple[Any, ...]]:
        statuses = {value: str(label) for value, label in PlanStatus.choices}
        outcomes = {value: str(label) for value, label in LineOutcome.choices}
        for row in self.queryset().iterator(chunk_size=CHUNK):
            yield (*row[:-2], statuses.get(row[-2], row[-2]), outcomes.get(row[-1], row[-1]))

    def filename(self) -> str:
        return f"de-xuat-{self.unit.code}-{self.year}.xlsx"


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "month" and isinstance(value, datetime.date):
        return value.strftime("%m/%Y")
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_xlsx(
    report: ProvinceProposals, out: BinaryIO, progress: Callable[[int], None] | None = None
) -> int:
    """Write the report to ``out`` with constant memory; returns the number of data rows.
    ``progress(rows written)`` is called every ``CHUNK`` rows (a job's progress bar)."""
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "in_memory": False, "tmpdir": tempfile.gettempdir()}
    )
    text = XlsxwriterText(book)
    title_format = {"bold": True, "font_size": 13}
    head_format = {
        "bold": True,
        "text_wrap": True,
        "valign": "vcenter",
        "align": "center",
        "border": 1,
        "bg_color": "#DDE7F0",
    }
    formats = {
        "money": book.add_format({"num_format": "#,##0.0"}),
        "decimal": book.add_format({"num_format": "#,##0.###"}),
        "int": book.add_format({"num_format": "#,##0"}),
    }
    sheet = book.add_worksheet(report.sheet)
    text.write(sheet, 0, 0, report.title.format(year=report.year), title_format)
    text.write(
        sheet, 1, 0, f"{report.unit.name} · Ngày xuất: {timezone.localtime():%d/%m/%Y %H:%M}"
    )
    text.write(sheet, 2, 0, "Đơn vị tính tiền: triệu đồng")
    header_row = 4
    for col, column in enumerate(report.columns):
        sheet.set_column(col, col, column.width, formats.get(column.kind))
        text.write(sheet, header_row, col, column.header, head_format)
    sheet.set_row(header_row, 45)
    sheet.freeze_panes(header_row + 1, 4)
    kinds = [c.kind for c in report.columns]
    count = 0
    row_index = header_row
    for row in report.rows():
        row_index += 1
        count += 1
        if progress is not None and count % CHUNK == 0:
            progress(count)
        for col, value in enumerate(row):
            shown = _cell(value, kinds[col])
            if shown is None:
                continue
            if isinstance(shown, str):
                text.write(sheet, row_index, col, shown)
            else:
                sheet.write_number(row_index, col, shown, formats.get(kinds[col]))
    sheet.autofilter(header_row, 0, max(row_index, header_row + 1), len(report.columns) - 1)
    book.close()
    return count


def export_to_tempfile(report: ProvinceProposals) -> tuple[Any, int]:
    """The workbook in an anonymous temporary file (deleted when closed), rewound."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    count = write_xlsx(report, handle)
    handle.seek(0)
    return handle, count
