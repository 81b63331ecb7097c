"""The rules of the village basic information (F1), pure: ``validate_basic_info(context,
data)`` judges what a form, a workbook or the API gives and returns the problems, each naming
its field (or the row and column of the ethnic-group table); it reads nothing and writes
nothing. ``clean_basic_info`` gives the cleaned values with the problems, for the writer."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core import bounds
from kehoach.core.errors import Where
from kehoach.core.numbers import ParseError, format_number_vi, parse_date_vi, parse_decimal_vi
from kehoach.core.text import nfc
from kehoach.core.validation import Problem

from ...models import BasicInfo, EthnicGroup
from .rows import (
    ETHNIC_GROUPS,
    F1_ROWS,
    INFO_FIELDS,
    PARTS_OF_WHOLES,
    SOURCE_KEYS,
    SOURCE_MAX_LENGTH,
    Kind,
    field_label,
)

_MAX_COUNT = 2_147_483_647  # PositiveIntegerField on every database


@dataclass(frozen=True)
class BasicInfoContext:
    """What judging a basic information needs besides its values: nothing yet (every rule
    is within the form); the village's name names it in messages when given."""

    village: str = ""


@dataclass
class BasicInfoData:
    """One whole F1: the values by field (a missing one is empty), the data sources
    (``{field: {"source", "date"}}``) and the ethnic-group rows."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)
    ethnic_groups: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CleanBasicInfo:
    """The values as they will be saved, and every problem found."""

    values: dict[str, Any]
    sources: dict[str, dict[str, str]]
    ethnic_groups: list[dict[str, Any]]
    problems: list[Problem]


class _Problems:
    """Collects every problem of one submission, each naming its field."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []

    def add(self, field: str, code: str, problem: str, *, column: str | None = None) -> None:
        self.errors.append(
            Problem(
                code,
                _("%(field)s: %(problem)s") % {"field": field_label(field), "problem": problem},
                Where(field=field, column=column),
            )
        )

    def add_ethnic(self, row: int, column: str, code: str, problem: str) -> None:
        self.errors.append(
            Problem(
                code,
                _("Ethnic groups, row %(row)s, %(column)s: %(problem)s")
                % {
                    "row": row,
                    "column": getattr(EthnicGroup._meta.get_field(column), "verbose_name", column),
                    "problem": problem,
                },
                Where(field=ETHNIC_GROUPS, row=row, column=column),
            )
        )

    def has(self, field: str) -> bool:
        return any(e.where.field == field for e in self.errors)


def _number(value: Any, kind: Kind, places: int = 0, digits: int = 0) -> Decimal | int | None:
    """A count, or a decimal with at most ``places`` decimals and ``digits`` digits, from what
    a form, the API or a spreadsheet gives; raises ``ValueError`` with the problem."""
    try:
        number = parse_decimal_vi(value)
    except ParseError as exc:
        raise ValueError(exc.message) from exc
    if number is None:
        return None
    if number < 0:
        raise ValueError(_("the number cannot be negative."))
    if kind == "count":
        if number != number.to_integral_value():
            raise ValueError(_("enter a whole number."))
        if number > _MAX_COUNT:
            raise ValueError(_("the number is too large."))
        return int(number)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(
            _("use at most %(places)s decimal places, e.g. %(example)s.")
            % {"places": places, "example": format_number_vi(Decimal("12.5"), places)}
        )
    if number >= Decimal(10) ** (digits - places):
        raise ValueError(_("the number is too large."))
    return number


def _count(value: Any) -> int:
    number = _number(value, "count")
    return int(number) if number is not None else 0


