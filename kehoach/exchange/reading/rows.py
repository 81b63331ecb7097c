"""The rows under a found header that hold data (``data_rows``): blank rows, the row of column
numbers, total and subtotal rows and section headings ("I. Hạ tầng") are skipped, each skip
noted; a heading row gives its text to the rows below when the layout reads a column from it
(``DataRow.heading``); the signature and notes block below the table ends it."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.legacy import legacy_converter
from kehoach.core.text import fold

from .headers import Header, clean
from .opening import Sheet

TOTAL_WORDS = ("tong cong", "cong", "tong so", "tong", "total", "sum")
TOTAL_PREFIXES = ("tong cong ", "tong so ", "cong toan ", "cong chung")
ROMAN = re.compile(r"^(?=[ivxlc]+$)m{0,3}(c[md]|d?c{0,3})(x[cl]|l?x{0,3})(i[xv]|v?i{0,3})$")
SUBTOTAL = re.compile(
    r"^(?:tong cong|tong so|tong|cong)(?: (?:muc|phan|nhom|linh vuc))?"
    r" (?:[ivxlc]+|[a-z]|\d+(?:\.\d+)*)[.:]?$"
)
"""A subtotal: "Cộng I", "Cộng mục II", "Tổng số A", "Cộng 1.2"."""
SIGNATURE = re.compile(
    r"^(?:truong thon|truong ban|truong to|pho truong|nguoi lap|nguoi tong hop|xac nhan|"
    r"t/m\b|tm\.|tm |ubnd|uy ban nhan dan|chu tich|pho chu tich|bi thu|ke toan|"
    r"ghi chu\s*:|noi nhan|thu truong|giam doc|ky ten|ky, ghi ro)"
    r"|\bngay\b.{0,24}\bthang\b.{0,24}\bnam\b"
)
"""The first text of the signature and notes block under a table."""
ROLES = re.compile(
    r"^(?:thu ky|chu tri|chu toa|nguoi chu tri|truong thon|truong ban|bi thu chi bo|nguoi lap|"
    r"nguoi ghi bien ban|dai dien (?:ubnd xa|xa|cac ho dan|nhan dan))"
    r"(?: (?:cuoc hop|hoi nghi|thon))?[.:]?$"
)
"""The titles a minutes' signature block puts side by side ("THƯ KÝ | CHỦ TRÌ"): a row of two
or more of them (and nothing else) starts the block; one alone may be an item of the
minutes ("Thư ký | Nguyễn Thị C")."""
NUMBERING = re.compile(
    r"^\s*(?:(?:[IVXLCivxlc]+|[A-Za-z])\s*[.)/:-]|[IVXLC]{2,}|\d+(?:\.\d+)*\s*[.)/:-]?)\s*(?=\S)"
)
NUMBER_ONLY = re.compile(r"^\s*(?:[IVXLCivxlc]+|[A-Za-z]|\d+(?:\.\d+)*)\s*[.)/:-]?\s*$")
SIGNATURE_TEXTS = 4
"""A row with more texts than this is a data line, never the signature block."""


@dataclass
class DataRow:
    """A data row: its number on the sheet and its raw values by layout key (the column
    letter of each key is ``Header.letters``); the heading above it (its text, numbering
    stripped, and its sheet row), when the layout reads a column from headings."""

    number: int
    values: dict[str, Any]
    heading: str = ""
    heading_row: int = 0


def _is_number_row(values: list[Any]) -> bool:
    """The row of column numbers under the header: 1, 2, 3 … or (1), (2), (3) … or A, B, 1, 2
    …"""
    filled = [v for v in values if v is not None and v != ""]
    if len(filled) < 2:
        return False
    numbers = []
    letters = 0
    for v in filled:
        text = str(v).strip().strip("()")
        try:
            numbers.append(float(text))
        except ValueError:
            if len(text) == 1 and text.isalpha() and not numbers:
                letters += 1
                continue
            return False
    if not numbers or (letters and len(numbers) < 2):
        return False
    return numbers == sorted(numbers) and all(n == int(n) for n in numbers)


def _first_texts(values: list[Any]) -> list[str]:
    return [fold(str(v)) for v in values if isinstance(v, str) and v.strip()]


def _is_total_row(values: list[Any], known: Collection[str] = ()) -> bool:
    """ "Tổng cộng", "Cộng", "Tổng số", "Cộng I", "Cộng mục II" … in the first text cell, at
    most one other text, and no line number in the first column; never a row the form knows
    by its label (``known``, cleaned like a header: "Tổng số hộ" is a row of F1)."""
    if values and isinstance(values[0], int | float) and not isinstance(values[0], bool):
        return False
    texts = _first_texts(values)
    if not texts:
        return False
    head = " ".join(texts[0].replace(":", " ").split())  # "Tổng cộng: 3 người"
    total = len(texts) <= 2 and (
        head in TOTAL_WORDS or head.startswith(TOTAL_PREFIXES) or bool(SUBTOTAL.match(head))
    )
    return total and not (known and clean(head) in known)


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


def heading_text(values: list[Any]) -> str | None:
    """The text of a heading row that names a sector for the rows below: "I. NÔNG NGHIỆP",
    "1. Giáo dục - đào tạo", "A. Kinh tế", "1 | Giáo dục" or a title alone in the first one
    or two columns; None for any other row. The numbering is stripped."""
    filled = [(c, v) for c, v in enumerate(values) if v is not None and v != ""]
    if not filled or len(filled) > 2 or filled[-1][0] > 1:
        return None
    if len(filled) == 2:
        number, title = filled[0][1], filled[1][1]
        if not isinstance(title, str) or not isinstance(number, str | int | float):
            return None
        if isinstance(number, str) and not NUMBER_ONLY.match(number):
            return None
        text = title
    else:
        text = filled[0][1]
        if not isinstance(text, str):
            return None
    text = " ".join(text.split())
    if NUMBER_ONLY.match(text):
        return None
    text = NUMBERING.sub("", text, count=1).strip(" .:-")
    if not any(ch.isalpha() for ch in text) or len(text) > 200:
        return None
    return text


def _is_signature(values: list[Any]) -> bool:
    texts: list[str] = []
    for v in values:
        if v is None or v == "":
            continue
        if not isinstance(v, str):
            if isinstance(v, int | float):
                return False
            continue
        if v.strip():
            texts.append(fold(v).lstrip("( ").strip())
        if len(texts) > SIGNATURE_TEXTS:
            return False
    if not texts:
        return False
    if bool(SIGNATURE.search(texts[0])):
        return True
    return len(texts) >= 2 and all(ROLES.match(t) or SIGNATURE.search(t) for t in texts)


def _readings(values: list[Any], convert: Any, limit: int = 2) -> list[list[Any]]:
    """The row as read and, when it may be a total, heading or signature row (at most
    ``limit`` texts) with non-ASCII text, as TCVN3 and VNI would read it, so that "Tæng céng"
    is known for a total row before the sheet's encoding is decided."""
    texts: list[str] = []
    for v in values:
        if isinstance(v, str) and v.strip():
            texts.append(v)
            if len(texts) > limit:
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


