"""Values an upload does not give and its parts do: a total the file leaves blank (or has no
column for) computed as the sum of its parts (``Column.sum_of``), each sum after the sums it
is made of, and marked computed for the preview."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from ...layouts import Column


class RowValues(Protocol):
    """A row read (``table.RowValues``): its typed values and the keys computed."""

    values: dict[str, Any]
    computed: set[str]


def _sum_order(columns: Sequence[Column]) -> list[Column]:
    """The columns computed from parts, each after the sums it is made of."""
    by_key = {c.key: c for c in columns if c.sum_of}
    order: list[Column] = []
    seen: set[str] = set()
    for column in by_key.values():
        _visit(column, by_key, seen, order, frozenset())
    return order


def _visit(
    column: Column,
    by_key: dict[str, Column],
    seen: set[str],
    order: list[Column],
    path: frozenset[str],
) -> None:
    """Put ``column`` in ``order`` after the sums among its parts (a module function, not a
    closure calling itself: no reference cycle per reading; a cycle of sums is cut)."""
    if column.key in seen or column.key in path:
        return
    for part in column.sum_of:
        if part in by_key:
            _visit(by_key[part], by_key, seen, order, path | {column.key})
    seen.add(column.key)
    order.append(column)


def _add_sums(rows: Sequence[RowValues], columns: Sequence[Column]) -> None:
    """A total the file leaves blank (or has no column for) is the sum of its parts when at
    least one part has a value; the key is marked computed. A total given is kept (the
    form's check compares it with its parts)."""
    order = _sum_order(columns)
    if not order:
        return
    for row in rows:
        values = row.values
        for column in order:
            if values.get(column.key) is not None:
                continue
            parts = [values.get(part) for part in column.sum_of]
            if all(part is None for part in parts):
                continue
            values[column.key] = sum((p for p in parts if p is not None), Decimal(0))
            row.computed.add(column.key)
