"""F8 — the village meeting that discussed and voted the plan, and its attendance list."""

from __future__ import annotations

import re
import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel
from kehoach.core.text import fold

from ..choices import PovertyStatus, Sex
from .fields import HH, PERSONS
from .rounds import VillagePlan


@bounded
class VillageMeeting(TimeStampedModel):
    """F8 — the village meeting that discussed and voted the plan (R9, R10)."""

    plan = models.OneToOneField(VillagePlan, on_delete=models.CASCADE, related_name="meeting")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(_("chair"), max_length=150)
    secretary = models.CharField(_("secretary"), max_length=150, blank=True)
    agenda = models.TextField(_("agenda"), blank=True, max_length=bounds.LONG_TEXT)
    commune_staff = models.CharField(_("commune staff present"), max_length=300, blank=True)
    households_total = models.PositiveIntegerField(_("households in the village"), **HH)
    households_represented = models.PositiveIntegerField(_("households represented"), **HH)
    participants_total = models.PositiveIntegerField(_("participants"), **PERSONS)
    participants_women = models.PositiveIntegerField(_("of which women"), default=0, **PERSONS)
    participants_poor = models.PositiveIntegerField(
        _("of which from poor or near-poor households"), default=0, **PERSONS
    )
    participants_em = models.PositiveIntegerField(
        _("of which ethnic minority"), default=0, **PERSONS
    )
    participants_youth = models.PositiveIntegerField(
        _("of which young people"), null=True, blank=True, **PERSONS
    )
    participants_elderly = models.PositiveIntegerField(
        _("of which elderly"), null=True, blank=True, **PERSONS
    )
    decision = models.TextField(_("decision"), max_length=bounds.LONG_TEXT)
    votes_agree = models.PositiveIntegerField(_("agree"), **PERSONS)
    votes_disagree = models.PositiveIntegerField(_("disagree"), default=0, **PERSONS)
    votes_abstain = models.PositiveIntegerField(_("abstain"), default=0, **PERSONS)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("village meeting")
        verbose_name_plural = _("village meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(households_represented__lte=F("households_total")),
                name="plans_meeting_represented_le_total",
            ),
            models.CheckConstraint(
                condition=Q(participants_women__lte=F("participants_total"))
                & Q(participants_poor__lte=F("participants_total"))
                & Q(participants_em__lte=F("participants_total")),
                name="plans_meeting_parts_le_participants",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.held_on:%d/%m/%Y}"


@bounded
class Attendee(models.Model):
    """F8 attendance list (optional): one row per person who attended the village meeting."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(VillageMeeting, on_delete=models.CASCADE, related_name="attendees")
    full_name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnic group"), max_length=100, blank=True)
    poverty_status = models.CharField(
        _("household"), max_length=16, choices=PovertyStatus.choices, default=PovertyStatus.OTHER
    )
    household = models.CharField(_("household represented"), max_length=150, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_ethnic_minority(self) -> bool:
        """Every ethnic group but the Kinh is an ethnic minority (dân tộc thiểu số)."""
        return is_ethnic_minority(self.ethnicity)

    @property
    def is_poor_or_near_poor(self) -> bool:
        return self.poverty_status in (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)


def is_ethnic_minority(ethnicity: str) -> bool:
    """True for a named ethnic group other than the Kinh ("Kinh", "người Kinh", "Việt");
    an empty ethnicity is not counted."""
    words = re.findall(r"[a-z]+", fold(ethnicity or ""))
    if not words:
        return False
    return "kinh" not in words and words not in (["viet"], ["nguoi", "viet"])
