"""What every village-plan page shares: finding the plan for this user, the header and tabs,
and what the user may change on the tab shown (``plans.permissions``).

Refusals are answered by ``core.refusals.ApplicationErrorMiddleware`` (missing or forbidden →
404, any other → the message where the user is): a view only keeps the refusals its form or
section shows next to the values typed (``for_the_middleware``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from kehoach.accounts.permissions import can_see
from kehoach.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from kehoach.core.reasons import FORBIDDEN, Reason
from kehoach.geo.selectors import unit_ancestors

from ..models import VillagePlan
from ..permissions import can_edit_findings, can_edit_info, can_edit_meeting, can_edit_plan
from ..selectors import plan_get_for_user

EDIT_PERMISSIONS: dict[str, Callable[[Any, VillagePlan], Reason | None]] = {
    "info": can_edit_info,
    "findings": can_edit_findings,
    "ranking": can_edit_findings,
    "meeting": can_edit_meeting,
}
"""The permission that says whether a tab's content may be changed now (others: the plan)."""


def plan_or_404(request: HttpRequest, uid: Any) -> VillagePlan:
    """The plan, if the user may see it (otherwise ``NotFoundError``: the 404 page)."""
    return plan_get_for_user(user=request.user, uid=uid)


def for_the_middleware(error: ApplicationError, *codes: str) -> None:
    """Raise ``error`` again when the page cannot show it beside a form: a missing or forbidden
    object, or a refusal whose code is one of ``codes``. The middleware answers it."""
    if isinstance(error, NotFoundError | PermissionDeniedError) or error.code in codes:
        raise error


def refuse_hidden(context: dict[str, Any]) -> None:
    """A user who may not change this tab at all gets the page of a missing plan."""
    reason: Reason | None = context["edit_refusal"]
    if reason is not None and reason.hidden:
        reason.raise_error()


def plan_context(request: HttpRequest, plan: VillagePlan, tab: str) -> dict[str, Any]:
    """Context for ``plans/plan_base.html``: the plan, breadcrumbs, tabs and what the user may do.

    ``edit_refusal`` is the tab's ``can_edit_*`` answer (``EDIT_PERMISSIONS``): ``can_edit``
    is true when it is None; ``may_edit`` when the user may edit the plan at all (then
    ``frozen`` says why a draft may not change now: a guard of a later step refuses).
    """
    ancestors = unit_ancestors(plan.village)
    for ancestor in ancestors:
        ancestor.visible = can_see(request.user, ancestor)  # type: ignore[attr-defined]
    refusal = EDIT_PERMISSIONS.get(tab, can_edit_plan)(request.user, plan)
    may_edit = refusal is None or refusal.code != FORBIDDEN
    frozen = refusal.message if refusal is not None and may_edit and plan.is_editable else None
    return {
        "plan": plan,
        "unit": plan.village,
        "ancestors": ancestors,
        "tab": tab,
        "may_edit": may_edit,
        "can_edit": refusal is None,
        "edit_refusal": refusal,
        "frozen": frozen,
        "profile": plan.round.profile,
        "plan_year": plan.round.plan_year,
    }
