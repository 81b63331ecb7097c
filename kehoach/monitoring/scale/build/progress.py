"""F14 for a share of the funded works of a published plan: progress reports and the money
disbursed, within what was approved."""

from __future__ import annotations

import calendar
import datetime
import random
from decimal import ROUND_DOWN, Decimal

from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine, LineFunding

from ...choices import ProgressStatus
from ...models import Disbursement, ProgressReport
from ..guard import GENERATOR_NAME
from ..write import make
from .common import MILLI, ONE, Run, new_uid
from .tables import Tables


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def progress(
    run: Run,
    t: Tables,
    rng: random.Random,
    lines: list[CommuneLine],
    funding: dict[int, list[LineFunding]],
) -> None:
    """F14 for a share of the funded works: the position to date, within what was approved."""
    today = run.today
    reported_on = min(datetime.date(lines[0].start_month.year, 12, 15), today)
    for line in lines:
        if line.decision != Decision.FUNDED or rng.random() >= run.options.progress:
            continue
        start = line.start_month
        if start > reported_on:
            done, status = Decimal(0), ProgressStatus.NOT_STARTED
        elif _month_end(line.end_month) <= reported_on and rng.random() < 0.85:
            done, status = ONE, ProgressStatus.COMPLETED
        elif rng.random() < 0.93:
            done, status = Decimal(rng.randint(20, 90)) / 100, ProgressStatus.ONGOING
        else:
            done, status = Decimal(rng.randint(5, 40)) / 100, ProgressStatus.SUSPENDED
        actual_start = None
        actual_finish = None
        if status != ProgressStatus.NOT_STARTED:
            actual_start = min(start + datetime.timedelta(days=rng.randint(0, 20)), reported_on)
        if status == ProgressStatus.COMPLETED:
            end = _month_end(line.end_month) - datetime.timedelta(days=rng.randint(0, 10))
            actual_finish = max(min(end, reported_on), actual_start or end)
        paid = done * Decimal(rng.randint(85, 100)) / 100 if done < 1 else Decimal(1)

        def part(value: Decimal, paid: Decimal = paid) -> Decimal:
            return (value * paid).quantize(MILLI, ROUND_DOWN)

        report = make(
            ProgressReport,
            uid=new_uid(rng),
            line=line,
            reported_on=reported_on,
            quantity_done=(line.quantity * done).quantize(MILLI, ROUND_DOWN),
            status=status,
            status_reason=(
                "Tạm dừng do mưa lũ kéo dài, chờ điều chỉnh thiết kế."
                if status == ProgressStatus.SUSPENDED
                else ""
            ),
            actual_start=actual_start,
            actual_finish=actual_finish,
            contribution_cash_mvnd=part(line.contribution_cash_mvnd),
            contribution_labour_days=part(line.contribution_labour_days),
            contribution_labour_mvnd=part(line.contribution_labour_mvnd),
            contribution_materials_mvnd=part(line.contribution_materials_mvnd),
            contribution_land_m2=part(line.contribution_land_m2),
            reporter=run.user,
            reporter_name=GENERATOR_NAME,
            is_latest=True,
        )
        t.reports.append(report)
        for row in funding.get(id(line), []):
            t.disbursements.append(
                make(
                    Disbursement,
                    report=report,
                    envelope_line=row.envelope_line,
                    amount_mvnd=part(row.amount_mvnd),
                )
            )
