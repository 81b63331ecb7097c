"""The marked copy rebuilt from the values of an upload (an .xls, an .ods, or an .xlsx that
cannot be patched safely), or the list of errors alone (a file that may not be opened):
written with xlsxwriter in constant-memory mode, rows in order, so memory stays bounded by
what the reader already holds within the upload limits."""

from __future__ import annotations

import datetime
import io
import re
from typing import TYPE_CHECKING, Any

import xlsxwriter

from kehoach.core.cells_out import XlsxwriterText, xml_text

if TYPE_CHECKING:
    from ..reading import Book, Sheet
    from . import Marks

RED = "#FFC7CE"
FORMATS = {
    datetime.datetime: "dd/mm/yyyy hh:mm",
    datetime.date: "dd/mm/yyyy",
    datetime.time: "hh:mm:ss",
    datetime.timedelta: "[h]:mm:ss",
}
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
LISTING_WIDTHS = (16, 10, 120)


def _sheet_name(name: str, used: set[str]) -> str:
    """A name Excel accepts (no []:*?/\\, at most 31 characters, unique), kept when valid."""
    base = _NOT_IN_SHEET_NAME.sub("_", xml_text(name)).strip("'")[:31] or "Sheet"
    candidate, n = base, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate.casefold())
    return candidate


class _Writer:
    def __init__(self, book: Any) -> None:
        self.book = book
        self.text = XlsxwriterText(book)

    def props(self, value: Any, red: bool) -> dict[str, Any]:
        wanted: dict[str, Any] = {"bg_color": RED, "pattern": 1} if red else {}
        for kind, pattern in FORMATS.items():
            if isinstance(value, kind):
                wanted["num_format"] = pattern
                break
        return wanted

    def cell(self, ws: Any, row: int, col: int, value: Any, red: bool) -> None:
        if isinstance(value, str):
            self.text.write(ws, row, col, value, self.props(value, red))
            return
        style = self.text.format(self.props(value, red))
        if value is None:
            if red:
                ws.write_blank(row, col, None, style)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, style)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, style)
        elif isinstance(value, tuple(FORMATS)):
            ws.write_datetime(row, col, value, style)
        else:
            self.text.write(ws, row, col, str(value), self.props(value, red))


def _sheet(writer: _Writer, sheet: Sheet, hidden: bool, marks: Marks, used: set[str]) -> None:
    ws = writer.book.add_worksheet(_sheet_name(sheet.name, used))
    if hidden:
        ws.hide()
    grid = sheet.grid
    marked = marks.cells.get(sheet.name, {})
    for r in range(max(len(grid), max(marked, default=0))):
        row = grid[r] if r < len(grid) else []
        wrong = marked.get(r + 1, {})
        for c in range(max(len(row), max(wrong, default=0))):
            value = row[c] if c < len(row) else None
            writer.cell(ws, r, c, None if value == "" else value, c + 1 in wrong)
        for c, comment in wrong.items():
            ws.write_comment(r, c - 1, comment, {"author": "kehoach", "x_scale": 3})


def values(book: Book | None, marks: Marks) -> bytes:
    """An .xlsx of ``book``'s values (none when ``book`` is None) with the marked cells red
    and commented, and the “Lỗi” sheet last and active."""
    from . import ERRORS_SHEET

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        out, {"constant_memory": True, "nan_inf_to_errors": True, "strings_to_formulas": False}
    )
    writer = _Writer(workbook)
    used = {ERRORS_SHEET.casefold()}
    for name in book.sheet_names if book is not None else []:
        assert book is not None
        if name.casefold() != ERRORS_SHEET.casefold():  # not the list of an earlier copy
            _sheet(writer, book.sheet(name), name in book.hidden, marks, used)
    listing = workbook.add_worksheet(ERRORS_SHEET)
    for col, width in enumerate(LISTING_WIDTHS):
        listing.set_column(col, col, width, writer.text.format({"text_wrap": True}))
    listing.freeze_panes(1, 0)
    for r, row in enumerate(marks.listing):
        for c, text in enumerate(row):
            writer.text.write(listing, r, c, text, {"text_wrap": True, "valign": "top"})
    listing.activate()
    workbook.close()
    return out.getvalue()
