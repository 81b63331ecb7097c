"""The rows of the village's basic information (F1) as a workbook made elsewhere gives them:
each row found by its label, yes/no cells as offices write them, the sheet of ethnic groups by
the names it goes by; a sheet in which no row is the form's refused."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.text import fold
from kehoach.plans.services.info.rows import F1_ROWS

from .. import cells
from ..layouts import Column
from ..reading.headers import clean

ETHNIC_SHEET = "Dân tộc"
ETHNIC_SHEETS = (
    ETHNIC_SHEET,
    "Thành phần dân tộc",
    "Các dân tộc",
    "DT",
    "Dân tộc trong thôn",
    "Số hộ, số khẩu theo dân tộc",
    "Hộ, khẩu theo dân tộc",
    "Cơ cấu dân tộc",
)
"""The names the sheet of ethnic groups goes by (compared folded, legacy names converted)."""
ETHNIC_COLUMNS = (
    Column("number", "STT", 6, "int"),
    Column("name", "Dân tộc", 24, "text", required=True),
    Column("households", "Số hộ", 12, "int"),
    Column("persons", "Số khẩu", 12, "int"),
)
NUMBER_COLUMN = Column("number", "STT", 6, "text")
"""The row numbers of a workbook made elsewhere ("1", "1.2", "a)"), read so that a numbered
row is never taken for a total ("Tổng số hộ"); ignored."""
YES = {"co", "x", "yes", "true", "1", "dung", "dat"}
NO = {"khong", "no", "false", "0", "chua"}


def _yes_no(value: Any) -> bool | None:
    if cells.is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    folded = fold(cells.text(value))
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise ValueError(_("write “có” or “không”, or leave it empty."))


def _rows_by_label() -> dict[str, str]:
    """Each row's field by its label as the paper form writes it (in Vietnamese and in the
    language of the page), compared cleaned like a header (case, diacritics, numbering, units
    in parentheses and punctuation do not matter): a workbook made elsewhere has no row keys."""
    named: dict[str, str] = {}
    with translation.override("vi"):
        for row in F1_ROWS:
            named.setdefault(clean(str(row.label)), row.field)
    for row in F1_ROWS:
        named.setdefault(clean(str(row.label)), row.field)
    return named


def _no_known_row(sheet: str) -> ApplicationError:
    """A workbook made elsewhere in which no row is one of the form's: refused, never
    "accepted, nothing saved"."""
    with translation.override("vi"):
        labels = ", ".join(f"“{row.label}”" for row in F1_ROWS[:6])
    return ApplicationError(
        "f1_no_known_row",
        _(
            "Sheet “%(sheet)s” has no row of the village basic information, so nothing would "
            "be saved. Put each figure on its own row, named as on the form, for example: "
            "%(labels)s…"
        )
        % {"sheet": sheet, "labels": labels},
        Where(sheet=sheet),
    )
