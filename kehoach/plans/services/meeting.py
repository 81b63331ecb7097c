"""The village meeting (F8): quorum and approval (R9), participation indicators (R10), and the
meeting that decided each community contribution (R11).

``validate_meeting(context, values)`` is the pure judge of a meeting record (the web form, the
workbook F8's check and ``meeting_save`` ask it); ``clean_meeting`` normalises what was typed
first. Neither reads nor writes anything."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import snapshot
from kehoach.catalog.models import ProcessProfile
from kehoach.core import bounds
from kehoach.core.errors import Where
from kehoach.core.numbers import percent
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, raise_errors

from ..models import VillageMeeting, VillagePlan
from .attendance import replace_attendees, validate_attendance
from .common import check_version, record_create, record_update, require_editable

MEETING_FIELDS = [
    "held_on",
    "place",
    "chair",
    "secretary",
    "agenda",
    "commune_staff",
    "households_total",
    "households_represented",
    "participants_total",
    "participants_women",
    "participants_poor",
    "participants_em",
    "participants_youth",
    "participants_elderly",
    "decision",
    "votes_agree",
    "votes_disagree",
    "votes_abstain",
]

# Participation targets (R10) [P/I]: a province or programme profile may set its own in
# ``ProcessProfile.extra["participation_targets"]`` (read, typed, by ``profile.policy``);
# these are the defaults.
DEFAULT_PARTICIPATION_TARGETS = {"women_pct": Decimal(30), "poor_pct": None, "em_pct": None}


@dataclass(frozen=True)
class Indicator:
    """A share of the meeting and its target. ``strict``: the share must be *more than* the
    target (the quorum of R9, "trên 50%"), judged on the exact share like the quorum itself;
    otherwise it must be at least the target (the participation targets of R10, "≥ 30%")."""

    code: str
    label: str
    value: Decimal | None
    target: Decimal | None
    strict: bool = False
    exact: Decimal | None = None

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        if self.strict:
            return (self.exact if self.exact is not None else self.value) > self.target
        return self.value >= self.target


@dataclass(frozen=True)
class MeetingResult:
    households_pct: Decimal | None
    agree_pct: Decimal | None
    quorate: bool
    approved: bool
    indicators: list[Indicator]


def participation_targets(profile: ProcessProfile) -> dict[str, Decimal | None]:
    """The profile's R10 targets (``catalog.policy``: its defaults where the profile sets
    none), by indicator: ``women_pct``, ``poor_pct``, ``em_pct``."""
    configured = profile.policy.participation_targets
    return {
        key: configured.get(key, default) for key, default in DEFAULT_PARTICIPATION_TARGETS.items()
    }


def meeting_result(meeting: VillageMeeting, profile: ProcessProfile) -> MeetingResult:
    """R9: quorum when more than the profile's share of households is represented (50% by
    default); approval when more than its share of attendees agree. R10 indicators."""
    households_pct = percent(meeting.households_represented, meeting.households_total)
    agree_pct = percent(meeting.votes_agree, meeting.participants_total)
    exact_households = (
        Decimal(meeting.households_represented) * 100 / meeting.households_total
        if meeting.households_total
        else Decimal(0)
    )
    exact_agree = (
        Decimal(meeting.votes_agree) * 100 / meeting.participants_total
        if meeting.participants_total
        else Decimal(0)
    )
    targets = participation_targets(profile)
    total = meeting.participants_total
    indicators = [
        Indicator(
            "households_pct",
            _("Households represented"),
            households_pct,
            profile.quorum_households_pct,
            strict=True,
            exact=exact_households,
        ),
        Indicator(
            "women_pct",
            _("Women among participants"),
            percent(meeting.participants_women, total),
            targets["women_pct"],
        ),
        Indicator(
            "poor_pct",
            _("Poor and near-poor among participants"),
            percent(meeting.participants_poor, total),
            targets["poor_pct"],
        ),
        Indicator(
            "em_pct",
            _("Ethnic minority among participants"),
            percent(meeting.participants_em, total),
            targets["em_pct"],
        ),
    ]
    return MeetingResult(
        households_pct=households_pct,
        agree_pct=agree_pct,
        quorate=exact_households > profile.quorum_households_pct,
        approved=exact_agree > profile.quorum_agreement_pct,
        indicators=indicators,
    )


@dataclass(frozen=True)
class MeetingContext:
    """What judging a meeting record needs besides its values: the plan year (a meeting long
    before it is a typing mistake) and today (a meeting cannot be in the future)."""

    plan_year: int | None
    today: datetime.date


def meeting_context(plan: VillagePlan) -> MeetingContext:
    return MeetingContext(plan_year=plan.round.plan_year, today=timezone.localdate())


def clean_meeting(data: dict[str, Any]) -> dict[str, Any]:
    """The values of a meeting record as they will be saved: texts normalised (the longer ones
    keep their lines), the optional counts 0 when empty. Pure."""
    values = {k: data.get(k) for k in MEETING_FIELDS}
    for field in ("place", "chair", "secretary", "commune_staff"):
        values[field] = nfc(values.get(field) or "")
    for field in ("agenda", "decision"):  # longer texts keep their lines
        lines = (values.get(field) or "").splitlines()
        values[field] = "\n".join(nfc(line) for line in lines).strip()
    for field in (
        "participants_women",
        "participants_poor",
        "participants_em",
        "votes_disagree",
        "votes_abstain",
    ):
        values[field] = values.get(field) or 0
    return values


def validate_meeting(context: MeetingContext, values: dict[str, Any]) -> list[Problem]:
    """The problems of a meeting record (``clean_meeting``'s values), each naming its field:
    required items and bounds first (the rest is judged only when they hold), then the date,
    and the figures against each other (R9's inputs)."""
    errors: list[Problem] = []

    def fail(field: str, code: str, text: str) -> None:
        label = str(getattr(VillageMeeting._meta.get_field(field), "verbose_name", field))
        label = label.capitalize()
        errors.append(
            Problem(
                code,
                _("%(field)s: %(problem)s") % {"field": label, "problem": text},
                Where(field=field),
            )
        )

    for field in ("held_on", "chair", "decision"):
        if not values.get(field):
            fail(field, "required", _("this is required."))
    for field in (
        "households_total",
        "households_represented",
        "participants_total",
        "votes_agree",
    ):
        if values.get(field) is None:
            fail(field, "required", _("this is required."))
    for problem in bounds.problems(VillageMeeting, values):
        fail(problem.field, problem.code, problem.text)
    if errors:
        return errors
    held_on = values["held_on"]
    if isinstance(held_on, datetime.date):
        if held_on > context.today:
            fail(
                "held_on",
                "in_future",
                _("%(date)s is in the future; enter the day the meeting was held.")
                % {"date": held_on.strftime("%d/%m/%Y")},
            )
        elif context.plan_year is not None and held_on.year < context.plan_year - 2:
            fail(
                "held_on",
                "too_early",
                _("%(date)s is too long before the plan year %(year)s; check the year.")
                % {"date": held_on.strftime("%d/%m/%Y"), "year": context.plan_year},
            )
    for field in MEETING_FIELDS:
        value = values.get(field)
        if isinstance(value, int) and value < 0:
            fail(field, "negative", _("the number cannot be negative."))
    if values["households_total"] == 0:
        fail("households_total", "zero", _("the village has at least one household."))
    if values["households_represented"] > values["households_total"]:
        fail(
            "households_represented",
            "more_than_households",
            _("it cannot be more than the households in the village (%(total)s).")
            % {"total": values["households_total"]},
        )
    if values["households_represented"] > values["participants_total"]:
        fail(
            "participants_total",
            "fewer_than_households",
            _("each household represented sends at least one participant: at least %(n)s.")
            % {"n": values["households_represented"]},
        )
    for field in (
        "participants_women",
        "participants_poor",
        "participants_em",
        "participants_youth",
        "participants_elderly",
    ):
        if (values.get(field) or 0) > values["participants_total"]:
            fail(
                field,
                "more_than_participants",
                _("it cannot be more than the participants (%(total)s).")
                % {"total": values["participants_total"]},
            )
    votes = (
        values["votes_agree"]
        + (values.get("votes_disagree") or 0)
        + (values.get("votes_abstain") or 0)
    )
    if votes > values["participants_total"]:
        fail(
            "votes_agree",
            "votes_exceed",
            _(
                "agree, disagree and abstain add up to %(votes)s, "
                "more than the %(total)s participants."
            )
            % {"votes": votes, "total": values["participants_total"]},
        )
    return errors


def _judged(plan: VillagePlan, data: dict[str, Any]) -> dict[str, Any]:
    values = clean_meeting(data)
    raise_errors(validate_meeting(meeting_context(plan), values))
    return values


def meeting_check(
    *,
    actor: Any,
    plan: VillagePlan,
    data: dict[str, Any],
    attendees: list[dict[str, Any]] | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """``meeting_save``'s checks without writing anything (a dry run, issue 17): the same
    refusals in the same order, or the values as they would be saved."""
    require_editable(actor, plan)
    values = _judged(plan, data)
    meeting = VillageMeeting.objects.filter(plan=plan).only("version").first()
    if meeting is not None:
        check_version(meeting.version, expected_version, what=_("the meeting record"))
    if attendees is not None:
        raise_errors(validate_attendance(attendees))
    return values


@transaction.atomic
def meeting_save(
    *,
    actor: Any,
    plan: VillagePlan,
    data: dict[str, Any],
    attendees: list[dict[str, Any]] | None = None,
    expected_version: int | None = None,
) -> VillageMeeting:
    """Record or change the meeting (F8). ``attendees``, when given, replaces the attendance
    list (rows with their changes in the history; see ``services.attendance``)."""
    require_editable(actor, plan)
    # Lock the plan and check again: a plan submitted meanwhile must not change.
    plan = VillagePlan.objects.select_for_update().select_related("round").get(pk=plan.pk)
    require_editable(actor, plan)
    values = _judged(plan, data)
    meeting = VillageMeeting.objects.select_for_update().filter(plan=plan).first()
    if meeting is None:
        meeting = VillageMeeting.objects.create(plan=plan, **values)
        record_create(actor, plan, meeting, MEETING_FIELDS)
    else:
        check_version(meeting.version, expected_version, what=_("the meeting record"))
        before = snapshot(meeting, MEETING_FIELDS)
        for field, value in values.items():
            setattr(meeting, field, value)
        meeting.version += 1
        meeting.save()
        record_update(actor, plan, meeting, before, MEETING_FIELDS)
    if attendees is not None:
        replace_attendees(actor=actor, plan=plan, meeting=meeting, rows=attendees)
    return meeting
