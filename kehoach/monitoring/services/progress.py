"""Progress reports (F14): the one way a work's progress is recorded, from the web form, the
progress workbook and the demo alike.

A report states the position to date (cumulative); its rules are
``kehoach.monitoring.validators.progress``. ``progress_reports_apply`` records many reports of
a commune plan's works at once (the workbook) in one transaction, the work rows locked so two
reports of one work never both become the latest; ``progress_report_create`` is one of them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_bulk, audit_entry, snapshot
from kehoach.approvals.models import person_names
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.validation import raise_errors
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan, EnvelopeLine, LineFunding

from ..models import Disbursement, ProgressReport
from ..selectors import percent_done
from ..validators.progress import (
    REPORT_FIELDS,
    ReportContext,
    ReportData,
    clean_progress_report,
    field_label,
)
from .common import require_monitor

__all__ = [
    "REPORT_FIELDS",
    "ReportChange",
    "ReportsResult",
    "field_label",
    "funding_of",
    "fundings_of",
    "percent_done",
    "progress_history",
    "progress_report_create",
    "progress_reports_apply",
    "progress_reports_check",
    "validate_report",
]


def fundings_of(lines: Sequence[CommuneLine]) -> dict[int, dict[EnvelopeLine, Decimal]]:
    """What each envelope line was approved to pay for each of ``lines`` (by line id), in one
    query."""
    out: dict[int, dict[EnvelopeLine, Decimal]] = {line.pk: {} for line in lines}
    for f in LineFunding.objects.filter(line__in=[line.pk for line in lines]).select_related(
        "envelope_line__source"
    ):
        out[f.line_id][f.envelope_line] = f.amount_mvnd
    return out


def funding_of(line: CommuneLine) -> dict[EnvelopeLine, Decimal]:
    """What each envelope line was approved to pay for the work."""
    return fundings_of([line])[line.pk]


def validate_report(
    line: CommuneLine,
    data: dict[str, Any],
    disbursed: dict[EnvelopeLine, Decimal],
    funding: dict[EnvelopeLine, Decimal],
    *,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The clean values of one report of ``line``; raises ``ApplicationErrors`` listing every
    problem (``validate_progress_report`` answers them without raising)."""
    context = ReportContext(line, funding, today or timezone.localdate())
    values, problems = clean_progress_report(context, ReportData(data, disbursed))
    raise_errors(problems)
    return values


@dataclass(frozen=True)
class ReportChange:
    """A new report of a work: its values and its money by envelope line."""

    line: CommuneLine
    values: Mapping[str, Any]
    disbursed: Mapping[EnvelopeLine, Decimal | None] = field(default_factory=dict)


@dataclass
class ReportsResult:
    reports: list[ProgressReport]


def _works(
    actor: Any, plan: CommunePlan, lines: Sequence[CommuneLine], *, lock: bool = True
) -> dict[int, CommuneLine]:
    """The works (locked unless only checked), if the actor may report on them: funded lines
    of the plan."""
    rows = (
        CommuneLine.objects.select_for_update(of=("self",)) if lock else CommuneLine.objects.all()
    )
    locked = {
        line.pk: line
        for line in rows.select_related("plan__round__commune", "unit", "sector")
        .filter(plan=plan, pk__in={line.pk for line in lines})
        .order_by("pk")
    }
    if any(line.pk not in locked for line in lines):
        raise NotFoundError()
    # the plan as it is now, read with the locked rows
    require_monitor(actor, next(iter(locked.values())).plan, Action.REPORT_PROGRESS)
    for line in lines:
        work = locked[line.pk]
        if work.state != LineState.ACTIVE or work.decision != Decision.FUNDED:
            raise ApplicationError(
                "not_a_work",
                _(
                    "Line %(number)s is not a funded work of the plan; only funded works are "
                    "followed."
                )
                % {"number": work.number},
            )
    return locked


