"""The formatters of the open datasets: CSV and JSON streamed, XLSX written with constant memory
(see the package's text for what each file looks like).

A text that starts like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, tab, carriage
return; ``kehoach.core.cells_out``) is neutralised where a spreadsheet could run it:

- CSV: the text gets a leading apostrophe (``'=HYPERLINK(…)``), the OWASP escape, on text
  fields only — numbers, dates and booleans are not text and are written as they are (a
  negative number stays ``-5``); a list of amounts by source is text;
- XLSX: every text is a string cell (``write_string``), with the quote prefix when it starts
  like a formula; numbers, dates and booleans are typed cells; the workbook has no formula;
- JSON: a text is a JSON string, which no reader evaluates: it is written unchanged.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kehoach.core.cells_out import FORMULA_PREFIXES, XlsxwriterText, csv_safe

from .datasets import (
    BOOLEAN,
    COMMON,
    DATE,
    INTEGER,
    MONEY,
    NUMBER,
    PERCENT,
    SOURCES,
    Dataset,
    Field,
    Kind,
    Scope,
    both_languages,
)

FILE_LANGUAGE = "vi"
FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def plain(value: Decimal) -> str:
    """A decimal without exponent or useless zeros: 500.000 → "500", 0.750 → "0.75"."""
    text = str(value)  # the same text as f"{value:f}" when it has no exponent, made faster
    if "E" in text or "e" in text:
        text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _sources_text(items: list[dict[str, Any]]) -> str:
    return "; ".join(f"{s['source']}: {plain(Decimal(s['amount_mvnd']))}" for s in items)


def _text_value(value: Any, kind: Kind) -> str:
    """A value as a CSV field; a text escaped if it starts like a formula."""
    if value is None:
        return ""
    if kind is SOURCES:
        return csv_safe(_sources_text(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return csv_safe(str(value))


def _json_value(value: Any, kind: Kind) -> Any:
    """A value as JSON: a text stays the text stored (a JSON string is never evaluated)."""
    if isinstance(value, Decimal):
        # million VND with at most three decimals: the float's shortest repr is the same text
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if kind is SOURCES:
        return [{**s, "amount_mvnd": _json_value(s["amount_mvnd"], MONEY)} for s in value]
    return value


TEXTS = frozenset({"text", "code", "month", "uid"})
"""Kinds whose values are texts (``Kind.code``)."""
NUMBERS = frozenset({"money", "number", "percent"})
"""Kinds whose values are decimals when present."""


def _csv_formatter(kind: Kind) -> Callable[[Any], str]:
    """``_text_value`` for one field, with a short way for the type its values have: the same
    text, made without testing every type on each of a province's 600,000 cells."""
    if kind.code in TEXTS:

        def text(value: Any) -> str:
            if type(value) is str:
                return "'" + value if value.startswith(FORMULA_PREFIXES) else value
            return _text_value(value, kind)

        return text
    if kind.code in NUMBERS:

        def number(value: Any) -> str:
            return plain(value) if type(value) is Decimal else _text_value(value, kind)

        return number
    if kind is INTEGER:
        return lambda value: str(value) if type(value) is int else _text_value(value, kind)
    if kind is DATE:
        return lambda value: (
            value.isoformat() if type(value) is datetime.date else _text_value(value, kind)
        )
    return lambda value: _text_value(value, kind)


def _json_converter(kind: Kind) -> Callable[[Any], Any]:
    """``_json_value`` for one field, with a short way for texts (written as they are)."""
    if kind.code in TEXTS:
        return lambda value: value if type(value) is str else _json_value(value, kind)
    return lambda value: _json_value(value, kind)


def json_converters(dataset: Dataset) -> dict[str, Callable[[Any], Any]]:
    """Each field's value as the JSON file writes it, by field name (the API's open plans)."""
    return {f.name: _json_converter(f.kind) for f in dataset.fields}


