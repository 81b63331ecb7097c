"""The marked copy of an uploaded workbook: the user's own file with each wrong cell filled red
and commented with what is wrong, and a last sheet “Lỗi” listing every error.

It is made within the same limits as the upload itself (issue 12): ``check_upload`` runs
first, and a file it refuses is never reopened by any reader — the answer is then a small new
workbook holding only the list of errors and the reason. An .xlsx is patched at the zip/XML
level as a stream (``xlsx.patch``): every part of the user's file is copied unchanged except
the styles (one red fill and a red copy of each style a wrong cell uses), the worksheets with
wrong cells (their ``s`` attributes, the empty wrong cells inserted, comments), the workbook
and the package's lists of parts, so memory does not grow with the sheet and the user's
values, formulas, merges, widths, styles, other sheets and pictures stay byte for byte. An
.xls or .ods upload, or an .xlsx whose structure cannot be patched safely, comes back rebuilt
from its values (``rebuild.values``), written with xlsxwriter in constant-memory mode. See
docs/decisions.md D41.
"""

from __future__ import annotations

import io
import logging
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

from kehoach.core.cells_out import xml_text
from kehoach.core.errors import ApplicationError

from ..reading import check_upload, open_workbook
from . import rebuild, xlsx

__all__ = ["ERRORS_SHEET", "Marks", "marked_copy"]

logger = logging.getLogger(__name__)

ERRORS_SHEET = "Lỗi"
"""The name of the sheet that lists the errors (``reading.SKIP_SHEETS`` skips it on upload)."""
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384


@dataclass
class Marks:
    """What to mark: for each sheet, row and column (1-based) the comment of the wrong cell,
    and the rows of the “Lỗi” sheet (its header first)."""

    cells: dict[str, dict[int, dict[int, str]]] = field(default_factory=dict)
    listing: list[tuple[str, str, str]] = field(default_factory=list)


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        if not "A" <= char <= "Z":
            return 0
        number = number * 26 + ord(char) - 64
    return number


def marks_of(errors: list[dict[str, Any]], note: str = "") -> Marks:
    """The marks of an import record's errors (``CellError.as_dict`` or ``services._errors``:
    sheet, row, column letter, message, problem). An error without a sheet or row is only
    listed; one without a column marks column A, as before. ``note`` (why the user's file
    itself is not given back) is listed first when it is not already one of the errors."""
    marks = Marks()
    marks.listing.append((_("Sheet"), _("Cell"), _("What is wrong")))
    messages = {str(error.get("message") or "") for error in errors}
    if note and note not in messages:
        marks.listing.append(("", "", xml_text(note)))
    for error in errors:
        sheet = str(error.get("sheet") or "")
        row = error.get("row")
        letters = str(error.get("column") or "")
        message = xml_text(str(error.get("message") or ""))
        marks.listing.append((xml_text(sheet), f"{letters}{row or ''}", message))
        if not sheet or sheet.casefold() == ERRORS_SHEET.casefold() or not isinstance(row, int):
            continue
        column = _column_number(letters) if letters else 1
        if not (1 <= row <= MAX_ROW and 1 <= column <= MAX_COLUMN):
            continue
        comment = xml_text(str(error.get("problem") or message))
        cells = marks.cells.setdefault(sheet, {}).setdefault(row, {})
        cells[column] = f"{cells[column]}\n{comment}" if column in cells else comment
    return marks


def marked_copy(data: bytes, filename: str, errors: list[dict[str, Any]]) -> bytes:
    """The user's workbook with each wrong cell marked, as .xlsx bytes; see the module."""
    try:
        kind = check_upload(data, filename)
    except ApplicationError as exc:
        return rebuild.values(None, marks_of(errors, exc.message))
    marks = marks_of(errors)
    if kind == "zip" and _is_xlsx(data):
        try:
            return xlsx.patch(data, marks)
        except (
            xlsx.Unpatchable,
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,  # a compression method zipfile does not know
            RuntimeError,  # an encrypted entry
            EOFError,
            OSError,
            KeyError,
            ValueError,
            ParseError,
            DefusedXmlException,
        ):
            pass  # not a structure we patch safely: rebuild it from its values
        except Exception:  # a defect here must not cost the user the copy: rebuild it
            logger.exception("Marking %r by patching failed; rebuilding it.", filename)
    try:
        book = open_workbook(data, filename)
    except ApplicationError as exc:
        return rebuild.values(None, marks_of(errors, exc.message))
    return rebuild.values(book, marks)


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(name.lower() == "[content_types].xml" for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
