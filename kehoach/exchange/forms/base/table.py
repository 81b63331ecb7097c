"""Reading a table of an upload by its layout's headers into typed values, with one error per
wrong cell (``read_table``: each distinct cell value converted once), and the hidden metadata
sheet of a kehoach workbook (``read_meta``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
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
from ...reading.synonyms import synonyms_for
from ...writing import KEY_HEADER
from .converters import SHORT_LIST, _converter, _Failed, _read_column, _shown_value
from .derived import _add_sums, _sum_order
from .errors import CellError, CellErrors

__all__ = [
    "LEGACY_SAMPLE",
    "SHORT_LIST",
    "RowValues",
    "TableRead",
    "_Failed",
    "_add_sums",
    "_converter",
    "_read_column",
    "_shown_value",
    "_sum_order",
    "header_specs",
    "read_meta",
    "read_table",
]


@dataclass
class RowValues:
    """One data row of an upload: its number, the line key (hidden column) and the values
    read, typed, keyed by the layout's column keys (absent columns absent)."""

    number: int
    key: str
    values: dict[str, Any]
    letters: dict[str, str]
    computed: set[str] = field(default_factory=set)
    """The keys whose value was computed as the sum of its parts (``Column.sum_of``)."""


@dataclass
class TableRead:
    sheet: str
    rows: list[RowValues]
    skipped: list[tuple[int, str]] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=CellErrors)
    """At most ``MAX_ERRORS`` (see ``CellErrors``)."""
    encoding: str | None = None
    present: set[str] = field(default_factory=set)
    unread: list[tuple[str, str]] = field(default_factory=list)
    """(letter, header text) of the file's columns that name no field of the layout."""
    scales: dict[str, str] = field(default_factory=dict)
    """Key → the money unit read from its header, when it names one."""


LEGACY_SAMPLE = 5_000
"""Distinct non-ASCII texts looked at to decide a sheet's encoding: plenty for detection,
and a 20,000-row sheet is decided as fast as a small one."""


def _fix_legacy(raw_rows: list[Any], text_keys: set[str], header: Any = None) -> str | None:
    """Decide the encoding of the values when the headers did not (Unicode headers over
    legacy values) and convert every text value, the heading texts with them."""
    texts: dict[str, None] = {}
    for text in getattr(header, "headings", {}).values():
        if not text.isascii():
            texts[text] = None
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
        if getattr(row, "heading", ""):
            row.heading = convert(row.heading)
    if header is not None and header.headings:
        for number, text in list(header.headings.items()):
            header.headings[number] = convert(text)
        old = set(header.headings)
        header.skipped[:] = [
            (
                number,
                _("a heading row: sector “%(text)s” for the rows below")
                % {"text": header.headings[number]},
            )
            if number in old
            else (number, reason)
            for number, reason in header.skipped
        ]
    return encoding


def header_specs(columns: Sequence[Column]) -> list[HeaderSpec]:
    """What ``find_header`` looks for: each column by its labels. A column read from the
    heading rows when the file has none ("I. NÔNG NGHIỆP") or computed from its parts (a
    total) is not required as a column: the form's checks still require its value."""
    return [
        HeaderSpec(c.key, c.labels, required=c.required and not c.heading and not c.sum_of)
        for c in columns
    ]


def _heading_problem(text: Any, error: ParseError) -> str:
    """What to do with a heading row whose text names no sector: a heading has no drop-down."""
    close = getattr(error, "suggestions", None)
    if close:
        return _(
            "the heading “%(text)s” names no sector of the list; did you mean: %(names)s? "
            "Write the sector's name in the heading row, or add a “Lĩnh vực” column."
        ) % {"text": text, "names": "; ".join(close)}
    return _(
        "the heading “%(text)s” names no sector of the list. Write the sector's name as the "
        "list has it in the heading row, or add a “Lĩnh vực” column."
    ) % {"text": text}


def read_table(
    upload: Upload,
    sheet_name: str,
    columns: Sequence[Column],
    choices: dict[str, Choices],
    *,
    with_key: bool = True,
    form: str | None = None,
    known: Collection[str] = (),
) -> TableRead:
    """Find the layout's headers on the sheet (by label, then by the synonyms of ``form``,
    by default the form whose sheet ``upload.data_sheet`` was last asked for) and read every
    data row into typed values: money by the unit of its header, a heading column from the
    heading rows above, a total left blank from its parts."""
    sheet = upload.sheet(sheet_name)
    specs = header_specs(columns)
    if with_key:
        specs.append(HeaderSpec("__key", [KEY_HEADER], required=False))
    wanted_form = form if form is not None else getattr(upload, "form_hint", "")
    header = find_header(sheet, specs, synonyms=lambda: synonyms_for(wanted_form or "*"))
    present = set(header.columns)
    heading_columns = [c for c in columns if c.heading]
    raw = list(data_rows(sheet, header, headings=bool(heading_columns), known=known))
    text_keys = {c.key for c in columns if c.kind in ("text", "choice", "value")}
    result = TableRead(
        sheet=sheet_name, rows=[], present=present, unread=header.unread, scales=header.scales
    )
    result.encoding = header.encoding or _fix_legacy(raw, text_keys, header)
    result.skipped = list(header.skipped)
    converters = {c.key: _converter(c, choices, header.scales.get(c.key)) for c in columns}
    by_key = {c.key: c for c in columns}
    letters = dict(header.letters)
    from_heading: dict[tuple[int, str], int] = {}  # (row index, key) → heading row
    for column in heading_columns:
        for index, row in enumerate(raw):
            value = row.values.get(column.key)
            if cells.is_empty(value) and row.heading:
                row.values[column.key] = row.heading
                from_heading[(index, column.key)] = row.heading_row
            elif column.key not in row.values:
                row.values[column.key] = None
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
    reported_headings: set[tuple[int, str]] = set()
    for index, position, exc in sorted(failed, key=lambda item: item[:2]):
        key = keys[position]
        column = by_key[key]
        value = rows_values[index][key]
        listed = column.list if column.kind == "choice" and exc.code == "not_in_list" else ""
        heading_row = from_heading.get((index, key))
        by_row.setdefault(index, []).append(position)
        if heading_row is not None:
            if (heading_row, key) in reported_headings:
                continue  # one error for the heading, not one per line under it
            reported_headings.add((heading_row, key))
            result.errors.append(
                CellError(
                    sheet_name,
                    heading_row,
                    "A",
                    column.header,
                    value,
                    _heading_problem(value, exc),
                    list=listed,
                )
            )
            continue
        result.errors.append(  # capped at MAX_ERRORS, the rest counted
            CellError(
                sheet_name,
                raw[index].number,
                letters[key],
                column.header,
                _shown_value(column, value),
                exc.message,
                list=listed,
            )
        )
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
    _add_sums(result.rows, columns)
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
