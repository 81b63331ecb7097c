"""Finding a layout's columns on a sheet by their header text (``find_header``), the way a
person would: anywhere in the first rows, in a header block of one to three rows with merged
cells ("Dân đóng góp > Trong đó > Tiền mặt"), whatever the case, diacritics, numbering, units
or extra spaces, by the layout's own labels first and then by the synonyms programmes use
("Tổng mức đầu tư" for the total cost), and in legacy TCVN3/VNI text. The unit written in a
money column's header ("(tr.đ)", "(1.000 đ)", "(đồng)") is noted for the reading."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.legacy import detect_legacy_many, legacy_converter

from .header_text import _loose, _norm, clean, unit_scale
from .opening import Sheet

HEADER_SCAN_ROWS = 40
HEADER_DEPTH = 3
"""Rows a header block may take: a parent over its children, and a grouping word ("Trong
đó") between them."""

GROUPING = frozenset(
    {"trong do", "chia ra", "gom", "bao gom", "chia theo", "cu the", "chi tiet", "phan ra"}
)
"""Parent headers that only group their children: the child alone names the column."""


@dataclass(frozen=True)
class HeaderSpec:
    """A column the layout expects: its key, the header texts that name it (exactly, folded)
    and the other ways workbooks title it (``synonyms``, compared cleaned of units, numbering
    and punctuation)."""

    key: str
    labels: Sequence[str]
    required: bool = False
    synonyms: Sequence[str] = ()


@dataclass
class Header:
    row: int
    """0-based index of the last header row; data starts below it."""
    columns: dict[str, int]
    """Layout key → 0-based column."""
    letters: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)
    scales: dict[str, str] = field(default_factory=dict)
    """Key → the money unit its header names ("mvnd", "kvnd", "vnd"); absent when none."""
    unread: list[tuple[str, str]] = field(default_factory=list)
    """(letter, header text) of the columns of the header block that name no key."""
    first_row: int = -1
    """0-based index of the first header row (``row`` when the header is one row)."""
    texts: dict[int, str] = field(default_factory=dict)
    """Column → its header as shown ("Parent > Child"), converted, for every column of the
    header block that has one."""
    sure: set[str] = field(default_factory=set)
    """The keys found by their label or a synonym (every key ``find_header`` gives)."""
    headings: dict[int, str] = field(default_factory=dict)
    """Sheet row → the text of a heading row found by ``data_rows`` (with ``headings``)."""


# --- the header block ------------------------------------------------------------------------


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


def _parents(top: list[list[str]], r: int, above_row: int | None = None) -> list[str]:
    """The row above, with a parent typed once over several children carried to the right
    (a merge lost when the file was converted)."""
    above_row = r - 1 if above_row is None else above_row
    if above_row < 0:
        return []
    above, here = top[above_row], top[r]
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
    """The exact path: each key by its own labels (folded, then without parentheses)."""
    parents = _parents(top, r)
    cells = [
        [(_norm(t), _loose(t)) for t in _candidates(top, r, c, parents)] for c in range(len(top[r]))
    ]
    found: dict[str, int] = {}
    used: set[int] = set()
    for loose in (False, True):
        where: dict[str, list[int]] = {}  # a name → the columns it names, left to right
        for c, names in enumerate(cells):
            for pair in names:
                columns = where.setdefault(pair[1] if loose else pair[0], [])
                if not columns or columns[-1] != c:
                    columns.append(c)
        for spec in specs:
            if spec.key in found:
                continue
            wanted = {(_loose(label) if loose else _norm(label)) for label in spec.labels}
            named = sorted({c for name in wanted for c in where.get(name, ())} - used)
            if named:
                found[spec.key] = named[0]
                used.add(named[0])
    return found


def _best_exact(top: list[list[str]], specs: Sequence[HeaderSpec]) -> tuple[int, dict[str, int]]:
    best: tuple[int, dict[str, int]] = (-1, {})
    for r in range(len(top)):
        found = _match_row(top, r, specs)
        if len(found) > len(best[1]):
            best = (r, found)
    return best


