"""The attendance list of the village meeting (F8, danh sách người tham dự): who attended, with
sex, ethnic group, the poverty status of their household and the household they represent.

The list is optional: the counts block of the meeting record (participants, women, poor and
near-poor, ethnic minority) is what quorum and participation (R9, R10) are computed from. When
a list is kept, its own counts are shown beside the recorded ones so that the commune sees when
they disagree (``attendance_summary``); nothing is changed for the user.

Every change is a write of its own (add, change, remove a person), checked like the other
writes of a draft plan, audited with the values before and after (shown in the plan's history),
and a person's row edited by someone else since it was opened is a conflict, not an overwrite.
The Excel form F8 replaces the whole list at once through ``meeting_save(attendees=…)``
(``replace_attendees``).

``validate_attendee`` and ``validate_attendance`` are the pure rules (no actor, no read, no
write); ``attendees_apply`` is the one writer: adds, changes and removals in one transaction,
rows written in bulk, one history row per change. ``attendee_add``, ``attendee_update`` and
``attendee_delete`` are one-change calls to it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from kehoach.approvals.audit import snapshot
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, Where
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, raise_errors

from ..choices import PovertyStatus, Sex
from ..models import Attendee, VillageMeeting, VillagePlan
from .common import check_version, require_editable

ATTENDEE_FIELDS = ["full_name", "sex", "ethnicity", "poverty_status", "household"]
_LENGTHS = {"full_name": 150, "ethnicity": 100, "household": 150}


def _label(name: str) -> str:
    return str(getattr(Attendee._meta.get_field(name), "verbose_name", name)).capitalize()


def _clean(data: dict[str, Any], row: int | None) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []

    def fail(field: str, code: str, text: str) -> None:
        if row is None:
            message = _("%(field)s: %(problem)s") % {"field": _label(field), "problem": text}
        else:
            message = _("Attendance list, row %(row)s, %(field)s: %(problem)s") % {
                "row": row,
                "field": _label(field),
                "problem": text,
            }
        problems.append(Problem(code, message, Where(field=field, row=row), detail=text))

    values: dict[str, Any] = {}
    for field_name in ("full_name", "ethnicity", "household"):
        values[field_name] = nfc(str(data.get(field_name) or ""))
        if len(values[field_name]) > _LENGTHS[field_name]:
            fail(
                field_name,
                "too_long",
                _("write at most %(n)s characters.") % {"n": _LENGTHS[field_name]},
            )
    if not values["full_name"]:
        fail("full_name", "required", _("enter the person's full name."))
    values["sex"] = data.get("sex") or ""
    if values["sex"] not in Sex.values:
        fail("sex", "invalid_choice", _("choose female or male."))
    values["poverty_status"] = data.get("poverty_status") or PovertyStatus.OTHER
    if values["poverty_status"] not in PovertyStatus.values:
        fail("poverty_status", "invalid_choice", _("choose poor, near-poor or other household."))
    return values, problems


def validate_attendee(data: dict[str, Any], *, row: int | None = None) -> list[Problem]:
    """The problems of one person's values, each naming its field (and the row of the list,
    when given). Pure."""
    return _clean(data, row)[1]


def validate_attendance(rows: list[dict[str, Any]]) -> list[Problem]:
    """The problems of a whole attendance list (the workbook F8's sheet): rows without a name
    are skipped, every other row is judged and named by its position (1-based). Pure."""
    problems: list[Problem] = []
    for number, row in enumerate(rows, start=1):
        if nfc(str(row.get("full_name") or "")):
            problems.extend(validate_attendee(row, row=number))
    return problems


def clean_attendee(data: dict[str, Any], *, row: int | None = None) -> dict[str, Any]:
    """Clean values of one person; raises ``ApplicationErrors`` naming each field (and the
    row of the list, when given)."""
    values, problems = _clean(data, row)
    raise_errors(problems)
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


@dataclass(frozen=True)
class AttendeeChange:
    """A person's row to change: the values typed (missing ones keep theirs) and the version
    the user opened (``None``: not checked)."""

    attendee: Attendee
    data: dict[str, Any]
    expected_version: int | None = None


@dataclass
class AttendeeChanges:
    adds: list[dict[str, Any]] = field(default_factory=list)
    changes: list[AttendeeChange] = field(default_factory=list)
    removals: list[Attendee] = field(default_factory=list)


@dataclass
class AttendeesResult:
    added: list[Attendee] = field(default_factory=list)
    changed: list[Attendee] = field(default_factory=list)
    """Every row asked to change, whether or not its values differed."""
    removed: int = 0


def _gone(attendee: Attendee) -> ApplicationError:
    return ApplicationError(
        "attendee_gone",
        _("%(name)s was removed from the attendance list by someone else.")
        % {"name": attendee.full_name},
    )


def _create_all(meeting: VillageMeeting, rows: list[dict[str, Any]]) -> list[Attendee]:
    people = [Attendee(meeting=meeting, **values) for values in rows]
    if connection.features.can_return_rows_from_bulk_insert:
        return Attendee.objects.bulk_create(people)
    for person in people:  # a database that cannot give the new keys back
        person.save()
    return people


@transaction.atomic
def attendees_apply(*, actor: Any, plan: VillagePlan, changes: AttendeeChanges) -> AttendeesResult:
    """Add, change and remove people of the attendance list of the plan's meeting, all or
    nothing: every row is judged first (``validate_attendee``), a row changed by someone else
    since ``expected_version`` or removed meanwhile refuses the whole batch."""
    require_editable(actor, plan)
    meeting = meeting_of(plan) if changes.adds else None
    wanted = [c.attendee.pk for c in changes.changes] + [a.pk for a in changes.removals]
    current = {
        a.pk: a
        for a in Attendee.objects.select_for_update().filter(pk__in=wanted, meeting__plan=plan)
    }
    problems: list[Problem] = []
    added: list[dict[str, Any]] = []
    for data in changes.adds:
        values, found = _clean(data, None)
        problems.extend(found)
        added.append(values)
    updates: list[tuple[Attendee, dict[str, Any]]] = []
    for change in changes.changes:
        row = current.get(change.attendee.pk)
        if row is None:
            raise _gone(change.attendee)
        check_version(row.version, change.expected_version, what=_("this person's row"))
        values, found = _clean(
            {**{f: getattr(row, f) for f in ATTENDEE_FIELDS}, **change.data}, None
        )
        problems.extend(found)
        updates.append((row, values))
    removed = []
    for person in changes.removals:
        row = current.get(person.pk)
        if row is None:
            raise _gone(person)
        removed.append(row)
    raise_errors(problems)

    entries: list[AuditEntry] = []
    changed: list[Attendee] = []
    dirty: list[Attendee] = []
    for row, values in updates:
        before = _state(row)
        for name, value in values.items():
            setattr(row, name, value)
        after = _state(row)
        if after != before:
            row.version += 1
            dirty.append(row)
            entries.append(
                _entry(plan, row, AuditEntry.Operation.UPDATE, actor, before=before, after=after)
            )
        changed.append(row)
    if dirty:
        Attendee.objects.bulk_update(dirty, [*ATTENDEE_FIELDS, "version"])
    entries += [
        _entry(plan, row, AuditEntry.Operation.DELETE, actor, before=_state(row)) for row in removed
    ]
    Attendee.objects.filter(pk__in=[row.pk for row in removed]).delete()
    new = _create_all(meeting, added) if meeting is not None else []
    entries += [
        _entry(plan, person, AuditEntry.Operation.CREATE, actor, after=_state(person))
        for person in new
    ]
    AuditEntry.objects.bulk_create(entries)
    return AttendeesResult(added=new, changed=changed, removed=len(removed))


def attendee_add(*, actor: Any, plan: VillagePlan, data: dict[str, Any]) -> Attendee:
    """Add a person to the attendance list of the plan's meeting."""
    result = attendees_apply(actor=actor, plan=plan, changes=AttendeeChanges(adds=[data]))
    return result.added[0]


def attendee_update(
    *, actor: Any, attendee: Attendee, data: dict[str, Any], expected_version: int | None
) -> Attendee:
    """Change a person's row; refused if someone saved it after ``expected_version``."""
    change = AttendeeChange(attendee, data, expected_version)
    result = attendees_apply(
        actor=actor, plan=attendee.meeting.plan, changes=AttendeeChanges(changes=[change])
    )
    return result.changed[0]


def attendee_delete(*, actor: Any, attendee: Attendee) -> None:
    """Remove a person from the attendance list (the history keeps the row)."""
    attendees_apply(
        actor=actor, plan=attendee.meeting.plan, changes=AttendeeChanges(removals=[attendee])
    )


def replace_attendees(
    *, actor: Any, plan: VillagePlan, meeting: VillageMeeting, rows: list[dict[str, Any]]
) -> None:
    """Replace the whole list (the Excel form F8). Rows without a name are skipped; every
    other row must be valid (the error names its row). The history records the people removed
    and the people added; a person on both lists with the same values is neither."""
    raise_errors(validate_attendance(rows))
    cleaned = [_clean(row, None)[0] for row in rows if nfc(str(row.get("full_name") or ""))]

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
    for person, values in zip(_create_all(meeting, added), added, strict=True):
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