def _clean_values(data: dict[str, Any], problems: _Problems) -> dict[str, Any]:
    unknown = sorted(set(data) - set(INFO_FIELDS))
    for key in unknown:
        problems.errors.append(
            Problem(
                "unknown_field",
                _("“%(field)s” is not a row of the village basic information.") % {"field": key},
                Where(field=key),
            )
        )
    values: dict[str, Any] = {}
    for row in F1_ROWS:
        raw = data.get(row.field)
        model_field = BasicInfo._meta.get_field(row.field)
        if row.kind in ("count", "decimal"):
            places = getattr(model_field, "decimal_places", 0) or 0
            digits = getattr(model_field, "max_digits", 0) or 0
            try:
                values[row.field] = _number(raw, row.kind, places, digits)
            except ValueError as exc:
                problems.add(row.field, "invalid_number", str(exc))
                values[row.field] = None
        elif row.kind == "text":
            text = nfc(str(raw or ""))
            limit = getattr(model_field, "max_length", None) or 0
            if len(text) > limit:
                problems.add(
                    row.field,
                    "too_long",
                    _("it can have at most %(max)s characters.") % {"max": limit},
                )
            values[row.field] = text
        elif row.kind == "yes_no":
            if raw in (None, ""):
                values[row.field] = None
            elif isinstance(raw, bool):
                values[row.field] = raw
            else:
                problems.add(row.field, "invalid_choice", _("choose yes, no or leave it empty."))
                values[row.field] = None
        else:
            values[row.field] = bool(raw)
    return values


def _check_bounds(values: dict[str, Any], problems: _Problems) -> None:
    """Every number within its bound (households at most a million …), after the rules that
    say more about a value (a part larger than its whole, more than 12 months)."""
    for row in F1_ROWS:
        value = values.get(row.field)
        if row.kind in ("count", "decimal") and value is not None and not problems.has(row.field):
            beyond = bounds.number_problem(bounds.limits_of(BasicInfo, row.field), value)
            if beyond is not None:
                problems.add(row.field, beyond[0], beyond[1])


def _more_than_whole(whole: str, total: int) -> str:
    shown = format_number_vi(total)
    if whole == "total_households":
        return _("it cannot be more than the total households (%(total)s).") % {"total": shown}
    if whole == "population":
        return _("it cannot be more than the population (%(total)s).") % {"total": shown}
    return _("it cannot be more than the labour force (%(total)s).") % {"total": shown}


def _check_consistency(values: dict[str, Any], problems: _Problems) -> None:
    for part, whole in PARTS_OF_WHOLES:
        if problems.has(part) or problems.has(whole):
            continue
        if values[part] is not None and values[whole] is not None and values[part] > values[whole]:
            problems.add(part, "more_than_whole", _more_than_whole(whole, values[whole]))
    poor, near_poor, total = (
        values["poor_households"],
        values["near_poor_households"],
        values["total_households"],
    )
    if (
        poor is not None
        and near_poor is not None
        and total is not None
        and not problems.has("poor_households")
        and not problems.has("near_poor_households")
        and poor + near_poor > total
    ):
        problems.add(
            "near_poor_households",
            "poor_near_poor_more_than_total",
            _(
                "poor and near-poor households together (%(sum)s) cannot be more than the "
                "total households (%(total)s)."
            )
            % {
                "sum": format_number_vi(poor + near_poor),
                "total": format_number_vi(total),
            },
        )
    months = values["food_shortage_months"]
    if months is not None and not problems.has("food_shortage_months") and months > 12:
        problems.add(
            "food_shortage_months",
            "more_than_12_months",
            _("a year has 12 months; enter at most 12."),
        )


