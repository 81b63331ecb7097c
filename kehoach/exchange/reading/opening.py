"""Opening an uploaded workbook safely: ``check_upload`` (size, type, archive, macros, then
``scan`` over every sheet before any reader) and ``open_workbook`` (python-calamine, its
failures as a damaged file, the limits checked again on what it read); the ``Book``, ``Sheet``,
``Row`` and ``Cell`` it gives."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, PasswordError

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.legacy import detect_legacy, legacy_converter
from kehoach.core.numbers import format_number_vi
from kehoach.core.text import fold

from .. import scan

SKIP_SHEETS = {"lỗi", "hướng dẫn", "danh mục", "_kehoach"}
SKIP_FOLDED = {"loi", "huong dan", "danh muc", "_kehoach"}
MACRO_SUFFIXES = {"xlsm", "xltm", "xlsb", "xlam"}
ZIP_SUFFIXES = {"xlsx", "ods"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    """What one upload may hold. Generous for a commune's workbook (a province's 20,000
    proposal lines fit), small enough that a hostile file cannot exhaust the server. Every
    limit but the first three is checked by ``scan`` on the stream, before a reader allocates
    anything (decisions.md D40)."""

    max_bytes: int = 20 * 1024 * 1024
    """The file as uploaded."""
    max_uncompressed: int = 300 * 1024 * 1024
    """All the parts of an .xlsx or .ods, unpacked (declared and real sizes)."""
    max_entries: int = 2_000
    """Parts in an .xlsx or .ods archive."""
    max_sheets: int = 50
    max_rows: int = 100_000
    """Of a sheet, counted from row 1 to its last cell holding a value."""
    max_columns: int = 200
    """Of a sheet, counted from column A to its last cell holding a value (column GR)."""
    max_cells: int = 1_000_000
    """The used area (rows × columns from A1, the table a reader builds) summed over the
    sheets: a 20,000-line F6 uses 460,000; a reader takes about 40 MB per million."""
    max_sheet_xml: int = 100 * 1024 * 1024
    """The sheets' XML unpacked (content.xml of an .ods): a 20,000-line F6 takes 16.5 MB."""
    max_shared_strings: int = 500_000
    """Different texts in the shared strings of an .xlsx or the SST of an .xls."""
    max_shared_strings_bytes: int = 50 * 1024 * 1024
    """The shared strings of an .xlsx unpacked."""
    max_part_xml: int = 20 * 1024 * 1024
    """Each other part a reader parses (workbook, relationships, styles, manifest)."""
    max_cell_text: int = 32_767
    """Characters in one cell: Excel's own limit."""
    max_text: int = 20_000_000
    """Characters the cells hold in all, once every shared string is copied into each cell
    that uses it (a reader does so): a 20,000-line F6 holds about 3 million."""
    max_merged: int = 100_000
    """Merged cell ranges in all the sheets (each becomes an object when read)."""


def _refuse(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, Where())


@dataclass
class Cell:
    """One cell: its value (as calamine gives it: str, float, int, bool, date, datetime or
    None) and its column letter."""

    value: Any
    column: str


@dataclass
class Row:
    number: int
    cells: list[Cell]


@dataclass
class Sheet:
    name: str
    grid: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def rows(self) -> Iterator[Row]:
        """Every row from row 1, cells from column A (empty ones as None)."""
        for index, values in enumerate(self.grid):
            yield Row(
                index + 1,
                [
                    Cell(None if v == "" else v, get_column_letter(col + 1))
                    for col, v in enumerate(values)
                ],
            )

    def value(self, row: int, col: int) -> Any:
        """0-based row and column; None outside the used range or when empty."""
        if row < len(self.grid) and col < len(self.grid[row]):
            value = self.grid[row][col]
            return None if value == "" else value
        return None


