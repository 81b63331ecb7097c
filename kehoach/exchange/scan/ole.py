"""An .xls (OLE/BIFF) file: the compound file's chains, then the BIFF records of each sheet."""

from __future__ import annotations

import io
import struct
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import olefile

if TYPE_CHECKING:
    from ..reading import Limits
from .budget import Budget, SheetExtent
from .common import DAMAGED_ERRORS, DIFSECT, ENDOFCHAIN, OLE_SECTOR_LIMIT
from .messages import _too_many_cells, _too_many_sheets, _too_many_strings, damaged, password


def _check_ole(data: bytes, filename: str) -> tuple[str, bytes]:
    """The compound file's header and chains, where calamine reserves or loops on what the
    file says: FAT, mini FAT and DIFAT sizes bounded by the file, a DIFAT and a directory chain
    that do not loop, no directory entry longer than the file. Returns the name of the stream
    calamine reads ("Workbook", else "Book"; an ambiguous name is refused) and its bytes, read
    the way calamine reads them (from the mini stream when shorter than 4,096 bytes)."""
    if len(data) < 512:
        raise damaged(filename)
    header = data[:512]
    shift, mini_shift = struct.unpack_from("<HH", header, 30)
    if shift not in (9, 12) or mini_shift != 6:
        raise damaged(filename)
    size = 1 << shift
    sectors = len(data) // size
    fat_sectors, dir_start = struct.unpack_from("<II", header, 44)
    (mini_fat_start,) = struct.unpack_from("<I", header, 60)
    mini_fat_sectors, difat_start, difat_sectors = struct.unpack_from("<III", header, 64)
    (calamine_difat,) = struct.unpack_from("<I", header, 62)  # what calamine reserves
    if (
        fat_sectors > sectors
        or mini_fat_sectors > sectors
        or difat_sectors > sectors
        or calamine_difat > 16 * 1024 * 1024
    ):
        raise damaged(filename)
    per_sector = size // 4

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise damaged(filename)
        start = 512 + number * size if shift == 9 else (number + 1) * size
        return data[start : start + size]

    def numbers(number: int) -> tuple[int, ...]:
        return struct.unpack(f"<{per_sector}I", sector(number).ljust(size, b"\0"))

    def chain(start: int, table: Sequence[int], length: int, read: Callable[[int], bytes]) -> bytes:
        """A stream as calamine's ``get_chain`` reads it; a loop or a sector out of the table
        is a damaged file (calamine would read for ever or panic)."""
        out = bytearray()
        seen: set[int] = set()
        number = start
        while number != ENDOFCHAIN and len(out) < length:
            if number in seen or number >= len(table):
                raise damaged(filename)
            seen.add(number)
            out += read(number)[: length - len(out)]
            number = table[number]
        return bytes(out)

    difat = list(struct.unpack_from("<109I", header, 76))
    seen: set[int] = set()
    number = difat_start
    while number < OLE_SECTOR_LIMIT:  # calamine follows this chain without end
        if number in seen:
            raise damaged(filename)
        seen.add(number)
        entries = numbers(number)
        difat.extend(entries[:-1])
        number = entries[-1]
    fat: list[int] = []
    for number in difat:
        if number < DIFSECT:
            fat.extend(numbers(number))
    directory = chain(dir_start, fat, len(data) + 1, sector)  # no bound in calamine
    found: list[tuple[str, int, int]] = []
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        name = entry[:64].decode("utf-16-le", "replace").split("\0")[0]  # as calamine does
        (start,) = struct.unpack_from("<I", entry, 116)
        (length,) = struct.unpack_from("<Q" if shift == 12 else "<I", entry, 120)
        if length > len(data):
            raise damaged(filename)
        found.append((name, start, length))
    names = [name for name, _start, _length in found]
    folded = [name.lower() for name in names]
    if "encryptedpackage" in folded:  # an encrypted .xlsx inside an OLE file
        raise password(filename)
    wanted = next((n for n in ("Workbook", "Book") if n.lower() in folded), None)
    if wanted is None or folded.count(wanted.lower()) != 1 or wanted not in names:
        raise damaged(filename)
    _name, start, length = found[names.index(wanted)]
    if length >= 4096:
        return wanted, chain(start, fat, length, sector)
    if not mini_fat_sectors:
        raise damaged(filename)
    mini_stream = chain(found[0][1], fat, found[0][2], sector)
    mini_table = chain(mini_fat_start, fat, mini_fat_sectors * size, sector)
    mini_fat = struct.unpack(f"<{len(mini_table) // 4}I", mini_table[: len(mini_table) // 4 * 4])

    def mini(number: int) -> bytes:
        return mini_stream[number * 64 : number * 64 + 64]

    return wanted, chain(start, mini_fat, length, mini)


def _biff_records(stream: bytes, start: int, filename: str) -> Iterator[tuple[int, int, int]]:
    """(type, data offset, data length) of each record from ``start``."""
    position = start
    end = len(stream)
    while position < end:
        if end - position < 4:
            raise damaged(filename, "Workbook")
        kind, length = struct.unpack_from("<HH", stream, position)
        if position + 4 + length > end:
            raise damaged(filename, "Workbook")
        yield kind, position + 4, length
        position += 4 + length


def _sst_lengths(stream: bytes, pieces: list[tuple[int, int]], budget: Budget) -> array[int]:
    """The length of each string of the SST record and its CONTINUE records (as calamine reads
    them: a string's characters may go on in the next record, after a new flags byte)."""
    filename = budget.filename
    lengths = array("L")
    index = 0
    data = memoryview(stream)[pieces[0][0] + 8 : pieces[0][0] + pieces[0][1]]

    def next_piece() -> memoryview | None:
        nonlocal index
        index += 1
        if index >= len(pieces):
            return None
        offset, length = pieces[index]
        return memoryview(stream)[offset : offset + length]

    def skip(count: int) -> None:
        nonlocal data
        while count:
            if not data:
                piece = next_piece()
                if piece is None:
                    raise damaged(filename, "Workbook")
                data = piece
            step = min(count, len(data))
            data = data[step:]
            count -= step

    while True:
        if not data:
            piece = next_piece()
            if piece is None:
                break
            data = piece
            continue
        if len(data) < 3:
            raise damaged(filename, "Workbook")
        count, flags = struct.unpack_from("<HB", data, 0)
        data = data[3:]
        runs = extra = 0
        if flags & 0x8:
            (runs,) = struct.unpack_from("<H", data, 0)
            data = data[2:]
        if flags & 0x4:
            (extra,) = struct.unpack_from("<i", data, 0)
            data = data[4:]
            if extra < 0:
                raise damaged(filename, "Workbook")
        wide = flags & 0x1
        left = count
        while left:
            width = 2 if wide else 1
            take = min(left, len(data) // width)
            data = data[take * width :]
            left -= take
            if left:
                piece = next_piece()
                if piece is None or not piece:
                    raise damaged(filename, "Workbook")
                wide = piece[0] & 0x1
                data = piece[1:]
        skip(runs * 4)
        skip(extra)
        lengths.append(count)
        if len(lengths) > budget.limits.max_shared_strings:
            raise _too_many_strings(filename, budget.limits)
    return lengths


_U16 = struct.Struct("<H")
_CELL = struct.Struct("<HH")


def _scan_biff(stream: bytes, budget: Budget) -> None:
    filename = budget.filename
    limits = budget.limits
    records = _biff_records(stream, 0, filename)
    first = next(records, None)
    if first is None or first[0] != 0x0809:
        raise damaged(filename, "Workbook")
    sheets: list[tuple[int, str]] = []
    strings = array("L")
    pending: list[tuple[int, int]] | None = None
    for kind, offset, length in records:
        if pending is not None:
            if kind == 0x003C:
                pending.append((offset, length))
                continue
            strings = _sst_lengths(stream, pending, budget)
            pending = None
        if kind == 0x002F:  # FILEPASS
            raise password(filename)
        if kind == 0x0085:  # BOUNDSHEET
            if length < 8:
                raise damaged(filename, "Workbook")
            (position,) = struct.unpack_from("<I", stream, offset)
            name_length = stream[offset + 6]
            wide = length > 7 and stream[offset + 7] & 0x1
            raw = stream[offset + 8 : offset + 8 + name_length * (2 if wide else 1)]
            name = raw.decode("utf-16-le" if wide else "latin-1", "replace")
            sheets.append((position, name))
            if len(sheets) > limits.max_sheets:
                raise _too_many_sheets(filename, len(sheets), limits.max_sheets)
        elif kind == 0x00FC:  # SST, its CONTINUE records follow
            if length < 8:
                raise damaged(filename, "Workbook")
            pending = [(offset, length)]
        elif kind == 0x000A:  # EOF of the globals
            break
    if pending is not None:
        strings = _sst_lengths(stream, pending, budget)
    for position, name in sheets:
        if position >= len(stream):
            raise damaged(filename, "Workbook")
        extent = budget.sheet(name)
        _scan_biff_sheet(stream, position, extent, strings, budget)
        extent.close()


def _scan_biff_sheet(
    stream: bytes, position: int, extent: SheetExtent, strings: array[int], budget: Budget
) -> None:
    filename = budget.filename
    limits = budget.limits
    depth = 0
    formula = (0, 0)
    unpack_cell = _CELL.unpack_from
    for kind, offset, length in _biff_records(stream, position, filename):
        if kind == 0x0809:
            depth += 1
            continue
        if kind == 0x000A:
            depth -= 1
            if depth <= 0:
                return
            continue
        if kind in (0x0203, 0x027E, 0x0205, 0x0204, 0x00D6, 0x00FD, 0x0006):
            minimum = {0x0203: 14, 0x027E: 10, 0x0205: 8, 0x0006: 20, 0x00FD: 10}.get(kind, 8)
            if length < minimum:
                raise damaged(filename, extent.name)
            row, col = unpack_cell(stream, offset)
            extent.cell(row, col)
            if kind == 0x0006:
                formula = (row, col)
            elif kind == 0x0204 or kind == 0x00D6:  # LABEL, RSTRING
                (count,) = _U16.unpack_from(stream, offset + 6)
                extent.text(row, col, count)
            elif kind == 0x00FD:  # LABELSST
                (index,) = struct.unpack_from("<I", stream, offset + 6)
                if index < len(strings):
                    extent.text(row, col, strings[index], 1)
        elif kind == 0x00BD:  # MULRK: one row, several columns
            if length < 6 or (length - 6) % 6:
                raise damaged(filename, extent.name)
            row, first = unpack_cell(stream, offset)
            (last,) = _U16.unpack_from(stream, offset + length - 2)
            count = (length - 6) // 6
            if last < first or last - first + 1 != count:
                raise damaged(filename, extent.name)
            extent.cell(row, first + count - 1)
        elif kind == 0x0207:  # STRING: the text a formula gave, a cell at the formula's place
            if length < 2:
                raise damaged(filename, extent.name)
            (count,) = _U16.unpack_from(stream, offset)
            extent.cell(*formula)
            extent.text(formula[0], formula[1], count)
        elif kind == 0x0200:  # DIMENSIONS: calamine reserves rows × columns from it
            _dimensions(stream, offset, length, extent, limits)
        elif kind == 0x00E5:  # MERGEDCELLS
            if length < 2:
                raise damaged(filename, extent.name)
            (count,) = _U16.unpack_from(stream, offset)
            if length < 2 + 8 * count:
                raise damaged(filename, extent.name)
            budget.add_merged(count)


def _dimensions(stream: bytes, offset: int, length: int, extent: SheetExtent, limits: Any) -> None:
    filename = extent.budget.filename
    if length == 14:
        first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", stream, offset)
    elif length == 10:
        first_row, end_row, first_col, end_col = struct.unpack_from("<HHHH", stream, offset)
    else:
        raise damaged(filename, extent.name)
    if first_col > 0xFF or end_col < first_col:
        first_col = 0
    if end_row < 1 or end_col < 1:
        return
    if first_row > end_row:
        raise damaged(filename, extent.name)
    if (end_row - first_row) * (end_col - first_col) > limits.max_cells:
        raise _too_many_cells(filename, extent.name, end_row - 1, end_col - 1, limits.max_cells)


def scan_ole(data: bytes, filename: str, limits: Limits) -> Budget:
    """Check an .xls file whole (see the module's docstring)."""
    budget = Budget(filename, limits)
    try:
        name, stream = _check_ole(data, filename)
        with olefile.OleFileIO(io.BytesIO(data)) as ole:  # its own reading must agree
            if ole.get_size(name) != len(stream):
                raise damaged(filename)
            with ole.openstream(name) as handle:
                if handle.read() != stream:
                    raise damaged(filename)
        _scan_biff(stream, budget)
    except DAMAGED_ERRORS as exc:
        raise damaged(filename) from exc
    return budget
