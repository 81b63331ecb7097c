"""Planning rounds (kỳ lập kế hoạch) and village plans (VDP)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel

from ..choices import PlanStatus


class PlanningRound(TimeStampedModel):
    """One commune's planning for one plan year (kỳ lập kế hoạch)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commune = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="planning_rounds",
    )
    plan_year = models.PositiveSmallIntegerField(
        _("plan year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    profile = models.ForeignKey(
        "catalog.ProcessProfile",
        verbose_name=_("process profile"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposals_due = models.DateField(_("village proposals due"), null=True, blank=True)
    synthesis_due = models.DateField(_("commune synthesis due"), null=True, blank=True)
    approval_due = models.DateField(_("approval due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("planning round")
        verbose_name_plural = _("planning rounds")
        ordering = ["-plan_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "plan_year"], name="plans_round_one_per_commune_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune} · {self.plan_year}"


class VillagePlan(TimeStampedModel):
    """Kế hoạch thôn (VDP) of one village in one round."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(
        PlanningRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="plans"
    )
    village = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="village_plans",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    quorum_override_reason = models.TextField(_("reason for accepting the meeting"), blank=True)
    quorum_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("village plan")
        verbose_name_plural = _("village plans")
        constraints = [
            models.UniqueConstraint(fields=["round", "village"], name="plans_one_plan_per_village"),
        ]

    def __str__(self) -> str:
        return f"{self.village} · {self.round.plan_year}"

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT
