"""The rules of one proposal line (F6), as a pure validator (issue 14).

``validate_proposal_line(context, number, data)`` answers the problems of a line: R1 (amounts
not negative, total = contribution + support, contribution = its parts), R2 (priority within
the profile's bounds), R5 (months inside the plan year, start before end), R6 (a positive
quantity, a unit from the catalogue), the sector, the proposed source (in use in the plan year),
the beneficiaries and every value within its bound. It reads nothing and writes nothing: the
catalogue objects come in ``data`` (a form's or a workbook's choice), the plan's policy in a
``LineContext`` built once per plan by ``line_context(round_)``. Village proposals and the
commune's own lines (R14) share it.

A line without a problem costs no translation and no formatting: messages are only made for
problems (a workbook of 20,000 lines is checked in a blink).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from kehoach.catalog.choices import PriorityBoundScope
from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.core import bounds
from kehoach.core.bounds.checks import number_text
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, raise_errors

from ...choices import ImplementationMode
from ...models import ProposalLine
from .fields import DEFAULTS, LINE_FIELDS, MODES
from .value_rules import (
    _check_amounts,
    _check_months,
    _problem,
    _within_bounds,
)

if TYPE_CHECKING:
    from ...models import PlanningRound

_FILLED = tuple((name, default) for name, default in DEFAULTS.items() if default is not None)
"""The defaults that replace an empty value (a None default leaves None as it is)."""
_NFC_MEMO_SIZE = 4096
_NFC_MEMO_LENGTH = 300
"""Texts up to this long are remembered (the memo holds at most a few megabytes)."""


class _Memo(dict[str, str]):
    """``nfc`` of the short texts seen lately (a workbook repeats its places and notes from
    line to line): a text is normalised once, at most ``_NFC_MEMO_SIZE`` are remembered."""

    def __missing__(self, text: str) -> str:
        if len(self) >= _NFC_MEMO_SIZE:
            self.clear()
        self[text] = clean = nfc(text)
        return clean


_NFC_MEMO = _Memo()


def _nfc(text: Any) -> str:
    """``nfc(text)``, remembered for a text (a value of another type goes to ``nfc`` as it
    would have)."""
    if text.__class__ is str and len(text) <= _NFC_MEMO_LENGTH:
        return _NFC_MEMO[text]
    return nfc(text)


@dataclass(frozen=True)
class LineContext:
    """What the rules of a line need to know about its plan, read once per plan: the plan
    year, the profile's priority bounds (R2) and its rules per sector (R3, R4)."""

    plan_year: int
    min_priority: int
    max_priority: int
    min_per_sector: int = 0
    max_per_sector: int = 0
    bound_applies_to_all_lines: bool = False
    unique_ranks_within_sector: bool = False


def line_context(round_: PlanningRound) -> LineContext:
    """The context of the lines of every plan of ``round_`` (reads its profile if not loaded)."""
    profile = round_.profile
    return LineContext(
        plan_year=round_.plan_year,
        min_priority=profile.min_priority,
        max_priority=profile.max_priority,
        min_per_sector=profile.min_priority_activities_per_sector,
        max_per_sector=profile.max_priority_activities_per_sector,
        bound_applies_to_all_lines=(
            profile.priority_bound_applies_to == PriorityBoundScope.ALL_LINES
        ),
        unique_ranks_within_sector=bool(profile.unique_ranks_within_sector),
    )


