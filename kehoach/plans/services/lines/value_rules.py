"""The checks of a proposal line's values that need neither the catalogue nor the plan's
policy: R1 (amounts not negative, total = contribution + support, contribution = its
parts), R5 (months inside the plan year, start before end), the quick pass of a line whose
every value surely fits its bound (``_within_bounds``), and how a problem of a line is
worded (``_problem``, amounts by ``_money``). Used by ``validators.check_proposal_line``."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core import bounds
from kehoach.core.errors import Where
from kehoach.core.numbers import format_number_vi
from kehoach.core.validation import Problem

from ...models import ProposalLine
from .fields import LINE_FIELDS, NON_NEGATIVE_FIELDS, field_label

_ZERO = Decimal(0)
_SPLIT = ("contribution_cash_mvnd", "contribution_labour_mvnd", "contribution_materials_mvnd")


def _money(value: Decimal | None) -> str:
    return format_number_vi(value or _ZERO, 3).rstrip("0").rstrip(",")


def _problem(number: int, field: str, code: str, text: str) -> Problem:
    message = _("Line %(number)s, %(field)s: %(problem)s") % {
        "number": number,
        "field": field_label(field),
        "problem": text,
    }
    return Problem(code, message, Where(field=field), detail=text)


_INFINITY = Decimal("Infinity")
_Bounds = tuple[list[tuple[str, int]], list[tuple[str, Decimal, Decimal]]]
_BOUNDS: _Bounds | None = None


def _bounds() -> _Bounds:
    """The bounded fields of ``LINE_FIELDS``, read once: (field, length) of the texts, (field,
    minimum, maximum) of the numbers (an open end as an infinity)."""
    global _BOUNDS
    if _BOUNDS is None:
        texts, numbers = [], []
        for name in LINE_FIELDS:
            limits = bounds.limits_of(ProposalLine, name)
            if limits.length is not None:
                texts.append((name, limits.length))
            elif limits.minimum is not None or limits.maximum is not None:
                low = -_INFINITY if limits.minimum is None else limits.minimum
                high = _INFINITY if limits.maximum is None else limits.maximum
                numbers.append((name, low, high))
        _BOUNDS = (texts, numbers)
    return _BOUNDS


def _within_bounds(values: dict[str, Any]) -> bool:
    """True when every value surely fits its bound (a text short enough, a decimal or whole
    number, finite, within its range): the quick pass of a valid line. False sends the line to
    ``bounds.errors_for``, which decides and words each problem (a float, a text where a
    number belongs, anything unusual goes there too)."""
    texts, numbers = _bounds()
    get = values.get
    for name, length in texts:
        value = get(name)
        if value is not None and (value.__class__ is not str or len(value) > length):
            return False
    try:
        for name, low, high in numbers:
            value = get(name)
            if value is None:
                continue
            kind = value.__class__
            if kind is Decimal or kind is int:
                if not low <= value <= high:  # an infinity is out, a NaN raises
                    return False
            elif value != "":  # an empty cell has no bound
                return False  # anything else: the full check decides
    except InvalidOperation:  # a NaN compared
        return False
    return True


def _check_months(number: int, year: int, values: dict[str, Any], found: list[Problem]) -> None:
    """R5 — months inside the plan year, start before end (months kept as their 1st)."""
    start, end = values.get("start_month"), values.get("end_month")
    for field, month in (("start_month", start), ("end_month", end)):
        if not isinstance(month, datetime.date):
            found.append(
                _problem(number, field, "month_required", _("enter the month as mm/yyyy."))
            )
        elif month.year != year:
            found.append(
                _problem(
                    number,
                    field,
                    "month_outside_year",
                    _("%(month)s is outside the plan year %(year)s.")
                    % {"month": month.strftime("%m/%Y"), "year": year},
                )
            )
    if isinstance(start, datetime.date) and isinstance(end, datetime.date):
        start, end = start.replace(day=1), end.replace(day=1)
        values["start_month"], values["end_month"] = start, end
        if start > end:
            found.append(
                _problem(
                    number,
                    "end_month",
                    "end_before_start",
                    _("the end (%(end)s) is before the start (%(start)s).")
                    % {"end": end.strftime("%m/%Y"), "start": start.strftime("%m/%Y")},
                )
            )


def _check_amounts(number: int, values: dict[str, Any], found: list[Problem]) -> None:
    """R1 — amounts not negative, total = contribution + support, contribution = its parts."""
    negative = False
    for field in NON_NEGATIVE_FIELDS:
        amount = values.get(field)
        if amount is None:
            values[field] = _ZERO
        elif (amount if amount.__class__ is Decimal else Decimal(amount)) < 0:
            negative = True
            found.append(
                _problem(number, field, "amount_negative", _("the amount cannot be negative."))
            )
    if values.get("total_cost_mvnd") is None:
        found.append(
            _problem(number, "total_cost_mvnd", "total_required", _("enter the total cost."))
        )
        return
    if negative:
        return
    total = Decimal(values["total_cost_mvnd"])
    contribution = Decimal(values["contribution_mvnd"])
    support = Decimal(values["external_support_mvnd"])
    if total != contribution + support:
        found.append(
            _problem(
                number,
                "total_cost_mvnd",
                "cost_identity",
                _(
                    "the total cost (%(total)s) must equal the village contribution "
                    "(%(contribution)s) plus the external support requested (%(support)s), "
                    "that is %(sum)s million VND."
                )
                % {
                    "total": _money(total),
                    "contribution": _money(contribution),
                    "support": _money(support),
                    "sum": _money(contribution + support),
                },
            )
        )
    parts = [Decimal(values[f]) for f in _SPLIT]
    if any(parts) and sum(parts) != contribution:
        found.append(
            _problem(
                number,
                "contribution_mvnd",
                "contribution_split",
                _(
                    "the village contribution (%(contribution)s) must equal cash "
                    "(%(cash)s) + labour (%(labour)s) + materials and land (%(materials)s), "
                    "that is %(sum)s million VND."
                )
                % {
                    "contribution": _money(contribution),
                    "cash": _money(parts[0]),
                    "labour": _money(parts[1]),
                    "materials": _money(parts[2]),
                    "sum": _money(sum(parts, _ZERO)),
                },
            )
        )
