"""Lines a commune sector or mass organisation proposes itself (R14): add, change, remove,
restore."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError
from kehoach.plans.line_values import LINE_VALUE_FIELDS

from ..forms import CommuneLineForm
from ..models import CommunePlan
from ..selectors import commune_line_get
from ..services.lines.single import (
    commune_line_create,
    commune_line_remove,
    commune_line_restore,
    commune_line_update,
)
from .common import plan_context, plan_or_404, service_action

OWN_LINE_FORM_FIELDS = ["organisation", *LINE_VALUE_FIELDS, "expenditure_type"]
"""What the form of an own line shows as stored (and ``priority``, the village priority)."""


def _own_form(plan: CommunePlan, *args: Any, **kwargs: Any) -> CommuneLineForm:
    profile = plan.round.profile
    return CommuneLineForm(
        *args,
        plan_year=plan.round.plan_year,
        min_priority=profile.min_priority,
        max_priority=profile.max_priority,
        **kwargs,
    )


@login_required
def own_line_create(request: HttpRequest, uid: Any) -> HttpResponse:
    """A line proposed by a commune sector or mass organisation (R14)."""
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "synthesis")
    if not context["can_edit"]:
        raise Http404
    form = _own_form(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            line = commune_line_create(actor=request.user, plan=plan, data=form.service_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Line %(number)s added.") % {"number": line.number})
            return redirect("synthesis:line", uid=plan.uid, line_uid=line.uid)
    context["form"] = form
    context["editing"] = None
    return render(
        request,
        "synthesis/own_line.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
def own_line_edit(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = commune_line_get(plan, line_uid)
    context = plan_context(request, plan, "synthesis")
    if not context["can_edit"] or not line.organisation:
        raise Http404
    initial = {name: getattr(line, name) for name in OWN_LINE_FORM_FIELDS}
    initial["priority"] = line.village_priority
    initial["version"] = line.version
    form = _own_form(plan, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            commune_line_update(
                actor=request.user,
                line=line,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Line %(number)s saved.") % {"number": line.number})
            return redirect("synthesis:line", uid=plan.uid, line_uid=line.uid)
    context["form"] = form
    context["editing"] = line
    return render(
        request, "synthesis/own_line.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
@service_action
def own_line_remove(request: HttpRequest, uid: Any, line_uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    line = commune_line_get(plan, line_uid)
    commune_line_remove(actor=request.user, line=line)
    return (
        _("Line %(number)s removed; it can be restored from the list of other lines.")
        % {"number": line.number},
        reverse("synthesis:plan", args=[plan.uid]),
    )


@login_required
@service_action
def own_line_restore(request: HttpRequest, uid: Any, line_uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    line = commune_line_get(plan, line_uid)
    commune_line_restore(actor=request.user, line=line)
    return (
        _("Line %(number)s restored.") % {"number": line.number},
        reverse("synthesis:line", args=[plan.uid, line.uid]),
    )
