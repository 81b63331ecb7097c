"""What the forms F1, F8–F12 and F14 keep of a check (``ImportRecord.kept``): the values the
check found, as JSON, and back exactly as they were — a decimal stays a ``Decimal``, a date a
``date``, a catalog entry or a village the same object (one query per table for all the values
of a record), so that the confirmation gives the batch writer what the check found without
reading the workbook again.

A value is dumped as JSON has it, except ``{"$dec": "1.5"}``, ``{"$date": "2027-05-01"}``,
``{"$dt": "…"}`` and ``{"$obj": ["app.model", pk]}``. An entry deleted since the check, or a
record kept by another version of its form, refuses the confirmation (``import_stale``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError

DECIMAL, DATE, DATETIME, OBJECT = "$dec", "$date", "$dt", "$obj"


def dump(value: Any) -> Any:
    """``value`` as JSON-able data that ``Loader.load`` turns back into the same value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return {DECIMAL: str(value)}
    if isinstance(value, datetime.datetime):
        return {DATETIME: value.isoformat()}
    if isinstance(value, datetime.date):
        return {DATE: value.isoformat()}
    if isinstance(value, models.Model):
        return {OBJECT: [value._meta.label_lower, value.pk]}
    if isinstance(value, list | tuple):
        return [dump(item) for item in value]
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) and not key.startswith("$") for key in value):
            raise TypeError(f"cannot keep a mapping with the keys {list(value)!r}")
        return {key: dump(item) for key, item in value.items()}
    raise TypeError(f"cannot keep a value of type {type(value).__name__}")


def ref(obj: models.Model) -> Any:
    """A model instance as kept (``dump`` of it)."""
    return dump(obj)


def stale() -> ApplicationError:
    """The refusal of a record kept by another version of kehoach."""
    return ApplicationError(
        "import_stale",
        _(
            "kehoach was updated after this workbook was checked, so nothing was applied. "
            "Upload the workbook again."
        ),
    )


def gone() -> ApplicationError:
    """The refusal of a record that names an entry deleted since the check."""
    return ApplicationError(
        "import_stale",
        _(
            "An entry of a list used by this workbook was removed from kehoach after the "
            "check, so nothing was applied. Upload the workbook again."
        ),
    )


def opened(kept: Any, version: int) -> dict[str, Any]:
    """The kept data of a form whose kept format is ``version``; ``import_stale`` if not."""
    if not isinstance(kept, dict) or kept.get("v") != version:
        raise stale()
    return kept


def _refs(value: Any, found: dict[str, set[Any]]) -> None:
    if isinstance(value, list):
        for item in value:
            _refs(item, found)
    elif isinstance(value, dict):
        if OBJECT in value:
            label, pk = value[OBJECT]
            found.setdefault(label, set()).add(pk)
        elif DECIMAL not in value and DATE not in value and DATETIME not in value:
            for item in value.values():
                _refs(item, found)


class Loader:
    """Turns kept values back; ``querysets`` says how to read the entries of a model (by its
    ``app.model`` label) when the writer needs their relations."""

    def __init__(self, querysets: Mapping[str, models.QuerySet[Any]] | None = None) -> None:
        self.querysets = dict(querysets or {})
        self.objects: dict[str, dict[Any, Any]] = {}

    def fetch(self, values: Iterable[Any]) -> None:
        """Read every entry the values name that is not read yet: one query per model."""
        wanted: dict[str, set[Any]] = {}
        for value in values:
            _refs(value, wanted)
        for label, pks in wanted.items():
            known = self.objects.setdefault(label, {})
            missing = pks - set(known)
            if not missing:
                continue
            queryset = self.querysets.get(label)
            if queryset is None:
                queryset = apps.get_model(label)._default_manager.all()
            known.update(queryset.in_bulk(missing))
            if not missing <= set(known):
                raise gone()

    def load(self, value: Any) -> Any:
        """One kept value back (its entries read by ``fetch`` first, or now)."""
        self.fetch([value])
        return self._load(value)

    def load_all(self, values: list[Any]) -> list[Any]:
        self.fetch(values)
        return [self._load(value) for value in values]

    def _load(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._load(item) for item in value]
        if not isinstance(value, dict):
            return value
        if DECIMAL in value:
            return Decimal(value[DECIMAL])
        if DATE in value:
            return datetime.date.fromisoformat(value[DATE])
        if DATETIME in value:
            return datetime.datetime.fromisoformat(value[DATETIME])
        if OBJECT in value:
            label, pk = value[OBJECT]
            return self.objects[label][pk]
        return {key: self._load(item) for key, item in value.items()}
