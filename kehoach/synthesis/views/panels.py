"""Sections that the commune plan adds to other apps' pages (registered in apps.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from kehoach.accounts.permissions import Action, has_permission
from kehoach.catalog.choices import ExpenditureType
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import PlanningRound, VillagePlan

from ..choices import Firmness
from ..models import CommunePlan, Envelope
from ..reports import rollup_years
from ..versions import village_feedback


def envelope_plan_panel(
    request: HttpRequest, plan: VillagePlan
) -> tuple[str, dict[str, Any]] | None:
    """On every village plan page: the round's envelope as published (R19), with the kind of
    spending, how firm each amount is and the activities it may pay for."""
    envelope = Envelope.objects.filter(round_id=plan.round_id, published_at__isnull=False).first()
    if envelope is None:
        return None
    types, firmness = dict(ExpenditureType.choices), dict(Firmness.choices)
    rows = [
        {
            **row,
            "expenditure_label": types.get(row.get("expenditure_type") or "", ""),
            "firmness_label": firmness.get(row.get("firmness") or "", ""),
        }
        for row in envelope.published_lines
    ]
    total = sum((Decimal(r.get("amount_mvnd") or 0) for r in rows), Decimal(0))
    return (
        "synthesis/partials/envelope_panel.html",
        {"envelope": envelope, "rows": rows, "total": total, "plan": plan},
    )


def feedback_plan_panel(
    request: HttpRequest, plan: VillagePlan
) -> tuple[str, dict[str, Any]] | None:
    """On every village plan page once the commune plan is published: each proposal's fate."""
    version, fates, _commune_plan = village_feedback(plan)
    if version is None:
        return None
    return (
        "synthesis/partials/feedback_panel.html",
        {"version": version, "fates": fates, "plan": plan},
    )


def round_synthesis_panel(
    request: HttpRequest, round_: PlanningRound
) -> tuple[str, dict[str, Any]] | None:
    """On the round's page: links to the envelope and the commune plan."""
    plan = CommunePlan.objects.filter(round=round_).first()
    envelope = Envelope.objects.filter(round=round_).first()
    return (
        "synthesis/partials/round_panel.html",
        {
            "round": round_,
            "commune_plan": plan,
            "envelope": envelope,
            "may_edit": has_permission(request.user, Action.EDIT_COMMUNE_PLAN, round_.commune),
        },
    )


def rollup_province_panel(
    request: HttpRequest, unit: AdministrativeUnit
) -> tuple[str, dict[str, Any]] | None:
    """On a province's (or former district's) page: the roll-up of each plan year."""
    if not has_permission(request.user, Action.VIEW_ROLLUP, unit):
        return None
    years = rollup_years(unit)
    if not years:
        return None
    return ("synthesis/partials/rollup_panel.html", {"unit": unit, "years": years})
