"""F7 — the activities of a five-year village plan, each with its quantity and cost per year."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel
from kehoach.plans.choices import ImplementationMode
from kehoach.plans.line_values import HOUSEHOLDS, MONEY

from ..choices import YearStatus
from .rounds import YEAR_VALIDATORS, MediumTermPlan


class MediumTermLineQuerySet(models.QuerySet["MediumTermLine"]):
    def alive(self) -> MediumTermLineQuerySet:
        return self.filter(deleted_at__isnull=True)


class ActivityValues(models.Model):
    """What a five-year activity says that does not change from year to year: the F6 columns
    sector, activity, location, unit, contribution, support, source, beneficiaries,
    implementation, notes. Shared by the village's F7 line and the commune's five-year line."""

    sector = models.ForeignKey(
        "catalog.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.CharField(_("activity"), max_length=300)
    location = models.CharField(_("location"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "catalog.UnitOfMeasure",
        verbose_name=_("unit of measure"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    contribution_mvnd = models.DecimalField(_("village contribution"), default=Decimal(0), **MONEY)
    external_support_mvnd = models.DecimalField(
        _("external support requested"), default=Decimal(0), **MONEY
    )
    proposed_source = models.ForeignKey(
        "catalog.FundingSource",
        verbose_name=_("proposed source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    beneficiary_households = models.PositiveIntegerField(
        _("beneficiary households"), default=0, **HOUSEHOLDS
    )
    beneficiary_poor = models.PositiveIntegerField(_("of which poor"), default=0, **HOUSEHOLDS)
    beneficiary_em = models.PositiveIntegerField(
        _("of which ethnic minority"), default=0, **HOUSEHOLDS
    )
    implementation_mode = models.CharField(
        _("implementation"),
        max_length=16,
        choices=ImplementationMode.choices,
        default=ImplementationMode.COMMUNITY,
    )
    notes = models.TextField(_("notes"), blank=True, max_length=bounds.NOTE_TEXT)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(contribution_mvnd__gte=0) & Q(external_support_mvnd__gte=0),
                name="%(app_label)s_%(class)s_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(beneficiary_poor__lte=F("beneficiary_households"))
                & Q(beneficiary_em__lte=F("beneficiary_households")),
                name="%(app_label)s_%(class)s_beneficiary_parts",
            ),
        ]


ACTIVITY_FIELDS: list[str] = [f.name for f in ActivityValues._meta.local_fields]
"""The values of a five-year activity, in the order of the F7 form."""


class YearAmounts(models.Model):
    """How much of an activity is planned in one year of the period."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=bounds.QUANTITY.validators()
    )
    cost_mvnd = models.DecimalField(_("cost"), **MONEY)

    class Meta:
        abstract = True


@bounded
class MediumTermLine(ActivityValues, TimeStampedModel):
    """One activity of a five-year village plan: the ``ActivityValues``; its quantity and cost
    are given per year (``MediumTermLineYear``) and add up to the line's (R1: the years' costs
    = contribution + external support)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(MediumTermPlan, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField(_("no."), validators=bounds.LINE_NUMBER.validators())
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = MediumTermLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("five-year activity")
        verbose_name_plural = _("five-year activities")
        ordering = ["number"]
        constraints = [
            *ActivityValues.Meta.constraints,
            models.UniqueConstraint(fields=["plan", "number"], name="midterm_line_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.activity}"


@bounded
class MediumTermLineYear(YearAmounts):
    """One year of a five-year activity: how much is planned that year, what became of it,
    and the line of that year's village plan it was drawn into (the link carry-over keeps)."""

    line = models.ForeignKey(MediumTermLine, on_delete=models.CASCADE, related_name="years")
    status = models.CharField(
        _("status"), max_length=16, choices=YearStatus.choices, default=YearStatus.PLANNED
    )
    dropped_reason = models.TextField(
        _("why it was dropped"), blank=True, max_length=bounds.NOTE_TEXT
    )
    drawn_line = models.OneToOneField(
        "plans.ProposalLine",
        verbose_name=_("line of the yearly plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="medium_term_year",
    )

    class Meta:
        verbose_name = _("year of a five-year activity")
        verbose_name_plural = _("years of five-year activities")
        ordering = ["line", "year"]
        constraints = [
            models.UniqueConstraint(fields=["line", "year"], name="midterm_line_year_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(cost_mvnd__gte=0),
                name="midterm_line_year_amounts",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[YearStatus.PLANNED, YearStatus.DROPPED]),
                name="midterm_line_year_status_by_hand",
            ),
            models.CheckConstraint(
                condition=~Q(status=YearStatus.DROPPED) | ~Q(dropped_reason=""),
                name="midterm_line_year_dropped_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} · {self.year}"
