"""An .ods archive: ``content.xml`` with its repeated rows and columns."""

from __future__ import annotations

from .budget import Budget, SheetExtent
from .common import MAX_DEPTH
from .messages import damaged, password
from .xml import _count, _Handler, _parse
from .zipped import _Zip

_ODS_VALUE_ATTRS = frozenset(
    (
        "office:value-type",
        "office:value",
        "office:string-value",
        "office:date-value",
        "office:time-value",
        "office:boolean-value",
        "table:formula",
    )
)
_ODS_CELLS = frozenset(("table:table-cell", "table:covered-table-cell"))


class _OdsContent(_Handler):
    """The tables of content.xml: rows and columns advance by their repeat counts; the extent
    is that of the cells holding a value."""

    def __init__(self, filename: str, part: str, budget: Budget) -> None:
        super().__init__(filename, part)
        self.budget = budget
        self.tables = 0
        self.sheet: SheetExtent | None = None
        self.table_depth = 0
        self.row = 0
        self.row_repeat = 1
        self.in_row = False
        self.col = 0
        self.cell_depth = 0
        self.cell_repeat = 1
        self.valued = False
        self.string = False
        self.text = 0
        self.paragraphs = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise damaged(self.filename, self.part)
        if self.cell_depth:
            self.cell_depth += 1
            if name == "text:s":
                self.text += _count(attrs.get("text:c"), self.filename, self.part)
            elif name == "text:p":
                self.valued = True
                self.paragraphs += 1
            return
        if name in _ODS_CELLS:
            if not self.in_row or self.sheet is None:
                self.cell_depth = 1  # outside a row: no reader takes it
                self.cell_repeat = 0
                return
            self.cell_depth = 1
            self.cell_repeat = _count(
                attrs.get("table:number-columns-repeated"), self.filename, self.part
            )
            self.valued = not _ODS_VALUE_ATTRS.isdisjoint(attrs)
            self.string = attrs.get("office:value-type") == "string"
            self.text = len(attrs.get("office:string-value", ""))
            self.paragraphs = 0
        elif name == "table:table-row":
            if self.sheet is not None:
                self.in_row = True
                self.col = 0
                self.row_repeat = _count(
                    attrs.get("table:number-rows-repeated"), self.filename, self.part
                )
        elif name == "table:table" and self.sheet is None:
            self.tables += 1
            self.sheet = self.budget.sheet(attrs.get("table:name") or f"#{self.tables}")
            self.table_depth = self.depth
            self.row = 0

    def end(self, name: str) -> None:
        self.depth -= 1
        if self.cell_depth:
            self.cell_depth -= 1
            if not self.cell_depth:
                self._cell()
            return
        if name == "table:table-row" and self.in_row:
            self.in_row = False
            self.row += self.row_repeat
        elif name == "table:table" and self.sheet is not None and self.depth < self.table_depth:
            self.sheet.close()
            self.sheet = None

    def _cell(self) -> None:
        repeat = self.cell_repeat
        if not repeat or self.sheet is None:
            return
        if self.valued or self.text:
            last_row = self.row + self.row_repeat - 1
            last_col = self.col + repeat - 1
            self.sheet.cell(last_row, last_col)
            length = self.text + max(self.paragraphs - 1, 0)
            copies = repeat * self.row_repeat
            self.sheet.text(self.row, self.col, length, copies if copies > 1 else 0)
        self.col += repeat

    def chars(self, data: str) -> None:
        if self.cell_depth:
            self.text += len(data)


def _scan_ods(box: _Zip, budget: Budget) -> None:
    limits = budget.limits
    if box.has("meta-inf/manifest.xml"):
        manifest = box.read("meta-inf/manifest.xml", limits.max_part_xml)
        _parse(iter([manifest]), _Handler(budget.filename, "META-INF/manifest.xml"))
        if b"encryption-data" in manifest:
            raise password(budget.filename)
    if box.has("content.xml"):
        handler = _OdsContent(budget.filename, "content.xml", budget)
        _parse(box.stream("content.xml"), handler, text=True, counter=budget.add_sheet_bytes)
        if handler.sheet is not None:
            handler.sheet.close()
