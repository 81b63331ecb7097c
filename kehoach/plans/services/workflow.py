"""The village plan's workflow: draft → submitted → returned (with a comment) → draft …

Submitting needs every line to pass its rules again, R3 (and R4 when the profile asks), and a
recorded village meeting that is quorate and approving — or, for a recorded meeting that falls
short, the commune leader's acceptance with a reason (never for a missing meeting: R11). A
submitted plan cannot be edited. Returning and reopening also ask the guards other apps
register (``services.guards``): once the commune plan is beyond its draft, they go through an
amendment of the commune plan.

``can_submit``, ``can_return``, ``can_revise`` and ``can_accept_meeting`` (in
``plans.permissions``, re-exported here) answer why a user may not take the step now
(``approvals.workflow.Reason``) or None; the services raise the same reason, and the plan page
shows a button only when the answer is None (``plan_offers``). The first three stay here:
submitting asks the checklist (``services.checks``), whose imports reach ``services.common``,
which imports ``permissions``. The table itself is ``plans.workflow`` (re-exported here).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.choices import Role
from kehoach.accounts.models import RoleAssignment
from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_record
from kehoach.approvals.models import AuditEntry
from kehoach.approvals.services import notify
from kehoach.approvals.workflow import (
    Offer,
    Reason,
    Transition,
    transition_apply,
    transition_check,
    transition_reason,
    transitions_offered,
)
from kehoach.core.errors import ApplicationError, Where
from kehoach.core.text import nfc

from ..models import ProposalLine, VillageMeeting, VillagePlan
from ..permissions import can_accept_meeting
from ..workflow import CONFIRMED_ACTIONS, VILLAGE_PLAN_WORKFLOW
from .checks import plan_ready_to_submit
from .common import require
from .guards import RETURN, REVISE, check_plan_guards

__all__ = [
    "CONFIRMED_ACTIONS",
    "VILLAGE_PLAN_WORKFLOW",
    "can_accept_meeting",
    "can_return",
    "can_revise",
    "can_submit",
    "can_transition",
    "plan_accept_meeting",
    "plan_accept_meeting_check",
    "plan_offers",
    "plan_return",
    "plan_revise",
    "plan_submit",
    "plan_transition",
    "plan_transition_check",
]


def _precondition(plan: VillagePlan, step: Transition) -> None:
    """The rules of each step that do not depend on what the user types."""
    if step.action == "submit":
        plan_ready_to_submit(plan)
    elif step.action == "return":
        check_plan_guards(plan, RETURN)
    elif step.action == "revise":
        check_plan_guards(plan, REVISE)


def can_transition(user: Any, plan: VillagePlan, action: str) -> Reason | None:
    """Why ``user`` may not take ``action`` on the plan now, or None (the service's check)."""
    return transition_reason(
        obj=plan,
        workflow=VILLAGE_PLAN_WORKFLOW,
        action=action,
        user=user,
        unit=plan.village,
        precondition=_precondition,
    )


def can_submit(user: Any, plan: VillagePlan) -> Reason | None:
    return can_transition(user, plan, "submit")


def can_return(user: Any, plan: VillagePlan) -> Reason | None:
    return can_transition(user, plan, "return")


def can_revise(user: Any, plan: VillagePlan) -> Reason | None:
    return can_transition(user, plan, "revise")


def plan_offers(user: Any, plan: VillagePlan) -> list[Offer]:
    """The steps the plan page shows this user: a button when the reason is None, otherwise
    why a rule refuses it for now; steps the user may not take or the state has not, none."""
    return transitions_offered(
        obj=plan,
        workflow=VILLAGE_PLAN_WORKFLOW,
        user=user,
        unit=plan.village,
        precondition=_precondition,
    )


def _on_apply(plan: VillagePlan, step: Transition, actor: Any) -> None:
    if step.action == "submit":
        plan.submitted_at = timezone.now()
        # R11: every line with a community contribution records the meeting that decided it.
        meeting = VillageMeeting.objects.filter(plan=plan).first()
        if meeting is not None:
            linked = list(
                ProposalLine.objects.alive()
                .filter(plan=plan, contribution_mvnd__gt=0)
                .exclude(meeting=meeting)
                .select_related("meeting")
            )
            ProposalLine.objects.filter(pk__in=[x.pk for x in linked]).update(meeting=meeting)
            AuditEntry.objects.bulk_create(
                [
                    AuditEntry(
                        plan_uid=plan.uid,
                        subject_label=ProposalLine._meta.label_lower,
                        subject_id=str(line.pk),
                        subject_repr=str(line)[:300],
                        operation=AuditEntry.Operation.UPDATE,
                        actor=actor if getattr(actor, "pk", None) else None,
                        before={"meeting": str(line.meeting) if line.meeting else None},
                        after={"meeting": str(meeting)},
                    )
                    for line in linked
                ]
            )


def _comment(comment: str) -> str:
    """Each line normalised, the line breaks of "what to change" kept."""
    return "\n".join(nfc(line) for line in (comment or "").splitlines()).strip()


def plan_transition_check(
    *, actor: Any, plan: VillagePlan, action: str, comment: str = ""
) -> Transition:
    """The step ``plan_transition`` would take now, or its refusal; writes and locks nothing
    (the API's dry run)."""
    return transition_check(
        obj=plan,
        workflow=VILLAGE_PLAN_WORKFLOW,
        action=action,
        user=actor,
        unit=plan.village,
        comment=_comment(comment),
        precondition=_precondition,
    )


def plan_transition(
    *, actor: Any, plan: VillagePlan, action: str, comment: str = ""
) -> VillagePlan:
    with transaction.atomic():
        done = transition_apply(
            obj=plan,
            workflow=VILLAGE_PLAN_WORKFLOW,
            action=action,
            actor=actor,
            unit=plan.village,
            plan_uid=plan.uid,
            comment=_comment(comment),
            precondition=_precondition,
            on_apply=lambda obj, step: _on_apply(obj, step, actor),
        )
        _notify(done, action, actor)
    return done


def _notify(plan: VillagePlan, action: str, actor: Any) -> None:
    """Tell the commune's planners when a village submits, the village when it is returned."""
    values = {"village": plan.village.name, "year": plan.round.plan_year}
    url = reverse("plans:plan", args=[plan.uid])
    if action == "submit":
        users = [
            a.user
            for a in RoleAssignment.objects.filter(
                role=Role.COMMUNE_PLANNER, unit_id=plan.village.parent_id
            ).select_related("user")
        ]
        notify(users, _("%(village)s submitted its plan %(year)s") % values, url, skip=actor)
    elif action == "return":
        users = [
            a.user
            for a in RoleAssignment.objects.filter(
                role=Role.VILLAGE_EDITOR, unit=plan.village
            ).select_related("user")
        ]
        notify(
            users,
            _("The plan %(year)s of %(village)s was returned for revision") % values,
            url,
            skip=actor,
        )


def plan_submit(*, actor: Any, plan: VillagePlan) -> VillagePlan:
    return plan_transition(actor=actor, plan=plan, action="submit")


def plan_return(*, actor: Any, plan: VillagePlan, comment: str) -> VillagePlan:
    return plan_transition(actor=actor, plan=plan, action="return", comment=comment)


def plan_revise(*, actor: Any, plan: VillagePlan) -> VillagePlan:
    return plan_transition(actor=actor, plan=plan, action="revise")


def _acceptance_reason(actor: Any, plan: VillagePlan, reason: str) -> str:
    require(actor, Action.ACCEPT_MEETING, plan)
    reason = nfc(reason)
    if not reason:
        raise ApplicationError(
            "reason_required",
            _("Say why the meeting is accepted without quorum or approval."),
            Where(field="reason"),
        )
    return reason


def plan_accept_meeting_check(*, actor: Any, plan: VillagePlan, reason: str) -> None:
    """The refusal ``plan_accept_meeting`` would raise now, if any; writes and locks nothing."""
    _acceptance_reason(actor, plan, reason)
    refused = can_accept_meeting(actor, plan)
    if refused is not None:
        refused.raise_error()


@transaction.atomic
def plan_accept_meeting(*, actor: Any, plan: VillagePlan, reason: str) -> VillagePlan:
    """The commune leader accepts a recorded meeting without quorum or approval, with a reason
    (R9). A meeting that was not recorded cannot be accepted (R11)."""
    reason = _acceptance_reason(actor, plan, reason)
    current = (
        VillagePlan.objects.select_for_update().select_related("round", "village").get(pk=plan.pk)
    )
    refused = can_accept_meeting(actor, current)
    if refused is not None:
        refused.raise_error()
    before = {"quorum_override_reason": current.quorum_override_reason}
    current.quorum_override_reason = reason
    current.quorum_override_by = actor if getattr(actor, "pk", None) else None
    current.save(update_fields=["quorum_override_reason", "quorum_override_by", "updated_at"])
    audit_record(
        actor=actor,
        plan_uid=current.uid,
        obj=current,
        operation="update",
        before=before,
        after={"quorum_override_reason": reason},
    )
    return current
