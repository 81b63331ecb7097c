"""Pre-reform units (provinces, districts, communes) from an administrator's CSV."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.numbers import ParseError, parse_date_vi
from kehoach.core.text import fold, nfc

from ..choices import LEVEL_OF_KIND, Kind, Level, Source, SuccessionKind
from ..models import PATH_SEPARATOR, AdministrativeUnit, UnitSuccession
from .common import (
    LAST_PRE_REFORM_DAY,
    LoadResult,
    _set_derived,
)

# --- Pre-reform units from an administrator's CSV -------------------------------------------

LEGACY_PREFIX = {Level.PROVINCE: "T", Level.DISTRICT: "H", Level.COMMUNE: "X"}
LEGACY_COLUMNS = (
    "level",
    "code",
    "name",
    "kind",
    "parent_code",
    "valid_from",
    "valid_to",
    "successor_codes",
    "decision",
)
_LEVEL_WORDS = {
    "tinh": Level.PROVINCE,
    "province": Level.PROVINCE,
    "1": Level.PROVINCE,
    "huyen": Level.DISTRICT,
    "district": Level.DISTRICT,
    "2": Level.DISTRICT,
    "xa": Level.COMMUNE,
    "commune": Level.COMMUNE,
    "3": Level.COMMUNE,
}
_KIND_WORDS = (
    {fold(str(label)): value for value, label in Kind.choices}
    | {
        "tinh": Kind.PROVINCE,
        "thanh pho truc thuoc trung uong": Kind.CENTRAL_CITY,
        "thanh pho trung uong": Kind.CENTRAL_CITY,
        "huyen": Kind.DISTRICT,
        "quan": Kind.URBAN_DISTRICT,
        "thi xa": Kind.TOWN,
        "thanh pho thuoc tinh": Kind.PROVINCIAL_CITY,
        "xa": Kind.COMMUNE,
        "phuong": Kind.WARD,
        "thi tran": Kind.TOWNSHIP,
        "dac khu": Kind.SPECIAL_ZONE,
    }
    | {k.value: k for k in Kind}
)


def legacy_code(level: int, official_code: str) -> str:
    return f"{LEGACY_PREFIX[Level(level)]}{official_code}"


@dataclass
class _LegacyRow:
    line: int
    level: int
    official_code: str
    name: str
    kind: str
    parent_code: str
    valid_from: datetime.date | None
    valid_to: datetime.date
    successors: list[str]
    decision: str


def _read_legacy_rows(text: str) -> tuple[list[_LegacyRow], list[ApplicationError]]:
    errors: list[ApplicationError] = []
    rows: list[_LegacyRow] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [fold(h or "") for h in (reader.fieldnames or [])]
    missing = [c for c in ("level", "code", "name") if c not in header]
    if missing:
        raise (
            ApplicationError(
                "csv_columns_missing",
                _(
                    "The CSV file lacks the column(s) %(columns)s. "
                    "The first line must be: %(header)s"
                )
                % {"columns": ", ".join(missing), "header": ",".join(LEGACY_COLUMNS)},
                Where(row=1),
            )
        )
    reader.fieldnames = header
    for line, raw in enumerate(reader, start=2):
        data = {k: nfc(v or "") for k, v in raw.items() if k}
        if not any(data.values()):
            continue
        level = _LEVEL_WORDS.get(fold(data.get("level", "")))
        if level is None:
            errors.append(
                ApplicationError(
                    "csv_level_invalid",
                    _("Row %(row)s: level “%(value)s” is not known; use tinh, huyen or xa.")
                    % {"row": line, "value": data.get("level", "")},
                    Where(row=line, column="level"),
                )
            )
            continue
        code = data.get("code", "")
        if not code.isdigit():
            errors.append(
                ApplicationError(
                    "csv_code_invalid",
                    _("Row %(row)s: code “%(value)s” must be the official number code.")
                    % {"row": line, "value": code},
                    Where(row=line, column="code"),
                )
            )
            continue
        width = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}[level]
        code = code.zfill(width)
        name = data.get("name", "")
        if not name:
            errors.append(
                ApplicationError(
                    "csv_name_missing",
                    _("Row %(row)s: the name is empty.") % {"row": line},
                    Where(row=line, column="name"),
                )
            )
            continue
        kind_text = data.get("kind", "")
        default_kind = {
            Level.PROVINCE: Kind.PROVINCE,
            Level.DISTRICT: Kind.DISTRICT,
            Level.COMMUNE: Kind.COMMUNE,
        }[level]
        kind = _KIND_WORDS.get(fold(kind_text), None) if kind_text else default_kind
        if kind is None or LEVEL_OF_KIND[kind] != level:
            errors.append(
                ApplicationError(
                    "csv_kind_invalid",
                    _("Row %(row)s: kind “%(value)s” does not fit level %(level)s.")
                    % {"row": line, "value": kind_text, "level": data.get("level", "")},
                    Where(row=line, column="kind"),
                )
            )
            continue
        dates: dict[str, datetime.date | None] = {}
        bad_date = False
        for column in ("valid_from", "valid_to"):
            try:
                dates[column] = parse_date_vi(data.get(column, ""))
            except ParseError as exc:
                errors.append(
                    ApplicationError(
                        "csv_date_invalid",
                        _("Row %(row)s, column %(column)s: %(message)s")
                        % {"row": line, "column": column, "message": str(exc)},
                        Where(row=line, column=column),
                    )
                )
                bad_date = True
        if bad_date:
            continue
        successors = [
            s.strip().zfill(5 if level == Level.COMMUNE else 2)
            for s in data.get("successor_codes", "").replace(",", ";").split(";")
            if s.strip()
        ]
        rows.append(
            _LegacyRow(
                line=line,
                level=level,
                official_code=code,
                name=name,
                kind=kind,
                parent_code=data.get("parent_code", "").strip(),
                valid_from=dates["valid_from"],
                valid_to=dates["valid_to"] or LAST_PRE_REFORM_DAY,
                successors=successors,
                decision=data.get("decision", ""),
            )
        )
    return rows, errors


def units_load_legacy_csv(text: str) -> LoadResult:
    """Load pre-reform provinces, districts and communes with successor links, all or nothing.

    Raises ``ApplicationError`` with code ``csv_invalid`` whose message lists every problem
    (row and column) when anything is wrong; nothing is saved then.
    """
    rows, errors = _read_legacy_rows(text)
    result = LoadResult()
    current = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(source=Source.OFFICIAL, valid_to__isnull=True)
    }
    existing_legacy = {u.code: u for u in AdministrativeUnit.objects.filter(source=Source.LEGACY)}
    codes_in_file = {legacy_code(r.level, r.official_code): r for r in rows}
    for row in rows:
        if row.level != Level.PROVINCE:
            parent_level = Level.PROVINCE if row.level == Level.DISTRICT else Level.DISTRICT
            parent_key = (
                legacy_code(
                    parent_level, row.parent_code.zfill(2 if parent_level == Level.PROVINCE else 3)
                )
                if row.parent_code
                else ""
            )
            if parent_key not in codes_in_file and parent_key not in existing_legacy:
                errors.append(
                    ApplicationError(
                        "csv_parent_missing",
                        _("Row %(row)s: parent unit “%(value)s” is not in the file.")
                        % {"row": row.line, "value": row.parent_code},
                        Where(row=row.line, column="parent_code"),
                    )
                )
        for successor in row.successors:
            if successor not in current:
                errors.append(
                    ApplicationError(
                        "csv_successor_missing",
                        _(
                            "Row %(row)s: successor “%(value)s” is not a current official unit. "
                            "Load the official units first (load_units) or correct the code."
                        )
                        % {"row": row.line, "value": successor},
                        Where(row=row.line, column="successor_codes"),
                    )
                )
    if errors:
        raise ApplicationError(
            "csv_invalid",
            "\n".join(e.message for e in errors),
            Where(row=errors[0].where.row, column=errors[0].where.column),
        )

    with transaction.atomic():
        by_code = dict(existing_legacy)
        for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
            for row in (r for r in rows if r.level == level):
                code = legacy_code(level, row.official_code)
                parent = None
                if level != Level.PROVINCE:
                    parent_level = Level.PROVINCE if level == Level.DISTRICT else Level.DISTRICT
                    parent = by_code[
                        legacy_code(
                            parent_level,
                            row.parent_code.zfill(2 if parent_level == Level.PROVINCE else 3),
                        )
                    ]
                unit = by_code.get(code) or AdministrativeUnit(code=code, source=Source.LEGACY)
                is_new = unit.pk is None
                unit.official_code = row.official_code
                unit.name = row.name
                unit.kind = row.kind
                unit.level = level
                unit.parent = parent
                unit.path = f"{parent.path if parent else ''}{code}{PATH_SEPARATOR}"
                unit.valid_from = row.valid_from
                unit.valid_to = row.valid_to
                _set_derived(unit)
                unit.save()
                by_code[code] = unit
                if is_new:
                    result.created += 1
                else:
                    result.unchanged += 1
                for successor_code in row.successors:
                    _link, made = UnitSuccession.objects.get_or_create(
                        predecessor=unit,
                        successor=current[successor_code],
                        defaults={
                            "kind": SuccessionKind.SPLIT
                            if len(row.successors) > 1
                            else SuccessionKind.MERGED,
                            "effective_date": row.valid_to + datetime.timedelta(days=1),
                            "decision": row.decision,
                        },
                    )
                    result.successions += int(made)
    return result
