"""F8: the workbook of a village meeting — the minutes, one row per item, and the attendance
list on a sheet of its own."""

from __future__ import annotations

from typing import Any

from kehoach.plans.models import VillageMeeting, VillagePlan
from kehoach.plans.services.meeting import MEETING_FIELDS

from ...layouts import FormLayout, layout_for
from ...writing import Book, Table, build
from ..base import heading
from .common import FORM, _lists
from .items import ATTENDANCE_SHEET, _label

INSTRUCTIONS = [
    "Hướng dẫn điền biên bản họp thôn (F8)",
    "1. Ghi từng mục của biên bản vào cột Giá trị (nền vàng). Ngày họp viết dd/mm/yyyy.",
    "2. Các số: số hộ trong thôn, số hộ có đại diện dự họp, số người dự họp và trong đó nữ, người "
    "hộ nghèo/cận nghèo, người DTTS, thanh niên, người cao tuổi; số phiếu đồng ý, không đồng ý, "
    "không ý kiến.",
    "3. Hệ thống tính: cuộc họp đủ điều kiện khi trên 50% số hộ có đại diện dự họp, được thông qua "
    "khi trên 50% người dự họp đồng ý.",
    "4. Trang “Danh sách dự họp” (không bắt buộc): mỗi dòng một người dự họp.",
]


def export(
    plan: VillagePlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
) -> bytes:
    layout = layout or layout_for(FORM, plan.round.profile)
    meeting = VillageMeeting.objects.filter(plan=plan).first()
    choices = _lists()
    rows = [
        {"label": _label(name), "value": getattr(meeting, name) if meeting else None}
        for name in MEETING_FIELDS
    ]
    attendees = list(meeting.attendees.all()) if meeting else []
    book = Book(
        form=FORM,
        layout=layout,
        heading=heading(plan.village, plan.round.plan_year, FORM, "Biên bản họp thôn"),
        tables=[
            Table(
                name=FORM,
                columns=layout.columns,
                rows=rows,
                keys=list(MEETING_FIELDS),
                blank_rows=0,
                totals=False,
                title=layout.title.format(year=plan.round.plan_year),
            ),
            Table(
                name=ATTENDANCE_SHEET,
                columns=layout.attendance,
                rows=[
                    {
                        "number": i,
                        "full_name": a.full_name,
                        "sex": choices["sexes"].label_of(a.sex),
                        "ethnicity": a.ethnicity,
                        "poverty_status": choices["poverty"].label_of(a.poverty_status),
                        "household": a.household,
                    }
                    for i, a in enumerate(attendees, start=1)
                ],
                blank_rows=80,
                totals=False,
                title="DANH SÁCH NGƯỜI DỰ HỌP",
            ),
        ],
        lists={name: c.labels for name, c in choices.items()},
        meta={
            "plan": str(plan.uid),
            "unit": plan.village.code,
            "year": plan.round.plan_year,
            "version": meeting.version if meeting else 0,
        },
        instructions=INSTRUCTIONS,
    )
    return build(book)
