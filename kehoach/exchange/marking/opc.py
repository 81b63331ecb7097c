"""The zip package of an .xlsx (Open Packaging Conventions): relationship and content types,
part names, relationships, reading parts (bounded) and writing entries."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote
from xml.sax.saxutils import quoteattr

from defusedxml import ElementTree

from .stream import CHUNK
from .tags import REL, Unpatchable

PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
T_OFFICE = f"{REL}/officeDocument"
T_WORKSHEET = f"{REL}/worksheet"
T_STYLES = f"{REL}/styles"
T_COMMENTS = f"{REL}/comments"
T_VML = f"{REL}/vmlDrawing"
T_CALC_CHAIN = f"{REL}/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
MAX_PART = 16 * 1024 * 1024
"""The largest styles, workbook, relationships or content-types part that is parsed whole."""


def _resolve(source: str, target: str) -> str:
    """The part name a relationship of ``source`` points to (without the leading slash)."""
    target = unquote(target)
    if target.startswith("/"):
        return posixpath.normpath(target)[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


@dataclass
class Relationship:
    id: str
    type: str
    target: str
    external: bool


class _Package:
    """The zip entries of an upload, looked up as OPC does (part names ignore case)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.infos = archive.infolist()
        self.names = {info.filename.lower(): info.filename for info in self.infos}
        if len(self.names) != len(self.infos):
            raise Unpatchable("duplicate entries")

    def has(self, part: str) -> bool:
        return part.lower() in self.names

    def name(self, part: str) -> str:
        try:
            return self.names[part.lower()]
        except KeyError:
            raise Unpatchable(f"missing part {part}") from None

    def read(self, part: str, *, parse: bool = True) -> bytes:
        """A small part, whole; refused when large or, if it is to be parsed, when it holds
        a DOCTYPE or a comment or is not UTF-8."""
        info = self.archive.getinfo(self.name(part))
        if info.file_size > MAX_PART:
            raise Unpatchable("large part")
        with self.archive.open(info) as handle:
            data = handle.read(MAX_PART + 1)
        if len(data) > MAX_PART:
            raise Unpatchable("large part")
        if parse and (b"<!" in data or data.startswith((b"\xff\xfe", b"\xfe\xff"))):
            raise Unpatchable("declarations or not UTF-8")
        return data

    def rels(self, part: str) -> list[Relationship]:
        name = _rels_name(part)
        if not self.has(name):
            return []
        root = ElementTree.fromstring(self.read(name))
        if root.tag != f"{{{PKG}}}Relationships":
            raise Unpatchable("relationships")
        return [
            Relationship(
                item.get("Id", ""),
                item.get("Type", ""),
                item.get("Target", ""),
                item.get("TargetMode", "") == "External",
            )
            for item in root
            if item.tag == f"{{{PKG}}}Relationship"
        ]


def _unused(package: _Package, taken: set[str], pattern: str) -> str:
    n = 1
    while True:
        name = pattern.format(n)
        if not package.has(name) and name.lower() not in taken:
            taken.add(name.lower())
            return name
        n += 1


def _new_id(used: set[str]) -> str:
    n = len(used) + 1
    while f"rId{n}" in used:
        n += 1
    used.add(f"rId{n}")
    return f"rId{n}"


def _relationship(rid: str, kind: str, target: str) -> bytes:
    return (
        f"<Relationship Id={quoteattr(rid)} Type={quoteattr(kind)} Target={quoteattr(target)}/>"
    ).encode()


def _add_relationships(data: bytes | None, items: Iterable[bytes]) -> bytes:
    added = b"".join(items)
    if data is None:
        return (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<Relationships xmlns="' + PKG.encode() + b'">' + added + b"</Relationships>"
        )
    end = data.rfind(b"</Relationships>")
    if end < 0:
        raise Unpatchable("relationships")
    return data[:end] + added + data[end:]


def _entry(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(info.filename, info.date_time)
    entry.compress_type = (
        info.compress_type
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        else zipfile.ZIP_DEFLATED
    )
    entry.external_attr = info.external_attr
    return entry


def _new_entry(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def _write(result: zipfile.ZipFile, name: str, pieces: Iterator[bytes]) -> None:
    with result.open(_new_entry(name), "w") as sink:
        batch: list[bytes] = []
        size = 0
        for piece in pieces:
            batch.append(piece)
            size += len(piece)
            if size > CHUNK:
                sink.write(b"".join(batch))
                batch, size = [], 0
        sink.write(b"".join(batch))
