"""The ranking matrix of a village plan (F5), and setting the proposals' priorities from it.
Plain forms as on the findings pages (``findings.py``), a stale form shown again the same way."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kehoach.core.errors import ApplicationError

from ..forms_findings import RankingItemForm, StaleForm
from ..models import RankingItem, VillagePlan
from ..permissions import PLAN_LOCKED
from ..services.findings import (
    SCORE_MAX,
    SCORE_MIN,
    ranking_apply_priorities,
    ranking_criteria,
    ranking_item_create,
    ranking_item_delete,
    ranking_item_update,
    ranking_table,
)
from .common import for_the_middleware, plan_context, plan_or_404
from .findings import editable, posted_version, rebound, stale_form

# --- ranking matrix (F5) ----------------------------------------------------------------------


def _item_form(plan: VillagePlan, *args: Any, **kwargs: Any) -> RankingItemForm:
    return RankingItemForm(*args, plan=plan, criteria=ranking_criteria(plan), **kwargs)


def _ranking_page(
    request: HttpRequest,
    plan: VillagePlan,
    *,
    status: int = 200,
    form: RankingItemForm | None = None,
    editing: RankingItem | None = None,
    conflict: StaleForm | None = None,
) -> HttpResponse:
    context = plan_context(request, plan, "ranking")
    context["criteria"] = ranking_criteria(plan)
    context["rows"] = ranking_table(plan)
    context["score_min"], context["score_max"] = SCORE_MIN, SCORE_MAX
    if context["can_edit"]:
        context["item_form"] = form or _item_form(plan, instance=editing)
        context["editing"] = editing
        context["conflict"] = conflict
    return render(request, "plans/ranking.html", context, status=status)


@login_required
def ranking_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    return _ranking_page(request, plan)


@login_required
@require_POST
def ranking_item_create_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    refusal = editable(request, plan_context(request, plan, "ranking"), "plans:ranking")
    if refusal:
        return refusal
    form = _item_form(plan, request.POST)
    if form.is_valid():
        try:
            ranking_item_create(actor=request.user, plan=plan, **form.service_data())
        except ApplicationError as exc:
            for_the_middleware(exc, PLAN_LOCKED)
            form.add_service_error(exc)
        else:
            messages.success(request, _("The row is added to the ranking."))
            return redirect("plans:ranking", uid=plan.uid)
    return _ranking_page(request, plan, status=400, form=form)


def _item_or_404(plan: VillagePlan, pk: int) -> RankingItem:
    item = RankingItem.objects.filter(plan=plan, pk=pk).select_related("line").first()
    if item is None:
        raise Http404
    return item


@login_required
def ranking_item_edit_view(request: HttpRequest, uid: Any, pk: int) -> HttpResponse:
    plan = plan_or_404(request, uid)
    item = _item_or_404(plan, pk)
    refusal = editable(request, plan_context(request, plan, "ranking"), "plans:ranking")
    if refusal:
        return refusal
    if request.method != "POST":
        return _ranking_page(request, plan, editing=item)
    form = _item_form(plan, request.POST, instance=item)
    if form.is_valid():
        try:
            ranking_item_update(
                actor=request.user,
                item=item,
                expected_version=form.cleaned_data.get("version"),
                **form.service_data(),
            )
        except ApplicationError as exc:
            for_the_middleware(exc, PLAN_LOCKED)
            if exc.code == "conflict":
                saved = _item_or_404(plan, pk)
                form = _item_form(
                    plan, rebound(request.POST, "version", saved.version), instance=saved
                )
                form.is_valid()
                stale = stale_form(form, exc, RankingItemForm.initial_for(saved))
                return _ranking_page(
                    request, plan, status=409, form=form, editing=saved, conflict=stale
                )
            form.add_service_error(exc)
        else:
            messages.success(request, _("The ranking row is saved."))
            return redirect("plans:ranking", uid=plan.uid)
    return _ranking_page(request, plan, status=400, form=form, editing=item)


@login_required
@require_POST
def ranking_item_delete_view(request: HttpRequest, uid: Any, pk: int) -> HttpResponse:
    plan = plan_or_404(request, uid)
    item = _item_or_404(plan, pk)
    ranking_item_delete(actor=request.user, item=item, expected_version=posted_version(request))
    messages.success(request, _("The ranking row is deleted."))
    return redirect("plans:ranking", uid=plan.uid)


@login_required
@require_POST
def ranking_apply_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    changed = ranking_apply_priorities(actor=request.user, plan=plan)
    if changed:
        messages.success(
            request,
            ngettext(
                "The priority of %(count)s proposal was set from the ranking.",
                "The priorities of %(count)s proposals were set from the ranking.",
                changed,
            )
            % {"count": changed},
        )
    else:
        messages.info(
            request, _("The proposals' priorities already follow the ranking; nothing changed.")
        )
    return redirect("plans:ranking", uid=plan.uid)


urlpatterns = [
    path("plans/<uuid:uid>/ranking/", ranking_view, name="ranking"),
    path("plans/<uuid:uid>/ranking/rows/new/", ranking_item_create_view, name="ranking_create"),
    path(
        "plans/<uuid:uid>/ranking/rows/<int:pk>/edit/", ranking_item_edit_view, name="ranking_edit"
    ),
    path(
        "plans/<uuid:uid>/ranking/rows/<int:pk>/delete/",
        ranking_item_delete_view,
        name="ranking_delete",
    ),
    path("plans/<uuid:uid>/ranking/apply-priorities/", ranking_apply_view, name="ranking_apply"),
]
