"""The PRA step of a village plan (F2): the tools the village used, each with its findings,
the findings (F3, F4) it supports and its photos or scans; the add/edit form, deletion after
a confirmation page, the photo upload and removal, and the two endpoints that serve a photo and
its thumbnail.

Plain forms as on the findings pages: a saved change redirects back with a message, a refused
one shows the page again (400) with the message next to the input, a form saved over someone
else's change is shown again (409) with the differences. A photo is only ever served by a view
that checks the user may see the plan, from private storage, as the JPEG kehoach wrote (never
the uploaded bytes), with the headers monitoring's photos have."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehoach.core.errors import ApplicationError
from kehoach.core.images.limits import PHOTO_LONG_SIDE, max_bytes
from kehoach.core.images.upload import size_text
from kehoach.core.text import fold

from ..forms_pra import PraOutputForm, PraPhotoForm
from ..models import PraOutput, PraPhoto, VillagePlan
from ..permissions import PLAN_LOCKED
from ..services.pra import (
    PHOTOS_MAX,
    pra_output_create,
    pra_output_delete,
    pra_output_get_for_user,
    pra_output_update,
    pra_outputs_of,
    pra_photo_add,
    pra_photo_get_for_user,
    pra_photo_remove,
)
from .common import for_the_middleware, plan_context, plan_or_404
from .findings import editable, posted_version, rebound, stale_form

CACHE_SECONDS = 3600
IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def _pra_page(
    request: HttpRequest,
    plan: VillagePlan,
    *,
    status: int = 200,
    form: PraOutputForm | None = None,
    editing: PraOutput | None = None,
    conflict: Any = None,
    photo_form: tuple[PraOutput, PraPhotoForm] | None = None,
) -> HttpResponse:
    context = plan_context(request, plan, "pra")
    context["outputs"] = list(pra_outputs_of(plan))
    context["photos_max"] = PHOTOS_MAX
    context["max_size"] = size_text(max_bytes())
    context["long_side"] = PHOTO_LONG_SIDE
    if context["can_edit"]:
        context["form"] = form or PraOutputForm(
            plan=plan, initial=PraOutputForm.initial_for(editing)
        )
        context["editing"] = editing
        context["conflict"] = conflict
        for output in context["outputs"]:
            refused = photo_form is not None and photo_form[0].pk == output.pk
            output.photo_form = photo_form[1] if photo_form and refused else PraPhotoForm()
            output.photo_form.auto_id = f"id_photo_{output.uid.hex}_%s"
    return render(request, "plans/pra.html", context, status=status)


@login_required
def pra_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    return _pra_page(request, plan)


@login_required
@require_POST
def pra_create_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    refusal = editable(request, plan_context(request, plan, "pra"), "plans:pra")
    if refusal:
        return refusal
    form = PraOutputForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            pra_output_create(actor=request.user, plan=plan, data=form.service_data())
        except ApplicationError as exc:
            for_the_middleware(exc, PLAN_LOCKED)
            form.add_service_error(exc)
        else:
            messages.success(request, _("The PRA output is added."))
            return redirect("plans:pra", uid=plan.uid)
    return _pra_page(request, plan, status=400, form=form)


def _output(request: HttpRequest, uid: Any, output_uid: Any) -> PraOutput:
    return pra_output_get_for_user(user=request.user, plan_uid=uid, uid=output_uid)


@login_required
def pra_edit_view(request: HttpRequest, uid: Any, output_uid: Any) -> HttpResponse:
    output = _output(request, uid, output_uid)
    plan = output.plan
    refusal = editable(request, plan_context(request, plan, "pra"), "plans:pra")
    if refusal:
        return refusal
    if request.method != "POST":
        return _pra_page(request, plan, editing=output)
    form = PraOutputForm(request.POST, plan=plan, initial=PraOutputForm.initial_for(output))
    if form.is_valid():
        try:
            pra_output_update(
                actor=request.user,
                output=output,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            for_the_middleware(exc, PLAN_LOCKED)
            if exc.code == "conflict":
                saved = _output(request, uid, output_uid)
                form = PraOutputForm(
                    rebound(request.POST, "version", saved.version),
                    plan=plan,
                    initial=PraOutputForm.initial_for(saved),
                )
                form.is_valid()
                stale = stale_form(form, exc, PraOutputForm.initial_for(saved))
                return _pra_page(
                    request, plan, status=409, form=form, editing=saved, conflict=stale
                )
            form.add_service_error(exc)
        else:
            messages.success(request, _("The PRA output is saved."))
            return redirect("plans:pra", uid=plan.uid)
    return _pra_page(request, plan, status=400, form=form, editing=output)


@login_required
def pra_delete_view(request: HttpRequest, uid: Any, output_uid: Any) -> HttpResponse:
    """GET: the confirmation page; POST: the deletion."""
    output = _output(request, uid, output_uid)
    plan = output.plan
    context = plan_context(request, plan, "pra")
    refusal = editable(request, context, "plans:pra")
    if refusal:
        return refusal
    if request.method != "POST":
        context["output"] = output
        context["photo_count"] = output.photos.count()
        return render(request, "plans/pra_delete.html", context)
    pra_output_delete(actor=request.user, output=output, expected_version=posted_version(request))
    messages.success(request, _("The PRA output is deleted."))
    return redirect("plans:pra", uid=plan.uid)


@login_required
@require_POST
def pra_photo_add_view(request: HttpRequest, uid: Any, output_uid: Any) -> HttpResponse:
    output = _output(request, uid, output_uid)
    plan = output.plan
    refusal = editable(request, plan_context(request, plan, "pra"), "plans:pra")
    if refusal:
        return refusal
    form = PraPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            pra_photo_add(
                actor=request.user,
                output=output,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ApplicationError as exc:
            for_the_middleware(exc, PLAN_LOCKED)
            form.add_service_error(exc)
        else:
            messages.success(request, _("The photo was added."))
            return redirect(reverse("plans:pra", kwargs={"uid": plan.uid}) + f"#pra-{output.uid}")
    return _pra_page(request, plan, status=400, photo_form=(output, form))


@login_required
@require_POST
def pra_photo_remove_view(request: HttpRequest, uid: Any, photo_uid: Any) -> HttpResponse:
    photo = pra_photo_get_for_user(user=request.user, plan_uid=uid, uid=photo_uid)
    plan = photo.output.plan
    refusal = editable(request, plan_context(request, plan, "pra"), "plans:pra")
    if refusal:
        return refusal
    pra_photo_remove(actor=request.user, photo=photo)
    messages.success(request, _("The photo was removed."))
    return redirect(reverse("plans:pra", kwargs={"uid": plan.uid}) + f"#pra-{photo.output.uid}")


def download_name(photo: PraPhoto, suffix: str = "") -> str:
    """An ASCII file name for the browser: the original name without diacritics, or one made
    from the tool's code; never anything a header could be broken with."""
    stem = photo.original_name.rsplit(".", 1)[0] if photo.original_name else ""
    stem = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")[:60].strip("-")
    return f"{stem or 'anh-pra'}{suffix}.jpg"


