"""Allocation runs and their results per line, kept for comparison."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel

from ..choices import AllocationMode
from .fields import MONEY
from .lines import CommuneLine
from .plan import CommunePlan


class AllocationRun(TimeStampedModel):
    """One run of the allocation in one mode; its results per line are kept for comparison."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(CommunePlan, on_delete=models.CASCADE, related_name="runs")
    mode = models.CharField(_("method"), max_length=16, choices=AllocationMode.choices)
    data_version = models.PositiveIntegerField()
    objective = models.DecimalField(_("priority-weighted funded value"), **MONEY)
    funded_mvnd = models.DecimalField(_("external support funded"), **MONEY)
    funded_count = models.PositiveIntegerField(_("lines funded"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} · {self.created_at:%d/%m/%Y %H:%M}"


class AllocationResult(models.Model):
    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="results")
    line = models.ForeignKey(CommuneLine, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    funded = models.BooleanField()
    draws = models.JSONField(default=dict, help_text="Envelope line uid → amount (text).")
    reason_code = models.CharField(max_length=32)
    reason_params = models.JSONField(default=dict)
    reason = models.TextField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "line"], name="synthesis_result_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.line_id}"
