"""Merging villages and undoing a merge (R25)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.text import nfc

from ..choices import Kind, Level, SuccessionKind
from ..models import AdministrativeUnit, UnitSuccession
from .common import (
    _check_current_village,
    _require,
    _today,
)
from .villages import village_create


@transaction.atomic
def villages_merge(
    *,
    actor: Any,
    villages: Sequence[AdministrativeUnit],
    into: AdministrativeUnit | None = None,
    new_name: str = "",
    kind: str = Kind.VILLAGE,
    effective_date: datetime.date | None = None,
    decision: str = "",
) -> AdministrativeUnit:
    """Merge villages of one commune: into one of them (``into``) or into a new village."""
    villages = list({v.pk: v for v in villages}.values())
    if len(villages) < 2:
        raise ApplicationError(
            "merge_needs_two", _("Choose at least two villages to merge."), Where(field="villages")
        )
    commune = villages[0].parent
    if commune is None or any(v.parent_id != commune.pk for v in villages):
        raise NotFoundError()
    _require(actor, commune)
    for village in villages:
        _check_current_village(village)
    effective_date = effective_date or _today()
    for village in villages:
        if village.valid_from and effective_date <= village.valid_from:
            raise ApplicationError(
                "merge_before_start",
                _("The merge must take effect after %(name)s began (%(date)s).")
                % {"name": village.name, "date": village.valid_from.strftime("%d/%m/%Y")},
                Where(field="effective_date"),
            )
    decision = nfc(decision)
    if into is not None:
        if into.pk not in {v.pk for v in villages}:
            raise ApplicationError(
                "merge_target_invalid",
                _("The village that remains must be one of the villages being merged."),
                Where(field="into"),
            )
        target = into
    else:
        target = village_create(
            actor=actor,
            commune=commune,
            name=new_name,
            kind=kind,
            valid_from=effective_date,
        )
    for village in villages:
        if village.pk == target.pk:
            continue
        UnitSuccession.objects.create(
            predecessor=village,
            successor=target,
            kind=SuccessionKind.MERGED,
            effective_date=effective_date,
            decision=decision,
        )
        village.valid_to = effective_date - datetime.timedelta(days=1)
        village.end_reason = _("Merged into %(name)s.") % {"name": target.name}
        village.save(update_fields=["valid_to", "end_reason", "updated_at"])
    return target


@transaction.atomic
def villages_merge_undo(*, actor: Any, target: AdministrativeUnit) -> list[AdministrativeUnit]:
    """Undo a merge: the merged villages become current again; a village created by the merge
    ends (it is kept, never deleted, because later data may refer to it)."""
    commune = target.parent
    if commune is None or target.level != Level.VILLAGE:
        raise NotFoundError()
    _require(actor, commune)
    links = list(
        UnitSuccession.objects.filter(successor=target, kind=SuccessionKind.MERGED).select_related(
            "predecessor"
        )
    )
    if not links:
        raise ApplicationError("merge_not_found", _("No merge into this village to undo."))
    restored = []
    for link in links:
        village = link.predecessor
        village.valid_to = None
        village.end_reason = ""
        village.save(update_fields=["valid_to", "end_reason", "updated_at"])
        restored.append(village)
        link.delete()
    created_by_merge = (
        target.valid_from == links[0].effective_date and not target.successions.exists()
    )
    if created_by_merge and all(v.pk != target.pk for v in restored) and target.valid_from:
        target.valid_to = target.valid_from
        target.end_reason = _("Merge undone.")
        target.save(update_fields=["valid_to", "end_reason", "updated_at"])
    return restored


# --- Village list from CSV, per commune -----------------------------------------------------
