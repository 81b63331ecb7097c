"""The drop-down lists of the workbooks and the reverse: finding what a typed cell means.

A cell is matched by its folded text (``catalog.names.name_key``: no diacritics, no case, no
punctuation, single spaces) against each entry's name, code and aliases (``catalog.Alias``
rows, and a unit's ``aliases`` field); "HT-GT – Hạ tầng: giao thông", "ht-gt", "ha tang giao
thong", "Giao thông" all find the sector. Then the "CODE – name" head, then the text without a
trailing year range ("CTMTQG giai đoạn 2026 - 2035" finds the programme "CTMTQG" names, when
its validity years meet those typed).

When nothing matches, suggestions are offered only when they are close in the words that
tell entries apart: "Nông nghiệp" never suggests "Lâm nghiệp" (they share only the generic
"nghiệp"), and an unrelated word gets no suggestion at all — the cell asks to choose from the
drop-down. A guess is never taken for an answer.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet

from kehoach.catalog.choices import ExpenditureType
from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.catalog.names import name_key, own_names, without_years
from kehoach.core.text import fold
from kehoach.plans.choices import ImplementationMode, PovertyStatus, Sex

key_of = name_key
"""Folded, without punctuation: "Hạ tầng: giao thông" → "ha tang giao thong"."""

GENERIC_WORDS = frozenset(
    {
        "nghiep",
        "tang",
        "ha",
        "von",
        "chuong",
        "trinh",
        "ct",
        "ngan",
        "sach",
        "ns",
        "va",
        "cac",
        "cua",
        "cho",
        "ve",
        "giai",
        "doan",
        "du",
        "an",
        "phat",
        "trien",
        "ho",
        "tro",
        "xay",
        "dung",
    }
)
"""Words that many names share and that do not tell entries apart (folded)."""
COMMON_SHARE = 3
"""A word found in this many entries' names of a list is generic in that list too."""
WORD_RATIO = 0.8
"""How alike two distinctive words must be to count as the same word mistyped."""
TEXT_RATIO = 0.85
"""How alike the distinctive words of a cell and a name must be, taken together."""
MAX_SUGGESTIONS = 3

_DASH_SPLIT = re.compile(r"\s[-–—]\s")


@dataclass
class Entry:
    label: str
    value: Any
    keys: tuple[str, ...]
    years: tuple[int | None, int | None] | None = None
    """Validity years of a funding source (open ends None); None when years do not apply."""
    aliases: tuple[str, ...] = ()
    """Folded aliases (``catalog.Alias``): matched after every entry's own keys."""

    def valid_in(self, years: tuple[int, int]) -> bool:
        if self.years is None:
            return True
        start, end = self.years
        return (start is None or start <= years[1]) and (end is None or years[0] <= end)


