"""Hostile workbooks, made in memory (no committed blobs), each in at most a tenth of a second
and the same every time: huge cell positions, XML and zip bombs, forged sizes, encrypted or
oddly compressed entries, truncated and mutated bytes, in .xlsx, .ods and .xls.

``hostile_files()`` lists them all with the refusal codes each may get; the tests of
``scan`` use them one by one and a corpus test can post them through the upload view.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# --- a zip written by hand: any size, flag or method can be forged ------------------------------


@dataclass
class Entry:
    """One zip entry as written: ``payload`` is stored as given (already compressed when
    ``method`` is 8); ``size`` and ``crc`` are what the headers say."""

    name: str
    payload: bytes
    size: int
    crc: int
    method: int = 8
    flags: int = 0


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def entry(name: str, data: bytes, method: int = 8) -> Entry:
    """An honest entry."""
    payload = deflate(data) if method == 8 else data
    return Entry(name, payload, len(data), zlib.crc32(data), method)


def write_zip(entries: list[Entry]) -> bytes:
    """The archive, with sizes, CRCs, flags and methods exactly as the entries say (zip64
    when a declared size needs it)."""
    out = bytearray()
    central = bytearray()
    for item in entries:
        name = item.name.encode()
        offset = len(out)
        big = item.size >= 0xFFFFFFFF or len(item.payload) >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, item.size, len(item.payload)) if big else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(item.payload), item.size)
        version = 45 if big else 20
        out += struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            version,
            item.flags,
            item.method,
            0,
            0x21,
            item.crc,
            *sizes,
            len(name),
            len(extra),
        )
        out += name + extra + item.payload
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            version,
            version,
            item.flags,
            item.method,
            0,
            0x21,
            item.crc,
            *sizes,
            len(name),
            len(extra),
            0,
            0,
            0,
            0,
            offset,
        )
        central += name + extra
    start = len(out)
    out += central
    out += struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0
    )
    return bytes(out)


# --- .xlsx ------------------------------------------------------------------------------------


def worksheet(rows: str, *, after: str = "") -> str:
    return (
        f'{DECLARATION}<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData>{after}</worksheet>'
    )


def xlsx_entries(
    sheet: str | bytes,
    *,
    shared: str | bytes | None = None,
    name: str = "F6",
) -> list[Entry]:
    """The parts of a minimal workbook of one sheet (and shared strings when given)."""
    rels = [f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>']
    overrides = (
        f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_TYPE}"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
    )
    if shared is not None:
        rels.append(
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    parts = {
        "[Content_Types].xml": f'{DECLARATION}<Types xmlns="{TYPES}">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{overrides}</Types>",
        "_rels/.rels": f'{DECLARATION}<Relationships xmlns="{PACKAGE}">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f'{DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
        f'<sheet name="{escape(name)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'{DECLARATION}<Relationships xmlns="{PACKAGE}">'
        f"{''.join(rels)}</Relationships>",
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return [
        entry(part, text.encode() if isinstance(text, str) else text)
        for part, text in parts.items()
    ]


def xlsx(sheet: str | bytes, *, shared: str | bytes | None = None, name: str = "F6") -> bytes:
    return write_zip(xlsx_entries(sheet, shared=shared, name=name))


def _replace(entries: list[Entry], name: str, new: Entry) -> list[Entry]:
    return [new if item.name == name else item for item in entries]


def cells(*refs: str) -> str:
    """One row per reference, each cell holding the number 1."""
    return "".join(
        f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}"><v>1</v></c></row>'
        for ref in refs
    )


def plain_xlsx() -> bytes:
    """A small, honest workbook: what every hostile one is a variation of."""
    return xlsx(worksheet(cells("A1", "B2", "C3")))


def huge_dimension_xlsx() -> bytes:
    """A1 and XFD1048576: calamine would allocate 512 GiB."""
    return xlsx(worksheet(cells("A1", "XFD1048576")))


def row_beyond_excel_xlsx() -> bytes:
    return xlsx(worksheet(cells("A1", "A1048577")))


def column_beyond_excel_xlsx() -> bytes:
    return xlsx(worksheet(cells("A1", "XFE1")))


def row_4294967295_xlsx() -> bytes:
    return xlsx(worksheet(cells("A1", "A4294967295")))


def missing_r_xlsx(rows: int = 100_001) -> bytes:
    """Rows and cells without ``r``: each row is the previous + 1, past the row limit."""
    return xlsx(worksheet("<row><c><v>1</v></c></row>" * rows))


def missing_r_columns_xlsx(columns: int = 201) -> bytes:
    """One row of cells without ``r``: each cell is the previous column + 1."""
    return xlsx(worksheet("<row>" + "<c><v>1</v></c>" * columns + "</row>"))


def many_rows_xlsx(rows: int = 150_000) -> bytes:
    """A sheet of 150,000 one-cell rows."""
    return xlsx(
        worksheet(
            "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(1, rows + 1))
        )
    )


def wide_area_xlsx() -> bytes:
    """A1 and GR70000: inside the row and column limits, 14 million cells of area."""
    return xlsx(worksheet(cells("A1", "GR70000")))


def styled_far_cells_xlsx() -> bytes:
    """Formatted empty cells far away (self-closing, no value): a reader skips them; so does
    the scan. The file must open."""
    far = "".join(f'<c r="{col}{n}" s="0"/>' for n in (5000, 90000) for col in ("A", "XFD"))
    return xlsx(worksheet(cells("A1", "B2") + f'<row r="5000">{far}</row>'))


def billion_laughs(root: str) -> str:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9)
    )
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{entities}]>'


def laughs_in_sheet_xlsx() -> bytes:
    body = worksheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&j;</t></is></c></row>')
    body = body.removeprefix(DECLARATION)
    return xlsx(billion_laughs("worksheet") + body)


def laughs_in_shared_strings_xlsx() -> bytes:
    shared = (
        billion_laughs("sst")
        + f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&j;</t></si></sst>'
    )
    return xlsx(worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared=shared)


def external_entity_xlsx() -> bytes:
    head = '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    body = worksheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>')
    body = body.removeprefix(DECLARATION)
    return xlsx(head + body)


@cache
def _zeros_deflated(megabytes: int) -> bytes:
    """``megabytes`` MB of "0", deflated (about 1 KB per MB) in a millisecond: the second
    megabyte's blocks, repeated, inflate to the same megabyte again."""
    block = b"0" * (1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    second = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + second * (megabytes - 1) + compressor.flush()


def zip_bomb_xlsx(megabytes: int = 4096) -> bytes:
    """A sheet that says, honestly, it inflates to 4 GB: refused on the declared sizes,
    never inflated."""
    entries = xlsx_entries(worksheet(cells("A1")))
    bomb = Entry("xl/worksheets/sheet1.xml", _zeros_deflated(2), megabytes * 1024 * 1024, 0)
    return write_zip(_replace(entries, "xl/worksheets/sheet1.xml", bomb))


def forged_size_xlsx(megabytes: int = 200) -> bytes:
    """The header says 1 KB; the stream inflates to ``megabytes`` MB (the CRC does not
    matter: the size gives it away first)."""
    entries = xlsx_entries(worksheet(cells("A1")))
    forged = Entry("xl/worksheets/sheet1.xml", _zeros_deflated(megabytes), 1024, 0)
    return write_zip(_replace(entries, "xl/worksheets/sheet1.xml", forged))


def forged_size_other_part_xlsx() -> bytes:
    """The same lie on a part no sheet reader looks at (a theme)."""
    entries = xlsx_entries(worksheet(cells("A1")))
    entries.append(Entry("xl/theme/theme1.xml", _zeros_deflated(50), 512, 0))
    return write_zip(entries)


def forged_crc_xlsx() -> bytes:
    entries = xlsx_entries(worksheet(cells("A1")))
    sheet = next(item for item in entries if item.name == "xl/worksheets/sheet1.xml")
    sheet.crc ^= 0xFFFF
    return write_zip(entries)


def encrypted_entry_xlsx() -> bytes:
    entries = xlsx_entries(worksheet(cells("A1")))
    for item in entries:
        if item.name == "xl/worksheets/sheet1.xml":
            item.flags |= 0x1
    return write_zip(entries)


def unsupported_compression_xlsx(method: int = 12) -> bytes:
    """bzip2 (12), or any method but stored and deflated."""
    entries = xlsx_entries(worksheet(cells("A1")))
    for item in entries:
        if item.name == "xl/worksheets/sheet1.xml":
            item.method = method
    return write_zip(entries)


def duplicate_entry_xlsx() -> bytes:
    """Two sheet parts of the same name: which one a reader takes is anybody's guess."""
    entries = xlsx_entries(worksheet(cells("A1")))
    entries.append(entry("XL/worksheets/Sheet1.xml", worksheet(cells("A1", "XFD1048576")).encode()))
    return write_zip(entries)


def xlsb_inside_xlsx() -> bytes:
    entries = xlsx_entries(worksheet(cells("A1")))
    entries.append(entry("xl/workbook.bin", b"\x83\x01\x00"))
    return write_zip(entries)


def hidden_sheet_part_xlsx() -> bytes:
    """The workbook names a sheet part outside ``worksheets/``."""
    entries = xlsx_entries(worksheet(cells("A1")))
    entries = [item for item in entries if item.name not in ("xl/_rels/workbook.xml.rels",)] + [
        entry(
            "xl/_rels/workbook.xml.rels",
            f'{DECLARATION}<Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="/data/other.png"/>'
            "</Relationships>".encode(),
        ),
        entry("data/other.png", worksheet(cells("A1", "XFD1048576")).encode()),
    ]
    return write_zip(entries)


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: max(1, int(len(data) * keep))]


