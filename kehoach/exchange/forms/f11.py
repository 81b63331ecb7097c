"""F11 — the resource envelope: lines added, changed and deleted through the envelope services
(each user only the lines of their own origin; a change that touches funded lines takes their
funding back, as on the page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.catalog.choices import FundingKind
from kehoach.catalog.models import FundingSource
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.text import fold
from kehoach.geo.models import AdministrativeUnit
from kehoach.synthesis.choices import AreaScope, EnvelopeOrigin, Firmness, VillageFlag
from kehoach.synthesis.models import CommunePlan, EnvelopeLine
from kehoach.synthesis.services.common import ensure_draft, envelope_for
from kehoach.synthesis.services.eligibility import area_text
from kehoach.synthesis.services.envelope import (
    PROVINCE_KINDS,
    envelope_line_create,
    envelope_line_delete,
    envelope_line_update,
    may_edit_line,
    origin_for,
)

from .. import choices as lists
from ..layouts import FormLayout, layout_for
from ..reading import Book as Upload
from ..writing import Book, Table, build
from .base import (
    CellError,
    Change,
    ReadingBase,
    compare,
    heading,
    line_key,
    plan_meta,
    read_table,
)

FORM = "F11"
FIELDS = [
    "source",
    "sector",
    "content",
    "activity_keywords",
    "expenditure_type",
    "amount_mvnd",
    "counterpart_share_pct",
    "firmness",
    "notes",
]
INSTRUCTIONS = [
    "Hướng dẫn biểu khung nguồn lực (F11)",
    "1. Mỗi dòng là một khoản vốn dự kiến của một chương trình hoặc nguồn vốn, cho một lĩnh vực "
    "(để trống nếu dùng cho mọi lĩnh vực) và một loại chi.",
    "2. Cán bộ Sở Tài chính nhập vốn tỉnh thông báo (ngân sách tỉnh, chương trình); cán bộ kế "
    "hoạch xã nhập ngân sách xã và các nguồn khác. Mỗi người chỉ sửa được các dòng của mình.",
    "3. Địa bàn, đối tượng: để trống hoặc ghi “Toàn xã”; hoặc ghi tên các thôn cách nhau bằng "
    "dấu phẩy; hoặc ghi loại thôn: thôn đặc biệt khó khăn, thôn vùng đồng bào dân tộc thiểu số, "
    "thôn thuộc Chương trình 135, thôn biên giới.",
    "4. Xóa cả dòng để xóa một khoản; dòng mới không cần mã dòng.",
]


def _lists(plan: CommunePlan, origin: str | None) -> dict[str, lists.Choices]:
    year = plan.round.plan_year
    sources = (
        FundingSource.objects.active_for_year(year)
        .filter(is_external=True)
        .exclude(kind=FundingKind.COMMUNITY)
    )
    if origin == EnvelopeOrigin.COMMUNE:
        sources = sources.exclude(kind__in=PROVINCE_KINDS)
    return {
        "envelope_sources": lists.sources(year, queryset=sources),
        "sectors": lists.sectors(),
        "expenditure": lists.expenditure(),
        "firmness": lists.text_choices(Firmness.choices),
    }


def _row(line: EnvelopeLine, choices: dict[str, lists.Choices]) -> dict[str, Any]:
    return {
        "number": line.number,
        "source": choices["envelope_sources"].label_of(line.source)
        or f"{line.source.code} – {line.source.name}",
        "sector": choices["sectors"].label_of(line.sector) if line.sector_id else None,
        "content": line.content,
        "activity_keywords": line.activity_keywords,
        "area": "" if line.area_scope == AreaScope.ALL else area_text(line),
        "expenditure_type": choices["expenditure"].label_of(line.expenditure_type) or None,
        "amount_mvnd": line.amount_mvnd,
        "counterpart_share_pct": line.counterpart_share_pct,
        "firmness": choices["firmness"].label_of(line.firmness),
        "origin": line.get_origin_display(),
        "notes": line.notes,
    }


def export(
    plan: CommunePlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
    blank: bool = False,
) -> bytes:
    """The envelope form, pre-filled with the round's lines (``blank``: without them, to add
    new lines only)."""
    layout = layout or layout_for(FORM, plan.round.profile)
    choices = _lists(plan, origin_for(actor, plan.round) if actor else None)
    lines = list(
        envelope_for(plan.round)
        .lines.alive()
        .select_related("source", "sector")
        .prefetch_related("area_villages")
        .order_by("number")
    )
    if blank:
        lines = []
    keys = [line_key(x.number) for x in lines]
    book = Book(
        form=FORM,
        layout=layout,
        heading=heading(plan.round.commune, plan.round.plan_year, FORM, "Khung nguồn lực"),
        tables=[
            Table(
                name=FORM,
                columns=layout.columns,
                rows=[_row(x, choices) for x in lines],
                keys=keys,
                title=layout.title.format(year=plan.round.plan_year),
            )
        ],
        lists={name: c.labels for name, c in choices.items()},
        meta={
            "plan": str(plan.uid),
            "unit": plan.round.commune.code,
            "year": plan.round.plan_year,
            "round": str(plan.round.uid),
            "lines": {k: (str(x.uid), x.version) for k, x in zip(keys, lines, strict=True)},
        },
        instructions=INSTRUCTIONS,
    )
    return build(book)


@dataclass
class Item:
    kind: str
    line: EnvelopeLine | None
    data: dict[str, Any]
    villages: list[AdministrativeUnit] | None
    version: int | None
    row: int
    letters: dict[str, str]


@dataclass
class Reading(ReadingBase):
    items: list[Item] = field(default_factory=list)


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
    ensure_draft(plan)


def read(
    plan: CommunePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = plan_meta(upload, FORM, plan)
    layout = layouts[0]
    sheet = upload.data_sheet(FORM)
    table = read_table(upload, sheet, layout.columns, _lists(plan, None))
    reading = Reading(layout=layout, skipped=table.skipped, encoding=table.encoding)
    reading.errors = list(table.errors)
    villages = list(AdministrativeUnit.objects.filter(parent=plan.round.commune).current())
    lines = {str(x.uid): x for x in envelope_for(plan.round).lines.alive()}
    known = (meta or {}).get("lines", {})
    seen = set()
    labels = {
        n: str(getattr(EnvelopeLine._meta.get_field(n), "verbose_name", n)).capitalize()
        for n in FIELDS
    }
    for row in table.rows:
        entry = known.get(row.key) if row.key else None
        line = lines.get(entry[0]) if entry else None
        if row.key:
            seen.add(row.key)
        data = {k: v for k, v in row.values.items() if k in FIELDS}
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
        before = {n: getattr(line, n) for n in FIELDS}
        differences = compare(before, data, labels, FIELDS)
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


def _apply_item(actor: Any, plan: CommunePlan, item: Item) -> None:
    if item.kind == "add":
        envelope_line_create(actor=actor, round_=plan.round, data=item.data, villages=item.villages)
    elif item.kind == "change":
        assert item.line is not None
        if not may_edit_line(actor, item.line, plan.round):
            raise ApplicationError(
                "not_your_line",
                _("line %(number)s was entered by the %(origin)s; only they can change it.")
                % {"number": item.line.number, "origin": item.line.get_origin_display().lower()},
                Where(row=item.row),
            )
        envelope_line_update(
            actor=actor,
            line=item.line,
            data=item.data,
            villages=item.villages,
            expected_version=item.version,
        )
    else:
        assert item.line is not None
        if not may_edit_line(actor, item.line, plan.round):
            raise ApplicationError(
                "not_your_line",
                _("line %(number)s was entered by the %(origin)s; only they can delete it.")
                % {"number": item.line.number, "origin": item.line.get_origin_display().lower()},
            )
        envelope_line_delete(actor=actor, line=item.line)


def check(actor: Any, plan: CommunePlan, reading: Reading, sheet: str = FORM) -> None:
    """Run every change through the services in a transaction that is rolled back."""
    with transaction.atomic():
        for item in reading.items:
            try:
                with transaction.atomic():
                    _apply_item(actor, plan, item)
            except ApplicationError as exc:
                for error in getattr(exc, "errors", None) or [exc]:
                    letter = item.letters.get(error.where.field or "", "")
                    reading.errors.append(
                        CellError(sheet, item.row, letter, "", None, error.detail or error.message)
                    )
        transaction.set_rollback(True)


@transaction.atomic
def apply(actor: Any, plan: CommunePlan, reading: Reading) -> dict[str, int]:
    for item in reading.items:
        _apply_item(actor, plan, item)
    counts = {"added": 0, "changed": 0, "deleted": 0}
    for item in reading.items:
        counts[{"add": "added", "change": "changed", "remove": "deleted"}[item.kind]] += 1
    return counts
