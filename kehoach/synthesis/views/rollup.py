"""Province (and former district) roll-ups (F18) and the programme view."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from kehoach.accounts.permissions import Action, has_permission
from kehoach.catalog.models import FundingSource
from kehoach.core.routers import reading_replica
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.selectors import unit_get_for_user

from ..reports import programme_rollup, province_rollup, rollup_years
from ..reports.rollup_state import rollup_digest
from .common import ancestors_of


def _unit(request: HttpRequest, code: str) -> AdministrativeUnit:
    unit = unit_get_for_user(user=request.user, code=code)  # missing: 404 (middleware)
    if unit.level not in (Level.PROVINCE, Level.DISTRICT) or not has_permission(
        request.user, Action.VIEW_ROLLUP, unit
    ):
        raise Http404
    return unit


def _base(request: HttpRequest, unit: AdministrativeUnit, year: int) -> dict[str, Any]:
    return {
        "unit": unit,
        "ancestors": ancestors_of(request, unit),
        "year": year,
        "years": rollup_years(unit),
    }


def rollup_table(unit: AdministrativeUnit, year: int) -> SafeString:
    """The roll-up's tables, rendered (``synthesis/partials/rollup_table.html``) or kept from
    an earlier request: under the unit, the year, the language and the digest of everything
    they read (``rollup_digest``, one query), so that any change to it is a new entry and a
    repeated request reads no summary, round or meeting."""
    key = f"rollup:{unit.code}:{year}:{get_language()}:{rollup_digest(unit, year)}"
    html = cache.get(key)
    if html is None:
        rollup = province_rollup(unit, year)
        html = render_to_string(
            "synthesis/partials/rollup_table.html", {"unit": unit, "year": year, "rollup": rollup}
        )
        cache.set(key, html)
    return mark_safe(html)  # rendered by the template engine, escaped there


@login_required
@reading_replica()
def rollup_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    unit = _unit(request, code)
    context = _base(request, unit, year)
    context["table"] = rollup_table(unit, year)
    return render(request, "synthesis/rollup.html", context)


@login_required
def programme_view(request: HttpRequest, code: str, year: int, source: str) -> HttpResponse:
    unit = _unit(request, code)
    programme = FundingSource.objects.filter(code=source).first()
    if programme is None:
        raise Http404
    context = _base(request, unit, year)
    context["report"] = programme_rollup(unit, year, programme)
    return render(request, "synthesis/programme.html", context)
