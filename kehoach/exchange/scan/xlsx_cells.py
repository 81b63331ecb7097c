"""The cells of an .xlsx worksheet: exactly with expat (``_SheetCells``), or by byte patterns on
the usual file (``_FastCells``)."""

from __future__ import annotations

import re
from array import array
from operator import itemgetter

from .budget import Budget, SheetExtent
from .common import _REF, MAX_DEPTH, MAX_REF
from .messages import damaged
from .xml import _count, _Handler, _local


class _SheetCells(_Handler):
    """The cells of one worksheet part, counted the way calamine reads them."""

    VALUE_TAGS = frozenset(("v", "is", "f"))

    def __init__(
        self, filename: str, part: str, extent: SheetExtent, shared: array[int], budget: Budget
    ) -> None:
        super().__init__(filename, part)
        self.extent = extent
        self.shared = shared
        self.budget = budget
        self.in_data = 0
        self.row = 0
        self.col = 0
        self.in_cell = False
        self.cell_row = 0
        self.cell_col = 0
        self.cell_type: str | None = None
        self.valued = False
        self.capture = 0
        self.text = 0
        self.index = ""
        self.locals: dict[str, str] = {}

    def _name(self, name: str) -> str:
        local = self.locals.get(name)
        if local is None:
            local = self.locals[name] = _local(name)
        return local

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise damaged(self.filename, self.part)
        local = self.locals.get(name) or self._name(name)
        if self.in_cell:
            if local in self.VALUE_TAGS:
                self.valued = True
                if local == "v" or local == "is":
                    self.capture += 1
            return
        if not self.in_data:
            if local == "sheetData":
                self.in_data = 1
            elif local == "mergeCell":
                self.budget.add_merged(1)
            return
        if local == "c":
            ref = attrs.get("r")
            if ref is not None:
                self.cell_row, self.cell_col = self._ref(ref)
                self.col = self.cell_col
            else:
                self.cell_row, self.cell_col = self.row, self.col
            self.cell_type = attrs.get("t")
            self.in_cell = True
            self.valued = False
            self.text = 0
            self.index = ""
        elif local == "row":
            ref = attrs.get("r")
            if ref is not None:
                number = _count(ref, self.filename, self.part)
                if number < 1:
                    raise damaged(self.filename, self.part)
                self.row = number - 1

    def _ref(self, ref: str) -> tuple[int, int]:
        match = _REF.fullmatch(ref) if len(ref) <= MAX_REF else None
        if match is None:
            raise damaged(self.filename, self.part)
        column = 0
        for char in match.group(1).upper():
            column = column * 26 + ord(char) - 64
        row = int(match.group(2))
        if row < 1:
            raise damaged(self.filename, self.part)
        return row - 1, column - 1

    def end(self, name: str) -> None:
        self.depth -= 1
        local = self.locals.get(name) or self._name(name)
        if self.in_cell:
            if local == "c":
                self.in_cell = False
                self.col += 1
                if self.valued:
                    self._cell()
            elif local == "v" or local == "is":
                self.capture -= 1
            return
        if self.in_data:
            if local == "row":
                self.row += 1
                self.col = 0
            elif local == "sheetData":
                self.in_data = 0

    def _cell(self) -> None:
        row, col = self.cell_row, self.cell_col
        self.extent.cell(row, col)
        if self.cell_type == "s":
            index = self.index.strip()
            position = int(index) if index.isascii() and index.isdigit() else 0
            if position >= len(self.shared):
                if index:
                    raise damaged(self.filename, self.part)
                return
            self.extent.text(row, col, self.shared[position], 1)
        elif self.text:
            self.extent.text(row, col, self.text)

    def chars(self, data: str) -> None:
        if self.capture:
            if self.cell_type == "s":
                if len(self.index) < 32:
                    self.index += data
            else:
                self.text += len(data)


class _Fallback(Exception):
    """The fast reading of a sheet met something it does not handle: read it exactly."""


_C_ANY = re.compile(rb"<c[\s/>]")
_C_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|mergeCell)[\s/>]")
_C_VALUED = re.compile(rb'<c r="([A-Z]{1,7})([1-9][0-9]{0,9})"(?:[^>]*[^/>])?>')
_C_CLOSED = re.compile(rb'<c r="[A-Z]{1,7}[1-9][0-9]{0,9}"[^>]*/>')
_T_ANY = re.compile(rb"""\st\s*=\s*["']s["']""")
_C_REF = re.compile(rb'<c r="([A-Z]{1,7})([1-9][0-9]{0,9})"')
_C_SHARED = re.compile(rb'<c r="[A-Z]{1,7}[1-9][0-9]{0,9}"[^>]* t="s"[^>]*><v>([0-9]{1,10})</v>')
_MERGE = re.compile(rb"<mergeCell[\s/>]")
FAST_CARRY = 64 * 1024
"""Bytes after the last ">" a chunk may leave for the next one on the fast path."""


def _column(letters: bytes) -> int:
    column = 0
    for code in letters:
        column = column * 26 + code - 64
    return column - 1


def _pieces_fit(body: bytes, limit: int) -> bool:
    """Whether every piece of ``body.split(b"</c>")`` is at most ``limit`` bytes long, found by
    jumping from one "</c>" to the farthest one within reach rather than by splitting."""
    if limit < 0:
        return False
    end = -4  # where the "</c>" before the body would be
    while len(body) - (end + 4) > limit:
        found = body.rfind(b"</c>", end + 4, end + 8 + limit)
        if found < 0:
            return False
        end = found
    return True


