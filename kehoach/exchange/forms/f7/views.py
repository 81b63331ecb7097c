"""Downloading and uploading a five-year village plan's workbook (F7): the same machinery as
the yearly forms (``exchange.views._upload``: size limit, check, preview page, confirmation)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from kehoach.midterm.models import MediumTermPlan
from kehoach.midterm.selectors import plan_get_for_user

from ... import views
from .common import FORM
from .exporting import export
from .target import midterm_target


def plan_or_404(request: HttpRequest, uid: Any) -> MediumTermPlan:
    """The five-year plan, if the user may see it (otherwise the 404 page)."""
    return plan_get_for_user(user=request.user, uid=uid)


def plan_page(plan: MediumTermPlan) -> str:
    return reverse("midterm:plan", args=[plan.uid])


@login_required
def midterm_download(request: HttpRequest, uid: Any) -> HttpResponse:
    """The plan's F7 workbook (``?blank=1``: without its lines, to add new ones)."""
    plan = plan_or_404(request, uid)
    blank = request.GET.get("blank") == "1"
    data = export(plan, views._layout_param(request, FORM), actor=request.user, blank=blank)
    round_ = plan.round
    suffix = "-trang" if blank else ""
    name = f"{FORM}-{plan.village.code}-{round_.first_year}-{round_.last_year}{suffix}.xlsx"
    return views._xlsx(data, name)


@login_required
@require_POST
def midterm_upload(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    return views._upload(request, midterm_target(plan), plan_page(plan))
