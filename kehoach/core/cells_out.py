"""Text that leaves kehoach in a spreadsheet or a CSV file stays text: it never comes back as a
formula (OWASP "CSV injection", also called formula injection).

A spreadsheet runs a cell as a formula when its text starts with ``=``, ``+``, ``-`` or ``@``
(tab and carriage return are stripped first by some programs, so they count too). An activity
named ``=HYPERLINK("http://evil.example";"x")`` or ``=cmd|' /C calc'!A0`` is a valid name to
store and to show on a page; written into a workbook or a CSV file as it is, it becomes a live
link or a command. The rule is written here once and every writer uses it:

- **XLSX** (openpyxl: ``put``; xlsxwriter: ``XlsxwriterText``): every text is a *string cell*
  (``t="s"`` or ``t="inlineStr"``), never a formula cell, whatever its first character; when
  it starts with one of ``FORMULA_PREFIXES`` the cell also carries the ``quotePrefix`` style
  flag, which is how Excel itself stores a typed leading apostrophe: the user sees the text
  unchanged, Excel and LibreOffice keep it as text after the cell is edited, and reading the
  file back (calamine, openpyxl) gives exactly the text. The only formulas in our workbooks
  are the ones kehoach writes itself, marked by wrapping them in ``Formula``.
- **CSV** (``csv_safe``): a CSV has no types, so the OWASP escape is the only one possible: a
  text that starts with one of ``FORMULA_PREFIXES`` gets a leading apostrophe, which Excel and
  LibreOffice show as text. Numbers, dates and booleans are not text and are never escaped (a
  negative amount stays ``-5``).
- **JSON**: a text is a JSON string and no reader evaluates it; nothing to escape.

The stored text never changes: these functions apply when a file is written.

Characters that XML 1.0 cannot hold (NUL and the other C0 controls but tab, line feed and
carriage return; surrogates; U+FFFE, U+FFFF) make openpyxl and python-docx raise; ``xml_text``
drops them from what is written, so one stray character in old data cannot make a download
fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "FORMULA_PREFIXES",
    "Formula",
    "XlsxwriterText",
    "csv_safe",
    "put",
    "starts_like_formula",
    "xml_text",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP)."""

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Formula(str):
    """A formula kehoach writes itself (``=SUM(I14:I43)``, a computed percentage): the one
    kind of text ``put`` writes as a formula cell."""

    __slots__ = ()


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def csv_safe(text: str) -> str:
    """The OWASP escape for a CSV field: a leading apostrophe before a text that starts with
    ``=``, ``+``, ``-``, ``@``, tab or carriage return; any other text unchanged."""
    return "'" + text if starts_like_formula(text) else text


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (tab and line breaks are kept)."""
    return _NOT_XML.sub("", text)


def put(cell: Any, value: Any) -> Any:
    """Set an openpyxl cell: a ``Formula`` as a formula, any other text as a string cell
    (with the quote prefix when it starts like a formula), anything else (numbers, dates,
    booleans, ``None``) as openpyxl writes it. Returns the cell."""
    if isinstance(value, Formula):
        cell.value = str(value)
        return cell
    if isinstance(value, str):
        text = xml_text(value)
        cell.value = text
        cell.data_type = "s"  # not "f" for "=…", not "e" for "#N/A"
        if starts_like_formula(text):
            cell.quotePrefix = True
        return cell
    cell.value = value
    return cell


class XlsxwriterText:
    """Text cells for an xlsxwriter workbook: always ``write_string`` (xlsxwriter's ``write``
    turns a text starting with ``=`` into a formula), with a format that adds the quote prefix
    when the text starts like a formula. Formats are given as property dictionaries and made
    once per workbook, so a constant-memory export of 60,000 rows makes a handful of them."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}

    def format(self, properties: Mapping[str, Any] | None = None, *, quoted: bool = False) -> Any:
        """The workbook's format with ``properties`` (and the quote prefix if ``quoted``), or
        ``None`` for the default format."""
        wanted = dict(properties or {})
        if quoted:
            wanted["quote_prefix"] = True
        if not wanted:
            return None
        key = tuple(sorted(wanted.items()))
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = self.book.add_format(wanted)
        return found

    def write(
        self,
        sheet: Any,
        row: int,
        col: int,
        value: Any,
        properties: Mapping[str, Any] | None = None,
    ) -> int:
        """Write ``value`` (made text) as a string cell; returns xlsxwriter's status."""
        text = str(value)
        return int(
            sheet.write_string(
                row, col, text, self.format(properties, quoted=starts_like_formula(text))
            )
        )
