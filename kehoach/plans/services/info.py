"""Village basic information (F1 — Thông tin cơ bản của thôn).

``F1_ROWS`` describes the paper form row by row (field, group, label, unit, the percentage
it shows); the service, the HTML form and the page all read it, so the order and wording live
in one place. Percentages are computed from their numerator and denominator and never stored
(R27). Each value may carry its data source and date (F1 row 20) in ``BasicInfo.sources``:
``{field: {"source": "...", "date": "yyyy-mm-dd" or ""}}``.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kehoach.approvals.audit import audit_record, snapshot
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.numbers import ParseError, format_number_vi, parse_date_vi, parse_decimal_vi
from kehoach.core.numbers import percent as percent_of
from kehoach.core.text import nfc

from ..models import BasicInfo, EthnicGroup, VillagePlan
from .common import check_version, require_editable

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

Kind = Literal["count", "decimal", "text", "yes_no", "flag"]
"""count: whole number ≥ 0; decimal: number ≥ 0 with the model field's decimal places;
text: short text; yes_no: yes, no or not known; flag: ticked or not."""


@dataclass(frozen=True)
class F1Group:
    key: str
    heading: _StrOrPromise


@dataclass(frozen=True)
class F1Row:
    field: str
    group: str
    label: _StrOrPromise
    unit: _StrOrPromise
    kind: Kind
    percent: str | None = None
    """Key in :func:`basic_info_percentages` shown beside the value, if any."""


F1_GROUPS: tuple[F1Group, ...] = (
    F1Group("population", gettext_lazy("Population and households")),
    F1Group("land", gettext_lazy("Land use")),
    F1Group("livestock", gettext_lazy("Livestock")),
    F1Group("infrastructure", gettext_lazy("Infrastructure and services")),
    F1Group("income", gettext_lazy("Income")),
    F1Group("classification", gettext_lazy("Village classification")),
)

_HH = pgettext_lazy("unit", "households")
_PERSONS = pgettext_lazy("unit", "persons")
_HEAD = pgettext_lazy("unit", "head")
_ROOMS = pgettext_lazy("unit", "classrooms")
_HA = "ha"
_KM = "km"

_POP, _LAND, _STOCK, _INFRA, _INCOME, _CLASS = (group.key for group in F1_GROUPS)

# One line (or two) per row of the paper form, in its order. fmt: off keeps the table readable.
# fmt: off
F1_ROWS: tuple[F1Row, ...] = (
    # 1–8: population and households
    F1Row("total_households", _POP, gettext_lazy("Total households"), _HH, "count"),
    F1Row("population", _POP, gettext_lazy("Population"), _PERSONS, "count"),
    F1Row("population_female", _POP, gettext_lazy("Female population"), _PERSONS, "count",
          "female_pct"),
    F1Row("em_households", _POP, gettext_lazy("Ethnic-minority households"), _HH, "count",
          "em_pct"),
    F1Row("poor_households", _POP, gettext_lazy("Poor households (multidimensional)"), _HH,
          "count", "poor_pct"),
    F1Row("near_poor_households", _POP, gettext_lazy("Near-poor households"), _HH, "count",
          "near_poor_pct"),
    F1Row("female_headed_households", _POP, gettext_lazy("Female-headed households"), _HH,
          "count", "female_headed_pct"),
    F1Row("labour_force", _POP, gettext_lazy("Labour force"), _PERSONS, "count"),
    F1Row("labour_female", _POP, gettext_lazy("Female labour"), _PERSONS, "count",
          "labour_female_pct"),
    # 9: land use
    F1Row("land_wet_rice_ha", _LAND, gettext_lazy("Wet rice land"), _HA, "decimal"),
    F1Row("land_upland_ha", _LAND, gettext_lazy("Upland fields"), _HA, "decimal"),
    F1Row("land_perennial_ha", _LAND, gettext_lazy("Perennial and cash crops"), _HA, "decimal"),
    F1Row("land_garden_ha", _LAND, gettext_lazy("Home gardens"), _HA, "decimal"),
    F1Row("forest_production_ha", _LAND, gettext_lazy("Production forest"), _HA, "decimal"),
    F1Row("forest_protection_ha", _LAND, gettext_lazy("Protection forest"), _HA, "decimal"),
    F1Row("forest_special_ha", _LAND, gettext_lazy("Special-use forest"), _HA, "decimal"),
    F1Row("land_residential_ha", _LAND, gettext_lazy("Residential land"), _HA, "decimal"),
    F1Row("land_unused_ha", _LAND, gettext_lazy("Unused land"), _HA, "decimal"),
    # 10: livestock and fish ponds
    F1Row("buffalo", _STOCK, gettext_lazy("Buffalo"), _HEAD, "count"),
    F1Row("cattle", _STOCK, gettext_lazy("Cattle"), _HEAD, "count"),
    F1Row("pigs", _STOCK, gettext_lazy("Pigs"), _HEAD, "count"),
    F1Row("poultry", _STOCK, gettext_lazy("Poultry"), _HEAD, "count"),
    F1Row("fish_pond_ha", _STOCK, gettext_lazy("Fish ponds"), _HA, "decimal"),
    # 11–16: infrastructure and services
    F1Row("road_length_km", _INFRA, gettext_lazy("Road to the commune centre: length"), _KM,
          "decimal"),
    F1Row("road_surface", _INFRA, gettext_lazy("Road to the commune centre: surface"), "",
          "text"),
    F1Row("road_all_season", _INFRA, gettext_lazy("Road usable all year"), "", "yes_no"),
    F1Row("electricity_households", _INFRA, gettext_lazy("Households with grid electricity"),
          _HH, "count", "electricity_pct"),
    F1Row("clean_water_households", _INFRA, gettext_lazy("Households using hygienic water"),
          _HH, "count", "clean_water_pct"),
    F1Row("latrine_households", _INFRA, gettext_lazy("Households with a hygienic latrine"),
          _HH, "count", "latrine_pct"),
    F1Row("classrooms_solid", _INFRA,
          gettext_lazy("Kindergarten and school classrooms: solid"), _ROOMS, "count"),
    F1Row("classrooms_temporary", _INFRA,
          gettext_lazy("Kindergarten and school classrooms: temporary"), _ROOMS, "count"),
    F1Row("has_cultural_house", _INFRA, gettext_lazy("Village cultural house"), "", "yes_no"),
    F1Row("cultural_house_state", _INFRA, gettext_lazy("State of the cultural house"), "",
          "text"),
    F1Row("has_sports_ground", _INFRA, gettext_lazy("Village sports ground"), "", "yes_no"),
    F1Row("irrigation_canal_km", _INFRA, gettext_lazy("Irrigation canals"), _KM, "decimal"),
    F1Row("irrigated_area_ha", _INFRA, gettext_lazy("Irrigated area"), _HA, "decimal"),
    # 17–18: income
    F1Row("income_per_capita_mvnd", _INCOME, gettext_lazy("Average income per person"),
          pgettext_lazy("unit", "million VND per person per year"), "decimal"),
    F1Row("food_shortage_months", _INCOME, gettext_lazy("Months of food shortage"),
          pgettext_lazy("unit", "months"), "count"),
    # 19: village classification
    F1Row("is_extremely_difficult", _CLASS, gettext_lazy("Extremely difficult village"), "",
          "flag"),
    F1Row("is_border", _CLASS, gettext_lazy("Border village"), "", "flag"),
    F1Row("is_p135", _CLASS, gettext_lazy("Programme 135 village"), "", "flag"),
    F1Row("ntm_status", _CLASS, gettext_lazy("New-rural status"), "", "text"),
)
# fmt: on

INFO_FIELDS: list[str] = [row.field for row in F1_ROWS]
ROWS_BY_FIELD: dict[str, F1Row] = {row.field: row for row in F1_ROWS}
ETHNIC_GROUPS = "ethnic_groups"
"""The ethnic-group sub-table (F1 row 3): a key of ``sources`` and of ``Where.field``."""
SOURCE_KEYS: tuple[str, ...] = (*INFO_FIELDS, ETHNIC_GROUPS)
AUDIT_FIELDS: list[str] = [*INFO_FIELDS, "sources"]
SOURCE_MAX_LENGTH = 200

PERCENTAGES: dict[str, tuple[str, str]] = {
    "female_pct": ("population_female", "population"),
    "em_pct": ("em_households", "total_households"),
    "poor_pct": ("poor_households", "total_households"),
    "near_poor_pct": ("near_poor_households", "total_households"),
    "female_headed_pct": ("female_headed_households", "total_households"),
    "labour_female_pct": ("labour_female", "labour_force"),
    "electricity_pct": ("electricity_households", "total_households"),
    "clean_water_pct": ("clean_water_households", "total_households"),
    "latrine_pct": ("latrine_households", "total_households"),
}
"""Each computed share: key → (part, whole)."""

PARTS_OF_WHOLES: list[tuple[str, str]] = [*PERCENTAGES.values(), ("labour_force", "population")]
"""A part is never larger than its whole (same-row consistency)."""

_MAX_COUNT = 2_147_483_647  # PositiveIntegerField on every database


# --- reads ------------------------------------------------------------------------------------


def basic_info_get_or_empty(plan: VillagePlan) -> BasicInfo:
    """The plan's basic information, or an unsaved empty one."""
    info = BasicInfo.objects.filter(plan=plan).first()
    return info if info is not None else BasicInfo(plan=plan)


