"""Streaming one worksheet through, patched: read in chunks, written out as it is read, with
at most one ``<row>`` (or the sheet's beginning up to ``<sheetData>``) held at a time."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from .stream import (
    Stream,
)
from .tags import (
    END_TAG,
    MAIN,
    MAX_ROW,
    REF,
    REL,
    TAG,
    TRUE,
    Unpatchable,
    attributes,
    column_number,
    letters,
    set_attributes,
)

if TYPE_CHECKING:
    from .parts import Styles


_LT = re.compile(rb"<")
_PI_END = re.compile(rb"\?>")
_ROW_OR_END = re.compile(rb"<row[\s/>]|</sheetData\s{0,32}>")
_ROW_END = re.compile(rb"</row\s{0,32}>")
_CELL = re.compile(rb"<c[\s/>]")
_CELL_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Z]{1,3})([0-9]{1,7})[\"']")
_AFTER_LEGACY_DRAWING = {
    b"legacyDrawingHF",
    b"drawingHF",
    b"picture",
    b"oleObjects",
    b"controls",
    b"webPublishItems",
    b"tableParts",
    b"extLst",
}


@dataclass
class SheetPlan:
    marks: dict[int, dict[int, str]]
    """row → column → comment; empty for a sheet that only loses its ``tabSelected``."""
    legacy_rid: str | None
    """The relationship id of the comments' VML drawing, or None for no comments."""
    styles: Styles


@dataclass
class _ColumnRange:
    low: int
    high: int
    style: int


