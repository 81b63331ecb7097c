"""Inspecting an upload as a stream, before any spreadsheet reader allocates anything.

python-calamine builds a dense table from the smallest to the largest cell position it reads,
and decides how much to reserve from numbers written in the file (a sheet's dimension, the
count of shared strings, the sizes of an OLE container). A 1.5 KB workbook whose only cells are
A1 and XFD1048576 makes it ask for 512 GiB and the process aborts. ``scan`` reads what the
reader would read, the way it would read it, and refuses the file at the first excess:

* **.xlsx** (zip): every entry is inflated as a stream with zlib in chunks, its real inflated
  size and CRC compared with the sizes written in the archive (a forged size is refused, never
  believed). The parts calamine reads (``_rels/.rels``, the workbook, its relationships, the
  shared strings, the styles and every worksheet, those named by the workbook and every part
  under ``worksheets/``) are parsed with expat as they inflate: no DOCTYPE or entity
  declaration, a bounded depth and token size, and for each sheet the row and column of every
  cell that holds a value (a ``<c>`` with a ``v``, ``is`` or ``f`` child; a row without ``r``
  is the previous row + 1, a cell without ``r`` the previous column + 1, as calamine counts).
* **.ods** (zip, ``content.xml``): rows and columns advance by ``number-rows-repeated`` and
  ``number-columns-repeated``; the extent is that of cells holding a value, so the trailing
  repeated empty rows every LibreOffice file has cost nothing.
* **.xls** (OLE/BIFF): the compound file's header and sector chains are checked (calamine
  reserves from them), the Workbook stream is read with olefile and its BIFF records walked;
  per sheet (BOF to EOF) the cell records that hold a value (NUMBER, RK, MULRK, LABELSST,
  LABEL, RSTRING, FORMULA, BOOLERR; not BLANK or MULBLANK) and the declared DIMENSIONS.

The limits (``reading.Limits``) are checked as the stream goes: rows and columns of a sheet,
the used area (rows × columns from A1, what ``to_python`` builds) summed over the sheets, the
text the cells would hold once every shared string is copied into its cells, one cell's text
(Excel's 32,767 characters), the inflated size of the sheets, the shared strings and the other
parts, merged ranges. Every refusal is an ``ApplicationError`` whose message names the file and,
where it applies, the sheet and the cell, and says what to do.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..reading import Limits

from .budget import Budget, SheetExtent
from .common import DAMAGED_ERRORS, XLSB_PARTS
from .messages import _xlsb, cell_name, damaged, letters, password
from .ods import _scan_ods
from .ole import scan_ole
from .xlsx import _scan_xlsx
from .zipped import _Zip, zip_key

__all__ = [
    "DAMAGED_ERRORS",
    "Budget",
    "SheetExtent",
    "cell_name",
    "damaged",
    "letters",
    "password",
    "scan",
    "scan_ole",
    "scan_zip",
    "zip_key",
]


def scan_zip(data: bytes, archive: zipfile.ZipFile, filename: str, limits: Limits) -> Budget:
    """Check an .xlsx or .ods archive whole (see the module's docstring)."""
    budget = Budget(filename, limits)
    try:
        box = _Zip(data, archive, filename, limits)
        if any(key in box.entries for key in XLSB_PARTS):
            raise _xlsb(filename)
        _scan_xlsx(box, budget)
        _scan_ods(box, budget)
        for key in list(box.entries):  # every other part: its real size and CRC
            if key not in box.done:
                box.drain(key)
    except DAMAGED_ERRORS as exc:
        raise damaged(filename) from exc
    return budget


def scan(data: bytes, filename: str, limits: Limits, kind: str) -> Budget:
    """Check every sheet of an upload against ``limits`` before any reader opens it. ``kind``
    is the container ("zip" or "ole"). Returns what the sheets use; raises ``ApplicationError``
    naming the file (and the sheet and cell where it applies) at the first excess."""
    if kind == "ole":
        return scan_ole(data, filename, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except DAMAGED_ERRORS as exc:
        raise damaged(filename) from exc
    with archive:
        return scan_zip(data, archive, filename, limits)