def long_cell_xlsx(length: int = 40_000) -> bytes:
    text = "ệ" * length
    return xlsx(worksheet(f'<row r="1"><c r="B1" t="inlineStr"><is><t>{text}</t></is></c></row>'))


def long_cell_in_runs_xlsx(length: int = 40_000) -> bytes:
    """The same text in rich-text runs of 1,000 characters."""
    runs = "".join(f"<r><t>{'a' * 1000}</t></r>" for _n in range(length // 1000))
    return xlsx(worksheet(f'<row r="1"><c r="C1" t="inlineStr"><is>{runs}</is></c></row>'))


def long_shared_string_xlsx(length: int = 40_000) -> bytes:
    shared = f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>{"a" * length}</t></si></sst>'
    return xlsx(worksheet('<row r="2"><c r="D2" t="s"><v>0</v></c></row>'), shared=shared)


def shared_amplification_xlsx(copies: int = 1_000, length: int = 30_000) -> bytes:
    """One 30,000-character shared string in 1,000 cells: 30 million characters once read."""
    shared = (
        f'<sst xmlns="{MAIN}" count="{copies}" uniqueCount="1"><si><t>{"a" * length}</t></si></sst>'
    )
    rows = "".join(
        f'<row r="{r + 1}">'
        + "".join(f'<c r="{_letters(n)}{r + 1}" t="s"><v>0</v></c>' for n in range(100))
        + "</row>"
        for r in range(-(-copies // 100))
    )
    return xlsx(worksheet(rows), shared=shared)


def shared_count_xlsx() -> bytes:
    """``uniqueCount`` says 4 billion: calamine would reserve room for them."""
    shared = (
        f'<sst xmlns="{MAIN}" count="4294967295" uniqueCount="4294967295"><si><t>a</t></si></sst>'
    )
    return xlsx(worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared=shared)


def deep_nesting_xlsx(depth: int = 100_000) -> bytes:
    return xlsx(worksheet("<row>" + "<x>" * depth + "</x>" * depth + "</row>"))


def many_merges_xlsx(count: int = 100_001) -> bytes:
    merges = "".join(f'<mergeCell ref="A{n}:B{n}"/>' for n in range(1, count + 1))
    return xlsx(worksheet(cells("A1"), after=f'<mergeCells count="{count}">{merges}</mergeCells>'))


def _letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


# --- .ods -------------------------------------------------------------------------------------

ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods(rows: str, *, name: str = "F6") -> bytes:
    content = (
        f'{DECLARATION}<office:document-content {ODS_NS} office:version="1.3"><office:body>'
        f'<office:spreadsheet><table:table table:name="{escape(name)}">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        f"{DECLARATION}<manifest:manifest "
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    return write_zip(
        [
            entry("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", method=0),
            entry("content.xml", content.encode()),
            entry("META-INF/manifest.xml", manifest.encode()),
        ]
    )


def ods_cell(value: int = 1, repeat: int = 1) -> str:
    extra = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="float" office:value="{value}"{extra}>'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def ods_row(cells_xml: str, repeat: int = 1) -> str:
    extra = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{extra}>{cells_xml}</table:table-row>"


EMPTY_CELLS = '<table:table-cell table:number-columns-repeated="{n}"/>'


def plain_ods() -> bytes:
    """A small .ods the way LibreOffice writes one: trailing repeated empty rows and columns."""
    return ods(
        ods_row(ods_cell(1) + ods_cell(2) + EMPTY_CELLS.format(n=16382))
        + ods_row(EMPTY_CELLS.format(n=16384), repeat=1048574)
    )


def ods_huge_dimension() -> bytes:
    """A valued cell at XFD1048576, reached by repeats."""
    return ods(
        ods_row(ods_cell(1))
        + ods_row(EMPTY_CELLS.format(n=16384), repeat=1048574)
        + ods_row(EMPTY_CELLS.format(n=16383) + ods_cell(1))
    )


def ods_rows_before_value(empty: int = 1048570) -> bytes:
    """A million empty rows, then one valued row: a reader materialises them all."""
    return ods(ods_row(EMPTY_CELLS.format(n=5), repeat=empty) + ods_row(ods_cell(1)))


def ods_repeated_values(rows: int = 100_000, columns: int = 200) -> bytes:
    """One valued cell repeated 200 times across, the row 100,000 times down: 20 million."""
    return ods(ods_row(ods_cell(7, repeat=columns), repeat=rows))


def ods_long_text(count: int = 1_000_000_000) -> bytes:
    """``<text:s text:c="1000000000"/>``: a billion spaces in one cell."""
    cell = (
        '<table:table-cell office:value-type="string"><text:p>a'
        f'<text:s text:c="{count}"/>b</text:p></table:table-cell>'
    )
    return ods(ods_row(cell))


def ods_repeated_text(rows: int = 5_000, columns: int = 200) -> bytes:
    """A 30,000-character text repeated over a million cells."""
    cell = (
        f'<table:table-cell office:value-type="string" table:number-columns-repeated="{columns}">'
        f"<text:p>{'a' * 30_000}</text:p></table:table-cell>"
    )
    return ods(ods_row(cell, repeat=rows))


def encrypted_ods() -> bytes:
    data = plain_ods()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["META-INF/manifest.xml"] = parts["META-INF/manifest.xml"].replace(
        b'manifest:media-type="text/xml"/>',
        b'manifest:media-type="text/xml"><manifest:encryption-data '
        b'manifest:checksum-type="SHA1/1K" manifest:checksum="x"/></manifest:file-entry>',
    )
    return write_zip(
        [entry(name, body, method=0 if name == "mimetype" else 8) for name, body in parts.items()]
    )


# --- .xls: BIFF8 records in a compound file written by hand ------------------------------------

ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF


def record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def bof(kind: int) -> bytes:
    """BOF of the globals (0x0005) or of a worksheet (0x0010), BIFF8."""
    return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x0006))


def number(row: int, col: int, value: float) -> bytes:
    return record(0x0203, struct.pack("<HHHd", row, col, 0, value))


def label_sst(row: int, col: int, index: int) -> bytes:
    return record(0x00FD, struct.pack("<HHHI", row, col, 0, index))


def sst(strings: list[str]) -> bytes:
    body = struct.pack("<II", len(strings), len(strings))
    for text in strings:
        body += struct.pack("<HB", len(text), 0) + text.encode("latin-1")
    return record(0x00FC, body)


def dimensions(first_row: int, end_row: int, first_col: int, end_col: int) -> bytes:
    return record(0x0200, struct.pack("<IIHHH", first_row, end_row, first_col, end_col, 0))


def biff_workbook(
    sheet_records: bytes,
    *,
    name: str = "F6",
    globals_extra: bytes = b"",
) -> bytes:
    """A Workbook stream: globals (with ``globals_extra``, such as an SST), one sheet."""
    encoded = name.encode("latin-1")

    def globals_part(position: int) -> bytes:
        sheet = record(0x0085, struct.pack("<IBBBB", position, 0, 0, len(encoded), 0) + encoded)
        return (
            bof(0x0005)
            + record(0x0042, struct.pack("<H", 1200))
            + globals_extra
            + sheet
            + record(0x000A)
        )

    position = len(globals_part(0))
    sheet = bof(0x0010) + sheet_records + record(0x000A)
    return globals_part(position) + sheet


def ole(
    streams: dict[str, bytes],
    *,
    mini: bool = False,
    damage: Callable[[bytearray], None] | None = None,
) -> bytes:
    """A version 3 compound file (512-byte sectors) holding ``streams``. A stream shorter than
    4,096 bytes goes to the mini stream when ``mini``, else it is padded to 4,096 bytes so that
    it lives in the main FAT. ``damage`` may change the bytes."""
    size = 512
    small = {name for name, data in streams.items() if mini and len(data) < 4096}
    payloads = {
        name: data if name in small else data.ljust(4096, b"\0") for name, data in streams.items()
    }
    mini_stream = b"".join(
        payloads[name].ljust(-(-len(payloads[name]) // 64) * 64, b"\0") for name in small
    )
    mini_fat: list[int] = []
    mini_starts: dict[str, int] = {}
    for name in small:
        count = -(-len(payloads[name]) // 64)
        mini_starts[name] = len(mini_fat)
        mini_fat.extend(range(len(mini_fat) + 1, len(mini_fat) + count))
        mini_fat.append(ENDOFCHAIN)
    big = [name for name in payloads if name not in small]
    counts = [-(-len(payloads[name]) // size) for name in big]
    mini_sectors = -(-len(mini_stream) // size)
    used = 1 + (1 if small else 0) + mini_sectors + sum(counts)
    fat_sectors = 1
    while fat_sectors + used > fat_sectors * 128:
        fat_sectors += 1
    fat = [FATSECT] * fat_sectors + [ENDOFCHAIN]  # then the directory sector
    mini_fat_start = mini_start = ENDOFCHAIN
    if small:
        mini_fat_start = len(fat)
        fat.append(ENDOFCHAIN)
        mini_start = len(fat)
        fat.extend(range(mini_start + 1, mini_start + mini_sectors))
        fat.append(ENDOFCHAIN)
    starts: dict[str, int] = {}
    for name, count in zip(big, counts, strict=True):
        starts[name] = len(fat)
        fat.extend(range(len(fat) + 1, len(fat) + count))
        fat.append(ENDOFCHAIN)
    fat += [FREESECT] * (fat_sectors * 128 - len(fat))
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into(
        "<IIIIIIIII",
        header,
        40,
        0,
        fat_sectors,
        fat_sectors,
        0,
        4096,
        mini_fat_start,
        1 if small else 0,
        ENDOFCHAIN,
        0,
    )
    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    struct.pack_into("<109I", header, 76, *difat)

    def direntry(
        name: str, kind: int, start: int, length: int, child: int = NOSTREAM, right: int = NOSTREAM
    ) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        out = bytearray(128)
        out[: len(encoded)] = encoded
        struct.pack_into("<HBB", out, 64, len(encoded), kind, 1)
        struct.pack_into("<III", out, 68, NOSTREAM, right, child)
        struct.pack_into("<II", out, 116, start, length)
        return bytes(out)

    directory = direntry("Root Entry", 5, mini_start, len(mini_stream), child=1)
    names = list(payloads)
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else NOSTREAM
        first = mini_starts[name] if name in small else starts[name]
        directory += direntry(name, 2, first, len(payloads[name]), right=right)
    body = bytearray(header)
    body += struct.pack(f"<{fat_sectors * 128}I", *fat)
    body += directory.ljust(size, b"\0")[:size]
    if small:
        body += struct.pack(f"<{len(mini_fat)}I", *mini_fat).ljust(size, b"\xff")
        body += mini_stream.ljust(mini_sectors * size, b"\0")
    for name in big:
        body += payloads[name].ljust(-(-len(payloads[name]) // size) * size, b"\0")
    if damage is not None:
        damage(body)
    return bytes(body)


def xls(sheet_records: bytes, *, globals_extra: bytes = b"", name: str = "F6") -> bytes:
    return ole({"Workbook": biff_workbook(sheet_records, name=name, globals_extra=globals_extra)})


def plain_xls() -> bytes:
    return xls(dimensions(0, 3, 0, 3) + number(0, 0, 1) + number(1, 1, 2) + number(2, 2, 3))


def xls_far_cell() -> bytes:
    """A cell at row 65535, column 255 (IV65536), the last one a .xls can hold."""
    return xls(number(0, 0, 1) + number(65535, 255, 1))


def xls_far_cell_in_mini_stream() -> bytes:
    """The same, in a Workbook stream short enough to live in the mini stream."""
    return ole({"Workbook": biff_workbook(number(0, 0, 1) + number(65535, 255, 1))}, mini=True)


def plain_xls_in_mini_stream() -> bytes:
    return ole({"Workbook": biff_workbook(number(0, 0, 1) + number(1, 1, 2))}, mini=True)


def xls_forged_dimensions() -> bytes:
    """DIMENSIONS says rows 0 to 4 billion: calamine reserves from it."""
    return xls(dimensions(0, 0xFFFFFFF0, 0, 200) + number(0, 0, 1))


def xls_sst_amplification(copies: int = 3_000) -> bytes:
    """One 8,000-character string (a record holds at most 8,224 bytes) in 3,000 cells."""
    strings = sst(["a" * 8000])
    cells_records = b"".join(label_sst(n // 100, n % 100, 0) for n in range(copies))
    return xls(cells_records, globals_extra=strings)


def xls_password() -> bytes:
    return xls(number(0, 0, 1), globals_extra=record(0x002F, struct.pack("<HHH", 1, 1, 1)))


def panicking_xls() -> bytes:
    """A BOUNDSHEET record three bytes long: calamine indexes past it and panics."""
    stream = bof(0x0005) + record(0x0085, b"\0\0\0") + record(0x000A)
    return ole({"Workbook": stream})


def ole_directory_loop() -> bytes:
    """The directory's FAT chain points to itself: calamine would read it for ever."""

    def damage(body: bytearray) -> None:
        (fat_sectors,) = struct.unpack_from("<I", body, 44)
        directory = fat_sectors  # the directory sector follows the FAT
        struct.pack_into("<I", body, 512 + 4 * directory, directory)

    return ole({"Workbook": biff_workbook(number(0, 0, 1))}, damage=damage)


def ole_huge_fat() -> bytes:
    """The header says 4 billion FAT sectors."""

    def damage(body: bytearray) -> None:
        struct.pack_into("<I", body, 44, 0xFFFFFF00)

    return ole({"Workbook": biff_workbook(number(0, 0, 1))}, damage=damage)


def encrypted_ooxml() -> bytes:
    """An encrypted .xlsx: an OLE file with an EncryptedPackage stream."""
    return ole(
        {"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 60, "EncryptedPackage": b"\0" * 5000}
    )


# --- mutation ---------------------------------------------------------------------------------


def mutate(data: bytes, seed: int) -> bytes:
    """The same bytes damaged the same way for a seed: bytes flipped, the end cut off, a
    slice duplicated or zeroed, junk inserted."""
    rng = random.Random(seed)
    out = bytearray(data)
    for _step in range(rng.randint(1, 3)):
        if not out:
            break
        how = rng.randrange(5)
        at = rng.randrange(len(out))
        if how == 0:
            for _n in range(rng.randint(1, 8)):
                out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        elif how == 1:
            del out[max(1, at) :]
        elif how == 2:
            length = rng.randint(1, 256)
            out[at:at] = out[at : at + length]
        elif how == 3:
            out[at : at + rng.randint(1, 64)] = b"\0" * len(out[at : at + 64])
        else:
            out[at:at] = bytes(rng.randrange(256) for _n in range(rng.randint(1, 32)))
    return bytes(out)


# --- the whole family -------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    name: str
    filename: str
    make: Callable[[], bytes]
    codes: frozenset[str]
    """The refusal codes this file may get."""
    sheet: str | None = None
    cell: str | None = None
    """The sheet and cell its message must name, when it names one."""


DAMAGED = frozenset({"file_damaged"})
ROWS = frozenset({"file_too_many_rows"})
COLUMNS = frozenset({"file_too_many_columns"})
BEYOND = ROWS | COLUMNS
AREA = frozenset({"file_too_many_cells"})


def hostile_files() -> list[Hostile]:
    return [
        Hostile("huge dimension", "bieu.xlsx", huge_dimension_xlsx, BEYOND, "F6", "XFD1048576"),
        Hostile("row beyond Excel", "bieu.xlsx", row_beyond_excel_xlsx, ROWS, "F6", "A1048577"),
        Hostile(
            "column beyond Excel", "bieu.xlsx", column_beyond_excel_xlsx, COLUMNS, "F6", "XFE1"
        ),
        Hostile("row 4294967295", "bieu.xlsx", row_4294967295_xlsx, ROWS, "F6", "A4294967295"),
        Hostile("rows without r", "bieu.xlsx", missing_r_xlsx, ROWS, "F6", "A100001"),
        Hostile("cells without r", "bieu.xlsx", missing_r_columns_xlsx, COLUMNS, "F6", "GS1"),
        Hostile("150,000 rows", "bieu.xlsx", many_rows_xlsx, ROWS, "F6", "A100001"),
        Hostile("A1 and GR70000", "bieu.xlsx", wide_area_xlsx, AREA, "F6", "GR70000"),
        Hostile("laughs in a sheet", "bieu.xlsx", laughs_in_sheet_xlsx, DAMAGED),
        Hostile("laughs in shared strings", "bieu.xlsx", laughs_in_shared_strings_xlsx, DAMAGED),
        Hostile("external entity", "bieu.xlsx", external_entity_xlsx, DAMAGED),
        Hostile("zip bomb", "bieu.xlsx", zip_bomb_xlsx, frozenset({"file_too_big_unpacked"})),
        Hostile("forged size", "bieu.xlsx", forged_size_xlsx, DAMAGED),
        Hostile("forged size, theme", "bieu.xlsx", forged_size_other_part_xlsx, DAMAGED),
        Hostile("forged CRC", "bieu.xlsx", forged_crc_xlsx, DAMAGED),
        Hostile("encrypted entry", "bieu.xlsx", encrypted_entry_xlsx, frozenset({"file_password"})),
        Hostile("bzip2 entry", "bieu.xlsx", unsupported_compression_xlsx, DAMAGED),
        Hostile("duplicate entry", "bieu.xlsx", duplicate_entry_xlsx, DAMAGED),
        Hostile("xlsb parts", "bieu.xlsx", xlsb_inside_xlsx, frozenset({"file_type"})),
        Hostile(
            "sheet part elsewhere", "bieu.xlsx", hidden_sheet_part_xlsx, BEYOND, "F6", "XFD1048576"
        ),
        Hostile("truncated xlsx", "bieu.xlsx", lambda: truncated(plain_xlsx()), DAMAGED),
        Hostile(
            "40,000-character cell",
            "bieu.xlsx",
            long_cell_xlsx,
            frozenset({"file_cell_too_long"}),
            "F6",
            "B1",
        ),
        Hostile(
            "long cell in runs",
            "bieu.xlsx",
            long_cell_in_runs_xlsx,
            frozenset({"file_cell_too_long"}),
            "F6",
            "C1",
        ),
        Hostile(
            "long shared string",
            "bieu.xlsx",
            long_shared_string_xlsx,
            frozenset({"file_cell_too_long"}),
            "F6",
            "D2",
        ),
        Hostile(
            "shared string copies",
            "bieu.xlsx",
            shared_amplification_xlsx,
            frozenset({"file_too_much_text"}),
        ),
        Hostile(
            "shared string count", "bieu.xlsx", shared_count_xlsx, frozenset({"file_too_complex"})
        ),
        Hostile("deep nesting", "bieu.xlsx", deep_nesting_xlsx, DAMAGED),
        Hostile("many merges", "bieu.xlsx", many_merges_xlsx, frozenset({"file_too_complex"})),
        Hostile("ods huge dimension", "bieu.ods", ods_huge_dimension, BEYOND, "F6", "XFD1048576"),
        Hostile(
            "ods rows before a value", "bieu.ods", ods_rows_before_value, ROWS, "F6", "A1048571"
        ),
        Hostile("ods repeated values", "bieu.ods", ods_repeated_values, AREA, "F6"),
        Hostile(
            "ods billion spaces",
            "bieu.ods",
            ods_long_text,
            frozenset({"file_cell_too_long"}),
            "F6",
            "A1",
        ),
        Hostile(
            "ods repeated text", "bieu.ods", ods_repeated_text, frozenset({"file_too_much_text"})
        ),
        Hostile("ods encrypted", "bieu.ods", encrypted_ods, frozenset({"file_password"})),
        Hostile("truncated ods", "bieu.ods", lambda: truncated(plain_ods(), 0.7), DAMAGED),
        Hostile("xls far cell", "bieu.xls", xls_far_cell, COLUMNS, "F6", "IV65536"),
        Hostile(
            "xls far cell, mini stream",
            "bieu.xls",
            xls_far_cell_in_mini_stream,
            COLUMNS,
            "F6",
            "IV65536",
        ),
        Hostile("xls forged dimensions", "bieu.xls", xls_forged_dimensions, AREA | DAMAGED, "F6"),
        Hostile(
            "xls shared string copies",
            "bieu.xls",
            xls_sst_amplification,
            frozenset({"file_too_much_text"}),
        ),
        Hostile("xls password", "bieu.xls", xls_password, frozenset({"file_password"})),
        Hostile("ole directory loop", "bieu.xls", ole_directory_loop, DAMAGED),
        Hostile("xls that makes calamine panic", "bieu.xls", panicking_xls, DAMAGED),
        Hostile("ole huge FAT", "bieu.xls", ole_huge_fat, DAMAGED),
        Hostile("encrypted xlsx", "bieu.xlsx", encrypted_ooxml, frozenset({"file_password"})),
        Hostile("truncated xls", "bieu.xls", lambda: truncated(plain_xls(), 0.6), DAMAGED),
    ]


def mutated_files(count: int) -> Iterator[tuple[str, bytes]]:
    """``count`` mutations of the plain workbooks, as (filename, bytes)."""
    sources = [
        ("bieu.xlsx", plain_xlsx()),
        ("bieu.ods", plain_ods()),
        ("bieu.xls", plain_xls()),
        ("bieu.xls", plain_xls_in_mini_stream()),
    ]
    for seed in range(count):
        filename, data = sources[seed % len(sources)]
        yield filename, mutate(data, seed)
