"""The commune synthesis (F9) as a commune's own workbook gives it: the decisions as people
write them, the columns read from a workbook made elsewhere, and what a row of it changes."""

from __future__ import annotations

import dataclasses
from typing import Any

from kehoach.catalog.names import name_key
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine

from .. import choices as lists
from ..layouts import Column, FormLayout

DECIDABLE = (Decision.UNFUNDED, Decision.DEFERRED, Decision.REJECTED)


def _decisions() -> lists.Choices:
    return lists.text_choices([(d, Decision(d).label) for d in (Decision.FUNDED, *DECIDABLE)])


AS_WRITTEN = {
    Decision.FUNDED: ("Có vốn", "Đã có vốn", "Đã bố trí vốn", "Bố trí vốn", "Đưa vào KH, có vốn"),
    Decision.UNFUNDED: (
        "Chưa có vốn",
        "Chưa bố trí vốn",
        "Đưa vào KH, chưa có vốn",
        "Đưa vào kế hoạch chưa có vốn",
        "Vào kế hoạch, chưa có vốn",
    ),
    Decision.DEFERRED: ("Hoãn", "Tạm hoãn", "Hoãn thực hiện", "Để năm sau", "Chuyển năm sau"),
    Decision.REJECTED: (
        "Không chấp nhận",
        "Không được duyệt",
        "Không duyệt",
        "Không đồng ý",
        "Không chọn",
        "Không thực hiện",
        "Loại",
    ),
}
"""How communes' own workbooks write the decisions (folded, as ``Choices`` compares): read
only from a workbook made elsewhere, never offered in kehoach's drop-down. "Đồng ý" is not
among them: it may mean funded or only in the plan, and a guess is never taken."""


def _decisions_as_written() -> lists.Choices:
    """The decisions by their labels and the ways people write them (``AS_WRITTEN``)."""
    entries = []
    for entry in _decisions().entries:
        aliases = {lists.key_of(a): None for a in AS_WRITTEN.get(entry.value, ())}
        entries.append(
            lists.Entry(
                entry.label,
                entry.value,
                entry.keys,
                aliases=tuple(a for a in aliases if a and a not in entry.keys),
            )
        )
    return lists.Choices(entries)


NUMBER_COLUMN = Column("number", "STT", 6, "value")


def _foreign_columns(layout: FormLayout) -> list[Column]:
    """The columns read from a workbook made elsewhere: the number as typed ("1", "1.1",
    "a"), the columns kehoach fills (amounts, villages, score...) as they are, never refused
    since they change nothing, the sector also from heading rows ("1. Giáo dục")."""
    columns = []
    for column in layout.columns:
        if column.key == "number":
            column = NUMBER_COLUMN
        elif column.key == "sector":
            column = dataclasses.replace(column, kind="value", heading=True, required=False)
        elif column.locked:
            column = dataclasses.replace(column, kind="value", required=False)
        columns.append(column)
    if not any(c.key == "number" for c in columns):
        columns.insert(0, NUMBER_COLUMN)
    return columns


def _foreign_text(line: CommuneLine, text: dict[str, Any]) -> dict[str, str]:
    """The texts a row of a workbook made elsewhere changes: an empty cell changes nothing
    (the workbook was not filled from kehoach), nor does a name found as it is (its case,
    diacritics or spacing aside: the row was matched by it)."""
    out = {}
    for key, value in text.items():
        value = value or ""
        if not value or value == getattr(line, key):
            continue
        if key == "activity" and name_key(value) == name_key(line.activity):
            continue
        out[key] = value
    return out
