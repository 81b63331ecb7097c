"""Finding the plan's line a row of a workbook is about.

A workbook downloaded from kehoach names each line by the hidden key of its row (the
``_kehoach`` sheet gives the line's uid and the version it was made from). A workbook the
commune made in its own layout has no such key: its rows are matched to the plan's lines by
what a person reads — the line's name (folded: case, diacritics, punctuation and spacing do not
matter) and, where names repeat or were edited, its number in the plan. Numbers alone are never
trusted, because old workbooks often number their rows afresh under each sector heading.

``LineIndex.find`` gives the line of one row or the reason none is found, in words that say
what to write; ``LineIndex`` also refuses a second row for a line already matched.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from django.utils.translation import gettext as _

from kehoach.catalog.names import name_key

T = TypeVar("T")

CLOSE = 0.6
"""How alike a row's name must be to the name of the line its number gives (SequenceMatcher
ratio or word overlap of the folded names) for the number to be believed."""

SUGGESTIONS = 3


def _number(value: Any) -> int | None:
    """The line number a cell gives: 7, "7", "7.0", 7.0; None for anything else ("I", "a")."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number != number.to_integral_value() or number <= 0:
        return None
    return int(number)


def _alike(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    words_a, words_b = set(a.split()), set(b.split())
    return max(ratio, len(words_a & words_b) / max(len(words_a | words_b), 1))


@dataclass
class Found(Generic[T]):
    """The line of a row (``line``) or why there is none (``problem``, a message for the
    row's name cell). ``by`` says how it was found: "key", "name" or "number"."""

    line: T | None = None
    problem: str = ""
    by: str = ""


class LineIndex(Generic[T]):
    """The plan's lines, looked up by a row's name and number.

    ``name(line)`` and ``number(line)`` read a line; ``what`` names the kind of line in
    messages ("dòng", "công trình"). One index serves one reading: a line found for a row is
    remembered, and a second row for it is refused naming the first row."""

    def __init__(
        self,
        lines: Sequence[T],
        *,
        name: Callable[[T], str],
        number: Callable[[T], int | None],
    ) -> None:
        self.lines = list(lines)
        self._name = name
        self._by_name: dict[str, list[T]] = {}
        self._by_number: dict[int, T] = {}
        for line in self.lines:
            self._by_name.setdefault(name_key(name(line) or ""), []).append(line)
            n = number(line)
            if n is not None:
                self._by_number[n] = line
        self._rows: dict[int, int] = {}  # id(line) → the row that took it

    def _suggest(self, key: str) -> list[str]:
        names = [k for k in self._by_name if k]
        close = difflib.get_close_matches(key, names, n=SUGGESTIONS, cutoff=0.6)
        return [self._name(self._by_name[k][0]) for k in close]

    def _taken(self, line: T, row: int) -> Found[T]:
        first = self._rows.setdefault(id(line), row)
        if first != row:
            return Found(
                problem=_("this line is already on row %(row)s; keep one row per line.")
                % {"row": first}
            )
        return Found(line)

    def take(self, line: T, row: int) -> Found[T]:
        """``line`` for ``row`` (found by the hidden key), unless another row took it."""
        found = self._taken(line, row)
        found.by = "key"
        return found

    def find(self, row: int, name: Any, number: Any = None) -> Found[T]:
        """The line a row names: by its name when only one line has it; among lines of the
        same name, or when the name was edited, by the number when the number's line has
        that name or one close to it. Otherwise the problem, with the closest names."""
        text = "" if name is None else str(name).strip()
        key = name_key(text)
        n = _number(number)
        same = self._by_name.get(key, []) if key else []
        if len(same) == 1:
            found = self._taken(same[0], row)
            found.by = "name"
            return found
        by_number = self._by_number.get(n) if n is not None else None
        if same:  # several lines have this name: the number tells them apart
            if by_number is not None and any(line is by_number for line in same):
                found = self._taken(by_number, row)
                found.by = "number"
                return found
            numbers = ", ".join(
                str(x) for x in sorted(filter(None, (self._line_number(line) for line in same)))
            )
            return Found(
                problem=_(
                    "several lines of the plan are named “%(name)s” (numbers %(numbers)s); "
                    "write the line's number in the plan in the “STT” column."
                )
                % {"name": text, "numbers": numbers}
            )
        if by_number is not None and (
            not key or _alike(key, name_key(self._name(by_number) or "")) >= CLOSE
        ):
            found = self._taken(by_number, row)
            found.by = "number"
            return found
        if not key:
            return Found(
                problem=_(
                    "the row names no line; write the line's name as the plan has it (or its "
                    "number in the plan in the “STT” column)."
                )
            )
        close = self._suggest(key)
        if close:
            return Found(
                problem=_(
                    "no line of the plan is named “%(name)s”; did you mean: %(names)s? Lines "
                    "cannot be added through this form."
                )
                % {"name": text, "names": "; ".join(f"“{c}”" for c in close)}
            )
        return Found(
            problem=_(
                "no line of the plan is named “%(name)s”; write the line's name as the plan "
                "has it. Lines cannot be added through this form."
            )
            % {"name": text}
        )

    def _line_number(self, line: T) -> int | None:
        for n, other in self._by_number.items():
            if other is line:
                return n
        return None

    def unmatched(self) -> list[T]:
        """The plan's lines no row was matched to, in the plan's order."""
        return [line for line in self.lines if id(line) not in self._rows]


def foreign_note() -> str:
    """The preview's note for a workbook without kehoach's hidden sheet."""
    return _(
        "This workbook was not downloaded from kehoach: each row was matched to the plan's line "
        "of the same name (or number), and changes made in kehoach since it was written cannot "
        "be detected. Check the changes below before confirming."
    )
