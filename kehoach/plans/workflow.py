"""The village plan's workflow table: draft → submitted → returned (with a comment) → draft …

Only the table (``approvals.workflow.Workflow``: state, action → new state, permission) and the
steps a user confirms on a page of their own; it imports no service, so that permissions,
views and other apps may read it. Applying a step and the rules each step asks first are in
``services.workflow`` (which re-exports these names).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from kehoach.accounts.permissions import Action
from kehoach.approvals.workflow import Transition, Workflow

from .choices import PlanStatus

__all__ = ["CONFIRMED_ACTIONS", "VILLAGE_PLAN_WORKFLOW"]

VILLAGE_PLAN_WORKFLOW = Workflow(
    name="village_plan",
    transitions=[
        Transition(
            "submit",
            PlanStatus.DRAFT,
            PlanStatus.SUBMITTED,
            Action.SUBMIT_PLAN,
            gettext_lazy("Submit to the commune"),
        ),
        Transition(
            "return",
            PlanStatus.SUBMITTED,
            PlanStatus.RETURNED,
            Action.RETURN_PLAN,
            gettext_lazy("Return for revision"),
            needs_comment=True,
        ),
        Transition(
            "revise",
            PlanStatus.RETURNED,
            PlanStatus.DRAFT,
            Action.REVISE_PLAN,
            gettext_lazy("Reopen for revision"),
        ),
    ],
)

CONFIRMED_ACTIONS = ("submit",)
"""Steps a user confirms on a page of their own first (what they lock), not in one click."""
