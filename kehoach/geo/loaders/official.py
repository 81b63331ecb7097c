"""The official units from the vietnam-provinces package (after the 2025 reform)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError
from kehoach.core.text import nfc

from ..choices import LEVEL_OF_KIND, Kind, Level, Source
from ..models import PATH_SEPARATOR, AdministrativeUnit, UnitNameChange
from .common import (
    REFORM_DATE,
    LoadResult,
    OfficialRecord,
    _set_derived,
)

_PACKAGE_KINDS = {
    "tỉnh": Kind.PROVINCE,
    "thành phố trung ương": Kind.CENTRAL_CITY,
    "xã": Kind.COMMUNE,
    "phường": Kind.WARD,
    "đặc khu": Kind.SPECIAL_ZONE,
}


def official_records() -> list[OfficialRecord]:
    """The 34 provinces and 3,321 commune-level units as the installed package lists them."""
    from vietnam_provinces import Province, Ward

    records = [
        OfficialRecord(
            code=f"{int(p.code):02d}",
            name=nfc(p.name),
            kind=_PACKAGE_KINDS[p.division_type.value],
            parent_code=None,
        )
        for p in Province.iter_all()
    ]
    records += [
        OfficialRecord(
            code=f"{int(w.code):05d}",
            name=nfc(w.name),
            kind=_PACKAGE_KINDS[w.division_type.value],
            parent_code=f"{int(w.province_code):02d}",
        )
        for w in Ward.iter_all()
    ]
    return records


def official_data_version() -> str:
    import vietnam_provinces

    return (
        f"vietnam-provinces {vietnam_provinces.__version__} ({vietnam_provinces.__data_version__})"
    )


@transaction.atomic
def units_load_official(
    records: Iterable[OfficialRecord] | None = None,
    *,
    today: datetime.date | None = None,
    version: str | None = None,
) -> LoadResult:
    """Bring the official provinces and communes in line with ``records`` (default: the package)."""
    today = today or datetime.date.today()
    version = version or official_data_version()
    records = list(records if records is not None else official_records())
    result = LoadResult()

    existing = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(
            source=Source.OFFICIAL, level__in=[Level.PROVINCE, Level.COMMUNE]
        )
    }
    seen: set[str] = set()
    to_update: list[AdministrativeUnit] = []
    renames: list[UnitNameChange] = []
    moved_prefixes: list[tuple[str, str]] = []

    for level in (Level.PROVINCE, Level.COMMUNE):
        parents = {
            u.code: u
            for u in AdministrativeUnit.objects.filter(source=Source.OFFICIAL, level=Level.PROVINCE)
        }
        new_units: list[AdministrativeUnit] = []
        for rec in records:
            if LEVEL_OF_KIND[rec.kind] != level:
                continue
            seen.add(rec.code)
            parent = parents.get(rec.parent_code) if rec.parent_code else None
            if rec.parent_code and parent is None:
                raise ApplicationError(
                    "unit_parent_missing",
                    _("Unit %(code)s names province %(parent)s, which is not in the list.")
                    % {"code": rec.code, "parent": rec.parent_code},
                )
            path = f"{parent.path if parent else ''}{rec.code}{PATH_SEPARATOR}"
            unit = existing.get(rec.code)
            if unit is None:
                unit = AdministrativeUnit(
                    code=rec.code,
                    official_code=rec.code,
                    name=rec.name,
                    kind=rec.kind,
                    level=level,
                    parent=parent,
                    path=path,
                    valid_from=REFORM_DATE,
                    source=Source.OFFICIAL,
                )
                _set_derived(unit)
                new_units.append(unit)
                result.created += 1
                continue
            changed = False
            if unit.name != rec.name:
                renames.append(
                    UnitNameChange(
                        unit=unit,
                        old_name=unit.name,
                        new_name=rec.name,
                        effective_date=today,
                        decision=version,
                    )
                )
                unit.name = rec.name
                result.renamed += 1
                changed = True
            if unit.kind != rec.kind:
                unit.kind = rec.kind
                changed = True
            if unit.path != path:
                moved_prefixes.append((unit.path, path))
                unit.parent = parent
                unit.path = path
                result.moved += 1
                changed = True
            if unit.valid_to is not None:
                unit.valid_to = None
                unit.end_reason = ""
                result.reopened += 1
                changed = True
            if changed:
                _set_derived(unit)
                to_update.append(unit)
            else:
                result.unchanged += 1
        AdministrativeUnit.objects.bulk_create(new_units, batch_size=500)

    for unit in existing.values():
        if unit.code not in seen and unit.valid_to is None:
            unit.valid_to = today
            unit.end_reason = _("No longer in the official list (%(version)s).") % {
                "version": version
            }
            to_update.append(unit)
            result.ended += 1

    for unit in to_update:
        unit.updated_at = timezone.now()  # bulk_update does not raise it (roll-up digests, D67)
    AdministrativeUnit.objects.bulk_update(
        to_update,
        [
            *["name", "kind", "parent", "path", "valid_to", "end_reason", "sort_key"],
            *["search_name", "updated_at"],
        ],
        batch_size=500,
    )
    UnitNameChange.objects.bulk_create(renames)
    for old_prefix, new_prefix in moved_prefixes:
        _rewrite_paths(old_prefix, new_prefix)
    return result


def _rewrite_paths(old_prefix: str, new_prefix: str) -> None:
    """A unit moved under another parent: its villages (and their children) follow."""
    below = list(AdministrativeUnit.objects.filter(path__startswith=old_prefix))
    for unit in below:
        unit.path = new_prefix + unit.path[len(old_prefix) :]
    AdministrativeUnit.objects.bulk_update(below, ["path"], batch_size=500)
