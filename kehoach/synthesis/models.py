"""The commune side of a planning round: the resource envelope (F11), the commune plan and its
lines (F9) with links to the village lines they came from (R12), scores (F10), allocation
runs and the funding of each line (R16–R18), and the targets table (F16).

Amounts are Decimal million VND (``*_mvnd``). A commune line's amounts are derived from its
sources (village lines, times the share the line carries of each), so commune totals always
equal the village plans (R13); only lines that the commune's sectors and mass organisations
propose themselves (R14) carry their own amounts. Every write goes through ``services``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehoach.catalog.choices import ExpenditureType
from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel
from kehoach.plans.choices import ImplementationMode

from .choices import (
    AllocationMode,
    AreaScope,
    CommunePlanStatus,
    Decision,
    DecisionOrigin,
    EnvelopeOrigin,
    Firmness,
    LineState,
    Review,
)

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
LINE_MONEY: dict[str, Any] = {**MONEY, "validators": bounds.MONEY_MVND.validators()}
HH: dict[str, Any] = {"validators": bounds.HOUSEHOLDS.validators()}
INDICATOR: dict[str, Any] = {
    "max_digits": 16,
    "decimal_places": 3,
    "null": True,
    "blank": True,
    "validators": bounds.INDICATOR.validators(),
}
PERCENT: dict[str, Any] = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}


class Envelope(TimeStampedModel):
    """The resource envelope of one planning round (khung nguồn lực, F11) and whether it has
    been published to the villages (R19)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.OneToOneField(
        "plans.PlanningRound", on_delete=models.PROTECT, related_name="envelope"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("last changed"), null=True, blank=True)
    published_lines = models.JSONField(
        _("lines as published"),
        default=list,
        blank=True,
        help_text="What the villages see: the lines as they were when last published.",
    )

    class Meta:
        verbose_name = _("resource envelope")
        verbose_name_plural = _("resource envelopes")

    def __str__(self) -> str:
        return str(self.round)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def changed_since_published(self) -> bool:
        return bool(self.published_at and self.changed_at and self.changed_at > self.published_at)


class EnvelopeLineQuerySet(models.QuerySet["EnvelopeLine"]):
    def alive(self) -> EnvelopeLineQuerySet:
        return self.filter(deleted_at__isnull=True)