def basic_info_is_empty(info: BasicInfo) -> bool:
    """Nothing entered yet: no value, no source and no ethnic group."""
    if info.pk is None:
        return True
    if any(getattr(info, field) not in (None, "", False) for field in INFO_FIELDS):
        return False
    return not info.sources and not info.ethnic_groups.exists()


def basic_info_previous(plan: VillagePlan) -> BasicInfo | None:
    """The same village's basic information in the commune's latest earlier round
    (normally plan year − 1), to offer last year's values."""
    return (
        BasicInfo.objects.filter(
            plan__village_id=plan.village_id,
            plan__round__commune_id=plan.round.commune_id,
            plan__round__plan_year__lt=plan.round.plan_year,
        )
        .select_related("plan__round")
        .order_by("-plan__round__plan_year")
        .first()
    )


def basic_info_percentages(info: BasicInfo) -> dict[str, Decimal | None]:
    """The computed shares (one decimal), ``None`` where the part or the whole is missing."""
    return {
        key: percent_of(getattr(info, part), getattr(info, whole))
        for key, (part, whole) in PERCENTAGES.items()
    }


# --- validation -------------------------------------------------------------------------------


def field_label(field: str) -> str:
    if field == ETHNIC_GROUPS:
        return _("Ethnic groups")
    return str(ROWS_BY_FIELD[field].label)