def _signature(raw: list[Any], convert: Any) -> bool:
    return any(_is_signature(v) for v in _readings(raw, convert, SIGNATURE_TEXTS))


def data_rows(
    sheet: Sheet, header: Header, *, headings: bool = False, known: Collection[str] = ()
) -> Iterator[DataRow]:
    """The rows under a header that hold data, as raw values by layout key. Skipped rows are
    added to ``header.skipped`` with the reason. With ``headings``, a heading row ("I. NÔNG
    NGHIỆP") is remembered for the rows below it (``DataRow.heading``). ``known``: the labels
    of the rows a form knows, cleaned like a header (``headers.clean``), never skipped as
    totals ("Tổng số hộ | 412" is a row of F1, "Tổng cộng" still a total)."""
    convert = legacy_converter(header.encoding)
    wanted = sorted(header.columns.items(), key=lambda item: item[1])
    keys = [key for key, _c in wanted]
    columns = [c for _key, c in wanted]
    pick = itemgetter(*columns) if len(columns) > 1 else None
    reach = max(columns, default=-1)
    first_column = min(columns, default=0)
    heading, heading_row = "", 0
    grid = sheet.grid
    for index in range(header.row + 1, len(grid)):
        raw = grid[index]
        width = len(raw)
        if pick is not None and width > reach:  # the usual row: every column at hand
            cells_in = [None if v == "" else v for v in pick(raw)]
        else:
            cells_in = [raw[c] if c < width and raw[c] != "" else None for c in columns]
        blank = all(v is None or (isinstance(v, str) and not v.strip()) for v in cells_in)
        if blank and not any(isinstance(v, str) and v.strip() for v in raw):
            continue
        few = len(cells_in) - cells_in.count(None) <= SIGNATURE_TEXTS
        if (blank or few) and _signature(raw, convert):
            _below(grid, index, header)
            return
        if blank:
            continue
        number = index + 1
        if _is_number_row(cells_in):
            header.skipped.append((number, _("the row of column numbers")))
            continue
        variants = _readings(cells_in, convert)
        if any(_is_total_row(v, known) for v in variants):
            header.skipped.append((number, _("a total row")))
            continue
        text = heading_text(raw[first_column : reach + 1]) if headings and variants else None
        if text is not None:
            heading = convert(text) if convert is not None else text
            heading_row = number
            header.headings[number] = heading
            header.skipped.append(
                (
                    number,
                    _("a heading row: sector “%(text)s” for the rows below") % {"text": heading},
                )
            )
            continue
        if not headings and any(_is_section_row(v) for v in variants):
            header.skipped.append((number, _("a heading row")))
            continue
        if convert is not None:
            cells_in = [convert(v) if isinstance(v, str) else v for v in cells_in]
        yield DataRow(number, dict(zip(keys, cells_in, strict=True)), heading, heading_row)


def _below(grid: list[list[Any]], start: int, header: Header) -> None:
    """Every non-blank row from the signature and notes block on, listed as skipped."""
    reason = _("below the signature and notes block")
    for index in range(start, len(grid)):
        if any(
            v is not None and v != "" and not (isinstance(v, str) and not v.strip())
            for v in grid[index]
        ):
            header.skipped.append((index + 1, reason))
