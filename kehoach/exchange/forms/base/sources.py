"""Which money column of a workbook made elsewhere is which line of the resource envelope.

A workbook downloaded from kehoach has one money column per envelope line, titled the way
``source_columns`` writes it ("1. NTP26 – Hạ tầng: giao thông"). A commune's own workbook
titles them the way people write them, usually under a merged parent ("Nguồn vốn >
CTMTQG 2026-2035", "NS tỉnh", "Vốn lồng ghép", "CTMTQG – Giao thông"). A column is matched to
an envelope line by, in order:

1. its exact label as kehoach writes it (folded);
2. the source it names — by code, name or catalog alias (``exchange.choices.sources``, the
   same look-up as a source cell), a trailing year range allowed — and, when several envelope
   lines share that source, the sector its header names ("CTMTQG – Giao thông", or a parent
   "CTMTQG" over a child "Giao thông"), or the envelope line's number written before it
   ("1. CTMTQG") when that line is of the source named;
3. a programme named whose envelope lines are its components ("CTMTQG" when the envelope has
   "Hợp phần nông thôn mới") is read like the components' own source.

A column is never guessed: one that could be several envelope lines, that names a source or a
sector the envelope has no line for, or that sits under the sources' parent header naming
nothing known, is a problem naming its letter, its header and the envelope lines it could be.
Columns outside the sources' parent that name no source are left alone (a note column), and
so is a column of the community's own contribution ("Dân góp") when the envelope has no line
of it: the contribution is not a draw on the envelope.

``match_source_columns`` does the matching on header texts (pure, no database); F12 and F14
call ``foreign_source_columns``, which finds the header block of a sheet, matches its columns
and gives the columns to read with ``read_table`` plus the problems as cell errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from kehoach.catalog.names import name_key

from ... import choices as lists
from ...choices import Choices
from ...layouts import Column
from ...reading import Book as Upload
from ...reading.headers import GROUPING, HEADER_DEPTH, clean, locate, unit_scale
from ...reading.synonyms import synonyms_for
from .errors import CellError
from .table import header_specs

SOURCES_KEY = "sources"
"""The key of the synonyms (``exchange/synonyms.json`` and ``HeaderSynonym`` rows) that name
the parent header over the money columns by source ("Nguồn vốn", "Cơ cấu nguồn vốn")."""

TOTALS = frozenset({"tong", "tong so", "tong cong", "cong", "tong von", "tong nguon von"})
"""A column under the sources' parent that adds them up: not an envelope line, not read."""

_NUMBER = re.compile(r"^\s*(\d+)\s*[.)]\s*(?!\d)")
_SEGMENTS = re.compile(r"\s+[-–—]\s+|[()\[\]]")
_PARENS = re.compile(r"\([^)]*\)")


def envelope_label(line: Any) -> str:
    """The header kehoach writes over an envelope line's money column: "1. NTP26 – Hạ tầng:
    giao thông" (the sector only when the line has one)."""
    label = f"{line.number}. {line.source.code}"
    if line.sector_id:
        label += f" – {line.sector.name}"
    return label


@dataclass(frozen=True)
class ColumnProblem:
    """Why a column of the file is refused: its 0-based index, letter, header and the
    message (a sentence for the column's header cell)."""

    column: int
    letter: str
    header: str
    message: str


@dataclass
class _Named:
    source: Any = None
    source_text: str = ""
    sector: Any = None
    unknown: str = ""
    number: int | None = None


def _without_units(text: str) -> str:
    """The text without the parentheses that name a money unit ("(1.000 đồng)")."""
    return " ".join(
        _PARENS.sub(lambda m: " " if unit_scale(m.group(0)) else m.group(0), text).split()
    )


def _read_levels(levels: Sequence[str], sources: Choices, sectors: Choices) -> _Named:
    """The source, the sector and any text naming neither, over a header's levels (deepest
    first: the child says more than its parent)."""
    named = _Named()
    unknown: list[str] = []
    for depth, level in enumerate(reversed(levels)):
        text = _without_units(level)
        found = _NUMBER.match(text)
        if found:
            if depth == 0:
                named.number = int(found.group(1))
            text = text[found.end() :]
        segments = [s.strip() for s in _SEGMENTS.split(text) if s and s.strip(" .:-–—")]
        rest = segments
        if named.source is None:
            for end in range(len(segments), 0, -1):
                head = " ".join(segments[:end])
                value, _close = sources.find(head)
                if value is not None:
                    named.source, named.source_text = value, head
                    rest = segments[end:]
                    break
        if not rest:
            continue
        if named.sector is None:
            value, _close = sectors.find(" ".join(rest))
            if value is not None:
                named.sector = value
                continue
        unknown.append(" – ".join(rest))
    named.unknown = "; ".join(unknown)
    return named


