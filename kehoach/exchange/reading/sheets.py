"""Finding a form's other sheets by name as people write them (``find_sheet``): the attendance
list of F8 ("Danh sách dự họp", "Danh sach du hop", "DS dự họp", a TCVN3 or VNI name), the
ethnic groups of F1 ("Dân tộc", "Thành phần dân tộc", "DT"). A name is compared the way
``Book.data_sheet`` compares the form's own sheet (its legacy name converted, folded) and,
past that, cleaned like a header (``headers.clean``: numbering, punctuation and units in
parentheses do not matter)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from kehoach.core.text import fold

from .headers import clean
from .opening import SKIP_FOLDED, Book, unicode_sheet_name

PREFIX_WORDS = 3
"""A wanted name of this many words or more also finds a sheet whose name begins with it
("Danh sách dự họp thôn Diên Sanh"); a shorter one ("DT", "Dân tộc") must be the whole
name."""


def sheet_keys(name: str) -> set[str]:
    """The forms of a sheet name compared: as written and converted from TCVN3/VNI, each
    folded and cleaned like a header."""
    keys = set()
    for text in {name, unicode_sheet_name(name)}:
        keys.add(fold(text))
        keys.add(clean(text))
    keys.discard("")
    return keys


def _wanted(names: Iterable[str]) -> tuple[set[str], list[str]]:
    whole: set[str] = set()
    prefixes: list[str] = []
    for name in names:
        for key in sheet_keys(name):
            whole.add(key)
            if len(key.split()) >= PREFIX_WORDS:
                prefixes.append(key + " ")
    return whole, prefixes


def find_sheet(upload: Book, names: Iterable[str], *, besides: Collection[str] = ()) -> str | None:
    """The sheet of ``upload`` named by one of ``names`` (exactly; else whatever the case,
    diacritics, legacy encoding, numbering or punctuation of its name; else a name beginning
    with a long wanted name), None when there is none. Helper sheets (instructions, lists,
    errors) and the sheets in ``besides`` are never given."""
    wanted = list(names)
    candidates = [
        n
        for n in upload.sheet_names
        if n not in besides and fold(n) not in SKIP_FOLDED and n in upload.sheets
    ]
    for name in wanted:
        if name in candidates:
            return name
    whole, prefixes = _wanted(wanted)
    for name in candidates:
        if sheet_keys(name) & whole:
            return name
    for name in candidates:
        if any((key + " ").startswith(p) for key in sheet_keys(name) for p in prefixes):
            return name
    return None


def main_sheet(upload: Book, form: str, *, besides: Collection[str] = ()) -> str:
    """The form's own sheet (``Book.data_sheet``), or, when that is one of the form's other
    sheets (``besides``, e.g. the attendance list placed first), the first visible sheet
    that is neither one of them nor a helper sheet."""
    name = upload.data_sheet(form)
    if name not in besides:
        return name
    for other in upload.sheet_names:
        if other not in besides and other not in upload.hidden and fold(other) not in SKIP_FOLDED:
            return other
    return name
