"""Planning rounds: created by the commune planner, listed on the commune's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, can_see, has_permission
from kehoach.core.errors import ApplicationError
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.selectors import unit_ancestors, unit_get_for_user

from ..forms import RoundForm
from ..models import VillageMeeting
from ..panels import round_panels
from ..selectors import commune_participation, round_get_for_user, rounds_of
from ..services.meeting import meeting_result, participation_targets
from ..services.rounds import round_add_missing_plans, round_create
from .common import for_the_middleware


def commune_rounds_panel(
    request: HttpRequest, commune: AdministrativeUnit
) -> tuple[str, dict[str, Any]] | None:
    """The commune page's section listing its planning rounds (newest first)."""
    return (
        "plans/partials/commune_rounds.html",
        {
            "rounds": list(rounds_of(commune)),
            "can_manage": has_permission(request.user, Action.MANAGE_ROUNDS, commune),
            "commune": commune,
        },
    )


def _ancestors(request: HttpRequest, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    ancestors = unit_ancestors(unit)
    for ancestor in ancestors:
        ancestor.visible = can_see(request.user, ancestor)  # type: ignore[attr-defined]
    return ancestors


@login_required
def round_create_view(request: HttpRequest, code: str) -> HttpResponse:
    commune = unit_get_for_user(user=request.user, code=code)
    if commune.level != Level.COMMUNE or not has_permission(
        request.user, Action.MANAGE_ROUNDS, commune
    ):
        raise Http404
    form = RoundForm(request.POST or None, initial={"plan_year": timezone.localdate().year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            round_ = round_create(actor=request.user, commune=commune, **form.cleaned_data)
        except ApplicationError as exc:
            for_the_middleware(exc)
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Planning round %(year)s opened with %(count)s village plans.")
                % {"year": round_.plan_year, "count": round_.plans.count()},
            )
            return redirect("plans:round", uid=round_.uid)
    return render(
        request,
        "plans/round_create.html",
        {"unit": commune, "form": form, "ancestors": _ancestors(request, commune)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def round_detail(request: HttpRequest, uid: Any) -> HttpResponse:
    round_ = round_get_for_user(user=request.user, uid=uid)
    if request.method == "POST":
        return _add_missing(request, round_)
    plans = list(
        round_.plans.select_related("village").order_by("village__sort_key", "village__code")
    )
    meetings = {m.plan_id: m for m in VillageMeeting.objects.filter(plan__round=round_)}
    figures = {
        row["id"]: row
        for row in round_.plans.values("id").annotate(
            n_lines=Count("lines", filter=Q(lines__deleted_at__isnull=True)),
            cost=Sum("lines__total_cost_mvnd", filter=Q(lines__deleted_at__isnull=True)),
        )
    }
    rows = []
    for plan in plans:
        meeting = meetings.get(plan.id)
        rows.append(
            {
                "plan": plan,
                "lines": figures.get(plan.id, {}).get("n_lines", 0),
                "cost": figures.get(plan.id, {}).get("cost"),
                "record": meeting,
                "meeting": meeting_result(meeting, round_.profile) if meeting else None,
            }
        )
    commune = round_.commune
    participation = commune_participation(round_)
    targets = participation_targets(round_.profile)
    return render(
        request,
        "plans/round.html",
        {
            "round": round_,
            "unit": commune,
            "ancestors": _ancestors(request, commune),
            "rows": rows,
            "participation": participation,
            "profile": round_.profile,
            "targets": targets,
            "below": {
                code: targets[code] is not None
                and participation[code] is not None
                and participation[code] < targets[code]
                for code in ("women_pct", "poor_pct", "em_pct")
            },
            "can_manage": has_permission(request.user, Action.MANAGE_ROUNDS, commune),
            "panels": round_panels(request, round_),
        },
    )


def _add_missing(request: HttpRequest, round_: Any) -> HttpResponse:
    created = round_add_missing_plans(actor=request.user, round_=round_)
    messages.success(request, _("%(count)s village plans added.") % {"count": len(created)})
    return redirect("plans:round", uid=round_.uid)