@bounded
class EnvelopeLine(TimeStampedModel):
    """One line of F11: a programme or source (or one of its components) for a sector and an
    expenditure type, with its amount, firmness, counterpart rule and where and on what it may
    be spent."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField(_("no."), validators=bounds.LINE_NUMBER.validators())
    origin = models.CharField(_("entered by"), max_length=16, choices=EnvelopeOrigin.choices)
    source = models.ForeignKey(
        "catalog.FundingSource",
        verbose_name=_("programme or source"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sector = models.ForeignKey(
        "catalog.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty if the money may go to any sector."),
    )
    expenditure_type = models.CharField(
        _("expenditure type"),
        max_length=16,
        choices=ExpenditureType.choices,
        blank=True,
        help_text=_("Leave empty if the money may pay for investment and recurrent spending."),
    )
    content = models.TextField(_("support content"), blank=True, max_length=bounds.LONG_TEXT)
    activity_keywords = models.CharField(
        _("eligible activities"),
        max_length=500,
        blank=True,
        help_text=_(
            "Words of the activities this money may pay for, separated by commas, for example: "
            "đường, cầu. Leave empty for any activity of the sector."
        ),
    )
    amount_mvnd = models.DecimalField(_("amount"), **LINE_MONEY)
    firmness = models.CharField(
        _("firmness"), max_length=16, choices=Firmness.choices, default=Firmness.INDICATIVE
    )
    counterpart_share_pct = models.DecimalField(
        _("community contribution required (%)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the share the funding source requires."),
        **PERCENT,
    )
    area_scope = models.CharField(
        _("eligible area"), max_length=16, choices=AreaScope.choices, default=AreaScope.ALL
    )
    area_villages = models.ManyToManyField(
        "geo.AdministrativeUnit",
        verbose_name=_("eligible villages"),
        blank=True,
        related_name="+",
    )
    area_flags = models.JSONField(_("eligible village classifications"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=bounds.NOTE_TEXT)
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = EnvelopeLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("envelope line")
        verbose_name_plural = _("envelope lines")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_mvnd__gte=0), name="synthesis_envelope_amount_not_negative"
            ),
            models.UniqueConstraint(
                fields=["envelope", "number"], name="synthesis_envelope_line_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.source.code}"


class CommunePlan(TimeStampedModel):
    """Kế hoạch xã (CDP) of one planning round."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.OneToOneField(
        "plans.PlanningRound", on_delete=models.PROTECT, related_name="commune_plan"
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=CommunePlanStatus.choices,
        default=CommunePlanStatus.DRAFT,
    )
    synthesised_at = models.DateTimeField(_("last synthesis"), null=True, blank=True)
    synthesised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data_version = models.PositiveIntegerField(
        default=1,
        help_text="Goes up with every change that an allocation run depends on.",
    )
    version_number = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("The version being prepared or the last one approved; amendments add one."),
    )
    is_amendment = models.BooleanField(_("amendment"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune plan")
        verbose_name_plural = _("commune plans")

    def __str__(self) -> str:
        return str(self.round)

    @property
    def is_editable(self) -> bool:
        return self.status == CommunePlanStatus.DRAFT


class CommuneLineQuerySet(models.QuerySet["CommuneLine"]):
    def active(self) -> CommuneLineQuerySet:
        return self.filter(state=LineState.ACTIVE)


@bounded
class CommuneLine(TimeStampedModel):
    """One line of the commune synthesis (F9). Its village lines are in ``sources``; a line
    without sources was proposed by a commune sector or mass organisation (R14)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(CommunePlan, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField(_("no."), validators=bounds.LINE_NUMBER.validators())
    state = models.CharField(
        _("state"), max_length=16, choices=LineState.choices, default=LineState.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
    )
    share = models.DecimalField(
        _("share of the line it was split from"),
        max_digits=9,
        decimal_places=6,
        default=Decimal(1),
    )
    organisation = models.CharField(
        _("proposed by (commune sector or organisation)"), max_length=200, blank=True
    )
    sector = models.ForeignKey(
        "catalog.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.CharField(_("activity"), max_length=300)
    location = models.CharField(_("location"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "catalog.UnitOfMeasure",
        verbose_name=_("unit of measure"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=bounds.QUANTITY.validators()
    )
    start_month = models.DateField(_("start"))
    end_month = models.DateField(_("end"))
    total_cost_mvnd = models.DecimalField(_("total cost"), **LINE_MONEY)
    contribution_mvnd = models.DecimalField(
        _("village contribution"), default=Decimal(0), **LINE_MONEY
    )
    contribution_cash_mvnd = models.DecimalField(
        _("of which cash"), default=Decimal(0), **LINE_MONEY
    )
    contribution_labour_days = models.DecimalField(
        _("labour days"),
        default=Decimal(0),
        max_digits=12,
        decimal_places=1,
        validators=bounds.LABOUR_DAYS.validators(),
    )
    contribution_labour_mvnd = models.DecimalField(
        _("of which labour"), default=Decimal(0), **LINE_MONEY
    )
    contribution_materials_mvnd = models.DecimalField(
        _("of which materials and land"), default=Decimal(0), **LINE_MONEY
    )
    contribution_land_m2 = models.DecimalField(
        _("land donated"),
        default=Decimal(0),
        max_digits=12,
        decimal_places=1,
        validators=bounds.LAND_M2.validators(),
    )
    external_support_mvnd = models.DecimalField(
        _("external support requested"), default=Decimal(0), **LINE_MONEY
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
        _("beneficiary households"), default=0, **HH
    )
    beneficiary_poor = models.PositiveIntegerField(_("of which poor"), default=0, **HH)
    beneficiary_em = models.PositiveIntegerField(_("of which ethnic minority"), default=0, **HH)
    implementation_mode = models.CharField(
        _("implementation"),
        max_length=16,
        choices=ImplementationMode.choices,
        default=ImplementationMode.COMMUNITY,
    )
    village_priority = models.PositiveSmallIntegerField(
        _("village priority"), null=True, blank=True
    )
    expenditure_type = models.CharField(
        _("expenditure type"),
        max_length=16,
        choices=ExpenditureType.choices,
        default=ExpenditureType.INVESTMENT,
    )
    notes = models.TextField(_("notes"), blank=True, max_length=bounds.NOTE_TEXT)
    manual_scores = models.JSONField(_("scores given by the commune"), default=dict, blank=True)
    rank_override = models.PositiveIntegerField(
        _("rank set by hand"), null=True, blank=True, validators=bounds.LINE_NUMBER.validators()
    )
    rank_reason = models.TextField(
        _("reason for the rank"), blank=True, max_length=bounds.NOTE_TEXT
    )
    decision = models.CharField(
        _("commune decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decision_origin = models.CharField(
        _("decided by"),
        max_length=16,
        choices=DecisionOrigin.choices,
        default=DecisionOrigin.NONE,
        blank=True,
    )
    decision_reason = models.TextField(_("reason"), blank=True, max_length=bounds.NOTE_TEXT)
    decision_code = models.CharField(max_length=32, blank=True)
    decision_params = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    restore = models.JSONField(
        default=dict,
        blank=True,
        help_text="What a merge changed on this line, so that undoing the merge can restore it.",
    )
    review = models.CharField(
        _("to review"), max_length=16, choices=Review.choices, default=Review.NONE, blank=True
    )
    review_note = models.TextField(_("what changed"), blank=True, max_length=bounds.LONG_TEXT)
    version = models.PositiveIntegerField(default=1)

    objects = CommuneLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune plan line")
        verbose_name_plural = _("commune plan lines")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="synthesis_line_number_unique"),
            models.CheckConstraint(
                condition=Q(total_cost_mvnd__gte=0)
                & Q(contribution_mvnd__gte=0)
                & Q(contribution_cash_mvnd__gte=0)
                & Q(contribution_labour_mvnd__gte=0)
                & Q(contribution_labour_days__gte=0)
                & Q(contribution_materials_mvnd__gte=0)
                & Q(contribution_land_m2__gte=0)
                & Q(external_support_mvnd__gte=0),
                name="synthesis_line_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(start_month__lte=F("end_month")),
                name="synthesis_line_start_before_end",
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=1), name="synthesis_line_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.activity}"

    @property
    def is_commune_level(self) -> bool:
        """Proposed by a commune sector or organisation rather than a village (R14)."""
        return bool(self.organisation)


class LineSource(models.Model):
    """A commune line came from this village line (R12), carrying ``share`` of it (1 unless
    the line is a part of a split). ``fingerprint`` is the village line's values when the
    commune last took them, so that re-synthesis can tell what changed."""

    line = models.ForeignKey(CommuneLine, on_delete=models.CASCADE, related_name="sources")
    village_line = models.ForeignKey(
        "plans.ProposalLine", on_delete=models.PROTECT, related_name="commune_sources"
    )
    share = models.DecimalField(max_digits=9, decimal_places=6, default=Decimal(1))
    fingerprint = models.JSONField(default=dict)
    withdrawn = models.BooleanField(
        default=False,
        help_text="The village line was deleted or its plan is no longer submitted.",
    )

    class Meta:
        verbose_name = _("source of a commune line")
        verbose_name_plural = _("sources of commune lines")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "village_line"], name="synthesis_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} ← {self.village_line_id}"


@bounded
class LineFunding(models.Model):
    """How much of a line's external support one envelope line pays (the line's decision is
    "funded"). Σ over a line = its external support; Σ over an envelope line ≤ its amount."""

    line = models.ForeignKey(CommuneLine, on_delete=models.CASCADE, related_name="funding")
    envelope_line = models.ForeignKey(
        EnvelopeLine, on_delete=models.PROTECT, related_name="funding"
    )
    amount_mvnd = models.DecimalField(_("amount"), **LINE_MONEY)

    class Meta:
        verbose_name = _("funding of a line")
        verbose_name_plural = _("funding of lines")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "envelope_line"], name="synthesis_funding_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount_mvnd__gt=0), name="synthesis_funding_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} ← {self.envelope_line_id}: {self.amount_mvnd}"


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
