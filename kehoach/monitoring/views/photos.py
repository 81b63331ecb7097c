"""Photos of a work: the section of the work's page (photos by stage, the upload form, removal),
the upload and removal endpoints, and the two endpoints that serve a photo and its thumbnail.

A photo is only ever served by a view that checks the user may see the commune plan, from
private storage, as the JPEG kehoach wrote (never the uploaded bytes), with headers that stop a
browser from treating it as anything but an image."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kehoach.accounts.permissions import Action, has_permission
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.text import fold
from kehoach.plans.forms import ServiceErrorsMixin
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan

from ..choices import PhotoStage
from ..models import ProgressPhoto, ProgressReport
from ..services.common import is_monitored
from ..services.photos import (
    CAPTION_MAX,
    PHOTO_LONG_SIDE,
    THUMBNAIL_LONG_SIDE,
    max_bytes,
    photo_add,
    photo_remove,
    size_text,
)
from .common import plan_or_404, work_or_404

SECTION_TEMPLATE = "monitoring/partials/photos.html"
CACHE_SECONDS = 3600
IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"

STAGE_TITLES = {
    PhotoStage.BEFORE: gettext_lazy("Before the works"),
    PhotoStage.DURING: gettext_lazy("During the works"),
    PhotoStage.AFTER: gettext_lazy("After the works"),
}


class ReportChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProgressReport) -> str:
        label = _("Report of %(date)s (%(status)s)") % {
            "date": obj.reported_on.strftime("%d/%m/%Y"),
            "status": str(obj.get_status_display()).lower(),
        }
        return label + (" — " + _("latest") if obj.is_latest else "")


class PhotoForm(ServiceErrorsMixin, forms.Form):
    """The shape of the upload only: every rule (file given, size, type, stage, caption) is
    checked by ``services.photos.photo_add``."""

    report = ReportChoiceField(
        label=gettext_lazy("Progress report"),
        queryset=ProgressReport.objects.none(),
        to_field_name="uid",
        empty_label=None,
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        choices=[(stage.value, title) for stage, title in STAGE_TITLES.items()],
        initial=PhotoStage.DURING,
    )
    caption = forms.CharField(
        label=gettext_lazy("Caption"),
        required=False,
        max_length=CAPTION_MAX,
        help_text=gettext_lazy("What the photo shows, e.g. “Đổ bê tông đoạn 200 m đầu”."),
    )
    image = forms.FileField(
        label=gettext_lazy("Photo (JPEG, PNG or WebP)"),
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args: Any, reports: QuerySet[ProgressReport], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["report"]
        assert isinstance(field, ReportChoiceField)
        field.queryset = reports


def _reports(line: CommuneLine) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(line=line).order_by("-reported_on", "-id")


def may_add_photos(user: Any, line: CommuneLine) -> bool:
    """Whether the upload form and the remove buttons are shown (the service checks again)."""
    plan = line.plan
    return (
        line.state == LineState.ACTIVE
        and line.decision == Decision.FUNDED
        and plan.status != CommunePlanStatus.CLOSED
        and has_permission(user, Action.REPORT_PROGRESS, plan.round.commune)
        and is_monitored(plan)
    )


def _thumbnail_size(photo: ProgressPhoto) -> tuple[int, int]:
    long_side = max(photo.width, photo.height, 1)
    scale = min(1.0, THUMBNAIL_LONG_SIDE / long_side)
    return max(1, round(photo.width * scale)), max(1, round(photo.height * scale))


def work_section(
    request: HttpRequest, line: CommuneLine, form: PhotoForm | None = None
) -> tuple[str, dict[str, Any]] | None:
    """The photos of the work by stage, with the upload form and remove buttons for those who
    may report on it; ``form`` is a refused upload shown again with its errors."""
    photos = list(
        ProgressPhoto.objects.filter(report__line=line)
        .select_related("report")
        .order_by("report__reported_on", "created_at", "id")
    )
    for photo in photos:
        photo.thumb_width, photo.thumb_height = _thumbnail_size(photo)  # type: ignore[attr-defined]
        photo.alt = photo.caption or _("%(stage)s — photo of %(date)s") % {  # type: ignore[attr-defined]
            "stage": STAGE_TITLES[PhotoStage(photo.stage)],
            "date": photo.report.reported_on.strftime("%d/%m/%Y"),
        }
    groups = [
        {
            "stage": stage.value,
            "title": STAGE_TITLES[stage],
            "photos": [p for p in photos if p.stage == stage],
        }
        for stage in PhotoStage
    ]
    may_add = may_add_photos(request.user, line)
    if may_add and form is None:
        latest = (
            ProgressReport.objects.filter(line=line, is_latest=True)
            .values_list("uid", flat=True)
            .first()
        )
        if latest is not None:
            form = PhotoForm(reports=_reports(line), initial={"report": latest})
    return (
        SECTION_TEMPLATE,
        {
            "plan": line.plan,
            "line": line,
            "groups": groups,
            "count": len(photos),
            "may_add": may_add,
            "form": form if may_add else None,
            "max_size": size_text(max_bytes()),
            "long_side": PHOTO_LONG_SIDE,
        },
    )


def _work_url(plan: CommunePlan, line: CommuneLine) -> str:
    return reverse("monitoring:work", kwargs={"uid": plan.uid, "line_uid": line.uid}) + "#photos"


def _work_page_again(
    request: HttpRequest, plan: CommunePlan, line: CommuneLine, form: PhotoForm
) -> HttpResponse:
    """The work's page with the refused upload and its messages (status 400)."""
    from ..forms import ReportForm
    from .progress import _work_context

    context = _work_context(request, plan, line)
    if context["may_report"]:
        context["form"] = ReportForm(funding=context["funding"])
    context["sections"] = [
        work_section(request, line, form=form) if section[0] == SECTION_TEMPLATE else section
        for section in context["sections"]
    ]
    return render(request, "monitoring/work.html", context, status=400)


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
        except NotFoundError as exc:
            raise Http404 from exc
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
    except NotFoundError as exc:
        raise Http404 from exc
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


def _serve(photo: ProgressPhoto, file: FieldFile, content_type: str, name: str) -> FileResponse:
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
    return _serve(photo, photo.image, photo.content_type or "image/jpeg", download_name(photo))


@login_required
def photo_thumbnail_view(request: HttpRequest, uid: Any, photo_uid: Any) -> FileResponse:
    plan = plan_or_404(request, uid)
    photo = _photo_or_404(plan, photo_uid)
    return _serve(photo, photo.thumbnail, "image/jpeg", download_name(photo, "-nho"))


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
