"""Findings pages of a village plan: SWOT by sector and problems (F3, F4); the ranking matrix
(F5) is in ``ranking.py``. Plain forms: a saved change redirects back with a message, a refused
one shows the page again (400) with the message next to the input. Each form sends back the
version it showed (``expected_version``, D85): a form saved over someone else's change is shown
again (409) with what was typed, the values the other person saved beside it, and the current
version, so that saving it again is a deliberate choice; a stale delete is refused by the
middleware (the page again with the message)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehoach.catalog.models import Sector
from kehoach.core.errors import ApplicationError
from kehoach.core.reasons import Reason

from ..forms_findings import ProblemForm, StaleForm, SwotForm
from ..models import Problem, SwotEntry, VillagePlan
from ..permissions import PLAN_LOCKED
from ..services.findings import (
    problem_create,
    problem_delete,
    problem_update,
    problems_of,
    swot_delete,
    swot_entries,
    swot_save,
)
from .common import for_the_middleware, plan_context, plan_or_404


def stale_form(form: Any, exc: ApplicationError, saved: dict[str, Any]) -> StaleForm:
    return StaleForm(exc.message, form.differences(saved))


def rebound(data: Any, name: str, version: int) -> Any:
    """The data posted with the version now saved: what was typed stays in the form."""
    data = data.copy()
    data[name] = str(version)
    return data


def editable(request: HttpRequest, context: dict[str, Any], to: str) -> HttpResponse | None:
    """``None`` when the user may change the findings now (``can_edit_findings``). Otherwise
    the reason goes to the middleware (a 404 for a user who may not edit at all; the message,
    back on the page the form was on, for a locked plan), or, for the GET of an edit form, the
    page ``to`` with the message."""
    reason: Reason | None = context["edit_refusal"]
    if reason is None:
        return None
    if reason.hidden or request.method == "POST":
        reason.raise_error()
    messages.error(request, reason.message)
    return redirect(to, uid=context["plan"].uid)


# --- findings: SWOT (F3) and problems (F4) ----------------------------------------------------


def _findings_page(
    request: HttpRequest,
    plan: VillagePlan,
    *,
    status: int = 200,
    swot_form: tuple[str, SwotForm] | None = None,
    problem_form: ProblemForm | None = None,
    editing: Problem | None = None,
    conflict: StaleForm | None = None,
) -> HttpResponse:
    context = plan_context(request, plan, "findings")
    entries = list(swot_entries(plan))
    context["swot_rows"] = entries
    context["problems"] = list(problems_of(plan))
    if context["can_edit"]:
        by_sector = {entry.sector_id: entry for entry in entries}
        wanted = swot_form[0] if swot_form else request.GET.get("swot", "")
        forms = []
        for sector in Sector.objects.active().order_by("sort_order", "code"):
            entry = by_sector.get(sector.pk)
            if swot_form and swot_form[0] == sector.code:
                form = swot_form[1]
            else:
                form = SwotForm(initial=SwotForm.initial_for(entry), prefix=f"swot-{sector.code}")
            forms.append(
                {
                    "sector": sector,
                    "entry": entry,
                    "form": form,
                    "open": sector.code == wanted,
                    "conflict": conflict if swot_form and swot_form[0] == sector.code else None,
                }
            )
        context["swot_forms"] = forms
        context["problem_form"] = problem_form or ProblemForm(plan=plan, instance=editing)
        context["editing"] = editing
        context["problem_conflict"] = conflict if swot_form is None else None
    return render(request, "plans/findings.html", context, status=status)


@login_required
def findings_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    return _findings_page(request, plan)


def _swot_sector(code: str) -> Sector:
    sector = Sector.objects.filter(code=code).first()
    if sector is None:
        raise Http404
    return sector


@login_required
@require_POST
def swot_save_view(request: HttpRequest, uid: Any, code: str) -> HttpResponse:
    plan = plan_or_404(request, uid)
    sector = _swot_sector(code)
    refusal = editable(request, plan_context(request, plan, "findings"), "plans:findings")
    if refusal:
        return refusal
    prefix = f"swot-{sector.code}"
    form = SwotForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            swot_save(
                actor=request.user,
                plan=plan,
                sector=sector,
                expected_version=form.cleaned_data.get("version"),
                **form.service_data(),
            )
        except ApplicationError as exc:
            for_the_middleware(exc, PLAN_LOCKED)
            if exc.code == "conflict":
                saved = SwotEntry.objects.filter(plan=plan, sector=sector).first()
                form = SwotForm(
                    rebound(request.POST, f"{prefix}-version", saved.version if saved else 0),
                    prefix=prefix,
                )
                form.is_valid()
                stale = stale_form(form, exc, SwotForm.initial_for(saved))
                return _findings_page(
                    request, plan, status=409, swot_form=(sector.code, form), conflict=stale
                )
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("The SWOT analysis of “%(sector)s” is saved.")
                % {"sector": sector.display_name()},
            )
            return redirect("plans:findings", uid=plan.uid)
    return _findings_page(request, plan, status=400, swot_form=(sector.code, form))


def posted_version(request: HttpRequest) -> int | None:
    """The version a delete button showed (None when not sent: no check)."""
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@login_required
@require_POST
def swot_delete_view(request: HttpRequest, uid: Any, code: str) -> HttpResponse:
    plan = plan_or_404(request, uid)
    entry = SwotEntry.objects.filter(plan=plan, sector__code=code).select_related("sector").first()
    if entry is None:
        raise Http404
    swot_delete(actor=request.user, entry=entry, expected_version=posted_version(request))
    messages.success(
        request,
        _("The SWOT analysis of “%(sector)s” is deleted.")
        % {"sector": entry.sector.display_name()},
    )
    return redirect("plans:findings", uid=plan.uid)


@login_required
@require_POST
def problem_create_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    refusal = editable(request, plan_context(request, plan, "findings"), "plans:findings")
    if refusal:
        return refusal
    form = ProblemForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            problem_create(actor=request.user, plan=plan, data=form.service_data())
        except ApplicationError as exc:
            for_the_middleware(exc, PLAN_LOCKED)
            form.add_service_error(exc)
        else:
            messages.success(request, _("The problem is added."))
            return redirect("plans:findings", uid=plan.uid)
    return _findings_page(request, plan, status=400, problem_form=form)


def _problem_or_404(plan: VillagePlan, pk: int) -> Problem:
    problem = Problem.objects.filter(plan=plan, pk=pk).select_related("sector").first()
    if problem is None:
        raise Http404
    return problem


@login_required
def problem_edit_view(request: HttpRequest, uid: Any, pk: int) -> HttpResponse:
    plan = plan_or_404(request, uid)
    problem = _problem_or_404(plan, pk)
    refusal = editable(request, plan_context(request, plan, "findings"), "plans:findings")
    if refusal:
        return refusal
    if request.method != "POST":
        return _findings_page(request, plan, editing=problem)
    form = ProblemForm(request.POST, plan=plan, instance=problem)
    if form.is_valid():
        try:
            problem_update(
                actor=request.user,
                problem=problem,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            for_the_middleware(exc, PLAN_LOCKED)
            if exc.code == "conflict":
                saved = _problem_or_404(plan, pk)
                form = ProblemForm(
                    rebound(request.POST, "version", saved.version), plan=plan, instance=saved
                )
                form.is_valid()
                initial = ProblemForm.initial_for(saved)
                initial["solutions"] = ProblemForm.solutions_initial_for(saved)
                stale = stale_form(form, exc, initial)
                return _findings_page(
                    request, plan, status=409, problem_form=form, editing=saved, conflict=stale
                )
            form.add_service_error(exc)
        else:
            messages.success(request, _("The problem is saved."))
            return redirect("plans:findings", uid=plan.uid)
    return _findings_page(request, plan, status=400, problem_form=form, editing=problem)


@login_required
@require_POST
def problem_delete_view(request: HttpRequest, uid: Any, pk: int) -> HttpResponse:
    plan = plan_or_404(request, uid)
    problem = _problem_or_404(plan, pk)
    problem_delete(actor=request.user, problem=problem, expected_version=posted_version(request))
    messages.success(request, _("The problem is deleted."))
    return redirect("plans:findings", uid=plan.uid)


urlpatterns = [
    path("plans/<uuid:uid>/findings/", findings_view, name="findings"),
    path(
        "plans/<uuid:uid>/findings/swot/<str:code>/",
        swot_save_view,
        name="findings_swot_save",
    ),
    path(
        "plans/<uuid:uid>/findings/swot/<str:code>/delete/",
        swot_delete_view,
        name="findings_swot_delete",
    ),
    path(
        "plans/<uuid:uid>/findings/problems/new/",
        problem_create_view,
        name="findings_problem_create",
    ),
    path(
        "plans/<uuid:uid>/findings/problems/<int:pk>/edit/",
        problem_edit_view,
        name="findings_problem_edit",
    ),
    path(
        "plans/<uuid:uid>/findings/problems/<int:pk>/delete/",
        problem_delete_view,
        name="findings_problem_delete",
    ),
]
