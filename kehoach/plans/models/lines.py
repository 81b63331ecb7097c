"""F6 — the proposed activities of a village plan (Biểu đề xuất kế hoạch thôn)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel

from ..choices import LineOutcome
from ..line_values import LineValues
from .meeting import VillageMeeting
from .rounds import VillagePlan


class ProposalLineQuerySet(models.QuerySet["ProposalLine"]):
    def alive(self) -> ProposalLineQuerySet:
        return self.filter(deleted_at__isnull=True)


@bounded
class ProposalLine(LineValues, TimeStampedModel):
    """F6 — one proposed activity of a village plan (Biểu đề xuất kế hoạch thôn). Its values
    are ``LineValues``; numbers are never given twice in a plan, deleted lines included."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(VillagePlan, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField(_("no."), validators=bounds.LINE_NUMBER.validators())
    location = models.CharField(_("location"), max_length=200, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    meeting = models.ForeignKey(
        VillageMeeting,
        verbose_name=_("meeting that decided the contribution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lines",
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=LineOutcome.choices, default=LineOutcome.PENDING
    )
    origin = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
    )
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ProposalLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["number"]
        constraints = [
            *LineValues.Meta.constraints,
            models.UniqueConstraint(fields=["plan", "number"], name="plans_line_number_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="plans_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(priority__isnull=True) | Q(priority__gte=1),
                name="plans_line_priority_positive",
            ),
            models.CheckConstraint(
                condition=Q(beneficiary_poor__lte=F("beneficiary_households"))
                & Q(beneficiary_em__lte=F("beneficiary_households")),
                name="plans_line_beneficiary_parts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.activity}"
