"""The entries of a zip archive inflated as streams, their real sizes and CRC checked."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..reading import Limits
from .common import _ASCII_LOWER, CHUNK_IN, CHUNK_OUT
from .messages import _part_too_big, damaged, password


def zip_key(name: str) -> str:
    """How calamine finds an entry: backslashes as slashes, ASCII case ignored."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


class _Zip:
    """The entries of an archive, each inflated at most once, as a stream, with its real size
    and CRC checked against the central directory."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile, filename: str, limits: Limits):
        self.data = data
        self.view = memoryview(data)
        self.filename = filename
        self.limits = limits
        self.entries: dict[str, zipfile.ZipInfo] = {}
        self.done: set[str] = set()
        self.counted: set[str] = set()
        self.inflated = 0
        for info in archive.infolist():
            key = zip_key(info.filename)
            if key in self.entries:  # which one a reader takes is anybody's guess
                raise damaged(filename, info.filename)
            if info.flag_bits & 0x1:
                raise password(filename)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise damaged(filename, info.filename)
            self.entries[key] = info

    def has(self, key: str) -> bool:
        return key in self.entries

    def _raw(self, info: zipfile.ZipInfo) -> memoryview:
        offset = info.header_offset
        header = self.data[offset : offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise damaged(self.filename, info.filename)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = offset + 30 + name_length + extra_length
        end = start + info.compress_size
        if end > len(self.data):
            raise damaged(self.filename, info.filename)
        return self.view[start:end]

    def stream(self, key: str, limit: int | None = None) -> Iterator[bytes]:
        """The inflated bytes of an entry, chunk by chunk. Refuses an entry whose declared size
        is over ``limit``, or whose real size or CRC differs from the declared ones."""
        info = self.entries[key]
        self.done.add(key)
        if limit is not None and info.file_size > limit:
            raise _part_too_big(self.filename, info.filename, limit)
        raw = self._raw(info)
        size = 0
        crc = 0
        if info.compress_type == zipfile.ZIP_STORED:
            if len(raw) != info.file_size:
                raise damaged(self.filename, info.filename)
            for start in range(0, len(raw), CHUNK_OUT):
                chunk = bytes(raw[start : start + CHUNK_OUT])
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
                yield chunk
        else:
            inflater = zlib.decompressobj(-15)
            for start in range(0, len(raw), CHUNK_IN):
                pending: bytes | memoryview = raw[start : start + CHUNK_IN]
                while pending and not inflater.eof:
                    chunk = inflater.decompress(pending, CHUNK_OUT)
                    pending = inflater.unconsumed_tail
                    size += len(chunk)
                    if size > info.file_size:  # the header said less: a forged size
                        raise damaged(self.filename, info.filename)
                    crc = zlib.crc32(chunk, crc)
                    if chunk:
                        yield chunk
                if inflater.eof:
                    break
            if not inflater.eof:  # truncated: the deflate stream never ended
                raise damaged(self.filename, info.filename)
        if size != info.file_size or crc != info.CRC:
            raise damaged(self.filename, info.filename)
        if key in self.counted:  # read a second time (a sheet read again exactly)
            return
        self.counted.add(key)
        self.inflated += size
        if self.inflated > self.limits.max_uncompressed:
            raise _part_too_big(self.filename, info.filename, self.limits.max_uncompressed)

    def read(self, key: str, limit: int) -> bytes:
        return b"".join(self.stream(key, limit))

    def drain(self, key: str) -> None:
        for _chunk in self.stream(key):
            pass
