"""The state of what the commune plan page's table shows, as one digest read in one query.

The table (the lines of a page with their villages, scores and ranks, open comments and decisions;
the totals by sector and by village; the lines to review; the sectors offered by the filter; the
lines merged, split or removed) is kept in the cache under this digest with what the visitor asked
(``plan_detail``). The digest reads, in one query of scalar subqueries:

- the commune lines of the plan: how many, the last ``updated_at`` and the sum of their
  ``version`` (every writer of a line raises both — ``save()`` or a ``bulk_update`` naming them);
- not their traces to village lines (``LineSource``): those are written only by the synthesis,
  which sets the plan's ``synthesised_at``, and by merges, splits and their undoing, which
  change the lines themselves, in the same transaction;
- the plan's summaries (``LineSummary``), which every writer of lines, funding and status
  rewrites in its transaction (DELETE and INSERT: new ids): how many and the highest id — the
  lines' funding is read through them;
- the comments on the plan: how many, the highest id, how many resolved;
- the village lines of the round (the by-village totals read their priorities, costs and support)
  and the villages' names;
- the names of sectors and units of measure the rows show;
- what the rest of the page's content shows (``plan_detail`` keeps it per visitor): the round's
  village plans (submitted or not), the envelope and its lines, the merges and splits.

The plan's own fields (status, ``data_version``, last synthesis, ``updated_at``) and the ranks'
key (``scoring.stored.ranks_key``) are added by the caller from the plan already read.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import connection

from kehoach.approvals.models import Comment
from kehoach.catalog.models import Sector, UnitOfMeasure
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import ProposalLine, VillagePlan

from .models import (
    CommuneLine,
    CommunePlan,
    Envelope,
    EnvelopeLine,
    LineSummary,
    SynthesisOperation,
)


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _column(model: Any, name: str) -> str:
    return str(connection.ops.quote_name(model._meta.get_field(name).column))


def _stats(source: str, where: str, *values: str) -> str:
    """One scalar subquery: the ``values`` over ``source`` where ``where``, as one text."""
    parts = " || ':' || ".join(f"COALESCE(CAST({v} AS TEXT), '')" for v in values)
    return f"(SELECT {parts} FROM {source} WHERE {where})"


@lru_cache(maxsize=1)
def _sql() -> str:
    line = _table(CommuneLine)
    c = {name: _column(CommuneLine, name) for name in ("plan", "updated_at", "version")}
    proposal, village_plan = _table(ProposalLine), _table(VillagePlan)
    p_plan, vp_round, vp_village = (
        _column(ProposalLine, "plan"),
        _column(VillagePlan, "round"),
        _column(VillagePlan, "village"),
    )
    units, unit_pk = _table(AdministrativeUnit), _column(AdministrativeUnit, "id")
    subqueries = [
        _stats(
            line,
            f"{c['plan']} = %(plan)s",
            "COUNT(*)",
            f"MAX({c['updated_at']})",
            f"SUM({c['version']})",
        ),
        _stats(
            _table(LineSummary),
            f"{_column(LineSummary, 'plan')} = %(plan)s",
            "COUNT(*)",
            f"MAX({_column(LineSummary, 'id')})",
        ),
        _stats(
            _table(Comment),
            f"{_column(Comment, 'plan_uid')} = %(uid)s",
            "COUNT(*)",
            f"MAX({_column(Comment, 'id')})",
            f"COUNT({_column(Comment, 'resolved_at')})",
        ),
        _stats(
            f"{proposal} p JOIN {village_plan} v ON v.{_column(VillagePlan, 'id')} = p.{p_plan}",
            f"v.{vp_round} = %(round)s",
            "COUNT(*)",
            f"MAX(p.{_column(ProposalLine, 'updated_at')})",
        ),
        _stats(
            f"{units} u JOIN {village_plan} v ON v.{vp_village} = u.{unit_pk}",
            f"v.{vp_round} = %(round)s",
            "COUNT(*)",
            f"MAX(u.{_column(AdministrativeUnit, 'updated_at')})",
        ),
        _stats(
            _table(VillagePlan),
            f"{vp_round} = %(round)s",
            "COUNT(*)",
            f"MAX({_column(VillagePlan, 'updated_at')})",
        ),
        _stats(
            f"{_table(EnvelopeLine)} e JOIN {_table(Envelope)} n "
            f"ON n.{_column(Envelope, 'id')} = e.{_column(EnvelopeLine, 'envelope')}",
            f"n.{_column(Envelope, 'round')} = %(round)s",
            "COUNT(*)",
            f"MAX(e.{_column(EnvelopeLine, 'updated_at')})",
            f"MAX(n.{_column(Envelope, 'updated_at')})",
        ),
        _stats(
            _table(SynthesisOperation),
            f"{_column(SynthesisOperation, 'plan')} = %(plan)s",
            "COUNT(*)",
            f"MAX({_column(SynthesisOperation, 'updated_at')})",
        ),
        _stats(_table(Sector), "1 = 1", "COUNT(*)", f"MAX({_column(Sector, 'updated_at')})"),
        _stats(
            _table(UnitOfMeasure),
            "1 = 1",
            "COUNT(*)",
            f"MAX({_column(UnitOfMeasure, 'updated_at')})",
        ),
    ]
    return "SELECT " + ", ".join(subqueries)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The code that writes the table: a change to it is another state (a cache shared by
    servers of two releases never mixes their tables)."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    names = ["plan_page.py", "views/plan.py", "views/plan_rows.py"]
    names += [
        f"templates/synthesis/partials/plan_{n}.html" for n in ("review", "rows", "by_village")
    ]
    for name in names:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def plan_page_state(plan: CommunePlan) -> str:
    """The state of the plan's table (see the module), as one digest; one query."""
    uid_field = Comment._meta.get_field("plan_uid")
    params = {
        "plan": plan.pk,
        "round": plan.round_id,
        "uid": uid_field.get_db_prep_value(plan.uid, connection),
    }
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        row = cursor.fetchone()
    text = "|".join(
        [
            code_digest(),
            str(plan.status),
            str(plan.data_version),
            str(plan.version_number),
            str(plan.synthesised_at),
            str(plan.updated_at),
            *(str(value) for value in row),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()
