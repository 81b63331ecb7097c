"""What a generator hands to its formatters: a document made of parts, each a list of blocks
(headings, paragraphs, bullet lists, tables). Tables keep their values (Decimal, int, text) and
each column says how its values are written, so the PDF and the Word file write every number the
same way (``1.234,5``, R26) and neither formatter knows anything about plans.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from kehoach.core.numbers import format_date_vi, format_number_vi

Kind = Literal["text", "int", "money", "qty", "pct"]
"""text; int: a count; money: million VND with the profile's decimals; qty: a quantity without
useless zeros (2,5); pct: a percentage with one decimal and "%"."""

RowStyle = Literal["", "group", "subtotal", "total"]
"""group: a heading row across the table; subtotal and total: bold rows."""


@dataclass(frozen=True)
class Column:
    label: str
    kind: Kind = "text"
    width: float = 1.0
    """Relative width (the formatters share the page width in these proportions)."""
    blank_zero: bool = False
    """Write nothing for 0 (columns of sources, where most cells are 0)."""

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Row:
    cells: list[Any]
    style: RowStyle = ""
    detail: str = ""
    """A line of text across the table under the row, printed with it (the reason of a
    decision), so that a long text does not make a narrow column and a tall row."""


@dataclass
class Table:
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    title: str = ""
    wide: bool = False
    """Printed on landscape pages."""
    note: str = ""
    empty: str = ""
    """Said instead of the table when it has no rows."""
    detail_label: str = ""
    """The heading of the rows' details, under the column headings."""

    def add(self, *cells: Any, style: RowStyle = "", detail: str = "") -> None:
        self.rows.append(Row(list(cells), style, detail))

    def group(self, heading: str) -> None:
        self.rows.append(Row([heading], "group"))


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool
    span: int = 1


def number_text(value: Any, kind: Kind, decimals: int = 1) -> str:
    """A value as the documents write it; None and "" stay empty, a text stays as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return format_date_vi(value)
    if kind == "text" or isinstance(value, str):
        return str(value)
    number = Decimal(str(value))
    if kind == "int":
        return format_number_vi(number, 0)
    if kind == "money":
        return format_number_vi(number, decimals)
    if kind == "pct":
        return format_number_vi(number, 1) + "%"
    text = format_number_vi(number, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def rendered_rows(table: Table, decimals: int) -> Iterator[tuple[RowStyle, list[Cell]]]:
    """Each row of the table with its cells written out; a group row is one cell across."""
    width = len(table.columns)
    for row in table.rows:
        if row.style == "group":
            yield row.style, [Cell(str(row.cells[0]), False, width)]
            continue
        cells = []
        for column, value in zip(table.columns, row.cells, strict=False):
            if column.blank_zero and column.numeric and value is not None and value == 0:
                value = None
            cells.append(Cell(number_text(value, column.kind, decimals), column.numeric))
        cells.extend(Cell("", False) for _ in range(width - len(cells)))
        yield row.style, cells


BlockKind = Literal["heading", "paragraph", "bullets", "table", "signature"]


@dataclass
class Block:
    kind: BlockKind
    text: str = ""
    level: int = 2
    items: list[str] = field(default_factory=list)
    table: Table | None = None


@dataclass
class Part:
    title: str
    blocks: list[Block] = field(default_factory=list)
    new_page: bool = False
    """The part starts on a new page; otherwise it follows the part before on its page."""
    signed: bool = False
    """The signature block follows this part (the annexes come after it)."""

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(Block("heading", text=text, level=level))

    def paragraph(self, text: str) -> None:
        if text.strip():
            self.blocks.append(Block("paragraph", text=text))

    def paragraphs(self, text: str) -> None:
        """A text typed by a user: one paragraph per non-empty line."""
        for line in text.splitlines():
            self.paragraph(line.strip())

    def bullets(self, items: list[str]) -> None:
        if items:
            self.blocks.append(Block("bullets", items=items))

    def table(self, table: Table) -> None:
        self.blocks.append(Block("table", table=table))

    def is_short(self) -> bool:
        """Only a few lines of text: not worth a page of its own."""
        return _is_short_text(self.blocks)


INTRODUCTION_CHARS = 1200
"""How much text (about a third of a landscape page) may move onto a landscape page to stay
with the wide table it introduces or closes."""


def _text_size(block: Block) -> int | None:
    """The length of a block that reads as text, None for a table with rows or a list."""
    if block.kind == "heading":
        return 0
    if block.kind == "paragraph":
        return len(block.text)
    if block.kind == "table" and block.table is not None and not block.table.rows:
        return len(block.table.title) + len(block.table.empty)  # a title and one sentence
    return None


def _introduction(blocks: list[Block]) -> int:
    """How many blocks at the end of a portrait run introduce the landscape table after them:
    the headings and short paragraphs up to ``INTRODUCTION_CHARS``, never a list or a table."""
    count, size = 0, 0
    for block in reversed(blocks):
        length = _text_size(block)
        if length is None or size + length > INTRODUCTION_CHARS:
            break
        size += length
        count += 1
    return count


def _is_short_text(blocks: list[Block]) -> bool:
    sizes = [_text_size(b) for b in blocks]
    return None not in sizes and sum(s or 0 for s in sizes) <= INTRODUCTION_CHARS


def runs(part: Part) -> list[tuple[bool, list[Block]]]:
    """The part's blocks in runs of portrait and landscape (``True``) pages, so that a page
    never holds only a few lines of text before or after a landscape table:

    - the headings and short paragraphs that introduce a wide table go on its landscape page
      (with the part's title when they open the part);
    - a short text after a wide table, with nothing else before the next landscape table or
      the end of the part, stays on the landscape page too.
    """
    found: list[tuple[bool, list[Block]]] = []
    for block in part.blocks:
        wide = block.table is not None and block.table.wide and bool(block.table.rows)
        if not found or found[-1][0] != wide:
            found.append((wide, []))
        found[-1][1].append(block)
    merged: list[tuple[bool, list[Block]]] = []
    for index, (wide, blocks) in enumerate(found):
        if wide:
            previous = merged[-1][1] if merged and not merged[-1][0] else []
            count = _introduction(previous)
            moved = previous[len(previous) - count :] if count else []
            if count:
                del previous[len(previous) - count :]
                if not previous:
                    merged.pop()
            if merged and merged[-1][0]:
                merged[-1][1].extend([*moved, *blocks])
            else:
                merged.append((True, [*moved, *blocks]))
            continue
        last = index == len(found) - 1
        after_wide = bool(merged) and merged[-1][0]
        if after_wide and last and _is_short_text(blocks):
            merged[-1][1].extend(blocks)
            continue
        merged.append((False, list(blocks)))
    return merged


@dataclass
class Cover:
    """The first page: who issues the document, the national heading, the title, the
    resolution that approved it, the place and date; ``draft`` marks a plan not approved."""

    authority: str
    authority_unit: str
    reference: str
    title: str
    subtitle: str
    approval: str
    place_date: str
    draft: bool
    draft_label: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Signature:
    """The signature block at the end: on behalf of whom, the title, the name."""

    on_behalf: str
    title: str
    name: str = ""
    recipients_title: str = ""
    recipients: list[str] = field(default_factory=list)


@dataclass
class Document:
    cover: Cover
    parts: list[Part]
    signature: Signature
    decimals: int
    language: str
    page_label: str
    """The word written before "x/y" in every page's footer ("Trang")."""
