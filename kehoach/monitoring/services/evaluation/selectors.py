"""Reads of the evaluation of the year: every work planned against achieved (its latest report),
the plan's totals, its targets with the values achieved — what the evaluation pages and next
year's plan document (``exchange.documents.implementation``) show."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from kehoach.catalog.choices import IndicatorGroup
from kehoach.catalog.models import Indicator
from kehoach.core.numbers import percent
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineFunding, TargetValue

from ...choices import ProgressStatus
from ...models import (
    Disbursement,
    LineEvaluation,
    PlanEvaluation,
    ProgressReport,
    TargetAchievement,
)
from ...selectors import percent_done, works_of

ZERO = Decimal(0)


@dataclass(frozen=True)
class SourceMoney:
    """Money of one source for a work (or the plan): approved against disbursed to date."""

    code: str
    name: str
    approved_mvnd: Decimal
    disbursed_mvnd: Decimal

    @property
    def percent(self) -> Decimal | None:
        return percent(self.disbursed_mvnd, self.approved_mvnd)


@dataclass
class WorkRow:
    """One work of the plan, planned against achieved (its latest report), with its evaluation."""

    line: CommuneLine
    report: ProgressReport | None
    evaluation: LineEvaluation | None
    sources: list[SourceMoney] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The latest report's status; a work without a report has not started."""
        return self.report.status if self.report else ProgressStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        if self.report is None:
            return _("No report yet")
        return str(ProgressStatus(self.report.status).label)

    @property
    def completed(self) -> bool:
        return self.status == ProgressStatus.COMPLETED

    @property
    def quantity_done(self) -> Decimal:
        return self.report.quantity_done if self.report else ZERO

    @property
    def percent_done(self) -> Decimal | None:
        return percent_done(self.line, self.report) if self.report else percent(0, 1)

    @property
    def approved_mvnd(self) -> Decimal:
        return sum((s.approved_mvnd for s in self.sources), ZERO)

    @property
    def disbursed_mvnd(self) -> Decimal:
        return sum((s.disbursed_mvnd for s in self.sources), ZERO)

    @property
    def disbursed_percent(self) -> Decimal | None:
        return percent(self.disbursed_mvnd, self.approved_mvnd)

    @property
    def contribution_promised_mvnd(self) -> Decimal:
        return self.line.contribution_mvnd

    @property
    def contribution_realised_mvnd(self) -> Decimal:
        return self.report.contribution_mvnd if self.report else ZERO

    @property
    def contribution_percent(self) -> Decimal | None:
        return percent(self.contribution_realised_mvnd, self.contribution_promised_mvnd)

    @property
    def short(self) -> bool:
        """Less than the planned quantity was done."""
        return self.quantity_done < self.line.quantity

    @property
    def needs_reason(self) -> bool:
        """The evaluation must say why the work differs from the plan."""
        return self.short or not self.completed

    @property
    def missing(self) -> list[str]:
        """Fields the evaluation still lacks (the work is then shown as to complete)."""
        evaluation = self.evaluation
        out = []
        if self.needs_reason and not (evaluation and evaluation.deviation_reason):
            out.append("deviation_reason")
        if self.completed and not (evaluation and evaluation.operation_maintenance):
            out.append("operation_maintenance")
        return out


@dataclass(frozen=True)
class Totals:
    """The plan's works together: counts by status and the money, planned against achieved."""

    works: int
    completed: int
    ongoing: int
    not_started: int
    suspended: int
    cancelled: int
    evaluated: int
    approved_mvnd: Decimal
    disbursed_mvnd: Decimal
    contribution_promised_mvnd: Decimal
    contribution_realised_mvnd: Decimal
    by_source: list[SourceMoney]

    @property
    def disbursed_percent(self) -> Decimal | None:
        return percent(self.disbursed_mvnd, self.approved_mvnd)

    @property
    def contribution_percent(self) -> Decimal | None:
        return percent(self.contribution_realised_mvnd, self.contribution_promised_mvnd)


@dataclass(frozen=True)
class TargetRow:
    """One target of the plan (F16) with the value achieved and the % of the plan."""

    target: TargetValue
    achievement: TargetAchievement | None

    @property
    def indicator(self) -> Indicator:
        return self.target.indicator

    @property
    def planned(self) -> Decimal | None:
        return self.target.plan_next

    @property
    def achieved(self) -> Decimal | None:
        return self.achievement.achieved if self.achievement else None

    @property
    def notes(self) -> str:
        return self.achievement.notes if self.achievement else ""

    @property
    def percent(self) -> Decimal | None:
        return percent(self.achieved, self.planned)

    @property
    def met(self) -> bool | None:
        """Reached, in the indicator's direction (a poverty rate is met at or below the plan)."""
        if self.achieved is None or self.planned is None:
            return None
        if self.indicator.higher_is_better:
            return self.achieved >= self.planned
        return self.achieved <= self.planned


@dataclass(frozen=True)
class EvaluationSummary:
    """The evaluation of a commune plan's year, as next year's plan document takes it."""

    plan: CommunePlan
    evaluation: PlanEvaluation | None
    rows: list[WorkRow]
    totals: Totals
    targets: list[TargetRow]

    @property
    def evaluated_on(self) -> datetime.date | None:
        return self.evaluation.evaluated_on if self.evaluation else None

    @property
    def results(self) -> str:
        return self.evaluation.results if self.evaluation else ""

    @property
    def shortcomings(self) -> str:
        return self.evaluation.shortcomings if self.evaluation else ""

    @property
    def lessons(self) -> str:
        return self.evaluation.lessons if self.evaluation else ""