def _prepare(
    actor: Any,
    target: CommunePlan,
    changes: Sequence[ReportChange],
    today: datetime.date | None,
    *,
    lock: bool,
) -> tuple[dict[int, CommuneLine], list[tuple[CommuneLine, dict[str, Any]]]]:
    """Every check of ``progress_reports_apply`` (who may report, which works, each report's
    rules), shared with ``progress_reports_check``: the works and the clean values, or
    ``ApplicationErrors`` listing every problem."""
    works = _works(actor, target, [c.line for c in changes], lock=lock)
    funding = fundings_of(list(works.values()))
    today = today or timezone.localdate()
    problems = []
    cleaned: list[tuple[CommuneLine, dict[str, Any]]] = []
    for change in changes:
        work = works[change.line.pk]
        context = ReportContext(work, funding[work.pk], today)
        values, found = clean_progress_report(context, ReportData(change.values, change.disbursed))
        problems += found
        cleaned.append((work, values))
    raise_errors(problems)
    return works, cleaned


def progress_reports_check(
    *,
    actor: Any,
    target: CommunePlan,
    changes: Sequence[ReportChange],
    today: datetime.date | None = None,
) -> dict[str, int]:
    """What ``progress_reports_apply`` would answer, by its own checks, writing nothing and
    locking nothing (a dry run of the API): ``{"added": n}``, or the same ``ApplicationErrors``."""
    if changes:
        _prepare(actor, target, changes, today, lock=False)
    return {"added": len(changes)}


@transaction.atomic
def progress_reports_apply(
    *,
    actor: Any,
    target: CommunePlan,
    changes: Sequence[ReportChange],
    today: datetime.date | None = None,
) -> ReportsResult:
    """Record a new report of each work in ``changes``, all or none. Each becomes its work's
    latest unless it is dated before the latest (then it is kept in the history only). Reports
    are only ever added: the changes are additions."""
    if not changes:
        return ReportsResult([])
    works, cleaned = _prepare(actor, target, changes, today, lock=True)
    latest: dict[int, ProgressReport] = {
        r.line_id: r for r in ProgressReport.objects.filter(line_id__in=list(works), is_latest=True)
    }
    demoted: list[int] = []
    name, _username = person_names(actor)
    reporter = actor if getattr(actor, "pk", None) else None
    reports: list[ProgressReport] = []
    money: list[tuple[ProgressReport, dict[EnvelopeLine, Decimal]]] = []
    for work, values in cleaned:
        disbursed = values.pop("disbursed")
        current = latest.get(work.pk)
        newest = current is None or values["reported_on"] >= current.reported_on
        if newest and current is not None:
            if current.pk is None:
                current.is_latest = False  # an earlier report of this batch
            else:
                demoted.append(current.pk)
        report = ProgressReport(
            line=work, reporter=reporter, reporter_name=name, is_latest=newest, **values
        )
        if newest:
            latest[work.pk] = report
        reports.append(report)
        money.append((report, disbursed))
    if demoted:
        ProgressReport.objects.filter(pk__in=demoted).update(is_latest=False)
    ProgressReport.objects.bulk_create(reports)
    rows = [
        Disbursement(report=report, envelope_line=e, amount_mvnd=a)
        for report, disbursed in money
        for e, a in disbursed.items()
    ]
    if rows:
        Disbursement.objects.bulk_create(rows)
    audit_bulk(
        audit_entry(
            actor=actor,
            plan_uid=target.uid,
            obj=report,
            operation="create",
            after=snapshot(report, REPORT_FIELDS),
        )
        for report in reports
    )
    return ReportsResult(reports)


def progress_report_create(
    *,
    actor: Any,
    line: CommuneLine,
    data: dict[str, Any],
    disbursed: dict[EnvelopeLine, Decimal] | None = None,
) -> ProgressReport:
    """Record where a work stands; it becomes the work's latest report unless an earlier date
    was given (a report back-dated behind the latest is kept in the history only)."""
    result = progress_reports_apply(
        actor=actor, target=line.plan, changes=[ReportChange(line, data, disbursed or {})]
    )
    return result.reports[0]


def progress_history(line: CommuneLine) -> QuerySet[ProgressReport]:
    """Every report of a work, newest first, with its money and photos."""
    return (
        ProgressReport.objects.filter(line=line)
        .select_related("reporter")
        .prefetch_related("disbursements__envelope_line__source", "photos")
        .order_by("-reported_on", "-id")
    )
