"""Header texts as they are compared: folded (case, diacritics), without units in
parentheses, numbering ("1.", "a)"), "(*)" or punctuation (``clean``), memoised for the short
texts headers are; and the money unit a header names (``unit_scale``: "(tr.đ)", "(1.000 đ)",
"(đồng)")."""

from __future__ import annotations

import functools
import re

from kehoach.core.text import fold

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


_NUMBERING = re.compile(r"^\s*(?:\(?[0-9]+(?:\.[0-9]+)*\)?[.)/-]?|[ivxlc]+[.)]|[a-z][.)])\s+")
_PUNCT = re.compile(r"[^\w>%]+")


def _clean_now(text: str) -> str:
    """A header as compared with the synonyms: folded, without units in parentheses,
    numbering ("1.", "a)"), "(*)", punctuation or line breaks; levels kept apart by " > "."""
    parts = []
    for part in text.split(">"):
        value = _PAREN.sub(" ", fold(part.replace("\n", " ")))
        value = _NUMBERING.sub("", value + " ").strip() if value[:1].isalnum() else value
        value = " ".join(_PUNCT.sub(" ", value).replace("_", " ").split())
        if value:
            parts.append(value)
    return " > ".join(parts)


_norm_memo = functools.lru_cache(maxsize=4096)(_norm_now)
_loose_memo = functools.lru_cache(maxsize=4096)(_loose_now)
_clean_memo = functools.lru_cache(maxsize=8192)(_clean_now)


def _norm(text: str) -> str:
    return _norm_memo(text) if len(text) <= SHORT_LABEL else _norm_now(text)


def _loose(text: str) -> str:
    return _loose_memo(text) if len(text) <= SHORT_LABEL else _loose_now(text)


def clean(text: str) -> str:
    return _clean_memo(text) if len(text) <= SHORT_LABEL else _clean_now(text)


# --- units -----------------------------------------------------------------------------------

_UNIT_MVND = re.compile(
    r"\btr\s*\.?\s*d\b|\btrd\b|\btr\s*\.?\s*dong\b|\btrieu\s*(?:dong|d|vnd)?\b|\bmvnd\b"
)
_UNIT_KVND = re.compile(
    r"\b1\s*[.,]?\s*000\s*(?:d|dong|vnd)\b|\b(?:nghin|ngan)\s*(?:dong|d|vnd)?\b"
)
_UNIT_VND = re.compile(r"^\s*(?:dvt\s*)?(?:dong|d|vnd|vnd dong)\s*$")
_PAREN_INNER = re.compile(r"\(([^)]*)\)")


def unit_scale(text: str) -> str | None:
    """The money unit a header names: "mvnd" ("(tr.đ)", "(triệu đồng)"), "kvnd" ("(1.000 đ)",
    "(nghìn đồng)") or "vnd" ("(đồng)", "(VNĐ)"); None when it names none."""
    if "(" not in text and "trieu" not in text and "nghin" not in text:
        folded = fold(text)
        if "trieu" not in folded and "nghin" not in folded and "ngan dong" not in folded:
            return None
    folded = fold(text).replace(":", " ")
    for inner in _PAREN_INNER.findall(folded):
        inner = inner.replace("dvt", " ").strip()
        if _UNIT_KVND.search(inner):
            return "kvnd"
        if _UNIT_MVND.search(inner):
            return "mvnd"
        if _UNIT_VND.match(inner):
            return "vnd"
    outside = _PAREN.sub(" ", folded)
    if re.search(r"\b(?:nghin|ngan) dong\b|\b1\.?000 dong\b", outside):
        return "kvnd"
    if re.search(r"\btrieu dong\b", outside):
        return "mvnd"
    return None
