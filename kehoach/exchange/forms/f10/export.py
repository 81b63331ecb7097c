"""F10: the workbook out — the lines with one column per criterion, the live score formula
and the rank at download."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.utils import get_column_letter

from kehoach.core.cells_out import Formula
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.selectors import lines_with_sources
from kehoach.synthesis.services.scoring import Criterion, criteria_of, line_scores

from ...layouts import Column, FormLayout, layout_for
from ...writing import Book, Table, build
from ..base import heading, line_key
from .common import FORM, LANGUAGE, _columns, _digest, _signature

INSTRUCTIONS = [
    "Hướng dẫn biểu chấm điểm, xếp hạng các hoạt động của xã (F10)",
    "1. Mỗi dòng là một dòng của kế hoạch xã; mỗi cột trong nhóm “Điểm theo tiêu chí” là một "
    "tiêu chí của quy trình, tiêu đề ghi số thứ tự, tên tiêu chí và trọng số (×1, ×2...).",
    "2. Các ô nền vàng là tiêu chí do xã chấm: ghi điểm từ 0 đến 5 (được ghi số lẻ, ví dụ 3,5); "
    "để trống là chưa chấm (tính 0 điểm); xóa điểm đã có thì để trống ô.",
    "3. Các cột bị khóa là tiêu chí hệ thống tự tính từ số liệu của dòng (thứ tự ưu tiên của "
    "thôn, số thôn cùng đề xuất, số người hưởng lợi, chi phí, tỷ lệ đóng góp); không sửa được.",
    "4. Cột “Điểm” do Excel tự tính lại khi bạn gõ (trung bình có trọng số, từ 0 đến 5). Cột "
    "“Thứ hạng” là thứ hạng lúc tải biểu về; kehoach xếp hạng lại khi tải biểu lên.",
    "5. Không thêm, không xóa dòng ở biểu này. Muốn đặt thứ hạng khác với thứ hạng theo điểm, "
    "dùng trang của dòng trên kehoach (phải ghi lý do).",
    "6. Nếu sau khi tải biểu về, một dòng đã được sửa trên kehoach, điểm mới của dòng đó bị từ "
    "chối: hãy tải biểu mới về và chấm lại dòng đó.",
]


def _score_formula(columns: list[Column], criteria: list[Criterion], row: int) -> Formula | None:
    """Σ weight × points / Σ weights, rounded to two decimals as kehoach rounds it."""
    keys = [c.key for c in columns]
    terms = []
    for criterion in criteria:
        key = f"c_{criterion.code}"
        if key not in keys or not criterion.weight:
            continue
        cell = f"{get_column_letter(keys.index(key) + 1)}{row}"
        terms.append(f"{criterion.weight}*MIN(5,MAX(0,N({cell})))")
    if not terms:
        return None
    total = sum((c.weight for c in criteria), Decimal(0)) or Decimal(1)
    return Formula(f"=ROUND(({'+'.join(terms)})/{total},2)")


def export(
    plan: CommunePlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
) -> bytes:
    layout = layout or layout_for(FORM, plan.round.profile)
    criteria = criteria_of(plan, LANGUAGE)
    judged = [c for c in criteria if not c.automatic]
    columns = _columns(layout, criteria)
    lines = lines_with_sources(plan)
    scores = line_scores(plan, lines)
    head = heading(plan.round.commune, plan.round.plan_year, FORM, "Chấm điểm, xếp hạng của xã")
    # as ``writing.build`` lays it out: the heading lines, a blank row, the title, the money
    # unit, a blank row, two header rows and the column numbers
    first_row = len(head) + 8
    rows = []
    for offset, line in enumerate(lines):
        score = scores[line.pk]
        villages = sorted(
            {s.village_line.plan.village.name for s in line.sources.all() if not s.withdrawn}
        )
        row: dict[str, Any] = {
            "number": line.number,
            "sector": line.sector.name,
            "activity": line.activity,
            "villages": line.organisation or ", ".join(villages),
            "village_priority": line.village_priority,
            "score": _score_formula(columns, criteria, first_row + offset) or score.score,
            "rank": score.rank,
        }
        manual = line.manual_scores or {}
        for point in score.points:
            code = point.criterion.code
            row[f"c_{code}"] = point.points if point.criterion.automatic else manual.get(code)
        rows.append(row)
    keys = [line_key(line.number) for line in lines]
    book = Book(
        form=FORM,
        layout=layout,
        heading=head,
        tables=[
            Table(
                name=FORM,
                columns=columns,
                rows=rows,
                keys=keys,
                blank_rows=0,
                totals=False,
                title=layout.title.format(year=plan.round.plan_year),
            )
        ],
        lists={},
        meta={
            "plan": str(plan.uid),
            "unit": plan.round.commune.code,
            "year": plan.round.plan_year,
            "criteria": _signature(criteria),
            "scores": ";".join(
                f"{k}:{_digest(x.manual_scores or {}, judged)}"
                for k, x in zip(keys, lines, strict=True)
            ),
            "lines": {k: (str(x.uid), x.version) for k, x in zip(keys, lines, strict=True)},
        },
        instructions=INSTRUCTIONS,
    )
    return build(book)
