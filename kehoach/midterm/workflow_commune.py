"""The workflow of the commune's five-year plan, a table as the yearly commune plan's (R20–R23):
draft → submitted → returned (with a comment) → draft, or submitted → approved (the council's
resolution, an immutable version) → published; after approval, ``amend`` makes the plan the
draft of its next version. Applied by ``approvals.workflow.transition_apply`` under a row lock
(``services.commune_workflow``).

The rules of the steps (``precondition``): submitting, approving and publishing need lines in
the plan, each decided (with a reason when not funded, R22) and the funded lines within the
resource frame (R16); submitting also needs the synthesis up to date (no village activity left
to take in or to withdraw). ``can_<action>(user, plan)`` answers why a user may not take a step
now, or None: pages show a button exactly when the service would accept it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.workflow import (
    Offer,
    Transition,
    Workflow,
    transition_reason,
    transitions_offered,
)
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.reasons import Reason
from kehoach.synthesis.choices import CommunePlanStatus as S
from kehoach.synthesis.choices import Decision

from .models import MediumTermCommunePlan
from .selectors_commune import active_lines, frame_excess, pending_sources, undecided_lines
from .services.commune import draft_reason

COMMUNE_FIVE_YEAR_WORKFLOW = Workflow(
    name="medium_term_commune_plan",
    transitions=[
        Transition(
            "submit",
            S.DRAFT,
            S.SUBMITTED,
            Action.SUBMIT_COMMUNE_PLAN,
            gettext_lazy("Submit for approval"),
        ),
        Transition(
            "return",
            S.SUBMITTED,
            S.RETURNED,
            Action.RETURN_COMMUNE_PLAN,
            gettext_lazy("Return for revision"),
            needs_comment=True,
        ),
        Transition(
            "revise",
            S.RETURNED,
            S.DRAFT,
            Action.SUBMIT_COMMUNE_PLAN,
            gettext_lazy("Reopen for revision"),
        ),
        Transition(
            "approve",
            S.SUBMITTED,
            S.APPROVED,
            Action.APPROVE_COMMUNE_PLAN,
            gettext_lazy("Approve (council resolution)"),
        ),
        Transition(
            "publish",
            S.APPROVED,
            S.PUBLISHED,
            Action.PUBLISH_COMMUNE_PLAN,
            gettext_lazy("Publish and send the feedback to the villages"),
        ),
        *(
            Transition(
                "amend",
                source,
                S.DRAFT,
                Action.SUBMIT_COMMUNE_PLAN,
                gettext_lazy("Start an amendment"),
                needs_comment=True,
            )
            for source in (S.APPROVED, S.PUBLISHED)
        ),
    ],
)

MAX_LISTED = 20


def _require_decided(plan: MediumTermCommunePlan, code: str, lead: str) -> None:
    if not active_lines(plan).exists():
        raise ApplicationError(
            "plan_empty",
            _(
                "The commune five-year plan has no lines; synthesise the villages' five-year "
                "plans first."
            ),
        )
    missing = undecided_lines(plan)
    if missing:
        shown = "; ".join(
            _("line %(number)s (%(activity)s): %(what)s")
            % {
                "number": line.number,
                "activity": line.activity,
                "what": _("no decision") if line.decision == Decision.PENDING else _("no reason"),
            }
            for line in missing[:MAX_LISTED]
        )
        if len(missing) > MAX_LISTED:
            shown += "; " + _("and %(n)s more") % {"n": len(missing) - MAX_LISTED}
        raise ApplicationError(code, f"{lead} {shown}.")


def _require_within_frame(plan: MediumTermCommunePlan) -> None:
    excess = frame_excess(plan)
    if excess:
        raise ApplicationError(
            "frame_exceeded",
            _(
                "The funded lines ask more than the resource frame gives (R16); fund fewer "
                "lines or change the frame:"
            )
            + " "
            + " ".join(excess[:MAX_LISTED]),
        )


def _require_synthesised(plan: MediumTermCommunePlan) -> None:
    pending = pending_sources(plan)
    if pending:
        raise ApplicationError(
            "synthesis_outdated",
            _(
                "The villages' five-year plans changed since the last synthesis (%(new)s new "
                "activities, %(changed)s changed, %(withdrawn)s withdrawn, %(back)s sent "
                "again); synthesise again and review the lines before submitting."
            )
            % {
                "new": pending.new,
                "changed": pending.changed,
                "withdrawn": pending.withdrawn,
                "back": pending.back,
            },
        )


def precondition(plan: MediumTermCommunePlan, step: Transition) -> None:
    """The rules of a step that do not depend on what the user types."""
    if step.action == "submit":
        _require_synthesised(plan)
    if step.action in ("submit", "approve", "publish"):
        _require_decided(
            plan,
            f"{step.action}_undecided",
            _("Every line in the plan needs a decision, and a reason when it is not funded:"),
        )
        _require_within_frame(plan)


def can_transition(user: Any, plan: MediumTermCommunePlan, action: str) -> Reason | None:
    return transition_reason(
        obj=plan,
        workflow=COMMUNE_FIVE_YEAR_WORKFLOW,
        action=action,
        user=user,
        unit=plan.round.commune,
        precondition=precondition,
    )


def can_submit(user: Any, plan: MediumTermCommunePlan) -> Reason | None:
    return can_transition(user, plan, "submit")


def can_approve(user: Any, plan: MediumTermCommunePlan) -> Reason | None:
    return can_transition(user, plan, "approve")


def can_publish(user: Any, plan: MediumTermCommunePlan) -> Reason | None:
    return can_transition(user, plan, "publish")


def can_amend(user: Any, plan: MediumTermCommunePlan) -> Reason | None:
    return can_transition(user, plan, "amend")


def plan_offers(user: Any, plan: MediumTermCommunePlan) -> list[Offer]:
    """The steps the page shows this user: a button when the reason is None, otherwise why a
    rule refuses it for now; steps the user may not take, none."""
    return transitions_offered(
        obj=plan,
        workflow=COMMUNE_FIVE_YEAR_WORKFLOW,
        user=user,
        unit=plan.round.commune,
        precondition=precondition,
    )


def can_edit_commune_plan(user: Any, plan: MediumTermCommunePlan) -> Reason | None:
    """Why ``user`` may not synthesise, merge, split, decide or change the frame now, or None."""
    if not has_permission(user, Action.EDIT_COMMUNE_PLAN, plan.round.commune):
        return Reason.of(NotFoundError())
    return draft_reason(plan)
