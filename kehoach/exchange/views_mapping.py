"""The mapping page of an upload (its columns matched to the form's fields by the officer, the
layout saved for the next file) and “always read … as …” from a refused upload. Thin: the
record is found and checked as every import page does (``views._own_record``), the work is in
``mapping``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehoach.catalog.models import FundingSource
from kehoach.core.errors import ApplicationError, NotFoundError

from .mapping import (
    Keep,
    Mapping,
    alias_apply,
    base_layout,
    field_options,
    mapping_apply,
    mapping_read,
)
from .views import _own_record


def _programmes() -> list[FundingSource]:
    return list(FundingSource.objects.active().only("pk", "code", "name").order_by("name"))


def _shown(request: HttpRequest) -> list[str] | None:
    """The fields the page listed (posted back with the choice), None from an older page."""
    fields = request.POST.get("fields")
    return fields.split(",") if fields else None


def _chosen(request: HttpRequest, target: Any) -> dict[int, str]:
    """The field posted for each column (``col-<index>``): the drop-downs post the field's
    place in the list the page showed (``fields``, else the form's fields now); "" for not
    read; anything else is kept, and refused as no field."""
    shown = _shown(request) or [o.key for o in field_options(base_layout(target))]
    keys = {str(n): key for n, key in enumerate(shown, start=1)}
    chosen = {}
    for name in request.POST:
        value = request.POST.get(name, "")
        if name.startswith("col-") and name[4:].isdigit():
            chosen[int(name[4:])] = keys.get(value, f"?{value}" if value else "")
    return chosen


def _keep(request: HttpRequest) -> Keep | None:
    """The layout to save, when asked; a programme posted that is not in the list is kept as
    its code (the service refuses it beside the drop-down)."""
    if request.POST.get("save") != "1":
        return None
    code = request.POST.get("programme", "")
    programme = FundingSource.objects.active().filter(code=code).first() if code else None
    return Keep(
        name=request.POST.get("name", ""),
        programme=programme,
        profile_only=request.POST.get("profile_only") == "1",
        programme_code=code,
    )


def _page(request: HttpRequest, mapping: Mapping, back: str, status: int = 200) -> HttpResponse:
    return render(
        request,
        "exchange/mapping.html",
        {
            "record": mapping.record,
            "mapping": mapping,
            "back": back,
            "programmes": _programmes(),
            "form_data": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_columns(request: HttpRequest, uid: Any) -> HttpResponse:
    """GET: each column of the kept file beside the form's fields, guessed; POST: check the
    file again in the layout chosen (and save it, when asked), then its new record's page."""
    record, target, back = _own_record(request, uid)
    try:
        if request.method == "GET":
            return _page(
                request, mapping_read(actor=request.user, record=record, target=target), back
            )
        new, saved, mapping = mapping_apply(
            actor=request.user,
            record=record,
            target=target,
            chosen=_chosen(request, target),
            keep=_keep(request),
            shown=_shown(request),
        )
    except NotFoundError:
        raise  # a 404 (ApplicationErrorMiddleware), not a message
    except ApplicationError as exc:
        # the page cannot be shown (the upload closed, its file gone, the plan locked)
        messages.error(request, exc.message)
        return redirect("exchange:import", uid=record.uid)
    if mapping.errors:
        return _page(request, mapping, back, status=400)
    if saved is not None:
        messages.success(
            request,
            _(
                "The layout “%(name)s” was saved: the next workbook in this shape is read "
                "without matching its columns."
            )
            % {"name": saved.name},
        )
    return redirect("exchange:import", uid=new.uid)


@login_required
@require_POST
def import_alias(request: HttpRequest, uid: Any) -> HttpResponse:
    """“Always read ‘CTMTQG 2026-2035’ as …”: the name kept in the catalog, the file checked
    again; the page of the new record."""
    record, target, _back = _own_record(request, uid)
    text = request.POST.get("text", "")
    try:
        new = alias_apply(
            actor=request.user,
            record=record,
            target=target,
            list_name=request.POST.get("list", ""),
            text=text,
            value=request.POST.get("value", ""),
        )
    except NotFoundError:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("exchange:import", uid=record.uid)
    messages.success(
        request,
        _("From now on “%(text)s” is read as the entry chosen; the workbook was checked again.")
        % {"text": text.strip()},
    )
    return redirect("exchange:import", uid=new.uid)
