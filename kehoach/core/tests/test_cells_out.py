"""The one rule for text leaving kehoach in a spreadsheet or a CSV file: the OWASP prefixes,
the CSV apostrophe, string cells with the quote prefix in openpyxl and xlsxwriter workbooks
(read back from the raw XML, by openpyxl and by calamine), kehoach's own formulas, characters
XML cannot hold."""

from __future__ import annotations

import datetime
import io
import zipfile
from xml.etree import ElementTree

import pytest
import xlsxwriter
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from kehoach.core.cells_out import (
    FORMULA_PREFIXES,
    Formula,
    XlsxwriterText,
    csv_safe,
    put,
    starts_like_formula,
    xml_text,
)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "=cmd|' /C calc'!A0",
    "+1",
    "-5 hộ",
    "@x",
    "\tTab",
    "\rCR",
]
HARMLESS = ["Đường bê tông", "a=b", "5", "'=already quoted", " =space first", "", "#N/A"]


def test_the_prefixes_are_owasps() -> None:
    assert FORMULA_PREFIXES == ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_safe_puts_an_apostrophe_before_a_formula_prefix(text: str) -> None:
    assert starts_like_formula(text)
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_csv_safe_leaves_any_other_text_alone(text: str) -> None:
    assert not starts_like_formula(text)
    assert csv_safe(text) == text


def test_xml_text_drops_only_what_xml_cannot_hold() -> None:
    assert xml_text("a\x00b\x07c\x1fd\ufffe") == "abcd"
    assert xml_text("dòng 1\ndòng 2\tcột\r") == "dòng 1\ndòng 2\tcột\r"


def _sheet_cells(data: bytes) -> dict[str, tuple[str, bool, bool]]:
    """A1-reference → (cell type, has a formula, its style has the quote prefix), from the
    raw XML of the first sheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    xfs = styles.find(f"{MAIN}cellXfs")
    assert xfs is not None
    quoted = [xf.get("quotePrefix") in ("1", "true") for xf in xfs]
    return {
        str(c.get("r")): (
            c.get("t", "n"),
            c.find(f"{MAIN}f") is not None,
            quoted[int(c.get("s", "0"))],
        )
        for c in sheet.iter(f"{MAIN}c")
    }


def test_put_writes_texts_as_string_cells_and_only_formulas_as_formulas() -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    texts = HOSTILE + HARMLESS[:-2] + ["#N/A"]
    for row, text in enumerate(texts, start=1):
        put(ws.cell(row=row, column=1), text)
    put(ws["B1"], Formula("=SUM(B2:B3)"))
    put(ws["B2"], 12.5)
    put(ws["B3"], datetime.date(2027, 3, 1))
    put(ws["B4"], None)
    put(ws["B5"], "Chuông\x07 reo")
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()

    raw = _sheet_cells(data)
    for row, text in enumerate(texts, start=1):
        kind, formula, quoted = raw[f"A{row}"]
        assert kind in ("s", "inlineStr") and not formula, text
        assert quoted == starts_like_formula(text), text
    assert raw["B1"][1] and not raw["B1"][2]
    assert raw["B2"][0] == "n" and "B4" not in raw
    # openpyxl and calamine (the importer's reader) read back the very texts
    again = load_workbook(io.BytesIO(data)).active
    assert again is not None
    for row, text in enumerate(texts, start=1):
        cell = again.cell(row=row, column=1)
        assert (cell.value, cell.data_type) == (text, "s")
        assert bool(cell.quotePrefix) == starts_like_formula(text)
    assert again["B1"].value == "=SUM(B2:B3)" and again["B1"].data_type == "f"
    assert again["B5"].value == "Chuông reo"
    grid = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in grid] == texts


def test_xlsxwriter_text_writes_string_cells_with_the_quote_prefix() -> None:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    text = XlsxwriterText(book)
    sheet = book.add_worksheet("Data")
    texts = HOSTILE + HARMLESS[:-2]
    bold = {"bold": True}
    for row, value in enumerate(texts):
        text.write(sheet, row, 0, value, bold if row % 2 else None)
    book.close()
    data = out.getvalue()

    raw = _sheet_cells(data)
    for row, value in enumerate(texts, start=1):
        kind, formula, quoted = raw[f"A{row}"]
        assert kind in ("s", "inlineStr") and not formula, value
        assert quoted == starts_like_formula(value), value
    grid = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in grid] == texts
    # one format per kind of cell, however many cells
    assert text.format(bold, quoted=True) is text.format({"bold": True}, quoted=True)
    assert text.format(None) is None
