"""One chunk of communes, built in memory and written in bulk.

For each commune: its villages; for each plan year a planning round (made by the generator's
account), the envelope, the village plans with F1, the meeting (submitted plans) and the
proposals; then, as the round's stage says, the commune plan with one line per submitted
proposal and its trace (``LineSource``), the decisions of an allocation by priority against
the envelope with the funding of each funded line, the approved version with its snapshot
(``synthesis.versions.plan_snapshot``, the same JSON approval stores), its publication (the
outcome of every proposal), and progress reports of part of the funded works. Every object of
the chunk is made first; each table is then written with one ``bulk_create`` (in batches), in
the order of the foreign keys. No service runs per row, so no audit rows per line are written:
the status history has one row per transition of each plan.

Modules, one job each: ``common`` (the run, the catalog, the stages, identifiers and dates),
``villages`` (villages, rounds, village plans and their proposals), ``funding`` (the envelope
and the allocation), ``commune_plans`` (the commune plan, its trace, version and publication),
``progress`` (progress reports and disbursements), ``tables`` (the objects per table and their
writing). Each draws from the same random streams in the same order as before the split, so a
seed gives the same content (``hashing.content_hash``).
"""

from __future__ import annotations

from kehoach.geo.models import AdministrativeUnit

from .common import APPROVED, DRAFT, PUBLISHED, SYNTHESISED, Catalog, Run, stage_of
from .tables import Tables, write_tables
from .villages import commune_villages

__all__ = [
    "APPROVED",
    "DRAFT",
    "PUBLISHED",
    "SYNTHESISED",
    "Catalog",
    "Run",
    "generate_chunk",
    "stage_of",
]


def generate_chunk(run: Run, communes: list[AdministrativeUnit]) -> None:
    """Make and write everything of these communes (the caller holds the transaction)."""
    tables = Tables()
    for commune in communes:
        commune_villages(run, tables, commune)
    write_tables(run, tables)
