"""A commune's medium-term period (kỳ kế hoạch 5 năm) and each village's five-year plan (F7)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel
from kehoach.plans.choices import PlanStatus

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
MAX_YEARS = 10
"""The longest period a profile may set (``ProcessProfile.medium_term_years``)."""


class MediumTermRound(TimeStampedModel):
    """One commune's medium-term planning period, opened like a yearly round: 2026–2030 by
    default (the profile's ``medium_term_start_year`` and ``medium_term_years``)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commune = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="medium_term_rounds",
    )
    first_year = models.PositiveSmallIntegerField(_("first year"), validators=YEAR_VALIDATORS)
    last_year = models.PositiveSmallIntegerField(_("last year"), validators=YEAR_VALIDATORS)
    profile = models.ForeignKey(
        "catalog.ProcessProfile",
        verbose_name=_("process profile"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposals_due = models.DateField(_("village proposals due"), null=True, blank=True)
    approval_due = models.DateField(_("approval due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("five-year planning period")
        verbose_name_plural = _("five-year planning periods")
        ordering = ["-first_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "first_year"], name="midterm_round_one_per_commune_start"
            ),
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year"))
                & Q(last_year__lt=F("first_year") + MAX_YEARS),
                name="midterm_round_span",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune} · {self.first_year}–{self.last_year}"

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


class MediumTermPlan(TimeStampedModel):
    """F7 — one village's five-year plan (Kế hoạch phát triển thôn 5 năm). It follows the
    village plan's workflow (draft → submitted → returned) and is voted at a village meeting
    (F8): the meeting of one of the period's yearly plans, where the village reviews it."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(
        MediumTermRound, verbose_name=_("period"), on_delete=models.PROTECT, related_name="plans"
    )
    village = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="medium_term_plans",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    meeting = models.ForeignKey(
        "plans.VillageMeeting",
        verbose_name=_("village meeting that reviewed the plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="medium_term_plans",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("five-year village plan")
        verbose_name_plural = _("five-year village plans")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "village"], name="midterm_one_plan_per_village"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} · {self.round.first_year}–{self.round.last_year}"

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT
