"""The rows of the paper form F1 (Thông tin cơ bản của thôn), one line (or two) each: field,
group, label, unit, kind and the percentage it shows. The service, the HTML form, the workbook
and the page all read this table, so the order and wording live in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

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


def field_label(field: str) -> str:
    if field == ETHNIC_GROUPS:
        return _("Ethnic groups")
    return str(ROWS_BY_FIELD[field].label)
