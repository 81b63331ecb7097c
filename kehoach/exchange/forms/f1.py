"""F1 — the village's basic information: one row per line of the paper form (value, data
source, date; the percentages computed) and a sheet of households and persons by ethnic group.
Checked with the pure ``validate_basic_info`` (nothing written, no actor needed) and saved with
``plans.services.info.basic_info_save``, the writer of the web form, by the real user: the
confirmation saves what the check kept (``keep``/``restore``/``write``) without reading the
workbook again (the writer judges the one record again as it saves it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.validation import errors
from kehoach.plans.models import VillagePlan
from kehoach.plans.services.info.rows import ETHNIC_GROUPS, F1_ROWS, field_label
from kehoach.plans.services.info.selectors import basic_info_get_or_empty, basic_info_percentages
from kehoach.plans.services.info.validators import (
    BasicInfoContext,
    BasicInfoData,
    validate_basic_info,
)
from kehoach.plans.services.info.writers import basic_info_save

from .. import cells
from ..layouts import FormLayout, layout_for
from ..reading import Book as Upload
from ..reading.headers import clean
from ..reading.sheets import find_sheet, main_sheet
from ..writing import Book, Table, build
from . import kept as keeping
from .base import (
    CellError,
    Change,
    ReadingBase,
    compare,
    heading,
    plan_meta,
    read_table,
    shown,
)
from .f1_rows import (
    ETHNIC_COLUMNS,
    ETHNIC_SHEET,
    ETHNIC_SHEETS,
    NUMBER_COLUMN,
    _no_known_row,
    _rows_by_label,
    _yes_no,
)

FORM = "F1"
ROW_FIELDS = tuple(row.field for row in F1_ROWS)
INSTRUCTIONS = [
    "Hướng dẫn điền biểu thông tin cơ bản của thôn (F1)",
    "1. Ghi số liệu vào cột Giá trị (nền vàng), kèm nguồn số liệu và thời điểm số liệu "
    "(dd/mm/yyyy) của từng dòng. Ô để trống nghĩa là chưa có số liệu.",
    "2. Số viết kiểu Việt Nam: 1.234 (một nghìn hai trăm ba mươi tư), 12,5.",
    "3. Các dòng Có/Không: ghi “có” hoặc “không” (để trống nếu chưa rõ). Các dòng phân loại thôn: "
    "ghi “có” nếu thôn thuộc diện đó.",
    "4. Cột Tỷ lệ do hệ thống tính, không cần điền.",
    "5. Trang “Dân tộc”: mỗi dòng một dân tộc với số hộ, số khẩu.",
    "6. Không sửa cột ẩn “Mã dòng” và trang ẩn “_kehoach”.",
]


def _percent_of(row: Any, percentages: dict[str, Any]) -> Any:
    return percentages.get(row.percent) if row.percent else None


def _shown_value(row: Any, value: Any) -> Any:
    if row.kind in ("yes_no", "flag"):
        if value is None:
            return None
        return "có" if value else ("không" if row.kind == "yes_no" else None)
    return value


def export(
    plan: VillagePlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
) -> bytes:
    layout = layout or layout_for(FORM, plan.round.profile)
    info = basic_info_get_or_empty(plan)
    percentages = basic_info_percentages(info)
    sources = info.sources or {}
    rows = []
    for row in F1_ROWS:
        entry = sources.get(row.field) or {}
        rows.append(
            {
                "label": str(row.label),
                "unit": str(row.unit),
                "value": _shown_value(row, getattr(info, row.field)),
                "percent": _percent_of(row, percentages),
                "source": entry.get("source", ""),
                "date": cells.date(entry.get("date")) if entry.get("date") else None,
            }
        )
    groups = list(info.ethnic_groups.all()) if info.pk else []
    book = Book(
        form=FORM,
        layout=layout,
        heading=heading(plan.village, plan.round.plan_year, FORM, "Thông tin cơ bản của thôn"),
        tables=[
            Table(
                name=FORM,
                columns=layout.columns,
                rows=rows,
                keys=[row.field for row in F1_ROWS],
                blank_rows=0,
                totals=False,
                title=layout.title.format(year=plan.round.plan_year),
            ),
            Table(
                name=ETHNIC_SHEET,
                columns=ETHNIC_COLUMNS,
                rows=[
                    {"number": i, "name": g.name, "households": g.households, "persons": g.persons}
                    for i, g in enumerate(groups, start=1)
                ],
                blank_rows=10,
                title="SỐ HỘ, SỐ KHẨU THEO DÂN TỘC",
            ),
        ],
        lists={},
        meta={
            "plan": str(plan.uid),
            "unit": plan.village.code,
            "year": plan.round.plan_year,
            "version": info.version if info.pk else 0,
        },
        instructions=INSTRUCTIONS,
    )
    return build(book)


@dataclass
class Reading(ReadingBase):
    data: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)
    groups: list[dict[str, Any]] = field(default_factory=list)
    version: int | None = None


def read(
    plan: VillagePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = plan_meta(upload, FORM, plan)
    layout = layouts[0]
    ethnic = find_sheet(upload, ETHNIC_SHEETS)
    sheet = main_sheet(upload, FORM, besides=[ethnic] if ethnic else [])
    if ethnic == sheet:
        ethnic = None
    columns = list(layout.columns)
    if not any(c.key == "number" for c in columns):
        columns.insert(0, NUMBER_COLUMN)
    named = _rows_by_label()
    table = read_table(upload, sheet, columns, {}, form=FORM, known=set(named))
    reading = Reading(
        layout=layout, skipped=table.skipped, encoding=table.encoding, unread=table.unread
    )
    reading.errors = list(table.errors)
    version = meta.get("version") if meta else None
    reading.version = int(str(version)) if version not in (None, "") else None
    kinds = {row.field: row for row in F1_ROWS}
    rows_by_field: dict[str, Any] = {}
    for row in table.rows:
        name = row.key
        if not name:  # a workbook made elsewhere: the row is the one its label names
            label = cells.text(row.values.get("label") or "")
            name = named.get(clean(label), "")
            if not name and label:
                reading.skipped.append(
                    (
                        row.number,
                        _("“%(field)s” is not a row of the village basic information.")
                        % {"field": label},
                    )
                )
        spec = kinds.get(name)
        if spec is None:
            continue
        row.key = name
        rows_by_field[row.key] = row
        value = row.values.get("value")
        if spec.kind in ("yes_no", "flag"):
            try:
                value = _yes_no(value)
            except ValueError as exc:
                reading.errors.append(
                    CellError(
                        sheet,
                        row.number,
                        row.letters.get("value", ""),
                        str(spec.label),
                        row.values.get("value"),
                        str(exc),
                    )
                )
                continue
            if spec.kind == "flag":
                value = bool(value)
        reading.data[row.key] = value
        source = row.values.get("source") or ""
        day = row.values.get("date")
        if source or day:
            reading.sources[row.key] = {
                "source": source,
                "date": day.isoformat() if day is not None and hasattr(day, "isoformat") else "",
            }
    if ethnic is not None:
        groups = read_table(upload, ethnic, ETHNIC_COLUMNS, {}, with_key=False, form=FORM)
        reading.errors += groups.errors
        reading.groups = [
            {k: v for k, v in g.values.items() if k != "number"}
            for g in groups.rows
            if any(v not in (None, "") for k, v in g.values.items() if k != "number")
        ]
    if not meta and not rows_by_field and not reading.groups and not reading.errors:
        raise _no_known_row(sheet)
    info = basic_info_get_or_empty(plan)
    old_sources = info.sources or {}
    current = {row.field: getattr(info, row.field) for row in F1_ROWS}
    labels = {row.field: str(row.label) for row in F1_ROWS}
    differences = compare(current, reading.data, labels, [r.field for r in F1_ROWS])
    for key, entry in reading.sources.items():
        before = old_sources.get(key) or {}
        if entry != {"source": before.get("source", ""), "date": before.get("date", "")}:
            differences.append(
                (
                    _("Data source of “%(row)s”") % {"row": labels.get(key, key)},
                    shown(before.get("source")),
                    shown(entry["source"]),
                )
            )
    if differences:
        reading.preview.append(Change("change", None, _("Basic information"), differences))
    old_groups = (
        [(g.name, g.households, g.persons) for g in info.ethnic_groups.all()] if info.pk else []
    )
    new_groups = [(g.get("name"), g.get("households"), g.get("persons")) for g in reading.groups]
    if ethnic is not None and old_groups != new_groups:
        reading.preview.append(
            Change(
                "change",
                None,
                _("Ethnic groups"),
                [
                    (
                        _("Ethnic groups"),
                        "; ".join(str(g[0]) for g in old_groups) or "—",
                        "; ".join(str(g[0]) for g in new_groups) or "—",
                    )
                ],
            )
        )
    for name, value in current.items():  # rows taken out of the workbook keep their values
        reading.data.setdefault(name, value)
    for key, entry in old_sources.items():
        if key not in rows_by_field and key not in reading.sources:
            reading.sources[key] = entry
    if ethnic is None:
        reading.groups = [{"name": g[0], "households": g[1], "persons": g[2]} for g in old_groups]
    if not reading.errors:
        _check(plan, reading, rows_by_field, sheet, ethnic or ETHNIC_SHEET)
    return reading


def _check(
    plan: VillagePlan,
    reading: Reading,
    rows: dict[str, Any],
    sheet: str,
    ethnic_sheet: str = ETHNIC_SHEET,
) -> None:
    """Judge the values with the writer's own rules (pure: nothing is written) and point each
    problem at its cell."""
    problems = validate_basic_info(
        BasicInfoContext(village=plan.village.name),
        BasicInfoData(values=reading.data, sources=reading.sources, ethnic_groups=reading.groups),
    )
    for problem in errors(problems):
        target = problem.where.field or ""
        row = rows.get(target)
        column = "value" if problem.where.column is None else problem.where.column
        letter = row.letters.get(column, "") if row is not None else ""
        reading.errors.append(
            CellError(
                sheet if target != ETHNIC_GROUPS else ethnic_sheet,
                row.number if row is not None else (problem.where.row or 0),
                letter,
                field_label(target) if target in (*ROW_FIELDS, ETHNIC_GROUPS) else "",
                row.values.get(column) if row is not None else None,
                problem.detail or problem.message,
            )
        )


def apply(actor: Any, plan: VillagePlan, reading: Reading) -> dict[str, int]:
    basic_info_save(
        actor=actor,
        plan=plan,
        data=reading.data,
        sources=reading.sources,
        ethnic_groups=reading.groups,
        expected_version=reading.version,
    )
    return {"added": 0, "changed": 1 if reading.preview else 0, "deleted": 0}


KEPT_VERSION = 1


def keep(reading: Reading) -> dict[str, Any]:
    """What the check found, as JSON: the whole basic information as it will be saved (the
    rows left out of the workbook with their values), the version the workbook was made from
    and whether anything changes."""
    return {
        "v": KEPT_VERSION,
        "data": keeping.dump(reading.data),
        "sources": keeping.dump(reading.sources),
        "groups": keeping.dump(reading.groups),
        "version": reading.version,
        "changed": bool(reading.preview),
    }


@dataclass
class Kept:
    """The kept basic information, ready for the writer."""

    data: dict[str, Any]
    sources: dict[str, Any]
    groups: list[dict[str, Any]]
    version: int | None
    changed: bool


def restore(plan: VillagePlan, kept: dict[str, Any]) -> Kept:
    kept = keeping.opened(kept, KEPT_VERSION)
    loader = keeping.Loader()
    data, sources, groups = loader.load_all([kept["data"], kept["sources"], kept["groups"]])
    return Kept(data, sources, groups, kept["version"], kept["changed"])


def write(actor: Any, plan: VillagePlan, kept: Kept) -> dict[str, int]:
    """Save the kept basic information with the real user (``basic_info_save`` checks the
    version and judges the record as it saves it, as the web form's save does)."""
    basic_info_save(
        actor=actor,
        plan=plan,
        data=kept.data,
        sources=kept.sources,
        ethnic_groups=kept.groups,
        expected_version=kept.version,
    )
    return {"added": 0, "changed": 1 if kept.changed else 0, "deleted": 0}
