"""Writes of the SWOT by sector (F3): one entry per sector, created or replaced, or deleted;
each checks the actor may edit the draft plan, judges the texts with ``validators.clean_swot``,
checks ``expected_version`` (the version the caller read; 0: there was no entry; None: no
check) under its lock, bumps the entry's version and writes an audit row."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.approvals.audit import snapshot
from kehoach.catalog.models import Sector
from kehoach.core.errors import NotFoundError
from kehoach.core.validation import raise_errors

from ...models import SwotEntry, VillagePlan
from ..common import (
    check_version,
    lock_editable,
    record_create,
    record_delete,
    record_update,
    require_editable,
)
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
    expected_version: int | None = None,
) -> SwotEntry:
    """Create or replace the plan's SWOT entry for ``sector`` (an active sector); refused
    (code ``conflict``) when ``expected_version`` is not the entry's version read under the
    lock (0 while there is no entry)."""
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
    check_version(entry.version if entry else 0, expected_version, what=_what(sector))
    if entry is None:
        entry = SwotEntry.objects.create(plan=plan, sector=sector, **texts)
        record_create(actor, plan, entry, SWOT_AUDIT_FIELDS)
        return entry
    before = snapshot(entry, SWOT_AUDIT_FIELDS)
    for name, text in texts.items():
        setattr(entry, name, text)
    entry.version += 1
    entry.save()
    record_update(actor, plan, entry, before, SWOT_AUDIT_FIELDS)
    return entry


@transaction.atomic
def swot_delete(*, actor: Any, entry: SwotEntry, expected_version: int | None = None) -> None:
    """Delete the entry; refused (``conflict``) when ``expected_version`` is not its version
    read under the lock, as not found when it is gone already."""
    plan = lock_editable(actor, entry.plan)
    current = SwotEntry.objects.select_for_update().filter(pk=entry.pk, plan=plan).first()
    if current is None:
        raise NotFoundError()
    check_version(current.version, expected_version, what=_what(entry.sector))
    record_delete(actor, plan, current, SWOT_AUDIT_FIELDS)
    current.delete()


def _what(sector: Sector) -> str:
    return _("the SWOT of the sector %(sector)s") % {"sector": sector.display_name()}
