"""The synthesis's fast path for the new lines it makes (issue 16): a commune of 40 villages
makes hundreds of lines at once. They, their sources and one history row each are written by
``kehoach.core.rows.insert_rows`` (``COPY`` on PostgreSQL, one ``executemany`` on SQLite) —
a fixed number of queries whatever the number of lines, where ``bulk_create`` on SQLite cuts
the rows into batches of ~20 (999 parameters a query). Only ``synthesis`` calls it, inside its
transaction, with lines already checked (``line_from_village``): the one writer's way of
writing, not a second writer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connections, models

from kehoach.approvals.audit import audit_insert_created, snapshot
from kehoach.core.rows import insert_rows

from ...models import CommuneLine, CommunePlan, LineSource
from .fields import AUDIT_FIELDS


def _insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert unsaved ``objs`` (without primary keys) with every value prepared by its field,
    as ``save`` would (``auto_now`` stamps included)."""
    connection = connections[model._default_manager.db]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    insert_rows(connection, model._meta.db_table, [f.column for f in fields], rows)


def insert_synthesised(
    *,
    actor: Any,
    plan: CommunePlan,
    lines: list[CommuneLine],
    sources: list[LineSource],
    now: Any,
) -> None:
    """Insert the new ``lines`` of ``plan`` (numbered, their sector, unit and proposed source
    loaded), then each one's ``sources`` (whose ``line`` is the new line) and a "create"
    history row per line. The lines get their primary keys, read back by number (one
    query)."""
    if not lines:
        return
    _insert(CommuneLine, lines)
    first = min(x.number for x in lines)
    found = CommuneLine.objects.filter(plan=plan, number__gte=first)
    ids = dict(found.values_list("number", "pk"))
    alias = CommuneLine.objects.db
    for line in lines:
        line.pk = ids[line.number]
        line._state.adding = False
        line._state.db = alias
    for source in sources:
        source.line = source.line  # the line's primary key, known now
    _insert(LineSource, sources)
    audit_insert_created(
        actor=actor,
        plan_uid=plan.uid,
        label=CommuneLine._meta.label_lower,
        rows=[
            (
                str(line.pk),
                str(line)[:300],
                json.dumps(snapshot(line, AUDIT_FIELDS), ensure_ascii=False),
            )
            for line in lines
        ],
        now=now,
    )
