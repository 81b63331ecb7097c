"""F11: reading a workbook back — each row an add, a change or (a line missing) a removal,
judged by the envelope's pure validators as the confirmation will apply them; nothing written."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.text import fold
from kehoach.geo.models import AdministrativeUnit
from kehoach.synthesis.choices import AreaScope, Firmness, VillageFlag
from kehoach.synthesis.models import CommunePlan, EnvelopeLine
from kehoach.synthesis.permissions import draft_reason, origin_for
from kehoach.synthesis.selectors import area_text, envelope_lines
from kehoach.synthesis.services.envelope import (
    FIELDS,
    EnvelopeLineContext,
    clean_envelope_line,
)

from ...layouts import FormLayout
from ...reading import Book as Upload
from ..base import (
    CellError,
    Change,
    compare,
    plan_meta,
    read_table,
)
from .common import FORM, FORM_FIELDS, Item, Reading, _lists, _refusal


def _area(text: str, villages: list[AdministrativeUnit]) -> tuple[dict[str, Any], list[Any]]:
    """ "Toàn xã" / village names / village classifications → scope, flags, villages."""
    folded = fold(text or "")
    if not folded or folded in ("toan xa", "toan phuong", "tat ca"):
        return {"area_scope": AreaScope.ALL, "area_flags": []}, []
    parts = [p.strip() for p in folded.replace(";", ",").split(",") if p.strip()]
    flags = {fold(str(label)): value for value, label in VillageFlag.choices}
    if all(p in flags for p in parts):
        return {"area_scope": AreaScope.FLAGGED, "area_flags": [flags[p] for p in parts]}, []
    by_name: dict[str, AdministrativeUnit] = {}
    for village in villages:
        by_name[fold(village.name)] = village
        by_name[village.search_name.split(" ", 1)[-1]] = village
    chosen, unknown = [], []
    for part in parts:
        found = by_name.get(part) or by_name.get(f"thon {part}")
        if found is None:
            unknown.append(part)
        else:
            chosen.append(found)
    if unknown:
        raise ValueError(
            _(
                "these villages are not of the commune: %(names)s. Write village names separated "
                "by commas, a kind of village, or leave it empty for the whole commune."
            )
            % {"names": ", ".join(unknown)}
        )
    return {"area_scope": AreaScope.LISTED, "area_flags": []}, chosen


def may_apply(actor: Any, plan: CommunePlan) -> None:
    if origin_for(actor, plan.round) is None:
        raise NotFoundError()
    locked = draft_reason(plan)
    if locked is not None:
        locked.raise_error()


def read(
    plan: CommunePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = plan_meta(upload, FORM, plan)
    layout = layouts[0]
    sheet = upload.data_sheet(FORM)
    table = read_table(upload, sheet, layout.columns, _lists(plan, None))
    reading = Reading(
        layout=layout, skipped=table.skipped, encoding=table.encoding, unread=table.unread
    )
    reading.errors = list(table.errors)
    villages = list(AdministrativeUnit.objects.filter(parent=plan.round.commune).current())
    lines = {str(x.uid): x for x in envelope_lines(plan.round)}
    known = (meta or {}).get("lines", {})
    seen = set()
    labels = {
        n: str(getattr(EnvelopeLine._meta.get_field(n), "verbose_name", n)).capitalize()
        for n in FORM_FIELDS
    }
    for row in table.rows:
        entry = known.get(row.key) if row.key else None
        line = lines.get(entry[0]) if entry else None
        if row.key:
            seen.add(row.key)
        data = {k: v for k, v in row.values.items() if k in FORM_FIELDS}
        for name in ("content", "activity_keywords", "notes"):
            if name in data:
                data[name] = data[name] or ""
        data["expenditure_type"] = data.get("expenditure_type") or ""
        data["firmness"] = data.get("firmness") or Firmness.INDICATIVE
        try:
            area, chosen = _area(row.values.get("area") or "", villages)
        except ValueError as exc:
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("area", ""),
                    _("Eligible area"),
                    row.values.get("area"),
                    str(exc),
                )
            )
            continue
        data.update(area)
        item = Item(
            "add" if line is None else "change",
            line,
            data,
            chosen,
            entry[1] if entry else None,
            row.number,
            row.letters,
        )
        if line is None:
            reading.items.append(item)
            reading.preview.append(Change("add", row.number, str(data.get("source") or ""), []))
            continue
        before = {n: getattr(line, n) for n in FORM_FIELDS}
        differences = compare(before, data, labels, FORM_FIELDS)
        old_villages = {v.pk for v in line.area_villages.all()}
        if (
            area["area_scope"] != line.area_scope
            or set(area["area_flags"]) != set(line.area_flags)
            or ({v.pk for v in chosen} != old_villages and area["area_scope"] == AreaScope.LISTED)
        ):
            differences.append(
                (
                    _("Eligible area"),
                    area_text(line),
                    row.values.get("area") or _("the whole commune"),
                )
            )
        if differences:
            reading.items.append(item)
            reading.preview.append(
                Change("change", row.number, f"{line.number}. {line.source.code}", differences)
            )
    for key, (uid, version) in known.items():
        line = lines.get(uid)
        if key not in seen and line is not None:
            reading.items.append(Item("remove", line, {}, None, version, 0, {}))
            reading.preview.append(Change("remove", None, f"{line.number}. {line.source.code}", []))
    if not reading.errors and actor is not None:
        check(actor, plan, reading, sheet)
    return reading


def _conflict(item: Item) -> ApplicationError | None:
    line = item.line
    if item.kind == "add" or line is None or item.version is None or line.version == item.version:
        return None
    return ApplicationError(
        "conflict",
        _(
            "Envelope line %(number)s was changed by someone else after you opened it. "
            "Nothing was saved; reload the page and make your change again."
        )
        % {"number": line.number},
    )


def check(actor: Any, plan: CommunePlan, reading: Reading, sheet: str = FORM) -> None:
    """Judge every change with the envelope's validators, as the confirmation will apply them,
    writing nothing: the errors go to the cells they are about."""

    def cell_errors(item: Item, errors: list[Any]) -> None:
        for error in errors:
            letter = item.letters.get(error.where.field or "", "")
            reading.errors.append(
                CellError(sheet, item.row, letter, "", None, error.detail or error.message)
            )

    locked = draft_reason(plan)
    if locked is not None:
        reading.errors.append(CellError(sheet, 0, "", "", None, locked.message))
        return
    origin = origin_for(actor, plan.round)
    numbers = EnvelopeLine.objects.filter(envelope__round=plan.round).aggregate(m=Max("number"))
    number = numbers["m"] or 0
    for item in reading.items:
        refused = _refusal(actor, plan, item) or _conflict(item)
        if refused is not None:
            cell_errors(item, [refused])
            continue
        if item.kind == "add":
            number += 1
            context = EnvelopeLineContext(plan.round, number, origin or "")
            data = {**item.data, "area_villages": item.villages}
        elif item.kind == "change":
            assert item.line is not None
            line = item.line
            context = EnvelopeLineContext(plan.round, line.number, line.origin)
            villages = (
                item.villages if item.villages is not None else list(line.area_villages.all())
            )
            data = {
                **{f: getattr(line, f) for f in FIELDS},
                **item.data,
                "area_villages": villages,
            }
        else:
            continue
        cell_errors(item, clean_envelope_line(context, data)[2])
