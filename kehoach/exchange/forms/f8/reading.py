"""F8: reading a workbook back — the minutes' items (by their keys in a kehoach workbook, by
their labels in minutes made elsewhere) and the attendance list, judged by the writer's own
rules (pure: nothing is written), each problem on its cell."""

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
    clean_attendee,
    validate_attendance,
)
from kehoach.plans.services.meeting import (
    MEETING_FIELDS,
    clean_meeting,
    meeting_context,
    validate_meeting,
)

from ... import cells
from ...layouts import FormLayout
from ...reading import Book as Upload
from ...reading.headers import clean
from ...reading.sheets import find_sheet, main_sheet
from ..base import CellError, Change, ReadingBase, compare, plan_meta, read_table
from .common import FORM, _lists
from .items import (
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
