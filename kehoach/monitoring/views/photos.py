"""Photos of a work: the section of the work's page (photos by stage, the upload form, removal),
the upload and removal endpoints, and the two endpoints that serve a photo and its thumbnail.

A photo is only ever served by a view that checks the user may see the commune plan, from
private storage, as the JPEG kehoach wrote (never the uploaded bytes), with headers that stop a
browser from treating it as anything but an image."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehoach.accounts.permissions import Action, has_permission
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.text import fold
from kehoach.synthesis.models import CommuneLine, CommunePlan

from ..models import ProgressPhoto
from ..services.photos import (
    photo_add,
    photo_remove,
)
from .common import plan_or_404, work_or_404
from .photo_section import PhotoForm, _reports
from .work import work_page

CACHE_SECONDS = 3600
IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def _work_url(plan: CommunePlan, line: CommuneLine) -> str:
    return reverse("monitoring:work", kwargs={"uid": plan.uid, "line_uid": line.uid}) + "#photos"


def _work_page_again(
    request: HttpRequest, plan: CommunePlan, line: CommuneLine, form: PhotoForm
) -> HttpResponse:
    """The work's page with the refused upload and its messages (status 400)."""
    return work_page(request, plan, line, status=400, photo_form=form)


@login_required
@require_POST
def photo_add_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = work_or_404(plan, line_uid)
    if not has_permission(request.user, Action.REPORT_PROGRESS, plan.round.commune):
        raise Http404
    form = PhotoForm(request.POST, request.FILES, reports=_reports(line))
    if form.is_valid():
        try:
            photo_add(
                actor=request.user,
                report=form.cleaned_data["report"],
                stage=form.cleaned_data["stage"],
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The photo was added."))
            return redirect(_work_url(plan, line))
    return _work_page_again(request, plan, line, form)


def _photo_or_404(plan: CommunePlan, photo_uid: Any) -> ProgressPhoto:
    photo = (
        ProgressPhoto.objects.filter(uid=photo_uid, report__line__plan=plan)
        .select_related("report__line")
        .first()
    )
    if photo is None:
        raise Http404
    return photo


@login_required
@require_POST
def photo_remove_view(request: HttpRequest, uid: Any, photo_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    photo = _photo_or_404(plan, photo_uid)
    line = photo.report.line
    try:
        photo_remove(actor=request.user, photo=photo)
    except NotFoundError:
        raise  # the middleware answers 404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The photo was removed."))
    return redirect(_work_url(plan, line))


def download_name(photo: ProgressPhoto, suffix: str = "") -> str:
    """An ASCII file name for the browser: the original name without diacritics, or one made
    from the stage; never anything a header could be broken with."""
    stem = photo.original_name.rsplit(".", 1)[0] if photo.original_name else ""
    stem = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")[:60].strip("-")
    if not stem:
        stem = f"anh-{photo.stage}"
    return f"{stem}{suffix}.{photo.extension or 'jpg'}"


def serve_photo(
    photo: ProgressPhoto, file: FieldFile, content_type: str, name: str
) -> FileResponse:
    """A stored photo file as the browser gets it (the pages and the API): inline, private,
    ``nosniff``, a closed Content-Security-Policy; 404 when the file is missing."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    return response


@login_required
def photo_view(request: HttpRequest, uid: Any, photo_uid: Any) -> FileResponse:
    """The photo, for whoever may see the commune plan."""
    plan = plan_or_404(request, uid)
    photo = _photo_or_404(plan, photo_uid)
    return serve_photo(photo, photo.image, photo.content_type or "image/jpeg", download_name(photo))


@login_required
def photo_thumbnail_view(request: HttpRequest, uid: Any, photo_uid: Any) -> FileResponse:
    plan = plan_or_404(request, uid)
    photo = _photo_or_404(plan, photo_uid)
    return serve_photo(photo, photo.thumbnail, "image/jpeg", download_name(photo, "-nho"))


urlpatterns: list[URLPattern] = [
    path(
        "cdp/<uuid:uid>/works/<uuid:line_uid>/photos/",
        photo_add_view,
        name="photo_add",
    ),
    path("cdp/<uuid:uid>/photos/<uuid:photo_uid>/", photo_view, name="photo"),
    path(
        "cdp/<uuid:uid>/photos/<uuid:photo_uid>/thumbnail/",
        photo_thumbnail_view,
        name="photo_thumbnail",
    ),
    path("cdp/<uuid:uid>/photos/<uuid:photo_uid>/remove/", photo_remove_view, name="photo_remove"),
]
