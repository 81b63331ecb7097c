"""The errors of an upload's cells: one per wrong cell (sheet, row, column, value, what to do),
at most ``MAX_ERRORS`` listed and the rest counted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.numbers import format_number_vi

from ... import cells


@dataclass
class CellError:
    sheet: str
    row: int
    column: str
    header: str
    value: Any
    message: str
    list: str = ""
    """The layout's list (sectors, sources, units …) of a choice cell not found in it, so that
    the preview can offer to read this text as an entry of it from now on."""

    def as_error(self) -> ApplicationError:
        shown = cells.text(self.value)
        if shown:
            text = _(
                "Sheet “%(sheet)s”, cell %(cell)s (%(header)s), value “%(value)s”: %(problem)s"
            )
        else:
            text = _("Sheet “%(sheet)s”, cell %(cell)s (%(header)s): %(problem)s")
        return ApplicationError(
            "cell_invalid",
            text
            % {
                "sheet": self.sheet,
                "cell": f"{self.column}{self.row}",
                "header": self.header,
                "value": shown,
                "problem": self.message,
            },
            Where(sheet=self.sheet, row=self.row, column=self.column),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "value": cells.text(self.value),
            "message": self.as_error().message,
            "problem": self.message,
            "list": self.list,
        }


MAX_ERRORS = 1_000
"""Cell errors kept for one upload: a 20,000-row workbook with every cell wrong must not build
hundreds of thousands of error objects. The rest are counted, and a last entry says so."""


class ErrorsCapped(CellError):
    """The last entry of a capped list of errors: how many more were found."""

    def __init__(self, sheet: str, dropped: int) -> None:
        super().__init__(sheet, 0, "", "", None, "")
        self.dropped = dropped

    def as_error(self) -> ApplicationError:
        text = _(
            "Only the first %(limit)s of the %(n)s problems found are listed. Fix them and "
            "upload the workbook again to see the rest."
        ) % {
            "limit": format_number_vi(MAX_ERRORS),
            "n": format_number_vi(MAX_ERRORS + self.dropped),
        }
        return ApplicationError("too_many_errors", text, Where(sheet=self.sheet or None))

    def as_dict(self) -> dict[str, Any]:
        message = self.as_error().message
        return {
            "sheet": self.sheet or None,
            "row": None,
            "column": None,
            "header": "",
            "value": "",
            "message": message,
            "problem": message,
            "list": "",
        }


class CellErrors(list[CellError]):
    """A list of cell errors that keeps the first ``MAX_ERRORS``; past that it only counts
    them, in an ``ErrorsCapped`` entry at its end. Appending or adding another capped list
    carries its count over."""

    def __init__(self, items: Iterable[CellError] = ()) -> None:
        super().__init__()
        self.note: ErrorsCapped | None = None
        self.extend(items)

    def append(self, error: CellError) -> None:
        if isinstance(error, ErrorsCapped):
            self._drop(error.sheet, error.dropped)
        elif self.note is None and len(self) < MAX_ERRORS:
            super().append(error)
        else:
            self._drop(error.sheet, 1)

    def _drop(self, sheet: str, count: int) -> None:
        if self.note is None:
            self.note = ErrorsCapped(sheet, 0)
            super().append(self.note)
        self.note.dropped += count

    def extend(self, errors: Iterable[CellError]) -> None:
        for error in errors:
            self.append(error)

    def __iadd__(self, errors: Iterable[CellError]) -> CellErrors:  # type: ignore[override,misc]
        self.extend(errors)
        return self
