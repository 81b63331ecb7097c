"""The parts the marked copy adds or rewrites whole: the styles (a red fill, red copies of the
styles wrong cells use, the “Lỗi” sheet's text styles), the comments and their VML drawing,
and the “Lỗi” sheet itself. Each large part is produced piece by piece."""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from kehoach.core.cells_out import starts_like_formula

from .tags import MAIN, REL, TAG, Unpatchable, attributes, letters, set_attributes

RED = "FFFFC7CE"
_XF = re.compile(rb"<xf[\s/>]")


class Styles:
    """The red copies of the styles wrong cells use, numbered as they are asked for; the
    styles part is written last, once every sheet has asked."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        root = ElementTree.fromstring(data)
        if root.tag != f"{{{MAIN}}}styleSheet":
            raise Unpatchable("styles")
        fills = root.find(f"{{{MAIN}}}fills")
        xfs = root.find(f"{{{MAIN}}}cellXfs")
        if fills is None or xfs is None:
            raise Unpatchable("no fills or cell styles")
        self.fill = len(fills)
        self.base_xfs = self._xfs()
        if len(self.base_xfs) != len(xfs) or not self.base_xfs:
            raise Unpatchable("cell styles")
        styles = root.find(f"{{{MAIN}}}cellStyleXfs")
        self.xf_id = b' xfId="0"' if styles is not None and len(styles) else b""
        self.text = len(self.base_xfs)
        """The “Lỗi” sheet's text style; ``text + 1`` is the same with the quote prefix."""
        self.copies: dict[int, int] = {}

    def _xfs(self) -> list[bytes]:
        start, end = region_of(self.data, b"cellXfs")
        out: list[bytes] = []
        pos = start
        while True:
            found = _XF.search(self.data, pos, end)
            if found is None:
                return out
            tag = TAG.match(self.data, found.start())
            if tag is None:
                raise Unpatchable("xf")
            if tag.group(3):
                out.append(tag.group())
                pos = tag.end()
            else:
                close = self.data.find(b"</xf>", tag.end(), end)
                if close < 0:
                    raise Unpatchable("xf")
                out.append(self.data[tag.start() : close + 5])
                pos = close + 5

    def red(self, style: int) -> int:
        if not 0 <= style < len(self.base_xfs):
            style = 0
        if style not in self.copies:
            self.copies[style] = self.text + 2 + len(self.copies)
        return self.copies[style]

    def patched(self) -> bytes:
        fill = (
            b'<fill><patternFill patternType="solid"><fgColor rgb="' + RED.encode() + b'"/>'
            b'<bgColor indexed="64"/></patternFill></fill>'
        )
        text = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"' + self.xf_id
        text_xfs = [
            text + b' applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>',
            text + b' quotePrefix="1" applyAlignment="1">'
            b'<alignment vertical="top" wrapText="1"/></xf>',
        ]
        copies = []
        for style, _index in sorted(self.copies.items(), key=lambda item: item[1]):
            xf = self.base_xfs[style]
            head = TAG.match(xf)
            assert head is not None
            red = set_attributes(head.group(), {b"fillId": b"%d" % self.fill, b"applyFill": b"1"})
            copies.append(red + xf[head.end() :])
        data = self.data
        start, end = region_of(data, b"cellXfs")
        total = len(self.base_xfs) + len(text_xfs) + len(copies)
        data = data[:end] + b"".join(text_xfs + copies) + data[end:]
        data = data[:start] + set_count(data[start:], b"cellXfs", total)
        start, end = region_of(data, b"fills")
        data = data[:end] + fill + data[end:]
        return data[:start] + set_count(data[start:], b"fills", self.fill + 1)


def region_of(data: bytes, name: bytes) -> tuple[int, int]:
    start = re.search(rb"<" + name + rb"[\s>]", data)
    end = data.find(b"</" + name + b">")
    if start is None or end < 0:
        raise Unpatchable(f"region {name!r}")
    return start.start(), end


def set_count(data: bytes, name: bytes, count: int) -> bytes:
    """``data``, which starts with the ``name`` start tag, with its count attribute set."""
    tag = TAG.match(data)
    if tag is None or tag.group(1) != name:
        raise Unpatchable("count")
    attrs = attributes(tag.group(2))
    if b"count" not in attrs:
        return data
    return set_attributes(tag.group(), {b"count": b"%d" % count}) + data[tag.end() :]


# --- the comments -----------------------------------------------------------------------------


def comments_xml(marks: dict[int, dict[int, str]]) -> Iterator[bytes]:
    yield (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<comments xmlns="' + MAIN.encode() + b'"><authors><author>kehoach</author></authors>'
        b"<commentList>"
    )
    for row, column, text in _each(marks):
        yield (
            f'<comment ref="{letters(column)}{row}" authorId="0"><text><r><rPr><sz val="9"/>'
            f'<rFont val="Tahoma"/><family val="2"/></rPr>'
            f'<t xml:space="preserve">{escape(text)}</t></r></text></comment>'
        ).encode()
    yield b"</commentList></comments>"


def vml_xml(marks: dict[int, dict[int, str]], block: int) -> Iterator[bytes]:
    """The legacy drawing Excel needs to show comments: one hidden note shape per comment.
    Shape ids are in blocks of 1,024 from ``block`` (``o:idmap``), unique in the workbook."""
    count = sum(len(cells) for cells in marks.values())
    blocks = ",".join(str(block + i) for i in range(count // 1024 + 1))
    yield (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{blocks}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
        'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
        '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
    ).encode()
    for n, (row, column, _text) in enumerate(_each(marks)):
        r, c = row - 1, column - 1
        anchor = f"{c + 1}, 15, {max(r - 1, 0)}, 10, {c + 5}, 15, {r + 4}, 4"
        yield (
            f'<v:shape id="_x0000_s{block * 1024 + n + 1}" type="#_x0000_t202" '
            'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:288pt;'
            f'height:72pt;z-index:{n + 1};visibility:hidden" fillcolor="#ffffe1" '
            'o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
            '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill>"
            f"<x:Row>{r}</x:Row><x:Column>{c}</x:Column></x:ClientData></v:shape>"
        ).encode()
    yield b"</xml>"


def _each(marks: dict[int, dict[int, str]]) -> Iterator[tuple[int, int, str]]:
    for row in sorted(marks):
        for column in sorted(marks[row]):
            yield row, column, marks[row][column]


def listing_xml(listing: list[tuple[str, str, str]], styles: Styles) -> Iterator[bytes]:
    yield (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="' + MAIN.encode() + b'" xmlns:r="' + REL.encode() + b'">'
        b'<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        b'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        b'<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        b'<sheetFormatPr defaultRowHeight="15"/><cols>'
        b'<col min="1" max="1" width="16" customWidth="1"/>'
        b'<col min="2" max="2" width="10" customWidth="1"/>'
        b'<col min="3" max="3" width="120" customWidth="1"/></cols><sheetData>'
    )
    for r, row in enumerate(listing, 1):
        cells = []
        for c, text in enumerate(row, 1):
            if not text:
                continue
            style = styles.text + 1 if starts_like_formula(text) else styles.text
            cells.append(
                f'<c r="{letters(c)}{r}" s="{style}" t="inlineStr"><is>'
                f'<t xml:space="preserve">{escape(text)}</t></is></c>'
            )
        yield f'<row r="{r}">{"".join(cells)}</row>'.encode()
    yield (
        b'</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
        b'header="0.3" footer="0.3"/></worksheet>'
    )
