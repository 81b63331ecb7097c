"""Limits of the stream inspection and what a damaged file raises."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from xml.parsers import expat

CHUNK_IN = 64 * 1024
"""Compressed bytes handed to zlib at a time."""
CHUNK_OUT = 256 * 1024
"""At most this many inflated bytes come out of zlib at a time (a zip bomb inflates in steps)."""
MAX_DEPTH = 64
"""Deepest element nesting accepted in a part (a real sheet nests about 6 deep)."""
MAX_TOKEN = 1024 * 1024
"""Largest single XML token (start tag, comment) expat may buffer: a real one is < 1 KB."""
MAX_REF = 16
"""Longest cell reference ("XFD1048576" has 10 characters)."""

OLE_SECTOR_LIMIT = 0xFFFFFFFA
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
DIFSECT = 0xFFFFFFFC

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
XLSB_PARTS = {
    "xl/workbook.bin",
    "xl/sharedstrings.bin",
    "xl/styles.bin",
    "xl/_rels/workbook.bin.rels",
}

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_REF = re.compile(r"\$?([A-Za-z]{1,8})\$?([0-9]{1,10})")
_DIGITS = re.compile(r"[0-9]{1,12}")

DAMAGED_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    struct.error,
    expat.ExpatError,
    IndexError,
    KeyError,
    OverflowError,
    UnicodeError,
)
"""What zipfile, zlib, expat, olefile and struct raise on a damaged or hostile file."""
