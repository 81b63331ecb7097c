"""The commune's five-year plan: the villages' F7 activities synthesised with their sources,
the resource frame by programme × sector × year, the decision on each line, the approval."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel
from kehoach.plans.line_values import MONEY
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState

from .lines import ActivityValues, MediumTermLine, YearAmounts
from .rounds import YEAR_VALIDATORS, MediumTermRound


class MediumTermCommunePlan(TimeStampedModel):
    """Kế hoạch phát triển KT-XH xã 5 năm: one per period. It follows the commune plan's states
    (draft → submitted → returned | approved → published); an approved version is an
    ``approvals.Version`` with the council's resolution, immutable; a change is an amendment."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.OneToOneField(
        MediumTermRound, on_delete=models.PROTECT, related_name="commune_plan"
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=CommunePlanStatus.choices,
        default=CommunePlanStatus.DRAFT,
    )
    synthesised_at = models.DateTimeField(_("last synthesis"), null=True, blank=True)
    version_number = models.PositiveIntegerField(_("version"), default=1)
    is_amendment = models.BooleanField(_("amendment"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("commune five-year plan")
        verbose_name_plural = _("commune five-year plans")

    def __str__(self) -> str:
        return str(self.round)

    @property
    def is_editable(self) -> bool:
        return self.status == CommunePlanStatus.DRAFT


@bounded
class MediumTermCommuneLine(ActivityValues, TimeStampedModel):
    """One line of the commune's five-year plan. Its village activities are in ``sources``;
    merging and splitting keep them, as in the yearly synthesis (R12)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(MediumTermCommunePlan, on_delete=models.CASCADE, related_name="lines")
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
    decision = models.CharField(
        _("commune decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decision_reason = models.TextField(_("reason"), blank=True, max_length=bounds.NOTE_TEXT)
    review_note = models.TextField(
        _("what the villages changed"), blank=True, max_length=bounds.LONG_TEXT
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("line of the commune five-year plan")
        verbose_name_plural = _("lines of the commune five-year plan")
        ordering = ["number"]
        constraints = [
            *ActivityValues.Meta.constraints,
            models.UniqueConstraint(
                fields=["plan", "number"], name="midterm_commune_line_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=1), name="midterm_commune_line_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.activity}"


@bounded
class MediumTermCommuneLineYear(YearAmounts):
    """One year of a commune five-year line."""

    line = models.ForeignKey(MediumTermCommuneLine, on_delete=models.CASCADE, related_name="years")

    class Meta:
        verbose_name = _("year of a commune five-year line")
        verbose_name_plural = _("years of commune five-year lines")
        ordering = ["line", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "year"], name="midterm_commune_line_year_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(cost_mvnd__gte=0),
                name="midterm_commune_line_year_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} · {self.year}"


class MediumTermSource(models.Model):
    """A commune five-year line came from this village activity, carrying ``share`` of it."""

    line = models.ForeignKey(
        MediumTermCommuneLine, on_delete=models.CASCADE, related_name="sources"
    )
    village_line = models.ForeignKey(
        MediumTermLine, on_delete=models.PROTECT, related_name="commune_sources"
    )
    share = models.DecimalField(max_digits=9, decimal_places=6, default=Decimal(1))
    withdrawn = models.BooleanField(
        default=False,
        help_text="The village activity was deleted or its plan is no longer submitted.",
    )
    taken_version = models.PositiveIntegerField(
        default=1,
        help_text="The village activity's version when the commune last took it: a later "
        "version is a change the commune must review.",
    )

    class Meta:
        verbose_name = _("source of a commune five-year line")
        verbose_name_plural = _("sources of commune five-year lines")
        constraints = [
            models.UniqueConstraint(fields=["line", "village_line"], name="midterm_source_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.line} ← {self.village_line_id}"


class MediumTermOperation(TimeStampedModel):
    """A merge or a split of commune five-year lines, kept so that it can be undone."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("merge")
        SPLIT = "split", _("split")

    plan = models.ForeignKey(
        MediumTermCommunePlan, on_delete=models.CASCADE, related_name="operations"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    line = models.ForeignKey(
        MediumTermCommuneLine,
        on_delete=models.PROTECT,
        related_name="operations",
        help_text="The merged line (merge) or the line that was split (split).",
    )
    restore = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.line_id}"


@bounded
class MediumTermFrameLine(TimeStampedModel):
    """The five-year resource frame: how much a programme is expected to give the commune for
    a sector (or every sector) in a year of the period."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(MediumTermCommunePlan, on_delete=models.CASCADE, related_name="frame")
    source = models.ForeignKey(
        "catalog.FundingSource",
        verbose_name=_("programme"),
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
        help_text=_("Empty: any sector."),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    amount_mvnd = models.DecimalField(_("amount"), **MONEY)
    notes = models.TextField(_("notes"), blank=True, max_length=bounds.NOTE_TEXT)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("line of the five-year resource frame")
        verbose_name_plural = _("five-year resource frame")
        ordering = ["year", "source", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "source", "sector", "year"],
                condition=Q(sector__isnull=False),
                name="midterm_frame_one_per_programme_sector_year",
            ),
            models.UniqueConstraint(
                fields=["plan", "source", "year"],
                condition=Q(sector__isnull=True),
                name="midterm_frame_one_per_programme_year",
            ),
            models.CheckConstraint(condition=Q(amount_mvnd__gte=0), name="midterm_frame_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.source} · {self.sector or '*'} · {self.year}"
