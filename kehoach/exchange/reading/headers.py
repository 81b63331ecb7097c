"""Finding a layout's columns on a sheet by their header text (``find_header``), the way a
person would: anywhere in the first rows, in one row or two, whatever the case, diacritics or
extra spaces, and in legacy TCVN3/VNI text."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.legacy import detect_legacy_many, legacy_converter
from kehoach.core.text import fold

from .opening import Sheet

HEADER_SCAN_ROWS = 40


@dataclass(frozen=True)
class HeaderSpec:
    """A column the layout expects: its key and the header texts that name it."""

    key: str
    labels: Sequence[str]
    required: bool = False


@dataclass
class Header:
    row: int
    """0-based index of the last header row; data starts below it."""
    columns: dict[str, int]
    """Layout key → 0-based column."""
    letters: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)


_PAREN = re.compile(r"\([^)]*\)")
_STAR = re.compile(r"[*:]+")


SHORT_LABEL = 200
"""Header texts up to this long are normalised once per process (the same labels and header
cells are compared for every row looked at); a longer cell is normalised each time, so that a
hostile sheet cannot fill the memo."""


def _norm_now(text: str) -> str:
    return " ".join(_STAR.sub(" ", fold(text)).split())


def _loose_now(text: str) -> str:
    return " ".join(_PAREN.sub(" ", _norm(text)).split())


_norm_memo = functools.lru_cache(maxsize=4096)(_norm_now)
_loose_memo = functools.lru_cache(maxsize=4096)(_loose_now)


def _norm(text: str) -> str:
    return _norm_memo(text) if len(text) <= SHORT_LABEL else _norm_now(text)


def _loose(text: str) -> str:
    return _loose_memo(text) if len(text) <= SHORT_LABEL else _loose_now(text)


def _grid_text(sheet: Sheet, rows: int) -> list[list[str]]:
    """The first rows as text, each merged range filled with its top-left value."""
    top = [
        ["" if v is None or v == "" else str(v).strip() for v in row] for row in sheet.grid[:rows]
    ]
    covered: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= len(top) or (r0, c0) in covered:
            continue  # below the header rows, or inside a range already filled
        value = top[r0][c0] if c0 < len(top[r0]) else ""
        for r in range(r0, min(r1, len(top) - 1) + 1):
            for c in range(c0, min(c1, len(top[r]) - 1) + 1):
                if (r, c) in covered:  # ranges never overlap in a real file
                    break
                covered.add((r, c))
                top[r][c] = value
    return top


def _candidates(top: list[list[str]], r: int, c: int, parents: list[str]) -> list[str]:
    own = top[r][c] if c < len(top[r]) else ""
    parent = parents[c] if c < len(parents) else ""
    out = []
    if own:
        out.append(own)
        if parent and parent != own:
            out.append(f"{parent} > {own}")
    elif parent:  # a header over two rows whose merge was lost
        out.append(parent)
    return out


def _parents(top: list[list[str]], r: int) -> list[str]:
    """The row above, with a parent typed once over several children carried to the right
    (a merge lost when the file was converted)."""
    if r == 0:
        return []
    above, here = top[r - 1], top[r]
    out = []
    last = ""
    for c in range(len(here)):
        value = above[c] if c < len(above) else ""
        if value:
            last = value
        elif not here[c]:
            last = ""
        out.append(value or (last if here[c] else ""))
    return out


def _match_row(top: list[list[str]], r: int, specs: Sequence[HeaderSpec]) -> dict[str, int]:
    parents = _parents(top, r)
    cells = [
        [(_norm(t), _loose(t)) for t in _candidates(top, r, c, parents)] for c in range(len(top[r]))
    ]
    found: dict[str, int] = {}
    used: set[int] = set()
    for loose in (False, True):
        for spec in specs:
            if spec.key in found:
                continue
            wanted = {(_loose(label) if loose else _norm(label)) for label in spec.labels}
            for c, names in enumerate(cells):
                if c in used:
                    continue
                if any((pair[1] if loose else pair[0]) in wanted for pair in names):
                    found[spec.key] = c
                    used.add(c)
                    break
    return found


def _best_header(top: list[list[str]], specs: Sequence[HeaderSpec]) -> tuple[int, dict[str, int]]:
    best: tuple[int, dict[str, int]] = (-1, {})
    for r in range(len(top)):
        found = _match_row(top, r, specs)
        if len(found) > len(best[1]):
            best = (r, found)
    return best


def find_header(sheet: Sheet, specs: Sequence[HeaderSpec]) -> Header:
    """The header row of a layout's columns on a sheet; raises ``ApplicationError`` naming
    the required columns it could not find."""
    top = _grid_text(sheet, HEADER_SCAN_ROWS)
    row, found = _best_header(top, specs)
    encoding = None
    needed = [s for s in specs if s.required]
    if any(s.key not in found for s in needed):
        encoding = detect_legacy_many(t for line in top for t in line if t)
        convert = legacy_converter(encoding)
        if convert is not None:
            converted = [[convert(t) for t in line] for line in top]
            row2, found2 = _best_header(converted, specs)
            if len(found2) > len(found):
                row, found = row2, found2
            else:
                encoding = None
    missing = [s for s in needed if s.key not in found]
    if missing or row < 0:
        names = ", ".join(f"“{(s.labels[0] if s.labels else s.key)}”" for s in missing or needed)
        raise ApplicationError(
            "columns_missing",
            _(
                "Sheet “%(sheet)s”: the columns %(names)s were not found. Use the workbook "
                "downloaded from kehoach, or give the columns these headers."
            )
            % {"sheet": sheet.name, "names": names},
            Where(sheet=sheet.name),
        )
    return Header(
        row=row,
        columns=found,
        letters={key: get_column_letter(c + 1) for key, c in found.items()},
        encoding=encoding,
    )
