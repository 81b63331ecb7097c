"""The commune plan (CDP) of a planning round."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel

from ..choices import CommunePlanStatus


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
