"""F11 — the resource envelope of a planning round and its lines."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehoach.catalog.choices import ExpenditureType
from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel

from ..choices import AreaScope, EnvelopeOrigin, Firmness
from .fields import LINE_MONEY, PERCENT


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
