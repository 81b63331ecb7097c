"""What the sheets of an upload use, summed as the stream goes, refused at the first excess."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..reading import Limits
from .messages import (
    _cell_too_long,
    _sheets_too_big,
    _too_many_cells,
    _too_many_columns,
    _too_many_merged,
    _too_many_rows,
    _too_many_sheets,
    _too_much_text,
    cell_name,
)


@dataclass
class Budget:
    """What the sheets of one upload have used so far, against the limits."""

    filename: str
    limits: Limits
    area_done: int = 0
    """Used area of the sheets already scanned."""
    text: int = 0
    """Characters the cells would hold."""
    merged: int = 0
    sheet_bytes: int = 0
    sheets: int = 0
    extents: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Sheet → (rows, columns) of its used area, for the tests and the report."""

    def sheet(self, name: str) -> SheetExtent:
        self.sheets += 1
        if self.sheets > self.limits.max_sheets:
            raise _too_many_sheets(self.filename, self.sheets, self.limits.max_sheets)
        return SheetExtent(self, name)

    def snapshot(self) -> tuple[int, int, int, int, int]:
        return (self.area_done, self.text, self.merged, self.sheet_bytes, self.sheets)

    def restore(self, saved: tuple[int, int, int, int, int]) -> None:
        self.area_done, self.text, self.merged, self.sheet_bytes, self.sheets = saved

    def add_text(self, count: int) -> None:
        self.text += count
        if self.text > self.limits.max_text:
            raise _too_much_text(self.filename, self.limits.max_text)

    def add_merged(self, count: int) -> None:
        self.merged += count
        if self.merged > self.limits.max_merged:
            raise _too_many_merged(self.filename, self.limits.max_merged)

    def add_sheet_bytes(self, count: int) -> None:
        self.sheet_bytes += count
        if self.sheet_bytes > self.limits.max_sheet_xml:
            raise _sheets_too_big(self.filename, self.limits.max_sheet_xml)


class SheetExtent:
    """The used area of one sheet: the rows and columns, from A1, of its cells with a value."""

    __slots__ = ("budget", "columns", "max_cells", "max_columns", "max_rows", "name", "rows")

    def __init__(self, budget: Budget, name: str) -> None:
        self.budget = budget
        self.name = name
        self.rows = 0
        self.columns = 0
        limits = budget.limits
        self.max_rows = limits.max_rows
        self.max_columns = limits.max_columns
        self.max_cells = limits.max_cells

    def cell(self, row: int, col: int) -> None:
        """A cell with a value at the 0-based ``row`` and ``col``."""
        if row >= self.rows or col >= self.columns:
            self._grow(row, col)

    def _grow(self, row: int, col: int) -> None:
        filename = self.budget.filename
        if row >= self.max_rows:
            raise _too_many_rows(filename, self.name, row, col, self.max_rows)
        if col >= self.max_columns:
            raise _too_many_columns(filename, self.name, row, col, self.max_columns)
        self.rows = max(self.rows, row + 1)
        self.columns = max(self.columns, col + 1)
        if self.budget.area_done + self.rows * self.columns > self.max_cells:
            raise _too_many_cells(filename, self.name, row, col, self.max_cells)

    def text(self, row: int, col: int, length: int, copies: int = 0) -> None:
        """The cell at (row, col) holds ``length`` characters; ``copies`` cells receive them
        from elsewhere in the file (a shared string, a repeated cell), which ``max_text``
        bounds. Text written out in the sheet itself is bounded by the size of its XML."""
        limit = self.budget.limits.max_cell_text
        if length > limit:
            raise _cell_too_long(
                self.budget.filename, self.name, cell_name(row, col), length, limit
            )
        if length and copies:
            self.budget.add_text(length * copies)

    def bulk(self, row: int, col: int, cells: Callable[[], Iterator[tuple[int, int]]]) -> None:
        """Cells whose largest row is ``row`` and largest column ``col``; when they would
        exceed a limit, ``cells()`` gives them one by one to name the first one that does."""
        if row < self.rows and col < self.columns:
            return
        rows, columns = max(self.rows, row + 1), max(self.columns, col + 1)
        if (
            row >= self.max_rows
            or col >= self.max_columns
            or self.budget.area_done + rows * columns > self.max_cells
        ):
            for one_row, one_col in cells():
                self.cell(one_row, one_col)
        self.rows, self.columns = rows, columns

    def close(self) -> None:
        self.budget.area_done += self.rows * self.columns
        self.budget.extents[self.name] = (self.rows, self.columns)
