"""The national roll-up (issue 16): the country by province, a province by commune, read from
the summaries; for a national officer (a ministry or national programme) and the
administrator. Everyone else gets 404, as for any page they may not read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kehoach.accounts.permissions import Action, has_permission
from kehoach.geo.choices import Level
from kehoach.geo.selectors import unit_get_for_user

from ..summaries.national import area_rollup, national_years


def _require(request: HttpRequest) -> None:
    if not has_permission(request.user, Action.VIEW_NATIONAL):
        raise Http404


@login_required
def national_latest(request: HttpRequest) -> HttpResponse:
    """The latest plan year that has data (this year's plans when there are none yet)."""
    _require(request)
    years = national_years()
    return redirect("synthesis:national", years[0] if years else timezone.localdate().year + 1)


@login_required
def national_view(request: HttpRequest, year: int, code: str = "") -> HttpResponse:
    _require(request)
    province = None
    if code:
        province = unit_get_for_user(user=request.user, code=code)  # missing: 404
        if province.level != Level.PROVINCE:
            raise Http404
    return render(
        request,
        "synthesis/national.html",
        {
            "year": year,
            "years": national_years(),
            "province": province,
            "rollup": area_rollup(year, province),
        },
    )
