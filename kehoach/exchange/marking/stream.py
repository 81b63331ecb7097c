"""Reading a worksheet's XML in chunks with a bounded look-ahead, and writing it out as it
is read."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO

from .tags import TAG, Unpatchable

CHUNK = 256 * 1024
KEEP = 64
"""Bytes kept back when a pattern was not found in the buffer (a pattern may straddle chunks)."""


MAX_TAG = 1024 * 1024
MAX_HELD = 16 * 1024 * 1024
"""The most held at once: one ``<row>``, or a sheet's beginning up to ``<sheetData>``."""


class Stream:
    """A zip entry read in chunks and written out as it is read: ``buf[:done]`` has been
    written (or replaced), ``at`` is where the next search starts."""

    def __init__(self, handle: IO[bytes], write: Callable[[bytes], object]) -> None:
        self.handle = handle
        self.sink = write
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.buf = b""
        self.done = 0
        self.at = 0
        self.eof = False

    def more(self) -> int:
        """Read the next chunk; returns how far positions in ``buf`` moved (-1 at the end)."""
        if self.eof:
            return -1
        chunk = self.handle.read(CHUNK)
        if not chunk:
            self.eof = True
            return -1
        if b"<!" in self.buf[-1:] + chunk:
            raise Unpatchable("DOCTYPE, comment or CDATA")
        shift = self.done
        self.buf = self.buf[shift:] + chunk
        self.done = 0
        self.at -= shift
        if len(self.buf) > MAX_HELD + CHUNK:
            raise Unpatchable("too much held")
        return shift

    def emit(self, upto: int) -> None:
        if upto > self.done:
            self.write(self.buf[self.done : upto])
            self.done = upto

    def replace(self, upto: int, data: bytes) -> None:
        """Write ``data`` instead of ``buf[done:upto]``."""
        self.write(data)
        self.done = self.at = upto

    def search(self, pattern: re.Pattern[bytes], *, hold: bool = False) -> re.Match[bytes] | None:
        """The next match from ``at``; what precedes it is written out as the buffer is read
        on, unless ``hold``."""
        while True:
            match = pattern.search(self.buf, self.at)
            if match is not None:
                return match
            self.at = max(self.at, len(self.buf) - KEEP)
            if not hold:
                self.emit(self.at)
            if self.more() < 0:
                return None

    def tag_at(self, index: int, pattern: re.Pattern[bytes] = TAG) -> re.Match[bytes]:
        while True:
            match = pattern.match(self.buf, index)
            if match is not None:
                return match
            if len(self.buf) - index > MAX_TAG:
                raise Unpatchable("tag too long")
            shift = self.more()
            if shift < 0:
                raise Unpatchable("truncated tag")
            index -= shift

    def ensure(self, index: int, size: int) -> int:
        """``index`` (moved if the buffer was read on) with ``size`` bytes there to read."""
        while index + size > len(self.buf):
            shift = self.more()
            if shift < 0:
                raise Unpatchable("truncated")
            index -= shift
        return index

    def write(self, data: bytes) -> None:
        """Write out ``data``, in pieces of a chunk or more (each write compresses)."""
        self.pending.append(data)
        self.pending_size += len(data)
        if self.pending_size >= CHUNK:
            self.flush()

    def flush(self) -> None:
        self.sink(b"".join(self.pending))
        self.pending, self.pending_size = [], 0

    def copy_rest(self) -> None:
        self.emit(len(self.buf))
        self.flush()
        while chunk := self.handle.read(CHUNK):
            self.sink(chunk)
