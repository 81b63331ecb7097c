"""Merges and splits of commune lines, kept so that they can be undone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel

from .lines import CommuneLine
from .plan import CommunePlan


class SynthesisOperation(TimeStampedModel):
    """A merge or a split, kept so that it can be undone."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("merge")
        SPLIT = "split", _("split")

    plan = models.ForeignKey(CommunePlan, on_delete=models.CASCADE, related_name="operations")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    line = models.ForeignKey(
        CommuneLine,
        on_delete=models.PROTECT,
        related_name="operations",
        help_text="The merged line (merge) or the line that was split (split).",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.line_id}"
