"""Merging villages and undoing a merge (R25)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.text import nfc

from ..choices import Kind, Level, SuccessionKind
from ..models import AdministrativeUnit, UnitSuccession
from .common import (
    _check_current_village,
    _check_version,
    _lock_commune,
    _require,
    _today,
)
from .villages import village_create, village_create_check


@dataclass(frozen=True)
class MergePlan:
    """What a merge would do, as ``villages_merge_check`` finds it: the commune, the merged
    villages (each once), the village that remains (``into``; ``None``: a new village named
    ``new_name`` of ``kind``), the effective date and the decision."""

    commune: AdministrativeUnit
    villages: list[AdministrativeUnit]
    into: AdministrativeUnit | None
    new_name: str
    kind: str
    effective_date: datetime.date
    decision: str


def villages_merge_check(
    *,
    actor: Any,
    villages: Sequence[AdministrativeUnit],
    into: AdministrativeUnit | None = None,
    new_name: str = "",
    kind: str = Kind.VILLAGE,
    effective_date: datetime.date | None = None,
    decision: str = "",
) -> MergePlan:
    """The checks of ``villages_merge`` (also its dry run): writes and locks nothing."""
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
    if into is not None:
        if into.pk not in {v.pk for v in villages}:
            raise ApplicationError(
                "merge_target_invalid",
                _("The village that remains must be one of the villages being merged."),
                Where(field="into"),
            )
    else:
        new_name, kind = village_create_check(
            actor=actor, commune=commune, name=new_name, kind=kind
        )
    return MergePlan(commune, villages, into, new_name, kind, effective_date, nfc(decision))


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
    expected_versions: Mapping[int, int] | None = None,
) -> AdministrativeUnit:
    """Merge villages of one commune: into one of them (``into``) or into a new village.
    ``expected_versions`` (village pk → ``unit_version`` read) are checked again under the
    commune's lock: a village changed since it was read refuses the merge."""
    merge = villages_merge_check(
        actor=actor,
        villages=villages,
        into=into,
        new_name=new_name,
        kind=kind,
        effective_date=effective_date,
        decision=decision,
    )
    _lock_commune(merge.commune)
    for village in merge.villages:
        _check_version(village, (expected_versions or {}).get(village.pk))
    if merge.into is not None:
        target = merge.into
    else:
        target = village_create(
            actor=actor,
            commune=merge.commune,
            name=merge.new_name,
            kind=merge.kind,
            valid_from=merge.effective_date,
        )
    for village in merge.villages:
        if village.pk == target.pk:
            continue
        UnitSuccession.objects.create(
            predecessor=village,
            successor=target,
            kind=SuccessionKind.MERGED,
            effective_date=merge.effective_date,
            decision=merge.decision,
        )
        village.valid_to = merge.effective_date - datetime.timedelta(days=1)
        village.end_reason = _("Merged into %(name)s.") % {"name": target.name}
        village.save(update_fields=["valid_to", "end_reason", "updated_at"])
    return target


def villages_merge_undo_check(*, actor: Any, target: AdministrativeUnit) -> list[UnitSuccession]:
    """The checks of ``villages_merge_undo`` (also its dry run): writes and locks nothing; the
    merge's links (each merged village is ``link.predecessor``)."""
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
    return links


@transaction.atomic
def villages_merge_undo(
    *, actor: Any, target: AdministrativeUnit, expected_version: int | None = None
) -> list[AdministrativeUnit]:
    """Undo a merge: the merged villages become current again; a village created by the merge
    ends (it is kept, never deleted, because later data may refer to it). ``expected_version``
    (the village's ``unit_version`` read) is checked again under the commune's lock."""
    villages_merge_undo_check(actor=actor, target=target)
    assert target.parent is not None
    _lock_commune(target.parent)
    _check_version(target, expected_version)
    links = villages_merge_undo_check(actor=actor, target=target)
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