def _clean_ethnic_groups(
    rows: list[dict[str, Any]], values: dict[str, Any], problems: _Problems
) -> list[dict[str, Any]]:
    """Rows with a name or a number; blank rows are ignored. ``row`` in a problem is the
    position in ``rows`` (1-based), as the user sees it."""
    cleaned: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    name_limit = EthnicGroup._meta.get_field("name").max_length or 100
    for index, raw in enumerate(rows, start=1):
        name = nfc(str(raw.get("name") or ""))
        numbers: dict[str, int] = {}
        bad_number = False
        for column in ("households", "persons"):
            try:
                numbers[column] = _count(raw.get(column))
            except ValueError as exc:
                problems.add_ethnic(index, column, "invalid_number", str(exc))
                numbers[column], bad_number = 0, True
                continue
            beyond = bounds.number_problem(bounds.limits_of(EthnicGroup, column), numbers[column])
            if beyond is not None:
                problems.add_ethnic(index, column, beyond[0], beyond[1])
                numbers[column], bad_number = 0, True
        if not name and not bad_number and not any(numbers.values()):
            continue
        if not name:
            problems.add_ethnic(index, "name", "required", _("enter the name of the group."))
        elif len(name) > name_limit:
            problems.add_ethnic(
                index,
                "name",
                "too_long",
                _("it can have at most %(max)s characters.") % {"max": name_limit},
            )
        else:
            key = name.casefold()
            if key in seen:
                problems.add_ethnic(
                    index,
                    "name",
                    "duplicate",
                    _("“%(name)s” is already in row %(row)s; enter each group once.")
                    % {"name": name, "row": seen[key]},
                )
            else:
                seen[key] = index
        cleaned.append({"name": name, **numbers})
    households = sum(row["households"] for row in cleaned)
    persons = sum(row["persons"] for row in cleaned)
    total, population = values["total_households"], values["population"]
    if total is not None and not problems.has("total_households") and households > total:
        problems.add(
            ETHNIC_GROUPS,
            "ethnic_households_more_than_total",
            _("their households add up to %(sum)s, more than the total households (%(total)s).")
            % {"sum": format_number_vi(households), "total": format_number_vi(total)},
            column="households",
        )
    if population is not None and not problems.has("population") and persons > population:
        problems.add(
            ETHNIC_GROUPS,
            "ethnic_persons_more_than_population",
            _("their persons add up to %(sum)s, more than the population (%(total)s).")
            % {"sum": format_number_vi(persons), "total": format_number_vi(population)},
            column="persons",
        )
    return cleaned


def _clean_sources(sources: dict[str, Any], problems: _Problems) -> dict[str, dict[str, str]]:
    cleaned: dict[str, dict[str, str]] = {}
    for key, entry in (sources or {}).items():
        if key not in SOURCE_KEYS:
            problems.errors.append(
                Problem(
                    "unknown_field",
                    _("“%(field)s” is not a row of the village basic information.")
                    % {"field": key},
                    Where(field=key),
                )
            )
            continue
        if not isinstance(entry, dict):
            entry = {"source": entry}
        source = nfc(str(entry.get("source") or ""))
        if len(source) > SOURCE_MAX_LENGTH:
            problems.add(
                key,
                "source_too_long",
                _("the data source can have at most %(max)s characters.")
                % {"max": SOURCE_MAX_LENGTH},
                column="source",
            )
        day: datetime.date | None = None
        try:
            day = parse_date_vi(entry.get("date"))
        except ParseError as exc:
            problems.errors.append(
                Problem(
                    exc.code,
                    _("%(field)s, date of the data: %(problem)s")
                    % {"field": field_label(key), "problem": exc.message},
                    Where(field=key, column="date"),
                )
            )
        if source or day is not None:
            cleaned[key] = {"source": source, "date": day.isoformat() if day else ""}
    return {key: cleaned[key] for key in SOURCE_KEYS if key in cleaned}


def clean_basic_info(context: BasicInfoContext, data: BasicInfoData) -> CleanBasicInfo:
    """Every rule of F1 over one submission: numbers and texts of each row, parts not larger
    than their wholes, the bounds, the ethnic groups and the data sources."""
    problems = _Problems()
    values = _clean_values(data.values, problems)
    _check_consistency(values, problems)
    _check_bounds(values, problems)
    groups = _clean_ethnic_groups(data.ethnic_groups, values, problems)
    sources = _clean_sources(data.sources, problems)
    return CleanBasicInfo(values, sources, groups, problems.errors)


def validate_basic_info(context: BasicInfoContext, data: BasicInfoData) -> list[Problem]:
    """The problems of one whole F1 (see ``clean_basic_info``); empty when it may be saved."""
    return clean_basic_info(context, data).problems
