"""The PRA tools a village uses to appraise itself (F2; domain.md §6.2: the 20 Helvetas tools
by thematic area)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel

from ..choices import PraTheme
from .common import bilingual_name, validate_code


class PraToolQuerySet(models.QuerySet["PraTool"]):
    def active(self) -> PraToolQuerySet:
        return self.filter(is_active=True)


class PraTool(TimeStampedModel):
    """A participatory rural appraisal tool (công cụ PRA): transect walk, resource map, …"""

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        validators=[validate_code],
        help_text=_("Stable code used in workbooks and the API, for example PRA-01."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    theme = models.CharField(_("thematic area"), max_length=24, choices=PraTheme.choices)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PraToolQuerySet.as_manager()

    class Meta:
        verbose_name = _("PRA tool")
        verbose_name_plural = _("PRA tools")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.display_name()}"

    def display_name(self, language: str | None = None) -> str:
        return bilingual_name(self.name, self.name_en, language)