@dataclass
class Book:
    """An uploaded workbook, read whole by calamine."""

    sheet_names: list[str]
    hidden: set[str]
    sheets: dict[str, Sheet]
    form_hint: str = ""
    """The form whose sheet ``data_sheet`` was last asked for: its header synonyms are used."""

    def sheet(self, name: str) -> Sheet:
        return self.sheets[name]

    def data_sheet(self, preferred: str) -> str:
        """The sheet named like the form (whatever the case, diacritics or legacy encoding of
        its name), or else the first visible sheet that is not one of the helper sheets
        (instructions, lists, errors)."""
        self.form_hint = preferred
        if preferred in self.sheets:
            return preferred
        wanted = fold(preferred)
        for name in self.sheet_names:
            if fold(name) == wanted:
                return name
        for name in self.sheet_names:
            if name not in self.hidden and fold(name) not in SKIP_FOLDED:
                return name
        return self.sheet_names[0]


def _suffix(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _check_zip(data: bytes, filename: str, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except scan.DAMAGED_ERRORS:
        raise scan.damaged(filename) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise _refuse(
                "file_too_complex",
                _("“%(name)s” has too many parts (%(n)s); it cannot be a form workbook.")
                % {"name": filename, "n": format_number_vi(len(entries))},
            )
        total = sum(entry.file_size for entry in entries)
        if total > limits.max_uncompressed:
            raise _refuse(
                "file_too_big_unpacked",
                _(
                    "Unpacked, “%(name)s” would take %(mb)s MB, more than the %(limit)s MB "
                    "allowed. Remove what the form does not need (pictures, other sheets) and "
                    "upload it again."
                )
                % {
                    "name": filename,
                    "mb": total // (1024 * 1024),
                    "limit": limits.max_uncompressed // (1024 * 1024),
                },
            )
        names = [entry.filename.lower() for entry in entries]
        if any(n.endswith("vbaproject.bin") for n in names) or any(
            n.startswith(("basic/", "scripts/")) for n in names
        ):
            raise _macros(filename)
        scan.scan_zip(data, archive, filename, limits)  # every part inflated and checked
        content_types = ""
        if "[content_types].xml" in names:
            info = entries[names.index("[content_types].xml")]
            try:
                with archive.open(info) as f:
                    content_types = f.read(1_000_000).decode("utf-8", "replace").lower()
            except scan.DAMAGED_ERRORS:
                raise scan.damaged(filename, info.filename) from None
        if "macroenabled" in content_types:
            raise _macros(filename)


def _macros(filename: str) -> ApplicationError:
    return _refuse(
        "file_has_macros",
        _(
            "“%(name)s” contains macros, which kehoach does not accept. In Excel, save it as "
            "“Excel Workbook (*.xlsx)” (without macros) and upload that file."
        )
        % {"name": filename},
    )


def check_upload(data: bytes, filename: str, *, limits: Limits | None = None) -> str:
    """Every check that needs no spreadsheet reader: size, type, archive, macros and the
    limits of every sheet (see ``scan``). Returns the container kind ("zip" for .xlsx and
    .ods, "ole" for .xls). Raises ``ApplicationError`` naming the file. Every place that opens
    an upload with calamine or openpyxl calls this first."""
    limits = limits or Limits()
    suffix = _suffix(filename)
    if len(data) > limits.max_bytes:
        raise _refuse(
            "file_too_big",
            _("“%(name)s” is larger than %(mb)s MB; split it or remove what is not needed.")
            % {"name": filename, "mb": limits.max_bytes // (1024 * 1024)},
        )
    if not data:
        raise _refuse("file_empty", _("“%(name)s” is empty.") % {"name": filename})
    if suffix in MACRO_SUFFIXES:
        raise _macros(filename)
    if data[:4] == b"PK\x03\x04":
        _check_zip(data, filename, limits)
        return "zip"
    if data[:8] == OLE_MAGIC:
        if "_VBA_PROJECT".encode("utf-16-le") in data:
            raise _macros(filename)
        scan.scan_ole(data, filename, limits)
        return "ole"
    raise _refuse(
        "file_type",
        _("“%(name)s” is not an Excel or LibreOffice workbook. Upload a .xlsx, .xls or .ods file.")
        % {"name": filename},
    )


def _unreadable(exc: BaseException, filename: str) -> ApplicationError:
    text = str(exc).lower()
    if isinstance(exc, PasswordError) or "password" in text or "encrypt" in text:
        return scan.password(filename)
    return scan.damaged(filename)


def _calamine(call: Any, filename: str) -> Any:
    """Run a calamine call; any failure, a Rust panic included (pyo3's ``PanicException``
    derives from ``BaseException``), is a damaged file."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # a panic in the reader is a damaged file
        raise _unreadable(exc, filename) from None


def open_workbook(data: bytes, filename: str, *, limits: Limits | None = None) -> Book:
    """Check and read an uploaded workbook; raises ``ApplicationError`` with a Vietnamese
    message naming the file (what is wrong, what to do) when it cannot or may not be read."""
    limits = limits or Limits()
    check_upload(data, filename, limits=limits)
    book = _calamine(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)), filename)
    names = _calamine(lambda: list(book.sheet_names), filename)
    if len(names) > limits.max_sheets:
        raise _refuse(
            "file_too_complex",
            _("“%(name)s” has %(n)s sheets; at most %(limit)s are accepted.")
            % {"name": filename, "n": len(names), "limit": limits.max_sheets},
        )
    hidden = _calamine(
        lambda: {
            meta.name
            for meta in book.sheets_metadata
            if str(meta.visible).split(".")[-1] != "Visible"
        },
        filename,
    )
    sheets: dict[str, Sheet] = {}
    for name in names:
        try:
            raw = book.get_sheet_by_name(name)
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException:  # a chart sheet, or a sheet calamine cannot read
            continue
        end = _calamine(lambda raw=raw: raw.end, filename)
        height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
        if height > limits.max_rows:
            raise _refuse(
                "file_too_many_rows",
                _(
                    "“%(name)s”, sheet “%(sheet)s” has %(n)s rows; at most %(limit)s are "
                    "accepted. Split the data into several files."
                )
                % {
                    "name": filename,
                    "sheet": name,
                    "n": format_number_vi(height),
                    "limit": format_number_vi(limits.max_rows),
                },
            )
        if width > limits.max_columns:
            raise _refuse(
                "file_too_many_columns",
                _(
                    "“%(name)s”, sheet “%(sheet)s” has %(n)s columns; at most %(limit)s are "
                    "accepted."
                )
                % {
                    "name": filename,
                    "sheet": name,
                    "n": format_number_vi(width),
                    "limit": format_number_vi(limits.max_columns),
                },
            )
        try:
            grid = raw.to_python(skip_empty_area=False)
            merged = list(raw.merged_cell_ranges or [])
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException:  # a panic in the reader is a damaged sheet
            raise _refuse(
                "file_damaged",
                _("“%(name)s”, sheet “%(sheet)s” cannot be read; save the workbook again as .xlsx.")
                % {"name": filename, "sheet": name},
            ) from None
        sheets[name] = Sheet(name, grid, merged)
    _calamine(book.close, filename)
    readable = [name for name in names if name in sheets]
    if not readable:
        raise _refuse("file_no_sheet", _("“%(name)s” has no sheet with data.") % {"name": filename})
    return _unicode_names(Book(readable, hidden & set(readable), sheets))


def unicode_sheet_name(name: str) -> str:
    """A sheet name typed in TCVN3 or VNI ("BiÓu 02-KHT"), converted ("Biểu 02-KHT")."""
    if name.isascii():
        return name
    convert = legacy_converter(detect_legacy(name))
    return convert(name) if convert is not None else name


def _unicode_names(book: Book) -> Book:
    """The book with its sheets' legacy names converted, so that every message shows them as
    the user sees them in Excel and a form finds its sheet by name."""
    renamed = {name: unicode_sheet_name(name) for name in book.sheet_names}
    if all(old == new for old, new in renamed.items()) or len(set(renamed.values())) < len(renamed):
        return book
    sheets = {}
    for old, sheet in book.sheets.items():
        sheet.name = renamed[old]
        sheets[sheet.name] = sheet
    return Book([renamed[n] for n in book.sheet_names], {renamed[n] for n in book.hidden}, sheets)
