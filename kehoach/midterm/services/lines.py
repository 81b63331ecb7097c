"""The activities of a five-year village plan (F7) and their one writer: the pages, the Excel
importer and the API all call ``check_medium_term_line`` (the rules, pure but for the next
number of a new line) and ``save_medium_term_line`` (one transaction, the plan row locked,
the version checked, the line and its years written, one history row).

Rules: R1 (the years' costs add up to the contribution plus the external support, all
amounts ≥ 0), R5 (every year inside the period, at least one year), R6 (a quantity > 0 in each
year given, a unit from the catalogue), the sector, the proposed source (in use in each year of
the line), the beneficiaries (parts ≤ total), the implementation mode and every value within
its bound. Numbers are never reused: a new line takes the highest number given + 1, deleted
lines included (as F6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.numbers import format_number_vi
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, raise_errors
from kehoach.plans.choices import ImplementationMode
from kehoach.plans.services.common import check_version

from ..choices import SET_BY_HAND, YearStatus
from ..models import MediumTermLine, MediumTermLineYear, MediumTermPlan, MediumTermRound
from .common import lock_editable, lock_plan, record, snapshot

__all__ = [
    "AUDIT_FIELDS",
    "LINE_FIELDS",
    "YearValues",
    "check_medium_term_line",
    "delete_medium_term_line",
    "line_problems",
    "restore_medium_term_line",
    "save_medium_term_line",
    "set_year_status",
    "year_field",
]

LINE_FIELDS = [
    "sector",
    "activity",
    "location",
    "unit",
    "contribution_mvnd",
    "external_support_mvnd",
    "proposed_source",
    "beneficiary_households",
    "beneficiary_poor",
    "beneficiary_em",
    "implementation_mode",
    "notes",
]
"""The values of an activity that do not change from year to year (F6 columns)."""
AUDIT_FIELDS = ["number", *LINE_FIELDS]
DEFAULTS: dict[str, Any] = {
    "location": "",
    "contribution_mvnd": Decimal(0),
    "external_support_mvnd": Decimal(0),
    "proposed_source": None,
    "beneficiary_households": 0,
    "beneficiary_poor": 0,
    "beneficiary_em": 0,
    "implementation_mode": ImplementationMode.COMMUNITY,
    "notes": "",
}
_ZERO = Decimal(0)


@dataclass(frozen=True)
class YearValues:
    """One year of an activity as given: how much and at what cost (million VND)."""

    quantity: Decimal | None
    cost_mvnd: Decimal | None


def year_field(year: int, name: str) -> str:
    """The form field (and ``Where.field``) of a year's quantity (``q``) or cost (``c``)."""
    return f"{name}_{year}"


def _money(value: Decimal) -> str:
    return format_number_vi(value, 3).rstrip("0").rstrip(",")


def _label(name: str) -> str:
    field = MediumTermLine._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _problem(number: int | None, field: str, code: str, text: str) -> Problem:
    if number is None:
        message = _("New line, %(field)s: %(problem)s") % {"field": _label(field), "problem": text}
    else:
        message = _("Line %(number)s, %(field)s: %(problem)s") % {
            "number": number,
            "field": _label(field),
            "problem": text,
        }
    return Problem(code, message, Where(field=field), detail=text)


def _year_problem(number: int | None, year: int, field: str, code: str, text: str) -> Problem:
    what = _("quantity") if field == "q" else _("cost")
    values = {"year": year, "field": what, "problem": text}
    if number is None:
        message = _("New line, year %(year)s, %(field)s: %(problem)s") % values
    else:
        message = _("Line %(number)s, year %(year)s, %(field)s: %(problem)s") % {
            **values,
            "number": number,
        }
    return Problem(code, message, Where(field=year_field(year, field)), detail=text)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("NaN")
    return number


