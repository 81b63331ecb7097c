"""The writer's fast path for many new lines already validated (a workbook's adds): no model
instance, no per-value preparation by the ORM — the rows go to the database as they were kept
(``NewLines``), by ``kehoach.core.rows.insert_rows``, and their history rows likewise
(``kehoach.approvals.audit.audit_insert_created``). Only ``writer.lines_apply`` calls it, inside
its transaction and after its checks: this is the one writer's way of writing, not a second
writer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections, models

from kehoach.approvals.audit import audit_insert_created, plain
from kehoach.core.rows import insert_rows

from ...models import ProposalLine, VillagePlan
from .fields import LINE_FIELDS


@dataclass
class NewLines:
    """New lines whose values were cleaned for this plan by a check, each a row of
    database-ready values in the order of ``LINE_FIELDS``: a catalog entry by its primary key,
    a decimal as its text, a month as ``yyyy-mm-dd``, other values as they are stored.
    ``related`` holds the catalog entries the rows name, by field name then primary key (the
    history shows them by name)."""

    rows: list[Sequence[Any]]
    related: dict[str, dict[Any, Any]] = field(default_factory=dict)


_FIXED = ("uid", "plan", "number", "created_at", "updated_at", "version", "deleted_at")


class _Fragments(dict[Any, str]):
    """``"name": value`` of one field in a history snapshot, made once per distinct value."""

    def __init__(self, name: str, convert: Callable[[Any], Any]) -> None:
        super().__init__()
        self.key = json.dumps(name) + ": "
        self.convert = convert

    def __missing__(self, value: Any) -> str:
        self[value] = text = self.key + json.dumps(self.convert(value))
        return text


def _decimal_text(value: Any) -> Any:
    return None if value is None else plain(Decimal(value))


def _same(value: Any) -> Any:
    return value


def _fragments(new: NewLines) -> list[_Fragments]:
    """Per field of ``LINE_FIELDS``, how its kept value reads in the history (as ``snapshot``
    writes it: a catalog entry by its text, a decimal without useless zeros)."""
    out = []
    for name in LINE_FIELDS:
        model_field = ProposalLine._meta.get_field(name)
        convert: Callable[[Any], Any]
        if isinstance(model_field, models.ForeignKey):
            entries = new.related.get(name, {})

            def convert(value: Any, entries: dict[Any, Any] = entries) -> Any:
                return None if value is None else str(entries[value])

        elif isinstance(model_field, models.DecimalField):
            convert = _decimal_text
        else:
            convert = _same
        out.append(_Fragments(name, convert))
    return out


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_uids(count: int) -> list[str]:
    """``count`` random UUIDs (version 4, as ``uuid.uuid4``) as 32 hex digits, the form every
    database takes for a UUID column (SQLite stores it so; PostgreSQL reads it as a uuid),
    drawn from the system's random source in one go."""
    digits = os.urandom(16 * count).hex()
    return [
        f"{digits[i : i + 12]}4{digits[i + 13 : i + 16]}{_VARIANT[digits[i + 16]]}"
        f"{digits[i + 17 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


def insert_new_lines(
    *, actor: Any, plan: VillagePlan, new: NewLines, first_number: int, now: Any
) -> int:
    """Insert ``new`` as lines ``first_number``, ``first_number + 1`` … of ``plan`` and one
    history row each; the number of lines inserted."""
    if not new.rows:
        return 0
    meta = ProposalLine._meta
    connection = connections[ProposalLine.objects.db]
    quote = connection.ops.quote_name
    by_name = {f.name: f for f in meta.concrete_fields if not f.primary_key}
    line_columns = [by_name[name].column for name in LINE_FIELDS]
    fixed_columns = [by_name[name].column for name in _FIXED]
    others = [f for name, f in by_name.items() if name not in LINE_FIELDS and name not in _FIXED]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
    columns = [*line_columns, *fixed_columns, *(f.column for f in others)]
    stamp = by_name["created_at"].get_db_prep_save(now, connection)
    uids = new_uids(len(new.rows))
    rows = [
        (*values, uid, plan.pk, number, stamp, stamp, 1, None, *defaults)
        for number, values, uid in zip(
            range(first_number, first_number + len(uids)), new.rows, uids, strict=True
        )
    ]
    insert_rows(connection, meta.db_table, columns, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT {}, {} FROM {} WHERE {} = %s AND {} >= %s".format(
                quote(meta.pk.column),
                quote(by_name["number"].column),
                quote(meta.db_table),
                quote(by_name["plan"].column),
                quote(by_name["number"].column),
            ),
            [plan.pk, first_number],
        )
        ids = {number: pk for pk, number in cursor.fetchall()}
    fragments = _fragments(new)
    activity = LINE_FIELDS.index("activity")
    getitem = dict.__getitem__
    audit_insert_created(
        actor=actor,
        plan_uid=plan.uid,
        label=meta.label_lower,
        rows=[
            (
                str(ids[number]),
                f"{number}. {values[activity]}"[:300],
                f'{{"number": {number}, ' + ", ".join(map(getitem, fragments, values)) + "}",
            )
            for number, values in enumerate(new.rows, start=first_number)
        ],
        now=now,
    )
    return len(rows)