def _works_query(lines: QuerySet[CommuneLine]) -> QuerySet[CommuneLine]:
    return lines.select_related("evaluation").prefetch_related(
        Prefetch(
            "progress_reports",
            queryset=ProgressReport.objects.filter(is_latest=True).prefetch_related(
                Prefetch(
                    "disbursements",
                    queryset=Disbursement.objects.select_related("envelope_line__source"),
                )
            ),
            to_attr="latest_reports",
        ),
        Prefetch(
            "funding",
            queryset=LineFunding.objects.select_related("envelope_line__source").order_by(
                "envelope_line__number"
            ),
        ),
    )


def _row(line: Any) -> WorkRow:
    report = line.latest_reports[0] if line.latest_reports else None
    money: dict[int, list[Any]] = {}
    for funding in line.funding.all():
        envelope_line = funding.envelope_line
        money[envelope_line.pk] = [envelope_line.source, funding.amount_mvnd, ZERO]
    for paid in report.disbursements.all() if report else []:
        envelope_line = paid.envelope_line
        entry = money.setdefault(envelope_line.pk, [envelope_line.source, ZERO, ZERO])
        entry[2] += paid.amount_mvnd
    try:
        evaluation = line.evaluation
    except LineEvaluation.DoesNotExist:
        evaluation = None
    return WorkRow(
        line=line,
        report=report,
        evaluation=evaluation,
        sources=[
            SourceMoney(source.code, source.name, approved, disbursed)
            for source, approved, disbursed in money.values()
        ],
    )


def work_rows(plan: CommunePlan) -> list[WorkRow]:
    """Every work of the plan (funded lines in it), planned against achieved, with its
    evaluation; four queries whatever the number of works."""
    return [_row(line) for line in _works_query(works_of(plan))]


def work_row(line: CommuneLine) -> WorkRow | None:
    """The row of one work, or None when the line is not a funded work of its plan."""
    found = list(_works_query(works_of(line.plan).filter(pk=line.pk)))
    return _row(found[0]) if found else None


def _totals(rows: Iterable[WorkRow]) -> Totals:
    rows = list(rows)
    counts = dict.fromkeys(ProgressStatus.values, 0)
    by_source: dict[str, list[Any]] = {}
    for row in rows:
        counts[row.status] += 1
        for money in row.sources:
            entry = by_source.setdefault(money.code, [money.name, ZERO, ZERO])
            entry[1] += money.approved_mvnd
            entry[2] += money.disbursed_mvnd
    return Totals(
        works=len(rows),
        completed=counts[ProgressStatus.COMPLETED],
        ongoing=counts[ProgressStatus.ONGOING],
        not_started=counts[ProgressStatus.NOT_STARTED],
        suspended=counts[ProgressStatus.SUSPENDED],
        cancelled=counts[ProgressStatus.CANCELLED],
        evaluated=sum(1 for row in rows if row.evaluation is not None),
        approved_mvnd=sum((row.approved_mvnd for row in rows), ZERO),
        disbursed_mvnd=sum((row.disbursed_mvnd for row in rows), ZERO),
        contribution_promised_mvnd=sum((row.contribution_promised_mvnd for row in rows), ZERO),
        contribution_realised_mvnd=sum((row.contribution_realised_mvnd for row in rows), ZERO),
        by_source=[
            SourceMoney(code, name, approved, disbursed)
            for code, (name, approved, disbursed) in sorted(by_source.items())
        ],
    )


def _group_position(group: str) -> int:
    values = list(IndicatorGroup.values)
    return values.index(group) if group in values else len(values)


def target_rows(plan: CommunePlan) -> list[TargetRow]:
    """The plan's targets (F16 rows that were entered) in the table's order, each with the value
    achieved; one query."""
    targets = TargetValue.objects.filter(plan=plan).select_related("indicator", "achievement")
    rows = []
    for target in targets:
        # a missing reverse one-to-one raises an AttributeError subclass: None then
        achievement: TargetAchievement | None = getattr(target, "achievement", None)
        rows.append(TargetRow(target=target, achievement=achievement))
    rows.sort(
        key=lambda r: (
            _group_position(r.indicator.group),
            r.indicator.sort_order,
            r.indicator.code,
        )
    )
    return rows


def plan_evaluation_of(plan: CommunePlan) -> PlanEvaluation | None:
    return PlanEvaluation.objects.filter(plan=plan).first()


def evaluation_summary(plan: CommunePlan) -> EvaluationSummary:
    """The evaluation of ``plan``'s year for next year's plan document (part I) and the
    evaluation page, in six queries whatever the number of works and targets:

    - ``rows``: one ``WorkRow`` per work (funded line in the plan), in the plan's order (sector,
      number): planned quantity against ``quantity_done`` and ``percent_done``, ``status``
      (``status_label``; no report shows as not started), money by source (``sources``:
      approved, disbursed, %) and in total, community contribution promised against realised,
      and the work's ``evaluation`` (reasons, beneficiaries' opinion, operation and
      maintenance, lesson) or None;
    - ``totals``: the number of works completed, ongoing, not started, suspended and cancelled
      (and evaluated), approved and disbursed money with the %, contribution promised and
      realised with the %, and the money by source (``by_source``);
    - ``evaluation`` (the ``PlanEvaluation`` or None) and its texts: ``evaluated_on``,
      ``results``, ``shortcomings``, ``lessons`` ("" while not written);
    - ``targets``: one ``TargetRow`` per target of the plan: indicator, ``planned`` (the plan
      of the plan year), ``achieved``, ``percent`` of the plan and ``met``.

    Figures are as of the latest reports; nothing is stored twice.
    """
    rows = work_rows(plan)
    return EvaluationSummary(
        plan=plan,
        evaluation=plan_evaluation_of(plan),
        rows=rows,
        totals=_totals(rows),
        targets=target_rows(plan),
    )
