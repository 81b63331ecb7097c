"""The evaluation of the year (F15, F16 achieved): the one way it is written, and the read that
next year's plan document takes its first part from.

What is achieved is never typed here: it is each work's latest progress report (quantity done
and its %, money disbursed from each source against what was approved, community contribution
realised against what was promised). What the commune writes:

- per work (``LineEvaluation``): the reasons for the difference from the plan — required when
  less than the planned quantity was done or the work is not completed (no report counts as not
  started); the beneficiaries' opinion, with what they said when they were not (fully)
  satisfied; the operation and maintenance arrangement — required for a completed work; a
  lesson;
- per plan (``PlanEvaluation``): the date, the results, the shortcomings and their causes, the
  lessons (the results are required, the date is not in the future);
- per target of the plan (``TargetAchievement``): the value achieved, compared with the plan of
  the year (``TargetValue.plan_next``) in % — computed.

Every write checks ``Action.EVALUATE_PLAN`` on the commune (another commune's user gets
``NotFoundError``), needs the plan published and not closed (``common.require_monitor``), runs
under a row lock, refuses a record someone saved after the user opened it (``version``), lists
every problem with the field it names, saves nothing on a refusal and is audited in the commune
plan's history. Evaluating does not move the plan's status; the "evaluate" transition of
``synthesis.services.workflow`` does.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import snapshot
from kehoach.catalog.choices import IndicatorGroup
from kehoach.catalog.models import Indicator
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.numbers import ParseError, format_number_vi, parse_decimal_vi, percent
from kehoach.core.text import nfc
from kehoach.plans.services.common import check_version
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineFunding, TargetValue

from ..choices import Opinion, ProgressStatus
from ..models import (
    Disbursement,
    LineEvaluation,
    PlanEvaluation,
    ProgressReport,
    TargetAchievement,
)
from .common import record, require_monitor, require_work, works_of
from .progress import percent_done

LINE_FIELDS = [
    "deviation_reason",
    "beneficiary_opinion",
    "opinion_notes",
    "operation_maintenance",
    "lesson",
]
PLAN_FIELDS = ["evaluated_on", "results", "shortcomings", "lessons"]
TARGET_FIELDS = ["target", "achieved", "notes"]
NEEDS_NOTES = (Opinion.PARTLY, Opinion.NOT_SATISFIED)
"""An opinion that says what the beneficiaries were not satisfied with."""
NON_NEGATIVE_UNITS = ("%", "hộ", "người", "km", "ha")
"""Indicator units whose values cannot be negative (as in ``synthesis.services.targets``)."""

ZERO = Decimal(0)


# --- reads ------------------------------------------------------------------------------------


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


# --- writes -----------------------------------------------------------------------------------


def _label(model: Any, name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name)).capitalize()


def _error(model: Any, name: str, code: str, problem: str) -> ApplicationError:
    return ApplicationError(
        code,
        _("%(field)s: %(problem)s") % {"field": _label(model, name), "problem": problem},
        Where(field=name),
        detail=problem,
    )


def _text(value: Any) -> str:
    return "\n".join(nfc(x) for x in str(value or "").splitlines()).strip()


def _number(value: Decimal) -> str:
    text = format_number_vi(value, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _why_needed(row: WorkRow) -> str:
    if not row.completed:
        if row.report is None:
            state = _("no progress was reported")
        else:
            state = _("%(status)s, %(percent)s%% done") % {
                "status": row.status_label.lower(),
                "percent": _number(row.percent_done or ZERO),
            }
        return _("the work is not completed (%(state)s); say why it differs from the plan.") % {
            "state": state
        }
    return _("%(done)s of the %(planned)s %(unit)s planned were done; say why.") % {
        "done": _number(row.quantity_done),
        "planned": _number(row.line.quantity),
        "unit": row.line.unit.name,
    }


def validate_line_evaluation(row: WorkRow, data: dict[str, Any]) -> dict[str, Any]:
    """Check the evaluation of one work against what it achieved; the clean values, or
    ``ApplicationErrors`` listing every problem."""
    values: dict[str, Any] = {name: _text(data.get(name)) for name in LINE_FIELDS}
    errors: list[ApplicationError] = []
    opinion = values["beneficiary_opinion"] or Opinion.NOT_ASKED
    values["beneficiary_opinion"] = opinion
    if opinion not in Opinion.values:
        errors.append(
            _error(
                LineEvaluation,
                "beneficiary_opinion",
                "opinion_invalid",
                _("choose an opinion from the list."),
            )
        )
    elif opinion in NEEDS_NOTES and not values["opinion_notes"]:
        errors.append(
            _error(
                LineEvaluation,
                "opinion_notes",
                "opinion_notes_required",
                _("write what the beneficiaries were not satisfied with."),
            )
        )
    if row.needs_reason and not values["deviation_reason"]:
        errors.append(
            _error(LineEvaluation, "deviation_reason", "reason_required", _why_needed(row))
        )
    errors.extend(
        bounds.errors_for(
            LineEvaluation,
            values,
            lambda name, code, text: _error(LineEvaluation, name, code, text),
            LINE_FIELDS,
        )
    )
    if row.completed and not values["operation_maintenance"]:
        errors.append(
            _error(
                LineEvaluation,
                "operation_maintenance",
                "operation_required",
                _("the work is completed; say who operates and maintains it, and with what money."),
            )
        )
    if errors:
        raise ApplicationErrors(errors)
    return values


@transaction.atomic
def line_evaluation_save(
    *,
    actor: Any,
    line: CommuneLine,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> LineEvaluation:
    """Write the evaluation of one work (F15 a). ``expected_version`` is the version the user
    opened (0 when there was none yet); a record saved by someone else since is refused."""
    line = require_work(actor, line, Action.EVALUATE_PLAN)  # locks the work's row
    row = work_row(line)
    if row is None:  # pragma: no cover - require_work refused it already
        raise ApplicationError("not_a_work", _("This line is not a funded work of the plan."))
    values = validate_line_evaluation(row, data)
    current = LineEvaluation.objects.filter(line=line).first()
    by = actor if getattr(actor, "pk", None) else None
    if current is None:
        check_version(0, expected_version, what=_("the evaluation of this work"))
        current = LineEvaluation.objects.create(line=line, evaluated_by=by, **values)
        record(actor, line.plan, current, "create", LINE_FIELDS)
        return current
    check_version(current.version, expected_version, what=_("the evaluation of this work"))
    before = snapshot(current, LINE_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    if snapshot(current, LINE_FIELDS) != before:
        current.version += 1
        current.evaluated_by_id = getattr(by, "pk", None)
        current.save()
        record(actor, line.plan, current, "update", LINE_FIELDS, before=before)
    return current


def _locked_plan(actor: Any, plan: CommunePlan) -> CommunePlan:
    locked = (
        CommunePlan.objects.select_for_update(of=("self",))
        .select_related("round__commune")
        .get(pk=plan.pk)
    )
    require_monitor(actor, locked, Action.EVALUATE_PLAN)
    return locked


@transaction.atomic
def plan_evaluation_save(
    *,
    actor: Any,
    plan: CommunePlan,
    data: dict[str, Any],
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> PlanEvaluation:
    """Write the evaluation of the year (F15 b): date, results, shortcomings and their causes,
    lessons. ``expected_version`` as for ``line_evaluation_save``."""
    plan = _locked_plan(actor, plan)
    today = today or timezone.localdate()
    values: dict[str, Any] = {name: _text(data.get(name)) for name in PLAN_FIELDS[1:]}
    day = data.get("evaluated_on")
    errors: list[ApplicationError] = []
    if day in (None, ""):
        errors.append(
            _error(
                PlanEvaluation, "evaluated_on", "required", _("enter the date of the evaluation.")
            )
        )
    elif not isinstance(day, datetime.date):
        errors.append(
            _error(
                PlanEvaluation, "evaluated_on", "date_invalid", _("write the date as dd/mm/yyyy.")
            )
        )
    elif day > today:
        errors.append(
            _error(
                PlanEvaluation,
                "evaluated_on",
                "date_future",
                _("%(date)s is in the future.") % {"date": day.strftime("%d/%m/%Y")},
            )
        )
    errors.extend(
        bounds.errors_for(
            PlanEvaluation,
            values,
            lambda name, code, text: _error(PlanEvaluation, name, code, text),
        )
    )
    if not values["results"]:
        errors.append(
            _error(
                PlanEvaluation,
                "results",
                "required",
                _("write what the year achieved against the plan."),
            )
        )
    if errors:
        raise ApplicationErrors(errors)
    values["evaluated_on"] = day
    by = actor if getattr(actor, "pk", None) else None
    current = PlanEvaluation.objects.filter(plan=plan).first()
    if current is None:
        check_version(0, expected_version, what=_("the evaluation of the year"))
        current = PlanEvaluation.objects.create(plan=plan, evaluated_by=by, **values)
        record(actor, plan, current, "create", PLAN_FIELDS)
        return current
    check_version(current.version, expected_version, what=_("the evaluation of the year"))
    before = snapshot(current, PLAN_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    if snapshot(current, PLAN_FIELDS) != before:
        current.version += 1
        current.evaluated_by_id = getattr(by, "pk", None)
        current.save()
        record(actor, plan, current, "update", PLAN_FIELDS, before=before)
    return current


def _achieved(indicator: Indicator, raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    value = raw if isinstance(raw, Decimal) else parse_decimal_vi(str(raw))
    beyond = (
        bounds.number_problem(bounds.limits_of(TargetAchievement, "achieved"), value)
        if value is not None
        else None
    )
    if beyond is not None:
        raise ParseError(beyond[0], beyond[1])
    if value is not None and value < 0 and indicator.unit.strip() in NON_NEGATIVE_UNITS:
        raise ParseError("negative", _("the value cannot be negative."))
    return value


@transaction.atomic
def target_achievements_save(
    *, actor: Any, plan: CommunePlan, rows: dict[str, dict[str, Any]]
) -> int:
    """Save the value achieved of each target of the plan (``rows[indicator code]`` with
    ``achieved`` — a number or Vietnamese text — and ``notes``), all or nothing; an emptied row
    removes the value. Codes of indicators the plan has no target for are ignored. Returns how
    many rows changed."""
    plan = _locked_plan(actor, plan)
    targets = {
        t.indicator.code: t
        for t in TargetValue.objects.filter(plan=plan).select_related("indicator", "achievement")
    }
    errors: list[ApplicationError] = []
    cleaned: dict[str, tuple[Decimal | None, str]] = {}
    for code, data in rows.items():
        target = targets.get(code)
        if target is None:
            continue
        indicator = target.indicator
        notes = nfc(str(data.get("notes") or ""))[:300]
        try:
            achieved = _achieved(indicator, data.get("achieved"))
        except ParseError as exc:
            errors.append(
                ApplicationError(
                    "achieved_invalid",
                    _("%(indicator)s, achieved: %(problem)s")
                    % {"indicator": indicator.name, "problem": exc.message},
                    Where(field=f"{code}__achieved"),
                    detail=exc.message,
                )
            )
            continue
        if achieved is None and notes:
            problem = _("enter the value achieved, or clear the notes.")
            errors.append(
                ApplicationError(
                    "achieved_required",
                    _("%(indicator)s, achieved: %(problem)s")
                    % {"indicator": indicator.name, "problem": problem},
                    Where(field=f"{code}__achieved"),
                    detail=problem,
                )
            )
            continue
        cleaned[code] = (achieved, notes)
    if errors:
        raise ApplicationErrors(errors)
    changed = 0
    for code, (achieved, notes) in cleaned.items():
        target = targets[code]
        current: TargetAchievement | None = getattr(target, "achievement", None)
        if achieved is None:
            if current is not None:
                before = snapshot(current, TARGET_FIELDS)
                record(actor, plan, current, "delete", TARGET_FIELDS, before=before)
                current.delete()
                changed += 1
            continue
        if current is None:
            current = TargetAchievement.objects.create(
                target=target, achieved=achieved, notes=notes
            )
            record(actor, plan, current, "create", TARGET_FIELDS)
            changed += 1
            continue
        if (current.achieved, current.notes) != (achieved, notes):
            before = snapshot(current, TARGET_FIELDS)
            current.achieved, current.notes = achieved, notes
            current.save()
            record(actor, plan, current, "update", TARGET_FIELDS, before=before)
            changed += 1
    return changed