@dataclass
class Choices:
    """One list: its labels for the workbook and a folded index for reading."""

    entries: list[Entry]
    _index: dict[str, Entry] = field(init=False, repr=False, compare=False)
    _generic: frozenset[str] = field(init=False, repr=False, compare=False)
    _asked: dict[str, tuple[Any, list[str]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index = {}
        # names and codes first, so that an alias never hides another entry's own name
        for entry in self.entries:
            for key in entry.keys:
                self._index.setdefault(key, entry)
        for entry in self.entries:
            for key in entry.aliases:
                self._index.setdefault(key, entry)
        shared = Counter(w for e in self.entries for w in {w for k in e.keys for w in k.split()})
        self._generic = GENERIC_WORDS | {w for w, n in shared.items() if n >= COMMON_SHARE}
        self._asked = {}

    @property
    def labels(self) -> list[str]:
        return [e.label for e in self.entries]

    def label_of(self, value: Any) -> str:
        for entry in self.entries:
            if entry.value == value or getattr(entry.value, "pk", object()) == getattr(
                value, "pk", None
            ):
                return entry.label
        return ""

    def options(self) -> list[tuple[str, str]]:
        """``(value, label)`` pairs for a form's drop-down: the value is the entry's primary key
        (catalog entries) or its stored value, as a string."""
        return [(_option_value(e.value), e.label) for e in self.entries]

    def find(self, text: str) -> tuple[Any, list[str]]:
        """(value, []) when the text names one entry; (None, suggestions) otherwise."""
        folded = key_of(str(text))
        if not folded:
            return None, []
        asked = fold(str(text))  # the dashes matter for the "CODE – name" head
        answer = self._asked.get(asked)
        if answer is None:
            answer = self._find(str(text), folded)
            self._asked[asked] = answer
        return answer[0], list(answer[1])

    def _find(self, text: str, folded: str) -> tuple[Any, list[str]]:
        entry = self._index.get(folded)
        if entry is not None:
            return entry.value, []
        # "CODE – name" typed with another dash, or only the code part
        head = key_of(_DASH_SPLIT.split(fold(text))[0])
        entry = self._index.get(head) if head else None
        if entry is not None:
            return entry.value, []
        # "CTMTQG giai đoạn 2026 - 2035" when only "CTMTQG" is known
        for candidate in dict.fromkeys((folded, head)):
            bare, years = without_years(candidate)
            if years is None:
                continue
            entry = self._index.get(bare)
            if entry is not None and entry.valid_in(years):
                return entry.value, []
        bare = without_years(folded)[0]
        return None, self.suggestions(bare)

    def suggestions(self, folded: str) -> list[str]:
        """Labels of the entries close enough to the folded text to be offered, best first."""
        words = folded.split()
        typed = [w for w in words if w not in self._generic and not w.isdigit()]
        if not typed:
            return []
        scored: dict[int, tuple[float, str]] = {}
        for position, entry in enumerate(self.entries):
            keys = (*entry.keys, *entry.aliases)
            best = max((self._score(words, typed, key) for key in keys), default=0.0)
            if best > 0:
                scored[position] = (best, entry.label)
        ranked = sorted(scored.items(), key=lambda item: (-item[1][0], item[0]))
        labels = [label for _, (_, label) in ranked]
        return list(dict.fromkeys(labels))[:MAX_SUGGESTIONS]

    def _score(self, words: list[str], typed: list[str], key: str) -> float:
        """How strongly the name *key* answers the typed words (0: not at all)."""
        names = key.split()
        if _in_order(words, names):
            return 2.0  # every typed word, in order: "nuoc" in "nuoc sach ve sinh moi truong"
        own = [w for w in names if w not in self._generic and not w.isdigit()]
        if not own:
            return 0.0
        matched_own = sum(1 for w in own if any(_same_word(w, t) for t in typed))
        matched_typed = sum(1 for t in typed if any(_same_word(t, w) for w in own))
        if matched_own == len(own) and matched_typed * 2 >= len(typed):
            # the name's distinctive words are all there: "thuy loi noi dong" for "thuy loi"
            return 1.0 + matched_typed / len(typed) / 2
        ratio = difflib.SequenceMatcher(None, " ".join(typed), " ".join(own)).ratio()
        return ratio if ratio >= TEXT_RATIO else 0.0


def _in_order(words: list[str], names: list[str]) -> bool:
    it = iter(names)
    return all(any(w == n for n in it) for w in words)


def _same_word(one: str, other: str) -> bool:
    if one == other:
        return True
    if min(len(one), len(other)) < 4:
        return False
    return difflib.SequenceMatcher(None, one, other).ratio() >= WORD_RATIO


def _option_value(value: Any) -> str:
    pk = getattr(value, "pk", None)
    return str(pk) if pk is not None else str(value)


def _entry(label: str, value: Any, *others: str, aliases: Any = (), years: Any = None) -> Entry:
    keys = {key_of(label): None}
    keys.update((key_of(o), None) for o in others if o)
    folded = {key_of(a): None for a in aliases} if aliases else {}
    return Entry(
        label=label,
        value=value,
        keys=tuple(k for k in keys if k),
        years=years,
        aliases=tuple(k for k in folded if k and k not in keys),
    )


def _with_aliases(items: QuerySet[Any]) -> list[tuple[Any, list[str]]]:
    """Each entry of *items* once, in order, with the texts of its aliases: ONE query (the
    aliases come as a LEFT JOIN, one row per alias)."""
    grouped: dict[int, tuple[Any, list[str]]] = {}
    for item in items.annotate(alias_text=F("alias_entries__text")):
        found = grouped.setdefault(item.pk, (item, []))
        if item.alias_text:
            found[1].append(item.alias_text)
    return list(grouped.values())


def sectors() -> Choices:
    items = Sector.objects.filter(is_active=True).order_by("sort_order", "code")
    return Choices(
        [_entry(s.name, s, *own_names(s), aliases=aliases) for s, aliases in _with_aliases(items)]
    )


def units() -> Choices:
    items = UnitOfMeasure.objects.filter(is_active=True).order_by("sort_order", "code")
    return Choices(
        [_entry(u.name, u, *own_names(u), aliases=aliases) for u, aliases in _with_aliases(items)]
    )


def sources(year: int, *, queryset: Any = None) -> Choices:
    items = queryset if queryset is not None else FundingSource.objects.active_for_year(year)
    return Choices(
        [
            _entry(
                f"{s.code} – {s.name}",
                s,
                *own_names(s),
                aliases=aliases,
                years=(s.valid_from_year, s.valid_to_year),
            )
            for s, aliases in _with_aliases(items.order_by("sort_order", "code"))
        ]
    )


CATALOG_LISTS = ("sectors", "sources", "units")


def choices_for(list_name: str, *, year: int) -> Choices:
    """The list of a workbook column that reads catalog entries: "sectors", "sources" (valid
    in *year*; "envelope_sources" is read the same way) or "units". ``KeyError`` otherwise."""
    if list_name == "sectors":
        return sectors()
    if list_name in ("sources", "envelope_sources"):
        return sources(year)
    if list_name == "units":
        return units()
    raise KeyError(list_name)


def text_choices(choices: Any, *extra: tuple[str, str]) -> Choices:
    entries = [_entry(str(label), value, value) for value, label in choices]
    entries += [_entry(label, value) for value, label in extra]
    return Choices(entries)


def priorities(profile: Any) -> Choices:
    return Choices([_entry(str(p), p) for p in profile.priority_levels])


def modes() -> Choices:
    return text_choices(ImplementationMode.choices)


def expenditure() -> Choices:
    return text_choices(ExpenditureType.choices)


def sexes() -> Choices:
    return text_choices(Sex.choices, ("female", "nữ"), ("male", "nam"))


def poverty() -> Choices:
    return text_choices(
        PovertyStatus.choices, ("poor", "hộ nghèo"), ("near_poor", "cận nghèo"), ("other", "khác")
    )
