"""XML parts parsed with expat: no DOCTYPE or entity, a bounded depth and token size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NoReturn
from xml.parsers import expat

from .common import _DIGITS, MAX_DEPTH, MAX_TOKEN
from .messages import _doctype, damaged


class _Handler:
    """Base of the expat handlers: depth kept, DOCTYPE and entities refused."""

    depth = 0

    def __init__(self, filename: str, part: str) -> None:
        self.filename = filename
        self.part = part

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise damaged(self.filename, self.part)

    def end(self, name: str) -> None:
        self.depth -= 1

    def chars(self, data: str) -> None:
        pass


def _parse(
    chunks: Iterator[bytes],
    handler: _Handler,
    *,
    text: bool = False,
    counter: Callable[[int], None] | None = None,
    inspect: Callable[[bytes], None] | None = None,
) -> None:
    """Feed the chunks to expat with ``handler``; refuse DOCTYPE, entity declarations, tokens
    larger than ``MAX_TOKEN`` and malformed XML (as a damaged part). With ``inspect``, each
    chunk goes to it first and expat only checks the XML (no element handler: see
    ``_FastCells``)."""
    parser = expat.ParserCreate()

    def refuse(*_args: Any) -> NoReturn:
        raise _doctype(handler.filename, handler.part)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.NotationDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    if inspect is None:
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        if text:
            parser.buffer_text = True
            parser.buffer_size = 64 * 1024
            parser.CharacterDataHandler = handler.chars
    fed = 0
    try:
        for chunk in chunks:
            if counter is not None:
                counter(len(chunk))
            if inspect is not None:
                inspect(chunk)
            parser.Parse(chunk, False)
            fed += len(chunk)
            if fed - parser.CurrentByteIndex > MAX_TOKEN:  # expat is holding one huge token
                raise damaged(handler.filename, handler.part)
        if inspect is not None:
            inspect(b"")
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise damaged(handler.filename, handler.part) from None


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _count(value: str | None, filename: str, part: str) -> int:
    """A repeat count or row number: ASCII digits only."""
    if value is None:
        return 1
    if not _DIGITS.fullmatch(value):
        raise damaged(filename, part)
    return int(value)
