"""Progress reports (F14): the one way a work's progress is recorded, from the web form, the
progress workbook and the demo alike.

A report states the position to date (cumulative). The rules, each refusal naming its field:

- the reporting date is given and not in the future; actual start and finish are not in the
  future and the finish is not before the start;
- quantity done is at least 0; above the approved quantity it needs a reason (``excess_reason``);
- money disbursed is per envelope line that funds the work, at least 0; above the amount
  approved from that line it needs the same reason; a source that does not fund the work is
  refused;
- community contribution realised (cash, labour days and their value, materials, land) is at
  least 0; above the contribution promised, the reason again;
- the status agrees with the figures: "not started" has nothing done and no start date;
  "ongoing" and "completed" have started (actual start); "completed" has its finish date;
  "suspended" and "cancelled" say why.

Saving locks the work's row, so two reports of one work never both become the latest.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.models import person_names
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.numbers import format_number_vi
from kehoach.core.text import nfc
from kehoach.synthesis.models import CommuneLine, EnvelopeLine, LineFunding
from kehoach.synthesis.services.common import money_text

from ..choices import NEEDS_REASON, ProgressStatus
from ..models import Disbursement, ProgressReport
from .common import record, require_work

REPORT_FIELDS = [
    "reported_on",
    "quantity_done",
    "status",
    "status_reason",
    "actual_start",
    "actual_finish",
    "contribution_cash_mvnd",
    "contribution_labour_days",
    "contribution_labour_mvnd",
    "contribution_materials_mvnd",
    "contribution_land_m2",
    "problems",
    "excess_reason",
]
AMOUNTS = [
    "quantity_done",
    "contribution_cash_mvnd",
    "contribution_labour_days",
    "contribution_labour_mvnd",
    "contribution_materials_mvnd",
    "contribution_land_m2",
]
TEXTS = ["status_reason", "problems", "excess_reason"]


def field_label(name: str) -> str:
    return str(getattr(ProgressReport._meta.get_field(name), "verbose_name", name)).capitalize()


def _error(field: str, code: str, text: str) -> ApplicationError:
    message = _("%(field)s: %(problem)s") % {"field": field_label(field), "problem": text}
    return ApplicationError(code, message, Where(field=field), detail=text)


def funding_of(line: CommuneLine) -> dict[EnvelopeLine, Decimal]:
    """What each envelope line was approved to pay for the work."""
    return {
        f.envelope_line: f.amount_mvnd
        for f in LineFunding.objects.filter(line=line).select_related("envelope_line__source")
    }


@dataclass(frozen=True)
class Excess:
    """Something above the approved plan, for the message asking for a reason."""

    field: str
    text: str


def validate_report(
    line: CommuneLine,
    data: dict[str, Any],
    disbursed: dict[EnvelopeLine, Decimal],
    funding: dict[EnvelopeLine, Decimal],
    *,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """Check one report of ``line`` by the rules above; return the clean values. Raises
    ``ApplicationErrors`` listing every problem."""
    today = today or timezone.localdate()
    values: dict[str, Any] = {name: data.get(name) for name in REPORT_FIELDS}
    errors: list[ApplicationError] = []
    for name in TEXTS:
        values[name] = "\n".join(nfc(x) for x in str(values[name] or "").splitlines()).strip()
    # Every value within its bound first; the rules below compare and add them.
    out_of_bounds = bounds.errors_for(ProgressReport, values, _error, [*TEXTS, *AMOUNTS])
    for envelope_line, amount in disbursed.items():
        beyond = (
            bounds.number_problem(bounds.limits_of(Disbursement, "amount_mvnd"), amount)
            if amount is not None
            else None
        )
        if beyond is not None and beyond[0] not in ("value_negative", "amount_negative"):
            out_of_bounds.append(
                ApplicationError(
                    beyond[0],
                    _("Disbursed from %(source)s: %(problem)s")
                    % {"source": envelope_line.source.code, "problem": beyond[1]},
                    Where(field=f"disbursed_{envelope_line.uid}"),
                    detail=beyond[1],
                )
            )
    # negative values get the rule's own message below
    out_of_bounds = [
        e for e in out_of_bounds if e.code not in ("value_negative", "amount_negative")
    ]
    if out_of_bounds:
        raise ApplicationErrors(out_of_bounds)
    for name in AMOUNTS:
        amount = values[name]
        if amount is None or amount == "":
            values[name] = Decimal(0)
        elif Decimal(amount) < 0:
            errors.append(_error(name, "negative", _("it cannot be negative.")))
        else:
            values[name] = Decimal(amount)

    for name in ("reported_on", "actual_start", "actual_finish"):
        day = values[name]
        if day is not None and not isinstance(day, datetime.date):
            errors.append(_error(name, "date_invalid", _("write the date as dd/mm/yyyy.")))
            values[name] = None
        elif day is not None and day > today:
            errors.append(
                _error(
                    name,
                    "date_future",
                    _("%(date)s is in the future; report what has happened.")
                    % {"date": day.strftime("%d/%m/%Y")},
                )
            )
    if values["reported_on"] is None and not any(e.where.field == "reported_on" for e in errors):
        errors.append(_error("reported_on", "required", _("enter the reporting date.")))
    start, finish = values["actual_start"], values["actual_finish"]
    if start and finish and finish < start:
        errors.append(
            _error(
                "actual_finish",
                "finish_before_start",
                _("the finish (%(finish)s) is before the start (%(start)s).")
                % {"finish": finish.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")},
            )
        )

    status = values["status"]
    done = values["quantity_done"] if isinstance(values["quantity_done"], Decimal) else None
    if status not in ProgressStatus.values:
        errors.append(_error("status", "status_invalid", _("choose a status from the list.")))
    elif status == ProgressStatus.NOT_STARTED:
        if done:
            errors.append(
                _error(
                    "status",
                    "status_not_started",
                    _("the work is “not started” but a quantity is done; choose “ongoing”."),
                )
            )
        if start:
            errors.append(
                _error(
                    "actual_start",
                    "status_not_started",
                    _(
                        "a work that has not started has no start date; clear it or choose "
                        "“ongoing”."
                    ),
                )
            )
    elif status in (ProgressStatus.ONGOING, ProgressStatus.COMPLETED) and not start:
        errors.append(
            _error("actual_start", "start_required", _("enter the date the work started."))
        )
    if status == ProgressStatus.COMPLETED:
        if not finish:
            errors.append(
                _error(
                    "actual_finish", "finish_required", _("enter the date the work was finished.")
                )
            )
        if done is not None and done <= 0:
            errors.append(
                _error(
                    "quantity_done",
                    "completed_nothing",
                    _("a completed work has a quantity done; enter it."),
                )
            )
    elif finish:
        errors.append(
            _error(
                "actual_finish",
                "finish_not_completed",
                _("only a completed work has a finish date; choose “completed” or clear it."),
            )
        )
    if status in NEEDS_REASON and not values["status_reason"]:
        errors.append(
            _error(
                "status_reason",
                "reason_required",
                _("say why the work is %(status)s.")
                % {"status": str(ProgressStatus(status).label).lower()},
            )
        )

    clean_disbursed: dict[EnvelopeLine, Decimal] = {}
    for envelope_line, amount in disbursed.items():
        if amount is None:
            continue
        field = f"disbursed_{envelope_line.uid}"
        if envelope_line not in funding:
            errors.append(
                ApplicationError(
                    "source_not_funding",
                    _(
                        "%(source)s does not fund this work; money can only be disbursed from "
                        "the sources that were approved for it."
                    )
                    % {"source": envelope_line.source.code},
                    Where(field=field),
                )
            )
            continue
        if Decimal(amount) < 0:
            errors.append(
                ApplicationError(
                    "negative",
                    _("Disbursed from %(source)s: it cannot be negative.")
                    % {"source": envelope_line.source.code},
                    Where(field=field),
                    detail=_("it cannot be negative."),
                )
            )
            continue
        clean_disbursed[envelope_line] = Decimal(amount)

    excesses = _excesses(line, values, clean_disbursed, funding)
    if excesses and not values["excess_reason"]:
        for excess in excesses:
            errors.append(
                ApplicationError(
                    "excess_without_reason",
                    _(
                        "%(what)s Give the reason in “Reason for exceeding the approved plan”, "
                        "or correct the figure."
                    )
                    % {"what": excess.text},
                    Where(field=excess.field),
                    detail=excess.text,
                )
            )
    if errors:
        raise ApplicationErrors(errors)
    values["disbursed"] = clean_disbursed
    return values


def _excesses(
    line: CommuneLine,
    values: dict[str, Any],
    disbursed: dict[EnvelopeLine, Decimal],
    funding: dict[EnvelopeLine, Decimal],
) -> list[Excess]:
    out = []
    done = values["quantity_done"]
    if isinstance(done, Decimal) and done > line.quantity:
        out.append(
            Excess(
                "quantity_done",
                _("The quantity done (%(done)s %(unit)s) is above the approved %(planned)s.")
                % {
                    "done": format_number_vi(done, 3).rstrip("0").rstrip(","),
                    "unit": line.unit.name,
                    "planned": format_number_vi(line.quantity, 3).rstrip("0").rstrip(","),
                },
            )
        )
    for envelope_line, amount in disbursed.items():
        approved = funding.get(envelope_line, Decimal(0))
        if amount > approved:
            out.append(
                Excess(
                    f"disbursed_{envelope_line.uid}",
                    _(
                        "Disbursed from %(source)s: %(amount)s million VND is above the "
                        "%(approved)s million approved."
                    )
                    % {
                        "source": envelope_line.source.code,
                        "amount": money_text(amount),
                        "approved": money_text(approved),
                    },
                )
            )
    given = sum(
        (
            values[name]
            for name in (
                "contribution_cash_mvnd",
                "contribution_labour_mvnd",
                "contribution_materials_mvnd",
            )
            if isinstance(values[name], Decimal)
        ),
        Decimal(0),
    )
    if given > line.contribution_mvnd:
        out.append(
            Excess(
                "contribution_cash_mvnd",
                _(
                    "The contribution given (%(given)s million VND) is above the %(promised)s "
                    "million the community promised."
                )
                % {"given": money_text(given), "promised": money_text(line.contribution_mvnd)},
            )
        )
    return out


@transaction.atomic
def progress_report_create(
    *,
    actor: Any,
    line: CommuneLine,
    data: dict[str, Any],
    disbursed: dict[EnvelopeLine, Decimal] | None = None,
) -> ProgressReport:
    """Record where a work stands; it becomes the work's latest report unless an earlier date
    was given (a report back-dated behind the latest is kept in the history only)."""
    line = require_work(actor, line, Action.REPORT_PROGRESS)
    funding = funding_of(line)
    values = validate_report(line, data, disbursed or {}, funding)
    money = values.pop("disbursed")
    latest = ProgressReport.objects.filter(line=line, is_latest=True).first()
    newest = latest is None or values["reported_on"] >= latest.reported_on
    if newest and latest is not None:
        ProgressReport.objects.filter(pk=latest.pk).update(is_latest=False)
    name, _username = person_names(actor)
    report = ProgressReport.objects.create(
        line=line,
        reporter=actor if getattr(actor, "pk", None) else None,
        reporter_name=name,
        is_latest=newest,
        **values,
    )
    Disbursement.objects.bulk_create(
        [Disbursement(report=report, envelope_line=e, amount_mvnd=a) for e, a in money.items()]
    )
    record(actor, line.plan, report, "create", REPORT_FIELDS)
    return report


def progress_history(line: CommuneLine) -> QuerySet[ProgressReport]:
    """Every report of a work, newest first, with its money and photos."""
    return (
        ProgressReport.objects.filter(line=line)
        .select_related("reporter")
        .prefetch_related("disbursements__envelope_line__source", "photos")
        .order_by("-reported_on", "-id")
    )


def percent_done(line: CommuneLine, report: ProgressReport | None) -> Decimal | None:
    """Quantity done as a share of the approved quantity (computed, never stored)."""
    if report is None or not line.quantity:
        return None
    return (report.quantity_done * 100 / line.quantity).quantize(Decimal("0.1"))
