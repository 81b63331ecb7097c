"""The attendance list of the village meeting (F8, danh sách người tham dự): who attended, with
sex, ethnic group, the poverty status of their household and the household they represent.

The list is optional: the counts block of the meeting record (participants, women, poor and
near-poor, ethnic minority) is what quorum and participation (R9, R10) are computed from. When
a list is kept, its own counts are shown beside the recorded ones so that the commune sees when
they disagree (``attendance_summary``); nothing is changed for the user.

Every change is a write of its own (add, change, remove a person), checked like the other
writes of a draft plan, audited with the values before and after (shown in the plan's history),
and a person's row edited by someone else since it was opened is a conflict, not an overwrite.
The Excel form F8 replaces the whole list at once through ``meeting_save(attendees=…)``, which
uses ``clean_attendee`` and ``record_list_changes`` from here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.approvals.audit import snapshot
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.text import nfc

from ..choices import PovertyStatus, Sex
from ..models import Attendee, VillageMeeting, VillagePlan
from .common import check_version, require_editable

ATTENDEE_FIELDS = ["full_name", "sex", "ethnicity", "poverty_status", "household"]
_LENGTHS = {"full_name": 150, "ethnicity": 100, "household": 150}


def _label(name: str) -> str:
    return str(getattr(Attendee._meta.get_field(name), "verbose_name", name)).capitalize()


def clean_attendee(data: dict[str, Any], *, row: int | None = None) -> dict[str, Any]:
    """Clean values of one person; raises ``ApplicationErrors`` naming each field (and the
    row of the list, when given)."""
    errors: list[ApplicationError] = []

    def fail(field: str, code: str, text: str) -> None:
        if row is None:
            message = _("%(field)s: %(problem)s") % {"field": _label(field), "problem": text}
        else:
            message = _("Attendance list, row %(row)s, %(field)s: %(problem)s") % {
                "row": row,
                "field": _label(field),
                "problem": text,
            }
        errors.append(ApplicationError(code, message, Where(field=field, row=row), detail=text))

    values: dict[str, Any] = {}
    for field in ("full_name", "ethnicity", "household"):
        values[field] = nfc(str(data.get(field) or ""))
        if len(values[field]) > _LENGTHS[field]:
            fail(
                field,
                "too_long",
                _("write at most %(n)s characters.") % {"n": _LENGTHS[field]},
            )
    if not values["full_name"]:
        fail("full_name", "required", _("enter the person's full name."))
    values["sex"] = data.get("sex") or ""
    if values["sex"] not in Sex.values:
        fail("sex", "invalid_choice", _("choose female or male."))
    values["poverty_status"] = data.get("poverty_status") or PovertyStatus.OTHER
    if values["poverty_status"] not in PovertyStatus.values:
        fail("poverty_status", "invalid_choice", _("choose poor, near-poor or other household."))
    if errors:
        raise ApplicationErrors(errors)
    return values


def _subject(attendee: Attendee) -> str:
    return (_("Attendance list: %(name)s") % {"name": attendee.full_name})[:300]


def _entry(
    plan: VillagePlan,
    attendee: Attendee,
    operation: str,
    actor: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry(
        plan_uid=plan.uid,
        subject_label=Attendee._meta.label_lower,
        subject_id=str(attendee.pk),
        subject_repr=_subject(attendee),
        operation=operation,
        actor=actor if getattr(actor, "pk", None) else None,
        before=before or {},
        after=after or {},
    )


def _state(attendee: Attendee) -> dict[str, Any]:
    return snapshot(attendee, ATTENDEE_FIELDS)


def meeting_of(plan: VillagePlan) -> VillageMeeting:
    meeting = VillageMeeting.objects.filter(plan=plan).first()
    if meeting is None:
        raise ApplicationError(
            "meeting_missing",
            _("Record the village meeting first, then add the people who attended."),
        )
    return meeting


@transaction.atomic
def attendee_add(*, actor: Any, plan: VillagePlan, data: dict[str, Any]) -> Attendee:
    """Add a person to the attendance list of the plan's meeting."""
    require_editable(actor, plan)
    meeting = meeting_of(plan)
    values = clean_attendee(data)
    attendee = Attendee.objects.create(meeting=meeting, **values)
    _entry(plan, attendee, AuditEntry.Operation.CREATE, actor, after=_state(attendee)).save()
    return attendee


