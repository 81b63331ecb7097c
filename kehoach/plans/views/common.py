"""What every village-plan page shares: finding the plan for this user, the header and tabs."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from kehoach.accounts.permissions import Action, can_see, has_permission
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.selectors import unit_ancestors

from ..models import VillagePlan
from ..selectors import plan_get_for_user
from ..services.guards import EDIT, check_plan_guards


def plan_or_404(request: HttpRequest, uid: Any) -> VillagePlan:
    try:
        return plan_get_for_user(user=request.user, uid=uid)
    except NotFoundError as exc:
        raise Http404 from exc


def edit_refusal(plan: VillagePlan) -> str | None:
    """Why a draft plan may not be edited now (a guard of another app refuses), or None."""
    try:
        check_plan_guards(plan, EDIT)
    except ApplicationError as exc:
        return exc.message
    return None


def plan_context(request: HttpRequest, plan: VillagePlan, tab: str) -> dict[str, Any]:
    """Context for ``plans/plan_base.html``: the plan, breadcrumbs, tabs and what the user may do.

    ``can_edit`` is true when the user may edit this plan, the plan is still a draft and no
    guard of a later step freezes it (``frozen`` then says why).
    """
    ancestors = unit_ancestors(plan.village)
    for ancestor in ancestors:
        ancestor.visible = can_see(request.user, ancestor)  # type: ignore[attr-defined]
    may_edit = has_permission(request.user, Action.EDIT_PLAN, plan.village)
    # A draft may still be frozen by a later step (the commune plan made from it is under
    # approval): the same guards the services run decide whether editing is offered.
    frozen = edit_refusal(plan) if may_edit and plan.is_editable else None
    return {
        "plan": plan,
        "unit": plan.village,
        "ancestors": ancestors,
        "tab": tab,
        "may_edit": may_edit,
        "can_edit": may_edit and plan.is_editable and frozen is None,
        "frozen": frozen,
        "profile": plan.round.profile,
        "plan_year": plan.round.plan_year,
    }
