"""What every form's workbook shares: the heading, the lists, the metadata, reading a table of
an upload by its layout's headers into typed values with one error per wrong cell, and the
preview of what would change."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.legacy import detect_legacy_many, legacy_converter
from kehoach.core.numbers import ParseError, format_number_vi

from .. import cells
from ..choices import Choices
from ..layouts import Column, FormLayout
from ..reading import Book as Upload
from ..reading import HeaderSpec, data_rows, find_header
from ..writing import KEY_HEADER


@dataclass
class CellError:
    sheet: str
    row: int
    column: str
    header: str
    value: Any
    message: str

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


@dataclass
class RowValues:
    """One data row of an upload: its number, the line key (hidden column) and the values
    read, typed, keyed by the layout's column keys (absent columns absent)."""

    number: int
    key: str
    values: dict[str, Any]
    letters: dict[str, str]


@dataclass
class TableRead:
    sheet: str
    rows: list[RowValues]
    skipped: list[tuple[int, str]] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=CellErrors)
    """At most ``MAX_ERRORS`` (see ``CellErrors``)."""
    encoding: str | None = None
    present: set[str] = field(default_factory=set)


def _converter(column: Column, choices: dict[str, Choices]) -> Any:
    kind = column.kind
    if kind == "money":
        return lambda v: cells.money(v, column.divisor)
    if kind == "decimal":
        return cells.decimal
    if kind == "int":
        return cells.integer
    if kind == "month":
        return cells.month
    if kind == "date":
        return cells.date
    if kind == "value":
        return lambda v: cells.text(v) if isinstance(v, str) else v
    if kind == "choice" and column.list in choices:
        listing = choices[column.list]

        def pick(value: Any) -> Any:
            if cells.is_empty(value):
                return None
            shown = cells.text(value)
            found, close = listing.find(shown)
            if found is None:
                if close:
                    raise ParseError(
                        "not_in_list",
                        _("not in the list; did you mean: %(names)s?")
                        % {"names": "; ".join(close)},
                    )
                raise ParseError(
                    "not_in_list", _("not in the list; choose one from the drop-down list.")
                )
            return found

        return pick
    return cells.text


LEGACY_SAMPLE = 5_000
"""Distinct non-ASCII texts looked at to decide a sheet's encoding: plenty for detection,
and a 20,000-row sheet is decided as fast as a small one."""


def _fix_legacy(raw_rows: list[Any], text_keys: set[str]) -> str | None:
    texts: dict[str, None] = {}
    for row in raw_rows:
        for key, value in row.values.items():
            if key in text_keys and isinstance(value, str) and not value.isascii():
                texts[value] = None
        if len(texts) >= LEGACY_SAMPLE:
            break
    encoding = detect_legacy_many(texts)
    convert = legacy_converter(encoding)
    if convert is None:
        return None
    for row in raw_rows:
        for key, value in row.values.items():
            if isinstance(value, str):
                row.values[key] = convert(value)
    return encoding


class _Failed:
    """A remembered conversion error (converters are memoised per distinct cell value)."""

    def __init__(self, error: ParseError) -> None:
        self.error = error


def _memoised(convert: Any) -> Any:
    """The same converter, remembering the result (or the error) of each distinct value: the
    sectors, units, months and amounts of a workbook repeat from row to row."""
    seen: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        try:
            key = (type(value), value)
            hit = seen.get(key, seen)
        except TypeError:  # not hashable
            return convert(value)
        if hit is seen:
            try:
                hit = convert(value)
            except ParseError as exc:
                hit = _Failed(exc)
            seen[key] = hit
        if isinstance(hit, _Failed):
            raise hit.error
        return hit

    return run


def read_table(
    upload: Upload,
    sheet_name: str,
    columns: Sequence[Column],
    choices: dict[str, Choices],
    *,
    with_key: bool = True,
) -> TableRead:
    """Find the layout's headers on the sheet and read every data row into typed values."""
    sheet = upload.sheet(sheet_name)
    specs = [HeaderSpec(c.key, c.labels, required=c.required) for c in columns]
    if with_key:
        specs.append(HeaderSpec("__key", [KEY_HEADER], required=False))
    header = find_header(sheet, specs)
    present = set(header.columns)
    raw = list(data_rows(sheet, header))
    text_keys = {c.key for c in columns if c.kind in ("text", "choice", "value")}
    result = TableRead(sheet=sheet_name, rows=[], present=present)
    result.encoding = header.encoding or _fix_legacy(raw, text_keys)
    result.skipped = list(header.skipped)
    converters = {c.key: _memoised(_converter(c, choices)) for c in columns}
    by_key = {c.key: c for c in columns}
    letters = header.letters
    for row in raw:
        values: dict[str, Any] = {}
        for key, value in row.values.items():
            if key == "__key":
                continue
            try:
                values[key] = converters[key](value)
            except ParseError as exc:
                result.errors.append(  # capped at MAX_ERRORS, the rest counted
                    CellError(
                        sheet_name, row.number, letters[key], by_key[key].header, value, exc.message
                    )
                )
        key_value = row.values.get("__key")
        key = cells.text(key_value) if key_value is not None else ""
        result.rows.append(RowValues(number=row.number, key=key, values=values, letters=letters))
    return result


def read_meta(upload: Upload, sheet: str = "_kehoach") -> dict[str, Any]:
    """The hidden metadata sheet of a kehoach workbook: key → value, and ``lines``: line key →
    (uid, version). Empty when the workbook was not made by kehoach."""
    if sheet not in upload.sheet_names:
        return {}
    meta: dict[str, Any] = {"lines": {}}
    in_lines = False
    for row in upload.sheet(sheet).rows():
        values = [cell.value for cell in row.cells]
        if not values or values[0] in (None, ""):
            continue
        key = cells.text(values[0])
        if key == "lines":
            in_lines = True
            continue
        if in_lines:
            uid = cells.text(values[1]) if len(values) > 1 else ""
            version = (
                cells.integer(values[2])
                if len(values) > 2 and values[2] not in (None, "")
                else None
            )
            meta["lines"][key] = (uid, version)
        else:
            meta[key] = cells.text(values[1]) if len(values) > 1 else ""
    return meta


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


def checking_actor() -> Any:
    """An unsaved system administrator for dry runs: the services' rules are checked inside a
    transaction that is rolled back (the real user's rights were checked before)."""
    from kehoach.accounts.models import User

    return User(username="check", is_superuser=True, is_active=True)


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
            label = f"{line.number}. {line.source.code}"
            if line.sector_id:
                label += f" – {line.sector.name}"
            columns.append(
                Column(
                    key(line),
                    label,
                    column.width,
                    "money",
                    parent=column.header,
                    total=column.total,
                )
            )
    return columns
