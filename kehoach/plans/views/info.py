"""The village basic information page (F1): the paper form's rows as one table, edited in
place while the plan is a draft, read-only otherwise; last year's values on offer."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehoach.core.errors import ApplicationError
from kehoach.core.numbers import format_date_vi, format_number_vi

from ..forms_info import (
    BasicInfoForm,
    date_name,
    ethnic_formset,
    ethnic_rows,
    source_name,
)
from ..models import BasicInfo, VillagePlan
from ..permissions import PLAN_LOCKED
from ..services.info import (
    ETHNIC_GROUPS,
    F1_GROUPS,
    F1_ROWS,
    F1Row,
    basic_info_copy_previous,
    basic_info_get_or_empty,
    basic_info_is_empty,
    basic_info_percentages,
    basic_info_previous,
    basic_info_save,
)
from .common import for_the_middleware, plan_context, plan_or_404, refuse_hidden


def _shown(row: F1Row, value: Any) -> str:
    """A saved value as the paper form shows it: 1.234 · 12,5 · Có / Không."""
    if value is None or value == "":
        return ""
    if row.kind == "count":
        return format_number_vi(value)
    if row.kind == "decimal":
        text = format_number_vi(Decimal(value), 3)
        return text.rstrip("0").rstrip(",") if "," in text else text
    if row.kind in ("yes_no", "flag"):
        return _("Yes") if value else _("No")
    return str(value)


def _date_shown(text: str) -> str:
    try:
        return format_date_vi(datetime.date.fromisoformat(text)) if text else ""
    except ValueError:
        return text


def _source_shown(info: BasicInfo, key: str) -> dict[str, str]:
    entry = (info.sources or {}).get(key) or {}
    return {"source": entry.get("source", ""), "date": _date_shown(entry.get("date", ""))}


def _groups(info: BasicInfo, form: BasicInfoForm | None) -> list[dict[str, Any]]:
    """The table's sections in paper-form order, each row with its inputs (when editing),
    its saved value, the computed percentage and its data source."""
    percentages = basic_info_percentages(info)
    groups = []
    for group in F1_GROUPS:
        lines = []
        for row in F1_ROWS:
            if row.group != group.key:
                continue
            share = percentages.get(row.percent) if row.percent else None
            lines.append(
                {
                    "row": row,
                    "numeric": row.kind in ("count", "decimal"),
                    "field": form[row.field] if form else None,
                    "source_field": form[source_name(row.field)] if form else None,
                    "date_field": form[date_name(row.field)] if form else None,
                    "shown": _shown(row, getattr(info, row.field)),
                    "percent": format_number_vi(share, 1) if share is not None else "",
                    **_source_shown(info, row.field),
                }
            )
        groups.append({"heading": group.heading, "lines": lines})
    return groups


def _unbound(info: BasicInfo) -> tuple[BasicInfoForm, forms.BaseFormSet[Any]]:
    return BasicInfoForm(initial=BasicInfoForm.initial_for(info)), ethnic_formset(info)


def _render(
    request: HttpRequest,
    plan: VillagePlan,
    context: dict[str, Any],
    info: BasicInfo,
    form: BasicInfoForm,
    formset: forms.BaseFormSet[Any],
    *,
    status: int = 200,
    conflict: str = "",
    ethnic_errors: list[str] | None = None,
) -> HttpResponse:
    editing = bool(context["can_edit"])
    previous = None
    if editing and basic_info_is_empty(info):
        previous = basic_info_previous(plan)
    groups_saved = list(info.ethnic_groups.all()) if info.pk else []
    context.update(
        {
            "info": info,
            "form": form,
            "formset": formset,
            "groups": _groups(info, form if editing else None),
            "ethnic_saved": [
                {
                    "name": g.name,
                    "households": format_number_vi(g.households),
                    "persons": format_number_vi(g.persons),
                }
                for g in groups_saved
            ],
            "ethnic_total_households": format_number_vi(sum(g.households for g in groups_saved)),
            "ethnic_total_persons": format_number_vi(sum(g.persons for g in groups_saved)),
            "ethnic_source": _source_shown(info, ETHNIC_GROUPS),
            "ethnic_source_field": form[source_name(ETHNIC_GROUPS)],
            "ethnic_date_field": form[date_name(ETHNIC_GROUPS)],
            "ethnic_errors": ethnic_errors or [],
            "previous": previous,
            "conflict": conflict,
        }
    )
    return render(request, "plans/info.html", context, status=status)


@login_required
def info_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "info")
    info = basic_info_get_or_empty(plan)
    if request.method != "POST":
        form, formset = _unbound(info)
        return _render(request, plan, context, info, form, formset)
    refuse_hidden(context)
    formset = ethnic_formset(data=request.POST)
    form = BasicInfoForm(request.POST, ethnic=formset)
    form_ok = form.is_valid()
    if not (formset.is_valid() and form_ok):
        return _render(request, plan, context, info, form, formset, status=400)
    try:
        basic_info_save(
            actor=request.user,
            plan=plan,
            data=form.service_data(),
            sources=form.service_sources(),
            ethnic_groups=ethnic_rows(formset),
            expected_version=form.cleaned_data.get("version"),
        )
    except ApplicationError as exc:
        for_the_middleware(exc, PLAN_LOCKED)
        if exc.code == "conflict":
            # Nothing was saved: show what the other person saved, ready to be changed again.
            fresh = basic_info_get_or_empty(plan)
            form, formset = _unbound(fresh)
            return _render(
                request, plan, context, fresh, form, formset, status=409, conflict=exc.message
            )
        form.add_service_error(exc)
        return _render(
            request,
            plan,
            context,
            info,
            form,
            formset,
            status=400,
            ethnic_errors=form.table_errors,
        )
    messages.success(request, _("The basic information of the village is saved."))
    return redirect("plans:info", uid=plan.uid)


@login_required
@require_POST
def info_copy_previous_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    basic_info_copy_previous(actor=request.user, plan=plan)
    messages.success(
        request, _("Last year's values are copied. Check them and correct what has changed.")
    )
    return redirect("plans:info", uid=plan.uid)


urlpatterns = [
    path("plans/<uuid:uid>/info/", info_view, name="info"),
    path(
        "plans/<uuid:uid>/info/copy-previous/",
        info_copy_previous_view,
        name="info_copy_previous",
    ),
]