def _current(attendee: Attendee) -> Attendee:
    current = Attendee.objects.select_for_update().filter(pk=attendee.pk).first()
    if current is None:
        raise ApplicationError(
            "attendee_gone",
            _("%(name)s was removed from the attendance list by someone else.")
            % {"name": attendee.full_name},
        )
    return current


@transaction.atomic
def attendee_update(
    *, actor: Any, attendee: Attendee, data: dict[str, Any], expected_version: int | None
) -> Attendee:
    """Change a person's row; refused if someone saved it after ``expected_version``."""
    plan = attendee.meeting.plan
    require_editable(actor, plan)
    current = _current(attendee)
    check_version(current.version, expected_version, what=_("this person's row"))
    values = clean_attendee({**{f: getattr(current, f) for f in ATTENDEE_FIELDS}, **data})
    before = _state(current)
    for field, value in values.items():
        setattr(current, field, value)
    after = _state(current)
    if after != before:
        current.version += 1
        current.save()
        _entry(plan, current, AuditEntry.Operation.UPDATE, actor, before=before, after=after).save()
    return current


@transaction.atomic
def attendee_delete(*, actor: Any, attendee: Attendee) -> None:
    """Remove a person from the attendance list (the history keeps the row)."""
    plan = attendee.meeting.plan
    require_editable(actor, plan)
    current = _current(attendee)
    _entry(plan, current, AuditEntry.Operation.DELETE, actor, before=_state(current)).save()
    current.delete()


def replace_attendees(
    *, actor: Any, plan: VillagePlan, meeting: VillageMeeting, rows: list[dict[str, Any]]
) -> None:
    """Replace the whole list (the Excel form F8). Rows without a name are skipped; every
    other row must be valid (the error names its row). The history records the people removed
    and the people added; a person on both lists with the same values is neither."""
    cleaned: list[dict[str, Any]] = []
    errors: list[ApplicationError] = []
    for number, row in enumerate(rows, start=1):
        if not nfc(str(row.get("full_name") or "")):
            continue
        try:
            cleaned.append(clean_attendee(row, row=number))
        except ApplicationErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise ApplicationErrors(errors)

    def key(values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[f] for f in ATTENDEE_FIELDS)

    old = list(meeting.attendees.all())
    keep = Counter(key(values) for values in cleaned)
    removed: list[Attendee] = []
    for person in old:
        person_key = key(_state(person))
        if keep[person_key] > 0:
            keep[person_key] -= 1
        else:
            removed.append(person)
    had = Counter(key(_state(person)) for person in old)
    added: list[dict[str, Any]] = []
    for values in cleaned:
        if had[key(values)] > 0:
            had[key(values)] -= 1
        else:
            added.append(values)
    entries = [
        _entry(plan, person, AuditEntry.Operation.DELETE, actor, before=_state(person))
        for person in removed
    ]
    Attendee.objects.filter(pk__in=[person.pk for person in removed]).delete()
    for values in added:
        person = Attendee.objects.create(meeting=meeting, **values)
        entries.append(_entry(plan, person, AuditEntry.Operation.CREATE, actor, after=values))
    AuditEntry.objects.bulk_create(entries)


@dataclass(frozen=True)
class Comparison:
    label: str
    recorded: int | None
    listed: int

    @property
    def differs(self) -> bool:
        return self.recorded is not None and self.recorded != self.listed


@dataclass(frozen=True)
class AttendanceSummary:
    people: int
    women: int
    poor: int
    em: int
    households: int
    comparisons: list[Comparison]

    @property
    def differs(self) -> bool:
        return any(c.differs for c in self.comparisons)


def attendance_summary(meeting: VillageMeeting, attendees: list[Attendee]) -> AttendanceSummary:
    """The list's own counts beside the counts recorded in the meeting (no query)."""
    people = len(attendees)
    women = sum(1 for a in attendees if a.sex == Sex.FEMALE)
    poor = sum(1 for a in attendees if a.is_poor_or_near_poor)
    em = sum(1 for a in attendees if a.is_ethnic_minority)
    households = len({a.household.casefold() for a in attendees if a.household})
    comparisons = [
        Comparison(_("Participants"), meeting.participants_total, people),
        Comparison(_("of which women"), meeting.participants_women, women),
        Comparison(
            _("of which from poor or near-poor households"), meeting.participants_poor, poor
        ),
        Comparison(_("of which ethnic minority"), meeting.participants_em, em),
    ]
    if households:
        comparisons.append(
            Comparison(_("Households represented"), meeting.households_represented, households)
        )
    return AttendanceSummary(people, women, poor, em, households, comparisons)
