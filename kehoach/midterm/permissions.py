"""What a user may do to a five-year period or plan now, asked by views (which buttons show),
templates and services alike (``plans.permissions`` does the same for the yearly plan).

Each ``can_<action>`` answers None when the action may go ahead, or a ``Reason`` saying why
not (``code`` ``not_found`` when the user may not touch the object at all)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.reasons import Reason
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.choices import PlanStatus

from .models import MediumTermPlan, MediumTermRound

PLAN_LOCKED = "plan_locked"


def can_open_round(user: Any, commune: AdministrativeUnit) -> Reason | None:
    """The user may open a five-year period for the commune (the right to open its yearly
    rounds)."""
    if commune.level != Level.COMMUNE or not has_permission(user, Action.MANAGE_ROUNDS, commune):
        return Reason.of(NotFoundError())
    return None


def can_add_missing_plans(user: Any, round_: MediumTermRound) -> Reason | None:
    return can_open_round(user, round_.commune)


def plan_edit_refusal(plan: MediumTermPlan) -> Reason | None:
    """Why the plan itself may not change now, whoever asks: it is not a draft. Reads
    ``plan.status`` as given (a service reads it under the plan row's lock first)."""
    if plan.status != PlanStatus.DRAFT:
        return Reason.of(
            ApplicationError(
                PLAN_LOCKED,
                _(
                    "The five-year plan of %(village)s is “%(status)s” and cannot be changed. "
                    "Ask the commune to return it if something must be corrected."
                )
                % {"village": plan.village.name, "status": plan.get_status_display()},
            )
        )
    return None


def can_edit_plan(user: Any, plan: MediumTermPlan) -> Reason | None:
    """The user may change the plan's activities, their years and its meeting now."""
    if not has_permission(user, Action.EDIT_PLAN, plan.village):
        return Reason.of(NotFoundError())
    return plan_edit_refusal(plan)


def can_edit_lines(user: Any, plan: MediumTermPlan) -> Reason | None:
    return can_edit_plan(user, plan)


def can_review_years(user: Any, plan: MediumTermPlan) -> Reason | None:
    """The user may drop a year of an activity or plan it again: the village's yearly review of
    its five-year plan (F7's status column), also once the plan is submitted and approved: the
    status is what became of the year, not a change of the plan."""
    if not has_permission(user, Action.EDIT_PLAN, plan.village):
        return Reason.of(NotFoundError())
    return None


def can_link_meeting(user: Any, plan: MediumTermPlan) -> Reason | None:
    return can_edit_plan(user, plan)
