"""The state of everything the province roll-up reads for one unit and year, as one digest
(issue 16): the roll-up's table is kept rendered under it (``views.rollup``), so that a
repeated request reads one row of aggregates instead of the summaries, rounds and meetings.

One query (hand-written: the ORM would compile its subqueries at each request for longer than
the database runs them), one scalar subquery a table read:

- tables whose rows are only inserted and deleted (``LineSummary``, ``PlanSummary``: the
  writers delete a plan's rows and insert them again; ids only grow — PostgreSQL sequences,
  SQLite ``AUTOINCREMENT``): how many rows, the largest id and the sum of the ids (a row
  deleted and another inserted by two transactions that commit out of id order still change
  the sum);
- tables updated in place (the communes and former districts, rounds, commune and village
  plans, meetings, envelope lines, sectors, funding sources): how many rows and the latest
  ``updated_at`` — every writer of them raises it (``save()``, or ``bulk_update``/``update()``
  with ``updated_at``).

A change the digest does not see is a change the roll-up does not show; each table has a test
(``tests/test_rollup_cache.py``) that fails if it is missing here.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connections
from django.db.models import Model

from kehoach.catalog.models import FundingSource, Sector
from kehoach.core.routers import read_alias
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import PlanningRound, VillageMeeting, VillagePlan

from ..models import CommunePlan, Envelope, EnvelopeLine, LineSummary, PlanSummary

_STATE_SQL = """
WITH units AS (
    SELECT id, updated_at FROM {unit}
    WHERE path LIKE %(below)s ESCAPE '\\' AND level IN (%(commune)s, %(district)s)
), rounds AS (
    SELECT id, updated_at FROM {round}
    WHERE commune_id IN (SELECT id FROM units) AND plan_year = %(year)s
)
SELECT
    (SELECT {updated} FROM units) AS units,
    (SELECT {updated} FROM rounds) AS rounds,
    (SELECT {updated} FROM {plan} WHERE round_id IN (SELECT id FROM rounds)) AS plans,
    (SELECT {updated_v} || ' ' || {updated_m}
     FROM {vplan} v LEFT JOIN {meeting} m ON m.plan_id = v.id
     WHERE v.round_id IN (SELECT id FROM rounds)) AS village_plans_and_meetings,
    (SELECT {updated_l} FROM {eline} l JOIN {envelope} e ON e.id = l.envelope_id
     WHERE e.round_id IN (SELECT id FROM rounds)) AS envelope_lines,
    (SELECT {updated} FROM {sector}) AS sectors,
    (SELECT {updated} FROM {source}) AS sources,
    (SELECT {inserted_id} FROM {line_summary} s {summary_scope}) AS line_summaries,
    (SELECT {inserted_plan} FROM {plan_summary} s {summary_scope}) AS plan_summaries
"""
"""One scalar subquery a table (village plans with their meetings), its measures in one text
("count latest [sum]"): each table scanned once. The communes of the subtree (units whose
``path`` is below it) and their former districts are read once, so are their rounds.
``PlanSummary``'s key is its plan (one row a plan, deleted and inserted again with the plan's
id): a plan that loses its row and another that gains one change the sum."""

_UPDATED = "COUNT({alias}id) || ' ' || COALESCE(CAST(MAX({alias}updated_at) AS TEXT), '')"
_INSERTED = (
    "COUNT(*) || ' ' || COALESCE(CAST(MAX(s.{key}) AS TEXT), '')"
    " || ' ' || COALESCE(CAST(SUM(s.{key}) AS TEXT), '')"
)
_MEASURES = {
    "updated": _UPDATED.format(alias=""),
    "updated_v": _UPDATED.format(alias="v."),
    "updated_m": _UPDATED.format(alias="m."),
    "updated_l": _UPDATED.format(alias="l."),
    "inserted_id": _INSERTED.format(key="id"),
    "inserted_plan": _INSERTED.format(key="plan_id"),
}

_BY_PROVINCE = "WHERE s.province_id = %(unit)s AND s.year = %(year)s"
_BY_PATH = (
    "JOIN {unit} c ON c.id = s.commune_id "
    "WHERE c.path LIKE %(below)s ESCAPE '\\' AND s.year = %(year)s"
)

_TABLES: dict[str, type[Model]] = {
    "unit": AdministrativeUnit,
    "round": PlanningRound,
    "plan": CommunePlan,
    "vplan": VillagePlan,
    "meeting": VillageMeeting,
    "eline": EnvelopeLine,
    "envelope": Envelope,
    "sector": Sector,
    "source": FundingSource,
    "line_summary": LineSummary,
    "plan_summary": PlanSummary,
}


def _sql(by_province: bool, quote: Any) -> str:
    tables = {name: quote(model._meta.db_table) for name, model in _TABLES.items()}
    scope = _BY_PROVINCE if by_province else _BY_PATH.format(**tables)
    return _STATE_SQL.format(summary_scope=scope, **tables, **_MEASURES)


def rollup_state(unit: AdministrativeUnit, year: int) -> dict[str, Any]:
    """How many rows and the latest change of every table the roll-up of ``unit`` for ``year``
    reads, in one query (table: "count latest [sum of ids]")."""
    connection = connections[read_alias(LineSummary)]
    sql = _sql(unit.level == Level.PROVINCE, connection.ops.quote_name)
    params: dict[str, str | int] = {
        "below": connection.ops.prep_for_like_query(unit.path) + "%",
        "year": year,
        "unit": unit.pk,
        "commune": Level.COMMUNE.value,
        "district": Level.DISTRICT.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def rollup_digest(unit: AdministrativeUnit, year: int) -> str:
    """A short digest of ``rollup_state``: equal digests, equal roll-ups."""
    state = rollup_state(unit, year)
    text = "\n".join(f"{key}={state[key]!s}" for key in sorted(state))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
