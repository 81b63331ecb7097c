"""Reading a table of an upload by its layout's headers into typed values, with one error per
wrong cell (``read_table``: each distinct cell value converted once), and the hidden metadata
sheet of a kehoach workbook (``read_meta``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.legacy import detect_legacy_many, legacy_converter
from kehoach.core.numbers import ParseError

from ... import cells
from ...choices import Choices
from ...layouts import Column
from ...reading import Book as Upload
from ...reading import HeaderSpec, data_rows, find_header
from ...writing import KEY_HEADER
from .errors import CellError, CellErrors


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
    sectors, units, months and amounts of a workbook repeat from row to row. A text is its own
    key; any other value is keyed with its type (1, 1.0 and True are different cells)."""
    seen: dict[Any, Any] = {}
    missing = seen

    def run(value: Any) -> Any:
        key = value if value.__class__ is str else (value.__class__, value)
        try:
            hit = seen.get(key, missing)
        except TypeError:  # not hashable
            return convert(value)
        if hit is missing:
            try:
                hit = convert(value)
            except ParseError as exc:
                hit = _Failed(exc)
            seen[key] = hit
        if hit.__class__ is _Failed:
            raise hit.error
        return hit

    return run


def _read_column(column: list[Any], convert: Any) -> tuple[list[Any], bool]:
    """The typed values of one column (a ``_Failed`` for a wrong cell) and whether any cell is
    wrong: each distinct value converted once. A value is its own key when the column holds
    one type besides blanks; else a text is, and any other value is keyed with its type (1,
    1.0 and True are different cells)."""
    try:
        kinds = set(map(type, column))
        kinds.discard(type(None))
        if len(kinds) <= 1:  # one type of value besides blanks: a value is its own key
            keys = column
        else:
            keys = [v if v.__class__ is str else (v.__class__, v) for v in column]
        distinct = dict.fromkeys(keys)
    except TypeError:  # a value that is not hashable: one by one
        run = _memoised(convert)
        out = []
        for value in column:
            try:
                out.append(run(value))
            except ParseError as exc:
                out.append(_Failed(exc))
        return out, any(outcome.__class__ is _Failed for outcome in out)
    wrong = False
    for key in distinct:
        value = key if keys is column or key.__class__ is str else key[1]
        try:
            distinct[key] = convert(value)
        except ParseError as exc:
            distinct[key] = _Failed(exc)
            wrong = True
    return list(map(distinct.__getitem__, keys)), wrong


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
    converters = {c.key: _converter(c, choices) for c in columns}
    by_key = {c.key: c for c in columns}
    letters = header.letters
    keys = [key for key in raw[0].values if key != "__key"] if raw else []
    rows_values = [row.values for row in raw]
    failed: list[tuple[int, int, ParseError]] = []  # (row, column, error), for the order
    columns_read = []
    for position, key in enumerate(keys):
        read, wrong = _read_column(list(map(itemgetter(key), rows_values)), converters[key])
        if wrong:
            for index, outcome in enumerate(read):
                if outcome.__class__ is _Failed:
                    failed.append((index, position, outcome.error))
        columns_read.append(read)
    by_row: dict[int, list[int]] = {}
    for index, position, exc in sorted(failed, key=lambda item: item[:2]):
        key = keys[position]
        value = rows_values[index][key]
        result.errors.append(  # capped at MAX_ERRORS, the rest counted
            CellError(
                sheet_name, raw[index].number, letters[key], by_key[key].header, value, exc.message
            )
        )
        by_row.setdefault(index, []).append(position)
    typed_rows: Iterable[tuple[Any, ...]] = (
        zip(*columns_read, strict=False) if columns_read else repeat(())
    )
    for index, (row, typed) in enumerate(zip(raw, typed_rows, strict=False)):
        values = dict(zip(keys, typed, strict=True))
        for position in by_row.get(index, ()):
            del values[keys[position]]
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
