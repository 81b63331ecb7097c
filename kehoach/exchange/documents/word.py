"""Word formatter (python-docx): the same document model as the PDF, as an editable .docx the
commune completes (numbers of its own documents, names, signatures) before printing.

A4 portrait, with landscape sections for wide tables; "Trang x/y" in the footer (PAGE and
NUMPAGES fields, which Word and LibreOffice fill in); table header rows repeated on every page;
Times New Roman, the font of official documents (Word and LibreOffice have the Vietnamese
letters; fonts are not embedded in a .docx).

Text of the plan (activities, reasons, names) can never become a field, a hyperlink or a
formula here: python-docx writes it as the characters of a run (``<w:t>``, XML-escaped by
lxml), and a Word document has no formula cells — fields exist only as ``<w:fldSimple>`` or
``<w:instrText>`` elements and links as ``<w:hyperlink>``, which this writer makes only for
its own PAGE and NUMPAGES fields (``_field``), never from data; a text such as
``=HYPERLINK("http://evil.example";"x")`` or ``{ DDEAUTO … }`` is shown as typed. Word does
not turn an address in existing text into a link when it opens a file. Characters that XML
cannot hold (a NUL in old data) would make python-docx raise: every text goes through
``_text`` (``core.cells_out.xml_text``), which drops them.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from kehoach.core.cells_out import xml_text

from .model import Block, Cover, Document, Signature, Table, rendered_rows, runs
from .texts import national_heading

FONT = "Times New Roman"
RED = RGBColor(0xB0, 0x00, 0x20)
PORTRAIT = (Mm(210), Mm(297))
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(28), "right": Mm(15)}
WIDE_MARGINS = {"top": Mm(15), "bottom": Mm(17), "left": Mm(20), "right": Mm(15)}


def _text(value: Any) -> str:
    """A text as a run holds it: without the characters XML cannot hold."""
    return xml_text("" if value is None else str(value))


def _set_font(style: Any, size: float, *, bold: bool | None = None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _field(paragraph: Any, instruction: str) -> None:
    """A field (PAGE, NUMPAGES) that the word processor computes."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("end", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
        if kind == "separate":
            placeholder = OxmlElement("w:t")
            placeholder.text = "1"
            run._r.append(placeholder)


