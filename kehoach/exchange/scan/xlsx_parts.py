"""The parts of an .xlsx that are not sheets: relationships, the workbook's sheets, the shared
strings."""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..reading import Limits
from .messages import _too_many_sheets, _too_many_strings
from .xml import _Handler, _local


class _Relationships(_Handler):
    def __init__(self, filename: str, part: str) -> None:
        super().__init__(filename, part)
        self.by_id: dict[str, tuple[str, str]] = {}
        self.order: list[tuple[str, str]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        if _local(name) == "Relationship":
            found = (attrs.get("Target", ""), attrs.get("Type", ""))
            self.order.append(found)
            rel_id = attrs.get("Id")
            if rel_id is not None:
                self.by_id[rel_id] = found


class _WorkbookSheets(_Handler):
    def __init__(self, filename: str, part: str, limit: int) -> None:
        super().__init__(filename, part)
        self.sheets: list[tuple[str, str]] = []
        self.limit = limit

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        if _local(name) == "sheet":
            rel_id = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            self.sheets.append((attrs.get("name", ""), rel_id))
            if len(self.sheets) > self.limit:
                raise _too_many_sheets(self.filename, len(self.sheets), self.limit)


class _SharedStrings(_Handler):
    """The length of every shared string (text of the ``t`` elements of each ``si``)."""

    def __init__(self, filename: str, part: str, limits: Limits) -> None:
        super().__init__(filename, part)
        self.limits = limits
        self.lengths = array("L")
        self.in_si = 0
        self.in_t = 0
        self.length = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        local = _local(name)
        if local == "t":
            self.in_t += 1
        elif local == "si":
            self.in_si += 1
            self.length = 0
        elif local == "sst":
            value = attrs.get("uniqueCount", "")  # calamine reserves this many strings
            if value.isascii() and value.isdigit() and int(value) > self.limits.max_shared_strings:
                raise _too_many_strings(self.filename, self.limits)

    def end(self, name: str) -> None:
        super().end(name)
        local = _local(name)
        if local == "t":
            self.in_t -= 1
        elif local == "si":
            self.in_si -= 1
            if not self.in_si:
                self.lengths.append(min(self.length, 0xFFFFFFFF))
                if len(self.lengths) > self.limits.max_shared_strings:
                    raise _too_many_strings(self.filename, self.limits)

    def chars(self, data: str) -> None:
        if self.in_t and self.in_si:
            self.length += len(data)
