"""Turning the raw cells of one column of an upload into typed values: the converter of
each kind of column (money by its unit, numbers, months, dates, a catalog choice with the
names allowed in its message), remembered per distinct cell value, and a wrong cell shown as
the user typed it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.numbers import ParseError

from ... import cells
from ...choices import Choices
from ...layouts import SCALES, Column


def _converter(column: Column, choices: dict[str, Choices], scale: str | None = None) -> Any:
    kind = column.kind
    if kind == "money":
        divisor = SCALES.get(scale, column.divisor) if scale else column.divisor
        return lambda v: cells.money(v, divisor)
    if kind == "decimal":
        return cells.decimal
    if kind == "int":
        return cells.integer
    if kind == "month":
        return cells.month
    if kind == "date":
        return cells.date
    if kind == "value":
        return lambda v: cells.text(v) if isinstance(v, str) else v
    if kind == "choice" and column.list in choices:
        listing = choices[column.list]

        def pick(value: Any) -> Any:
            if cells.is_empty(value):
                return None
            shown = cells.text(value)
            found, close = listing.find(shown)
            if found is None:
                if close:
                    error = ParseError(
                        "not_in_list",
                        _("not in the list; did you mean: %(names)s?")
                        % {"names": "; ".join(close)},
                    )
                    error.suggestions = close  # type: ignore[attr-defined]
                    raise error
                if len(listing.labels) <= SHORT_LIST:  # say what is allowed
                    raise ParseError(
                        "not_in_list",
                        _("not in the list; it must be one of: %(names)s.")
                        % {"names": ", ".join(listing.labels)},
                    )
                raise ParseError(
                    "not_in_list", _("not in the list; choose one from the drop-down list.")
                )
            return found

        return pick
    return cells.text


SHORT_LIST = 6
"""A list this short is named whole in the message of a cell not in it ("must be one of: 1,
2, 3.")."""


class _Failed:
    """A remembered conversion error (converters are memoised per distinct cell value). Its
    traceback and the error it replaced are let go: their frames would hold the reading that
    remembers them, a cycle that keeps the values of the whole sheet alive until the cyclic
    collector runs."""

    def __init__(self, error: ParseError) -> None:
        error.__traceback__ = error.__context__ = error.__cause__ = None
        self.error = error


def _memoised(convert: Any) -> Any:
    """The same converter, remembering the result (or the error) of each distinct value: the
    sectors, units, months and amounts of a workbook repeat from row to row. A text is its own
    key; any other value is keyed with its type (1, 1.0 and True are different cells)."""
    seen: dict[Any, Any] = {}
    missing = seen

    def run(value: Any) -> Any:
        key = value if value.__class__ is str else (value.__class__, value)
        try:
            hit = seen.get(key, missing)
        except TypeError:  # not hashable
            return convert(value)
        if hit is missing:
            try:
                hit = convert(value)
            except ParseError as exc:
                hit = _Failed(exc)
            seen[key] = hit
        if hit.__class__ is _Failed:
            raise hit.error
        return hit

    return run


def _read_column(column: list[Any], convert: Any) -> tuple[list[Any], bool]:
    """The typed values of one column (a ``_Failed`` for a wrong cell) and whether any cell is
    wrong: each distinct value converted once. A value is its own key when the column holds
    one type besides blanks; else a text is, and any other value is keyed with its type (1,
    1.0 and True are different cells)."""
    try:
        kinds = set(map(type, column))
        kinds.discard(type(None))
        if len(kinds) <= 1:  # one type of value besides blanks: a value is its own key
            keys = column
        else:
            keys = [v if v.__class__ is str else (v.__class__, v) for v in column]
        distinct = dict.fromkeys(keys)
    except TypeError:  # a value that is not hashable: one by one
        run = _memoised(convert)
        out = []
        for value in column:
            try:
                out.append(run(value))
            except ParseError as exc:
                out.append(_Failed(exc))
        return out, any(outcome.__class__ is _Failed for outcome in out)
    wrong = False
    for key in distinct:
        value = key if keys is column or key.__class__ is str else key[1]
        try:
            distinct[key] = convert(value)
        except ParseError as exc:
            distinct[key] = _Failed(exc)
            wrong = True
    return list(map(distinct.__getitem__, keys)), wrong


def _shown_value(column: Column, value: Any) -> Any:
    """The value of a wrong cell as the user typed it: a month as "02/2027"."""
    if column.kind == "month" and hasattr(value, "strftime"):
        return value.strftime("%m/%Y")
    return value
