"""Other apps (synthesis) add sections to the village plan page and the planning round page
without plans importing them (see ``kehoach.core.panels``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kehoach.core.panels import Panel, panels_for, register_panel

from .models import PlanningRound, VillagePlan


def register_plan_panel(panel: Panel) -> None:
    """Shown on the proposals tab of a village plan, above the checklist."""
    register_panel("village_plan", panel)


def register_round_panel(panel: Panel) -> None:
    """Shown on a planning round's page, under its calendar."""
    register_panel("round", panel)


def plan_panels(request: HttpRequest, plan: VillagePlan) -> list[dict[str, Any]]:
    return panels_for("village_plan", request, plan)


def round_panels(request: HttpRequest, round_: PlanningRound) -> list[dict[str, Any]]:
    return panels_for("round", request, round_)
