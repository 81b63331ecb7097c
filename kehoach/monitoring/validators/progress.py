"""The rules of a progress report (F14), pure: given the work, what was approved to pay for it
and today's date, the values of a report → the problems, each naming its field. No actor, no
query, no write: the web form, the progress workbook's check and ``progress_reports_apply``
ask the same function.

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
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core import bounds
from kehoach.core.errors import Where
from kehoach.core.numbers import format_number_vi
from kehoach.core.text import nfc
from kehoach.core.validation import Problem
from kehoach.synthesis.models import CommuneLine, EnvelopeLine
from kehoach.synthesis.services.common import money_text

from ..choices import NEEDS_REASON, ProgressStatus
from ..models import Disbursement, ProgressReport

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
NEGATIVE = ("value_negative", "amount_negative")


@dataclass(frozen=True)
class ReportContext:
    """What a report of ``line`` is judged against: the work (its unit loaded), what each
    envelope line was approved to pay for it, and today."""

    line: CommuneLine
    funding: Mapping[EnvelopeLine, Decimal]
    today: datetime.date


@dataclass(frozen=True)
class ReportData:
    """A report as typed: its values (``REPORT_FIELDS``) and the money by envelope line."""

    values: Mapping[str, Any]
    disbursed: Mapping[EnvelopeLine, Decimal | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Excess:
    """Something above the approved plan, for the message asking for a reason."""

    field: str
    text: str


def field_label(name: str) -> str:
    return str(getattr(ProgressReport._meta.get_field(name), "verbose_name", name)).capitalize()


def _problem(name: str, code: str, text: str) -> Problem:
    message = _("%(field)s: %(problem)s") % {"field": field_label(name), "problem": text}
    return Problem(code, message, Where(field=name), detail=text)


def validate_progress_report(context: ReportContext, data: ReportData) -> list[Problem]:
    """Every problem of one report (none: it may be saved)."""
    return clean_progress_report(context, data)[1]


def clean_progress_report(
    context: ReportContext, data: ReportData
) -> tuple[dict[str, Any], list[Problem]]:
    """The clean values of a report (``disbursed`` among them) and its problems."""
    values: dict[str, Any] = {name: data.values.get(name) for name in REPORT_FIELDS}
    for name in TEXTS:
        values[name] = "\n".join(nfc(x) for x in str(values[name] or "").splitlines()).strip()
    # Every value within its bound first; the rules below compare and add them.
    beyond = _out_of_bounds(values, data.disbursed)
    if beyond:
        return values, beyond
    problems = _amounts(values) + _dates(values, context.today) + _status(values)
    disbursed, money_problems = _money(data.disbursed, context.funding)
    problems += money_problems
    excesses = _excesses(context.line, values, disbursed, context.funding)
    if excesses and not values["excess_reason"]:
        problems += [
            Problem(
                "excess_without_reason",
                _(
                    "%(what)s Give the reason in “Reason for exceeding the approved plan”, "
                    "or correct the figure."
                )
                % {"what": excess.text},
                Where(field=excess.field),
                detail=excess.text,
            )
            for excess in excesses
        ]
    values["disbursed"] = disbursed
    return values, problems


def _out_of_bounds(
    values: dict[str, Any], disbursed: Mapping[EnvelopeLine, Decimal | None]
) -> list[Problem]:
    found: list[Problem] = bounds.errors_for(ProgressReport, values, _problem, [*TEXTS, *AMOUNTS])
    limits = bounds.limits_of(Disbursement, "amount_mvnd")
    for envelope_line, amount in disbursed.items():
        beyond = bounds.number_problem(limits, amount) if amount is not None else None
        if beyond is not None and beyond[0] not in NEGATIVE:
            found.append(
                Problem(
                    beyond[0],
                    _("Disbursed from %(source)s: %(problem)s")
                    % {"source": envelope_line.source.code, "problem": beyond[1]},
                    Where(field=f"disbursed_{envelope_line.uid}"),
                    detail=beyond[1],
                )
            )
    # negative values get the rule's own message
    return [p for p in found if p.code not in NEGATIVE]


def _amounts(values: dict[str, Any]) -> list[Problem]:
    problems = []
    for name in AMOUNTS:
        amount = values[name]
        if amount is None or amount == "":
            values[name] = Decimal(0)
        elif Decimal(amount) < 0:
            problems.append(_problem(name, "negative", _("it cannot be negative.")))
        else:
            values[name] = Decimal(amount)
    return problems


def _dates(values: dict[str, Any], today: datetime.date) -> list[Problem]:
    problems = []
    for name in ("reported_on", "actual_start", "actual_finish"):
        day = values[name]
        if day is not None and not isinstance(day, datetime.date):
            problems.append(_problem(name, "date_invalid", _("write the date as dd/mm/yyyy.")))
            values[name] = None
        elif day is not None and day > today:
            problems.append(
                _problem(
                    name,
                    "date_future",
                    _("%(date)s is in the future; report what has happened.")
                    % {"date": day.strftime("%d/%m/%Y")},
                )
            )
    if values["reported_on"] is None and not any(p.where.field == "reported_on" for p in problems):
        problems.append(_problem("reported_on", "required", _("enter the reporting date.")))
    start, finish = values["actual_start"], values["actual_finish"]
    if start and finish and finish < start:
        problems.append(
            _problem(
                "actual_finish",
                "finish_before_start",
                _("the finish (%(finish)s) is before the start (%(start)s).")
                % {"finish": finish.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")},
            )
        )
    return problems


def _status(values: dict[str, Any]) -> list[Problem]:
    problems = []
    status = values["status"]
    start, finish = values["actual_start"], values["actual_finish"]
    done = values["quantity_done"] if isinstance(values["quantity_done"], Decimal) else None
    if status not in ProgressStatus.values:
        problems.append(_problem("status", "status_invalid", _("choose a status from the list.")))
    elif status == ProgressStatus.NOT_STARTED:
        if done:
            problems.append(
                _problem(
                    "status",
                    "status_not_started",
                    _("the work is “not started” but a quantity is done; choose “ongoing”."),
                )
            )
        if start:
            problems.append(
                _problem(
                    "actual_start",
                    "status_not_started",
                    _(
                        "a work that has not started has no start date; clear it or choose "
                        "“ongoing”."
                    ),
                )
            )
    elif status in (ProgressStatus.ONGOING, ProgressStatus.COMPLETED) and not start:
        problems.append(
            _problem("actual_start", "start_required", _("enter the date the work started."))
        )
    if status == ProgressStatus.COMPLETED:
        if not finish:
            problems.append(
                _problem(
                    "actual_finish", "finish_required", _("enter the date the work was finished.")
                )
            )
        if done is not None and done <= 0:
            problems.append(
                _problem(
                    "quantity_done",
                    "completed_nothing",
                    _("a completed work has a quantity done; enter it."),
                )
            )
    elif finish:
        problems.append(
            _problem(
                "actual_finish",
                "finish_not_completed",
                _("only a completed work has a finish date; choose “completed” or clear it."),
            )
        )
    if status in NEEDS_REASON and not values["status_reason"]:
        problems.append(
            _problem(
                "status_reason",
                "reason_required",
                _("say why the work is %(status)s.")
                % {"status": str(ProgressStatus(status).label).lower()},
            )
        )
    return problems


def _money(
    disbursed: Mapping[EnvelopeLine, Decimal | None], funding: Mapping[EnvelopeLine, Decimal]
) -> tuple[dict[EnvelopeLine, Decimal], list[Problem]]:
    clean: dict[EnvelopeLine, Decimal] = {}
    problems = []
    for envelope_line, amount in disbursed.items():
        if amount is None:
            continue
        where = Where(field=f"disbursed_{envelope_line.uid}")
        if envelope_line not in funding:
            problems.append(
                Problem(
                    "source_not_funding",
                    _(
                        "%(source)s does not fund this work; money can only be disbursed from "
                        "the sources that were approved for it."
                    )
                    % {"source": envelope_line.source.code},
                    where,
                )
            )
        elif Decimal(amount) < 0:
            problems.append(
                Problem(
                    "negative",
                    _("Disbursed from %(source)s: it cannot be negative.")
                    % {"source": envelope_line.source.code},
                    where,
                    detail=_("it cannot be negative."),
                )
            )
        else:
            clean[envelope_line] = Decimal(amount)
    return clean, problems


def _excesses(
    line: CommuneLine,
    values: dict[str, Any],
    disbursed: dict[EnvelopeLine, Decimal],
    funding: Mapping[EnvelopeLine, Decimal],
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
