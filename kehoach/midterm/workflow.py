"""The five-year village plan's workflow table (F7): the same states, steps and permissions as
the yearly village plan's (``plans.workflow.VILLAGE_PLAN_WORKFLOW``): draft → submitted →
returned (with a comment) → draft … Applying a step is ``services.workflow``."""

from __future__ import annotations

from kehoach.approvals.workflow import Workflow
from kehoach.plans.workflow import CONFIRMED_ACTIONS, VILLAGE_PLAN_WORKFLOW

__all__ = ["CONFIRMED_ACTIONS", "MEDIUM_TERM_PLAN_WORKFLOW"]

MEDIUM_TERM_PLAN_WORKFLOW = Workflow(
    name="medium_term_plan", transitions=list(VILLAGE_PLAN_WORKFLOW.transitions)
)
