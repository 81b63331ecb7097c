"""The values a check found, kept as JSON until the confirmation (``ImportRecord.kept``).

A row of values is a list in the order of the form's fields: a decimal as its text, a month or
a date as ``yyyy-mm-dd``, a catalog entry (a foreign key) as its primary key, everything else as
JSON has it — the form in which a database takes them, so that a writer may insert kept new
rows as they are (``plans.services.lines.NewLines``) once ``entries`` has found that their
catalog entries still exist. ``ValuesCodec.load`` turns many rows back at once, with one query
per catalog table for all their foreign keys; a value repeated from row to row (a sector, a
month, an amount) is converted once.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError


def _decimal(value: Any) -> str | None:
    return None if value is None else str(value)


def _date(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _same(value: Any) -> Any:
    return value


_QUICK: dict[Callable[[Any], Any], Callable[[Any], Any]] = {
    _decimal: str,
    _date: operator.methodcaller("isoformat"),
}
"""``_decimal`` and ``_date`` for a value that is not None, in C."""


class ValuesCodec:
    """Dumps and loads the values of ``fields`` of ``model``."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.fields = list(fields)
        self._dump: list[Callable[[Any], Any]] = []
        self._load: list[Callable[[Any], Any] | None] = []
        self.related: dict[int, type[models.Model]] = {}
        for index, name in enumerate(self.fields):
            field = model._meta.get_field(name)
            if isinstance(field, models.ForeignKey):
                self._dump.append(_pk)
                self._load.append(None)
                self.related[index] = field.related_model  # type: ignore[assignment]
            elif isinstance(field, models.DecimalField):
                self._dump.append(_decimal)
                self._load.append(Decimal)
            elif isinstance(field, models.DateField):  # DateTimeField is one too
                self._dump.append(_date)
                self._load.append(
                    datetime.datetime.fromisoformat
                    if isinstance(field, models.DateTimeField)
                    else datetime.date.fromisoformat
                )
            else:
                self._dump.append(_same)
                self._load.append(_same)
        self._converting: list[tuple[int, Callable[[Any], Any]]] = [
            (index, _QUICK.get(dump, dump))
            for index, dump in enumerate(self._dump)
            if dump is not _same
        ]
        """``dump`` per field that changes form, by position, each told a value (None stays
        None)."""

    def dump(self, values: dict[str, Any]) -> list[Any]:
        row = list(map(values.get, self.fields))
        for index, convert in self._converting:  # only the values that change form
            value = row[index]
            if value is not None:
                row[index] = convert(value)
        return row

    def entries(self, rows: Sequence[Sequence[Any]]) -> dict[str, dict[Any, Any]]:
        """The catalog entries the rows name, by field name then primary key (one query per
        catalog table). A catalog entry deleted since the check refuses the whole
        confirmation (``import_stale``)."""
        out: dict[str, dict[Any, Any]] = {}
        for index, model in self.related.items():
            ids = {row[index] for row in rows}
            ids.discard(None)
            found: dict[Any, Any] = model._default_manager.in_bulk(ids) if ids else {}
            if len(found) != len(ids):
                raise ApplicationError(
                    "import_stale",
                    _(
                        "An entry of a list used by this workbook was removed from kehoach "
                        "after the check, so nothing was applied. Upload the workbook again."
                    ),
                )
            out[self.fields[index]] = found
        return out

    def load(self, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
        """The values of every row, foreign keys as objects (one query per catalog table). A
        catalog entry deleted since the check refuses the whole confirmation."""
        entries = self.entries(rows)
        columns: list[Callable[[Any], Any]] = []
        for index, convert in enumerate(self._load):
            if convert is None:
                found = {**entries[self.fields[index]], None: None}
                columns.append(found.__getitem__)
            elif convert is _same:
                columns.append(_same)
            else:
                columns.append(_memoised(convert))
        names = self.fields
        return [
            {
                name: (value if convert is _same else convert(value))
                for name, convert, value in zip(names, columns, row, strict=True)
            }
            for row in rows
        ]


def _memoised(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {None: None}

    def run(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = convert(value)
            return result

    return run
