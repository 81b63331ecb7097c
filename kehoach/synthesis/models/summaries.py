"""Summaries of the commune plans' lines (issue 16): totals per commune plan × sector ×
decision (× funding source), kept by the writers of lines, funding and plan status so that
roll-ups read a few thousand rows instead of a million lines (``kehoach.synthesis.summaries``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import CommunePlanStatus, Decision
from .plan import CommunePlan

SUMMARY_MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 3, "default": Decimal(0)}


class LineSummary(models.Model):
    """The active lines of one commune plan that share a sector and a decision.

    Two kinds of row, so that every measure adds up over any set of rows:

    - ``source`` empty: the lines themselves — ``lines`` (how many), ``demand_mvnd`` (Σ total
      cost) and ``support_asked_mvnd`` (Σ external support); ``funded_mvnd`` is 0;
    - ``source`` set: the funding of those lines from envelope lines of that source —
      ``lines`` (how many lines draw on it) and ``funded_mvnd`` (Σ amounts); the other sums 0.

    ``province``, ``commune``, ``year`` and ``plan_status`` are copied from the plan so that a
    roll-up groups without joining the plan, the round and the units. Written only by
    ``summaries.summaries_refresh`` (a DELETE and one INSERT … SELECT per plan); never by hand.
    """

    plan = models.ForeignKey(CommunePlan, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.CASCADE, related_name="+"
    )
    commune = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("plan year"))
    plan_status = models.CharField(_("status"), max_length=24, choices=CommunePlanStatus.choices)
    sector = models.ForeignKey("catalog.Sector", on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("commune decision"), max_length=16, choices=Decision.choices)
    source = models.ForeignKey(
        "catalog.FundingSource",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    lines = models.PositiveIntegerField(default=0)
    demand_mvnd = models.DecimalField(**SUMMARY_MONEY)
    support_asked_mvnd = models.DecimalField(**SUMMARY_MONEY)
    funded_mvnd = models.DecimalField(**SUMMARY_MONEY)

    class Meta:
        verbose_name = _("summary of commune plan lines")
        verbose_name_plural = _("summaries of commune plan lines")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "sector", "decision"],
                condition=Q(source__isnull=True),
                name="synthesis_summary_lines_unique",
            ),
            models.UniqueConstraint(
                fields=["plan", "sector", "decision", "source"],
                condition=Q(source__isnull=False),
                name="synthesis_summary_funding_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "province"], name="synthesis_summary_year_prov"),
            models.Index(fields=["commune", "year"], name="synthesis_summary_commune"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.sector_id} · {self.decision} · {self.source_id}"


class PlanRanks(models.Model):
    """Every active line's score and rank of one commune plan, as ``plan_ranks`` counted them,
    kept under ``key`` — a digest of the plan's ``data_version`` (raised by every writer of
    what scoring reads: lines, their sources, scores, ranks set by hand), of the profile's
    criteria and priority levels and of the scoring code. A page whose key differs counts them
    again and replaces the row; nothing else writes it (``scoring.stored_ranks``)."""

    plan = models.OneToOneField(
        CommunePlan, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=64)
    ranks = models.JSONField(default=dict)
    """line id (text) → [score (text), rank by the score, rank shown]"""

    class Meta:
        verbose_name = _("ranks of a commune plan")
        verbose_name_plural = _("ranks of commune plans")

    def __str__(self) -> str:
        return f"{self.plan_id}: {len(self.ranks)}"


class PublishedState(models.Model):
    """What is published in a unit — a commune or any unit above it — for one plan year, or
    for every year (``year`` 0): the ids of the latest published version of each commune plan
    in it, as one digest (empty: nothing published), and the latest publication among them.

    Public pages and open-data files are keyed by it, so that a request reads one row instead
    of the versions of a province. Written by ``summaries.published_states_refresh`` — in the
    publishing transaction for the commune and each unit above it, and by ``generate_scale``
    after each province; a reader that finds no row counts it and stores it."""

    unit_code = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField(_("plan year"))
    versions = models.CharField(max_length=64, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("what is published in a unit")
        verbose_name_plural = _("what is published in the units")
        constraints = [
            models.UniqueConstraint(fields=["unit_code", "year"], name="published_state_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.year or '*'}: {self.versions[:16]}"


class PlanSummary(models.Model):
    """What a commune plan counts as a whole and that does not add up by sector or decision:
    the villages' priority-1 proposals in its active lines, each village line once (a merged
    line counts each village's proposal, the parts of a split line their proposal once), and
    how many of them a funded line carries. Written with ``LineSummary`` by
    ``summaries.summaries_refresh``; a plan without such a proposal has no row."""

    plan = models.OneToOneField(
        CommunePlan, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    province = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.CASCADE, related_name="+"
    )
    commune = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("plan year"))
    priority1 = models.PositiveIntegerField(default=0)
    priority1_funded = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("summary of a commune plan")
        verbose_name_plural = _("summaries of commune plans")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.priority1_funded}/{self.priority1}"
