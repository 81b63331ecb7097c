"""F14: the workbook of a commune plan's works with their latest reports."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from kehoach.core.cells_out import Formula
from kehoach.monitoring.selectors import works_with_progress
from kehoach.synthesis.models import CommunePlan

from ...layouts import Column, FormLayout, layout_for
from ...writing import Book, Table, build
from ..base import (
    heading,
    line_key,
)
from .common import (
    FORM,
    REPORTED,
    _columns,
    _envelope,
    _fingerprint_of_envelope,
    _money_key,
    _statuses,
)

INSTRUCTIONS = [
    "Hướng dẫn biểu theo dõi tiến độ thực hiện (F14)",
    "1. Mỗi dòng là một công trình (dòng được bố trí vốn) của kế hoạch xã đã công bố, kèm báo "
    "cáo tiến độ mới nhất lúc tải biểu. Không thêm, không xóa dòng ở biểu này.",
    "2. Các cột “Kế hoạch được duyệt” và cột “% hoàn thành” (tự tính) bị khóa. Chỉ sửa các ô "
    "màu vàng.",
    "3. Số liệu là lũy kế đến ngày báo cáo (khối lượng đã làm, tiền đã giải ngân, dân đã đóng "
    "góp từ đầu đến nay), không phải số phát sinh trong kỳ.",
    "4. Mỗi dòng có thay đổi trở thành một báo cáo tiến độ mới của công trình; các báo cáo cũ "
    "vẫn được giữ trong lịch sử. Dòng không sửa thì không tạo báo cáo.",
    "5. Tiền đã giải ngân ghi theo từng dòng khung nguồn lực (triệu đồng), chỉ ở cột của nguồn "
    "vốn đã bố trí cho công trình đó; ô của nguồn khác để trống.",
    "6. Vượt khối lượng được duyệt, số vốn được bố trí từ một nguồn hoặc mức dân đóng góp đã "
    "cam kết: bắt buộc ghi lý do ở cột “Lý do vượt kế hoạch được duyệt”.",
    "7. Tình trạng chọn trong danh sách. Đang thực hiện hoặc hoàn thành: ghi ngày khởi công thực "
    "tế; hoàn thành: ghi thêm ngày hoàn thành; tạm dừng hoặc hủy: ghi lý do. Không ghi ngày "
    "sau ngày hôm nay.",
    "8. Nếu sau khi tải biểu đã có báo cáo mới hơn của một công trình trên trang web, dòng của "
    "công trình đó không được sửa trong biểu này: hãy tải biểu mới.",
    "9. Ảnh công trình (trước, trong, sau khi thi công) tải lên ở trang của công trình.",
]


def _percent_formula(columns: list[Column], row: int) -> Formula | None:
    """The live percentage done, a formula of kehoach's own (any other text is written as
    text, see ``core.cells_out``)."""
    keys = [c.key for c in columns]
    if "quantity" not in keys or "quantity_done" not in keys:
        return None
    planned = f"{get_column_letter(keys.index('quantity') + 1)}{row}"
    done = f"{get_column_letter(keys.index('quantity_done') + 1)}{row}"
    return Formula(f'=IF(AND(ISNUMBER({done}),N({planned})>0),ROUND({done}/{planned}*100,1),"")')


def export(
    plan: CommunePlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
) -> bytes:
    layout = layout or layout_for(FORM, plan.round.profile)
    works = works_with_progress(plan)
    envelope = _envelope(works)
    columns = _columns(layout, envelope)
    statuses = _statuses()
    first = _first_data_row(plan)
    money_keys = {e.pk: _money_key(e) for e in envelope}
    rows = []
    for offset, work in enumerate(works):
        report = work.latest
        row: dict[str, Any] = {
            "number": work.number,
            "sector": work.sector.name,
            "activity": work.activity,
            "location": work.location,
            "unit": work.unit.name,
            "quantity": work.quantity,
            "start_month": work.start_month,
            "end_month": work.end_month,
            "total_cost_mvnd": work.total_cost_mvnd,
            "funded_mvnd": work.funded,
            "percent": _percent_formula(columns, first + offset),
        }
        if report is not None:
            row.update({name: getattr(report, name) for name in REPORTED})
            row["status"] = statuses.label_of(report.status)
            for d in report.disbursements.all():
                if d.envelope_line_id in money_keys:
                    row[money_keys[d.envelope_line_id]] = d.amount_mvnd
        rows.append(row)
    keys = [line_key(work.number) for work in works]
    book = Book(
        form=FORM,
        layout=layout,
        heading=heading(
            plan.round.commune, plan.round.plan_year, FORM, "Biểu theo dõi tiến độ thực hiện"
        ),
        tables=[
            Table(
                name=FORM,
                columns=columns,
                rows=rows,
                keys=keys,
                blank_rows=0,
                title=layout.title.format(year=plan.round.plan_year),
            )
        ],
        lists={"statuses": statuses.labels},
        meta={
            "plan": str(plan.uid),
            "unit": plan.round.commune.code,
            "year": plan.round.plan_year,
            "envelope": _fingerprint_of_envelope(envelope),
            "reports": ";".join(
                f"{key}={work.latest.uid if work.latest else ''}"
                for key, work in zip(keys, works, strict=True)
            ),
            "lines": {k: (str(w.uid), w.version) for k, w in zip(keys, works, strict=True)},
        },
        instructions=INSTRUCTIONS,
    )
    return build(book)


def _first_data_row(plan: CommunePlan) -> int:
    """The first data row as ``writing.build`` lays it out: the heading lines, a blank row,
    the title, the money unit, a blank row, two header rows and the column numbers."""
    lines = len(heading(plan.round.commune, plan.round.plan_year, FORM, ""))
    return lines + 1 + 1 + 1 + 2 + 3
