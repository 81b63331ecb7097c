"""The five-year plan against what each year planned, funded and completed: per commune (a
five-year period, every village) and per village (one five-year plan)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kehoach.accounts.permissions import can_see
from kehoach.geo.selectors import unit_ancestors

from ..selectors_drawing import (
    comparison,
    medium_term_plan_for_user,
    medium_term_round_for_user,
)


def _crumbs(request: HttpRequest, unit: Any) -> dict[str, Any]:
    ancestors = unit_ancestors(unit)
    for ancestor in ancestors:
        ancestor.visible = can_see(request.user, ancestor)  # type: ignore[attr-defined]
    return {"unit": unit, "ancestors": ancestors}


@login_required
def commune_progress_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """Every village's five-year plan of the period, activity by activity and year by year."""
    medium_round = medium_term_round_for_user(user=request.user, uid=uid)
    context = {
        **_crumbs(request, medium_round.commune),
        "medium_round": medium_round,
        "plan": None,
        "data": comparison(medium_round),
    }
    return render(request, "midterm/progress.html", context)


@login_required
def village_progress_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """One village's five-year plan, activity by activity and year by year."""
    plan = medium_term_plan_for_user(user=request.user, uid=uid)
    context = {
        **_crumbs(request, plan.village),
        "medium_round": plan.round,
        "plan": plan,
        "data": comparison(plan.round, plan),
    }
    return render(request, "midterm/progress.html", context)
