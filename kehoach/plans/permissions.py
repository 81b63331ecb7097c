"""What a user may do to a village plan now, asked by views (which buttons show), templates,
services (which raise the same answer) and the API alike (issue 14, style.md permissions).

Each ``can_<action>(user, plan)`` answers ``None`` when the action may go ahead, or a
``Reason`` (``kehoach.approvals.workflow``) saying why not: ``code`` ``not_found`` when the user
may not touch the plan at all (the page does not mention it), otherwise a translated sentence.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.reasons import Reason, reason_of

from .choices import PlanStatus
from .models import VillageMeeting, VillagePlan
from .services.guards import EDIT, check_plan_guards

PLAN_LOCKED = "plan_locked"


def plan_edit_refusal(plan: VillagePlan) -> Reason | None:
    """Why the plan itself may not change now, whoever asks: it is not a draft (a submitted
    plan is locked), or a guard of a later step refuses (``services.guards``: the commune plan
    made from it is under approval). Reads ``plan.status`` as given: a service reads it under
    the plan row's lock first (``services.common.require_editable``)."""
    if plan.status != PlanStatus.DRAFT:
        return Reason.of(
            ApplicationError(
                PLAN_LOCKED,
                _(
                    "The plan of %(village)s is “%(status)s” and cannot be changed. "
                    "Ask the commune to return it if something must be corrected."
                )
                % {"village": plan.village.name, "status": plan.get_status_display()},
            )
        )
    return reason_of(lambda: check_plan_guards(plan, EDIT))


def can_edit_plan(user: Any, plan: VillagePlan) -> Reason | None:
    """The user may edit this plan (its proposals, meeting, information, findings) now."""
    if not has_permission(user, Action.EDIT_PLAN, plan.village):
        return Reason.of(NotFoundError())
    return plan_edit_refusal(plan)


def can_edit_lines(user: Any, plan: VillagePlan) -> Reason | None:
    """The user may add, change, delete and restore the plan's proposals (F6) now."""
    return can_edit_plan(user, plan)


# --- the other parts of the plan (brief HF) ---------------------------------------------------


def can_edit_info(user: Any, plan: VillagePlan) -> Reason | None:
    """The user may change the village basic information (F1) now."""
    return can_edit_plan(user, plan)


def can_edit_findings(user: Any, plan: VillagePlan) -> Reason | None:
    """The user may change the SWOT (F3), the problems (F4) and the ranking matrix (F5) now."""
    return can_edit_plan(user, plan)


def can_edit_meeting(user: Any, plan: VillagePlan) -> Reason | None:
    """The user may record or change the village meeting (F8) and its attendance list now."""
    return can_edit_plan(user, plan)


def _accept_meeting_check(user: Any, plan: VillagePlan) -> None:
    if not has_permission(user, Action.ACCEPT_MEETING, plan.village):
        raise NotFoundError()
    if plan.status != PlanStatus.DRAFT:
        raise ApplicationError(PLAN_LOCKED, _("Only a draft plan's meeting can be accepted."))
    if not VillageMeeting.objects.filter(plan=plan).exists():
        raise ApplicationError(
            "meeting_missing",
            _(
                "Record the village meeting first. The commune can accept a recorded meeting "
                "that falls short of the quorum or the approval, not a meeting that was not "
                "recorded: the village meeting decides the community contributions."
            ),
        )
    check_plan_guards(plan, EDIT)


def can_accept_meeting(user: Any, plan: VillagePlan) -> Reason | None:
    """Why ``user`` may not accept the plan's recorded meeting now (R9, R11), or None."""
    return reason_of(lambda: _accept_meeting_check(user, plan))
