"""F9 — the commune plan's lines, the village lines they came from (R12) and the envelope
lines that fund them (R16–R18)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehoach.catalog.choices import ExpenditureType
from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel
from kehoach.plans.line_values import LineValues

from ..choices import Decision, DecisionOrigin, LineState, Review
from .envelope import EnvelopeLine
from .fields import LINE_MONEY
from .plan import CommunePlan


class CommuneLineQuerySet(models.QuerySet["CommuneLine"]):
    def active(self) -> CommuneLineQuerySet:
        return self.filter(state=LineState.ACTIVE)


@bounded
class CommuneLine(LineValues, TimeStampedModel):
    """One line of the commune synthesis (F9). Its village lines are in ``sources``; a line
    without sources was proposed by a commune sector or mass organisation (R14). Its values are
    ``LineValues``, like a village line's."""

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
    village_priority = models.PositiveSmallIntegerField(
        _("village priority"), null=True, blank=True
    )
    expenditure_type = models.CharField(
        _("expenditure type"),
        max_length=16,
        choices=ExpenditureType.choices,
        default=ExpenditureType.INVESTMENT,
    )
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
            *LineValues.Meta.constraints,
            models.UniqueConstraint(fields=["plan", "number"], name="synthesis_line_number_unique"),
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
