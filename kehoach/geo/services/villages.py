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
    _check_version,
    _clean_kind,
    _clean_name,
    _lock_commune,
    _next_village_code,
    _require,
    _set_derived,
    _today,
)


def village_create_check(
    *, actor: Any, commune: AdministrativeUnit, name: str, kind: str = Kind.VILLAGE
) -> tuple[str, str]:
    """The checks of ``village_create`` (a dry run): writes and locks nothing; the clean name
    and kind."""
    _require(actor, commune)
    _check_commune(commune)
    name = _clean_name(name)
    kind = _clean_kind(kind)
    _check_name_free(commune, name)
    return name, kind


def _commune_of(actor: Any, village: AdministrativeUnit) -> AdministrativeUnit:
    """The village's commune, if ``actor`` manages its villages (else as if missing)."""
    commune = village.parent
    if commune is None or village.level != Level.VILLAGE:
        raise NotFoundError()
    _require(actor, commune)
    return commune


@transaction.atomic
def village_create(
    *,
    actor: Any,
    commune: AdministrativeUnit,
    name: str,
    kind: str = Kind.VILLAGE,
    valid_from: datetime.date | None = None,
) -> AdministrativeUnit:
    name, kind = village_create_check(actor=actor, commune=commune, name=name, kind=kind)
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


def village_rename_check(*, actor: Any, village: AdministrativeUnit, new_name: str) -> str:
    """The checks of ``village_rename`` (a dry run): writes and locks nothing; the clean name."""
    commune = _commune_of(actor, village)
    _check_current_village(village)
    new_name = _clean_name(new_name, field_name="new_name")
    if new_name == village.name:
        raise ApplicationError(
            "name_unchanged",
            _("The new name is the same as the current one."),
            Where(field="new_name"),
        )
    _check_name_free(commune, new_name, exclude=village)
    return new_name


@transaction.atomic
def village_rename(
    *,
    actor: Any,
    village: AdministrativeUnit,
    new_name: str,
    effective_date: datetime.date | None = None,
    decision: str = "",
    expected_version: int | None = None,
) -> AdministrativeUnit:
    new_name = village_rename_check(actor=actor, village=village, new_name=new_name)
    commune = _lock_commune(_commune_of(actor, village))
    _check_version(village, expected_version)
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


def village_end_check(
    *,
    actor: Any,
    village: AdministrativeUnit,
    valid_to: datetime.date | None = None,
    reason: str,
) -> tuple[datetime.date, str]:
    """The checks of ``village_end`` (a dry run): writes and locks nothing; the end date and
    the clean reason."""
    _commune_of(actor, village)
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
    return valid_to, reason


@transaction.atomic
def village_end(
    *,
    actor: Any,
    village: AdministrativeUnit,
    valid_to: datetime.date | None = None,
    reason: str,
    expected_version: int | None = None,
) -> AdministrativeUnit:
    valid_to, reason = village_end_check(
        actor=actor, village=village, valid_to=valid_to, reason=reason
    )
    _lock_commune(_commune_of(actor, village))
    _check_version(village, expected_version)
    village.valid_to = valid_to
    village.end_reason = reason
    village.save(update_fields=["valid_to", "end_reason", "updated_at"])
    return village


def village_restore_check(*, actor: Any, village: AdministrativeUnit) -> None:
    """The checks of ``village_restore`` (a dry run): writes and locks nothing."""
    commune = _commune_of(actor, village)
    if village.valid_to is None:
        raise ApplicationError("village_not_ended", _("This village has not ended."))
    if village.successions.exists():
        raise ApplicationError(
            "village_merged",
            _("%(name)s was merged into another village; undo the merge instead.")
            % {"name": village.name},
        )
    _check_name_free(commune, village.name, exclude=village)


@transaction.atomic
def village_restore(
    *, actor: Any, village: AdministrativeUnit, expected_version: int | None = None
) -> AdministrativeUnit:
    """Undo an end date set by mistake. A village merged into another is restored by undoing
    the merge (``villages_merge_undo``)."""
    village_restore_check(actor=actor, village=village)
    commune = _lock_commune(_commune_of(actor, village))
    _check_version(village, expected_version)
    _check_name_free(commune, village.name, exclude=village)
    village.valid_to = None
    village.end_reason = ""
    village.save(update_fields=["valid_to", "end_reason", "updated_at"])
    return village
