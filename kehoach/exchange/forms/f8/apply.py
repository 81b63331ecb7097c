"""F8: the confirmation — ``apply`` saves a reading; ``keep``, ``restore`` and ``write`` save
what the check kept without reading the workbook again: the meeting record by
``meeting_save``, the people added to and removed from the attendance list by its batch writer
``attendees_apply``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kehoach.plans.models import Attendee, VillagePlan
from kehoach.plans.services.attendance import AttendeeChanges, attendees_apply
from kehoach.plans.services.meeting import meeting_save

from .. import kept as keeping
from .reading import Attendance, Reading


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
