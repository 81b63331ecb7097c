"""The drop-down lists of the workbooks and the reverse: finding what a typed cell means.

A cell is matched by its folded text (no diacritics, no case, single spaces) against each
entry's name, code and aliases; "HT-GT – Hạ tầng: giao thông", "ht-gt", "ha tang giao thong"
all find the sector. When nothing matches exactly, the closest names are offered as
suggestions and the cell is refused (a guess is never taken for an answer).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from kehoach.catalog.choices import ExpenditureType
from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.core.text import fold
from kehoach.plans.choices import ImplementationMode, PovertyStatus, Sex

PUNCTUATION = re.compile(r"[^\w]+")


def key_of(text: str) -> str:
    """Folded, without punctuation: "Hạ tầng: giao thông" → "ha tang giao thong"."""
    return " ".join(PUNCTUATION.sub(" ", fold(text)).split())


@dataclass
class Entry:
    label: str
    value: Any
    keys: tuple[str, ...]


@dataclass
class Choices:
    """One list: its labels for the workbook and a folded index for reading."""

    entries: list[Entry]

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

    def find(self, text: str) -> tuple[Any, list[str]]:
        """(value, []) when the text names one entry; (None, suggestions) otherwise."""
        folded = key_of(str(text))
        for entry in self.entries:
            if folded in entry.keys:
                return entry.value, []
        # "CODE – name" typed with another dash, or only the code part
        head = key_of(re.split(r"\s[-–—]\s", fold(str(text)))[0])
        for entry in self.entries:
            if head and head in entry.keys:
                return entry.value, []
        names = {k: e.label for e in self.entries for k in e.keys}
        close = difflib.get_close_matches(folded, list(names), n=3, cutoff=0.6)
        return None, list(dict.fromkeys(names[c] for c in close))


def _entry(label: str, value: Any, *others: str) -> Entry:
    keys = {key_of(label), *(key_of(o) for o in others if o)}
    return Entry(label=label, value=value, keys=tuple(k for k in keys if k))


def sectors() -> Choices:
    items = Sector.objects.filter(is_active=True).order_by("sort_order", "code")
    return Choices([_entry(s.name, s, s.code, s.name_en, f"{s.code} – {s.name}") for s in items])


def units() -> Choices:
    items = UnitOfMeasure.objects.filter(is_active=True).order_by("sort_order", "code")
    return Choices([_entry(u.name, u, u.code, u.name_en, *u.alias_list()) for u in items])


def sources(year: int, *, queryset: Any = None) -> Choices:
    items = queryset if queryset is not None else FundingSource.objects.active_for_year(year)
    return Choices(
        [
            _entry(f"{s.code} – {s.name}", s, s.code, s.name, s.name_en)
            for s in items.order_by("sort_order", "code")
        ]
    )


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
