"""Opening an uploaded workbook safely and finding its table.

``open_workbook`` takes the bytes as uploaded (.xlsx, .xlsm refused, .xls, .ods) and checks
them before anything parses them (``check_upload``): the size, the archive's declared
uncompressed size and entry count (a zip bomb is refused without being inflated), macros
(refused), then ``scan`` reads every sheet as a stream and refuses a file over the limits
(rows, columns, used area, text, shared strings, forged sizes, XML bombs, password protection)
before python-calamine, which allocates from the cell positions it reads, ever sees it. The
cells are then read with python-calamine, which returns each formula's value as last
calculated by Excel or LibreOffice and never evaluates anything; external links are not
followed. Any failure of the reader, a Rust panic included, is a damaged file; the limits on
sheets, rows and columns are checked again on what it read.

``find_header`` finds a layout's columns on a sheet by their header text, the way a person
would: anywhere in the first rows, in one row or two (a merged parent header over its
children, "Dân đóng góp > Tiền mặt"), whatever the case, diacritics (NFD or NFC) or extra
spaces, and in legacy TCVN3/VNI text. ``data_rows`` gives the rows under it, skipping blank
rows, the row of column numbers, section headings ("I. Hạ tầng") and total rows, each skip
noted for the preview.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, PasswordError

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.legacy import detect_legacy_many, legacy_converter
from kehoach.core.numbers import format_number_vi
from kehoach.core.text import fold

from . import scan

HEADER_SCAN_ROWS = 40
SKIP_SHEETS = {"lỗi", "hướng dẫn", "danh mục", "_kehoach"}
MACRO_SUFFIXES = {"xlsm", "xltm", "xlsb", "xlam"}
ZIP_SUFFIXES = {"xlsx", "ods"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TOTAL_WORDS = ("tong cong", "cong", "tong so", "tong", "total", "sum")
TOTAL_PREFIXES = ("tong cong ", "tong so ", "cong toan ", "cong chung")
ROMAN = re.compile(r"^(?=[ivxlc]+$)m{0,3}(c[md]|d?c{0,3})(x[cl]|l?x{0,3})(i[xv]|v?i{0,3})$")


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

    def sheet(self, name: str) -> Sheet:
        return self.sheets[name]

    def data_sheet(self, preferred: str) -> str:
        """The sheet named like the form, or else the first visible sheet that is not one of
        the helper sheets (instructions, lists, errors)."""
        if preferred in self.sheets:
            return preferred
        for name in self.sheet_names:
            if name not in self.hidden and name.casefold() not in SKIP_SHEETS:
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
    return Book(readable, hidden & set(readable), sheets)


# --- headers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderSpec:
    """A column the layout expects: its key and the header texts that name it."""

    key: str
    labels: Sequence[str]
    required: bool = False


@dataclass
class Header:
    row: int
    """0-based index of the last header row; data starts below it."""
    columns: dict[str, int]
    """Layout key → 0-based column."""
    letters: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)


_PAREN = re.compile(r"\([^)]*\)")
_STAR = re.compile(r"[*:]+")


def _norm(text: str) -> str:
    return " ".join(_STAR.sub(" ", fold(text)).split())


def _loose(text: str) -> str:
    return " ".join(_PAREN.sub(" ", _norm(text)).split())


def _grid_text(sheet: Sheet, rows: int) -> list[list[str]]:
    """The first rows as text, each merged range filled with its top-left value."""
    top = [
        ["" if v is None or v == "" else str(v).strip() for v in row] for row in sheet.grid[:rows]
    ]
    covered: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= len(top) or (r0, c0) in covered:
            continue  # below the header rows, or inside a range already filled
        value = top[r0][c0] if c0 < len(top[r0]) else ""
        for r in range(r0, min(r1, len(top) - 1) + 1):
            for c in range(c0, min(c1, len(top[r]) - 1) + 1):
                if (r, c) in covered:  # ranges never overlap in a real file
                    break
                covered.add((r, c))
                top[r][c] = value
    return top


def _candidates(top: list[list[str]], r: int, c: int, parents: list[str]) -> list[str]:
    own = top[r][c] if c < len(top[r]) else ""
    parent = parents[c] if c < len(parents) else ""
    out = []
    if own:
        out.append(own)
        if parent and parent != own:
            out.append(f"{parent} > {own}")
    elif parent:  # a header over two rows whose merge was lost
        out.append(parent)
    return out


def _parents(top: list[list[str]], r: int) -> list[str]:
    """The row above, with a parent typed once over several children carried to the right
    (a merge lost when the file was converted)."""
    if r == 0:
        return []
    above, here = top[r - 1], top[r]
    out = []
    last = ""
    for c in range(len(here)):
        value = above[c] if c < len(above) else ""
        if value:
            last = value
        elif not here[c]:
            last = ""
        out.append(value or (last if here[c] else ""))
    return out


def _match_row(top: list[list[str]], r: int, specs: Sequence[HeaderSpec]) -> dict[str, int]:
    parents = _parents(top, r)
    cells = [
        [(_norm(t), _loose(t)) for t in _candidates(top, r, c, parents)] for c in range(len(top[r]))
    ]
    found: dict[str, int] = {}
    used: set[int] = set()
    for loose in (False, True):
        for spec in specs:
            if spec.key in found:
                continue
            wanted = {(_loose(label) if loose else _norm(label)) for label in spec.labels}
            for c, names in enumerate(cells):
                if c in used:
                    continue
                if any((pair[1] if loose else pair[0]) in wanted for pair in names):
                    found[spec.key] = c
                    used.add(c)
                    break
    return found


def _best_header(top: list[list[str]], specs: Sequence[HeaderSpec]) -> tuple[int, dict[str, int]]:
    best: tuple[int, dict[str, int]] = (-1, {})
    for r in range(len(top)):
        found = _match_row(top, r, specs)
        if len(found) > len(best[1]):
            best = (r, found)
    return best


def find_header(sheet: Sheet, specs: Sequence[HeaderSpec]) -> Header:
    """The header row of a layout's columns on a sheet; raises ``ApplicationError`` naming
    the required columns it could not find."""
    top = _grid_text(sheet, HEADER_SCAN_ROWS)
    row, found = _best_header(top, specs)
    encoding = None
    needed = [s for s in specs if s.required]
    if any(s.key not in found for s in needed):
        encoding = detect_legacy_many(t for line in top for t in line if t)
        convert = legacy_converter(encoding)
        if convert is not None:
            converted = [[convert(t) for t in line] for line in top]
            row2, found2 = _best_header(converted, specs)
            if len(found2) > len(found):
                row, found = row2, found2
            else:
                encoding = None
    missing = [s for s in needed if s.key not in found]
    if missing or row < 0:
        names = ", ".join(f"“{(s.labels[0] if s.labels else s.key)}”" for s in missing or needed)
        raise ApplicationError(
            "columns_missing",
            _(
                "Sheet “%(sheet)s”: the columns %(names)s were not found. Use the workbook "
                "downloaded from kehoach, or give the columns these headers."
            )
            % {"sheet": sheet.name, "names": names},
            Where(sheet=sheet.name),
        )
    return Header(
        row=row,
        columns=found,
        letters={key: get_column_letter(c + 1) for key, c in found.items()},
        encoding=encoding,
    )


# --- data rows --------------------------------------------------------------------------------


@dataclass
class DataRow:
    """A data row: its number on the sheet and its raw values by layout key (the column
    letter of each key is ``Header.letters``)."""

    number: int
    values: dict[str, Any]


def _is_number_row(values: list[Any]) -> bool:
    """The row of column numbers under the header: 1, 2, 3 … or (1), (2), (3) …"""
    filled = [v for v in values if v is not None and v != ""]
    if len(filled) < 2:
        return False
    numbers = []
    for v in filled:
        text = str(v).strip().strip("()")
        try:
            numbers.append(float(text))
        except ValueError:
            return False
    return numbers == sorted(numbers) and all(n == int(n) for n in numbers)


def _first_texts(values: list[Any]) -> list[str]:
    return [fold(str(v)) for v in values if isinstance(v, str) and v.strip()]


def _is_total_row(values: list[Any]) -> bool:
    """ "Tổng cộng", "Cộng", "Tổng số" … in the first text cell, at most one other text, and no
    line number in the first column."""
    if values and isinstance(values[0], int | float) and not isinstance(values[0], bool):
        return False
    texts = _first_texts(values)
    if not texts:
        return False
    head = texts[0].rstrip(":").strip()
    return len(texts) <= 2 and (head in TOTAL_WORDS or head.startswith(TOTAL_PREFIXES))


def _is_section_row(values: list[Any]) -> bool:
    """A heading such as "I | HẠ TẦNG" or "A. Kinh tế": a roman numeral or a letter in the
    first column, perhaps a title, and nothing else."""
    filled = [(c, v) for c, v in enumerate(values) if v is not None and v != ""]
    if not filled or filled[0][0] != 0 or len(filled) > 2:
        return False
    if not all(isinstance(v, str) for _c, v in filled):
        return False
    first = fold(str(filled[0][1])).rstrip(".").strip()
    token = first.split(" ")[0].rstrip(".")
    return bool(ROMAN.match(token)) or (len(token) == 1 and token.isalpha() and len(filled) <= 2)


def _readings(values: list[Any], convert: Any) -> list[list[Any]]:
    """The row as read and, when it may be a total or heading row (at most two texts) with
    non-ASCII text, as TCVN3 and VNI would read it, so that "Tæng céng" is known for a total
    row before the sheet's encoding is decided."""
    texts = [v for v in values if isinstance(v, str) and v.strip()]
    if len(texts) > 2:
        return []  # a data row: neither a total nor a heading
    if convert is not None:
        return [[convert(v) if isinstance(v, str) else v for v in values]]
    if all(t.isascii() for t in texts):
        return [values]
    out = [values]
    for encoding in ("tcvn3", "vni"):
        legacy = legacy_converter(encoding)
        assert legacy is not None
        out.append([legacy(v) if isinstance(v, str) else v for v in values])
    return out


def data_rows(sheet: Sheet, header: Header) -> Iterator[DataRow]:
    """The rows under a header that hold data, as raw values by layout key. Skipped rows are
    added to ``header.skipped`` with the reason."""
    convert = legacy_converter(header.encoding)
    wanted = sorted(header.columns.items(), key=lambda item: item[1])
    for index in range(header.row + 1, len(sheet.grid)):
        raw = sheet.grid[index]
        width = len(raw)
        cells_in = [raw[c] if c < width and raw[c] != "" else None for _key, c in wanted]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells_in):
            continue
        number = index + 1
        if _is_number_row(cells_in):
            header.skipped.append((number, _("the row of column numbers")))
            continue
        variants = _readings(cells_in, convert)
        if any(_is_total_row(v) for v in variants):
            header.skipped.append((number, _("a total row")))
            continue
        if any(_is_section_row(v) for v in variants):
            header.skipped.append((number, _("a heading row")))
            continue
        if convert is not None:
            cells_in = [convert(v) if isinstance(v, str) else v for v in cells_in]
        yield DataRow(number, {key: cells_in[i] for i, (key, _c) in enumerate(wanted)})
