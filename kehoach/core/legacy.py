"""Legacy 8-bit Vietnamese encodings (TCVN3/ABC and VNI): detection and conversion to Unicode.

Before Unicode, Vietnamese text was typed in fonts whose glyphs were drawn over the
Windows-1252 (cp1252) code points. A workbook or document typed that way stores ordinary
cp1252 characters; only the font makes them look Vietnamese. Read with a modern reader
(python-calamine, openpyxl, python-docx) the text arrives as those cp1252 characters::

    Unicode     TCVN3 (ABC)     VNI Windows
    Thôn Đông   Th«n §«ng       Thoân Ñoâng
    đường       ®­êng           ñöôøng

**TCVN3** (TCVN 5712:1993, table VN3; the "ABC" fonts ``.VnTime``, ``.VnArial`` …) uses one
byte per letter, all in 0xA1–0xFE. It has codes for every lowercase letter but uppercase
codes only for Ă Â Ê Ô Ơ Ư Đ: a capital with a tone (Á, Ầ, Ợ …) was typed with the lowercase
code in the "uppercase" font (``.VnTimeH``). The text itself cannot tell them apart, so
:func:`to_unicode_tcvn3` gives the lowercase letter, and :func:`from_unicode_tcvn3` writes an
uppercase toned letter with the lowercase code. The round trip is therefore exact for text
whose capitals are only the unaccented letters and Ă Â Ê Ô Ơ Ư Đ, and equal up to case
otherwise. Codes of the fuller table VN1 (capitals in 0x80–0x9F and the C0 controls) are not
decoded: in cp1252 those bytes are quotes, dashes and "…", which TCVN3 documents contain too.

**VNI Windows** (fonts ``VNI-Times``, ``VNI-Helve`` …) writes most letters as an ASCII base
letter followed by one mark character: ``aù`` = á, ``aâ`` = â, ``aá`` = ấ (circumflex and
acute in one mark), ``aê`` = ă, ``aé`` = ắ. Ơ/ơ, Ư/ư and Đ/đ are single characters (``Ô ô``,
``Ö ö``, ``Ñ ñ``) that take tone marks after them (``ôù`` = ớ); the i-vowels and ỵ are single
characters too (``í ì æ ó ò``, ``î``). Capitals use the uppercase marks (``AÙ`` = Á), so VNI
round-trips exactly. A mark only combines with the base letters it belongs to (the
circumflex marks after a, e, o; the breve marks after a; the five tone marks after
a e o u y ơ ư) and only in the same case; anything else passes through unchanged.

The tables were cross-checked against Unikey's converter (``vnconv`` data tables, as shipped in
fcitx5-unikey), xvnkb (``tcvn.h``, ``vni.h``) and the npm package vietnamese-conversion.

**Detection** (:func:`detect_legacy_many`) works on whole words. Each cell is split into words
(runs of letters and legacy code characters). A cell containing a Vietnamese letter that
cp1252 cannot represent (ư, ơ, đ, ạ, ế …) is Unicode: a legacy reading can never produce
one, so its Vietnamese words count as Unicode evidence. In the other cells every word that
has an ASCII letter is judged three times: as it is, decoded as TCVN3 and decoded as VNI.
A reading scores +1 when it is a well-formed Vietnamese syllable with a diacritic: only
ASCII and Vietnamese letters, no capital after a small letter (TCVN3's "nghÒ"), at most one
tone, an initial + vowel group + final that Vietnamese allows, the tone on a vowel of the
group that may carry it (old "hoà" and new "hòa" placement both count) and only sắc or nặng
before c/ch/p/t. It scores −1 when it is not (stray symbols such as « ® µ, two tones, "oâ")
and 0 for plain ASCII. An encoding's *gain* is how much its reading improves on the text as
it is. The encoding with the larger gain is returned when the gain is at least 2 (one word
repaired), at least twice the other encoding's gain, and more than twice the Unicode
evidence. Otherwise the answer is ``None``: ties, English, numbers, and Unicode Vietnamese,
whose Latin-1 letters (ô é à …) read as legacy text stay plausible at best ("Thôn" →
"Thụn") and often break ("Diên" → "Diờn"). A single short string can be truly ambiguous
("ñy" is TCVN3 "ủy" and VNI "đy"; "dùng", TCVN3 for "dựng", is also a Unicode word), so
detect on a whole column where possible.

All functions are pure; conversion keeps spacing (it normalises to NFC with
:func:`unicodedata.normalize`, not :func:`kehoach.core.text.nfc`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import pairwise
from typing import Literal

__all__ = [
    "LegacyEncoding",
    "detect_legacy",
    "detect_legacy_many",
    "from_unicode_tcvn3",
    "from_unicode_vni",
    "to_unicode_tcvn3",
    "to_unicode_vni",
]

LegacyEncoding = Literal["tcvn3", "vni"]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- Vietnamese letters -------------------------------------------------------------------------

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
# Tone order used by the tables below: none, sắc, huyền, hỏi, ngã, nặng.
_TONES = ("", _ACUTE, _GRAVE, _HOOK, _TILDE, _DOT)
_TONE_MARKS = frozenset(_TONES[1:])

# The twelve vowels (base + modifier) and đ, lowercase.
_VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def _toned(vowel: str, tone: str) -> str:
    return _nfc(vowel + tone)


_LOWER_LETTERS = [_toned(v, t) for v in _VOWELS for t in _TONES] + ["đ"]
# The 134 non-ASCII Vietnamese letters, lower and upper case.
VIETNAMESE_LETTERS: frozenset[str] = frozenset(
    ch for low in _LOWER_LETTERS for ch in (low, low.upper()) if not ch.isascii()
)


def _cp1252_encodable(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


# Letters (and combining marks) that a cp1252 reading of legacy bytes can never produce.
_UNICODE_ONLY = frozenset(
    {ch for ch in VIETNAMESE_LETTERS if not _cp1252_encodable(ch)}
    | {"\u0300", "\u0301", "\u0302", "\u0303", "\u0306", "\u0309", "\u031b", "\u0323"}
)

# --- TCVN3 --------------------------------------------------------------------------------------

# TCVN 5712:1993 VN3, byte -> letter. Bytes 0xA0-0xFF decode to the same code points in cp1252
# and Latin-1, so chr(byte) is the character a cp1252 reader shows.
_TCVN3_BYTES: dict[int, str] = {
    # capitals that VN3 has, then the plain modified letters
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    # toned letters: huyền, hỏi, ngã, sắc, nặng (the order of the code chart)
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip

_TCVN3_TO_UNICODE: dict[int, str] = dict(_TCVN3_BYTES)
_TCVN3_FROM_UNICODE: dict[int, str] = {}
for _byte, _letter in _TCVN3_BYTES.items():
    _TCVN3_FROM_UNICODE[ord(_letter)] = chr(_byte)
for _letter in VIETNAMESE_LETTERS:
    if ord(_letter) not in _TCVN3_FROM_UNICODE:
        # A capital VN3 has no code for: write it with the lowercase code (.VnTimeH convention).
        _TCVN3_FROM_UNICODE[ord(_letter)] = _TCVN3_FROM_UNICODE[ord(_letter.lower())]

TCVN3_CHARS: frozenset[str] = frozenset(chr(byte) for byte in _TCVN3_BYTES)


def to_unicode_tcvn3(text: str) -> str:
    """Convert cp1252-decoded TCVN3 text to Unicode NFC (``"Th«n §«ng"`` → ``"Thôn Đông"``).

    Characters outside the TCVN3 table pass through unchanged. Capitals with a tone come out
    lowercase (TCVN3 has no codes for them; see the module docstring).
    """
    return _nfc(text.translate(_TCVN3_TO_UNICODE))


def from_unicode_tcvn3(text: str) -> str:
    """Write Unicode *text* as the cp1252 string a reader shows for TCVN3 bytes.

    Capitals with a tone get the lowercase code, as typed in the ``.VnTimeH`` font.
    """
    return _nfc(text).translate(_TCVN3_FROM_UNICODE)


# --- VNI ----------------------------------------------------------------------------------------

# Marks typed after a base letter, lowercase, in tone order (none, sắc, huyền, hỏi, ngã, nặng).
_VNI_TONE = ("", "ù", "ø", "û", "õ", "ï")
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")  # after a, e, o
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")  # after a
_VNI_I = ("i", "í", "ì", "æ", "ó", "ò")  # i and its tones are single characters
_VNI_Y_DOT = "î"  # ỵ is a single character; the other tones of y use marks


def _vni_lower_table() -> dict[str, str]:
    """Lowercase Unicode letter -> VNI string."""
    table: dict[str, str] = {"đ": "ñ"}
    for index, tone in enumerate(_TONES):
        for base in "aeouy":
            table[_toned(base, tone)] = base + _VNI_TONE[index]
        for base in "aeo":
            table[_toned(base + "\u0302", tone)] = base + _VNI_CIRCUMFLEX[index]
        table[_toned("a\u0306", tone)] = "a" + _VNI_BREVE[index]
        table[_toned("ơ", tone)] = "ô" + _VNI_TONE[index]
        table[_toned("ư", tone)] = "ö" + _VNI_TONE[index]
        table[_toned("i", tone)] = _VNI_I[index]
    table["ỵ"] = _VNI_Y_DOT
    return table


_VNI_FROM_UNICODE_STR: dict[str, str] = {}
for _low, _vni in _vni_lower_table().items():
    _VNI_FROM_UNICODE_STR[_low] = _vni
    _VNI_FROM_UNICODE_STR[_low.upper()] = _vni.upper()
_VNI_FROM_UNICODE: dict[int, str] = {
    ord(letter): vni for letter, vni in _VNI_FROM_UNICODE_STR.items() if letter != vni
}
# VNI string -> letter, for every string that is not already the letter itself.
_VNI_TO_UNICODE: dict[str, str] = {
    vni: letter for letter, vni in _VNI_FROM_UNICODE_STR.items() if letter != vni
}
# Longest first, so that "ôù" (ớ) wins over "ô" (ơ).
_VNI_PATTERN = re.compile(
    "|".join(re.escape(seq) for seq in sorted(_VNI_TO_UNICODE, key=len, reverse=True))
)

VNI_CHARS: frozenset[str] = frozenset(
    ch for seq in _VNI_TO_UNICODE for ch in seq if not ch.isascii()
)


def to_unicode_vni(text: str) -> str:
    """Convert cp1252-decoded VNI text to Unicode NFC (``"Thoân Ñoâng"`` → ``"Thôn Đông"``).

    A mark is joined only to a base letter it belongs to, in the same case; everything else
    passes through unchanged.
    """
    return _nfc(_VNI_PATTERN.sub(lambda m: _VNI_TO_UNICODE[m.group()], text))


def from_unicode_vni(text: str) -> str:
    """Write Unicode *text* as the cp1252 string a reader shows for VNI Windows bytes."""
    return _nfc(text).translate(_VNI_FROM_UNICODE)


# --- detection ----------------------------------------------------------------------------------

_DECODERS = {"tcvn3": to_unicode_tcvn3, "vni": to_unicode_vni}

_WORD = re.compile("(?:[^\\W\\d_]|[" + re.escape("".join(sorted(TCVN3_CHARS | VNI_CHARS))) + "])+")

# A small model of the Vietnamese syllable: initial, vowel group ("nucleus"), final, and where
# the tone mark may sit in the vowel group (index of the vowel that carries it).
_INITIALS = (
    *("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu"),
    *"bcdđghklmnprstvx",
    "",
)  # longest first
_FINALS = frozenset({"ch", "ng", "nh", "c", "k", "m", "n", "p", "t"})
_STOP_FINALS = frozenset({"ch", "c", "k", "p", "t"})  # these only take sắc or nặng
# Vowel groups that may take a final consonant: tone positions with a final, without one.
# Both the old ("hoà", "thuỷ") and the new ("hòa", "thủy") placement are accepted.
# Loanword rhymes such as "oong" (xoong) are left out on purpose: VNI "oâ" (ô) read as TCVN3
# gives "oõ", and accepting "oo" would credit that misreading.
_OPEN_NUCLEI: dict[str, tuple[frozenset[int], frozenset[int]]] = {
    **{v: (frozenset({0}), frozenset({0})) for v in "aăâeêioôơuưy"},
    **{v: (frozenset({1}), frozenset({1})) for v in ("iê", "yê", "uô", "ươ", "uâ", "uê", "oă")},
    **{v: (frozenset({1}), frozenset({0, 1})) for v in ("oa", "oe", "uy")},
    "uyê": (frozenset({2}), frozenset({2})),
}
# Vowel groups ending in a glide, which end the syllable: tone position.
_CLOSED_NUCLEI: dict[str, int] = {
    **dict.fromkeys(("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu"), 0),
    **dict.fromkeys(("oi", "ôi", "ơi", "ua", "ui", "ưa", "ưi", "ưu"), 0),
    **dict.fromkeys(("uơ", "uôi", "ươi", "ươu", "iêu", "yêu", "oai", "oay", "oao"), 1),
    **dict.fromkeys(("oeo", "uây", "uya", "uyu"), 1),
}
_NUCLEI = sorted({*_OPEN_NUCLEI, *_CLOSED_NUCLEI}, key=len, reverse=True)


@lru_cache(maxsize=4096)
def _is_syllable(base: str, tone: str, tone_at: int) -> bool:
    """Whether *base* (lowercase, tone removed) with *tone* on index *tone_at* is a syllable."""
    for initial in _INITIALS:
        if not base.startswith(initial):
            continue
        rest = base[len(initial) :]
        for nucleus in _NUCLEI:
            if not rest.startswith(nucleus):
                continue
            final = rest[len(nucleus) :]
            if nucleus in _CLOSED_NUCLEI:
                if final:
                    continue
                allowed = frozenset({_CLOSED_NUCLEI[nucleus]})
            elif final and final not in _FINALS:
                continue
            else:
                allowed = _OPEN_NUCLEI[nucleus][0 if final else 1]
            if final in _STOP_FINALS and tone not in ("", _ACUTE, _DOT):
                continue
            if not tone or tone_at - len(initial) in allowed:
                return True
    return False


_GOOD, _NEUTRAL, _BAD = 1, 0, -1
_MIN_GAIN = 2


@lru_cache(maxsize=8192)
def _word_score(word: str) -> int:
    """+1 for a well-formed Vietnamese syllable with a diacritic, 0 for ASCII, −1 otherwise."""
    if not all((ch.isascii() and ch.isalpha()) or ch in VIETNAMESE_LETTERS for ch in word):
        return _BAD
    if all(ch.isascii() for ch in word):
        return _NEUTRAL
    # A capital after a small letter ("nghÒ") is how TCVN3 looks, not how Vietnamese is written.
    for before, ch in pairwise(word):
        if not ch.isascii() and ch.isupper() and before.islower():
            return _BAD
    base, tone, tone_at = [], "", -1
    for index, ch in enumerate(word.lower()):
        marks = [m for m in unicodedata.normalize("NFD", ch) if m in _TONE_MARKS]
        if marks:
            if tone:
                return _BAD  # two tones
            tone, tone_at = marks[0], index
            base.append(
                _nfc("".join(m for m in unicodedata.normalize("NFD", ch) if m not in _TONE_MARKS))
            )
        else:
            base.append(ch)
    return _GOOD if _is_syllable("".join(base), tone, tone_at) else _BAD


def _gains(texts: Iterable[str]) -> tuple[dict[str, int], int]:
    """Per-encoding gain over the text as it is, and the count of certainly-Unicode words."""
    gains = dict.fromkeys(_DECODERS, 0)
    unicode_words = 0
    for text in texts:
        if not isinstance(text, str) or not text:
            continue
        words = _WORD.findall(text)
        if any(ch in _UNICODE_ONLY for ch in text):
            unicode_words += sum(any(ch in VIETNAMESE_LETTERS for ch in w) for w in words)
            continue
        for word in words:
            if not any(ch.isascii() for ch in word):
                continue  # a lone symbol («, ×, ½ …) says nothing
            as_is = _word_score(word)
            for name, decode in _DECODERS.items():
                gains[name] += _word_score(decode(word)) - as_is
    return gains, unicode_words


def detect_legacy_many(texts: Iterable[str]) -> LegacyEncoding | None:
    """The legacy encoding of a whole column or sheet of strings: "tcvn3", "vni" or None.

    None for Unicode (including Latin-1-only Vietnamese such as "Thôn Bàu"), ASCII, numbers,
    empty input, ties and columns where Unicode Vietnamese dominates. See the module
    docstring for the scoring.
    """
    gains, unicode_words = _gains(texts)
    best: LegacyEncoding = "tcvn3" if gains["tcvn3"] >= gains["vni"] else "vni"
    other: LegacyEncoding = "vni" if best == "tcvn3" else "tcvn3"
    gain = gains[best]
    if gain < _MIN_GAIN or gain < 2 * gains[other] or gain <= 2 * unicode_words:
        return None
    return best


def detect_legacy(text: str) -> LegacyEncoding | None:
    """The legacy encoding of one string: "tcvn3", "vni" or None.

    One string gives less evidence than a column; see :func:`detect_legacy_many`.
    """
    return detect_legacy_many([text])


def legacy_converter(encoding: str | None) -> Callable[[str], str] | None:
    """The function that converts text of ``encoding`` ("tcvn3" or "vni") to Unicode, for a
    column found to be in that encoding. A cell with a letter cp1252 cannot hold (ư, ơ, đ, ạ …)
    was typed in Unicode and is returned unchanged, so a column that mixes old and new text
    keeps its Unicode cells intact."""
    if encoding not in ("tcvn3", "vni"):
        return None
    convert = to_unicode_tcvn3 if encoding == "tcvn3" else to_unicode_vni

    def convert_cell(text: str) -> str:
        if text.isascii():
            return text
        try:
            text.encode("cp1252")
        except UnicodeEncodeError:
            return text
        return convert(text)

    return convert_cell
