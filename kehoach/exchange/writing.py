"""Writing a form's workbook with openpyxl so that it looks like the official form: a title
block (province, commune, village, plan year, form code), Vietnamese headers with merged parent
headers, a row of column numbers, the data, a totals row with live formulas, drop-down lists,
a protected structure with editable data cells, an instructions sheet, and a hidden metadata
sheet that carries what the round trip needs (template, layout, version, unit, round, line
identifiers and versions).

Money is in million VND with the number format ``#,##0.0``: Excel and LibreOffice show it with
the separators of the machine's locale, ``1.234,5`` on a Vietnamese one.

Every cell is set through ``kehoach.core.cells_out.put``: a text (a line's activity, a heading,
a list entry, an instruction, a metadata value) is always a string cell, with Excel's quote
prefix when it starts like a formula, so ``=HYPERLINK(…)`` typed as an activity comes back as
that text and never as a formula. The only formulas are kehoach's own, wrapped in ``Formula``:
the totals (``=SUM(…)``) and a form's computed columns (F14's percentage).

A table may have no rows at all (a commune plan without lines, F9 and F12 of which have no
blank rows to add lines): it is written with its headers, a totals row of zeros and no
drop-down lists (a range over no rows is not a range).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kehoach.core.cells_out import Formula, put

from .layouts import Column, FormLayout

META_SHEET = "_kehoach"
LISTS_SHEET = "Danh mục"
HELP_SHEET = "Hướng dẫn"
TEMPLATE_VERSION = "1"
KEY_HEADER = "Mã dòng (không sửa)"

THIN = Side(style="thin", color="8A96A3")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE7F0")
INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")
TOTAL_FILL = PatternFill("solid", fgColor="EEF3F8")
BOLD = Font(bold=True)
FORMATS = {
    "money": "#,##0.0",
    "decimal": "#,##0.###",
    "int": "#,##0",
    "month": "@",
    "date": "dd/mm/yyyy",
}


@dataclass
class Table:
    """One sheet of data rows under a layout's columns."""

    name: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]]
    keys: list[str] = field(default_factory=list)
    """The line identifier of each row (a hidden last column), empty for new rows."""
    blank_rows: int = 30
    totals: bool = True
    title: str = ""
    extra_columns: list[Column] = field(default_factory=list)


@dataclass
class Book:
    form: str
    layout: FormLayout
    heading: list[tuple[str, str]]
    tables: list[Table]
    lists: dict[str, list[str]]
    meta: dict[str, Any]
    instructions: list[str]
    money_unit: str = "triệu đồng"


def _value(value: Any, column: Column) -> Any:
    if value is None or value == "":
        return None
    if column.kind == "money" and isinstance(value, Decimal):
        return float(value * column.divisor)
    if isinstance(value, Decimal):
        return float(value)
    if column.kind == "month" and isinstance(value, datetime.date):
        return value.strftime("%m/%Y")
    return value


