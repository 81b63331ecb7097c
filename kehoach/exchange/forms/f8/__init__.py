"""F8 — the village meeting's minutes (one row per item) and its attendance list, checked with
the pure rules of the web form (``validate_meeting``, ``validate_attendance``: figures
consistent, the meeting dated; nothing written) and saved by the real user with
``plans.services.meeting.meeting_save``. The confirmation saves what the check kept
(``keep``/``restore``/``write``) without reading the workbook again: the meeting record by
``meeting_save``, the people added to and removed from the attendance list by its batch writer
``attendees_apply`` (the people who stay are neither judged nor written again).

Modules: ``common`` (the form's code and lists), ``items`` (the items as villages write them,
the attendance sheet's names, the cells as minutes fill them), ``export``, ``reading`` (the
check), ``apply`` (the confirmation)."""

from .apply import KEPT_VERSION, Kept, apply, keep, restore, write
from .common import FORM
from .export import INSTRUCTIONS, export
from .items import ATTENDANCE_SHEET, ATTENDANCE_SHEETS, _expected_labels
from .reading import Attendance, Reading, read

__all__ = [
    "ATTENDANCE_SHEET",
    "ATTENDANCE_SHEETS",
    "FORM",
    "INSTRUCTIONS",
    "KEPT_VERSION",
    "Attendance",
    "Kept",
    "Reading",
    "_expected_labels",
    "apply",
    "export",
    "keep",
    "read",
    "restore",
    "write",
]