def _kinds(body: bytes) -> int:
    """How many ``t="s"`` attributes ``body`` holds, whatever their spacing and quotes: every
    one holds ``"s"``, ``'s`` or ``s'``; when each ``"s"`` is a plain `` t="s"`` and there is
    no other, a count tells, else the pattern."""
    plain = body.count(b' t="s"')
    if b"'s" in body or b"s'" in body or body.count(b'"s"') != plain:
        return len(_T_ANY.findall(body))
    return plain


class _FastCells:
    """The cells of a worksheet part read by byte patterns, for the usual file (every written
    by Excel, LibreOffice, openpyxl or xlsxwriter): each ``<c>`` has its ``r`` first and in
    double quotes, no comment, CDATA, processing instruction or DOCTYPE, no ">" in text or
    attribute values, nothing prefixed. Anything else raises ``_Fallback`` and the part is
    read again exactly (``_SheetCells``). What it counts is never less than what calamine
    reads: every ``<c>`` that is not self-closing counts as holding a value. It runs at about
    the speed of calamine itself; an element handler per element would take three times
    longer on a 20,000-line sheet."""

    def __init__(self, part: str, extent: SheetExtent, shared: array[int], budget: Budget):
        self.part = part
        self.extent = extent
        self.shared = shared
        self.budget = budget
        self.carry = b""
        self.first = True
        self.depth = 0
        self.open = -1
        """Bytes of the cell open at the end of the last chunk (-1: none)."""

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        if not chunk:
            cut = len(data)
        else:  # after the last whole cell, so that no "<v>" is parted from its value
            last = data.rfind(b"</c>")
            cut = last + 4 if last >= 0 else data.rfind(b">") + 1
        body, self.carry = data[:cut], data[cut:]
        if len(self.carry) > FAST_CARRY:
            raise _Fallback
        if self.first and body:
            self.first = False
            start = 3 if body.startswith(b"\xef\xbb\xbf") else 0
            if body[start : start + 1] != b"<" or not body[start + 1 : start + 2].strip(b"\0"):
                raise _Fallback  # UTF-16 or something else than ASCII-compatible XML
            if body.startswith(b"<?xml", start):
                end = body.find(b"?>")
                if end < 0:
                    raise _Fallback
                body = body[end + 2 :]
        if b"<!" in body or b"<?" in body:
            raise _Fallback
        opening = body.count(b"<")
        if opening != body.count(b">"):  # a ">" in a text or an attribute value
            raise _Fallback
        closing = body.count(b"</")
        self.depth += opening - 2 * closing - body.count(b"/>")
        if not 0 <= self.depth <= MAX_DEPTH:
            raise _Fallback
        if (b":c" in body or b":mergeCell" in body) and _C_PREFIXED.search(body):
            raise _Fallback
        self._cells(body)
        merged = len(_MERGE.findall(body))
        if merged:
            self.budget.add_merged(merged)

    def _cells(self, body: bytes) -> None:
        """The extent and the shared-string text of the cells of ``body``, by counting bytes
        where it can: a pattern per cell only where a count cannot tell."""
        written = body.count(b'<c r="')
        if body.count(b"<c") != written and len(_C_ANY.findall(body)) != written:
            raise _Fallback  # a <c> without its r first (an other <c…> element is fine)
        if b"/>" in body:  # a self-closing <c/> holds no value: tell the cells apart
            valued = _C_VALUED.findall(body)
            if len(valued) + len(_C_CLOSED.findall(body)) != written:
                raise _Fallback
        else:  # no self-closing element: every cell written counts
            valued = _C_REF.findall(body)
            if len(valued) != written:
                raise _Fallback
        self._spans(body)
        if valued:
            row = max(map(int, set(map(itemgetter(1), valued)))) - 1
            col = max(map(_column, set(map(itemgetter(0), valued))))
            self.extent.bulk(row, col, lambda: ((int(r) - 1, _column(c)) for c, r in valued))
        kinds = _kinds(body)
        if kinds:
            indexes = _C_SHARED.findall(body)
            if len(indexes) != kinds:
                raise _Fallback
            try:
                total = sum(map(self.shared.__getitem__, map(int, indexes)))
            except IndexError:
                raise damaged(self.budget.filename, self.part) from None
            self.budget.add_text(total)

    def _spans(self, body: bytes) -> None:
        """Refuse to go on (``_Fallback``) when a cell takes more bytes than a cell may hold
        characters: only then is its text counted exactly."""
        limit = self.budget.limits.max_cell_text
        if _pieces_fit(body, limit - max(self.open, 0)):
            last = body.rfind(b"</c>")
            start = body.rfind(b"<c ", last + 4 if last >= 0 else 0)
            if start >= 0:
                self.open = len(body) - start
            elif last < 0 and self.open >= 0:
                self.open += len(body)
            else:
                self.open = -1
            return
        pieces = body.split(b"</c>")
        for index, piece in enumerate(pieces):
            start = piece.rfind(b"<c ")
            if start >= 0:
                length = len(piece) - start
            elif index == 0 and self.open >= 0:
                length = self.open + len(piece)
            else:
                length = -1
            if index < len(pieces) - 1:
                if length > limit:
                    raise _Fallback
            else:
                self.open = length
                if length > limit:
                    raise _Fallback
