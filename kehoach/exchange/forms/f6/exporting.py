"""F6 out: the proposals form pre-filled with the plan's lines (or blank), with its lists."""

from __future__ import annotations

from typing import Any

from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.selectors import plan_lines
from kehoach.plans.services.lines import (
    LINE_FIELDS,
)

from ... import choices as lists
from ...layouts import FormLayout, layout_for
from ...writing import Book, Table, build
from ..base import (
    heading,
    line_key,
)

FORM = "F6"
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
