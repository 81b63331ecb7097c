"""A commune's village list from a CSV file (Tên thôn, Loại, Từ ngày)."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.numbers import ParseError, parse_date_vi
from kehoach.core.text import fold, nfc

from ..choices import LEVEL_OF_KIND, VILLAGE_KINDS, Kind, Level
from ..models import AdministrativeUnit
from .common import (
    MAX_NAME_LENGTH,
    _check_commune,
    _require,
)
from .villages import village_create


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


@dataclass
class VillageImportPlan:
    """What an import would do, as ``villages_import_check`` finds it: the villages to add
    (``VillageRow``) and the names already in the list (left as they are)."""

    rows: list[VillageRow] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VillageRow:
    row: int
    name: str
    kind: str
    valid_from: datetime.date | None


def villages_import_check(
    *, actor: Any, commune: AdministrativeUnit, content: bytes | str
) -> VillageImportPlan:
    """The checks of ``villages_import_csv`` (also its dry run): reads the file, writes and
    locks nothing; every row's problem at once (``csv_invalid``, one line per problem)."""
    _require(actor, commune)
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

    errors: dict[int, str] = {}
    plan = VillageImportPlan()
    seen: dict[str, int] = {}
    existing = {
        u.search_name
        for u in AdministrativeUnit.objects.filter(
            parent=commune, level=Level.VILLAGE, valid_to__isnull=True
        )
    }
    for line, row in enumerate(rows[1:], start=2):
        cells = [nfc(c) for c in row]
        if not any(cells):
            continue
        name = cells[name_col] if name_col < len(cells) else ""
        if not name:
            errors[line] = _("Row %(row)s: the village name is empty.") % {"row": line}
            continue
        if len(name) > MAX_NAME_LENGTH:
            errors[line] = _("Row %(row)s: the name is longer than %(max)s characters.") % {
                "row": line,
                "max": MAX_NAME_LENGTH,
            }
            continue
        kind = _guess_kind(name)
        if kind_col is not None and kind_col < len(cells) and cells[kind_col]:
            found = _VILLAGE_KIND_WORDS.get(fold(cells[kind_col]))
            if found is None:
                errors[line] = _(
                    "Row %(row)s: kind “%(value)s” is not known; use thôn, bản or tổ dân phố."
                ) % {"row": line, "value": cells[kind_col]}
                continue
            kind = found
        valid_from = None
        if from_col is not None and from_col < len(cells):
            try:
                valid_from = parse_date_vi(cells[from_col])
            except ParseError as exc:
                errors[line] = _("Row %(row)s: %(message)s") % {"row": line, "message": str(exc)}
                continue
        key = fold(name)
        if key in seen:
            errors[line] = _("Row %(row)s: “%(name)s” is already on row %(first)s.") % {
                "row": line,
                "name": name,
                "first": seen[key],
            }
            continue
        seen[key] = line
        if key in existing:
            plan.unchanged.append(name)
            continue
        if LEVEL_OF_KIND[kind] != Level.VILLAGE:
            continue
        plan.rows.append(VillageRow(line, name, kind, valid_from))
    if errors:
        raise ApplicationErrors(  # one per row, each named by its row (the page: one per line)
            [ApplicationError("csv_invalid", text, Where(row=row)) for row, text in errors.items()]
        )
    return plan


def villages_import_csv(
    *, actor: Any, commune: AdministrativeUnit, content: bytes | str
) -> VillageImportResult:
    """Add the villages listed in a CSV file (one per row), all or nothing.

    Columns: ``name`` (or "Tên thôn"), optional ``kind`` ("thôn", "bản", "tổ dân phố"…) and
    ``valid_from`` (dd/mm/yyyy). Names already present are left as they are.
    """
    plan = villages_import_check(actor=actor, commune=commune, content=content)
    result = VillageImportResult(unchanged=plan.unchanged)
    with transaction.atomic():
        for row in plan.rows:
            result.created.append(
                village_create(
                    actor=actor,
                    commune=commune,
                    name=row.name,
                    kind=row.kind,
                    valid_from=row.valid_from,
                )
            )
    return result