def _put(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Set one cell the safe way (see the module's text); returns the cell."""
    return put(ws.cell(row=row, column=column), value)


def _write_heading(ws: Worksheet, book: Book, width: int, title: str) -> int:
    row = 1
    for label, value in book.heading:
        _put(ws, row, 1, f"{label}: {value}").font = BOLD
        row += 1
    row += 1
    cell = _put(ws, row, 1, title)
    cell.font = Font(bold=True, size=14)
    cell.alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    row += 1
    _put(ws, row, 1, f"Đơn vị tính tiền: {book.money_unit}").font = Font(italic=True)
    return row + 2


def _write_header(ws: Worksheet, columns: Sequence[Column], top: int) -> int:
    """Two header rows (parents merged across their children, others merged down) and a row
    of column numbers; returns the first data row."""
    index = 0
    while index < len(columns):
        column = columns[index]
        col = index + 1
        if column.parent:
            end = index
            while end + 1 < len(columns) and columns[end + 1].parent == column.parent:
                end += 1
            _put(ws, top, col, column.parent)
            if end > index:
                ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=end + 1)
            for child in range(index, end + 1):
                _put(ws, top + 1, child + 1, columns[child].header)
            index = end + 1
        else:
            _put(ws, top, col, column.header)
            ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
            index += 1
    for col, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = column.width
        for row in (top, top + 1):
            cell = ws.cell(row=row, column=col)
            cell.font = BOLD
            cell.fill = HEAD_FILL
            cell.border = BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        number = _put(ws, top + 2, col, col)
        number.alignment = Alignment(horizontal="center")
        number.font = Font(italic=True, size=9)
        number.border = BOX
    ws.row_dimensions[top].height = 30
    ws.row_dimensions[top + 1].height = 45
    return top + 3


def _lists_sheet(wb: Workbook, lists: dict[str, list[str]]) -> dict[str, str]:
    """Write the drop-down lists on a hidden sheet; returns each list's range formula."""
    ws = wb.create_sheet(LISTS_SHEET)
    ranges = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        _put(ws, 1, col, name).font = BOLD
        for row, value in enumerate(values, start=2):
            _put(ws, row, col, value)
        letter = get_column_letter(col)
        ranges[name] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${max(len(values) + 1, 2)}"
        ws.column_dimensions[letter].width = 40
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return ranges


def _write_table(
    ws: Worksheet, table: Table, first: int, ranges: dict[str, str]
) -> tuple[int, int]:
    columns = list(table.columns)
    key_col = len(columns) + 1
    _put(ws, first - 3, key_col, KEY_HEADER)
    ws.merge_cells(start_row=first - 3, start_column=key_col, end_row=first - 2, end_column=key_col)
    ws.column_dimensions[get_column_letter(key_col)].hidden = True
    last = first + len(table.rows) + table.blank_rows - 1
    for offset, data in enumerate(table.rows):
        row = first + offset
        for col, column in enumerate(columns, start=1):
            _put(ws, row, col, _value(data.get(column.key), column))
        if offset < len(table.keys) and table.keys[offset]:
            _put(ws, row, key_col, table.keys[offset])
    for row in range(first, last + 1):
        for col, column in enumerate(columns, start=1):
            cell = ws.cell(row=row, column=col)
            cell.border = BOX
            if column.kind in FORMATS:
                cell.number_format = FORMATS[column.kind]
            if column.kind in ("text",):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if not column.locked and column.key != "number":
                cell.protection = Protection(locked=False)
                cell.fill = INPUT_FILL
        ws.cell(row=row, column=key_col).protection = Protection(locked=False)
    for col, column in enumerate(columns, start=1):
        if last < first:  # no rows: nothing to choose in
            break
        if column.list and column.list in ranges and not column.locked:
            letter = get_column_letter(col)
            check = DataValidation(
                type="list",
                formula1=f"={ranges[column.list]}",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle="Giá trị không có trong danh mục",
                error="Hãy chọn trong danh sách (mũi tên bên phải ô).",
            )
            check.add(f"{letter}{first}:{letter}{last}")
            ws.add_data_validation(check)
    totals_row = last + 1
    if table.totals:
        label_col = 2 if len(columns) > 1 else 1
        _put(ws, totals_row, label_col, "Tổng cộng").font = BOLD
        for col, column in enumerate(columns, start=1):
            cell = ws.cell(row=totals_row, column=col)
            cell.fill = TOTAL_FILL
            cell.border = BOX
            if column.total:
                letter = get_column_letter(col)
                # over no rows, a total is zero (=SUM(I14:I13) would add the column numbers)
                put(cell, Formula(f"=SUM({letter}{first}:{letter}{last})") if last >= first else 0)
                cell.number_format = FORMATS.get(column.kind, "#,##0.0")
                cell.font = BOLD
    return last, totals_row


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.insertRows = False
    ws.protection.deleteRows = False
    ws.protection.sort = False
    ws.protection.autoFilter = False


def _meta_sheet(wb: Workbook, meta: dict[str, Any]) -> None:
    ws = wb.create_sheet(META_SHEET)
    row = 1
    for key, value in meta.items():
        if key == "lines":
            continue
        _put(ws, row, 1, key)
        _put(ws, row, 2, str(value))
        row += 1
    _put(ws, row, 1, "lines")
    row += 1
    for key, (uid, version) in (meta.get("lines") or {}).items():
        _put(ws, row, 1, key)
        _put(ws, row, 2, uid)
        _put(ws, row, 3, version)
        row += 1
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def _help_sheet(wb: Workbook, lines: list[str]) -> None:
    ws = wb.create_sheet(HELP_SHEET)
    ws.column_dimensions["A"].width = 110
    for row, text in enumerate(lines, start=1):
        cell = _put(ws, row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1:
            cell.font = Font(bold=True, size=13)


def build(book: Book) -> bytes:
    wb = Workbook()
    ws0 = wb.active
    assert ws0 is not None
    wb.remove(ws0)
    ranges = _lists_sheet(wb, book.lists) if book.lists else {}
    for position, table in enumerate(book.tables):
        ws = wb.create_sheet(table.name, position)
        columns = list(table.columns)
        first = _write_heading(ws, book, len(columns), table.title or book.layout.title)
        data_top = _write_header(ws, columns, first)
        _write_table(ws, table, data_top, ranges)
        ws.freeze_panes = ws.cell(row=data_top, column=3 if len(columns) > 3 else 1)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{first}:{data_top - 1}"
        _protect(ws)
    _help_sheet(wb, book.instructions)
    _meta_sheet(
        wb,
        {
            **book.meta,
            "form": book.form,
            "layout": book.layout.code,
            "template_version": TEMPLATE_VERSION,
        },
    )
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def key_value_sheet(
    wb_book: Book, name: str, rows: list[tuple[str, str, Any, str]], columns: Sequence[Column]
) -> Table:
    """A vertical form (F1, F8): one row per field; the key column holds the field code."""
    table_rows = []
    keys = []
    for code, label, value, unit in rows:
        table_rows.append({"label": label, "value": value, "unit": unit})
        keys.append(code)
    return Table(name=name, columns=columns, rows=table_rows, keys=keys, blank_rows=0, totals=False)
