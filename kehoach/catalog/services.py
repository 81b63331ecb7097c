"""Writes to the catalog: loading the seed, normalising administrators' edits, aliases."""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.reasons import refuse
from kehoach.core.text import collation_key, fold, nfc

from . import defaults
from .choices import AliasKind
from .models import (
    ALIAS_MODELS,
    ALIAS_TARGET_FIELDS,
    ALIAS_TEXT_MAX,
    Alias,
    FundingSource,
    Indicator,
    PraTool,
    ProcessProfile,
    Sector,
    UnitOfMeasure,
    parse_comma_list,
)
from .names import name_key, own_keys
from .permissions import can_add_alias

CatalogObject = Sector | FundingSource | UnitOfMeasure | ProcessProfile | Indicator | PraTool
M = TypeVar("M", Sector, FundingSource, UnitOfMeasure, ProcessProfile, Indicator, PraTool)

# Keys of the counts returned by catalog_load_defaults: "<model key>_<outcome>".
MODEL_KEYS: dict[type[models.Model], str] = {
    Sector: "sector",
    FundingSource: "funding_source",
    UnitOfMeasure: "unit_of_measure",
    ProcessProfile: "process_profile",
    Indicator: "indicator",
    PraTool: "pra_tool",
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
    process_profile, indicator, pra_tool and outcomes created, updated, unchanged, and
    ``alias_created`` / ``alias_unchanged`` for the seeded aliases (``alias_seed``).
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

    for tool in defaults.PRA_TOOLS:
        _apply(PraTool, dict(tool), update_existing=update_existing, counts=counts)

    counts["alias_created"], counts["alias_unchanged"] = alias_seed()
    return counts


# --- aliases: names as people write them ------------------------------------------------------

ALIAS_EMPTY = "catalog_alias_empty"
ALIAS_TOO_LONG = "catalog_alias_too_long"
ALIAS_TAKEN = "catalog_alias_taken"


def alias_seed(
    *,
    alias_model: type[models.Model] = Alias,
    targets: Mapping[str, type[models.Model]] = ALIAS_MODELS,
    seeds: Mapping[str, Mapping[str, Iterable[str]]] = defaults.ALIASES,
) -> tuple[int, int]:
    """Create the seeded aliases of the entries that exist: ``(created, already present)``.

    A name that already is an alias of its kind is counted as present; one that is the name or
    code of an entry of its kind is left out (it needs no alias). Takes the models as
    arguments so that the data migration runs it on its historical models.
    """
    created = present = 0
    for kind, by_code in seeds.items():
        model = targets[kind]
        field = ALIAS_TARGET_FIELDS[kind]
        rows: list[Any] = list(model._default_manager.all())
        entries = {entry.code: entry for entry in rows}
        names: set[str] = {key for entry in entries.values() for key in own_keys(entry)}
        aliases = set(alias_model._default_manager.filter(kind=kind).values_list("key", flat=True))
        for code, texts in by_code.items():
            entry = entries.get(code)
            if entry is None:
                continue
            for text in texts:
                key = name_key(text)
                if key in aliases:
                    present += 1
                if not key or key in aliases or key in names:
                    continue
                alias_model._default_manager.create(
                    kind=kind, **{field: entry}, text=nfc(text)[:ALIAS_TEXT_MAX], key=key
                )
                aliases.add(key)
                created += 1
    return created, present


def alias_normalise(alias: Alias) -> None:
    """Text NFC with single spaces; ``key`` its folded form (the admin's and ``alias_add``'s)."""
    alias.text = nfc(alias.text or "")
    alias.key = name_key(alias.text)


def _years_overlap(one: Any, other: Any) -> bool:
    start = max(one.valid_from_year or 0, other.valid_from_year or 0)
    end = min(one.valid_to_year or 9999, other.valid_to_year or 9999)
    return start <= end


def alias_owner(kind: str, key: str, target: Any) -> Any | None:
    """The other entry of *kind* that already answers to *key*, or None.

    Another active entry whose name, code or English name folds to *key* (for funding
    sources only one whose years overlap the target's: "CTMTQG xây dựng NTM" may name the
    2026 component although it is the name of the 2021–2025 programme), or the entry an
    alias with this key already names.
    """
    field = ALIAS_TARGET_FIELDS[kind]
    aliases = Alias.objects.filter(kind=kind, key=key).select_related(field)
    if target.pk is not None:  # a new entry (the admin's add page) has no aliases yet
        aliases = aliases.exclude(**{f"{field}_id": target.pk})
    existing = aliases.first()
    if existing is not None:
        return existing.target
    for entry in ALIAS_MODELS[kind].objects.filter(is_active=True).exclude(pk=target.pk):
        if kind == AliasKind.SOURCE and not _years_overlap(entry, target):
            continue
        if key in own_keys(entry):
            return entry
    return None


def alias_validate(kind: str, target: Any, text: str) -> tuple[str, str]:
    """The alias's ``(text, key)`` when *text* may name *target*; ``ApplicationError``
    otherwise (empty once folded, too long, or already the name of another entry)."""
    text = nfc(text or "")
    key = name_key(text)
    if not key:
        raise ApplicationError(
            ALIAS_EMPTY,
            _("Write the other name: it has no letters or digits."),
            Where(field="text"),
        )
    if len(text) > ALIAS_TEXT_MAX:
        raise ApplicationError(
            ALIAS_TOO_LONG,
            _("The other name is too long: at most %(max)d characters.") % {"max": ALIAS_TEXT_MAX},
            Where(field="text"),
        )
    other = alias_owner(kind, key, target)
    if other is not None:
        raise ApplicationError(
            ALIAS_TAKEN,
            _("“%(text)s” already names “%(other)s”; it cannot also name “%(entry)s”.")
            % {"text": text, "other": other, "entry": target},
            Where(field="text"),
        )
    return text, key


def alias_add(*, actor: Any, kind: str, target: Any, text: str) -> Alias:
    """Teach the catalog that *text* means *target* (a ``Sector``, ``FundingSource`` or
    ``UnitOfMeasure`` of *kind*): "always read 'CTMTQG 2026-2035' as NTP26".

    Refused (``ApplicationError``) when the actor may not (``can_add_alias``), the text is
    empty once folded or longer than 200 characters, or it already is the name, code or alias
    of another entry of the kind. Adding the same name to the same entry again returns the
    alias already there. The alias records who added it and when.
    """
    refuse(can_add_alias(actor))
    if kind not in ALIAS_MODELS or not isinstance(target, ALIAS_MODELS[kind]):
        raise ValueError(f"{target!r} is not a catalog entry of kind {kind!r}")
    field = ALIAS_TARGET_FIELDS[kind]
    text, key = alias_validate(kind, target, text)
    with transaction.atomic():
        same = Alias.objects.filter(kind=kind, key=key, **{field: target}).first()
        if same is not None:
            return same
        try:
            with transaction.atomic():
                return Alias.objects.create(
                    kind=kind,
                    **{field: target},
                    text=text,
                    key=key,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            # added at the same moment by someone else: answer as if it had been there
            same = Alias.objects.filter(kind=kind, key=key, **{field: target}).first()
            if same is not None:
                return same
            alias_validate(kind, target, text)
            raise
