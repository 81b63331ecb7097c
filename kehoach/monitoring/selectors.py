"""Reads of implementation: the works of a plan with their latest report, and whether a work is
delayed. Dashboards (``views/dashboards.py``) aggregate the same latest reports in queries."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from kehoach.synthesis.models import CommuneLine, CommunePlan

from .choices import ProgressStatus
from .models import ProgressReport
from .services.common import works_of
from .services.progress import percent_done


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
