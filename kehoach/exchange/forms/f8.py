"""F8 — the village meeting's minutes (one row per item) and its attendance list, saved with
``plans.services.meeting.meeting_save`` (the rules of the web form: figures consistent, the
meeting dated, quorum and approval computed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, ApplicationErrors
from kehoach.plans.models import VillageMeeting, VillagePlan
from kehoach.plans.services.meeting import MEETING_FIELDS, meeting_save

from .. import cells
from .. import choices as lists
from ..layouts import FormLayout, layout_for
from ..reading import Book as Upload
from ..writing import Book, Table, build
from .base import (
    CellError,
    Change,
    ReadingBase,
    checking_actor,
    compare,
    heading,
    plan_meta,
    read_table,
)

FORM = "F8"
ATTENDANCE_SHEET = "Danh sách dự họp"
DATES = {"held_on"}
COUNTS = {
    "households_total",
    "households_represented",
    "participants_total",
    "participants_women",
    "participants_poor",
    "participants_em",
    "participants_youth",
    "participants_elderly",
    "votes_agree",
    "votes_disagree",
    "votes_abstain",
}
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


def _label(name: str) -> str:
    return str(getattr(VillageMeeting._meta.get_field(name), "verbose_name", name)).capitalize()


def _lists() -> dict[str, lists.Choices]:
    return {"sexes": lists.sexes(), "poverty": lists.poverty()}


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


@dataclass
class Reading(ReadingBase):
    data: dict[str, Any] = field(default_factory=dict)
    attendees: list[dict[str, Any]] | None = None
    version: int | None = None


def read(
    plan: VillagePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = plan_meta(upload, FORM, plan)
    layout = layouts[0]
    sheet = upload.data_sheet(FORM)
    table = read_table(upload, sheet, layout.columns, {})
    reading = Reading(layout=layout, skipped=table.skipped, encoding=table.encoding)
    reading.errors = list(table.errors)
    version = meta.get("version") if meta else None
    reading.version = int(str(version)) if version not in (None, "", "0") else None
    rows = {}
    for row in table.rows:
        if row.key not in MEETING_FIELDS:
            continue
        rows[row.key] = row
        raw = row.values.get("value")
        try:
            if row.key in DATES:
                value: Any = cells.date(raw)
            elif row.key in COUNTS:
                value = cells.integer(raw)
            else:
                value = cells.text(raw)
        except Exception as exc:  # ParseError: a message for the cell
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("value", ""),
                    _label(row.key),
                    raw,
                    getattr(exc, "message", str(exc)),
                )
            )
            continue
        reading.data[row.key] = value
    attendee_rows: list[Any] = []
    if ATTENDANCE_SHEET in upload.sheet_names:
        people = read_table(upload, ATTENDANCE_SHEET, layout.attendance, _lists(), with_key=False)
        reading.errors += people.errors
        attendee_rows = [p for p in people.rows if p.values.get("full_name")]
        reading.attendees = [
            {k: ("" if v is None else v) for k, v in p.values.items() if k != "number"}
            for p in attendee_rows
        ]
        for person in reading.attendees:
            person.setdefault("sex", "female")
            person["sex"] = person["sex"] or "female"
            person["poverty_status"] = person.get("poverty_status") or "other"
    meeting = VillageMeeting.objects.filter(plan=plan).first()
    current = {name: getattr(meeting, name) for name in MEETING_FIELDS} if meeting else {}
    differences = compare(
        current, reading.data, {n: _label(n) for n in MEETING_FIELDS}, MEETING_FIELDS
    )
    if differences:
        reading.preview.append(
            Change("change" if meeting else "add", None, _("Village meeting"), differences)
        )
    if reading.attendees is not None:
        count = meeting.attendees.count() if meeting else 0
        if count != len(reading.attendees) or differences:
            reading.preview.append(
                Change(
                    "change",
                    None,
                    _("Attendance list"),
                    [(_("People"), str(count), str(len(reading.attendees)))],
                )
            )
    for name, value in current.items():
        reading.data.setdefault(name, value)
    if not reading.errors:
        try:
            with transaction.atomic():
                apply(None, plan, reading, check_only=True)
                transaction.set_rollback(True)
        except ApplicationErrors as exc:
            for error in exc.errors:
                index = error.where.row
                if index is not None and 1 <= index <= len(attendee_rows):
                    at = attendee_rows[index - 1]
                    column = layout.attendance_column(error.where.field or "")
                    reading.errors.append(
                        CellError(
                            ATTENDANCE_SHEET,
                            at.number,
                            at.letters.get(error.where.field or "", ""),
                            column.header if column else "",
                            at.values.get(error.where.field or ""),
                            error.detail or error.message,
                        )
                    )
                    continue
                found = rows.get(error.where.field or "")
                reading.errors.append(
                    CellError(
                        sheet,
                        found.number if found else 0,
                        found.letters.get("value", "") if found else "",
                        _label(error.where.field) if error.where.field else "",
                        found.values.get("value") if found else None,
                        error.detail or error.message,
                    )
                )
        except ApplicationError as exc:
            reading.errors.append(CellError(sheet, 0, "", "", None, exc.message))
    return reading


def apply(
    actor: Any, plan: VillagePlan, reading: Reading, *, check_only: bool = False
) -> dict[str, int]:
    if check_only:
        actor = checking_actor()
    meeting_save(
        actor=actor,
        plan=plan,
        data=reading.data,
        attendees=reading.attendees,
        expected_version=None if check_only else reading.version,
    )
    return {"added": 0, "changed": 1 if reading.preview else 0, "deleted": 0}
