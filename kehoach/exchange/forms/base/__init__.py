"""What every form's workbook shares: the heading, the lists, the metadata, reading a table of
an upload by its layout's headers into typed values with one error per wrong cell, and the
preview of what would change.

The package: ``errors`` (``CellError`` and its capped list), ``table`` (``read_table``,
``read_meta``); here the preview (``Change``, ``ReadingBase``, ``compare``), the heading and
the keys of a form.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError
from kehoach.core.numbers import format_number_vi

from ...layouts import Column, FormLayout
from ...reading import Book as Upload
from .errors import MAX_ERRORS, CellError, CellErrors, ErrorsCapped
from .sources import envelope_label
from .table import LEGACY_SAMPLE, RowValues, TableRead, header_specs, read_meta, read_table

__all__ = [
    "LEGACY_SAMPLE",
    "MAX_ERRORS",
    "CellError",
    "CellErrors",
    "Change",
    "ErrorsCapped",
    "ReadingBase",
    "RowValues",
    "TableRead",
    "compare",
    "header_specs",
    "heading",
    "line_key",
    "plan_meta",
    "read_meta",
    "read_table",
    "shown",
    "source_columns",
]


@dataclass
class Change:
    """One line of the preview: what it was, what it will be."""

    kind: str  # "add", "change", "remove"
    row: int | None
    label: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class ReadingBase:
    """What reading any form's upload gives: the layout read, the preview, the errors by cell,
    the rows skipped, the legacy encoding converted and notes for the user. Each form adds what
    it will apply. ``errors`` keeps the first ``MAX_ERRORS`` and counts the rest."""

    layout: FormLayout
    preview: list[Change] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=CellErrors)
    """At most ``MAX_ERRORS``, then a last entry saying how many more (see ``CellErrors``)."""
    skipped: list[tuple[int, str]] = field(default_factory=list)
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)
    """(letter, header text) of the file's columns that name no field and were not read."""


def plan_meta(upload: Upload, form: str, plan: Any, *, required: bool = False) -> dict[str, Any]:
    """The metadata of a kehoach workbook, checked to be ``form`` of ``plan``. A workbook made
    elsewhere (no metadata) is accepted unless ``required`` (forms that only change lines
    kehoach made: their rows are found by the keys in the metadata)."""
    meta = read_meta(upload)
    if (not meta and required) or (
        meta and (meta.get("form") != form or meta.get("plan") != str(plan.uid))
    ):
        raise ApplicationError(
            "wrong_plan",
            _(
                "This workbook is not the form %(form)s of this plan: download the form from "
                "this plan's page and make the changes in it."
            )
            % {"form": form},
        )
    return meta


def shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        text = format_number_vi(value, 3)
        return text.rstrip("0").rstrip(",") if "," in text else text
    if isinstance(value, datetime.date):
        return value.strftime("%m/%Y") if value.day == 1 else value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    name = getattr(value, "display_name", None)
    if callable(name):
        return str(name())
    return str(value)


def compare(
    old: dict[str, Any], new: dict[str, Any], labels: dict[str, str], keys: Iterable[str]
) -> list[tuple[str, str, str]]:
    out = []
    for key in keys:
        if key not in new:
            continue
        a, b = old.get(key), new.get(key)
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            same = Decimal(a or 0) == Decimal(b or 0)
        elif hasattr(a, "pk") or hasattr(b, "pk"):
            same = getattr(a, "pk", None) == getattr(b, "pk", None)
        else:
            same = (a or None) == (b or None)
        if not same:
            out.append((labels.get(key, key), shown(a), shown(b)))
    return out


def heading(unit: Any, year: int, form: str, form_name: str) -> list[tuple[str, str]]:
    """Province, commune, village (when the unit is one), plan year and form code."""
    chain = []
    node = unit
    while node is not None:
        chain.append(node)
        node = node.parent
    rows = []
    for level_unit in reversed(chain):
        label = {1: "Tỉnh/thành phố", 2: "Huyện (cũ)", 3: "Xã/phường/đặc khu", 4: "Thôn/tổ dân phố"}
        rows.append((label.get(level_unit.level, ""), level_unit.name))
    rows.append(("Năm kế hoạch", str(year)))
    rows.append(("Biểu", f"{form} – {form_name}"))
    rows.append(("Ngày tải biểu", timezone.localtime().strftime("%d/%m/%Y %H:%M")))
    return rows


def line_key(number: int) -> str:
    return f"D{number}"


def source_columns(
    layout: FormLayout, envelope: Sequence[Any], key: Callable[[Any], str]
) -> list[Column]:
    """The layout's columns with its "sources" column spread into one money column per
    envelope line ("1. NTP26 – Hạ tầng: giao thông"), keyed by ``key(envelope line)`` (F12's
    funding, F14's money disbursed)."""
    columns: list[Column] = []
    for column in layout.columns:
        if column.kind != "sources":
            columns.append(column)
            continue
        for line in envelope:
            columns.append(
                Column(
                    key(line),
                    envelope_label(line),
                    column.width,
                    "money",
                    parent=column.header,
                    total=column.total,
                )
            )
    return columns