def _value_problems(clean: dict[str, Any], make: Any) -> list[Problem]:
    """The rules of the values that do not change by year (all within their bounds)."""
    found: list[Problem] = []
    if not clean["activity"]:
        found.append(make("activity", "activity_required", _("enter the activity.")))
    sector = clean.get("sector")
    if not isinstance(sector, Sector) or not sector.is_active:
        found.append(make("sector", "sector_invalid", _("choose a sector from the list.")))
    unit = clean.get("unit")  # R6
    if not isinstance(unit, UnitOfMeasure) or not unit.is_active:
        found.append(make("unit", "unit_invalid", _("choose a unit from the list.")))
    if clean["implementation_mode"] not in ImplementationMode.values:
        found.append(
            make(
                "implementation_mode",
                "mode_invalid",
                _("“%(value)s” is not a way of carrying out an activity; choose %(allowed)s.")
                % {
                    "value": clean["implementation_mode"],
                    "allowed": ", ".join(str(label) for label in ImplementationMode.labels),
                },
            )
        )
    households = int(clean["beneficiary_households"] or 0)
    for field in ("beneficiary_poor", "beneficiary_em"):
        if int(clean[field] or 0) > households:
            found.append(
                make(
                    field,
                    "beneficiaries_part",
                    _("this cannot be more than the beneficiary households (%(households)s).")
                    % {"households": households},
                )
            )
    for field in ("contribution_mvnd", "external_support_mvnd"):
        clean[field] = _decimal(clean[field]) if clean[field] is not None else _ZERO
        if clean[field] < 0:
            found.append(make(field, "amount_negative", _("the amount cannot be negative.")))

    return found


def line_problems(
    round_: MediumTermRound,
    number: int | None,
    values: Mapping[str, Any],
    years: Mapping[int, YearValues],
) -> tuple[dict[str, Any], dict[int, YearValues], list[Problem]]:
    """The clean values and years of an activity and its problems; pure (reads nothing but
    what it is given). ``number`` None: a new line not numbered yet."""
    clean = {**DEFAULTS, **{k: v for k, v in values.items() if k in LINE_FIELDS}}
    for name, default in DEFAULTS.items():
        if clean[name] is None and default is not None:
            clean[name] = default
    for name in ("activity", "location", "notes"):
        clean[name] = nfc(clean.get(name) or "")
    found: list[Problem] = []

    def make(field: str, code: str, text: str) -> Problem:
        return _problem(number, field, code, text)

    out_of_bounds = bounds.errors_for(MediumTermLine, clean, make, LINE_FIELDS)
    found.extend(out_of_bounds or _value_problems(clean, make))

    # R5, R6 per year
    clean_years: dict[int, YearValues] = {}
    for year, given in sorted(years.items()):
        quantity, cost = _decimal(given.quantity), _decimal(given.cost_mvnd)
        if quantity is None and cost is None:
            continue  # an empty pair: the year is not planned
        year_found: list[Problem] = []
        if not round_.covers(year):
            year_found.append(
                _year_problem(
                    number,
                    year,
                    "q",
                    "year_outside_period",
                    _("%(year)s is outside the period %(first)s–%(last)s.")
                    % {"year": year, "first": round_.first_year, "last": round_.last_year},
                )
            )
        limits = bounds.errors_for(
            MediumTermLineYear,
            {"quantity": quantity, "cost_mvnd": cost},
            lambda f, code, text, y=year: _year_problem(
                number, y, "q" if f == "quantity" else "c", code, text
            ),
        )
        year_found.extend(limits)
        if not limits:
            if quantity is None or quantity <= 0:
                year_found.append(
                    _year_problem(
                        number,
                        year,
                        "q",
                        "quantity_not_positive",
                        _("the quantity must be greater than 0."),
                    )
                )
            if cost is None:
                year_found.append(
                    _year_problem(number, year, "c", "cost_required", _("enter the cost."))
                )
            elif cost < 0:
                year_found.append(
                    _year_problem(
                        number, year, "c", "amount_negative", _("the amount cannot be negative.")
                    )
                )
        found.extend(year_found)
        if not year_found:
            clean_years[year] = YearValues(quantity, cost)
    if not years or not any(
        _decimal(v.quantity) is not None or _decimal(v.cost_mvnd) is not None
        for v in years.values()
    ):
        found.append(
            make(
                "activity",
                "years_required",
                _("enter the quantity and cost of at least one year of the period."),
            )
        )

    source = clean.get("proposed_source")
    if source is not None:
        for year in sorted(clean_years) or [round_.first_year]:
            if not isinstance(source, FundingSource) or not source.is_active_for_year(year):
                found.append(
                    make(
                        "proposed_source",
                        "source_inactive",
                        _("the source “%(source)s” is not in use in %(year)s; choose another.")
                        % {"source": getattr(source, "code", source), "year": year},
                    )
                )
                break

    # R1: the years' costs = contribution + external support
    if not found:
        total = sum((v.cost_mvnd or _ZERO for v in clean_years.values()), _ZERO)
        contribution, support = clean["contribution_mvnd"], clean["external_support_mvnd"]
        if total != contribution + support:
            found.append(
                make(
                    "contribution_mvnd",
                    "cost_identity",
                    _(
                        "the costs of the years add up to %(total)s million VND; the village "
                        "contribution (%(contribution)s) plus the external support requested "
                        "(%(support)s) is %(sum)s. Make them equal."
                    )
                    % {
                        "total": _money(total),
                        "contribution": _money(contribution),
                        "support": _money(support),
                        "sum": _money(contribution + support),
                    },
                )
            )
    return clean, clean_years, found


