"""Writing the generated objects without the ORM's per-value work.

``bulk_create`` prepares every value of every row through the field machinery and builds one
statement per batch; at a million rows that is most of the time. Here each table's rows are
taken from the unsaved model instances by attribute, converted once per column kind, given
primary keys reserved in one query (PostgreSQL: ``nextval`` of the table's sequence over a
series; SQLite: after the largest id, inside the write transaction) and written by
``kehoach.core.rows.insert_rows`` (``COPY`` on PostgreSQL, ``executemany`` on SQLite). A foreign
key to an object of an earlier table takes that object's new primary key.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.base import ModelState

from kehoach.core.rows import insert_rows

M = TypeVar("M", bound=models.Model)


class _Maker:
    """Unsaved instances of one model without ``Model.__init__`` (a third of the time at this
    scale): the defaults of every column, the values given by field name, a related object
    kept in the instance's cache (its key is read at insert time, once it has one)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.defaults: dict[str, Any] = {}
        self.mutable: list[str] = []
        self.relations: dict[str, tuple[str, str]] = {}
        for f in model._meta.concrete_fields:
            if f.is_relation:
                self.relations[f.name] = (f.attname, f.cache_name)  # type: ignore[attr-defined]
                self.defaults[f.attname] = None
            elif f.primary_key or f.name == "uid":
                self.defaults[f.attname] = None
            else:
                default = f.get_default()
                self.defaults[f.attname] = default
                if isinstance(default, dict | list):
                    self.mutable.append(f.attname)

    def __call__(self, values: dict[str, Any]) -> Any:
        obj = self.model.__new__(self.model)
        state = obj._state = ModelState()
        data = obj.__dict__
        data.update(self.defaults)
        for name in self.mutable:
            data[name] = copy.copy(data[name])
        cache = state.fields_cache
        for name, value in values.items():
            relation = self.relations.get(name)
            if relation is None:
                data[name] = value
            else:
                data[relation[0]] = None if value is None else value.pk
                cache[relation[1]] = value
        return obj


_MAKERS: dict[type[models.Model], _Maker] = {}


def make(model: type[M], **values: Any) -> M:
    """An unsaved ``model`` with these values (by field name) and the defaults of the rest."""
    maker = _MAKERS.get(model)
    if maker is None:
        maker = _MAKERS[model] = _Maker(model)
    obj: M = maker(values)
    return obj


def reserve_ids(
    connection: BaseDatabaseWrapper, model: type[models.Model], count: int
) -> list[int]:
    """``count`` primary keys for new rows of ``model``, in one query."""
    meta = model._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(meta.db_table), meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT COALESCE(MAX({quote(meta.pk.column)}), 0) FROM {quote(meta.db_table)}"
        )
        first = int(cursor.fetchone()[0]) + 1
    return list(range(first, first + count))


def _getter(field: Any, connection: BaseDatabaseWrapper, now: Any) -> Callable[[Any], Any]:
    """How the value of ``field`` is read from an instance and made ready for the driver."""
    attname = field.attname
    ops = connection.ops
    if field.is_relation:
        cache = field.cache_name

        def related(obj: Any) -> Any:
            value = obj.__dict__.get(attname)
            if value is None:
                target = obj._state.fields_cache.get(cache)
                value = None if target is None else target.pk
            return value

        return related
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        stamp = field.get_db_prep_save(now, connection)
        return lambda obj: stamp
    if isinstance(field, models.JSONField):
        return lambda obj: json.dumps(obj.__dict__[attname], ensure_ascii=False)
    if isinstance(field, models.UUIDField):
        if connection.vendor == "postgresql":
            return lambda obj: obj.__dict__[attname]
        return lambda obj: None if obj.__dict__[attname] is None else obj.__dict__[attname].hex
    if isinstance(field, models.DateTimeField):
        return lambda obj: ops.adapt_datetimefield_value(obj.__dict__[attname])
    if isinstance(field, models.DateField):
        return lambda obj: ops.adapt_datefield_value(obj.__dict__[attname])
    if isinstance(field, models.FileField):
        return lambda obj: str(obj.__dict__[attname] or "")
    return lambda obj: obj.__dict__[attname]


def insert_objects(model: type[models.Model], objs: Sequence[Any], *, now: Any) -> None:
    """Give ``objs`` (unsaved instances of ``model``) their primary keys and insert them."""
    if not objs:
        return
    connection = connections[model._default_manager.db]
    meta = model._meta
    for obj, pk in zip(objs, reserve_ids(connection, model, len(objs)), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    fields = list(meta.concrete_fields)
    getters = [_getter(f, connection, now) for f in fields]
    rows = [[get(obj) for get in getters] for obj in objs]
    insert_rows(connection, meta.db_table, [f.column for f in fields], rows)
