"""Who may do what now on a commune plan and its envelope: ``can_<action>(user, obj) ->
Reason | None`` (None: allowed). The services ask the same checks and raise the reason's
error; the views and templates ask them which buttons to show (issue 14)."""

from __future__ import annotations

from typing import Any

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.workflow import Offer, Reason, transition_reason, transitions_offered
from kehoach.core.errors import NotFoundError
from kehoach.plans.models import PlanningRound

from .choices import EnvelopeOrigin
from .models import CommunePlan, EnvelopeLine
from .services.common import draft_reason
from .services.workflow.guards import precondition
from .services.workflow.table import CONFIRMED_ACTIONS, commune_plan_workflow

__all__ = [
    "CONFIRMED_ACTIONS",
    "can_add_envelope_line",
    "can_amend",
    "can_approve",
    "can_edit_line",
    "can_edit_plan",
    "can_publish",
    "can_publish_envelope",
    "can_return",
    "can_submit",
    "can_transition",
    "draft_reason",
    "may_edit_line",
    "may_enter_origin",
    "may_publish_envelope",
    "origin_for",
    "plan_offers",
]

# --- the envelope -----------------------------------------------------------------------------


def origin_for(actor: Any, round_: PlanningRound) -> str | None:
    """The origin of the lines this actor enters: province for a province officer, commune for
    the commune planner (a system administrator counts as the province)."""
    if has_permission(actor, Action.EDIT_ENVELOPE_PROVINCE, round_.commune):
        return EnvelopeOrigin.PROVINCE
    if has_permission(actor, Action.EDIT_ENVELOPE_COMMUNE, round_.commune):
        return EnvelopeOrigin.COMMUNE
    return None


def may_enter_origin(actor: Any, round_: PlanningRound, origin: str) -> bool:
    """Whether the actor may enter and change lines of this origin."""
    action = (
        Action.EDIT_ENVELOPE_PROVINCE
        if origin == EnvelopeOrigin.PROVINCE
        else Action.EDIT_ENVELOPE_COMMUNE
    )
    return has_permission(actor, action, round_.commune)


def may_edit_line(actor: Any, line: EnvelopeLine, round_: PlanningRound) -> bool:
    return may_enter_origin(actor, round_, line.origin)


def may_publish_envelope(actor: Any, round_: PlanningRound) -> bool:
    return has_permission(actor, Action.PUBLISH_ENVELOPE, round_.commune)


def can_edit_line(user: Any, line: EnvelopeLine, plan: CommunePlan) -> Reason | None:
    """Why ``user`` may not change (edit, delete, restore) this envelope line now, or None:
    the services' own checks (the line's origin, a commune plan still in draft)."""
    if not may_edit_line(user, line, plan.round):
        return Reason.of(NotFoundError())
    return draft_reason(plan)


def can_publish_envelope(user: Any, plan: CommunePlan) -> Reason | None:
    """Why ``user`` may not publish the envelope of the plan's round now, or None."""
    if not may_publish_envelope(user, plan.round):
        return Reason.of(NotFoundError())
    return draft_reason(plan)


# --- the commune plan's workflow --------------------------------------------------------------


def can_transition(user: Any, plan: CommunePlan, action: str) -> Reason | None:
    """Why ``user`` may not take ``action`` on the commune plan now, or None: the same check
    the services make under the row lock (approving also needs the resolution, which the
    approval form asks for)."""
    return transition_reason(
        obj=plan,
        workflow=commune_plan_workflow(plan.round.profile),
        action=action,
        user=user,
        unit=plan.round.commune,
        precondition=precondition,
    )


def can_submit(user: Any, plan: CommunePlan) -> Reason | None:
    return can_transition(user, plan, "submit")


def can_return(user: Any, plan: CommunePlan) -> Reason | None:
    return can_transition(user, plan, "return")


def can_approve(user: Any, plan: CommunePlan) -> Reason | None:
    return can_transition(user, plan, "approve")


def can_publish(user: Any, plan: CommunePlan) -> Reason | None:
    """Why ``user`` may not publish the commune plan now (the envelope's publication is
    ``can_publish_envelope``)."""
    return can_transition(user, plan, "publish")


def can_amend(user: Any, plan: CommunePlan) -> Reason | None:
    return can_transition(user, plan, "amend")


def plan_offers(user: Any, plan: CommunePlan) -> list[Offer]:
    """The steps the approval page shows this user: a button when the reason is None,
    otherwise why a rule refuses it for now; steps the user may not take, none."""
    return transitions_offered(
        obj=plan,
        workflow=commune_plan_workflow(plan.round.profile),
        user=user,
        unit=plan.round.commune,
        precondition=precondition,
    )


def can_add_envelope_line(user: Any, plan: CommunePlan) -> Reason | None:
    """Why ``user`` may not add an envelope line to the plan's round now, or None."""
    if origin_for(user, plan.round) is None:
        return Reason.of(NotFoundError())
    return draft_reason(plan)


def can_edit_plan(user: Any, plan: CommunePlan) -> Reason | None:
    """Why ``user`` may not change the commune plan's lines, decisions and targets now, or
    None: the services' own checks (the permission on the commune, a plan still in draft)."""
    if not has_permission(user, Action.EDIT_COMMUNE_PLAN, plan.round.commune):
        return Reason.of(NotFoundError())
    return draft_reason(plan)
