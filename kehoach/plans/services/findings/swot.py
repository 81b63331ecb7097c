"""Writes of the SWOT by sector (F3): one entry per sector, created or replaced, or deleted;
each checks the actor may edit the draft plan, judges the texts with ``validators.clean_swot``
and writes an audit row."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kehoach.approvals.audit import snapshot
from kehoach.catalog.models import Sector
from kehoach.core.validation import raise_errors

from ...models import SwotEntry, VillagePlan
from ..common import lock_editable, record_create, record_delete, record_update, require_editable
from .fields import SWOT_AUDIT_FIELDS
from .validators import clean_swot


def _judged(sector: Sector, **texts: str) -> dict[str, str]:
    """The texts as they would be saved, or the problems raised."""
    cleaned, problems = clean_swot({"sector": sector, **texts})
    raise_errors(problems)
    return cleaned


def swot_check(*, actor: Any, plan: VillagePlan, sector: Sector, **texts: str) -> dict[str, str]:
    """``swot_save``'s checks without writing or locking anything (a dry run, issue 17): the
    same refusals, or the texts as they would be saved."""
    require_editable(actor, plan)
    return _judged(sector, **texts)


def swot_delete_check(*, actor: Any, entry: SwotEntry) -> None:
    """``swot_delete``'s checks without writing or locking anything (a dry run)."""
    require_editable(actor, entry.plan)


@transaction.atomic
def swot_save(
    *,
    actor: Any,
    plan: VillagePlan,
    sector: Sector,
    strengths: str,
    weaknesses: str,
    opportunities: str,
    threats: str,
    implication: str,
) -> SwotEntry:
    """Create or replace the plan's SWOT entry for ``sector`` (an active sector)."""
    plan = lock_editable(actor, plan)
    texts = _judged(
        sector,
        strengths=strengths,
        weaknesses=weaknesses,
        opportunities=opportunities,
        threats=threats,
        implication=implication,
    )
    entry = SwotEntry.objects.select_for_update().filter(plan=plan, sector=sector).first()
    if entry is None:
        entry = SwotEntry.objects.create(plan=plan, sector=sector, **texts)
        record_create(actor, plan, entry, SWOT_AUDIT_FIELDS)
        return entry
    before = snapshot(entry, SWOT_AUDIT_FIELDS)
    for name, text in texts.items():
        setattr(entry, name, text)
    entry.save()
    record_update(actor, plan, entry, before, SWOT_AUDIT_FIELDS)
    return entry


@transaction.atomic
def swot_delete(*, actor: Any, entry: SwotEntry) -> None:
    plan = lock_editable(actor, entry.plan)
    record_delete(actor, plan, entry, SWOT_AUDIT_FIELDS)
    entry.delete()
