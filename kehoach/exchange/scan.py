"""Inspecting an upload as a stream, before any spreadsheet reader allocates anything.

python-calamine builds a dense table from the smallest to the largest cell position it reads,
and decides how much to reserve from numbers written in the file (a sheet's dimension, the
count of shared strings, the sizes of an OLE container). A 1.5 KB workbook whose only cells are
A1 and XFD1048576 makes it ask for 512 GiB and the process aborts. ``scan`` reads what the
reader would read, the way it would read it, and refuses the file at the first excess:

* **.xlsx** (zip): every entry is inflated as a stream with zlib in chunks, its real inflated
  size and CRC compared with the sizes written in the archive (a forged size is refused, never
  believed). The parts calamine reads (``_rels/.rels``, the workbook, its relationships, the
  shared strings, the styles and every worksheet, those named by the workbook and every part
  under ``worksheets/``) are parsed with expat as they inflate: no DOCTYPE or entity
  declaration, a bounded depth and token size, and for each sheet the row and column of every
  cell that holds a value (a ``<c>`` with a ``v``, ``is`` or ``f`` child; a row without ``r``
  is the previous row + 1, a cell without ``r`` the previous column + 1, as calamine counts).
* **.ods** (zip, ``content.xml``): rows and columns advance by ``number-rows-repeated`` and
  ``number-columns-repeated``; the extent is that of cells holding a value, so the trailing
  repeated empty rows every LibreOffice file has cost nothing.
* **.xls** (OLE/BIFF): the compound file's header and sector chains are checked (calamine
  reserves from them), the Workbook stream is read with olefile and its BIFF records walked;
  per sheet (BOF to EOF) the cell records that hold a value (NUMBER, RK, MULRK, LABELSST,
  LABEL, RSTRING, FORMULA, BOOLERR; not BLANK or MULBLANK) and the declared DIMENSIONS.

The limits (``reading.Limits``) are checked as the stream goes: rows and columns of a sheet,
the used area (rows × columns from A1, what ``to_python`` builds) summed over the sheets, the
text the cells would hold once every shared string is copied into its cells, one cell's text
(Excel's 32,767 characters), the inflated size of the sheets, the shared strings and the other
parts, merged ranges. Every refusal is an ``ApplicationError`` whose message names the file and,
where it applies, the sheet and the cell, and says what to do.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NoReturn
from xml.parsers import expat

import olefile
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.numbers import format_number_vi

if TYPE_CHECKING:
    from .reading import Limits

CHUNK_IN = 64 * 1024
"""Compressed bytes handed to zlib at a time."""
CHUNK_OUT = 256 * 1024
"""At most this many inflated bytes come out of zlib at a time (a zip bomb inflates in steps)."""
MAX_DEPTH = 64
"""Deepest element nesting accepted in a part (a real sheet nests about 6 deep)."""
MAX_TOKEN = 1024 * 1024
"""Largest single XML token (start tag, comment) expat may buffer: a real one is < 1 KB."""
MAX_REF = 16
"""Longest cell reference ("XFD1048576" has 10 characters)."""

OLE_SECTOR_LIMIT = 0xFFFFFFFA
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
DIFSECT = 0xFFFFFFFC

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
XLSB_PARTS = {
    "xl/workbook.bin",
    "xl/sharedstrings.bin",
    "xl/styles.bin",
    "xl/_rels/workbook.bin.rels",
}

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_REF = re.compile(r"\$?([A-Za-z]{1,8})\$?([0-9]{1,10})")
_DIGITS = re.compile(r"[0-9]{1,12}")

DAMAGED_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    struct.error,
    expat.ExpatError,
    IndexError,
    KeyError,
    OverflowError,
    UnicodeError,
)
"""What zipfile, zlib, expat, olefile and struct raise on a damaged or hostile file."""


# --- messages ---------------------------------------------------------------------------------


def _n(value: int) -> str:
    return format_number_vi(value)


def _mb(value: int) -> str:
    return _n(value // (1024 * 1024))


def letters(col: int) -> str:
    """Column letters of a 0-based column, whatever its size: 0 → "A", 16383 → "XFD"."""
    out = ""
    col += 1
    while col > 0:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def cell_name(row: int, col: int) -> str:
    """The name of a 0-based cell: row 6, column 1 is B7."""
    return f"{letters(col)}{row + 1}"


def damaged(filename: str, part: str | None = None) -> ApplicationError:
    if part:
        message = _(
            "“%(name)s” is damaged: the part “%(part)s” inside it cannot be read. Open it in "
            "Excel or LibreOffice, save it again as .xlsx and upload that file."
        ) % {"name": filename, "part": part}
    else:
        message = _(
            "“%(name)s” is damaged or is not an Excel workbook. Open it in Excel or "
            "LibreOffice, save it again as .xlsx and upload that file."
        ) % {"name": filename}
    return ApplicationError("file_damaged", message, Where())


def password(filename: str) -> ApplicationError:
    return ApplicationError(
        "file_password",
        _("“%(name)s” is protected by a password; remove the password and upload it again.")
        % {"name": filename},
        Where(),
    )


def _doctype(filename: str, part: str) -> ApplicationError:
    return ApplicationError(
        "file_damaged",
        _(
            "“%(name)s”: the part “%(part)s” declares a document type or entities, which a "
            "workbook never does, so the file is refused. Save the workbook again from Excel or "
            "LibreOffice as .xlsx and upload that file."
        )
        % {"name": filename, "part": part},
        Where(),
    )


def _xlsb(filename: str) -> ApplicationError:
    return ApplicationError(
        "file_type",
        _(
            "“%(name)s” is an Excel binary workbook (.xlsb), which kehoach does not accept. In "
            "Excel, save it as “Excel Workbook (*.xlsx)” and upload that file."
        )
        % {"name": filename},
        Where(),
    )


def _part_too_big(filename: str, part: str, limit: int) -> ApplicationError:
    return ApplicationError(
        "file_too_big_unpacked",
        _(
            "“%(name)s”: the part “%(part)s” takes more than %(limit)s MB unpacked, far more "
            "than a workbook needs. Save the workbook again as .xlsx without what the form does "
            "not need and upload that file."
        )
        % {"name": filename, "part": part, "limit": _mb(limit)},
        Where(),
    )


def _sheets_too_big(filename: str, limit: int) -> ApplicationError:
    return ApplicationError(
        "file_too_big_unpacked",
        _(
            "“%(name)s”: unpacked, its sheets take more than %(limit)s MB. Delete what the form "
            "does not need, or split the data into several files, and upload it again."
        )
        % {"name": filename, "limit": _mb(limit)},
        Where(),
    )


def _too_many_sheets(filename: str, count: int, limit: int) -> ApplicationError:
    return ApplicationError(
        "file_too_complex",
        _("“%(name)s” has %(n)s sheets; at most %(limit)s are accepted.")
        % {"name": filename, "n": _n(count), "limit": _n(limit)},
        Where(),
    )


def _too_many_strings(filename: str, limits: Limits) -> ApplicationError:
    return ApplicationError(
        "file_too_complex",
        _(
            "“%(name)s”: its list of texts is too large (more than %(count)s different texts or "
            "%(mb)s MB unpacked). Split the data into several files and upload them one by one."
        )
        % {
            "name": filename,
            "count": _n(limits.max_shared_strings),
            "mb": _mb(limits.max_shared_strings_bytes),
        },
        Where(),
    )


def _too_many_merged(filename: str, limit: int) -> ApplicationError:
    return ApplicationError(
        "file_too_complex",
        _(
            "“%(name)s” has more than %(limit)s merged cell ranges. Unmerge the cells of the "
            "table and upload it again."
        )
        % {"name": filename, "limit": _n(limit)},
        Where(),
    )


def _too_much_text(filename: str, limit: int) -> ApplicationError:
    return ApplicationError(
        "file_too_much_text",
        _(
            "“%(name)s”: its cells hold more than %(limit)s characters of text in all. Split "
            "the data into several files and upload them one by one."
        )
        % {"name": filename, "limit": _n(limit)},
        Where(),
    )


def _cell_too_long(filename: str, sheet: str, cell: str, length: int, limit: int) -> Any:
    return ApplicationError(
        "file_cell_too_long",
        _(
            "“%(name)s”, sheet “%(sheet)s”, cell %(cell)s holds %(n)s characters; a cell may "
            "hold at most %(limit)s. Shorten the text and upload it again."
        )
        % {"name": filename, "sheet": sheet, "cell": cell, "n": _n(length), "limit": _n(limit)},
        Where(sheet=sheet),
    )


def _too_many_rows(filename: str, sheet: str, row: int, col: int, limit: int) -> Any:
    return ApplicationError(
        "file_too_many_rows",
        _(
            "“%(name)s”, sheet “%(sheet)s”: cell %(cell)s is in row %(row)s, beyond the "
            "%(limit)s rows accepted. Delete what lies below the table, or split the data into "
            "several files, and upload it again."
        )
        % {
            "name": filename,
            "sheet": sheet,
            "cell": cell_name(row, col),
            "row": _n(row + 1),
            "limit": _n(limit),
        },
        Where(sheet=sheet),
    )


def _too_many_columns(filename: str, sheet: str, row: int, col: int, limit: int) -> Any:
    return ApplicationError(
        "file_too_many_columns",
        _(
            "“%(name)s”, sheet “%(sheet)s”: cell %(cell)s is beyond column %(last)s, the last "
            "of the %(limit)s columns accepted. Delete what lies to the right of the table and "
            "upload it again."
        )
        % {
            "name": filename,
            "sheet": sheet,
            "cell": cell_name(row, col),
            "last": letters(limit - 1),
            "limit": _n(limit),
        },
        Where(sheet=sheet),
    )


def _too_many_cells(filename: str, sheet: str, row: int, col: int, limit: int) -> Any:
    return ApplicationError(
        "file_too_many_cells",
        _(
            "“%(name)s”: counted from cell A1, its sheets span more than %(limit)s cells (sheet "
            "“%(sheet)s” reaches cell %(cell)s). Delete what lies beyond the tables, or split "
            "the data into several files, and upload it again."
        )
        % {"name": filename, "sheet": sheet, "cell": cell_name(row, col), "limit": _n(limit)},
        Where(sheet=sheet),
    )


# --- the budget shared by every sheet ---------------------------------------------------------


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


# --- zip: inflating as a stream ---------------------------------------------------------------


def zip_key(name: str) -> str:
    """How calamine finds an entry: backslashes as slashes, ASCII case ignored."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


