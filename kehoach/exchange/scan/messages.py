"""The refusals of the upload checks: each names the file, and the sheet and cell where it applies,
and says what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.numbers import format_number_vi

if TYPE_CHECKING:
    from ..reading import Limits


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