def _serve(file: FieldFile, name: str) -> FileResponse:
    """A stored photo file: inline, private, ``nosniff``, a closed Content-Security-Policy
    (as monitoring's ``serve_photo``); 404 when the file is missing."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    return response


@login_required
def pra_photo_view(request: HttpRequest, uid: Any, photo_uid: Any) -> FileResponse:
    """The photo, for whoever may see the village plan."""
    photo = pra_photo_get_for_user(user=request.user, plan_uid=uid, uid=photo_uid)
    return _serve(photo.image, download_name(photo))


@login_required
def pra_thumbnail_view(request: HttpRequest, uid: Any, photo_uid: Any) -> FileResponse:
    photo = pra_photo_get_for_user(user=request.user, plan_uid=uid, uid=photo_uid)
    return _serve(photo.thumbnail, download_name(photo, "-nho"))


urlpatterns = [
    path("plans/<uuid:uid>/pra/", pra_view, name="pra"),
    path("plans/<uuid:uid>/pra/new/", pra_create_view, name="pra_create"),
    path("plans/<uuid:uid>/pra/<uuid:output_uid>/edit/", pra_edit_view, name="pra_edit"),
    path("plans/<uuid:uid>/pra/<uuid:output_uid>/delete/", pra_delete_view, name="pra_delete"),
    path(
        "plans/<uuid:uid>/pra/<uuid:output_uid>/photos/",
        pra_photo_add_view,
        name="pra_photo_add",
    ),
    path("plans/<uuid:uid>/pra/photos/<uuid:photo_uid>/", pra_photo_view, name="pra_photo"),
    path(
        "plans/<uuid:uid>/pra/photos/<uuid:photo_uid>/thumbnail/",
        pra_thumbnail_view,
        name="pra_thumbnail",
    ),
    path(
        "plans/<uuid:uid>/pra/photos/<uuid:photo_uid>/remove/",
        pra_photo_remove_view,
        name="pra_photo_remove",
    ),
]
