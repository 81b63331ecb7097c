"""What every five-year page shares: the plan or period found for this user, breadcrumbs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kehoach.accounts.permissions import can_see
from kehoach.core.reasons import FORBIDDEN
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.selectors import unit_ancestors

from ..models import MediumTermPlan
from ..permissions import can_edit_plan
from ..selectors import plan_get_for_user


def ancestors_of(request: HttpRequest, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    ancestors = unit_ancestors(unit)
    for ancestor in ancestors:
        ancestor.visible = can_see(request.user, ancestor)  # type: ignore[attr-defined]
    return ancestors


def plan_or_404(request: HttpRequest, uid: Any) -> MediumTermPlan:
    return plan_get_for_user(user=request.user, uid=uid)


def plan_context(request: HttpRequest, plan: MediumTermPlan, tab: str) -> dict[str, Any]:
    """Context for ``midterm/plan_base.html``."""
    refusal = can_edit_plan(request.user, plan)
    return {
        "plan": plan,
        "round": plan.round,
        "years": plan.round.years,
        "unit": plan.village,
        "ancestors": ancestors_of(request, plan.village),
        "tab": tab,
        "can_edit": refusal is None,
        "may_edit": refusal is None or refusal.code != FORBIDDEN,
    }
