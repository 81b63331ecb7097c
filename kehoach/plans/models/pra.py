"""F2 — the PRA tools a village used in its appraisal, each with what it found and its photos or
scans (the maps, calendars and diagrams drawn on paper), linked to the SWOT entries (F3) and
problems (F4) its findings support."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel

from .fields import PERSONS
from .findings import Problem, SwotEntry
from .rounds import VillagePlan


def private_storage() -> FileSystemStorage:
    """Photos are kept where no URL reaches them; a view that checks who asks serves them."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def pra_photo_path(instance: PraPhoto, filename: str) -> str:
    return f"pra/{instance.uid}.jpg"


def pra_thumbnail_path(instance: PraPhoto, filename: str) -> str:
    return f"pra/{instance.uid}-nho.jpg"


@bounded
class PraOutput(TimeStampedModel):
    """F2 — one PRA tool used in the village for the plan: when, by whom, with how many women
    and men, what it found, and the findings (F3, F4) it supports."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(VillagePlan, on_delete=models.CASCADE, related_name="pra_outputs")
    tool = models.ForeignKey(
        "catalog.PraTool", verbose_name=_("PRA tool"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("date"))
    facilitators = models.CharField(_("facilitators"), max_length=300, blank=True)
    participants_women = models.PositiveIntegerField(_("women taking part"), default=0, **PERSONS)
    participants_men = models.PositiveIntegerField(_("men taking part"), default=0, **PERSONS)
    findings = models.TextField(_("findings"), max_length=bounds.LONG_TEXT)
    supports_swot = models.ManyToManyField(
        SwotEntry,
        verbose_name=_("SWOT entries it supports"),
        blank=True,
        related_name="pra_outputs",
    )
    supports_problems = models.ManyToManyField(
        Problem, verbose_name=_("problems it supports"), blank=True, related_name="pra_outputs"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("PRA output")
        verbose_name_plural = _("PRA outputs")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.tool.name} · {self.held_on:%d/%m/%Y}"

    @property
    def participants_total(self) -> int:
        return self.participants_women + self.participants_men


_USER: dict[str, Any] = {
    "to": settings.AUTH_USER_MODEL,
    "null": True,
    "blank": True,
    "on_delete": models.PROTECT,
    "related_name": "+",
}


class PraPhoto(TimeStampedModel):
    """A photo or scan of a PRA output (the map, the calendar, the diagram as drawn). The file
    kept is the image as kehoach re-encoded it (``kehoach.core.images``), never the bytes as
    uploaded, with a thumbnail."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    output = models.ForeignKey(PraOutput, on_delete=models.CASCADE, related_name="photos")
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    image = models.FileField(_("photo"), upload_to=pra_photo_path, storage=private_storage)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=pra_thumbnail_path, storage=private_storage
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(verbose_name=_("uploaded by"), **_USER)

    class Meta:
        verbose_name = _("PRA photo")
        verbose_name_plural = _("PRA photos")
        ordering = ["output", "id"]

    def __str__(self) -> str:
        return self.caption or self.original_name or str(self.uid)
