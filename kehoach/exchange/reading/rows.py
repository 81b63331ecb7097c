"""The rows under a found header that hold data (``data_rows``): blank rows, the row of column
numbers, section headings ("I. Hạ tầng") and total rows are skipped, each skip noted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.legacy import legacy_converter
from kehoach.core.text import fold

from .headers import Header
from .opening import Sheet

TOTAL_WORDS = ("tong cong", "cong", "tong so", "tong", "total", "sum")
TOTAL_PREFIXES = ("tong cong ", "tong so ", "cong toan ", "cong chung")
ROMAN = re.compile(r"^(?=[ivxlc]+$)m{0,3}(c[md]|d?c{0,3})(x[cl]|l?x{0,3})(i[xv]|v?i{0,3})$")


@dataclass
class DataRow:
    """A data row: its number on the sheet and its raw values by layout key (the column
    letter of each key is ``Header.letters``)."""

    number: int
    values: dict[str, Any]


def _is_number_row(values: list[Any]) -> bool:
    """The row of column numbers under the header: 1, 2, 3 … or (1), (2), (3) …"""
    filled = [v for v in values if v is not None and v != ""]
    if len(filled) < 2:
        return False
    numbers = []
    for v in filled:
        text = str(v).strip().strip("()")
        try:
            numbers.append(float(text))
        except ValueError:
            return False
    return numbers == sorted(numbers) and all(n == int(n) for n in numbers)


def _first_texts(values: list[Any]) -> list[str]:
    return [fold(str(v)) for v in values if isinstance(v, str) and v.strip()]


def _is_total_row(values: list[Any]) -> bool:
    """ "Tổng cộng", "Cộng", "Tổng số" … in the first text cell, at most one other text, and no
    line number in the first column."""
    if values and isinstance(values[0], int | float) and not isinstance(values[0], bool):
        return False
    texts = _first_texts(values)
    if not texts:
        return False
    head = texts[0].rstrip(":").strip()
    return len(texts) <= 2 and (head in TOTAL_WORDS or head.startswith(TOTAL_PREFIXES))


def _is_section_row(values: list[Any]) -> bool:
    """A heading such as "I | HẠ TẦNG" or "A. Kinh tế": a roman numeral or a letter in the
    first column, perhaps a title, and nothing else."""
    filled = [(c, v) for c, v in enumerate(values) if v is not None and v != ""]
    if not filled or filled[0][0] != 0 or len(filled) > 2:
        return False
    if not all(isinstance(v, str) for _c, v in filled):
        return False
    first = fold(str(filled[0][1])).rstrip(".").strip()
    token = first.split(" ")[0].rstrip(".")
    return bool(ROMAN.match(token)) or (len(token) == 1 and token.isalpha() and len(filled) <= 2)


def _readings(values: list[Any], convert: Any) -> list[list[Any]]:
    """The row as read and, when it may be a total or heading row (at most two texts) with
    non-ASCII text, as TCVN3 and VNI would read it, so that "Tæng céng" is known for a total
    row before the sheet's encoding is decided."""
    texts: list[str] = []
    for v in values:
        if isinstance(v, str) and v.strip():
            texts.append(v)
            if len(texts) > 2:
                return []  # a data row: neither a total nor a heading
    if convert is not None:
        return [[convert(v) if isinstance(v, str) else v for v in values]]
    if all(t.isascii() for t in texts):
        return [values]
    out = [values]
    for encoding in ("tcvn3", "vni"):
        legacy = legacy_converter(encoding)
        assert legacy is not None
        out.append([legacy(v) if isinstance(v, str) else v for v in values])
    return out


def data_rows(sheet: Sheet, header: Header) -> Iterator[DataRow]:
    """The rows under a header that hold data, as raw values by layout key. Skipped rows are
    added to ``header.skipped`` with the reason."""
    convert = legacy_converter(header.encoding)
    wanted = sorted(header.columns.items(), key=lambda item: item[1])
    keys = [key for key, _c in wanted]
    columns = [c for _key, c in wanted]
    pick = itemgetter(*columns) if len(columns) > 1 else None
    reach = max(columns, default=-1)
    for index in range(header.row + 1, len(sheet.grid)):
        raw = sheet.grid[index]
        width = len(raw)
        if pick is not None and width > reach:  # the usual row: every column at hand
            cells_in = [None if v == "" else v for v in pick(raw)]
        else:
            cells_in = [raw[c] if c < width and raw[c] != "" else None for c in columns]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells_in):
            continue
        number = index + 1
        if _is_number_row(cells_in):
            header.skipped.append((number, _("the row of column numbers")))
            continue
        variants = _readings(cells_in, convert)
        if any(_is_total_row(v) for v in variants):
            header.skipped.append((number, _("a total row")))
            continue
        if any(_is_section_row(v) for v in variants):
            header.skipped.append((number, _("a heading row")))
            continue
        if convert is not None:
            cells_in = [convert(v) if isinstance(v, str) else v for v in cells_in]
        yield DataRow(number, dict(zip(keys, cells_in, strict=True)))
