"""Recording data changes: who, when, what before and after."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connections, models

from kehoach.core.channel import current_via
from kehoach.core.rows import insert_rows

from .models import AuditEntry, person_names


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        # the same number is always the same text, whatever scale it was read with (1.200 read
        # from the database and 1.2 typed in a form): no false change in the history
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of ``obj`` as JSON-ready values (foreign keys by their text)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            related = getattr(obj, name)
            data[name] = str(related) if related is not None else None
        else:
            data[name] = _plain(getattr(obj, name))
    return data


def audit_entry(
    *,
    actor: Any,
    plan_uid: uuid.UUID,
    obj: models.Model,
    operation: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry | None:
    """One audit row, not yet saved (for ``audit_bulk``); None for an update that changed
    nothing."""
    before = before or {}
    after = after or {}
    if operation == AuditEntry.Operation.UPDATE and before == after:
        return None
    return AuditEntry(
        plan_uid=plan_uid,
        subject_label=obj._meta.label_lower,
        subject_id=str(obj.pk),
        subject_repr=str(obj)[:300],
        operation=operation,
        actor=actor if getattr(actor, "pk", None) else None,
        before=before,
        after=after,
    )


def audit_record(
    *,
    actor: Any,
    plan_uid: uuid.UUID,
    obj: models.Model,
    operation: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry | None:
    """Write one audit row; an update that changed nothing writes nothing."""
    entry = audit_entry(
        actor=actor, plan_uid=plan_uid, obj=obj, operation=operation, before=before, after=after
    )
    if entry is not None:
        entry.save()
    return entry


def audit_bulk(entries: Iterable[AuditEntry | None]) -> list[AuditEntry]:
    """Write many audit rows in one query (the ``None`` of unchanged updates are skipped)."""
    rows = [entry for entry in entries if entry is not None]
    return AuditEntry.objects.bulk_create(rows) if rows else []


plain = _plain
"""A value as a history snapshot writes it (``snapshot``: a decimal without useless zeros)."""


def audit_insert_created(
    *,
    actor: Any,
    plan_uid: uuid.UUID,
    label: str,
    rows: list[tuple[str, str, str]],
    now: datetime.datetime,
) -> int:
    """``audit_bulk`` for many rows just created, without model instances: each row is
    (subject id, subject text, ``after`` snapshot already as JSON text), inserted by
    ``kehoach.core.rows.insert_rows`` (history is only ever inserted). The acting user's
    names are kept on every row, as ``AuditEntry.save`` and ``bulk_create`` do."""
    if not rows:
        return 0
    meta = AuditEntry._meta
    connection = connections[AuditEntry.objects.db]
    fields = {f.name: f for f in meta.concrete_fields if not f.primary_key}
    name, username = person_names(actor)
    fixed = {
        "plan_uid": fields["plan_uid"].get_db_prep_save(plan_uid, connection),
        "subject_label": label,
        "operation": AuditEntry.Operation.CREATE.value,
        "actor": actor.pk if getattr(actor, "pk", None) else None,
        "actor_name": name,
        "actor_username": username,
        "at": fields["at"].get_db_prep_save(now, connection),
        "before": "{}",
        "via": current_via(),
    }
    varying = ["subject_id", "subject_repr", "after"]
    if set(fields) != {*fixed, *varying}:
        raise RuntimeError("audit_insert_created does not know every column of AuditEntry")
    columns = [fields[n].column for n in fixed] + [fields[n].column for n in varying]
    constant = tuple(fixed.values())
    insert_rows(connection, meta.db_table, columns, [(*constant, *row) for row in rows])
    return len(rows)
