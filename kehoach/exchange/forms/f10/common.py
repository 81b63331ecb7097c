"""F10: what its modules share — the form's name, the language of its headers, the columns
(one per criterion), the signature of the criteria and the digest of a line's scores."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kehoach.core.numbers import format_number_vi
from kehoach.synthesis.services.scoring import Criterion

from ...layouts import Column, FormLayout

FORM = "F10"
LANGUAGE = "vi"
"""The criteria are named in Vietnamese in the workbook whatever the page's language: the
headers are read back by their text."""


def _weight(criterion: Criterion) -> str:
    text = format_number_vi(criterion.weight, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _signature(criteria: list[Criterion]) -> str:
    """What the columns of a downloaded workbook were made from: a change of the profile's
    criteria or weights makes an old workbook's columns wrong."""
    return ",".join(f"{c.code}:{c.weight}" for c in criteria)


def _digest(scores: dict[str, Any], judged: list[Criterion]) -> str:
    """A short fingerprint of a line's judged scores: the workbook keeps the one of each line
    at download, so that a row left as it was is never taken for a change, even when the
    line was scored on the web meanwhile."""
    items = sorted(
        (c.code, str(Decimal(str(scores[c.code])).normalize()))
        for c in judged
        if scores.get(c.code) is not None
    )
    return hashlib.sha256(repr(items).encode()).hexdigest()[:10]


def _digests(meta: dict[str, Any]) -> dict[str, str]:
    found = {}
    for item in str(meta.get("scores", "")).split(";"):
        key, _colon, value = item.partition(":")
        if key and value:
            found[key] = value
    return found


def _columns(layout: FormLayout, criteria: list[Criterion]) -> list[Column]:
    """The layout's columns with its ``criteria`` column spread into one per criterion."""
    columns: list[Column] = []
    for column in layout.columns:
        if column.kind != "criteria":
            columns.append(column)
            continue
        for number, criterion in enumerate(criteria, start=1):
            columns.append(
                Column(
                    f"c_{criterion.code}",
                    f"{number}. {criterion.name} (×{_weight(criterion)})",
                    column.width,
                    "decimal",
                    parent=column.header,
                    locked=criterion.automatic,
                )
            )
    return columns


@dataclasses.dataclass(frozen=True)
class _Titled(Column):
    """A column a workbook made elsewhere may title in several ways: by its header or any of
    ``titles`` (a criterion by its name, its code or "Tiêu chí 3")."""

    titles: tuple[str, ...] = ()

    @property
    def labels(self) -> Sequence[str]:
        return [self.header, *self.titles]


NUMBER_COLUMN = Column("number", "STT", 6, "value")


def _foreign_columns(layout: FormLayout, criteria: list[Criterion]) -> list[Column]:
    """The columns read from a workbook made elsewhere: the layout's own columns as they are
    (never refused: they change nothing), the sector also from heading rows, the line's name
    required to find its line, and one column per criterion found by its name, its code or its
    number in the profile, under any parent header."""
    columns: list[Column] = []
    for column in layout.columns:
        if column.kind == "criteria":
            columns.extend(
                _Titled(
                    f"c_{criterion.code}",
                    criterion.name,
                    column.width,
                    "value",
                    titles=(criterion.code, f"Tiêu chí {number}", f"TC{number}"),
                )
                for number, criterion in enumerate(criteria, start=1)
            )
            continue
        columns.append(
            dataclasses.replace(
                column,
                kind="value",
                required=column.key == "activity",
                heading=column.key == "sector",
            )
        )
    if not any(c.key == "number" for c in columns):
        columns.insert(0, NUMBER_COLUMN)
    return columns