def plans_in_file_language(
    dataset: Dataset, scope: Scope
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """``dataset.parts`` with each plan's rows made in the files' language."""
    with translation.override(FILE_LANGUAGE):
        for common, own in dataset.parts(scope):
            yield common, list(own)


def _split(dataset: Dataset) -> tuple[tuple[Field, ...], tuple[Field, ...]]:
    """The dataset's fields shared by a plan's rows (``COMMON``, first) and the rows' own."""
    shared = dataset.fields[: len(COMMON)]
    if shared != COMMON:
        raise ValueError(f"{dataset.slug}: the fields must start with COMMON")
    return shared, dataset.fields[len(COMMON) :]


def csv_chunks(dataset: Dataset, scope: Scope) -> Iterator[bytes]:
    """The CSV file, in pieces of about 64 KB; the fields a plan's rows share formatted once a
    plan."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f.name for f in dataset.fields])
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    shared, own = _split(dataset)
    shared_formatters = [(f.name, _csv_formatter(f.kind)) for f in shared]
    formatters = [(f.name, _csv_formatter(f.kind)) for f in own]
    for common, rows in plans_in_file_language(dataset, scope):
        start = [format_(common[name]) for name, format_ in shared_formatters]
        for row in rows:
            writer.writerow(start + [format_(row[name]) for name, format_ in formatters])
        if buffer.tell() > 64_000:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _meta(dataset: Dataset, scope: Scope) -> dict[str, Any]:
    return {
        "dataset": dataset.slug,
        "title": dataset.title,
        "unit": {"code": scope.unit.code, "name": scope.unit.name},
        "year": scope.year,
        "money_unit": "million VND",
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "fields": [
            {"name": f.name, "meaning": f.meaning, "type": f.kind.code} for f in dataset.fields
        ],
    }


def json_chunks(dataset: Dataset, scope: Scope) -> Iterator[bytes]:
    """The JSON document, one row at a time."""
    with translation.override(FILE_LANGUAGE):
        head = json.dumps(_meta(dataset, scope), ensure_ascii=False, default=str)
    yield (head[:-1] + ', "rows": [').encode()
    separator = "\n"
    shared, own = _split(dataset)
    shared_converters = [(f.name, _json_converter(f.kind)) for f in shared]
    converters = [(f.name, _json_converter(f.kind)) for f in own]
    encode = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps makes for each row
    for common, rows in plans_in_file_language(dataset, scope):
        # '{"shared": …, ' once a plan, then each row's own fields without their '{'
        start = encode({name: convert(common[name]) for name, convert in shared_converters})
        start = start[:-1] + ", " if converters else start[:-1]
        chunk = []
        for row in rows:
            values = encode({name: convert(row[name]) for name, convert in converters})
            chunk.append(separator + start + values[1:])
            separator = ",\n"
        yield "".join(chunk).encode()
    yield b"\n]}\n"


def write_xlsx(dataset: Dataset, scope: Scope, out: BinaryIO) -> int:
    """Write the workbook with constant memory; returns the number of data rows."""
    with translation.override(FILE_LANGUAGE):
        return _write_xlsx(dataset, scope, out)


def _write_xlsx(dataset: Dataset, scope: Scope, out: BinaryIO) -> int:
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "in_memory": False, "tmpdir": tempfile.gettempdir()}
    )
    text = XlsxwriterText(book)
    head = {"bold": True, "bg_color": "#DDE7F0", "border": 1}
    formats: dict[str, Any] = {
        MONEY.code: book.add_format({"num_format": "#,##0.0##"}),
        NUMBER.code: book.add_format({"num_format": "#,##0.###"}),
        PERCENT.code: book.add_format({"num_format": "0.0"}),
        DATE.code: book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    writers: list[tuple[int, str, Callable[..., Any]]] = []
    sheet = book.add_worksheet(str(_("Data")))
    for col, f in enumerate(dataset.fields):
        text.write(sheet, 0, col, f.name, head)
        sheet.set_column(col, col, 12 if f.kind in (MONEY, NUMBER, INTEGER, DATE) else 20)
        writers.append((col, f.name, _cell_writer(sheet, text, f.kind, formats.get(f.kind.code))))
    sheet.freeze_panes(1, 0)
    count = 0
    for row in dataset.rows(scope):
        count += 1
        for col, name, write in writers:
            value = row[name]
            if value is not None and value != "":
                write(count, col, value)
    sheet.autofilter(0, 0, max(count, 1), len(dataset.fields) - 1)
    _write_dictionary(text, dataset, head)
    book.close()
    return count


def _cell_writer(
    sheet: Any, text: XlsxwriterText, kind: Kind, cell_format: Any
) -> Callable[[int, int, Any], Any]:
    def write(row: int, col: int, value: Any) -> Any:
        if kind is SOURCES:
            return text.write(sheet, row, col, _sources_text(value))
        if kind is DATE:
            return sheet.write_datetime(row, col, value, cell_format)
        if kind is BOOLEAN:
            return sheet.write_boolean(row, col, bool(value))
        if isinstance(value, Decimal):
            return sheet.write_number(row, col, float(value), cell_format)
        if isinstance(value, int | float):
            return sheet.write_number(row, col, value, cell_format)
        return text.write(sheet, row, col, value)

    return write


def _write_dictionary(text: XlsxwriterText, dataset: Dataset, head: dict[str, Any]) -> None:
    sheet = text.book.add_worksheet(str(_("Dictionary")))
    for col, title in enumerate(
        (_("Field"), _("Meaning (Vietnamese)"), _("Meaning (English)"), _("Type and unit"))
    ):
        text.write(sheet, 0, col, str(title), head)
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 2, 60)
    sheet.set_column(3, 3, 30)
    for index, f in enumerate(dataset.fields, start=1):
        text.write(sheet, index, 0, f.name)
        vi, en = both_languages(f.meaning)
        text.write(sheet, index, 1, vi)
        text.write(sheet, index, 2, en)
        text.write(sheet, index, 3, str(f.kind.label))


def xlsx_tempfile(dataset: Dataset, scope: Scope) -> Any:
    """The workbook in an anonymous temporary file (deleted when closed), rewound."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    write_xlsx(dataset, scope, handle)
    handle.seek(0)
    return handle