class WordWriter:
    def __init__(self, document: Document) -> None:
        self.model = document
        self.doc = new_docx()
        self.wide = False
        self._setup()

    # --- page set-up -------------------------------------------------------------------------

    def _setup(self) -> None:
        styles = self.doc.styles
        _set_font(styles["Normal"], 13)
        styles["Normal"].paragraph_format.space_after = Pt(3)
        for name, size in (("Title", 16), ("Heading 1", 14), ("Heading 2", 13), ("Heading 3", 13)):
            _set_font(styles[name], size, bold=True)
            styles[name].paragraph_format.space_before = Pt(9)
            styles[name].paragraph_format.space_after = Pt(4)
        styles["Heading 3"].font.italic = True
        section = self.doc.sections[0]
        self._page(section, wide=False)
        section.different_first_page_header_footer = True
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        footer.add_run(_text(self.model.page_label) + " ").font.size = Pt(10)
        _field(footer, "PAGE")
        footer.add_run("/")
        _field(footer, "NUMPAGES")
        if self.model.cover.draft:
            for header in (section.header, section.first_page_header):
                run = header.paragraphs[0].add_run(_text(self.model.cover.draft_label))
                header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                run.bold, run.font.color.rgb, run.font.size = True, RED, Pt(12)

    def _page(self, section: Any, *, wide: bool) -> None:
        width, height = PORTRAIT
        section.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (height, width) if wide else (width, height)
        for side, value in (WIDE_MARGINS if wide else MARGINS).items():
            setattr(section, f"{side}_margin", value)

    def _switch(self, wide: bool) -> bool:
        """Start a new section when the orientation changes; True if a new page was started."""
        if wide == self.wide:
            return False
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False  # only the cover has no number
        self._page(section, wide=wide)
        self.wide = wide
        return True

    @property
    def text_width(self) -> int:
        section = self.doc.sections[-1]
        return int(
            (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
        )

    # --- content -----------------------------------------------------------------------------

    def paragraph(
        self,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        size: float | None = None,
        align: Any = None,
        indent: bool = False,
    ) -> Any:
        paragraph = self.doc.add_paragraph()
        run = paragraph.add_run(_text(text))
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            paragraph.alignment = align
        elif indent:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            paragraph.paragraph_format.first_line_indent = Mm(8)
        return paragraph

    def cover(self, cover: Cover) -> None:
        heading = self.doc.add_table(rows=1, cols=2)
        heading.alignment = WD_TABLE_ALIGNMENT.CENTER
        nation = national_heading()
        left = [(cover.authority, False), (cover.authority_unit, True), ("", False),
                (cover.reference, False)]  # fmt: skip
        right = [(nation[0], True), (nation[1], True), ("", False), (cover.place_date, False)]
        for cell, lines, width in (
            (heading.cell(0, 0), left, 0.4),
            (heading.cell(0, 1), right, 0.6),
        ):
            cell.width = int(self.text_width * width)
            cell.paragraphs[0].text = ""
            for index, (text, bold) in enumerate(lines):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run(_text(text))
                run.bold = bold
                run.italic = text == cover.place_date
                run.font.size = Pt(12)
        if cover.draft:
            self.paragraph("")
            draft = self.paragraph(
                cover.draft_label, bold=True, size=20, align=WD_ALIGN_PARAGRAPH.CENTER
            )
            draft.runs[0].font.color.rgb = RED
        for _i in range(6):
            self.paragraph("")
        self.paragraph(cover.title, bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.paragraph(cover.subtitle, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.paragraph("")
        for text in [cover.approval, *cover.notes]:
            self.paragraph(text, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    def table(self, table: Table) -> None:
        if table.title:
            self.paragraph(table.title, bold=True, size=11)
        if not table.rows:
            self.paragraph(table.empty, italic=True, size=11)
            return
        size = 9 if table.wide else 10
        rows = list(zip(table.rows, rendered_rows(table, self.model.decimals), strict=True))
        headers = 2 if table.detail_label else 1
        count = headers + len(rows) + sum(1 for row, _r in rows if row.detail)
        grid = self.doc.add_table(rows=count, cols=len(table.columns))
        grid.style = "Table Grid"
        grid.autofit = False
        whole = sum(c.width for c in table.columns) or 1
        widths = [int(self.text_width * c.width / whole) for c in table.columns]
        for index, width in enumerate(widths):
            grid.columns[index].width = width
        for header in grid.rows[:headers]:
            properties = header._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            properties.append(repeat)
        for cell, column, width in zip(grid.rows[0].cells, table.columns, widths, strict=True):
            self._cell(cell, column.label, size, width, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        if table.detail_label:
            self._detail(grid.rows[1], table.detail_label, size, widths, bold=True)
        targets = iter(grid.rows[headers:])
        for row, (style, cells) in rows:
            target = next(targets).cells
            if style == "group":
                merged = target[0].merge(target[-1])
                self._cell(merged, cells[0].text, size, sum(widths), bold=True)
            else:
                for place, cell, width in zip(target, cells, widths, strict=True):
                    self._cell(
                        place,
                        cell.text,
                        size,
                        width,
                        bold=style in ("subtotal", "total"),
                        italic=style == "subtotal",
                        align=WD_ALIGN_PARAGRAPH.RIGHT if cell.numeric else None,
                    )
            if row.detail:
                for place in target:  # the row stays on the page of its detail
                    place.paragraphs[0].paragraph_format.keep_with_next = True
                self._detail(next(targets), row.detail, size, widths)
        if table.note:
            self.paragraph(table.note, italic=True, size=10)

    def _detail(self, row: Any, text: str, size: float, widths: list[int], **style: Any) -> None:
        """A line across the table, under the first column."""
        cells = row.cells
        self._cell(cells[0], "", size, widths[0])
        merged = cells[1].merge(cells[-1])
        self._cell(merged, text, size, sum(widths[1:]), italic=True, **style)

    def _cell(
        self,
        cell: Any,
        text: str,
        size: float,
        width: int,
        *,
        bold: bool = False,
        italic: bool = False,
        align: Any = None,
    ) -> None:
        cell.width = width
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.space_after = Pt(0)
        if align is not None:
            paragraph.alignment = align
        lines = _text(text).split("\n")
        run = paragraph.add_run(lines[0])
        for line in lines[1:]:
            run.add_break(WD_BREAK.LINE)
            run.add_text(line)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)

    def block(self, block: Block, bases: bool) -> None:
        if block.kind == "heading":
            self.doc.add_heading(_text(block.text), level=2 if block.level <= 3 else 3)
        elif block.kind == "paragraph":
            self.paragraph(block.text, indent=True)
        elif block.kind == "bullets":
            for item in block.items:
                paragraph = self.paragraph(item, italic=bases, indent=True)
                if not bases:
                    paragraph.runs[0].text = "- " + _text(item)
        elif block.kind == "table" and block.table is not None:
            self.table(block.table)

    def signature(self, signature: Signature) -> None:
        self.paragraph("")
        grid = self.doc.add_table(rows=1, cols=2)
        left, right = grid.cell(0, 0), grid.cell(0, 1)
        left.paragraphs[0].add_run(_text(signature.recipients_title)).bold = True
        left.paragraphs[0].runs[0].italic = True
        for item in signature.recipients:
            left.add_paragraph().add_run("- " + _text(item)).font.size = Pt(11)
        for index, text in enumerate(
            [signature.on_behalf, signature.title, "", "", "", signature.name]
        ):
            paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(_text(text)).bold = True

    def write(self) -> bytes:
        self.cover(self.model.cover)
        for index, part in enumerate(self.model.parts):
            first = True
            for wide, blocks in runs(part) or [(False, [])]:
                switched = self._switch(wide)
                if first:
                    heading = self.doc.add_heading(_text(part.title), level=1)
                    heading.paragraph_format.page_break_before = part.new_page and not switched
                    first = False
                for block in blocks:
                    self.block(block, bases=index == 0)
            if part.signed:
                self._switch(False)
                self.signature(self.model.signature)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def document_docx(document: Document) -> bytes:
    return WordWriter(document).write()