def _block_rows(top: list[list[str]], r: int) -> list[int]:
    """The rows above ``r`` that belong to its header block (at most two, contiguous): rows
    with at least two different texts over a quarter of the columns ``r`` fills. A title
    across the table or a line "Đơn vị tính: triệu đồng" is not part of it."""
    filled = sum(1 for t in top[r] if t)
    rows: list[int] = []
    for x in range(r - 1, max(-1, r - HEADER_DEPTH), -1):
        texts = [t for t in top[x][: len(top[r])] if t]
        if len(set(texts)) < 2 or len(texts) * 4 < filled:
            break
        rows.insert(0, x)
    return rows


@dataclass
class _Block:
    row: int
    first_row: int
    found: dict[str, int]
    chains: dict[int, list[tuple[int, str]]]
    """Column → its header texts from the top (row index, text), within the block."""
    exact: int = 0


def _chains(top: list[list[str]], r: int) -> dict[int, list[tuple[int, str]]]:
    """Each column's header texts over the rows r-2 .. r (a parent typed once over several
    children carried right; equal texts of a vertical merge kept once)."""
    rows = _block_rows(top, r)
    above = {x: _parents(top, r, x) for x in rows}
    out: dict[int, list[tuple[int, str]]] = {}
    for c in range(len(top[r])):
        chain: list[tuple[int, str]] = []
        for x in rows:
            text = above[x][c] if c < len(above[x]) else ""
            if text and (not chain or chain[-1][1] != text):
                chain.append((x, text))
        own = top[r][c]
        if own and (not chain or chain[-1][1] != own):
            chain.append((r, own))
        if chain:
            out[c] = chain
    return out