def check_proposal_line(
    context: LineContext, number: int, data: dict[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The clean values of line ``number`` (defaults applied, texts in NFC, months on their
    first day; by the names of ``LINE_FIELDS``) and its problems, in one pass."""
    values = {**DEFAULTS, **data}
    for name, default in _FILLED:  # an emptied cell or field takes the default
        if values[name] is None:
            values[name] = default
    get = values.get
    values["activity"] = _nfc(get("activity") or "")
    values["location"] = _nfc(get("location") or "")
    values["notes"] = _nfc(get("notes") or "")
    # Every value within its bound first: a number that is not finite or out of this world
    # would make the rules below meaningless (or raise).
    if not _within_bounds(values):  # only then the full check, which words the problems
        out_of_bounds = bounds.errors_for(ProposalLine, values, _maker(number), LINE_FIELDS)
        if out_of_bounds:
            return _clean(values), out_of_bounds
    found: list[Problem] = []
    year = context.plan_year

    if not values["activity"]:
        found.append(_problem(number, "activity", "activity_required", _("enter the activity.")))
    sector = values.get("sector")
    if not isinstance(sector, Sector) or not sector.is_active:
        found.append(
            _problem(number, "sector", "sector_invalid", _("choose a sector from the list."))
        )

    # R6 — quantity and unit
    unit = values.get("unit")
    if not isinstance(unit, UnitOfMeasure) or not unit.is_active:
        found.append(_problem(number, "unit", "unit_invalid", _("choose a unit from the list.")))
    quantity = values.get("quantity")
    if quantity is None or Decimal(quantity) <= 0:
        found.append(
            _problem(
                number,
                "quantity",
                "quantity_not_positive",
                _("the quantity must be greater than 0."),
            )
        )

    _check_months(number, year, values, found)
    _check_amounts(number, values, found)

    # R2 — priority domain
    priority = values.get("priority")
    if priority is not None and not (context.min_priority <= int(priority) <= context.max_priority):
        found.append(
            _problem(
                number,
                "priority",
                "priority_out_of_range",
                _(
                    "%(value)s: must be %(allowed)s (leave it empty for a line that is not a "
                    "priority)."
                )
                % {
                    "value": _as_typed(priority),
                    "allowed": allowed_numbers(context.min_priority, context.max_priority),
                },
            )
        )

    # Proposed source: exists and is active for the plan year
    source = values.get("proposed_source")
    if source is not None and (
        not isinstance(source, FundingSource) or not source.is_active_for_year(year)
    ):
        found.append(
            _problem(
                number,
                "proposed_source",
                "source_inactive",
                _("the source “%(source)s” is not in use in %(year)s; choose another.")
                % {"source": getattr(source, "code", source), "year": year},
            )
        )

    households = int(values.get("beneficiary_households") or 0)
    for field in ("beneficiary_poor", "beneficiary_em"):
        if int(values.get(field) or 0) > households:
            found.append(
                _problem(
                    number,
                    field,
                    "beneficiaries_part",
                    _("this cannot be more than the beneficiary households (%(households)s).")
                    % {"households": households},
                )
            )
    mode = values.get("implementation_mode")
    if mode not in MODES:
        found.append(
            _problem(
                number,
                "implementation_mode",
                "mode_invalid",
                _("“%(value)s” is not a way of carrying out an activity; choose %(allowed)s.")
                % {
                    "value": _as_typed(mode),
                    "allowed": one_of([str(label) for label in ImplementationMode.labels]),
                },
            )
        )
    return _clean(values), found


MAX_LISTED = 10
"""A closed list of at most this many whole numbers is named value by value ("1, 2 or 3");
a longer one as its range ("a whole number from 1 to 12")."""


def one_of(choices: list[str]) -> str:
    """The choices of a closed list as a sentence says them: "a", "a or b", "a, b or c"."""
    if len(choices) <= 1:
        return "".join(choices)
    return _("%(first)s or %(last)s") % {"first": ", ".join(choices[:-1]), "last": choices[-1]}


def allowed_numbers(low: int, high: int) -> str:
    """The whole numbers from ``low`` to ``high`` as a message names what is allowed."""
    if high - low < MAX_LISTED:
        return one_of([str(n) for n in range(low, high + 1)])
    return _("a whole number from %(min)s to %(max)s") % {"min": low, "max": high}


def _as_typed(value: Any) -> str:
    """A value found, as the user typed it (a number the Vietnamese way, "2,5")."""
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        return number_text(Decimal(repr(value)) if isinstance(value, float) else value)
    return str(value)


def _maker(number: int) -> Any:
    return lambda field, code, text: _problem(number, field, code, text)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return dict(zip(LINE_FIELDS, map(values.get, LINE_FIELDS), strict=True))


def validate_proposal_line(
    context: LineContext, number: int, data: dict[str, Any]
) -> list[Problem]:
    """Every problem of line ``number`` of a plan (all of severity error); [] when it passes."""
    return check_proposal_line(context, number, data)[1]


def clean_line_values(context: LineContext, number: int, data: dict[str, Any]) -> dict[str, Any]:
    """The values a line is saved with (defaults applied, texts in NFC, months on their 1st);
    meaningful for a line that passes ``validate_proposal_line``."""
    return check_proposal_line(context, number, data)[0]


def validate_line(round_: PlanningRound, number: int, data: dict[str, Any]) -> dict[str, Any]:
    """Check one line of a plan of ``round_`` and return its clean values; raises
    ``ApplicationErrors`` listing every problem of the line. Village proposals and the
    commune's own lines (R14) share it."""
    values, found = check_proposal_line(line_context(round_), number, data)
    raise_errors(found)
    return values
