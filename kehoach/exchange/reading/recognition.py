"""Recognising a workbook in a layout kehoach does not know yet (``recognise``): where its
header block is, which field each column holds (by label, synonym or a fuzzy guess, with a
confidence), the unit of each money column and a few sample values; and the layout that reads
the next file of that shape with no questions (``mapped_layout``). The mapping page shows the
recognition and lets the officer correct it."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl.utils import get_column_letter

from kehoach.core.legacy import detect_legacy_many, legacy_converter
from kehoach.core.numbers import format_date_vi, format_number_vi

from ..layouts import FormLayout
from .headers import HeaderSpec, clean, locate
from .opening import Sheet
from .rows import SIGNATURE_TEXTS, _is_number_row, _is_total_row, _signature
from .synonyms import synonyms_for

SURE = 0.85
EXACT = 1.0
SYNONYM = 0.95
GUESS_FLOOR = 0.6
"""A fuzzy guess below this similarity is no guess."""
GUESS_CEILING = 0.8
"""A fuzzy guess is never sure."""
SAMPLES = 3
SAMPLE_ROWS = 60


@dataclass
class FileColumn:
    index: int
    """0-based column on the sheet."""
    letter: str
    header: str
    """The header text shown to the user, converted, "Parent > Child"."""
    samples: list[str]
    """Up to three non-empty values below the header, as text, converted."""
    key: str | None
    """The field recognised, or None."""
    confidence: float
    """0..1: 1 exact label, 0.95 synonym, lower for a fuzzy guess."""
    scale: str
    """"mvnd" | "kvnd" | "vnd"."""


@dataclass
class Recognition:
    sheet: str
    """The sheet name, converted."""
    first_row: int
    """0-based first and last header rows."""
    last_row: int
    columns: list[FileColumn] = field(default_factory=list)
    """Every column of the header block with a header or data."""
    missing: list[str] = field(default_factory=list)
    """Required keys of the layout not recognised."""
    encoding: str | None = None

    @property
    def sure(self) -> bool:
        """Nothing missing and every key recognised with confidence ``SURE`` or more."""
        return not self.missing and all(
            c.confidence >= SURE for c in self.columns if c.key is not None
        )


def _text(value: Any) -> str:
    """A sample as the officer would read it: a number the Vietnamese way (1.350,5), a date
    dd/mm/yyyy, a text as it is."""
    from .. import cells

    if isinstance(value, bool):
        return cells.text(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        if not number.is_finite():
            return str(value)
        places = max(0, -int(number.normalize().as_tuple().exponent))
        return format_number_vi(number, decimals=min(places, 6))
    if isinstance(value, datetime.datetime | datetime.date):
        return format_date_vi(value if not isinstance(value, datetime.datetime) else value.date())
    return cells.text(value)


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    words_a, words_b = set(a.replace(">", " ").split()), set(b.replace(">", " ").split())
    overlap = len(words_a & words_b) / max(len(words_a | words_b), 1)
    return max(ratio, overlap)


def _guesses(columns: dict[int, str], free: list[HeaderSpec]) -> dict[int, tuple[str, float]]:
    """Fuzzy guesses for the columns no label or synonym named: the closest of the free keys
    by the folded header (the child alone and the whole chain), each key used once, the best
    pairs first."""
    pairs: list[tuple[float, int, str]] = []
    for index, header in columns.items():
        whole = clean(header)
        child = whole.split(" > ")[-1]
        for spec in free:
            names = [clean(t) for t in (*spec.labels, *spec.synonyms)]
            score = max(
                (max(_similarity(child, n.split(" > ")[-1]), _similarity(whole, n)) for n in names),
                default=0.0,
            )
            if score >= GUESS_FLOOR:
                pairs.append((score, index, spec.key))
    out: dict[int, tuple[str, float]] = {}
    taken: set[str] = set()
    for score, index, key in sorted(pairs, key=lambda p: (-p[0], p[1])):
        if index in out or key in taken:
            continue
        out[index] = (key, round(min(GUESS_CEILING, score * GUESS_CEILING), 2))
        taken.add(key)
    return out


def _sample_rows(sheet: Sheet, row: int, convert: Any) -> list[list[Any]]:
    """The rows under the header that look like data lines, for the samples: the row of column
    numbers, heading, total and half-empty rows passed over, nothing from the signature and
    notes block on."""
    out: list[list[Any]] = []
    for line in sheet.grid[row + 1 : row + 1 + SAMPLE_ROWS]:
        filled = [v for v in line if v is not None and str(v).strip()]
        if not filled:
            continue
        if len(filled) <= SIGNATURE_TEXTS and _signature(line, convert):
            break
        if len(filled) < 3 or _is_number_row(line) or _is_total_row(line):
            continue
        out.append(line)
    return out


def _samples(rows: list[list[Any]], index: int, convert: Any) -> list[str]:
    out: list[str] = []
    for line in rows:
        if index >= len(line):
            continue
        text = _text(line[index])
        if not text:
            continue
        if convert is not None:
            text = convert(text)
        out.append(text)
        if len(out) >= SAMPLES:
            break
    return out


def _fallback_row(sheet: Sheet) -> int:
    """With nothing recognised, the row of the first rows with the most texts."""
    best, count = 0, -1
    for r, line in enumerate(sheet.grid[:40]):
        texts = sum(1 for v in line if isinstance(v, str) and v.strip())
        if texts > count:
            best, count = r, texts
    return best


def recognise(sheet: Sheet, layout: FormLayout) -> Recognition:
    """What each column of the sheet holds for ``layout``: never raises; the best header
    block found, every key used at most once."""
    specs = [HeaderSpec(c.key, c.labels, required=c.required) for c in layout.columns]
    mapping = synonyms_for(layout.form)
    header, top = locate(sheet, specs, synonyms=mapping)
    full = [HeaderSpec(s.key, s.labels, s.required, tuple(mapping.get(s.key, ()))) for s in specs]
    encoding = header.encoding
    if header.row < 0:
        header.row = header.first_row = _fallback_row(sheet)
    if encoding is None:
        encoding = detect_legacy_many(
            t for line in top[header.first_row : header.row + 1] for t in line if t
        )
    convert = legacy_converter(encoding)
    texts = dict(header.texts)
    if not header.columns and header.row < len(top):
        texts = {c: t for c, t in enumerate(top[header.row]) if t}
    if convert is not None and header.encoding is None:
        texts = {c: convert(t) for c, t in texts.items()}
    exact_keys = _exact_keys(top, header, specs)
    by_column = {c: key for key, c in header.columns.items()}
    free = [s for s in full if s.key not in header.columns]
    guesses = _guesses({c: t for c, t in texts.items() if c not in by_column}, free)
    width = max(
        (len(line) for line in sheet.grid[header.row : header.row + SAMPLE_ROWS]), default=0
    )
    columns: list[FileColumn] = []
    by_key = {c.key: c for c in layout.columns}
    sample_rows = _sample_rows(sheet, header.row, convert)
    for index in range(width):
        samples = _samples(sample_rows, index, convert)
        shown = texts.get(index, "")
        if not shown and not samples:
            continue
        key: str | None = by_column.get(index)
        confidence = 0.0
        if key is not None:
            confidence = EXACT if key in exact_keys else SYNONYM
        elif index in guesses:
            key, confidence = guesses[index]
        scale = header.scales.get(key or "", "")
        if not scale:
            from .headers import unit_scale

            scale = unit_scale(shown) or ""
        if not scale:
            column = by_key.get(key or "")
            scale = column.scale if column is not None else "mvnd"
        columns.append(
            FileColumn(
                index=index,
                letter=get_column_letter(index + 1),
                header=shown,
                samples=samples,
                key=key,
                confidence=confidence,
                scale=scale,
            )
        )
    found = {c.key for c in columns if c.key}
    return Recognition(
        sheet=sheet.name,
        first_row=header.first_row if header.first_row >= 0 else header.row,
        last_row=header.row,
        columns=columns,
        missing=[s.key for s in specs if s.required and s.key not in found],
        encoding=encoding,
    )


def _exact_keys(top: list[list[str]], header: Any, specs: list[HeaderSpec]) -> set[str]:
    """The keys of ``header`` found by their own labels (no synonym)."""
    from .headers import _match_row

    if header.row < 0 or header.row >= len(top):
        return set()
    exact = _match_row(top, header.row, specs)
    return {key for key, c in exact.items() if header.columns.get(key) == c}


def mapped_layout(
    base: FormLayout,
    recognition: Recognition,
    mapping: dict[int, str],
    *,
    code: str,
    name: str,
) -> dict[str, Any]:
    """A layout spec (the JSON shape of ``exchange/layouts/*.json``) that reads files of the
    recognised shape exactly: the base layout's columns for the mapped keys, in the file's
    order, with the file's own header texts (and parents) and the unit of each header; the
    base's heading columns and sums are kept (not required) when the file has no column for
    them, so that they are still read from heading rows and computed from their parts."""
    by_index = {c.index: c for c in recognition.columns}
    by_key = {c.key: c for c in base.columns}
    columns: list[dict[str, Any]] = []
    mapped: set[str] = set()
    for index in sorted(mapping):
        key = mapping[index]
        column = by_key.get(key)
        found = by_index.get(index)
        if column is None or found is None or key in mapped or not found.header:
            continue
        mapped.add(key)
        parent, _sep, child = found.header.rpartition(" > ")
        item = _column_spec(column)
        item["header"] = child
        item["parent"] = parent
        if column.kind == "money":
            item["scale"] = found.scale or column.scale
        columns.append(item)
    for column in base.columns:
        if column.key in mapped or not (column.heading or column.sum_of):
            continue
        item = _column_spec(column)
        item["required"] = False
        columns.append(item)
    return {
        "code": code,
        "form": base.form,
        "name": name,
        "title": base.title,
        "money_unit": base.money_unit,
        "base": base.code,
        "columns": columns,
    }


def _column_spec(column: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "key": column.key,
        "header": column.header,
        "parent": column.parent,
        "width": column.width,
        "kind": column.kind,
    }
    for name in ("list", "scale"):
        value = getattr(column, name)
        if value and not (name == "scale" and value == "mvnd"):
            item[name] = value
    for name in ("required", "total", "locked", "heading"):
        if getattr(column, name):
            item[name] = True
    if column.sum_of:
        item["sum_of"] = list(column.sum_of)
    return item
