"""The few XML facts the marked copy needs, read from bytes without a parser: start tags and
their attributes (a start tag is matched whole, so ``>`` inside a quoted value is safe), cell
references, and ``Unpatchable`` for anything else."""

from __future__ import annotations

import re

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAX_ROW = 1_048_576

TAG = re.compile(
    rb"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)"
    rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
END_TAG = re.compile(rb"</([A-Za-z_][\w.:\-]*)\s*>")
ATTR = re.compile(rb"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
TRUE = {b"1", b"true"}


class Unpatchable(Exception):
    """The file is not one this module patches safely; rebuild it from its values."""


# --- small helpers ----------------------------------------------------------------------------


def attributes(raw: bytes) -> dict[bytes, bytes]:
    return {
        m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in ATTR.finditer(raw)
    }


def set_attributes(tag: bytes, values: dict[bytes, bytes | None], close: bytes = b"") -> bytes:
    """``tag`` (a whole start tag) with attributes replaced, added, or removed (None), and
    ended by ``close`` if given."""
    match = TAG.fullmatch(tag)
    if match is None:
        raise Unpatchable("tag")
    pairs = [(m.group(1), m.group(0)) for m in ATTR.finditer(match.group(2))]
    out = []
    for name, text in pairs:
        if name in values:
            value = values[name]
            if value is not None:
                out.append(name + b'="' + value + b'"')
        else:
            out.append(text)
    present = {name for name, _text in pairs}
    for name, value in values.items():
        if name not in present and value is not None:
            out.append(name + b'="' + value + b'"')
    close = close or (b"/>" if match.group(3) else b">")
    return b"<" + match.group(1) + b"".join(b" " + part for part in out) + close


def column_number(name: bytes) -> int:
    number = 0
    for char in name:
        number = number * 26 + char - 64
    return number


def letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out
