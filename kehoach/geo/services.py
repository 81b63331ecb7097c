"""Writes to administrative units. Villages are kept by commune planners (R25)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.numbers import ParseError, parse_date_vi
from kehoach.core.text import fold, name_sort_key, nfc

from .choices import LEVEL_OF_KIND, VILLAGE_KINDS, Kind, Level, Source, SuccessionKind
from .models import PATH_SEPARATOR, AdministrativeUnit, UnitNameChange, UnitSuccession

MAX_NAME_LENGTH = 200


def _require(actor: Any, action: Action, unit: AdministrativeUnit) -> None:
    """Refuse with the same error a missing unit gives: nobody learns what they may not touch."""
    if not has_permission(actor, action, unit):
        raise NotFoundError()


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


@transaction.atomic
def village_create(
    *,
    actor: Any,
    commune: AdministrativeUnit,
    name: str,
    kind: str = Kind.VILLAGE,
    valid_from: datetime.date | None = None,
) -> AdministrativeUnit:
    _require(actor, Action.MANAGE_VILLAGES, commune)
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
    _require(actor, Action.MANAGE_VILLAGES, commune)
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
    _require(actor, Action.MANAGE_VILLAGES, commune)
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
    _require(actor, Action.MANAGE_VILLAGES, commune)
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
    _require(actor, Action.MANAGE_VILLAGES, commune)
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
    _require(actor, Action.MANAGE_VILLAGES, commune)
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


@dataclass
class VillageImportResult:
    created: list[AdministrativeUnit] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


_VILLAGE_KIND_WORDS = {
    "thon": Kind.VILLAGE,
    "ban": Kind.HAMLET,
    "to dan pho": Kind.RESIDENTIAL_GROUP,
    "ap": Kind.AP,
    "buon": Kind.BUON,
    "soc": Kind.SOC,
    "lang": Kind.LANG,
    "khoi": Kind.KHOI,
} | {k: k for k in VILLAGE_KINDS}

_NAME_HEADERS = {"name", "ten", "ten thon", "ten thon/ban", "ten thon, ban"}
_KIND_HEADERS = {"kind", "loai", "loai hinh"}
_FROM_HEADERS = {"valid_from", "tu ngay", "ngay thanh lap"}


def _guess_kind(name: str) -> str:
    folded = fold(name)
    for word, kind in sorted(_VILLAGE_KIND_WORDS.items(), key=lambda kv: -len(kv[0])):
        if folded.startswith(word + " "):
            return kind
    return Kind.VILLAGE


def villages_import_csv(
    *, actor: Any, commune: AdministrativeUnit, content: bytes | str
) -> VillageImportResult:
    """Add the villages listed in a CSV file (one per row), all or nothing.

    Columns: ``name`` (or "Tên thôn"), optional ``kind`` ("thôn", "bản", "tổ dân phố"…) and
    ``valid_from`` (dd/mm/yyyy). Names already present are left as they are.
    """
    _require(actor, Action.MANAGE_VILLAGES, commune)
    _check_commune(commune)
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ApplicationError(
                "csv_encoding",
                _("The file is not UTF-8 text. Save it from Excel as “CSV UTF-8” and try again."),
            ) from exc
    else:
        text = content
    sample = text[:2048]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = list(reader)
    if not rows:
        raise ApplicationError("csv_empty", _("The file is empty."))
    header = [fold(h) for h in rows[0]]
    name_col = next((i for i, h in enumerate(header) if h in _NAME_HEADERS), None)
    if name_col is None:
        raise ApplicationError(
            "csv_columns_missing",
            _("The first line must name the columns; one of them must be “Tên thôn” (or name)."),
            Where(row=1),
        )
    kind_col = next((i for i, h in enumerate(header) if h in _KIND_HEADERS), None)
    from_col = next((i for i, h in enumerate(header) if h in _FROM_HEADERS), None)

    errors: list[str] = []
    planned: list[tuple[int, str, str, datetime.date | None]] = []
    seen: dict[str, int] = {}
    existing = {
        u.search_name
        for u in AdministrativeUnit.objects.filter(
            parent=commune, level=Level.VILLAGE, valid_to__isnull=True
        )
    }
    result = VillageImportResult()
    for line, row in enumerate(rows[1:], start=2):
        cells = [nfc(c) for c in row]
        if not any(cells):
            continue
        name = cells[name_col] if name_col < len(cells) else ""
        if not name:
            errors.append(_("Row %(row)s: the village name is empty.") % {"row": line})
            continue
        if len(name) > MAX_NAME_LENGTH:
            errors.append(
                _("Row %(row)s: the name is longer than %(max)s characters.")
                % {"row": line, "max": MAX_NAME_LENGTH}
            )
            continue
        kind = _guess_kind(name)
        if kind_col is not None and kind_col < len(cells) and cells[kind_col]:
            found = _VILLAGE_KIND_WORDS.get(fold(cells[kind_col]))
            if found is None:
                errors.append(
                    _("Row %(row)s: kind “%(value)s” is not known; use thôn, bản or tổ dân phố.")
                    % {"row": line, "value": cells[kind_col]}
                )
                continue
            kind = found
        valid_from = None
        if from_col is not None and from_col < len(cells):
            try:
                valid_from = parse_date_vi(cells[from_col])
            except ParseError as exc:
                errors.append(_("Row %(row)s: %(message)s") % {"row": line, "message": str(exc)})
                continue
        key = fold(name)
        if key in seen:
            errors.append(
                _("Row %(row)s: “%(name)s” is already on row %(first)s.")
                % {"row": line, "name": name, "first": seen[key]}
            )
            continue
        seen[key] = line
        if key in existing:
            result.unchanged.append(name)
            continue
        if LEVEL_OF_KIND[kind] != Level.VILLAGE:
            continue
        planned.append((line, name, kind, valid_from))
    if errors:
        raise ApplicationError("csv_invalid", "\n".join(errors))
    with transaction.atomic():
        for _line, name, kind, valid_from in planned:
            result.created.append(
                village_create(
                    actor=actor, commune=commune, name=name, kind=kind, valid_from=valid_from
                )
            )
    return result
