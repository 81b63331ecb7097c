"""A commune's village list from a CSV file (Tên thôn, Loại, Từ ngày)."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
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


def villages_import_csv(
    *, actor: Any, commune: AdministrativeUnit, content: bytes | str
) -> VillageImportResult:
    """Add the villages listed in a CSV file (one per row), all or nothing.

    Columns: ``name`` (or "Tên thôn"), optional ``kind`` ("thôn", "bản", "tổ dân phố"…) and
    ``valid_from`` (dd/mm/yyyy). Names already present are left as they are.
    """
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