def _lines_text(lines: Iterable[Any], label: Callable[[Any], str]) -> str:
    return "; ".join(f"“{label(line)}”" for line in lines)


def _candidates(source: Any, envelope: Sequence[Any]) -> list[Any]:
    own = [line for line in envelope if line.source_id == source.pk]
    if own:
        return own
    return [line for line in envelope if getattr(line.source, "parent_id", None) == source.pk]


def match_source_columns(
    headers: Mapping[int, str],
    envelope: Sequence[Any],
    key: Callable[[Any], str],
    *,
    sources: Choices,
    sectors: Choices,
    parents: Iterable[str] = (),
    label: Callable[[Any], str] = envelope_label,
) -> tuple[dict[str, int], list[ColumnProblem]]:
    """The envelope line of each money column, as ``key(envelope line) → 0-based column``,
    and the columns refused.

    ``headers``: 0-based column → its header as shown, levels joined by " > " ("Nguồn vốn
    (1.000 đồng) > CTMTQG – Giao thông"; ``reading.Header.texts``), only the columns no other
    field of the layout took. ``envelope``: the envelope lines (``number``, ``source`` with
    ``pk``/``code``/``is_external``/``parent_id``, ``sector`` or None). ``sources`` and
    ``sectors``: the catalog look-ups (``exchange.choices.sources(year)``, ``sectors()``).
    ``parents``: the texts of the parent header over the money columns ("Hỗ trợ theo nguồn
    vốn", "Nguồn vốn"); a column under one must be an envelope line or a total. ``label``:
    the header kehoach writes for a line (matched exactly first).

    Every column is matched on its own; a second column for an envelope line already taken
    is a problem naming the first. Columns that name no source and sit under no sources'
    parent are not in the answer and not problems (they are not money by source)."""
    parent_keys = {clean(p) for p in parents if p} | set(GROUPING)
    parent_keys.discard("")
    by_label = {name_key(label(line)): line for line in envelope}
    found: dict[str, int] = {}
    taken: dict[int, int] = {}  # id(envelope line) → column
    problems: list[ColumnProblem] = []

    def refuse(column: int, text: str, message: str) -> None:
        problems.append(ColumnProblem(column, get_column_letter(column + 1), text, message))

    for column in sorted(headers):
        text = headers[column]
        levels = [level.strip() for level in text.split(" > ") if level.strip()]
        cleaned = [clean(level) for level in levels]
        under = any(c in parent_keys for c in cleaned[:-1])
        own = [level for level, c in zip(levels, cleaned, strict=True) if c not in parent_keys]
        if not own:
            continue
        line = by_label.get(name_key(own[-1])) or by_label.get(name_key(" – ".join(own)))
        if line is None:
            named = _read_levels(own, sources, sectors)
            line, message = _decide(named, envelope, label)
            if line is None and message is None:
                if under and clean(own[-1]) not in TOTALS:
                    message = _(
                        "this column under “%(parent)s” names no line of the resource envelope; "
                        "title it with the source (and the sector) of one of: %(lines)s."
                    ) % {
                        "parent": next(
                            lv for lv, c in zip(levels, cleaned, strict=True) if c in parent_keys
                        ),
                        "lines": _lines_text(envelope, label),
                    }
                else:
                    continue
            if message == "":
                continue
            if message is not None:
                refuse(column, text, message)
                continue
        assert line is not None
        first = taken.setdefault(id(line), column)
        if first != column:
            refuse(
                column,
                text,
                _(
                    "column %(first)s already gives the envelope line “%(line)s”; keep one "
                    "column per envelope line."
                )
                % {"first": get_column_letter(first + 1), "line": label(line)},
            )
            continue
        found[key(line)] = column
    return found, problems