def _amount(value: Decimal | None) -> Decimal:
    """A clean year's quantity or cost (never None once checked)."""
    return value if value is not None else _ZERO


def _next_number(plan: MediumTermPlan) -> int:
    """The number a new line takes: never one given before, deleted lines included."""
    highest = MediumTermLine.objects.filter(plan=plan).aggregate(m=Max("number"))["m"]
    return (highest or 0) + 1


def check_medium_term_line(
    plan: MediumTermPlan,
    values: dict[str, Any],
    years: dict[int, YearValues],
    *,
    line: MediumTermLine | None = None,
) -> list[Problem]:
    """Every problem of the activity (new, or ``line`` changed to these values); [] when it
    passes. Writes nothing."""
    number = line.number if line is not None else None
    return line_problems(plan.round, number, values, years)[2]


def _years_text(years: Mapping[int, Any]) -> dict[str, Any]:
    """The years of an activity as its history shows them: one entry per year."""
    out: dict[str, Any] = {}
    for year, item in sorted(years.items()):
        quantity = format_number_vi(item.quantity, 3).rstrip("0").rstrip(",")
        out[str(year)] = f"{quantity} · {_money(item.cost_mvnd)}"
    return out


def _line_snapshot(line: MediumTermLine, years: Mapping[int, Any]) -> dict[str, Any]:
    return {**snapshot(line, AUDIT_FIELDS), **_years_text(years)}


def _locked_line(plan: MediumTermPlan, line: MediumTermLine) -> MediumTermLine:
    current = (
        MediumTermLine.objects.select_for_update(of=("self",))
        .select_related("sector", "unit", "proposed_source")
        .filter(plan=plan, pk=line.pk)
        .first()
    )
    if current is None:
        raise NotFoundError()
    return current


def _deleted_error(line: MediumTermLine) -> ApplicationError:
    return ApplicationError(
        "line_deleted",
        _("Line %(number)s was deleted by someone else; restore it first.")
        % {"number": line.number},
    )


@transaction.atomic
def save_medium_term_line(
    user: Any,
    plan: MediumTermPlan,
    values: dict[str, Any],
    years: dict[int, YearValues],
    *,
    line: MediumTermLine | None = None,
    expected_version: int | None = None,
) -> MediumTermLine:
    """Add an activity (``line`` None) or change one; refused whole (``ApplicationErrors``
    with every problem) when a rule fails, or with the conflict error when ``line`` was saved
    by someone else after ``expected_version``."""
    plan = lock_editable(user, plan)
    current = None
    if line is not None:
        current = _locked_line(plan, line)
        if current.deleted_at is not None:
            raise _deleted_error(current)
        check_version(
            current.version,
            expected_version,
            what=_("line %(number)s") % {"number": current.number},
        )
    number = current.number if current is not None else _next_number(plan)
    clean, clean_years, found = line_problems(plan.round, number, values, years)
    raise_errors(found)
    if current is None:
        current = MediumTermLine.objects.create(
            plan=plan, number=number, **{k: clean[k] for k in LINE_FIELDS}
        )
        rows = [
            MediumTermLineYear(
                line=current, year=y, quantity=_amount(v.quantity), cost_mvnd=_amount(v.cost_mvnd)
            )
            for y, v in clean_years.items()
        ]
        MediumTermLineYear.objects.bulk_create(rows)
        record(user, plan, current, "create", after=_line_snapshot(current, clean_years))
        return current
    saved_years = {y.year: y for y in current.years.select_for_update()}
    before = _line_snapshot(current, saved_years)
    gone = [y for year, y in saved_years.items() if year not in clean_years]
    drawn = [y.year for y in gone if y.drawn_line_id is not None]
    if drawn:
        raise ApplicationError(
            "year_drawn",
            _(
                "Line %(number)s, year %(year)s: this year is already in that year's village "
                "plan; take it out of the yearly plan first, or drop the year with a reason."
            )
            % {"number": number, "year": drawn[0]},
            Where(field=year_field(drawn[0], "q")),
        )
    for name in LINE_FIELDS:
        setattr(current, name, clean[name])
    changed_years = []
    new_years = []
    for year, item in clean_years.items():
        row = saved_years.get(year)
        if row is None:
            new_years.append(
                MediumTermLineYear(
                    line=current,
                    year=year,
                    quantity=_amount(item.quantity),
                    cost_mvnd=_amount(item.cost_mvnd),
                )
            )
        elif (row.quantity, row.cost_mvnd) != (item.quantity, item.cost_mvnd):
            row.quantity, row.cost_mvnd = _amount(item.quantity), _amount(item.cost_mvnd)
            changed_years.append(row)
    after = _line_snapshot(current, clean_years)
    if before == after:
        return current
    MediumTermLineYear.objects.filter(pk__in=[y.pk for y in gone]).delete()
    if changed_years:
        MediumTermLineYear.objects.bulk_update(changed_years, ["quantity", "cost_mvnd"])
    if new_years:
        MediumTermLineYear.objects.bulk_create(new_years)
    current.version += 1
    current.save()
    record(user, plan, current, "update", before=before, after=after)
    return current


