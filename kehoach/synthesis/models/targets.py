"""F16 — the targets table of a commune plan."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel

from .fields import INDICATOR
from .plan import CommunePlan


@bounded
class TargetValue(TimeStampedModel):
    """One row of the targets table (F16) of a commune plan: an indicator's actual value of
    the year before last, the plan and the estimate of the current year and the plan of the
    plan year."""

    plan = models.ForeignKey(CommunePlan, on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(
        "catalog.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    actual_previous = models.DecimalField(_("actual, year before"), **INDICATOR)
    plan_current = models.DecimalField(_("plan, current year"), **INDICATOR)
    estimate_current = models.DecimalField(_("estimate, current year"), **INDICATOR)
    plan_next = models.DecimalField(_("plan, plan year"), **INDICATOR)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["plan", "indicator"], name="synthesis_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.indicator_id}"