def _decide(
    named: _Named, envelope: Sequence[Any], label: Callable[[Any], str]
) -> tuple[Any, str | None]:
    """The envelope line a column names, or the problem; (None, None) when it names no
    source (the caller decides whether that is a problem), (None, "") for a column that is
    not a draw on the envelope (left alone)."""
    source = named.source
    if source is None:
        return None, None
    candidates = _candidates(source, envelope)
    if not candidates:
        if not getattr(source, "is_external", True):
            return None, ""  # the community's own contribution: not an envelope line
        return None, _(
            "this column names the source “%(source)s”, which has no line in the resource "
            "envelope; the envelope's lines are: %(lines)s."
        ) % {"source": named.source_text, "lines": _lines_text(envelope, label)}
    if named.number is not None:
        numbered = [line for line in candidates if line.number == named.number]
        if numbered and (named.sector is None or numbered[0].sector_id == named.sector.pk):
            return numbered[0], None
    narrowed = candidates
    if named.sector is not None:
        narrowed = [line for line in candidates if line.sector_id == named.sector.pk] or [
            line for line in candidates if not line.sector_id
        ]
        if not narrowed:
            return None, _(
                "the resource envelope has no line of “%(source)s” for the sector "
                "“%(sector)s”; its lines of this source are: %(lines)s."
            ) % {
                "source": named.source_text,
                "sector": named.sector.name,
                "lines": _lines_text(candidates, label),
            }
    if len(narrowed) == 1:
        return narrowed[0], None
    example = next((line for line in narrowed if line.sector_id), None)
    hint = (
        _(" (for example “%(example)s”)")
        % {"example": f"{named.source_text} – {example.sector.name}"}
        if example is not None
        else ""
    )
    return None, _(
        "this column could be any of the envelope lines %(lines)s; write the sector in its "
        "header too%(hint)s, or the envelope line's number before the source (“1. …”)."
    ) % {"lines": _lines_text(narrowed, label), "hint": hint}


def _block_texts(
    sheet: Any, top: list[list[str]], header: Any, taken: set[int]
) -> tuple[int, dict[int, str]]:
    """The last row of the header block (0-based) and each column's header over it, levels
    joined by " > ". The block found for the layout's other columns may end above the
    sources' own row (their headers merged over two rows, "Nguồn vốn" merged over the
    sources): the rows below it are part of the block while only the columns no field took
    have text there."""
    first = header.first_row if header.first_row >= 0 else header.row
    bottom = header.row
    grid = sheet.grid
    while bottom + 1 < len(top) and bottom + 1 - first < HEADER_DEPTH:
        raw = grid[bottom + 1] if bottom + 1 < len(grid) else []
        filled = [c for c, v in enumerate(raw) if v is not None and str(v).strip()]
        if not filled or any(c in taken for c in filled):
            break
        if any(
            not isinstance(raw[c], str) or not any(ch.isalpha() for ch in raw[c]) for c in filled
        ):
            break  # numbers: the row of column numbers or data
        bottom += 1
    out: dict[int, str] = {}
    for c in range(max((len(top[r]) for r in range(first, bottom + 1)), default=0)):
        chain: list[str] = []
        for r in range(first, bottom + 1):
            text = " ".join(top[r][c].split()) if c < len(top[r]) else ""
            if text and (not chain or chain[-1] != text):
                chain.append(text)
        if chain:
            out[c] = " > ".join(chain)
    return bottom, out


def foreign_source_columns(
    upload: Upload,
    sheet_name: str,
    columns: Sequence[Column],
    envelope: Sequence[Any],
    key: Callable[[Any], str],
    *,
    year: int,
    form: str,
) -> tuple[list[Column], list[CellError]]:
    """The columns to read from a workbook made elsewhere: ``columns`` (a layout's, with its
    ``sources`` column) with the sources column replaced by one money column per envelope
    line the file has, titled as the file titles it (so ``read_table`` finds it and reads its
    unit), in the envelope's order; and a cell error (the header cell) per column refused.
    An envelope line the file has no column for is not in the answer."""
    spread = next((c for c in columns if c.kind == "sources"), None)
    base = [c for c in columns if c.kind != "sources"]
    if spread is None:
        return base, []
    synonyms = synonyms_for(form)
    sheet = upload.sheet(sheet_name)
    header, top = locate(sheet, header_specs(base), synonyms=synonyms)
    if header.row < 0:
        return base, []  # read_table names the missing columns
    taken = set(header.columns.values())
    bottom, block = _block_texts(sheet, top, header, taken)
    texts = {c: text for c, text in block.items() if c not in taken}
    found, problems = match_source_columns(
        texts,
        envelope,
        key,
        sources=lists.sources(year),
        sectors=lists.sectors(),
        parents=[spread.header, *synonyms.get(SOURCES_KEY, [])],
    )
    money = [
        Column(key(line), texts[found[key(line)]], spread.width, "money", total=spread.total)
        for line in envelope
        if key(line) in found
    ]
    at = next(i for i, c in enumerate(columns) if c is spread)
    out = [*base[:at], *money, *base[at:]]
    errors = [
        CellError(sheet_name, bottom + 1, p.letter, p.header, None, p.message) for p in problems
    ]
    return out, errors
