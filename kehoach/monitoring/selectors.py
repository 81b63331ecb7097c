"""Reads of implementation: which plans are followed, the works of a plan with their latest
report, and whether a work is delayed. Dashboards (``dashboards/``) aggregate the same latest
reports in queries. Services read through this module; it imports no service."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kehoach.approvals.models import Version
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan

from .choices import ProgressStatus
from .models import ProgressReport


def is_monitored(plan: CommunePlan) -> bool:
    """A commune plan is followed once a version of it has been published (an amendment in
    progress does not stop the works of the published version)."""
    return Version.objects.filter(
        plan_uid=plan.uid, subject_label=CommunePlan._meta.label_lower, published_at__isnull=False
    ).exists()


def works_of(plan: CommunePlan) -> QuerySet[CommuneLine]:
    """The works followed: the plan's lines that are in it and funded."""
    return (
        CommuneLine.objects.filter(plan=plan, state=LineState.ACTIVE, decision=Decision.FUNDED)
        .select_related("sector", "unit", "plan__round__commune")
        .order_by("sector__sort_order", "number")
    )


def percent_done(line: CommuneLine, report: ProgressReport | None) -> Decimal | None:
    """Quantity done as a share of the approved quantity (computed, never stored)."""
    if report is None or not line.quantity:
        return None
    return (report.quantity_done * 100 / line.quantity).quantize(Decimal("0.1"))


def planned_end(line: CommuneLine) -> datetime.date:
    """The last day of the line's planned end month."""
    month = line.end_month
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def is_delayed(
    line: CommuneLine, report: ProgressReport | None, today: datetime.date | None = None
) -> bool:
    """Past its planned end and neither completed nor cancelled."""
    today = today or timezone.localdate()
    status = report.status if report is not None else ProgressStatus.NOT_STARTED
    return planned_end(line) < today and status not in (
        ProgressStatus.COMPLETED,
        ProgressStatus.CANCELLED,
    )


def works_with_progress(plan: CommunePlan) -> list[Any]:
    """The plan's works, each with ``latest`` (its latest report or None), ``percent`` (of the
    approved quantity), ``delayed``, ``funded`` (approved external money) and ``disbursed``;
    a fixed number of queries whatever the number of works."""
    lines: list[Any] = list(
        works_of(plan).prefetch_related(
            Prefetch(
                "progress_reports",
                queryset=ProgressReport.objects.filter(is_latest=True).prefetch_related(
                    "disbursements"
                ),
                to_attr="latest_reports",
            ),
            "funding__envelope_line__source",
        )
    )
    today = timezone.localdate()
    for line in lines:
        report = line.latest_reports[0] if line.latest_reports else None
        line.latest = report
        line.percent = percent_done(line, report)
        line.delayed = is_delayed(line, report, today)
        line.funded = sum((f.amount_mvnd for f in line.funding.all()), start=0)
        line.disbursed = (
            sum((d.amount_mvnd for d in report.disbursements.all()), start=0) if report else 0
        )
    return lines
