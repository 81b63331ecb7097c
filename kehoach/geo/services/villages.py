"""One village: create, rename, end, restore (R25)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.text import nfc

from ..choices import Kind, Level, Source
from ..models import PATH_SEPARATOR, AdministrativeUnit, UnitNameChange
from .common import (
    _check_commune,
    _check_current_village,
    _check_name_free,
    _clean_kind,
    _clean_name,
    _lock_commune,
    _next_village_code,
    _require,
    _set_derived,
    _today,
)


@transaction.atomic
def village_create(
    *,
    actor: Any,
    commune: AdministrativeUnit,
    name: str,
    kind: str = Kind.VILLAGE,
    valid_from: datetime.date | None = None,
) -> AdministrativeUnit:
    _require(actor, commune)
    _check_commune(commune)
    name = _clean_name(name)
    kind = _clean_kind(kind)
    commune = _lock_commune(commune)
    _check_name_free(commune, name)
    code = _next_village_code(commune)
    village = AdministrativeUnit(
        code=code,
        name=name,
        kind=kind,
        level=Level.VILLAGE,
        parent=commune,
        path=f"{commune.path}{code}{PATH_SEPARATOR}",
        valid_from=valid_from or _today(),
        source=Source.LOCAL,
    )
    _set_derived(village)
    village.save()
    return village


@transaction.atomic
def village_rename(
    *,
    actor: Any,
    village: AdministrativeUnit,
    new_name: str,
    effective_date: datetime.date | None = None,
    decision: str = "",
) -> AdministrativeUnit:
    commune = village.parent
    if commune is None:
        raise NotFoundError()
    _require(actor, commune)
    _check_current_village(village)
    new_name = _clean_name(new_name, field_name="new_name")
    if new_name == village.name:
        raise ApplicationError(
            "name_unchanged",
            _("The new name is the same as the current one."),
            Where(field="new_name"),
        )
    _lock_commune(commune)
    _check_name_free(commune, new_name, exclude=village)
    UnitNameChange.objects.create(
        unit=village,
        old_name=village.name,
        new_name=new_name,
        effective_date=effective_date or _today(),
        decision=nfc(decision),
        changed_by=actor if getattr(actor, "pk", None) else None,
    )
    village.name = new_name
    _set_derived(village)
    village.save(update_fields=["name", "sort_key", "search_name", "updated_at"])
    return village


@transaction.atomic
def village_end(
    *,
    actor: Any,
    village: AdministrativeUnit,
    valid_to: datetime.date | None = None,
    reason: str,
) -> AdministrativeUnit:
    commune = village.parent
    if commune is None:
        raise NotFoundError()
    _require(actor, commune)
    _check_current_village(village)
    reason = nfc(reason)
    if not reason:
        raise ApplicationError(
            "reason_required",
            _("Say why the village ends (for example the council resolution that dissolved it)."),
            Where(field="reason"),
        )
    valid_to = valid_to or _today()
    if village.valid_from and valid_to < village.valid_from:
        raise ApplicationError(
            "end_before_start",
            _("The end date %(end)s is before the village began (%(start)s).")
            % {
                "end": valid_to.strftime("%d/%m/%Y"),
                "start": village.valid_from.strftime("%d/%m/%Y"),
            },
            Where(field="valid_to"),
        )
    village.valid_to = valid_to
    village.end_reason = reason
    village.save(update_fields=["valid_to", "end_reason", "updated_at"])
    return village


@transaction.atomic
def village_restore(*, actor: Any, village: AdministrativeUnit) -> AdministrativeUnit:
    """Undo an end date set by mistake. A village merged into another is restored by undoing
    the merge (``villages_merge_undo``)."""
    commune = village.parent
    if commune is None or village.level != Level.VILLAGE:
        raise NotFoundError()
    _require(actor, commune)
    if village.valid_to is None:
        raise ApplicationError("village_not_ended", _("This village has not ended."))
    if village.successions.exists():
        raise ApplicationError(
            "village_merged",
            _("%(name)s was merged into another village; undo the merge instead.")
            % {"name": village.name},
        )
    _lock_commune(commune)
    _check_name_free(commune, village.name, exclude=village)
    village.valid_to = None
    village.end_reason = ""
    village.save(update_fields=["valid_to", "end_reason", "updated_at"])
    return village