@transaction.atomic
def delete_medium_term_line(user: Any, line: MediumTermLine) -> MediumTermLine:
    """Delete an activity so that it can be restored (undo): it is marked, not removed; its
    number is not given again."""
    plan = lock_editable(user, line.plan)
    current = _locked_line(plan, line)
    if current.deleted_at is None:
        current.deleted_at = timezone.now()
        current.version += 1
        current.save(update_fields=["deleted_at", "version", "updated_at"])
        record(user, plan, current, "delete", before=snapshot(current, AUDIT_FIELDS))
    return current


@transaction.atomic
def restore_medium_term_line(user: Any, line: MediumTermLine) -> MediumTermLine:
    """Undo a delete (a line not deleted stays as it is)."""
    plan = lock_editable(user, line.plan)
    current = _locked_line(plan, line)
    if current.deleted_at is not None:
        current.deleted_at = None
        current.version += 1
        current.save(update_fields=["deleted_at", "version", "updated_at"])
        record(user, plan, current, "restore", after=snapshot(current, AUDIT_FIELDS))
    return current


@transaction.atomic
def set_year_status(
    user: Any, line_year: MediumTermLineYear, status: str, reason: str = ""
) -> MediumTermLineYear:
    """Drop one year of an activity, with the reason (F7's status column), or plan it again.
    Only ``planned`` and ``dropped`` are set by hand. Allowed whatever the plan's status (the
    yearly review, ``permissions.can_review_years``); a year drawn into a live line of its
    yearly plan cannot be dropped: that line says what became of it."""
    line = line_year.line
    plan = lock_plan(user, line.plan)
    current = (
        MediumTermLineYear.objects.select_for_update(of=("self",))
        .select_related("line", "drawn_line")
        .filter(pk=line_year.pk, line__plan=plan)
        .first()
    )
    if current is None:
        raise NotFoundError()
    if current.line.deleted_at is not None:
        raise _deleted_error(current.line)
    if status not in SET_BY_HAND:
        raise ApplicationError(
            "status_invalid",
            _("A year can only be set to “%(planned)s” or “%(dropped)s”.")
            % {"planned": YearStatus.PLANNED.label, "dropped": YearStatus.DROPPED.label},
            Where(field="status"),
        )
    reason = nfc(reason or "")
    if status == YearStatus.DROPPED and not reason:
        raise ApplicationError(
            "reason_required",
            _("Line %(number)s, year %(year)s: say why the year is dropped.")
            % {"number": current.line.number, "year": current.year},
            Where(field="reason"),
        )
    if len(reason) > bounds.NOTE_TEXT:
        raise ApplicationError(
            "reason_too_long",
            _("The reason is too long: at most %(max)s characters.") % {"max": bounds.NOTE_TEXT},
            Where(field="reason"),
        )
    drawn = current.drawn_line
    if status == YearStatus.DROPPED and drawn is not None and drawn.deleted_at is None:
        raise ApplicationError(
            "year_drawn",
            _(
                "Line %(number)s, year %(year)s is in the village's %(year)s plan as line "
                "%(drawn)s; delete that line from the yearly plan first if the year is dropped."
            )
            % {"number": current.line.number, "year": current.year, "drawn": drawn.number},
            Where(field="status"),
        )
    if status == YearStatus.PLANNED:
        reason = ""
    before = {"status": current.status, "dropped_reason": current.dropped_reason}
    if before == {"status": status, "dropped_reason": reason}:
        return current
    current.status, current.dropped_reason = status, reason
    current.save(update_fields=["status", "dropped_reason"])
    record(
        user,
        plan,
        current,
        "update",
        before=before,
        after={"status": status, "dropped_reason": reason},
    )
    return current
