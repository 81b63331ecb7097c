"""Downloading and uploading the forms' workbooks, the preview of an upload, its errors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehoach.accounts.permissions import Action, has_permission
from kehoach.catalog.permissions import can_add_alias
from kehoach.catalog.selectors import alias_kind
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.routers import reading_replica
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.selectors import unit_get_for_user
from kehoach.jobs.selectors import job_unfinished_of
from kehoach.jobs.services import job_start
from kehoach.monitoring.services.common import is_monitored
from kehoach.plans.models import PlanningRound, VillagePlan
from kehoach.plans.views.common import plan_or_404 as village_plan_or_404
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.views.common import plan_context as commune_plan_context
from kehoach.synthesis.views.common import plan_or_404 as commune_plan_or_404

from .choices import choices_for
from .exports import ProvinceProposals, export_to_tempfile
from .layouts import layout_get, layouts_for_form
from .models import Form, ImportRecord
from .reading import Limits
from .services import error_workbook, import_apply, import_check
from .targets import (
    BLANK_FORMS,
    COMMUNE_FORMS,
    MIDTERM_FORMS,
    MODULES,
    VILLAGE_FORMS,
    commune_target,
    midterm_target_for,
    village_target,
)
from .tasks import (
    PROVINCE_EXPORT_TASK,
    import_cancel_unless_applying,
    import_confirm_start,
    import_in_background,
    import_job_of,
    province_export_label,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def workbooks_plan_panel(
    request: HttpRequest, plan: VillagePlan
) -> tuple[str, dict[str, Any]] | None:
    """On the village plan page: the forms to download and, for editors, to upload."""
    can_edit = plan.is_editable and has_permission(request.user, Action.EDIT_PLAN, plan.village)
    return (
        "exchange/partials/village_panel.html",
        {
            "plan": plan,
            "forms": [(form, Form(form).label) for form in VILLAGE_FORMS],
            "f6_layouts": layouts_for_form("F6"),
            "blank_forms": BLANK_FORMS,
            "can_edit": can_edit,
            "recent": ImportRecord.objects.filter(target_uid=plan.uid).select_related("actor")[:5],
        },
    )


def _layout_param(request: HttpRequest, form: str) -> Any:
    code = request.GET.get("layout")
    if not code:
        return None
    try:
        layout = layout_get(code)
    except ApplicationError as exc:
        raise Http404 from exc
    if layout.form != form:
        raise Http404
    return layout


def _blank_param(request: HttpRequest, form: str) -> bool:
    """``?blank=1``: the form without the current lines, for the forms that are lists of
    lines (adding lines only; nothing is removed when it comes back)."""
    return request.GET.get("blank") == "1" and form in BLANK_FORMS


@login_required
def village_download(request: HttpRequest, uid: Any, form: str) -> HttpResponse:
    if form not in VILLAGE_FORMS:
        raise Http404
    plan = village_plan_or_404(request, uid)
    blank = _blank_param(request, form)
    data = MODULES[form].export(
        plan, _layout_param(request, form), actor=request.user, **({"blank": True} if blank else {})
    )
    suffix = "-trang" if blank else ""
    return _xlsx(data, f"{form}-{plan.village.code}-{plan.round.plan_year}{suffix}.xlsx")


@login_required
def commune_download(request: HttpRequest, uid: Any, form: str) -> HttpResponse:
    if form not in COMMUNE_FORMS:
        raise Http404
    plan = commune_plan_or_404(request, uid)
    blank = _blank_param(request, form)
    data = MODULES[form].export(
        plan, _layout_param(request, form), actor=request.user, **({"blank": True} if blank else {})
    )
    suffix = "-trang" if blank else ""
    return _xlsx(data, f"{form}-{plan.round.commune.code}-{plan.round.plan_year}{suffix}.xlsx")


def _upload(request: HttpRequest, target: Any, back: str) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the workbook to upload."))
        return redirect(back)
    if upload.size and upload.size > Limits().max_bytes:
        messages.error(
            request,
            _("The file is larger than %(mb)s MB; split it or remove what is not needed.")
            % {"mb": Limits().max_bytes // (1024 * 1024)},
        )
        return redirect(back)
    try:
        record = import_check(
            actor=request.user, target=target, data=upload.read(), filename=upload.name or ""
        )
    except NotFoundError:
        raise  # a 404 (ApplicationErrorMiddleware), not a message
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return redirect("exchange:import", uid=record.uid)


@login_required
@require_POST
def village_upload(request: HttpRequest, uid: Any, form: str) -> HttpResponse:
    if form not in VILLAGE_FORMS:
        raise Http404
    plan = village_plan_or_404(request, uid)
    return _upload(request, village_target(form, plan), reverse("plans:plan", args=[plan.uid]))


@login_required
@require_POST
def commune_upload(request: HttpRequest, uid: Any, form: str) -> HttpResponse:
    if form not in COMMUNE_FORMS:
        raise Http404
    plan = commune_plan_or_404(request, uid)
    return _upload(
        request, commune_target(form, plan), reverse("exchange:commune", args=[plan.uid])
    )


@login_required
def commune_workbooks(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = commune_plan_or_404(request, uid)
    context = commune_plan_context(request, plan, "workbooks")
    may_envelope = any(
        has_permission(request.user, action, plan.round.commune)
        for action in (Action.EDIT_ENVELOPE_COMMUNE, Action.EDIT_ENVELOPE_PROVINCE)
    )
    followed = is_monitored(plan)
    may_report = (
        followed
        and plan.status != CommunePlanStatus.CLOSED
        and has_permission(request.user, Action.REPORT_PROGRESS, plan.round.commune)
    )
    context["forms"] = [
        {
            "code": form,
            "label": Form(form).label,
            "blank": form in BLANK_FORMS,
            # progress (F14) is reported on a published plan, the others change a draft
            "can_upload": may_report
            if form == "F14"
            else plan.is_editable and (may_envelope if form == "F11" else context["can_edit"]),
        }
        for form in COMMUNE_FORMS
        if form != "F14" or followed
    ]
    context["recent"] = ImportRecord.objects.filter(target_uid=plan.uid).select_related("actor")[
        :10
    ]
    return render(request, "exchange/commune.html", context)


def _record(request: HttpRequest, uid: Any) -> tuple[ImportRecord, Any, str]:
    """The record, its target (checked visible to the user) and the page to go back to."""
    record = ImportRecord.objects.filter(uid=uid).defer("kept").first()
    if record is None:
        raise Http404
    if record.form in MIDTERM_FORMS:  # F7: a five-year village plan
        target = midterm_target_for(user=request.user, uid=record.target_uid)
        return record, target, reverse("midterm:plan", args=[target.obj.uid])
    if record.form in VILLAGE_FORMS:
        plan = village_plan_or_404(request, record.target_uid)
        return record, village_target(record.form, plan), reverse("plans:plan", args=[plan.uid])
    cdp = commune_plan_or_404(request, record.target_uid)
    return record, commune_target(record.form, cdp), reverse("exchange:commune", args=[cdp.uid])


def _own_record(request: HttpRequest, uid: Any) -> tuple[ImportRecord, Any, str]:
    """``_record`` of the user's own upload (another user's is a 404, as a missing one)."""
    record, target, back = _record(request, uid)
    if record.actor_id != request.user.pk:
        raise Http404
    return record, target, back


SKIPPED_OPEN = 10
"""Rows not read that the preview lists open; more are folded in a ``<details>``."""


def _aliases(request: HttpRequest, record: ImportRecord, target: Any) -> list[dict[str, Any]]:
    """“Always read … as …” forms of a refused upload: one per distinct name of a list (a
    sector, source or unit) that was not found, when the user may add aliases."""
    wanted: dict[tuple[str, str], list[str]] = {}
    for e in record.errors:
        if e.get("list") and e.get("value") and alias_kind(e["list"]) is not None:
            cell = f"{e.get('column') or ''}{e.get('row') or ''}"
            wanted.setdefault((e["list"], str(e["value"])), []).append(cell)
    if not wanted or record.result != ImportRecord.Result.REFUSED:
        return []
    if can_add_alias(request.user) is not None:
        return []
    year = getattr(target.obj.round, "plan_year", None) or target.obj.round.first_year
    options = {name: choices_for(name, year=year).options() for name, _text in wanted}
    return [
        {"list": name, "text": text, "cells": cells, "options": options[name]}
        for (name, text), cells in wanted.items()
    ]


@login_required
def import_view(request: HttpRequest, uid: Any) -> HttpResponse:
    record, target, back = _own_record(request, uid)
    codes = {e.get("code") for e in record.errors}
    summary = record.summary or {}
    waiting = record.result == ImportRecord.Result.PREVIEWED
    return render(
        request,
        "exchange/import.html",
        {
            "record": record,
            "back": back,
            "summary": summary,
            "target": target.obj,
            "cell_errors": any(e.get("row") for e in record.errors),
            "columns_missing": "columns_missing" in codes
            and record.result == ImportRecord.Result.REFUSED,
            "may_map": record.result == ImportRecord.Result.PREVIEWED and summary.get("unread"),
            "skipped_folded": len(summary.get("skipped") or ()) > SKIPPED_OPEN,
            "aliases": _aliases(request, record, target),
            "in_background": waiting and import_in_background(record),
            "import_job": import_job_of(actor=request.user, record=record) if waiting else None,
        },
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, uid: Any) -> HttpResponse:
    """Apply a checked workbook: at once, or — more than ``KEHOACH_IMPORT_DIRECT_MAX_LINES``
    changes — by a job whose page the person is sent to (a second confirmation gets the same
    job)."""
    record, target, back = _own_record(request, uid)
    if import_in_background(record):
        try:
            job = import_confirm_start(actor=request.user, target=target, record=record)
        except NotFoundError:
            raise
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("exchange:import", uid=record.uid)
        return redirect(job)
    try:
        done = import_apply(actor=request.user, target=target, record=record)
    except NotFoundError:
        raise  # a 404 (ApplicationErrorMiddleware), not a message
    except ApplicationError as exc:
        for item in getattr(exc, "errors", None) or [exc]:
            messages.error(request, item.message)
        return redirect("exchange:import", uid=record.uid)
    counts = done.summary.get("applied", {})
    messages.success(
        request,
        _("The workbook was applied: %(added)s added, %(changed)s changed, %(deleted)s deleted.")
        % {k: counts.get(k, 0) for k in ("added", "changed", "deleted")},
    )
    return redirect(back)


@login_required
@require_POST
def import_cancel_view(request: HttpRequest, uid: Any) -> HttpResponse:
    record, _target, back = _own_record(request, uid)
    try:
        import_cancel_unless_applying(actor=request.user, record=record)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("exchange:import", uid=record.uid)
    messages.success(request, _("Nothing was changed."))
    return redirect(back)


@login_required
def import_errors(request: HttpRequest, uid: Any) -> HttpResponse:
    record, _target, _back = _record(request, uid)
    if record.actor_id != request.user.pk or not record.errors:
        raise Http404
    stem = record.filename.rsplit(".", 1)[0] or "bieu"
    return _xlsx(error_workbook(record), f"{stem}-loi.xlsx")


def _export_years(unit: AdministrativeUnit) -> list[int]:
    return list(
        PlanningRound.objects.filter(commune__path__startswith=unit.path)
        .values_list("plan_year", flat=True)
        .distinct()
        .order_by("-plan_year")
    )


def province_export_panel(
    request: HttpRequest, unit: AdministrativeUnit
) -> tuple[str, dict[str, Any]] | None:
    """On a province's (or former district's) page: every proposal of its communes for a year
    in one workbook."""
    if not has_permission(request.user, Action.VIEW_ROLLUP, unit):
        return None
    years = _export_years(unit)
    if not years:
        return None
    return ("exchange/partials/province_panel.html", {"unit": unit, "years": years})


def _export_unit(request: HttpRequest, code: str, year: int) -> AdministrativeUnit:
    unit = unit_get_for_user(user=request.user, code=code)  # NotFoundError: 404 (middleware)
    if not has_permission(request.user, Action.VIEW_ROLLUP, unit) or year not in _export_years(
        unit
    ):
        raise Http404
    return unit


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@reading_replica()
def province_proposals(request: HttpRequest, code: str, year: int) -> HttpResponse | FileResponse:
    """All village proposals of a province for a plan year, written with constant memory.

    GET: up to ``KEHOACH_EXPORT_DIRECT_MAX_LINES`` lines the workbook is streamed at once from
    a temporary file (a commune or a small district: under a second); a larger one answers with
    a page whose button POSTs here. POST: the export runs as a background job (the person's own
    one still open is reused) and the answer is the job's page."""
    unit = _export_unit(request, code, year)
    report = ProvinceProposals(unit, year)
    if request.method == "POST":
        params = {"unit_code": unit.code, "year": year}
        job = job_unfinished_of(user=request.user, task=PROVINCE_EXPORT_TASK, params=params)
        if job is None:
            job = job_start(
                actor=request.user,
                kind="province-export",
                task=PROVINCE_EXPORT_TASK,
                unit=unit,
                label=province_export_label(unit, year),
                **params,
            )
        return redirect("jobs:detail", uid=job.uid)
    lines = report.queryset().count()
    if lines > settings.KEHOACH_EXPORT_DIRECT_MAX_LINES:
        return render(
            request,
            "exchange/province_export.html",
            {"unit": unit, "year": year, "lines": lines},
        )
    handle, _count = export_to_tempfile(report)
    response = FileResponse(
        handle, as_attachment=True, filename=report.filename(), content_type=XLSX
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
