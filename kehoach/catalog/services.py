"""Writes to the catalog: loading the seed and normalising administrators' edits."""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models, transaction

from kehoach.core.text import collation_key, fold, nfc

from . import defaults
from .models import (
    FundingSource,
    Indicator,
    ProcessProfile,
    Sector,
    UnitOfMeasure,
    parse_comma_list,
)

CatalogObject = Sector | FundingSource | UnitOfMeasure | ProcessProfile | Indicator
M = TypeVar("M", Sector, FundingSource, UnitOfMeasure, ProcessProfile, Indicator)

# Keys of the counts returned by catalog_load_defaults: "<model key>_<outcome>".
MODEL_KEYS: dict[type[models.Model], str] = {
    Sector: "sector",
    FundingSource: "funding_source",
    UnitOfMeasure: "unit_of_measure",
    ProcessProfile: "process_profile",
    Indicator: "indicator",
}
OUTCOMES = ("created", "updated", "unchanged")

_SINGLE_LINE_FIELDS = ("name", "name_en", "unit")
_MULTI_LINE_FIELDS = ("description", "notes")


def _nfc_text(value: str) -> str:
    """NFC for multi-line text: keep line breaks, strip the ends."""
    return unicodedata.normalize("NFC", value).strip()


def _normalise_criteria(value: Any) -> Any:
    """NFC the names of a well-formed criteria list; leave anything else for clean()."""
    if not isinstance(value, list):
        return value
    result: list[Any] = []
    for item in value:
        if isinstance(item, dict):
            item = dict(item)
            for key in ("code", "name", "name_en"):
                if isinstance(item.get(key), str):
                    item[key] = nfc(item[key])
        result.append(item)
    return result


def catalog_normalise(obj: CatalogObject) -> None:
    """Put a catalog object's text in canonical form before it is saved (R28).

    Names are NFC with single spaces; descriptions and notes NFC; a sector's ``sort_key``
    is the Vietnamese collation key of its name and its NTM criteria are written "2,3";
    a unit's aliases are folded (no diacritics, lower case) without duplicates; the names
    inside a profile's criteria are NFC; an indicator's unit is NFC with single spaces like a
    name. Used by the loader and by the admin.
    """
    obj.code = obj.code.strip()
    for field in _SINGLE_LINE_FIELDS:
        if hasattr(obj, field):
            setattr(obj, field, nfc(getattr(obj, field) or ""))
    for field in _MULTI_LINE_FIELDS:
        if hasattr(obj, field):
            setattr(obj, field, _nfc_text(getattr(obj, field) or ""))
    if isinstance(obj, Sector):
        key = collation_key(obj.name)
        obj.sort_key = key[: Sector._meta.get_field("sort_key").max_length]
        obj.ntm_criteria = ",".join(parse_comma_list(obj.ntm_criteria))
    elif isinstance(obj, UnitOfMeasure):
        aliases: list[str] = []
        for alias in parse_comma_list(obj.aliases):
            folded = fold(alias)
            if folded and folded not in aliases:
                aliases.append(folded)
        obj.aliases = ",".join(aliases)
    elif isinstance(obj, ProcessProfile):
        obj.ranking_criteria = _normalise_criteria(obj.ranking_criteria)
        obj.scoring_criteria = _normalise_criteria(obj.scoring_criteria)


def _apply(
    model: type[M],
    values: Mapping[str, Any],
    *,
    update_existing: bool,
    counts: dict[str, int],
) -> M:
    """Create the object with *values* if its code is missing; otherwise maybe update it."""
    key = MODEL_KEYS[model]
    existing: M | None = model._default_manager.filter(code=values["code"]).first()
    if existing is None:
        created: M = model(**values)
        catalog_normalise(created)
        created.full_clean()
        created.save()
        counts[f"{key}_created"] += 1
        return created
    if not update_existing:
        counts[f"{key}_unchanged"] += 1
        return existing
    tracked: list[str] = [*values, *(["sort_key"] if isinstance(existing, Sector) else [])]
    before = {name: getattr(existing, name) for name in tracked}
    for name, value in values.items():
        setattr(existing, name, value)
    catalog_normalise(existing)
    changed: list[str] = [name for name in tracked if getattr(existing, name) != before[name]]
    if changed:
        existing.full_clean()
        existing.save(update_fields=[*changed, "updated_at"])
        counts[f"{key}_updated"] += 1
    else:
        counts[f"{key}_unchanged"] += 1
    return existing


@transaction.atomic
def catalog_load_defaults(*, update_existing: bool = False) -> dict[str, int]:
    """Create every seeded catalog object that is missing, matched by code.

    Nothing is deleted. Objects that exist are left as administrators edited them, unless
    *update_existing* is true: then their seeded fields are set back to the seed values
    (fields the seed does not set, such as ``is_active``, are kept). Returns counts keyed
    ``"<model>_<outcome>"`` for models sector, funding_source, unit_of_measure,
    process_profile, indicator and outcomes created, updated, unchanged.
    """
    counts = {f"{key}_{outcome}": 0 for key in MODEL_KEYS.values() for outcome in OUTCOMES}

    for sector in defaults.SECTORS:
        _apply(Sector, dict(sector), update_existing=update_existing, counts=counts)

    by_code: dict[str, FundingSource] = {}
    # Programmes before their components, whatever the order in the seed.
    for source in sorted(defaults.FUNDING_SOURCES, key=lambda s: s["parent"] is not None):
        values: dict[str, Any] = dict(source)
        parent_code = values.pop("parent")
        values["parent"] = by_code[parent_code] if parent_code else None
        by_code[source["code"]] = _apply(
            FundingSource, values, update_existing=update_existing, counts=counts
        )

    for unit in defaults.UNITS_OF_MEASURE:
        _apply(UnitOfMeasure, dict(unit), update_existing=update_existing, counts=counts)

    for profile in defaults.PROCESS_PROFILES:
        values = copy.deepcopy(dict(profile))
        if values.get("is_default"):
            # Another profile an administrator made the default keeps that role.
            values["is_default"] = (
                not ProcessProfile.objects.filter(is_default=True)
                .exclude(code=values["code"])
                .exists()
            )
        _apply(ProcessProfile, values, update_existing=update_existing, counts=counts)

    for indicator in defaults.INDICATORS:
        _apply(Indicator, dict(indicator), update_existing=update_existing, counts=counts)

    return counts