def _variants(chain: list[tuple[int, str]]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The cleaned names of a header chain, with the top row each uses: (with a parent,
    most specific first), (the child alone)."""
    texts = [clean(t) for _r, t in chain]
    rows = [r for r, _t in chain]
    last = len(texts) - 1
    context: list[tuple[str, int]] = []
    for start in range(last):
        parts = [t for t in texts[start:] if t]
        if len(parts) > 1:
            context.append((" > ".join(parts), rows[start]))
        if start == last - 1 and texts[start] in GROUPING and start > 0:
            context.append((f"{texts[start - 1]} > {texts[last]}", rows[start - 1]))
    bare = [(texts[last], rows[last])] if texts[last] else []
    return context, bare


def _lookup(specs: Sequence[HeaderSpec]) -> dict[str, list[str]]:
    """Cleaned label or synonym → the keys it names, labels first, in the layout's order."""
    out: dict[str, list[str]] = {}
    for spec in specs:
        for text in spec.labels:
            out.setdefault(clean(text), []).append(spec.key)
    for spec in specs:
        for text in spec.synonyms:
            keys = out.setdefault(clean(text), [])
            if spec.key not in keys:
                keys.append(spec.key)
    out.pop("", None)
    return out


def _match_block(
    top: list[list[str]],
    r: int,
    specs: Sequence[HeaderSpec],
    lookup: dict[str, list[str]],
) -> _Block:
    exact = _match_row(top, r, specs)
    chains = _chains(top, r)
    found = dict(exact)
    used = set(found.values())
    by_key = {s.key: s for s in specs}
    tops: dict[int, int] = {}
    for key, c in exact.items():  # an exact "Parent > Child" label reaches the parent's row
        chain = chains.get(c, [])
        nested = any(" > " in label for label in by_key[key].labels)
        tops[c] = chain[-2][0] if nested and len(chain) > 1 else chain[-1][0] if chain else r
    if len(found) < len(specs):
        variants = {c: _variants(chain) for c, chain in chains.items() if c not in used}
        for which in (0, 1):  # with a parent first: the parent decides between children
            for c, pair in variants.items():
                if c in used:
                    continue
                for name, row_used in pair[which]:
                    hit = next((k for k in lookup.get(name, ()) if k not in found), None)
                    if hit is not None:
                        found[hit] = c
                        used.add(c)
                        tops[c] = row_used
                        break
    first = min(tops.values(), default=r)
    block = {c: [(x, t) for x, t in chain if x >= first] for c, chain in chains.items()}
    return _Block(r, first, found, {c: ch for c, ch in block.items() if ch}, exact=len(exact))


def _best_block(top: list[list[str]], specs: Sequence[HeaderSpec]) -> _Block:
    lookup = _lookup(specs)
    best = _Block(-1, -1, {}, {})
    for r in range(len(top)):
        if not any(top[r]):
            continue
        block = _match_block(top, r, specs, lookup)
        if (len(block.found), block.exact) > (len(best.found), best.exact):
            best = block
    return best


def shown_header(chain: list[tuple[int, str]]) -> str:
    return " > ".join(" ".join(t.split()) for _r, t in chain)


def _header(
    top: list[list[str]], block: _Block, specs: Sequence[HeaderSpec], encoding: str | None
) -> Header:
    texts = {c: shown_header(chain) for c, chain in block.chains.items()}
    scales = {}
    for key, c in block.found.items():
        for _r, text in reversed(block.chains.get(c, [])):
            unit = unit_scale(text)
            if unit:
                scales[key] = unit
                break
    taken = set(block.found.values())
    unread = [(get_column_letter(c + 1), texts[c]) for c in sorted(texts) if c not in taken]
    return Header(
        row=block.row,
        columns=block.found,
        letters={key: get_column_letter(c + 1) for key, c in block.found.items()},
        encoding=encoding,
        scales=scales,
        unread=unread,
        first_row=block.first_row,
        texts=texts,
        sure=set(block.found),
    )


Synonyms = Mapping[str, Sequence[str]] | Callable[[], Mapping[str, Sequence[str]]] | None


def with_synonyms(specs: Sequence[HeaderSpec], synonyms: Synonyms) -> list[HeaderSpec]:
    """The specs with the synonyms of their keys added: ``synonyms`` as a mapping, a function
    giving it (called only here), or None for the shipped synonyms of any form."""
    if synonyms is None:
        from .synonyms import ANY_FORM, shipped_synonyms

        mapping: Mapping[str, Sequence[str]] = shipped_synonyms().get(ANY_FORM, {})
    elif callable(synonyms):
        mapping = synonyms()
    else:
        mapping = synonyms
    return [replace(spec, synonyms=(*spec.synonyms, *mapping.get(spec.key, ()))) for spec in specs]


def locate(
    sheet: Sheet, specs: Sequence[HeaderSpec], *, synonyms: Synonyms = None
) -> tuple[Header, list[list[str]]]:
    """The best header block for the specs, converted from TCVN3/VNI when that finds more;
    never raises. Also returns the first rows as text (converted when legacy). The synonyms
    are looked up only when the labels alone do not find every column."""
    top = _grid_text(sheet, HEADER_SCAN_ROWS)
    row, found = _best_exact(top, specs)
    if row >= 0 and len(found) == len(specs):  # our own template: every column by its label
        return _header(top, _match_block(top, row, specs, {}), specs, None), top
    specs = with_synonyms(specs, synonyms)
    block = _best_block(top, specs)
    encoding = None
    if any(s.key not in block.found for s in specs if s.required) or not block.found:
        detected = detect_legacy_many(t for line in top for t in line if t)
        convert = legacy_converter(detected)
        if convert is not None:
            converted = [[convert(t) for t in line] for line in top]
            block2 = _best_block(converted, specs)
            if len(block2.found) > len(block.found):
                block, top, encoding = block2, converted, detected
    return _header(top, block, specs, encoding), top


def find_header(sheet: Sheet, specs: Sequence[HeaderSpec], *, synonyms: Synonyms = None) -> Header:
    """The header block of a layout's columns on a sheet; raises ``ApplicationError`` naming
    the required columns it could not find. ``synonyms``: key → other header texts (or a
    function giving them, called only when the labels do not find every column); None for
    the shipped synonyms of any form."""
    header, _top = locate(sheet, specs, synonyms=synonyms)
    needed = [s for s in specs if s.required]
    missing = [s for s in needed if s.key not in header.columns]
    if missing or header.row < 0:
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
    return header
