"""Workbooks drawn as villages and communes make their own (a title block, merged two-row
headers, numbered columns, headings, a signature block; no ``_kehoach`` sheet), for the tests
of the forms read in a foreign layout (``test_foreign_*``), and the errors of their check by
cell."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import xlsxwriter

from kehoach.exchange.models import ImportRecord

Rows = list[list[Any]]
HEADER = {"bold": True, "align": "center", "valign": "vcenter"}
"""The style of a header cell, as officers format them."""


def drawn(
    sheet: str, fill: Callable[[Any, Any], None], *, extra: dict[str, Rows] | None = None
) -> bytes:
    """A workbook of one sheet drawn by ``fill(book, sheet)``, and plain extra sheets."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    fill(book, book.add_worksheet(sheet))
    for name, rows in (extra or {}).items():
        write_rows(book.add_worksheet(name), 0, rows)
    book.close()
    return out.getvalue()


def header_style(book: Any) -> Any:
    """The book's format of a header cell (``HEADER``)."""
    return book.add_format(HEADER)


def write_rows(ws: Any, top: int, rows: Rows, *, headings: Any = None) -> int:
    """Write ``rows`` from the 0-based sheet row ``top``, leaving the cells given as None
    empty; ``headings`` styles the rows of two cells (a number and a heading, "I", "HẠ TẦNG").
    Returns the 0-based row just below them."""
    for index, row in enumerate(rows):
        style = headings if len(row) == 2 else None
        for column, value in enumerate(row):
            if value is not None:
                ws.write(top + index, column, value, style)
    return top + len(rows)


def errors_by_cell(record: ImportRecord) -> dict[str, dict[str, Any]]:
    """The errors of a check that name a cell, by the cell ("B9")."""
    return {f"{e['column']}{e['row']}": e for e in record.errors if e.get("row")}
