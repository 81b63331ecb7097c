"""Vietnamese text helpers: normalisation, diacritic-insensitive search, collation.

Names come from many sources (typed in forms, pasted from Word, read from Excel files
written on macOS in NFD), so every name is stored in NFC with single spaces (:func:`nfc`).

:func:`fold` gives the form used for accent-insensitive search ("hai lang" finds
"Xã Hải Lăng").

:func:`collation_key` gives a sort key that orders names the way a Vietnamese dictionary
does: letters first (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, with f j w z
in their Latin places), tones only as a secondary difference (none, huyền, hỏi, ngã, sắc,
nặng), case ignored. The key is made of ASCII digits only, so it sorts identically under
SQLite's binary collation and any PostgreSQL collation; store it in an indexed column and
``ORDER BY`` it.

Layout of a key::

    <primary: two digits per unit> "00" <secondary: one digit per letter>

Primary codes: "01" space and punctuation; a run of digits is one number, written as a
length code ("02" for one significant digit ... "11" for ten or more) followed by one code
per significant digit ("02" for 0 ... "11" for 9), so "Thôn 2" sorts before "Thôn 10";
letters "12" (a) to "44" (z); "99" anything else. Because no primary code is "00", a name
that is a prefix of another sorts first ("An" < "An Bình" < "Anh"), and the secondary part
is only ever compared between names whose letters are equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar, overload

__all__ = [
    "UNIT_PREFIXES",
    "collation_key",
    "fold",
    "name_sort_key",
    "nfc",
    "strip_controls",
    "strip_unit_prefix",
    "vietnamese_sorted",
]

T = TypeVar("T")


# Control characters that no text of ours may hold: C0 and C1 controls other than the ones
# Python counts as whitespace (tab, line breaks, \x0b, \x0c, \x1c-\x1f, \x85), DEL,
# surrogates and the non-characters U+FFFE/U+FFFF. A NUL cannot even be stored in PostgreSQL.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_controls(value: str) -> str:
    """*value* without control characters (line breaks and tabs are kept)."""
    return _CONTROLS.sub("", value)


def nfc(value: str) -> str:
    """NFC-normalise *value*, drop control characters, strip it and collapse internal
    whitespace to one space."""
    return " ".join(unicodedata.normalize("NFC", strip_controls(value)).split())


def fold(value: str) -> str:
    """Fold *value* for diacritic- and case-insensitive matching.

    ``fold("Xã Hải Lăng") == "xa hai lang"``, ``fold("ĐẮK LẮK") == "dak lak"``.
    """
    text = unicodedata.normalize("NFC", value).casefold()
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d")
    return nfc(text)


# --- collation ------------------------------------------------------------------------------

_SEPARATOR = "00"
_SPACE = "01"
_DIGIT_BASE = 2  # "02".."11"
_UNKNOWN = "99"

_BREVE = "\u0306"
_CIRCUMFLEX = "\u0302"
_HORN = "\u031b"

# Tone marks in Vietnamese dictionary order; 0 means no tone.
_TONES = {
    "\u0300": 1,  # huyền  (grave)
    "\u0309": 2,  # hỏi    (hook above)
    "\u0303": 3,  # ngã    (tilde)
    "\u0301": 4,  # sắc    (acute)
    "\u0323": 5,  # nặng   (dot below)
}
# Secondary digit for letters carrying marks that are not Vietnamese (ü, ç, ñ ...).
_OTHER_MARK = 6
_OTHER_MARK_WITH_TONE = 7

_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
_LETTER_CODES = {letter: f"{12 + index:02d}" for index, letter in enumerate(_ALPHABET)}

# (base letter, vowel-modifier mark) -> Vietnamese letter with that modifier.
_MODIFIED = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _is_space_or_punctuation(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PZ"


def _letter_unit(base: str, marks: str) -> tuple[str, int]:
    """Primary code and secondary digit of one letter with its combining marks."""
    tone = 0
    modifier_used = False
    other = False
    letter = base
    for mark in marks:
        if mark in _TONES and tone == 0:
            tone = _TONES[mark]
        elif not modifier_used and (base, mark) in _MODIFIED:
            letter = _MODIFIED[(base, mark)]
            modifier_used = True
        else:
            other = True
    code = _LETTER_CODES.get(letter, _UNKNOWN)
    if other:
        return code, _OTHER_MARK_WITH_TONE if tone else _OTHER_MARK
    return code, tone


def _units(text: str) -> list[tuple[str, str]]:
    """Split NFD *text* into (base character, following combining marks) units."""
    units: list[tuple[str, str]] = []
    for ch in text:
        if _is_mark(ch) and units:
            base, marks = units[-1]
            units[-1] = (base, marks + ch)
        else:
            units.append((ch, ""))
    return units


def _digit_value(ch: str) -> int | None:
    value = unicodedata.decimal(ch, None)
    return value if value is not None and 0 <= value <= 9 else None


def collation_key(value: str) -> str:
    """Return a digits-only key that sorts *value* in Vietnamese alphabetical order."""
    text = unicodedata.normalize("NFD", nfc(value).lower())
    units = _units(text)
    primary: list[str] = []
    secondary: list[str] = []
    index = 0
    while index < len(units):
        base, marks = units[index]
        if _digit_value(base) is not None:
            # A run of digits sorts by numeric value: length code, then significant digits.
            run: list[int] = []
            while index < len(units) and (digit := _digit_value(units[index][0])) is not None:
                run.append(digit)
                secondary.append(str(_OTHER_MARK) if units[index][1] else "0")
                index += 1
            significant = run[next((i for i, d in enumerate(run) if d), len(run) - 1) :]
            primary.append(f"{_DIGIT_BASE + min(len(significant), 10) - 1:02d}")
            primary.extend(f"{_DIGIT_BASE + digit:02d}" for digit in significant)
            continue
        if base in _LETTER_CODES:
            code, tone = _letter_unit(base, marks)
            primary.append(code)
            secondary.append(str(tone))
        elif _is_space_or_punctuation(base):
            primary.append(_SPACE)
            secondary.append(str(_OTHER_MARK) if marks else "0")
        else:
            primary.append(_UNKNOWN)
            secondary.append(str(_OTHER_MARK) if marks else "0")
        index += 1
    return "".join(primary) + _SEPARATOR + "".join(secondary)


# --- administrative unit names ----------------------------------------------------------------

UNIT_PREFIXES: tuple[str, ...] = (
    "Tỉnh",
    "Thành phố",
    "Xã",
    "Phường",
    "Đặc khu",
    "Thị trấn",
    "Huyện",
    "Quận",
    "Thị xã",
    "Thôn",
    "Bản",
    "Tổ dân phố",
    "Ấp",
    "Buôn",
    "Sóc",
    "Làng",
    "Khối",
    "Khu phố",
)
"""Kind words that start official unit names and are ignored when sorting by name."""

_PREFIX_RE = re.compile(
    "^(?:"
    + "|".join(re.escape(p) for p in sorted(UNIT_PREFIXES, key=len, reverse=True))
    + ") (?=.)",
    re.IGNORECASE,
)


def strip_unit_prefix(name: str) -> str:
    """Remove a leading kind word: ``strip_unit_prefix("Xã Hải Lăng") == "Hải Lăng"``.

    The name is returned NFC-normalised; a name that is only a kind word is kept as is.
    """
    text = nfc(name)
    return _PREFIX_RE.sub("", text, count=1)


def name_sort_key(name: str) -> str:
    """Collation key of a unit name without its kind word ("Xã", "Thôn", ...)."""
    return collation_key(strip_unit_prefix(name))


@overload
def vietnamese_sorted(items: Iterable[str], *, reverse: bool = ...) -> list[str]: ...


@overload
def vietnamese_sorted(
    items: Iterable[T], *, key: Callable[[T], str], reverse: bool = ...
) -> list[T]: ...


def vietnamese_sorted(
    items: Iterable[T], *, key: Callable[[T], str] | None = None, reverse: bool = False
) -> list[T]:
    """Sort *items* in Vietnamese alphabetical order of ``key(item)`` (the item by default)."""
    get: Callable[[T], str] = key if key is not None else _identity
    return sorted(items, key=lambda item: collation_key(get(item)), reverse=reverse)


def _identity(item: T) -> str:
    if not isinstance(item, str):
        raise TypeError("vietnamese_sorted() needs key= for items that are not strings")
    return item