class _Problems:
    """Collects every problem of one submission, each naming its field."""

    def __init__(self) -> None:
        self.errors: list[ApplicationError] = []

    def add(self, field: str, code: str, problem: str, *, column: str | None = None) -> None:
        self.errors.append(
            ApplicationError(
                code,
                _("%(field)s: %(problem)s") % {"field": field_label(field), "problem": problem},
                Where(field=field, column=column),
            )
        )

    def add_ethnic(self, row: int, column: str, code: str, problem: str) -> None:
        self.errors.append(
            ApplicationError(
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

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApplicationErrors(self.errors)


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
            ApplicationError(
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
            % {"sum": format_number_vi(poor + near_poor), "total": format_number_vi(total)},
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
                ApplicationError(
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
                ApplicationError(
                    exc.code,
                    _("%(field)s, date of the data: %(problem)s")
                    % {"field": field_label(key), "problem": exc.message},
                    Where(field=key, column="date"),
                )
            )
        if source or day is not None:
            cleaned[key] = {"source": source, "date": day.isoformat() if day else ""}
    return {key: cleaned[key] for key in SOURCE_KEYS if key in cleaned}


# --- writes -----------------------------------------------------------------------------------


def _audit_state(info: BasicInfo) -> dict[str, Any]:
    return {
        **snapshot(info, AUDIT_FIELDS),
        ETHNIC_GROUPS: [
            {"name": g.name, "households": g.households, "persons": g.persons}
            for g in info.ethnic_groups.all()
        ],
    }


def _lock(actor: Any, plan: VillagePlan) -> BasicInfo | None:
    """Check the actor may edit the plan, lock it for this transaction (so two saves are
    applied one after the other) and return its basic information, if any."""
    require_editable(actor, plan)
    plan.status = (
        VillagePlan.objects.select_for_update().values_list("status", flat=True).get(pk=plan.pk)
    )
    require_editable(actor, plan)  # again with the status read under the lock
    return BasicInfo.objects.filter(plan=plan).first()


def _write(
    actor: Any,
    plan: VillagePlan,
    info: BasicInfo | None,
    values: dict[str, Any],
    sources: dict[str, Any],
    groups: list[dict[str, Any]],
) -> BasicInfo:
    before = _audit_state(info) if info is not None else None
    if info is None:
        info = BasicInfo(plan=plan)
    else:
        info.version += 1
    for field, value in values.items():
        setattr(info, field, value)
    info.sources = sources
    info.save()
    info.ethnic_groups.all().delete()
    EthnicGroup.objects.bulk_create([EthnicGroup(info=info, **group) for group in groups])
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=info,
        operation="create" if before is None else "update",
        before=before,
        after=_audit_state(info),
    )
    return info


@transaction.atomic
def basic_info_save(
    *,
    actor: Any,
    plan: VillagePlan,
    data: dict[str, Any],
    sources: dict[str, Any],
    ethnic_groups: list[dict[str, Any]],
    expected_version: int | None,
) -> BasicInfo:
    """Save the whole F1 form: every value (a missing one is emptied), the sources and the
    ethnic groups (replaced). ``expected_version`` is the version the user opened (0 when
    there was no basic information yet); someone else's save in between is a conflict."""
    info = _lock(actor, plan)
    if info is not None:
        check_version(info.version, expected_version, what=_("the basic information"))
    problems = _Problems()
    values = _clean_values(data, problems)
    _check_consistency(values, problems)
    _check_bounds(values, problems)
    groups = _clean_ethnic_groups(ethnic_groups, values, problems)
    cleaned_sources = _clean_sources(sources, problems)
    problems.raise_if_any()
    return _write(actor, plan, info, values, cleaned_sources, groups)


@transaction.atomic
def basic_info_copy_previous(*, actor: Any, plan: VillagePlan) -> BasicInfo:
    """Copy the values, sources and ethnic groups of the latest earlier round into this plan,
    whose basic information must still be empty."""
    info = _lock(actor, plan)
    previous = basic_info_previous(plan)
    if previous is None:
        raise ApplicationError(
            "no_previous_info",
            _("There is no basic information of %(village)s from an earlier year to copy.")
            % {"village": plan.village.name},
        )
    if info is not None and not basic_info_is_empty(info):
        raise ApplicationError(
            "info_not_empty",
            _(
                "The basic information of this plan has already been entered; last year's "
                "values are only copied into an empty form. Correct the values instead."
            ),
        )
    values = {field: getattr(previous, field) for field in INFO_FIELDS}
    groups = [
        {"name": g.name, "households": g.households, "persons": g.persons}
        for g in previous.ethnic_groups.all()
    ]
    return _write(actor, plan, info, values, copy.deepcopy(previous.sources or {}), groups)
