"""Five-year periods: the commune page's section, opening a period, the period's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.selectors import unit_get_for_user

from ..forms import PeriodForm
from ..permissions import can_add_missing_plans, can_open_round
from ..selectors import round_get_for_user, round_rows, rounds_of
from ..services.rounds import (
    add_missing_medium_term_plans,
    medium_term_period_defaults,
    open_medium_term_round,
)
from .common import ancestors_of


def commune_periods_panel(
    request: HttpRequest, commune: AdministrativeUnit
) -> tuple[str, dict[str, Any]] | None:
    """The commune page's section listing its five-year periods (latest first)."""
    return (
        "midterm/partials/commune_periods.html",
        {
            "periods": list(rounds_of(commune)),
            "can_open": can_open_round(request.user, commune) is None,
            "commune": commune,
        },
    )


@login_required
def period_create_view(request: HttpRequest, code: str) -> HttpResponse:
    commune = unit_get_for_user(user=request.user, code=code)
    refusal = can_open_round(request.user, commune)
    if refusal is not None:
        raise NotFoundError()
    first, last = medium_term_period_defaults(commune)
    form = PeriodForm(request.POST or None, initial={"first_year": first, "last_year": last})
    if request.method == "POST" and form.is_valid():
        try:
            round_ = open_medium_term_round(request.user, commune, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            count = round_.plans.count()
            messages.success(
                request,
                ngettext(
                    "Five-year period %(first)s–%(last)s opened with %(count)s village plan.",
                    "Five-year period %(first)s–%(last)s opened with %(count)s village plans.",
                    count,
                )
                % {"first": round_.first_year, "last": round_.last_year, "count": count},
            )
            return redirect("midterm:period", uid=round_.uid)
    return render(
        request,
        "midterm/period_create.html",
        {"unit": commune, "form": form, "ancestors": ancestors_of(request, commune)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def period_detail(request: HttpRequest, uid: Any) -> HttpResponse:
    round_ = round_get_for_user(user=request.user, uid=uid)
    if request.method == "POST":
        created = add_missing_medium_term_plans(request.user, round_)
        messages.success(request, _("%(count)s village plans added.") % {"count": len(created)})
        return redirect("midterm:period", uid=round_.uid)
    return render(
        request,
        "midterm/period.html",
        {
            "round": round_,
            "unit": round_.commune,
            "ancestors": ancestors_of(request, round_.commune),
            "years": round_.years,
            "rows": round_rows(round_),
            "can_manage": can_add_missing_plans(request.user, round_) is None,
        },
    )
