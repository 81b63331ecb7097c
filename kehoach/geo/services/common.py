"""What the writes of villages share: the permission, names, kinds, codes, locks."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.reasons import refuse
from kehoach.core.text import fold, name_sort_key, nfc

from ..choices import VILLAGE_KINDS, Level
from ..models import AdministrativeUnit
from ..permissions import can_manage_villages

MAX_NAME_LENGTH = 200


def _require(actor: Any, commune: AdministrativeUnit) -> None:
    """Refuse with the same error a missing unit gives: nobody learns what they may not touch."""
    refuse(can_manage_villages(actor, commune))


def _today() -> datetime.date:
    return timezone.localdate()


def _clean_name(name: str, *, field_name: str = "name") -> str:
    name = nfc(name or "")
    if not name:
        raise ApplicationError(
            "name_required", _("Enter the village's name."), Where(field=field_name)
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ApplicationError(
            "name_too_long",
            _("The name is too long: at most %(max)s characters.") % {"max": MAX_NAME_LENGTH},
            Where(field=field_name),
        )
    return name


def _clean_kind(kind: str) -> str:
    if kind not in VILLAGE_KINDS:
        raise ApplicationError(
            "kind_invalid", _("Choose the kind of village from the list."), Where(field="kind")
        )
    return kind


def _check_name_free(
    commune: AdministrativeUnit, name: str, *, exclude: AdministrativeUnit | None = None
) -> None:
    """Two current villages of a commune may not share a name. Names that differ only by
    diacritics are different names ("Thôn Hà", "Thôn Hạ"), but a name typed with no
    diacritics at all that matches an existing one is taken for that village."""
    qs = AdministrativeUnit.objects.filter(
        parent=commune, level=Level.VILLAGE, valid_to__isnull=True, search_name=fold(name)
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    typed_without_marks = nfc(name).casefold() == fold(name)
    other = next(
        (v for v in qs if typed_without_marks or v.name.casefold() == nfc(name).casefold()),
        None,
    )
    if other is not None:
        raise ApplicationError(
            "village_name_taken",
            _("%(commune)s already has a village named “%(name)s” (code %(code)s).")
            % {"commune": commune.name, "name": other.name, "code": other.code},
            Where(field="name"),
        )


def _lock_commune(commune: AdministrativeUnit) -> AdministrativeUnit:
    return AdministrativeUnit.objects.select_for_update().get(pk=commune.pk)


def unit_version(unit: AdministrativeUnit) -> int:
    """A unit's version as the API's ETag names it: its last save, in microseconds."""
    return int(unit.updated_at.timestamp() * 1_000_000)


def _check_version(village: AdministrativeUnit, expected: int | None) -> None:
    """Under the commune's lock: the village is still the one read (``expected``, when given)."""
    if expected is None:
        return
    saved = AdministrativeUnit.objects.get(pk=village.pk)
    if unit_version(saved) != expected:
        raise ApplicationError(
            "conflict",
            _("%(name)s was changed by someone else after you read it; read it again.")
            % {"name": saved.name},
        )


def _next_village_code(commune: AdministrativeUnit) -> str:
    prefix = f"{commune.code}-"
    highest = (
        AdministrativeUnit.objects.filter(parent=commune, code__startswith=prefix)
        .aggregate(m=Max("code"))
        .get("m")
    )
    number = int(highest[len(prefix) :]) + 1 if highest else 1
    return f"{prefix}{number:03d}"


def _set_derived(unit: AdministrativeUnit) -> None:
    unit.sort_key = name_sort_key(unit.name)[:600]
    unit.search_name = fold(unit.name)[:200]


def _check_commune(commune: AdministrativeUnit) -> None:
    if commune.level != Level.COMMUNE or commune.valid_to is not None:
        raise ApplicationError(
            "commune_not_current",
            _("Villages can be added only to a current commune."),
        )


def _check_current_village(village: AdministrativeUnit) -> None:
    if village.level != Level.VILLAGE:
        raise NotFoundError()
    if village.valid_to is not None:
        raise ApplicationError(
            "village_ended",
            _("%(name)s ended on %(date)s; restore it before changing it.")
            % {"name": village.name, "date": village.valid_to.strftime("%d/%m/%Y")},
        )
