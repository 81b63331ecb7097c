"""Names as people write them: the folded key a typed name is matched by.

``name_key`` is the one folding of catalog names, codes and aliases (``catalog.Alias.key``)
and of the cells that the workbook reader looks up (``exchange.choices``): compatibility
forms unified ("m²" → "m2"), no diacritics, no case, punctuation as spaces, single spaces.
``without_years`` takes a trailing year or year range ("giai đoạn 2026 - 2035") off a key, for
a second try when only the programme's name is known.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from kehoach.core.text import fold

_PUNCTUATION = re.compile(r"[^\w]+")
_YEARS = re.compile(
    r"(?:^|\s)(?:(?:giai doan|gd|thoi ky|nam)\s+)?"
    r"(?P<start>(?:19|20|21)\d\d)(?:\s+(?:den\s+)?(?P<end>(?:19|20|21)\d\d))?$"
)


def name_key(text: str) -> str:
    """The folded key of a name: "Hạ tầng: giao thông" → "ha tang giao thong", "m²" → "m2"."""
    text = unicodedata.normalize("NFKC", str(text))
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).replace("_", " ").split())


def without_years(key: str) -> tuple[str, tuple[int, int] | None]:
    """*key* without a trailing year or year range, and the years taken off.

    ``without_years("ctmtqg giai doan 2026 2035") == ("ctmtqg", (2026, 2035))``; a key with
    no years at its end comes back unchanged with ``None``.
    """
    found = _YEARS.search(key)
    if found is None:
        return key, None
    start = int(found["start"])
    end = int(found["end"]) if found["end"] else start
    rest = key[: found.start()].strip()
    if not rest:
        return key, None
    return rest, (min(start, end), max(start, end))


def own_names(entry: Any) -> list[str]:
    """The names an entry answers to besides its aliases: name, code, English name,
    "CODE – name", and a unit's comma-separated ``aliases`` field. Works on historical
    models (migrations) too: only fields are read."""
    names = [entry.name, entry.code, getattr(entry, "name_en", ""), f"{entry.code} – {entry.name}"]
    names += str(getattr(entry, "aliases", "") or "").split(",")
    return [name for name in names if name and name.strip()]


def own_keys(entry: Any) -> set[str]:
    """``name_key`` of each of ``own_names(entry)``."""
    return {key for key in map(name_key, own_names(entry)) if key}
