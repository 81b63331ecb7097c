"""The photos section of a work's page: the photos by stage, the upload form and the remove
buttons for those who may add photos (``permissions.can_add_photo``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehoach.core.forms import ServiceErrorsMixin
from kehoach.synthesis.models import CommuneLine

from ..choices import PhotoStage
from ..models import ProgressPhoto, ProgressReport
from ..permissions import can_add_photo
from ..services.photos import (
    CAPTION_MAX,
    PHOTO_LONG_SIDE,
    THUMBNAIL_LONG_SIDE,
    max_bytes,
    size_text,
)

SECTION_TEMPLATE = "monitoring/partials/photos.html"

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
    return can_add_photo(user, line) is None


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
