"""F7 out: the five-year plan of a village with its lists, one group of columns per year of
the period (quantity, cost, status); a status kehoach derives from the yearly plans is written
locked, a status set by hand (planned, dropped) is chosen from the drop-down."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles import PatternFill, Protection

from kehoach.midterm.choices import SET_BY_HAND
from kehoach.midterm.models import MediumTermLine, MediumTermPlan
from kehoach.midterm.selectors import plan_lines
from kehoach.midterm.selectors_drawing import year_statuses

from ...layouts import FormLayout, layout_for
from ...writing import Book, Table, build
from ..base import heading, line_key
from .common import (
    FORM,
    FORM_NAME,
    LINE_KEYS,
    STATUS_LABELS,
    form_lists,
    period_columns,
    settable_labels,
    year_key,
)

DERIVED_FILL = PatternFill("solid", fgColor="E8E8E8")
INSTRUCTIONS = [
    "Hướng dẫn điền kế hoạch phát triển thôn 5 năm (F7)",
    "1. Mỗi dòng là một hoạt động hoặc công trình thôn dự kiến thực hiện trong kỳ kế hoạch. "
    "Điền vào các ô nền vàng; các ô khác được khóa để giữ đúng mẫu.",
    "2. Mỗi năm của kỳ có ba cột: Khối lượng, Kinh phí (triệu đồng) và Tình trạng. Để trống "
    "khối lượng và kinh phí của năm không thực hiện.",
    "3. Tổng kinh phí các năm phải bằng Dân đóng góp + Hỗ trợ từ bên ngoài đề nghị.",
    "4. Lĩnh vực, đơn vị tính, nguồn vốn, phương thức thực hiện và tình trạng: chọn trong danh "
    "sách (mũi tên bên phải ô). Chỉ chọn được “Dự kiến” hoặc “Bỏ”; các tình trạng khác do hệ "
    "thống tính từ kế hoạch năm và được khóa.",
    "5. Khi chuyển một năm sang “Bỏ”, ghi lý do ở cột “Lý do bỏ”.",
    "6. Số tiền có thể gõ 1.200 hoặc 1200, 12,5, hoặc 350 triệu, 1,2 tỷ.",
    "7. Không sửa cột ẩn “Mã dòng” và trang ẩn “_kehoach”: chúng giúp hệ thống nhận ra từng dòng "
    "khi tải biểu lên. Dòng mới thêm vào không cần mã dòng.",
    "8. Tải biểu lên ở trang kế hoạch 5 năm của thôn. Hệ thống kiểm tra toàn bộ biểu, cho xem "
    "trước những gì sẽ thay đổi và chỉ lưu khi bạn xác nhận; nếu có ô sai, không có gì được lưu "
    "và hệ thống chỉ rõ trang, ô, giá trị và cách sửa.",
]


def _row(
    line: MediumTermLine, choices: dict[str, Any], statuses: dict[int, Any]
) -> tuple[dict[str, Any], set[str]]:
    """The line's cells, and the keys of its status cells derived by kehoach (locked)."""
    data: dict[str, Any] = {name: getattr(line, name) for name in LINE_KEYS}
    data["number"] = line.number
    data["sector"] = choices["sectors"].label_of(line.sector)
    data["unit"] = choices["units"].label_of(line.unit)
    data["proposed_source"] = (
        choices["sources"].label_of(line.proposed_source) if line.proposed_source_id else None
    )
    data["implementation_mode"] = choices["modes"].label_of(line.implementation_mode)
    derived: set[str] = set()
    reasons: list[str] = []
    for item in line.years.all():
        status = str(statuses.get(item.pk, item.status))
        data[year_key("year_quantity", item.year)] = item.quantity
        data[year_key("year_cost_mvnd", item.year)] = item.cost_mvnd
        data[year_key("year_status", item.year)] = STATUS_LABELS.get(status, status)
        if status not in SET_BY_HAND:
            derived.add(year_key("year_status", item.year))
        if item.dropped_reason and item.dropped_reason not in reasons:
            reasons.append(item.dropped_reason)
    data["dropped_reason"] = "; ".join(reasons) or None
    return data, derived


def _heading(plan: MediumTermPlan) -> list[tuple[str, str]]:
    """The units, the period (not one plan year) and the form code."""
    round_ = plan.round
    rows = heading(plan.village, round_.first_year, FORM, FORM_NAME)
    period = ("Kỳ kế hoạch", f"{round_.first_year}–{round_.last_year}")
    return [period if label == "Năm kế hoạch" else (label, value) for label, value in rows]


def export(
    plan: MediumTermPlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
    blank: bool = False,
) -> bytes:
    """The five-year plan's form, pre-filled with its activities (``blank``: without them)."""
    round_ = plan.round
    layout = layout or layout_for(FORM, round_.profile)
    choices = form_lists(plan)
    columns = period_columns(layout, round_.years)
    lines = [] if blank else plan_lines(plan)
    keys = [line_key(line.number) for line in lines]
    statuses = year_statuses([item for line in lines for item in line.years.all()])
    rows = [_row(line, choices, statuses) for line in lines]
    book = Book(
        form=FORM,
        layout=layout,
        heading=_heading(plan),
        tables=[
            Table(
                name=FORM,
                columns=columns,
                rows=[data for data, _derived in rows],
                keys=keys,
                title=layout.title.replace("{first}", str(round_.first_year)).replace(
                    "{last}", str(round_.last_year)
                ),
            )
        ],
        lists={
            **{name: c.labels for name, c in choices.items() if name != "statuses"},
            "statuses": settable_labels(),
        },
        meta={
            "plan": str(plan.uid),
            "unit": plan.village.code,
            "round": str(round_.uid),
            "first_year": round_.first_year,
            "last_year": round_.last_year,
            "lines": {
                k: (str(line.uid), line.version) for k, line in zip(keys, lines, strict=True)
            },
        },
        instructions=INSTRUCTIONS,
        money_unit=layout.money_unit,
    )
    data = build(book)
    locked = [(offset, derived) for offset, (_d, derived) in enumerate(rows) if derived]
    return _lock_derived(data, columns, locked) if locked else data


def _lock_derived(data: bytes, columns: list[Any], locked: list[tuple[int, set[str]]]) -> bytes:
    """Lock (and grey) the status cells kehoach derives from the yearly plans: a person cannot
    change them, and an upload that does is refused with the cell named."""
    book = load_workbook(io.BytesIO(data))
    ws = book[FORM]
    first = _first_data_row(ws)
    position = {c.key: index for index, c in enumerate(columns, start=1)}
    for offset, keys in locked:
        for key in keys:
            cell = ws.cell(row=first + offset, column=position[key])
            cell.protection = Protection(locked=True)
            cell.fill = DERIVED_FILL
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _first_data_row(ws: Any) -> int:
    """The row under the row of column numbers (1, 2, 3 … written under the headers)."""
    for row in range(1, 60):
        if ws.cell(row=row, column=1).value == 1 and ws.cell(row=row, column=2).value == 2:
            return row + 1
    raise LookupError("no header")
