"""F11: the envelope form out, pre-filled with the round's lines (or blank, to add lines)."""

from __future__ import annotations

from typing import Any

from kehoach.synthesis.choices import AreaScope
from kehoach.synthesis.models import CommunePlan, EnvelopeLine
from kehoach.synthesis.permissions import origin_for
from kehoach.synthesis.selectors import area_text, envelope_lines

from ... import choices as lists
from ...layouts import FormLayout, layout_for
from ...writing import Book, Table, build
from ..base import (
    heading,
    line_key,
)
from .common import FORM, _lists

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
    lines = envelope_lines(plan.round)
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