class Sheet:
    """Streams one worksheet (or chartsheet) through, patched by its plan."""

    def __init__(self, source: IO[bytes], write: Callable[[bytes], object], plan: SheetPlan):
        self.s = Stream(source, write)
        self.plan = plan
        self.columns: list[_ColumnRange] = []
        self.r_declared = False
        self.wrong_columns = {c for cells in plan.marks.values() for c in cells}

    def run(self) -> None:
        target = bool(self.plan.marks)
        sheet_data = self._head(target)
        if target:
            if sheet_data is None:
                raise Unpatchable("no sheetData")
            self._rows(sheet_data)
            if self.plan.legacy_rid:
                self._legacy_drawing()
        self.s.copy_rest()

    # the beginning: root, sheetViews, dimension, cols

    def _head(self, target: bool) -> re.Match[bytes] | None:
        s = self.s
        root = True
        while True:
            found = s.search(_LT)
            if found is None:
                if target or root:
                    raise Unpatchable("no root")
                return None
            index = s.ensure(found.start(), 2)
            kind = s.buf[index + 1 : index + 2]
            if kind == b"?":
                end = s.search(_PI_END)
                if end is None:
                    raise Unpatchable("processing instruction")
                s.at = end.end()
                continue
            if kind == b"/":
                tag = s.tag_at(index, END_TAG)
                s.at = tag.end()
                if tag.group(1) == b"sheetViews" and not target:
                    return None
                continue
            tag = s.tag_at(index)
            name, attrs = tag.group(1), attributes(tag.group(2))
            if root:
                self._root(name, attrs)
                root = False
                s.at = tag.end()
                continue
            if name == b"sheetView" and attrs.get(b"tabSelected", b"0") in TRUE:
                s.emit(tag.start())
                s.replace(tag.end(), set_attributes(tag.group(), {b"tabSelected": None}))
                continue
            if name == b"sheetViews" and tag.group(3) and not target:
                return None
            if name == b"sheetData":
                return tag
            if target and name == b"col":
                s.emit(tag.start())
                s.replace(tag.end(), self._col(tag.group(), attrs))
                continue
            if target and name == b"dimension":
                s.emit(tag.start())
                s.replace(tag.end(), self._dimension(tag.group(), attrs))
                continue
            s.at = tag.end()

    def _root(self, name: bytes, attrs: dict[bytes, bytes]) -> None:
        if name not in (b"worksheet", b"chartsheet", b"dialogsheet"):
            raise Unpatchable("root")
        if attrs.get(b"xmlns") != MAIN.encode():
            raise Unpatchable("namespace")
        self.r_declared = attrs.get(b"xmlns:r") == REL.encode()

    def _col(self, tag: bytes, attrs: dict[bytes, bytes]) -> bytes:
        try:
            low, high = int(attrs[b"min"]), int(attrs[b"max"])
            style = int(attrs.get(b"style", b"0"))
        except (KeyError, ValueError):
            raise Unpatchable("col") from None
        self.columns.append(_ColumnRange(low, high, style))
        if attrs.get(b"hidden", b"0") not in TRUE:
            return tag
        shown = sorted(c for c in self.wrong_columns if low <= c <= high)
        if not shown:
            return tag
        # split the hidden range around each wrong column, which is shown
        parts: list[bytes] = []
        start = low
        for column in shown:
            if start < column:
                parts.append(
                    set_attributes(tag, {b"min": b"%d" % start, b"max": b"%d" % (column - 1)})
                )
            parts.append(
                set_attributes(
                    tag,
                    {b"min": b"%d" % column, b"max": b"%d" % column, b"hidden": None},
                )
            )
            start = column + 1
        if start <= high:
            parts.append(set_attributes(tag, {b"min": b"%d" % start, b"max": b"%d" % high}))
        return b"".join(parts)

    def _dimension(self, tag: bytes, attrs: dict[bytes, bytes]) -> bytes:
        """The used range, grown to hold the wrong cells that are inserted."""
        refs = [REF.fullmatch(part) for part in attrs.get(b"ref", b"").split(b":")]
        if not refs or any(m is None for m in refs):
            return tag
        cols = [column_number(m.group(1)) for m in refs if m]
        rows = [int(m.group(2)) for m in refs if m]
        wrong_rows = list(self.plan.marks)
        low_col, high_col = (
            min([*cols, *self.wrong_columns]),
            max([*cols, *self.wrong_columns]),
        )
        low_row, high_row = min([*rows, *wrong_rows]), max([*rows, *wrong_rows])
        ref = f"{letters(low_col)}{low_row}:{letters(high_col)}{high_row}".encode()
        if (low_col, low_row, high_col, high_row) == (
            min(cols),
            min(rows),
            max(cols),
            max(rows),
        ):
            return tag
        return set_attributes(tag, {b"ref": ref})

    # the rows

    def _rows(self, sheet_data: re.Match[bytes]) -> None:
        s = self.s
        pending = sorted(self.plan.marks)
        k = 0
        if sheet_data.group(3):  # <sheetData/>: every wrong row is new
            s.emit(sheet_data.start())
            rows = b"".join(self._new_row(r) for r in pending)
            s.replace(sheet_data.end(), b"<sheetData>" + rows + b"</sheetData>")
            return
        s.at = sheet_data.end()
        last = 0
        while True:
            found = s.search(_ROW_OR_END)
            if found is None:
                raise Unpatchable("no end of sheetData")
            if found.group().startswith(b"</"):
                s.emit(found.start())
                s.write(b"".join(self._new_row(r) for r in pending[k:]))
                s.at = found.end()
                return
            tag = s.tag_at(found.start())
            attrs = attributes(tag.group(2))
            try:
                number = int(attrs.get(b"r", b"%d" % (last + 1)))
            except ValueError:
                raise Unpatchable("row number") from None
            if not last < number <= MAX_ROW:
                raise Unpatchable("rows out of order")
            last = number
            if k < len(pending) and pending[k] <= number:
                s.emit(tag.start())
                while k < len(pending) and pending[k] < number:
                    s.write(self._new_row(pending[k]))
                    k += 1
            if k < len(pending) and pending[k] == number:
                k += 1
                if tag.group(3):
                    s.replace(tag.end(), self._patch_row(tag.group(), number, attrs))
                    continue
                s.at = tag.end()
                end = s.search(_ROW_END, hold=True)
                if end is None:
                    raise Unpatchable("no end of row")
                whole = s.buf[s.done : end.end()]
                s.replace(end.end(), self._patch_row(whole, number, attrs))
                continue
            s.at = tag.end()

    def _base_style(self, column: int, row_attrs: dict[bytes, bytes]) -> int:
        """The style an empty cell shows: its row's, else its column's, else the default."""
        if row_attrs.get(b"customFormat", b"0") in TRUE:
            try:
                return int(row_attrs.get(b"s", b"0"))
            except ValueError:
                return 0
        for columns in self.columns:
            if columns.low <= column <= columns.high:
                return columns.style
        return 0

    def _new_cell(self, row: int, column: int, row_attrs: dict[bytes, bytes]) -> bytes:
        red = self.plan.styles.red(self._base_style(column, row_attrs))
        return f'<c r="{letters(column)}{row}" s="{red}"/>'.encode()

    def _new_row(self, row: int) -> bytes:
        cells = b"".join(self._new_cell(row, c, {}) for c in sorted(self.plan.marks[row]))
        return b'<row r="%d">' % row + cells + b"</row>"

    def _patch_row(self, whole: bytes, row: int, attrs: dict[bytes, bytes]) -> bytes:
        """A whole ``<row>`` with its wrong cells restyled and the missing ones inserted. The
        cells are read up to the last wrong one, each by its reference only."""
        head = TAG.match(whole)
        if head is None:
            raise Unpatchable("row tag")
        wanted = sorted(self.plan.marks[row])
        if b"<extLst" in whole:
            raise Unpatchable("row extension")
        out: list[bytes] = []
        pos = head.end()
        w = 0
        last = 0
        grew = False
        for found in _CELL.finditer(whole, pos):
            if w == len(wanted):
                break
            start = found.start()
            ref = _CELL_REF.search(whole, start, whole.find(b">", start))
            if ref is None or int(ref.group(2)) != row:
                raise Unpatchable("cell without its reference")
            column = column_number(ref.group(1))
            if column <= last:
                raise Unpatchable("cells out of order")
            last = column
            while w < len(wanted) and wanted[w] < column:
                out.append(whole[pos:start])
                out.append(self._new_cell(row, wanted[w], attrs))
                pos, grew = start, True
                w += 1
            if w < len(wanted) and wanted[w] == column:
                tag = TAG.match(whole, start)
                if tag is None:
                    raise Unpatchable("cell tag")
                style = int(attributes(tag.group(2)).get(b"s", b"0") or b"0")
                out.append(whole[pos:start])
                out.append(set_attributes(tag.group(), {b"s": b"%d" % self.plan.styles.red(style)}))
                pos = tag.end()
                w += 1
        inserted = b"".join(self._new_cell(row, c, attrs) for c in wanted[w:])
        start_tag = head.group()
        if (grew or inserted) and b"spans" in attrs:
            start_tag = set_attributes(start_tag, {b"spans": None})  # a hint only; it grew
        if head.group(3):  # <row .../>
            return set_attributes(start_tag, {}, close=b">") + inserted + b"</row>"
        end = whole.rfind(b"</row")
        return start_tag + b"".join(out) + whole[pos:end] + inserted + whole[end:]

    # after the rows: the comments' drawing in its place

    def _legacy_drawing(self) -> None:
        s = self.s
        depth = 1
        declare = b"" if self.r_declared else b' xmlns:r="' + REL.encode() + b'"'
        drawing = (
            b"<legacyDrawing" + declare + b' r:id="' + str(self.plan.legacy_rid).encode() + b'"/>'
        )
        while True:
            found = s.search(_LT)
            if found is None:
                raise Unpatchable("no end of worksheet")
            index = s.ensure(found.start(), 2)
            kind = s.buf[index + 1 : index + 2]
            if kind == b"/":
                tag = s.tag_at(index, END_TAG)
                depth -= 1
                if depth == 0:
                    s.emit(tag.start())
                    s.write(drawing)
                    return
                s.at = tag.end()
                continue
            if kind == b"?":
                raise Unpatchable("processing instruction")
            tag = s.tag_at(index)
            name = tag.group(1)
            if depth == 1:
                if name == b"legacyDrawing":
                    raise Unpatchable("a drawing the relationships do not list")
                if name in _AFTER_LEGACY_DRAWING or b":" in name:
                    s.emit(tag.start())
                    s.write(drawing)
                    return
            if not tag.group(3):
                depth += 1
            s.at = tag.end()
