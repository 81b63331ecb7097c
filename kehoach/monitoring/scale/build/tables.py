"""The objects of one chunk, table by table, and their writing, parents first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from kehoach.approvals.models import StatusChange, Version
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import BasicInfo, PlanningRound, ProposalLine, VillageMeeting, VillagePlan
from kehoach.synthesis.models import (
    CommuneLine,
    CommunePlan,
    Envelope,
    EnvelopeLine,
    LineFunding,
    LineSource,
)
from kehoach.synthesis.selectors import published_row

from ...models import Disbursement, ProgressReport
from ..write import insert_objects
from .common import Run


@dataclass
class Tables:
    """The objects of one chunk, per table, in the order they are written."""

    villages: list[AdministrativeUnit] = field(default_factory=list)
    rounds: list[PlanningRound] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    envelope_lines: list[EnvelopeLine] = field(default_factory=list)
    village_plans: list[VillagePlan] = field(default_factory=list)
    infos: list[BasicInfo] = field(default_factory=list)
    meetings: list[VillageMeeting] = field(default_factory=list)
    proposals: list[ProposalLine] = field(default_factory=list)
    commune_plans: list[CommunePlan] = field(default_factory=list)
    commune_lines: list[CommuneLine] = field(default_factory=list)
    sources: list[LineSource] = field(default_factory=list)
    funding: list[LineFunding] = field(default_factory=list)
    history: list[StatusChange] = field(default_factory=list)
    reports: list[ProgressReport] = field(default_factory=list)
    disbursements: list[Disbursement] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    envelopes_to_publish: list[tuple[Envelope, list[EnvelopeLine]]] = field(default_factory=list)


def _insert(run: Run, model: type[models.Model], objs: list[Any]) -> None:
    insert_objects(model, objs, now=run.now)
    run.report.counts[model._meta.label] += len(objs)


def write_tables(run: Run, t: Tables) -> None:
    """Every table of the chunk, parents first."""
    for envelope, pots in t.envelopes_to_publish:
        envelope.published_lines = [published_row(pot) for pot in pots]
        envelope.changed_at = envelope.published_at
    for row in [*t.history, *t.versions]:
        row.keep_names()
    _insert(run, AdministrativeUnit, t.villages)
    _insert(run, PlanningRound, t.rounds)
    _insert(run, Envelope, t.envelopes)
    _insert(run, EnvelopeLine, t.envelope_lines)
    _insert(run, VillagePlan, t.village_plans)
    _insert(run, BasicInfo, t.infos)
    _insert(run, VillageMeeting, t.meetings)
    _insert(run, ProposalLine, t.proposals)
    _insert(run, CommunePlan, t.commune_plans)
    _insert(run, CommuneLine, t.commune_lines)
    _insert(run, LineSource, t.sources)
    _insert(run, LineFunding, t.funding)
    _insert(run, StatusChange, t.history)
    _insert(run, Version, t.versions)
    _insert(run, ProgressReport, t.reports)
    _insert(run, Disbursement, t.disbursements)
