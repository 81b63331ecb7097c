"""The rules of the evaluation of the year (F15, F16 achieved), pure: given what a work achieved
(its ``WorkRow``), today, or the plan's targets, the values typed → the problems, each naming
its field. No actor, no query, no write: ``services/evaluation/`` builds the context under its
row locks, calls these and raises.

- a work's evaluation says why it differs from the plan when less than the planned quantity was
  done or it is not completed; an opinion of the beneficiaries from the list, with what they
  said when they were not (fully) satisfied; who operates and maintains a completed work;
- the plan's evaluation has a date that is not in the future and the results of the year;
- a target's value achieved is a number within bounds (not negative for counts, lengths,
  areas and shares); notes without a value are refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext as _

from kehoach.catalog.models import Indicator
from kehoach.core import bounds
from kehoach.core.errors import Where
from kehoach.core.numbers import ParseError, format_number_vi, parse_decimal_vi
from kehoach.core.text import nfc
from kehoach.core.validation import Problem
from kehoach.synthesis.models import TargetValue

from ..choices import Opinion
from ..models import LineEvaluation, PlanEvaluation, TargetAchievement

if TYPE_CHECKING:
    from ..services.evaluation.selectors import WorkRow

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


def _label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name)).capitalize()


def _problem(model: type[models.Model], name: str, code: str, text: str) -> Problem:
    return Problem(
        code,
        _("%(field)s: %(problem)s") % {"field": _label(model, name), "problem": text},
        Where(field=name),
        detail=text,
    )


def _text(value: Any) -> str:
    return "\n".join(nfc(x) for x in str(value or "").splitlines()).strip()


def number_text(value: Decimal) -> str:
    """A quantity as Vietnamese write it, without trailing zeros of the decimals."""
    text = format_number_vi(value, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _why_needed(row: WorkRow) -> str:
    if not row.completed:
        if row.report is None:
            state = _("no progress was reported")
        else:
            state = _("%(status)s, %(percent)s%% done") % {
                "status": row.status_label.lower(),
                "percent": number_text(row.percent_done or ZERO),
            }
        return _("the work is not completed (%(state)s); say why it differs from the plan.") % {
            "state": state
        }
    return _("%(done)s of the %(planned)s %(unit)s planned were done; say why.") % {
        "done": number_text(row.quantity_done),
        "planned": number_text(row.line.quantity),
        "unit": row.line.unit.name,
    }


# --- a work -------------------------------------------------------------------------------------


def clean_line_evaluation(
    row: WorkRow, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The clean values of the evaluation of one work (``LINE_FIELDS``) and its problems,
    judged against what the work achieved (``row``: its latest report, loaded)."""
    values: dict[str, Any] = {name: _text(data.get(name)) for name in LINE_FIELDS}
    problems: list[Problem] = []
    opinion = values["beneficiary_opinion"] or Opinion.NOT_ASKED
    values["beneficiary_opinion"] = opinion
    if opinion not in Opinion.values:
        problems.append(
            _problem(
                LineEvaluation,
                "beneficiary_opinion",
                "opinion_invalid",
                _("choose an opinion from the list."),
            )
        )
    elif opinion in NEEDS_NOTES and not values["opinion_notes"]:
        problems.append(
            _problem(
                LineEvaluation,
                "opinion_notes",
                "opinion_notes_required",
                _("write what the beneficiaries were not satisfied with."),
            )
        )
    if row.needs_reason and not values["deviation_reason"]:
        problems.append(
            _problem(LineEvaluation, "deviation_reason", "reason_required", _why_needed(row))
        )
    problems.extend(
        bounds.errors_for(
            LineEvaluation,
            values,
            lambda name, code, text: _problem(LineEvaluation, name, code, text),
            LINE_FIELDS,
        )
    )
    if row.completed and not values["operation_maintenance"]:
        problems.append(
            _problem(
                LineEvaluation,
                "operation_maintenance",
                "operation_required",
                _("the work is completed; say who operates and maintains it, and with what money."),
            )
        )
    return values, problems


def validate_line_evaluation(row: WorkRow, data: Mapping[str, Any]) -> list[Problem]:
    """Every problem of the evaluation of one work (none: it may be saved)."""
    return clean_line_evaluation(row, data)[1]


# --- the plan -----------------------------------------------------------------------------------


def clean_plan_evaluation(
    today: datetime.date, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The clean values of the evaluation of the year (``PLAN_FIELDS``) and its problems."""
    values: dict[str, Any] = {name: _text(data.get(name)) for name in PLAN_FIELDS[1:]}
    day = data.get("evaluated_on")
    problems: list[Problem] = []
    if day in (None, ""):
        problems.append(
            _problem(
                PlanEvaluation, "evaluated_on", "required", _("enter the date of the evaluation.")
            )
        )
    elif not isinstance(day, datetime.date):
        problems.append(
            _problem(
                PlanEvaluation, "evaluated_on", "date_invalid", _("write the date as dd/mm/yyyy.")
            )
        )
    elif day > today:
        problems.append(
            _problem(
                PlanEvaluation,
                "evaluated_on",
                "date_future",
                _("%(date)s is in the future.") % {"date": day.strftime("%d/%m/%Y")},
            )
        )
    problems.extend(
        bounds.errors_for(
            PlanEvaluation,
            values,
            lambda name, code, text: _problem(PlanEvaluation, name, code, text),
        )
    )
    if not values["results"]:
        problems.append(
            _problem(
                PlanEvaluation,
                "results",
                "required",
                _("write what the year achieved against the plan."),
            )
        )
    values["evaluated_on"] = day
    return values, problems


def validate_plan_evaluation(today: datetime.date, data: Mapping[str, Any]) -> list[Problem]:
    """Every problem of the evaluation of the year (none: it may be saved)."""
    return clean_plan_evaluation(today, data)[1]


# --- targets achieved -------------------------------------------------------------------------


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


def _achieved_problem(code: str, indicator: Indicator, field: str, text: str) -> Problem:
    return Problem(
        code,
        _("%(indicator)s, achieved: %(problem)s") % {"indicator": indicator.name, "problem": text},
        Where(field=field),
        detail=text,
    )


def clean_target_achievements(
    targets: Mapping[str, TargetValue], rows: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, tuple[Decimal | None, str]], list[Problem]]:
    """The value achieved and the notes of each target (``targets`` by indicator code, their
    indicators loaded; rows of codes without a target are ignored) and the problems."""
    problems: list[Problem] = []
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
            problems.append(
                _achieved_problem("achieved_invalid", indicator, f"{code}__achieved", exc.message)
            )
            continue
        if achieved is None and notes:
            text = _("enter the value achieved, or clear the notes.")
            problems.append(
                _achieved_problem("achieved_required", indicator, f"{code}__achieved", text)
            )
            continue
        cleaned[code] = (achieved, notes)
    return cleaned, problems


def validate_target_achievements(
    targets: Mapping[str, TargetValue], rows: Mapping[str, Mapping[str, Any]]
) -> list[Problem]:
    """Every problem of the values achieved (none: they may be saved)."""
    return clean_target_achievements(targets, rows)[1]
