"""Opening an uploaded workbook safely and finding its table.

``open_workbook`` takes the bytes as uploaded (.xlsx, .xlsm refused, .xls, .ods) and checks
them before anything parses them: the size, the archive's uncompressed size and entry count
(a zip bomb is refused without being inflated), macros (refused), password protection. The
cells are then read with python-calamine, which returns each formula's value as last
calculated by Excel or LibreOffice and never evaluates anything; external links are not
followed. Limits on sheets, rows and columns keep one upload from taking the server's memory.

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
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.legacy import detect_legacy_many, legacy_converter
from kehoach.core.text import fold

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
    proposal lines fit), small enough that a hostile file cannot exhaust the server."""

    max_bytes: int = 20 * 1024 * 1024
    max_uncompressed: int = 300 * 1024 * 1024
    max_entries: int = 2_000
    max_sheets: int = 50
    max_rows: int = 100_000
    max_columns: int = 200


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


def _check_zip(data: bytes, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _refuse(
            "file_damaged",
            _("The file is damaged or is not an Excel workbook; save it again as .xlsx."),
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise _refuse(
                "file_too_complex",
                _("The workbook has too many parts (%(n)s); it cannot be a form workbook.")
                % {"n": len(entries)},
            )
        total = sum(entry.file_size for entry in entries)
        if total > limits.max_uncompressed:
            raise _refuse(
                "file_too_big_unpacked",
                _(
                    "Unpacked, the workbook would take %(mb)s MB, more than the %(limit)s MB "
                    "allowed. Remove what the form does not need (pictures, other sheets) and "
                    "upload it again."
                )
                % {"mb": total // (1024 * 1024), "limit": limits.max_uncompressed // (1024 * 1024)},
            )
        names = [entry.filename.lower() for entry in entries]
        content_types = ""
        if "[content_types].xml" in names:
            with archive.open(
                archive.getinfo(entries[names.index("[content_types].xml")].filename)
            ) as f:
                content_types = f.read(1_000_000).decode("utf-8", "replace").lower()
        if (
            any(n.endswith("vbaproject.bin") for n in names)
            or "macroenabled" in content_types
            or any(n.startswith(("basic/", "scripts/")) for n in names)
        ):
            raise _macros()


def _macros() -> ApplicationError:
    return _refuse(
        "file_has_macros",
        _(
            "The workbook contains macros, which kehoach does not accept. In Excel, save it as "
            "“Excel Workbook (*.xlsx)” (without macros) and upload that file."
        ),
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
            _("The file is larger than %(mb)s MB; split it or remove what is not needed.")
            % {"mb": limits.max_bytes // (1024 * 1024)},
        )
    if not data:
        raise _refuse("file_empty", _("The file is empty."))
    if suffix in MACRO_SUFFIXES:
        raise _macros()
    if data[:4] == b"PK\x03\x04":
        _check_zip(data, limits)
        return "zip"
    if data[:8] == OLE_MAGIC:
        if "_VBA_PROJECT".encode("utf-16-le") in data:
            raise _macros()
        return "ole"
    raise _refuse(
        "file_type",
        _(
            "“%(name)s” is not an Excel or LibreOffice workbook. Upload a .xlsx, .xls or "
            ".ods file."
        )
        % {"name": filename},
    )


def open_workbook(data: bytes, filename: str, *, limits: Limits | None = None) -> Book:
    """Check and read an uploaded workbook; raises ``ApplicationError`` with a Vietnamese
    message (what is wrong, what to do) when it cannot or may not be read."""
    limits = limits or Limits()
    check_upload(data, filename, limits=limits)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise _refuse(
            "file_password",
            _("The workbook is protected by a password; remove the password and upload it again."),
        ) from None
    except (CalamineError, ValueError, OSError) as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise _refuse(
                "file_password",
                _(
                    "The workbook is protected by a password; remove the password and upload "
                    "it again."
                ),
            ) from None
        raise _refuse(
            "file_damaged",
            _("The file is damaged or is not an Excel workbook; save it again as .xlsx."),
        ) from None
    names = list(book.sheet_names)
    if len(names) > limits.max_sheets:
        raise _refuse(
            "file_too_complex",
            _("The workbook has %(n)s sheets; at most %(limit)s are accepted.")
            % {"n": len(names), "limit": limits.max_sheets},
        )
    hidden = {
        meta.name for meta in book.sheets_metadata if str(meta.visible).split(".")[-1] != "Visible"
    }
    sheets: dict[str, Sheet] = {}
    for name in names:
        try:
            raw = book.get_sheet_by_name(name)
        except Exception:  # a chart sheet or a sheet calamine cannot read: not a data sheet
            continue
        height, width = raw.end[0] + 1 if raw.end else 0, raw.end[1] + 1 if raw.end else 0
        if height > limits.max_rows:
            raise _refuse(
                "file_too_many_rows",
                _(
                    "Sheet “%(sheet)s” has %(n)s rows; at most %(limit)s are accepted. Split the "
                    "data into several files."
                )
                % {"sheet": name, "n": height, "limit": limits.max_rows},
            )
        if width > limits.max_columns:
            raise _refuse(
                "file_too_many_columns",
                _("Sheet “%(sheet)s” has %(n)s columns; at most %(limit)s are accepted.")
                % {"sheet": name, "n": width, "limit": limits.max_columns},
            )
        try:
            grid = raw.to_python(skip_empty_area=False)
            merged = list(raw.merged_cell_ranges or [])
        except Exception:
            raise _refuse(
                "file_damaged",
                _("Sheet “%(sheet)s” cannot be read; save the workbook again as .xlsx.")
                % {"sheet": name},
            ) from None
        sheets[name] = Sheet(name, grid, merged)
    book.close()
    readable = [name for name in names if name in sheets]
    if not readable:
        raise _refuse("file_no_sheet", _("The workbook has no sheet with data."))
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
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= rows:
            continue
        value = top[r0][c0] if c0 < len(top[r0]) else ""
        for r in range(r0, min(r1, rows - 1) + 1):
            for c in range(c0, c1 + 1):
                if c < len(top[r]):
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
