"""Opening an uploaded workbook safely and finding its table.

``open_workbook`` takes the bytes as uploaded (.xlsx, .xlsm refused, .xls, .ods) and checks
them before anything parses them (``check_upload``): the size, the archive's declared
uncompressed size and entry count (a zip bomb is refused without being inflated), macros
(refused), then ``scan`` reads every sheet as a stream and refuses a file over the limits
(rows, columns, used area, text, shared strings, forged sizes, XML bombs, password protection)
before python-calamine, which allocates from the cell positions it reads, ever sees it. The
cells are then read with python-calamine, which returns each formula's value as last
calculated by Excel or LibreOffice and never evaluates anything; external links are not
followed. Any failure of the reader, a Rust panic included, is a damaged file; the limits on
sheets, rows and columns are checked again on what it read.

``find_header`` finds a layout's columns on a sheet by their header text, the way a person
would: anywhere in the first rows, in one row or two (a merged parent header over its
children, "Dân đóng góp > Tiền mặt"), whatever the case, diacritics (NFD or NFC) or extra
spaces, and in legacy TCVN3/VNI text. ``data_rows`` gives the rows under it, skipping blank
rows, the row of column numbers, section headings ("I. Hạ tầng") and total rows, each skip
noted for the preview.

The package: ``opening`` (the checks and the reader), ``headers`` (``find_header``), ``rows``
(``data_rows``).
"""

from .headers import HEADER_SCAN_ROWS, Header, HeaderSpec, find_header
from .opening import (
    MACRO_SUFFIXES,
    OLE_MAGIC,
    SKIP_SHEETS,
    ZIP_SUFFIXES,
    Book,
    Cell,
    Limits,
    Row,
    Sheet,
    _calamine,
    check_upload,
    open_workbook,
)
from .rows import ROMAN, TOTAL_PREFIXES, TOTAL_WORDS, DataRow, data_rows

__all__ = [
    "HEADER_SCAN_ROWS",
    "MACRO_SUFFIXES",
    "OLE_MAGIC",
    "ROMAN",
    "SKIP_SHEETS",
    "TOTAL_PREFIXES",
    "TOTAL_WORDS",
    "ZIP_SUFFIXES",
    "Book",
    "Cell",
    "DataRow",
    "Header",
    "HeaderSpec",
    "Limits",
    "Row",
    "Sheet",
    "_calamine",
    "check_upload",
    "data_rows",
    "find_header",
    "open_workbook",
]
