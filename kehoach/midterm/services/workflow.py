"""The five-year plan's workflow (the yearly plan's table, ``MEDIUM_TERM_PLAN_WORKFLOW``) and
its village meeting (F8).

Submitting needs at least one activity, every activity passing its rules again, and a linked
village meeting that passes the yearly plan's checks (quorum and vote, R9, or the commune's
acceptance of that meeting). The village reviews its five-year plan at the yearly village
meeting, so the meeting linked is the meeting of a yearly plan of the same village whose year
is in the period (``link_meeting``).

``can_submit``, ``can_return``, ``can_revise`` answer why a user may not take the step now, or
None; the services raise the same reason, and the page shows a button only when it is None.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.approvals.workflow import (
    Offer,
    Reason,
    Transition,
    transition_apply,
    transition_reason,
    transitions_offered,
)
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.text import nfc
from kehoach.plans.models import VillageMeeting
from kehoach.plans.services.checks import Check, meeting_checks

from ..models import MediumTermPlan
from ..selectors import plan_lines
from ..workflow import CONFIRMED_ACTIONS, MEDIUM_TERM_PLAN_WORKFLOW
from .common import lock_editable, record
from .lines import YearValues, line_problems
from .notify import notify_village_step

__all__ = [
    "CONFIRMED_ACTIONS",
    "MEDIUM_TERM_PLAN_WORKFLOW",
    "can_return",
    "can_revise",
    "can_submit",
    "can_transition",
    "link_meeting",
    "medium_term_plan_checks",
    "medium_term_plan_transition",
    "meeting_choices",
    "plan_offers",
]


def meeting_choices(plan: MediumTermPlan) -> list[VillageMeeting]:
    """The meetings the plan may be reviewed at: those of the village's yearly plans whose
    year is in the period, latest year first."""
    round_ = plan.round
    return list(
        VillageMeeting.objects.filter(
            plan__village_id=plan.village_id,
            plan__round__plan_year__gte=round_.first_year,
            plan__round__plan_year__lte=round_.last_year,
        )
        .select_related("plan__round__profile", "plan__village")
        .order_by("-plan__round__plan_year")
    )


def _check_meeting_fits(plan: MediumTermPlan, meeting: VillageMeeting) -> None:
    yearly = meeting.plan
    round_ = plan.round
    if yearly.village_id != plan.village_id or not round_.covers(yearly.round.plan_year):
        raise ApplicationError(
            "meeting_invalid",
            _(
                "Choose the meeting of a yearly plan of %(village)s between %(first)s and "
                "%(last)s: the village reviews its five-year plan at its yearly meeting."
            )
            % {"village": plan.village.name, "first": round_.first_year, "last": round_.last_year},
            Where(field="meeting"),
        )


def medium_term_plan_checks(
    plan: MediumTermPlan, lines: list[Any] | None = None, meeting: Any = ...
) -> list[Check]:
    """Every rule the submit asks, with its state (the page's checklist): at least one
    activity, each activity's rules again, the meeting linked and passing R9."""
    if lines is None:
        lines = plan_lines(plan)
    checks: list[Check] = []
    if lines:
        checks.append(
            Check(
                "has_lines",
                True,
                ngettext("%(n)s activity.", "%(n)s activities.", len(lines)) % {"n": len(lines)},
            )
        )
    else:
        checks.append(Check("has_lines", False, _("The plan has no activity yet.")))
    for line in lines:
        values = {name: getattr(line, name) for name in _VALUE_NAMES}
        years = {y.year: YearValues(y.quantity, y.cost_mvnd) for y in line.years.all()}
        for problem in line_problems(plan.round, line.number, values, years)[2]:
            checks.append(
                Check(f"line:{line.number}:{problem.where.field or ''}", False, problem.message)
            )
    if meeting is ...:
        meeting = plan.meeting
    if meeting is None:
        checks.append(
            Check(
                "meeting",
                False,
                _("Choose the village meeting that reviewed the five-year plan."),
            )
        )
    else:
        fits = True
        try:
            _check_meeting_fits(plan, meeting)
        except ApplicationError as exc:
            fits = False
            checks.append(Check("meeting", False, exc.message))
        if fits:
            checks.extend(meeting_checks(meeting.plan, meeting))
    return checks


_VALUE_NAMES = [
    "sector",
    "activity",
    "location",
    "unit",
    "contribution_mvnd",
    "external_support_mvnd",
    "proposed_source",
    "beneficiary_households",
    "beneficiary_poor",
    "beneficiary_em",
    "implementation_mode",
    "notes",
]


def _ready_to_submit(plan: MediumTermPlan) -> None:
    failing = [c for c in medium_term_plan_checks(plan) if not c.ok]
    if failing:
        raise ApplicationError(
            "plan_not_ready",
            _("The plan cannot be submitted yet:") + "\n" + "\n".join(c.message for c in failing),
        )


def _precondition(plan: MediumTermPlan, step: Transition) -> None:
    if step.action == "submit":
        _ready_to_submit(plan)


def can_transition(user: Any, plan: MediumTermPlan, action: str) -> Reason | None:
    """Why ``user`` may not take ``action`` on the plan now, or None (the service's check)."""
    return transition_reason(
        obj=plan,
        workflow=MEDIUM_TERM_PLAN_WORKFLOW,
        action=action,
        user=user,
        unit=plan.village,
        precondition=_precondition,
    )


def can_submit(user: Any, plan: MediumTermPlan) -> Reason | None:
    return can_transition(user, plan, "submit")


def can_return(user: Any, plan: MediumTermPlan) -> Reason | None:
    return can_transition(user, plan, "return")


def can_revise(user: Any, plan: MediumTermPlan) -> Reason | None:
    return can_transition(user, plan, "revise")


def plan_offers(user: Any, plan: MediumTermPlan) -> list[Offer]:
    return transitions_offered(
        obj=plan,
        workflow=MEDIUM_TERM_PLAN_WORKFLOW,
        user=user,
        unit=plan.village,
        precondition=_precondition,
    )


def _on_apply(plan: MediumTermPlan, step: Transition) -> None:
    if step.action == "submit":
        plan.submitted_at = timezone.now()
    plan.version += 1


def _comment(comment: str) -> str:
    return "\n".join(nfc(line) for line in (comment or "").splitlines()).strip()


def medium_term_plan_transition(
    user: Any, plan: MediumTermPlan, action: str, comment: str = ""
) -> MediumTermPlan:
    """Submit, return (with a comment) or reopen the plan, under its row lock."""
    done = transition_apply(
        obj=plan,
        workflow=MEDIUM_TERM_PLAN_WORKFLOW,
        action=action,
        actor=user,
        unit=plan.village,
        plan_uid=plan.uid,
        comment=_comment(comment),
        precondition=_precondition,
        on_apply=_on_apply,
    )
    notify_village_step(done, action, user)
    return MediumTermPlan.objects.select_related("round__profile", "village", "meeting").get(
        pk=done.pk
    )


@transaction.atomic
def link_meeting(user: Any, plan: MediumTermPlan, meeting: VillageMeeting | None) -> MediumTermPlan:
    """Record the village meeting that reviewed the plan (None: none any more)."""
    locked = lock_editable(user, plan)
    if meeting is not None:
        meeting = (
            VillageMeeting.objects.select_related("plan__round", "plan__village")
            .filter(pk=meeting.pk)
            .first()
        )
        if meeting is None:
            raise NotFoundError()
        _check_meeting_fits(locked, meeting)
    before = {"meeting": str(locked.meeting) if locked.meeting_id else None}
    if locked.meeting_id == (meeting.pk if meeting else None):
        return locked
    locked.meeting = meeting
    locked.version += 1
    locked.save(update_fields=["meeting", "version", "updated_at"])
    record(
        user,
        locked,
        locked,
        "update",
        before=before,
        after={"meeting": str(meeting) if meeting else None},
    )
    return locked
