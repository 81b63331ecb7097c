"""F3 — SWOT by sector, F4 — problems and their solutions, F5 — ranking."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel

from .fields import HH
from .rounds import VillagePlan


@bounded
class SwotEntry(TimeStampedModel):
    """F3 — one sector's strengths, weaknesses, opportunities and threats."""

    plan = models.ForeignKey(VillagePlan, on_delete=models.CASCADE, related_name="swot_entries")
    sector = models.ForeignKey(
        "catalog.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    strengths = models.TextField(_("strengths"), blank=True, max_length=bounds.LONG_TEXT)
    weaknesses = models.TextField(_("weaknesses"), blank=True, max_length=bounds.LONG_TEXT)
    opportunities = models.TextField(_("opportunities"), blank=True, max_length=bounds.LONG_TEXT)
    threats = models.TextField(_("threats"), blank=True, max_length=bounds.LONG_TEXT)
    implication = models.TextField(
        _("what it means for the plan"), blank=True, max_length=bounds.LONG_TEXT
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("SWOT entry")
        verbose_name_plural = _("SWOT entries")
        constraints = [
            models.UniqueConstraint(fields=["plan", "sector"], name="plans_swot_one_per_sector"),
        ]

    def __str__(self) -> str:
        return f"SWOT · {self.sector}"


@bounded
class Problem(TimeStampedModel):
    """F4 — a problem, its causes and the solutions it calls for (``solutions``, each linked
    to the F6 lines it produced)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(VillagePlan, on_delete=models.CASCADE, related_name="problems")
    sector = models.ForeignKey(
        "catalog.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    problem = models.TextField(_("problem"), max_length=bounds.NOTE_TEXT)
    affected_households = models.PositiveIntegerField(_("households affected"), default=0, **HH)
    affected_poor = models.PositiveIntegerField(_("of which poor"), default=0, **HH)
    affected_women = models.PositiveIntegerField(_("women affected"), default=0, **HH)
    affected_em = models.PositiveIntegerField(_("of which ethnic minority"), default=0, **HH)
    causes = models.TextField(
        _("causes"), blank=True, help_text=_("One cause per line."), max_length=bounds.LONG_TEXT
    )
    priority = models.PositiveSmallIntegerField(_("problem priority"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(affected_poor__lte=F("affected_households"))
                & Q(affected_em__lte=F("affected_households")),
                name="plans_problem_affected_parts",
            ),
        ]

    def __str__(self) -> str:
        return self.problem[:80]

    def cause_list(self) -> list[str]:
        return [c.strip() for c in self.causes.splitlines() if c.strip()]


@bounded
class Solution(models.Model):
    """F4 col. 6 — one solution of a problem, linked to the F6 lines it produced (none yet,
    one, or several: a solution may become several proposals, and a proposal may answer
    several solutions)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="solutions")
    position = models.PositiveSmallIntegerField(_("no."))
    text = models.TextField(_("solution"), max_length=bounds.NOTE_TEXT)
    lines = models.ManyToManyField(  # type: ignore[var-annotated]
        "ProposalLine",
        verbose_name=_("proposals it produced"),
        blank=True,
        related_name="solutions",
    )

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "position"], name="plans_solution_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class RankingItem(TimeStampedModel):
    """F5 — one problem or activity scored against the profile's ranking criteria."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(VillagePlan, on_delete=models.CASCADE, related_name="ranking_items")
    label = models.CharField(_("problem or activity"), max_length=300)
    line = models.ForeignKey(
        "ProposalLine",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ranking_items",
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("ranking item")
        verbose_name_plural = _("ranking items")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label
