"""F6 — the village's proposals (Biểu đề xuất kế hoạch thôn): out pre-filled, in with every
line checked by the same rules as the web form (``plans.services.lines.validate_line``) and
applied at once by ``proposal_lines_import``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.selectors import plan_lines
from kehoach.plans.services.lines import (
    LINE_FIELDS,
    LineChange,
    field_label,
    proposal_lines_import,
    validate_line,
)

from .. import choices as lists
from ..layouts import FormLayout, layout_for
from ..reading import Book as Upload
from ..reading import HeaderSpec, find_header
from ..writing import Book, Table, build
from .base import (
    CellError,
    Change,
    ReadingBase,
    RowValues,
    compare,
    heading,
    line_key,
    read_meta,
    read_table,
)

FORM = "F6"
PREVIEW_DETAILS = 300
"""New lines shown with every value they fill in the preview; further ones by name only (the
preview of a 20,000-line workbook stays readable, and quick)."""
SPLIT = ["contribution_cash_mvnd", "contribution_labour_mvnd", "contribution_materials_mvnd"]
INSTRUCTIONS = [
    "Hướng dẫn điền biểu đề xuất kế hoạch thôn (F6)",
    "1. Mỗi dòng là một hoạt động hoặc công trình thôn đề xuất. Điền vào các ô nền vàng; các ô "
    "khác được khóa để giữ đúng mẫu. Có thể chèn hoặc xóa dòng.",
    "2. Lĩnh vực, đơn vị tính, nguồn vốn, phương thức thực hiện và thứ tự ưu tiên: chọn trong "
    "danh sách (mũi tên bên phải ô).",
    "3. Số tiền tính bằng triệu đồng (trừ khi tiêu đề cột ghi khác). Có thể gõ 1.200 hoặc 1200 "
    "(một nghìn hai trăm), 12,5 (mười hai phẩy năm), hoặc 350 triệu, 1,2 tỷ.",
    "4. Tổng kinh phí = Dân đóng góp + Hỗ trợ từ bên ngoài đề nghị. Nếu chia nhỏ dân đóng góp, "
    "Tiền mặt + Ngày công quy đổi + Vật liệu, hiến đất phải bằng Dân đóng góp.",
    "5. Thời gian ghi tháng/năm, ví dụ 03/2027, trong năm kế hoạch.",
    "6. Để xóa một hoạt động, xóa cả dòng. Dòng mới thêm vào không cần mã dòng.",
    "7. Không sửa cột ẩn “Mã dòng” và trang ẩn “_kehoach”: chúng giúp hệ thống nhận ra từng dòng "
    "khi tải biểu lên.",
    "8. Tải biểu lên ở trang kế hoạch thôn, mục Biểu Excel. Hệ thống kiểm tra toàn bộ biểu, cho "
    "xem trước những gì sẽ thay đổi và chỉ lưu khi bạn xác nhận; nếu có ô sai, không có gì được "
    "lưu và hệ thống chỉ rõ trang, ô, giá trị và cách sửa.",
]


def _lists(plan: VillagePlan) -> dict[str, lists.Choices]:
    year = plan.round.plan_year
    return {
        "sectors": lists.sectors(),
        "units": lists.units(),
        "sources": lists.sources(year),
        "priorities": lists.priorities(plan.round.profile),
        "modes": lists.modes(),
    }


def _row(line: ProposalLine, choices: dict[str, lists.Choices]) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(line, name) for name in LINE_FIELDS}
    data["number"] = line.number
    data["sector"] = choices["sectors"].label_of(line.sector)
    data["unit"] = choices["units"].label_of(line.unit)
    data["proposed_source"] = (
        choices["sources"].label_of(line.proposed_source) if line.proposed_source_id else None
    )
    data["implementation_mode"] = choices["modes"].label_of(line.implementation_mode)
    return data


def export(
    plan: VillagePlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
    blank: bool = False,
) -> bytes:
    """The proposals form, pre-filled with the plan's lines (``blank``: without them, to add
    new lines only; nothing is removed when it comes back)."""
    layout = layout or layout_for(FORM, plan.round.profile)
    choices = _lists(plan)
    lines = [] if blank else list(plan_lines(plan))
    keys = [line_key(line.number) for line in lines]
    book = Book(
        form=FORM,
        layout=layout,
        heading=heading(plan.village, plan.round.plan_year, FORM, "Biểu đề xuất kế hoạch thôn"),
        tables=[
            Table(
                name=FORM,
                columns=layout.columns,
                rows=[_row(line, choices) for line in lines],
                keys=keys,
                title=layout.title.format(year=plan.round.plan_year),
            )
        ],
        lists={name: c.labels for name, c in choices.items()},
        meta={
            "plan": str(plan.uid),
            "unit": plan.village.code,
            "round": str(plan.round.uid),
            "year": plan.round.plan_year,
            "lines": {
                k: (str(line.uid), line.version) for k, line in zip(keys, lines, strict=True)
            },
        },
        instructions=INSTRUCTIONS,
        money_unit=layout.money_unit,
    )
    return build(book)


@dataclass
class Reading(ReadingBase):
    """An upload read against a plan: the changes it asks for and what is wrong in it."""

    changes: list[LineChange] = field(default_factory=list)


def _data(row: RowValues, present: set[str], new: bool) -> dict[str, Any]:
    """The line's values from a row. A blank cell of a new line takes the default (no source,
    community-run, 0 …); of an existing line it clears the value."""
    data = {k: v for k, v in row.values.items() if k in LINE_FIELDS}
    if new:
        return {k: v for k, v in data.items() if v is not None and v != ""}
    for name in ("contribution_mvnd", "external_support_mvnd"):
        if name in present and data.get(name) is None:
            data[name] = Decimal(0)
    return data


def _cell_error(
    sheet: str, row: RowValues, error: ApplicationError, layout: FormLayout
) -> CellError:
    field_name = error.where.field or ""
    letter = row.letters.get(field_name, "")
    column = layout.column(field_name)
    header = column.header if column else field_label(field_name) if field_name else ""
    return CellError(
        sheet,
        row.number,
        letter or "",
        header,
        row.values.get(field_name) if field_name else None,
        error.detail or error.message,
    )


def read(
    plan: VillagePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = read_meta(upload)
    if meta:
        if meta.get("form") != FORM:
            raise ApplicationError(
                "wrong_form",
                _("This workbook is the form %(found)s, not %(form)s; upload it on its own page.")
                % {"found": meta.get("form") or "?", "form": FORM},
            )
        if meta.get("plan") != str(plan.uid):
            raise ApplicationError(
                "wrong_plan",
                _(
                    "This workbook was downloaded for another village plan (unit %(unit)s, "
                    "year %(year)s); download the form of this plan and copy your lines into it."
                )
                % {"unit": meta.get("unit") or "?", "year": meta.get("year") or "?"},
            )
    chosen = _layout(upload, meta, layouts)
    choices = _lists(plan)
    sheet = upload.data_sheet(FORM)
    table = read_table(upload, sheet, chosen.columns, choices)
    reading = Reading(layout=chosen, skipped=table.skipped, encoding=table.encoding)
    reading.errors = list(table.errors)
    wrong_rows = {e.row for e in table.errors}
    lines = {str(line.uid): line for line in ProposalLine.objects.alive().filter(plan=plan)}
    known = meta.get("lines", {}) if meta else {}
    seen: dict[str, int] = {}
    labels = {name: field_label(name) for name in LINE_FIELDS}
    highest = max((line.number for line in lines.values()), default=0)
    added = 0
    for row in table.rows:
        if row.key:
            if row.key in seen:
                reading.errors.append(
                    CellError(
                        sheet,
                        row.number,
                        row.letters.get("__key", ""),
                        _("Line key"),
                        row.key,
                        _(
                            "the same line key as row %(row)s: a row was copied; clear the key "
                            "of the new row (its hidden last cell)."
                        )
                        % {"row": seen[row.key]},
                    )
                )
                continue
            seen[row.key] = row.number
        entry = known.get(row.key) if row.key else None
        line = lines.get(entry[0]) if entry else None
        if row.key and line is None:
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("__key", ""),
                    _("Line key"),
                    row.key,
                    _(
                        "this line is not in the plan any more (deleted in kehoach); clear its key "
                        "to add it again as a new line."
                    ),
                )
            )
            continue
        data = _data(row, table.present, new=line is None)
        if (
            line is not None
            and "contribution_mvnd" in data
            and not (set(SPLIT) & table.present)
            and Decimal(data["contribution_mvnd"] or 0) != line.contribution_mvnd
        ):
            for name in SPLIT:
                data[name] = Decimal(0)
            reading.notes.append(
                _(
                    "Row %(row)s: the contribution changed and this layout has no cash/labour/"
                    "materials columns, so the split of line %(number)s is cleared."
                )
                % {"row": row.number, "number": line.number}
            )
        where = Where(sheet=sheet, row=row.number)
        number = line.number if line else highest + added + 1
        base = {f: getattr(line, f) for f in LINE_FIELDS} if line else {}
        if row.number not in wrong_rows:
            try:
                values = validate_line(plan.round, number, {**base, **data})
            except ApplicationErrors as exc:
                reading.errors += [_cell_error(sheet, row, e, chosen) for e in exc.errors]
                continue
        else:
            continue
        if line is None:
            added += 1
            reading.changes.append(LineChange(data=data, where=where))
            reading.preview.append(
                Change(
                    "add",
                    row.number,
                    f"{number}. {values['activity']}",
                    _added_fields(values, labels) if added <= PREVIEW_DETAILS else [],
                )
            )
            continue
        differences = compare(base, values, labels, LINE_FIELDS)
        if differences and entry and entry[1] is not None and line.version != entry[1]:
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("activity", ""),
                    labels["activity"],
                    row.values.get("activity"),
                    _changed_since(line),
                )
            )
            continue
        if differences:
            reading.changes.append(
                LineChange(data=data, line=line, version=entry[1] if entry else None, where=where)
            )
            reading.preview.append(
                Change("change", row.number, f"{line.number}. {line.activity}", differences)
            )
    if meta:
        present_keys = set(seen)
        for key, (uid, version) in known.items():
            line = lines.get(uid)
            if key not in present_keys and line is not None:
                if version is not None and line.version != version:
                    reading.errors.append(CellError(sheet, 0, "", "", None, _changed_since(line)))
                    continue
                reading.changes.append(LineChange(data={}, line=line, version=version, delete=True))
                reading.preview.append(
                    Change("remove", None, f"{line.number}. {line.activity}", [])
                )
    return reading


def _added_fields(values: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """Every field a new line fills (in the form's order), as the preview shows it: a choice
    by its label, not its code."""
    fields = []
    for key in LINE_FIELDS:
        choices = dict(getattr(ProposalLine._meta.get_field(key), "choices", None) or [])
        for label, _before, after in compare({}, values, labels, [key]):
            fields.append((label, "—", str(choices.get(values[key], after))))
    return fields


def _changed_since(line: ProposalLine) -> str:
    return _(
        "line %(number)s “%(activity)s” was changed in kehoach after this workbook was "
        "downloaded; download the form again and make your changes there, so that the other "
        "change is not lost."
    ) % {"number": line.number, "activity": line.activity}


def _layout(upload: Upload, meta: dict[str, Any], layouts: list[FormLayout]) -> FormLayout:
    if meta.get("layout"):
        for layout in layouts:
            if layout.code == meta["layout"]:
                return layout
    sheet = upload.sheet(upload.data_sheet(FORM))
    best: tuple[int, FormLayout] | None = None
    for layout in layouts:
        specs = [HeaderSpec(c.key, c.labels, required=c.required) for c in layout.columns]
        try:
            header = find_header(sheet, specs)
        except ApplicationError:
            continue
        score = len(header.columns)
        if best is None or score > best[0]:
            best = (score, layout)
    if best is None:
        # refuse with the message of the official layout (it lists the missing columns)
        official = layouts[0]
        find_header(
            sheet, [HeaderSpec(c.key, c.labels, required=c.required) for c in official.columns]
        )
        raise ApplicationError("layout_unknown", _("The columns of this workbook are not known."))
    return best[1]


def apply(actor: Any, plan: VillagePlan, reading: Reading) -> dict[str, int]:
    return proposal_lines_import(actor=actor, plan=plan, changes=reading.changes)
