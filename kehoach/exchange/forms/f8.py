"""F8 — the village meeting's minutes (one row per item) and its attendance list, checked with
the pure rules of the web form (``validate_meeting``, ``validate_attendance``: figures
consistent, the meeting dated; nothing written) and saved by the real user with
``plans.services.meeting.meeting_save``. The confirmation saves what the check kept
(``keep``/``restore``/``write``) without reading the workbook again: the meeting record by
``meeting_save``, the people added to and removed from the attendance list by its batch writer
``attendees_apply`` (the people who stay are neither judged nor written again)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, errors
from kehoach.plans.models import Attendee, VillageMeeting, VillagePlan
from kehoach.plans.services.attendance import (
    ATTENDEE_FIELDS,
    AttendeeChanges,
    attendees_apply,
    clean_attendee,
    validate_attendance,
)
from kehoach.plans.services.meeting import (
    MEETING_FIELDS,
    clean_meeting,
    meeting_context,
    meeting_save,
    validate_meeting,
)

from .. import cells
from .. import choices as lists
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
)
from .f8_items import (
    ATTENDANCE_SHEET,
    ATTENDANCE_SHEETS,
    COUNTS,
    DATES,
    NUMBER_COLUMN,
    _count,
    _day,
    _expected_labels,
    _label,
    _rows_by_label,
)

FORM = "F8"
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
class Attendance:
    """What a checked attendance list changes: the people to add (their clean values) and
    the people to remove (``[pk, full name]``), as ``replace_attendees`` would find them."""

    adds: list[dict[str, Any]] = field(default_factory=list)
    removals: list[list[Any]] = field(default_factory=list)


@dataclass
class Reading(ReadingBase):
    data: dict[str, Any] = field(default_factory=dict)
    attendees: list[dict[str, Any]] | None = None
    version: int | None = None
    attendance: Attendance | None = None


def _no_known_row(sheet: str) -> ApplicationError:
    return ApplicationError(
        "f8_no_known_row",
        _(
            "Sheet “%(sheet)s” has no item of the village meeting minutes, so nothing would "
            "be saved. Put each item on its own row, named as on the form, for example: "
            "%(labels)s."
        )
        % {"sheet": sheet, "labels": _expected_labels()},
        Where(sheet=sheet),
    )


def read(
    plan: VillagePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = plan_meta(upload, FORM, plan)
    layout = layouts[0]
    people_sheet = find_sheet(upload, ATTENDANCE_SHEETS)
    sheet = main_sheet(upload, FORM, besides=[people_sheet] if people_sheet else [])
    if people_sheet == sheet:
        people_sheet = None
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
    reading.version = int(str(version)) if version not in (None, "", "0") else None
    rows = {}
    for row in table.rows:
        if not row.key:  # minutes made elsewhere: the item is the one its label names
            label = cells.text(row.values.get("label") or "")
            row.key = named.get(clean(label), "")
            if not row.key and label:
                reading.skipped.append(
                    (
                        row.number,
                        _("“%(field)s” is not an item of the village meeting minutes.")
                        % {"field": label},
                    )
                )
        if row.key not in MEETING_FIELDS:
            continue
        rows[row.key] = row
        raw = row.values.get("value")
        try:
            if row.key in DATES:
                value: Any = _day(raw)
            elif row.key in COUNTS:
                value = _count(raw)
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
    if not meta and not rows:
        raise _no_known_row(sheet)
    attendee_rows: list[Any] = []
    if people_sheet is not None:
        people = read_table(
            upload, people_sheet, layout.attendance, _lists(), with_key=False, form=FORM
        )
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
        for problem in _problems(plan, reading):
            _place(problem, reading, rows, attendee_rows, layout, sheet, people_sheet)
    if not reading.errors and reading.attendees is not None:
        reading.attendance = _attendance(meeting, reading.attendees)
    return reading


def _attendance(meeting: VillageMeeting | None, rows: list[dict[str, Any]]) -> Attendance:
    """The people a valid list adds and removes, as ``replace_attendees`` pairs them: a
    person on both lists with the same values is neither."""
    cleaned = [clean_attendee(row) for row in rows if nfc(str(row.get("full_name") or ""))]

    def key(values: Any) -> tuple[Any, ...]:
        return tuple(values[f] for f in ATTENDEE_FIELDS)

    old: list[Attendee] = list(meeting.attendees.all()) if meeting else []
    stays = Counter(key(values) for values in cleaned)
    out = Attendance()
    for person in old:
        person_key = key({f: getattr(person, f) for f in ATTENDEE_FIELDS})
        if stays[person_key] > 0:
            stays[person_key] -= 1
        else:
            out.removals.append([person.pk, person.full_name])
    had = Counter(key({f: getattr(p, f) for f in ATTENDEE_FIELDS}) for p in old)
    for values in cleaned:
        if had[key(values)] > 0:
            had[key(values)] -= 1
        else:
            out.adds.append(values)
    return out


def _problems(plan: VillagePlan, reading: Reading) -> list[Problem]:
    """The writer's rules, pure: the meeting record first; the attendance list once the record
    holds (``meeting_save`` judges them in that order)."""
    found = errors(validate_meeting(meeting_context(plan), clean_meeting(reading.data)))
    if not found and reading.attendees is not None:
        found = errors(validate_attendance(reading.attendees))
    return found


def _place(
    problem: Problem,
    reading: Reading,
    rows: dict[str, Any],
    attendee_rows: list[Any],
    layout: FormLayout,
    sheet: str,
    people_sheet: str | None = None,
) -> None:
    """Point a problem at its cell: a person's on the attendance sheet, the record's on F8."""
    index = problem.where.row
    if index is not None and 1 <= index <= len(attendee_rows):
        at = attendee_rows[index - 1]
        column = layout.attendance_column(problem.where.field or "")
        reading.errors.append(
            CellError(
                people_sheet or ATTENDANCE_SHEET,
                at.number,
                at.letters.get(problem.where.field or "", ""),
                column.header if column else "",
                at.values.get(problem.where.field or ""),
                problem.detail or problem.message,
            )
        )
        return
    found = rows.get(problem.where.field or "")
    reading.errors.append(
        CellError(
            sheet,
            found.number if found else 0,
            found.letters.get("value", "") if found else "",
            _label(problem.where.field) if problem.where.field else "",
            found.values.get("value") if found else None,
            problem.detail or problem.message,
        )
    )


def apply(actor: Any, plan: VillagePlan, reading: Reading) -> dict[str, int]:
    meeting_save(
        actor=actor,
        plan=plan,
        data=reading.data,
        attendees=reading.attendees,
        expected_version=reading.version,
    )
    return {"added": 0, "changed": 1 if reading.preview else 0, "deleted": 0}


KEPT_VERSION = 1


def keep(reading: Reading) -> dict[str, Any]:
    """What the check found, as JSON: the meeting record as it will be saved, the version the
    workbook was made from, the people added and removed (None: the workbook has no
    attendance list, the list stays), and whether anything changes."""
    attendance = reading.attendance
    return {
        "v": KEPT_VERSION,
        "data": keeping.dump(reading.data),
        "version": reading.version,
        "adds": None if attendance is None else keeping.dump(attendance.adds),
        "removals": None if attendance is None else attendance.removals,
        "changed": bool(reading.preview),
    }


@dataclass
class Kept:
    """The kept meeting record and attendance changes, ready for the writers."""

    data: dict[str, Any]
    version: int | None
    attendance: Attendance | None
    changed: bool


def restore(plan: VillagePlan, kept: dict[str, Any]) -> Kept:
    kept = keeping.opened(kept, KEPT_VERSION)
    loader = keeping.Loader()
    attendance = None
    if kept["adds"] is not None:
        attendance = Attendance(adds=loader.load(kept["adds"]), removals=kept["removals"])
    return Kept(loader.load(kept["data"]), kept["version"], attendance, kept["changed"])


def write(actor: Any, plan: VillagePlan, kept: Kept) -> dict[str, int]:
    """Save the kept meeting record (``meeting_save`` checks the version and judges the one
    record), then add and remove the kept people of the attendance list in one batch
    (``attendees_apply`` judges the people added; a person removed meanwhile refuses all)."""
    meeting_save(actor=actor, plan=plan, data=kept.data, expected_version=kept.version)
    attendance = kept.attendance
    if attendance is not None and (attendance.adds or attendance.removals):
        removals = [Attendee(pk=pk, full_name=name) for pk, name in attendance.removals]
        attendees_apply(
            actor=actor,
            plan=plan,
            changes=AttendeeChanges(adds=attendance.adds, removals=removals),
        )
    return {"added": 0, "changed": 1 if kept.changed else 0, "deleted": 0}