class _Zip:
    """The entries of an archive, each inflated at most once, as a stream, with its real size
    and CRC checked against the central directory."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile, filename: str, limits: Limits):
        self.data = data
        self.view = memoryview(data)
        self.filename = filename
        self.limits = limits
        self.entries: dict[str, zipfile.ZipInfo] = {}
        self.done: set[str] = set()
        self.counted: set[str] = set()
        self.inflated = 0
        for info in archive.infolist():
            key = zip_key(info.filename)
            if key in self.entries:  # which one a reader takes is anybody's guess
                raise damaged(filename, info.filename)
            if info.flag_bits & 0x1:
                raise password(filename)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise damaged(filename, info.filename)
            self.entries[key] = info

    def has(self, key: str) -> bool:
        return key in self.entries

    def _raw(self, info: zipfile.ZipInfo) -> memoryview:
        offset = info.header_offset
        header = self.data[offset : offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise damaged(self.filename, info.filename)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = offset + 30 + name_length + extra_length
        end = start + info.compress_size
        if end > len(self.data):
            raise damaged(self.filename, info.filename)
        return self.view[start:end]

    def stream(self, key: str, limit: int | None = None) -> Iterator[bytes]:
        """The inflated bytes of an entry, chunk by chunk. Refuses an entry whose declared size
        is over ``limit``, or whose real size or CRC differs from the declared ones."""
        info = self.entries[key]
        self.done.add(key)
        if limit is not None and info.file_size > limit:
            raise _part_too_big(self.filename, info.filename, limit)
        raw = self._raw(info)
        size = 0
        crc = 0
        if info.compress_type == zipfile.ZIP_STORED:
            if len(raw) != info.file_size:
                raise damaged(self.filename, info.filename)
            for start in range(0, len(raw), CHUNK_OUT):
                chunk = bytes(raw[start : start + CHUNK_OUT])
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
                yield chunk
        else:
            inflater = zlib.decompressobj(-15)
            for start in range(0, len(raw), CHUNK_IN):
                pending: bytes | memoryview = raw[start : start + CHUNK_IN]
                while pending and not inflater.eof:
                    chunk = inflater.decompress(pending, CHUNK_OUT)
                    pending = inflater.unconsumed_tail
                    size += len(chunk)
                    if size > info.file_size:  # the header said less: a forged size
                        raise damaged(self.filename, info.filename)
                    crc = zlib.crc32(chunk, crc)
                    if chunk:
                        yield chunk
                if inflater.eof:
                    break
            if not inflater.eof:  # truncated: the deflate stream never ended
                raise damaged(self.filename, info.filename)
        if size != info.file_size or crc != info.CRC:
            raise damaged(self.filename, info.filename)
        if key in self.counted:  # read a second time (a sheet read again exactly)
            return
        self.counted.add(key)
        self.inflated += size
        if self.inflated > self.limits.max_uncompressed:
            raise _part_too_big(self.filename, info.filename, self.limits.max_uncompressed)

    def read(self, key: str, limit: int) -> bytes:
        return b"".join(self.stream(key, limit))

    def drain(self, key: str) -> None:
        for _chunk in self.stream(key):
            pass


# --- XML with expat ---------------------------------------------------------------------------


class _Handler:
    """Base of the expat handlers: depth kept, DOCTYPE and entities refused."""

    depth = 0

    def __init__(self, filename: str, part: str) -> None:
        self.filename = filename
        self.part = part

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise damaged(self.filename, self.part)

    def end(self, name: str) -> None:
        self.depth -= 1

    def chars(self, data: str) -> None:
        pass


def _parse(
    chunks: Iterator[bytes],
    handler: _Handler,
    *,
    text: bool = False,
    counter: Callable[[int], None] | None = None,
    inspect: Callable[[bytes], None] | None = None,
) -> None:
    """Feed the chunks to expat with ``handler``; refuse DOCTYPE, entity declarations, tokens
    larger than ``MAX_TOKEN`` and malformed XML (as a damaged part). With ``inspect``, each
    chunk goes to it first and expat only checks the XML (no element handler: see
    ``_FastCells``)."""
    parser = expat.ParserCreate()

    def refuse(*_args: Any) -> NoReturn:
        raise _doctype(handler.filename, handler.part)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.NotationDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    if inspect is None:
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        if text:
            parser.buffer_text = True
            parser.buffer_size = 64 * 1024
            parser.CharacterDataHandler = handler.chars
    fed = 0
    try:
        for chunk in chunks:
            if counter is not None:
                counter(len(chunk))
            if inspect is not None:
                inspect(chunk)
            parser.Parse(chunk, False)
            fed += len(chunk)
            if fed - parser.CurrentByteIndex > MAX_TOKEN:  # expat is holding one huge token
                raise damaged(handler.filename, handler.part)
        if inspect is not None:
            inspect(b"")
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise damaged(handler.filename, handler.part) from None


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _count(value: str | None, filename: str, part: str) -> int:
    """A repeat count or row number: ASCII digits only."""
    if value is None:
        return 1
    if not _DIGITS.fullmatch(value):
        raise damaged(filename, part)
    return int(value)


# --- xlsx -------------------------------------------------------------------------------------


class _Relationships(_Handler):
    def __init__(self, filename: str, part: str) -> None:
        super().__init__(filename, part)
        self.by_id: dict[str, tuple[str, str]] = {}
        self.order: list[tuple[str, str]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        if _local(name) == "Relationship":
            found = (attrs.get("Target", ""), attrs.get("Type", ""))
            self.order.append(found)
            rel_id = attrs.get("Id")
            if rel_id is not None:
                self.by_id[rel_id] = found


class _WorkbookSheets(_Handler):
    def __init__(self, filename: str, part: str, limit: int) -> None:
        super().__init__(filename, part)
        self.sheets: list[tuple[str, str]] = []
        self.limit = limit

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        if _local(name) == "sheet":
            rel_id = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            self.sheets.append((attrs.get("name", ""), rel_id))
            if len(self.sheets) > self.limit:
                raise _too_many_sheets(self.filename, len(self.sheets), self.limit)


class _SharedStrings(_Handler):
    """The length of every shared string (text of the ``t`` elements of each ``si``)."""

    def __init__(self, filename: str, part: str, limits: Limits) -> None:
        super().__init__(filename, part)
        self.limits = limits
        self.lengths = array("L")
        self.in_si = 0
        self.in_t = 0
        self.length = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        local = _local(name)
        if local == "t":
            self.in_t += 1
        elif local == "si":
            self.in_si += 1
            self.length = 0
        elif local == "sst":
            value = attrs.get("uniqueCount", "")  # calamine reserves this many strings
            if value.isascii() and value.isdigit() and int(value) > self.limits.max_shared_strings:
                raise _too_many_strings(self.filename, self.limits)

    def end(self, name: str) -> None:
        super().end(name)
        local = _local(name)
        if local == "t":
            self.in_t -= 1
        elif local == "si":
            self.in_si -= 1
            if not self.in_si:
                self.lengths.append(min(self.length, 0xFFFFFFFF))
                if len(self.lengths) > self.limits.max_shared_strings:
                    raise _too_many_strings(self.filename, self.limits)

    def chars(self, data: str) -> None:
        if self.in_t and self.in_si:
            self.length += len(data)


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
_C_SHARED = re.compile(rb'<c r="[A-Z]{1,7}[1-9][0-9]{0,9}"[^>]* t="s"[^>]*><v>([0-9]{1,10})</v>')
_MERGE = re.compile(rb"<mergeCell[\s/>]")
FAST_CARRY = 64 * 1024
"""Bytes after the last ">" a chunk may leave for the next one on the fast path."""


def _column(letters: bytes) -> int:
    column = 0
    for code in letters:
        column = column * 26 + code - 64
    return column - 1


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
        cut = data.rfind(b">") + 1 if chunk else len(data)
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
        if not 0 <= self.depth <= MAX_DEPTH or _C_PREFIXED.search(body):
            raise _Fallback
        self._cells(body)
        merged = len(_MERGE.findall(body))
        if merged:
            self.budget.add_merged(merged)

    def _cells(self, body: bytes) -> None:
        written = len(_C_ANY.findall(body))
        if body.count(b'<c r="') != written:
            raise _Fallback
        valued = _C_VALUED.findall(body)
        if len(valued) + len(_C_CLOSED.findall(body)) != written:
            raise _Fallback
        self._spans(body)
        if valued:
            row = max(map(int, map(itemgetter(1), valued))) - 1
            col = max(map(_column, set(map(itemgetter(0), valued))))
            self.extent.bulk(row, col, lambda: ((int(r) - 1, _column(c)) for c, r in valued))
        kinds = len(_T_ANY.findall(body))
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
        pieces = body.split(b"</c>")
        limit = self.budget.limits.max_cell_text
        if max(map(len, pieces)) + max(self.open, 0) <= limit:
            start = pieces[-1].rfind(b"<c ")
            if start >= 0:
                self.open = len(pieces[-1]) - start
            elif len(pieces) == 1 and self.open >= 0:
                self.open += len(pieces[-1])
            else:
                self.open = -1
            return
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


def _scan_sheet(box: _Zip, key: str, sheet: str, shared: array[int], budget: Budget) -> None:
    """One worksheet part: on the fast path when it can, exactly otherwise."""
    part = box.entries[key].filename
    filename = budget.filename
    if max(shared, default=0) <= budget.limits.max_cell_text:
        saved = budget.snapshot()
        extent = budget.sheet(sheet)
        fast = _FastCells(part, extent, shared, budget)
        try:
            _parse(
                box.stream(key),
                _Handler(filename, part),
                counter=budget.add_sheet_bytes,
                inspect=fast.feed,
            )
        except _Fallback:
            budget.restore(saved)
        else:
            extent.close()
            return
    extent = budget.sheet(sheet)
    cells = _SheetCells(filename, part, extent, shared, budget)
    _parse(box.stream(key), cells, text=True, counter=budget.add_sheet_bytes)
    extent.close()


def _resolve(base: str, target: str) -> str:
    """A relationship target the way calamine resolves it: absolute, or after the folder."""
    return target[1:] if target.startswith("/") else f"{base}{target}"


def _scan_xlsx(box: _Zip, budget: Budget) -> None:
    limits = budget.limits
    filename = budget.filename
    base = "xl/"
    if box.has("_rels/.rels"):
        rels = _Relationships(filename, "_rels/.rels")
        _parse(box.stream("_rels/.rels", limits.max_part_xml), rels)
        for target, kind in rels.order:
            if kind.endswith("/relationships/officeDocument"):
                folder = target.rpartition("/")[0]
                base = f"{folder}/".lstrip("/") if folder else ""
    targets: dict[str, str] = {}  # part key → sheet name
    rels_key = zip_key(f"{base}_rels/workbook.xml.rels")
    workbook_rels: dict[str, tuple[str, str]] = {}
    if box.has(rels_key):
        relationships = _Relationships(filename, box.entries[rels_key].filename)
        _parse(box.stream(rels_key, limits.max_part_xml), relationships)
        workbook_rels = relationships.by_id
    workbook_key = zip_key(f"{base}workbook.xml")
    if box.has(workbook_key):
        sheets = _WorkbookSheets(filename, box.entries[workbook_key].filename, limits.max_sheets)
        _parse(box.stream(workbook_key, limits.max_part_xml), sheets)
        for name, rel_id in sheets.sheets:
            target = workbook_rels.get(rel_id, ("", ""))[0]
            if target:
                targets.setdefault(zip_key(_resolve(base, target)), name)
    shared = array("L")
    strings_key = zip_key(f"{base}sharedStrings.xml")
    if box.has(strings_key):
        info = box.entries[strings_key]
        if info.file_size > limits.max_shared_strings_bytes:
            raise _too_many_strings(filename, limits)
        strings = _SharedStrings(filename, info.filename, limits)
        _parse(box.stream(strings_key), strings, text=True)
        shared = strings.lengths
    styles_key = zip_key(f"{base}styles.xml")
    if box.has(styles_key):
        _parse(box.stream(styles_key, limits.max_part_xml), _Handler(filename, styles_key))
    for key, info in box.entries.items():
        if "worksheets/" in key and not key.endswith(".rels") and not info.is_dir():
            targets.setdefault(key, info.filename)
    for key, sheet in targets.items():  # a target that is another part is read again as a sheet
        if not box.has(key):
            continue
        _scan_sheet(box, key, sheet or key, shared, budget)


# --- ods --------------------------------------------------------------------------------------

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


# --- the zip container ------------------------------------------------------------------------


def scan_zip(data: bytes, archive: zipfile.ZipFile, filename: str, limits: Limits) -> Budget:
    """Check an .xlsx or .ods archive whole (see the module's docstring)."""
    budget = Budget(filename, limits)
    try:
        box = _Zip(data, archive, filename, limits)
        if any(key in box.entries for key in XLSB_PARTS):
            raise _xlsb(filename)
        _scan_xlsx(box, budget)
        _scan_ods(box, budget)
        for key in list(box.entries):  # every other part: its real size and CRC
            if key not in box.done:
                box.drain(key)
    except DAMAGED_ERRORS as exc:
        raise damaged(filename) from exc
    return budget


# --- xls: the OLE container -------------------------------------------------------------------


def _check_ole(data: bytes, filename: str) -> tuple[str, bytes]:
    """The compound file's header and chains, where calamine reserves or loops on what the
    file says: FAT, mini FAT and DIFAT sizes bounded by the file, a DIFAT and a directory chain
    that do not loop, no directory entry longer than the file. Returns the name of the stream
    calamine reads ("Workbook", else "Book"; an ambiguous name is refused) and its bytes, read
    the way calamine reads them (from the mini stream when shorter than 4,096 bytes)."""
    if len(data) < 512:
        raise damaged(filename)
    header = data[:512]
    shift, mini_shift = struct.unpack_from("<HH", header, 30)
    if shift not in (9, 12) or mini_shift != 6:
        raise damaged(filename)
    size = 1 << shift
    sectors = len(data) // size
    fat_sectors, dir_start = struct.unpack_from("<II", header, 44)
    (mini_fat_start,) = struct.unpack_from("<I", header, 60)
    mini_fat_sectors, difat_start, difat_sectors = struct.unpack_from("<III", header, 64)
    (calamine_difat,) = struct.unpack_from("<I", header, 62)  # what calamine reserves
    if (
        fat_sectors > sectors
        or mini_fat_sectors > sectors
        or difat_sectors > sectors
        or calamine_difat > 16 * 1024 * 1024
    ):
        raise damaged(filename)
    per_sector = size // 4

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise damaged(filename)
        start = 512 + number * size if shift == 9 else (number + 1) * size
        return data[start : start + size]

    def numbers(number: int) -> tuple[int, ...]:
        return struct.unpack(f"<{per_sector}I", sector(number).ljust(size, b"\0"))

    def chain(start: int, table: Sequence[int], length: int, read: Callable[[int], bytes]) -> bytes:
        """A stream as calamine's ``get_chain`` reads it; a loop or a sector out of the table
        is a damaged file (calamine would read for ever or panic)."""
        out = bytearray()
        seen: set[int] = set()
        number = start
        while number != ENDOFCHAIN and len(out) < length:
            if number in seen or number >= len(table):
                raise damaged(filename)
            seen.add(number)
            out += read(number)[: length - len(out)]
            number = table[number]
        return bytes(out)

    difat = list(struct.unpack_from("<109I", header, 76))
    seen: set[int] = set()
    number = difat_start
    while number < OLE_SECTOR_LIMIT:  # calamine follows this chain without end
        if number in seen:
            raise damaged(filename)
        seen.add(number)
        entries = numbers(number)
        difat.extend(entries[:-1])
        number = entries[-1]
    fat: list[int] = []
    for number in difat:
        if number < DIFSECT:
            fat.extend(numbers(number))
    directory = chain(dir_start, fat, len(data) + 1, sector)  # no bound in calamine
    found: list[tuple[str, int, int]] = []
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        name = entry[:64].decode("utf-16-le", "replace").split("\0")[0]  # as calamine does
        (start,) = struct.unpack_from("<I", entry, 116)
        (length,) = struct.unpack_from("<Q" if shift == 12 else "<I", entry, 120)
        if length > len(data):
            raise damaged(filename)
        found.append((name, start, length))
    names = [name for name, _start, _length in found]
    folded = [name.lower() for name in names]
    if "encryptedpackage" in folded:  # an encrypted .xlsx inside an OLE file
        raise password(filename)
    wanted = next((n for n in ("Workbook", "Book") if n.lower() in folded), None)
    if wanted is None or folded.count(wanted.lower()) != 1 or wanted not in names:
        raise damaged(filename)
    _name, start, length = found[names.index(wanted)]
    if length >= 4096:
        return wanted, chain(start, fat, length, sector)
    if not mini_fat_sectors:
        raise damaged(filename)
    mini_stream = chain(found[0][1], fat, found[0][2], sector)
    mini_table = chain(mini_fat_start, fat, mini_fat_sectors * size, sector)
    mini_fat = struct.unpack(f"<{len(mini_table) // 4}I", mini_table[: len(mini_table) // 4 * 4])

    def mini(number: int) -> bytes:
        return mini_stream[number * 64 : number * 64 + 64]

    return wanted, chain(start, mini_fat, length, mini)


def _biff_records(stream: bytes, start: int, filename: str) -> Iterator[tuple[int, int, int]]:
    """(type, data offset, data length) of each record from ``start``."""
    position = start
    end = len(stream)
    while position < end:
        if end - position < 4:
            raise damaged(filename, "Workbook")
        kind, length = struct.unpack_from("<HH", stream, position)
        if position + 4 + length > end:
            raise damaged(filename, "Workbook")
        yield kind, position + 4, length
        position += 4 + length


def _sst_lengths(stream: bytes, pieces: list[tuple[int, int]], budget: Budget) -> array[int]:
    """The length of each string of the SST record and its CONTINUE records (as calamine reads
    them: a string's characters may go on in the next record, after a new flags byte)."""
    filename = budget.filename
    lengths = array("L")
    index = 0
    data = memoryview(stream)[pieces[0][0] + 8 : pieces[0][0] + pieces[0][1]]

    def next_piece() -> memoryview | None:
        nonlocal index
        index += 1
        if index >= len(pieces):
            return None
        offset, length = pieces[index]
        return memoryview(stream)[offset : offset + length]

    def skip(count: int) -> None:
        nonlocal data
        while count:
            if not data:
                piece = next_piece()
                if piece is None:
                    raise damaged(filename, "Workbook")
                data = piece
            step = min(count, len(data))
            data = data[step:]
            count -= step

    while True:
        if not data:
            piece = next_piece()
            if piece is None:
                break
            data = piece
            continue
        if len(data) < 3:
            raise damaged(filename, "Workbook")
        count, flags = struct.unpack_from("<HB", data, 0)
        data = data[3:]
        runs = extra = 0
        if flags & 0x8:
            (runs,) = struct.unpack_from("<H", data, 0)
            data = data[2:]
        if flags & 0x4:
            (extra,) = struct.unpack_from("<i", data, 0)
            data = data[4:]
            if extra < 0:
                raise damaged(filename, "Workbook")
        wide = flags & 0x1
        left = count
        while left:
            width = 2 if wide else 1
            take = min(left, len(data) // width)
            data = data[take * width :]
            left -= take
            if left:
                piece = next_piece()
                if piece is None or not piece:
                    raise damaged(filename, "Workbook")
                wide = piece[0] & 0x1
                data = piece[1:]
        skip(runs * 4)
        skip(extra)
        lengths.append(count)
        if len(lengths) > budget.limits.max_shared_strings:
            raise _too_many_strings(filename, budget.limits)
    return lengths


_U16 = struct.Struct("<H")
_CELL = struct.Struct("<HH")


def _scan_biff(stream: bytes, budget: Budget) -> None:
    filename = budget.filename
    limits = budget.limits
    records = _biff_records(stream, 0, filename)
    first = next(records, None)
    if first is None or first[0] != 0x0809:
        raise damaged(filename, "Workbook")
    sheets: list[tuple[int, str]] = []
    strings = array("L")
    pending: list[tuple[int, int]] | None = None
    for kind, offset, length in records:
        if pending is not None:
            if kind == 0x003C:
                pending.append((offset, length))
                continue
            strings = _sst_lengths(stream, pending, budget)
            pending = None
        if kind == 0x002F:  # FILEPASS
            raise password(filename)
        if kind == 0x0085:  # BOUNDSHEET
            if length < 8:
                raise damaged(filename, "Workbook")
            (position,) = struct.unpack_from("<I", stream, offset)
            name_length = stream[offset + 6]
            wide = length > 7 and stream[offset + 7] & 0x1
            raw = stream[offset + 8 : offset + 8 + name_length * (2 if wide else 1)]
            name = raw.decode("utf-16-le" if wide else "latin-1", "replace")
            sheets.append((position, name))
            if len(sheets) > limits.max_sheets:
                raise _too_many_sheets(filename, len(sheets), limits.max_sheets)
        elif kind == 0x00FC:  # SST, its CONTINUE records follow
            if length < 8:
                raise damaged(filename, "Workbook")
            pending = [(offset, length)]
        elif kind == 0x000A:  # EOF of the globals
            break
    if pending is not None:
        strings = _sst_lengths(stream, pending, budget)
    for position, name in sheets:
        if position >= len(stream):
            raise damaged(filename, "Workbook")
        extent = budget.sheet(name)
        _scan_biff_sheet(stream, position, extent, strings, budget)
        extent.close()


def _scan_biff_sheet(
    stream: bytes, position: int, extent: SheetExtent, strings: array[int], budget: Budget
) -> None:
    filename = budget.filename
    limits = budget.limits
    depth = 0
    formula = (0, 0)
    unpack_cell = _CELL.unpack_from
    for kind, offset, length in _biff_records(stream, position, filename):
        if kind == 0x0809:
            depth += 1
            continue
        if kind == 0x000A:
            depth -= 1
            if depth <= 0:
                return
            continue
        if kind in (0x0203, 0x027E, 0x0205, 0x0204, 0x00D6, 0x00FD, 0x0006):
            minimum = {0x0203: 14, 0x027E: 10, 0x0205: 8, 0x0006: 20, 0x00FD: 10}.get(kind, 8)
            if length < minimum:
                raise damaged(filename, extent.name)
            row, col = unpack_cell(stream, offset)
            extent.cell(row, col)
            if kind == 0x0006:
                formula = (row, col)
            elif kind == 0x0204 or kind == 0x00D6:  # LABEL, RSTRING
                (count,) = _U16.unpack_from(stream, offset + 6)
                extent.text(row, col, count)
            elif kind == 0x00FD:  # LABELSST
                (index,) = struct.unpack_from("<I", stream, offset + 6)
                if index < len(strings):
                    extent.text(row, col, strings[index], 1)
        elif kind == 0x00BD:  # MULRK: one row, several columns
            if length < 6 or (length - 6) % 6:
                raise damaged(filename, extent.name)
            row, first = unpack_cell(stream, offset)
            (last,) = _U16.unpack_from(stream, offset + length - 2)
            count = (length - 6) // 6
            if last < first or last - first + 1 != count:
                raise damaged(filename, extent.name)
            extent.cell(row, first + count - 1)
        elif kind == 0x0207:  # STRING: the text a formula gave, a cell at the formula's place
            if length < 2:
                raise damaged(filename, extent.name)
            (count,) = _U16.unpack_from(stream, offset)
            extent.cell(*formula)
            extent.text(formula[0], formula[1], count)
        elif kind == 0x0200:  # DIMENSIONS: calamine reserves rows × columns from it
            _dimensions(stream, offset, length, extent, limits)
        elif kind == 0x00E5:  # MERGEDCELLS
            if length < 2:
                raise damaged(filename, extent.name)
            (count,) = _U16.unpack_from(stream, offset)
            if length < 2 + 8 * count:
                raise damaged(filename, extent.name)
            budget.add_merged(count)


def _dimensions(stream: bytes, offset: int, length: int, extent: SheetExtent, limits: Any) -> None:
    filename = extent.budget.filename
    if length == 14:
        first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", stream, offset)
    elif length == 10:
        first_row, end_row, first_col, end_col = struct.unpack_from("<HHHH", stream, offset)
    else:
        raise damaged(filename, extent.name)
    if first_col > 0xFF or end_col < first_col:
        first_col = 0
    if end_row < 1 or end_col < 1:
        return
    if first_row > end_row:
        raise damaged(filename, extent.name)
    if (end_row - first_row) * (end_col - first_col) > limits.max_cells:
        raise _too_many_cells(filename, extent.name, end_row - 1, end_col - 1, limits.max_cells)


def scan_ole(data: bytes, filename: str, limits: Limits) -> Budget:
    """Check an .xls file whole (see the module's docstring)."""
    budget = Budget(filename, limits)
    try:
        name, stream = _check_ole(data, filename)
        with olefile.OleFileIO(io.BytesIO(data)) as ole:  # its own reading must agree
            if ole.get_size(name) != len(stream):
                raise damaged(filename)
            with ole.openstream(name) as handle:
                if handle.read() != stream:
                    raise damaged(filename)
        _scan_biff(stream, budget)
    except DAMAGED_ERRORS as exc:
        raise damaged(filename) from exc
    return budget


def scan(data: bytes, filename: str, limits: Limits, kind: str) -> Budget:
    """Check every sheet of an upload against ``limits`` before any reader opens it. ``kind``
    is the container ("zip" or "ole"). Returns what the sheets use; raises ``ApplicationError``
    naming the file (and the sheet and cell where it applies) at the first excess."""
    if kind == "ole":
        return scan_ole(data, filename, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except DAMAGED_ERRORS as exc:
        raise damaged(filename) from exc
    with archive:
        return scan_zip(data, archive, filename, limits)
