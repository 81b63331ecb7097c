"""Village basic information (F1): the service's rules, the computed percentages, copying last
year's values, and the page.

Messages are compared with ``gettext`` of their English msgid, computed here: the suite runs in
Vietnamese, and whatever the catalogue says is what the user reads.
"""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry
from kehoach.catalog.tests.factories import ProcessProfileFactory
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.core.numbers import ParseError, parse_date_vi
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang
from kehoach.plans.models import BasicInfo, EthnicGroup, PlanningRound, VillagePlan
from kehoach.plans.services.info import (
    F1_GROUPS,
    F1_ROWS,
    basic_info_copy_previous,
    basic_info_get_or_empty,
    basic_info_percentages,
    basic_info_previous,
    basic_info_save,
)

pytestmark = pytest.mark.django_db


# --- set-up -----------------------------------------------------------------------------------


def make_plan(village: AdministrativeUnit, plan_year: int = 2027) -> VillagePlan:
    commune = village.parent
    assert commune is not None
    round_ = PlanningRound.objects.filter(commune=commune, plan_year=plan_year).first()
    if round_ is None:
        round_ = PlanningRound.objects.create(
            commune=commune, plan_year=plan_year, profile=ProcessProfileFactory.create()
        )
    return VillagePlan.objects.create(round=round_, village=village)


@pytest.fixture
def commune() -> AdministrativeUnit:
    return hai_lang()


@pytest.fixture
def village(commune: AdministrativeUnit) -> AdministrativeUnit:
    return VillageFactory.create(parent=commune, name="Thôn Diên Sanh")


@pytest.fixture
def plan(village: AdministrativeUnit) -> VillagePlan:
    return make_plan(village)


@pytest.fixture
def planner(commune: AdministrativeUnit) -> Any:
    return commune_planner(commune)


@pytest.fixture
def planner_client(client: Client, planner: Any) -> Client:
    client.force_login(planner)
    return client


def save(
    actor: Any,
    plan: VillagePlan,
    data: dict[str, Any] | None = None,
    *,
    sources: dict[str, Any] | None = None,
    ethnic_groups: list[dict[str, Any]] | None = None,
    expected_version: int | None = None,
) -> BasicInfo:
    return basic_info_save(
        actor=actor,
        plan=plan,
        data=data or {},
        sources=sources or {},
        ethnic_groups=ethnic_groups or [],
        expected_version=expected_version,
    )


def messages_of(error: ApplicationError) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    for item in getattr(error, "errors", None) or [error]:
        found.setdefault(item.where.field, []).append(item.message)
    return found


def named(field_msgid: str, problem: str) -> str:
    return gettext("%(field)s: %(problem)s") % {"field": gettext(field_msgid), "problem": problem}


VALID = {
    "total_households": 120,
    "population": 480,
    "population_female": 250,
    "em_households": 60,
    "poor_households": 30,
    "near_poor_households": 18,
    "female_headed_households": 12,
    "labour_force": 300,
    "labour_female": 150,
    "land_wet_rice_ha": Decimal("35.5"),
    "buffalo": 40,
    "road_length_km": Decimal("4.25"),
    "road_surface": "Bê tông",
    "road_all_season": True,
    "electricity_households": 118,
    "clean_water_households": 90,
    "latrine_households": 84,
    "has_cultural_house": True,
    "income_per_capita_mvnd": Decimal("32.5"),
    "food_shortage_months": 2,
    "is_p135": True,
    "ntm_status": "Đạt chuẩn nông thôn mới",
}


# --- the row list -----------------------------------------------------------------------------


def test_every_field_of_the_model_is_a_row_of_the_form_once() -> None:
    not_rows = {"id", "plan", "sources", "version", "created_at", "updated_at"}
    model_fields = {f.name for f in BasicInfo._meta.concrete_fields} - not_rows
    fields = [row.field for row in F1_ROWS]
    assert len(fields) == len(set(fields))
    assert set(fields) == model_fields
    groups = [g.key for g in F1_GROUPS]
    assert {row.group for row in F1_ROWS} == set(groups)
    # Rows run group after group, as on the paper form.
    order = [groups.index(row.group) for row in F1_ROWS]
    assert order == sorted(order)


# --- saving -----------------------------------------------------------------------------------


def test_save_and_read_back(planner: Any, plan: VillagePlan) -> None:
    nfd_name = unicodedata.normalize("NFD", "Vân Kiều")
    info = save(
        planner,
        plan,
        VALID,
        sources={
            "total_households": {"source": "Sổ hộ khẩu thôn", "date": "05/03/2026"},
            "ethnic_groups": {"source": "Trưởng thôn", "date": ""},
            "buffalo": {"source": "", "date": ""},
        },
        ethnic_groups=[
            {"name": "Kinh", "households": 60, "persons": 230},
            {"name": nfd_name, "households": 60, "persons": 250},
            {"name": "", "households": None, "persons": None},
        ],
        expected_version=0,
    )

    stored = BasicInfo.objects.get(plan=plan)
    assert stored.pk == info.pk and stored.version == 1
    for field, value in VALID.items():
        assert getattr(stored, field) == value, field
    assert stored.land_upland_ha is None and stored.is_border is False
    assert stored.sources == {
        "total_households": {"source": "Sổ hộ khẩu thôn", "date": "2026-03-05"},
        "ethnic_groups": {"source": "Trưởng thôn", "date": ""},
    }
    groups = list(stored.ethnic_groups.values_list("name", "households", "persons"))
    assert sorted(groups) == [("Kinh", 60, 230), ("Vân Kiều", 60, 250)]
    assert unicodedata.is_normalized("NFC", groups[0][0] + groups[1][0])

    entry = AuditEntry.objects.get(plan_uid=plan.uid, subject_label="plans.basicinfo")
    assert entry.operation == "create"
    assert entry.after["total_households"] == 120
    assert entry.after["land_wet_rice_ha"] == "35.5"
    assert sorted(g["name"] for g in entry.after["ethnic_groups"]) == ["Kinh", "Vân Kiều"]

    save(
        planner,
        plan,
        {**VALID, "poor_households": 24},
        ethnic_groups=[{"name": "Kinh", "households": 120, "persons": 480}],
        expected_version=1,
    )
    stored.refresh_from_db()
    assert stored.version == 2 and stored.poor_households == 24
    assert stored.sources == {}
    assert list(stored.ethnic_groups.values_list("name", flat=True)) == ["Kinh"]
    update = AuditEntry.objects.filter(plan_uid=plan.uid, operation="update").get()
    assert update.before["poor_households"] == 30 and update.after["poor_households"] == 24
    assert len(update.before["ethnic_groups"]) == 2 and len(update.after["ethnic_groups"]) == 1


def test_numbers_may_arrive_as_vietnamese_text(planner: Any, plan: VillagePlan) -> None:
    info = save(planner, plan, {"total_households": "1.234", "land_garden_ha": "12,5"})
    assert info.total_households == 1234
    assert info.land_garden_ha == Decimal("12.5")


def test_get_or_empty_gives_an_unsaved_record(plan: VillagePlan) -> None:
    info = basic_info_get_or_empty(plan)
    assert info.pk is None and info.plan == plan
    assert BasicInfo.objects.count() == 0


# --- percentages ------------------------------------------------------------------------------


def test_percentages_are_computed_with_one_decimal(plan: VillagePlan) -> None:
    info = BasicInfo(plan=plan, **VALID)
    shares = basic_info_percentages(info)
    assert shares["poor_pct"] == Decimal("25.0")
    assert shares["female_pct"] == Decimal("52.1")  # 250 / 480
    assert shares["em_pct"] == Decimal("50.0")
    assert shares["near_poor_pct"] == Decimal("15.0")
    assert shares["female_headed_pct"] == Decimal("10.0")
    assert shares["electricity_pct"] == Decimal("98.3")  # 118 / 120
    assert shares["clean_water_pct"] == Decimal("75.0")
    assert shares["latrine_pct"] == Decimal("70.0")
    assert shares["labour_female_pct"] == Decimal("50.0")
    assert str(shares["poor_pct"]) == "25.0"


def test_percentages_are_empty_without_a_whole(plan: VillagePlan) -> None:
    shares = basic_info_percentages(BasicInfo(plan=plan, poor_households=3, total_households=0))
    assert shares["poor_pct"] is None
    assert basic_info_percentages(BasicInfo(plan=plan))["em_pct"] is None


# --- rules ------------------------------------------------------------------------------------


def _hh(total: str) -> str:
    return gettext("it cannot be more than the total households (%(total)s).") % {"total": total}


RULES = [
    pytest.param(
        {"population": 100, "population_female": 101},
        "population_female",
        lambda: named(
            "Female population",
            gettext("it cannot be more than the population (%(total)s).") % {"total": "100"},
        ),
        id="female-population",
    ),
    *[
        pytest.param(
            {"total_households": 1200, field: 1201},
            field,
            lambda label=label: named(label, _hh("1.200")),
            id=field,
        )
        for field, label in [
            ("em_households", "Ethnic-minority households"),
            ("poor_households", "Poor households (multidimensional)"),
            ("near_poor_households", "Near-poor households"),
            ("female_headed_households", "Female-headed households"),
            ("electricity_households", "Households with grid electricity"),
            ("clean_water_households", "Households using hygienic water"),
            ("latrine_households", "Households with a hygienic latrine"),
        ]
    ],
    pytest.param(
        {"total_households": 120, "poor_households": 70, "near_poor_households": 60},
        "near_poor_households",
        lambda: named(
            "Near-poor households",
            gettext(
                "poor and near-poor households together (%(sum)s) cannot be more than the "
                "total households (%(total)s)."
            )
            % {"sum": "130", "total": "120"},
        ),
        id="poor-and-near-poor",
    ),
    pytest.param(
        {"population": 500, "labour_force": 50, "labour_female": 51},
        "labour_female",
        lambda: named(
            "Female labour",
            gettext("it cannot be more than the labour force (%(total)s).") % {"total": "50"},
        ),
        id="female-labour",
    ),
    pytest.param(
        {"population": 100, "labour_force": 101},
        "labour_force",
        lambda: named(
            "Labour force",
            gettext("it cannot be more than the population (%(total)s).") % {"total": "100"},
        ),
        id="labour-force",
    ),
    pytest.param(
        {"food_shortage_months": 13},
        "food_shortage_months",
        lambda: named(
            "Months of food shortage", gettext("a year has 12 months; enter at most 12.")
        ),
        id="food-months",
    ),
    pytest.param(
        {"total_households": -1},
        "total_households",
        lambda: named("Total households", gettext("the number cannot be negative.")),
        id="negative-count",
    ),
    pytest.param(
        {"land_upland_ha": Decimal("-2.5")},
        "land_upland_ha",
        lambda: named("Upland fields", gettext("the number cannot be negative.")),
        id="negative-area",
    ),
    pytest.param(
        {"buffalo": Decimal("2.5")},
        "buffalo",
        lambda: named("Buffalo", gettext("enter a whole number.")),
        id="whole-number",
    ),
    pytest.param(
        {"land_garden_ha": Decimal("1.255")},
        "land_garden_ha",
        lambda: named(
            "Home gardens",
            gettext("use at most %(places)s decimal places, e.g. %(example)s.")
            % {"places": 2, "example": "12,50"},
        ),
        id="decimal-places",
    ),
]


@pytest.mark.parametrize(("data", "field", "message"), RULES)
def test_each_rule_names_its_field_and_nothing_is_saved(
    planner: Any, plan: VillagePlan, data: dict[str, Any], field: str, message: Any
) -> None:
    before = save(planner, plan, VALID, ethnic_groups=[{"name": "Kinh", "households": 5}])

    with pytest.raises(ApplicationErrors) as caught:
        save(planner, plan, {**VALID, **data}, expected_version=1)

    assert messages_of(caught.value).get(field) == [message()]
    stored = BasicInfo.objects.get(pk=before.pk)
    assert stored.version == 1
    assert [getattr(stored, f) for f in VALID] == list(VALID.values())
    assert stored.ethnic_groups.count() == 1
    assert AuditEntry.objects.filter(plan_uid=plan.uid).count() == 1


def test_ethnic_group_names_are_unique_whatever_the_case_and_form(
    planner: Any, plan: VillagePlan
) -> None:
    nfd = unicodedata.normalize("NFD", "VÂN KIỀU")
    with pytest.raises(ApplicationErrors) as caught:
        save(
            planner,
            plan,
            {"total_households": 100},
            ethnic_groups=[
                {"name": "Vân Kiều", "households": 10},
                {"name": "", "households": None, "persons": None},
                {"name": nfd, "households": 5},
            ],
        )

    expected = gettext("Ethnic groups, row %(row)s, %(column)s: %(problem)s") % {
        "row": 3,
        "column": gettext("ethnic group"),
        "problem": gettext("“%(name)s” is already in row %(row)s; enter each group once.")
        % {"name": unicodedata.normalize("NFC", nfd), "row": 1},
    }
    assert messages_of(caught.value) == {"ethnic_groups": [expected]}
    assert caught.value.where.row == 3 and caught.value.where.column == "name"
    assert BasicInfo.objects.count() == 0 and EthnicGroup.objects.count() == 0


def test_ethnic_group_households_add_up_to_at_most_the_total(
    planner: Any, plan: VillagePlan
) -> None:
    with pytest.raises(ApplicationErrors) as caught:
        save(
            planner,
            plan,
            {"total_households": 100},
            ethnic_groups=[
                {"name": "Kinh", "households": 60},
                {"name": "Pa Kô", "households": 50},
            ],
        )

    expected = named(
        "Ethnic groups",
        gettext("their households add up to %(sum)s, more than the total households (%(total)s).")
        % {"sum": "110", "total": "100"},
    )
    assert messages_of(caught.value) == {"ethnic_groups": [expected]}
    assert BasicInfo.objects.count() == 0


def test_an_ethnic_group_row_with_numbers_needs_a_name(planner: Any, plan: VillagePlan) -> None:
    with pytest.raises(ApplicationErrors) as caught:
        save(planner, plan, {}, ethnic_groups=[{"name": "  ", "households": 4, "persons": 9}])

    expected = gettext("Ethnic groups, row %(row)s, %(column)s: %(problem)s") % {
        "row": 1,
        "column": gettext("ethnic group"),
        "problem": gettext("enter the name of the group."),
    }
    assert messages_of(caught.value) == {"ethnic_groups": [expected]}


def test_a_bad_source_date_names_the_field(planner: Any, plan: VillagePlan) -> None:
    with pytest.raises(ParseError) as parse_error:
        parse_date_vi("31/02/2026")

    with pytest.raises(ApplicationErrors) as caught:
        save(
            planner,
            plan,
            VALID,
            sources={"population": {"source": "Thống kê xã", "date": "31/02/2026"}},
        )

    expected = gettext("%(field)s, date of the data: %(problem)s") % {
        "field": gettext("Population"),
        "problem": parse_error.value.message,
    }
    assert messages_of(caught.value) == {"population": [expected]}
    assert caught.value.where.column == "date"
    assert BasicInfo.objects.count() == 0


def test_sources_only_for_rows_of_the_form(planner: Any, plan: VillagePlan) -> None:
    with pytest.raises(ApplicationErrors) as caught:
        save(planner, plan, VALID, sources={"version": {"source": "x", "date": ""}})

    assert messages_of(caught.value) == {
        "version": [
            gettext("“%(field)s” is not a row of the village basic information.")
            % {"field": "version"}
        ]
    }


def test_a_stale_form_is_a_conflict_and_nothing_is_overwritten(
    planner: Any, plan: VillagePlan
) -> None:
    save(planner, plan, VALID, expected_version=0)
    other = commune_planner(plan.round.commune)
    save(other, plan, {**VALID, "buffalo": 41}, expected_version=1)

    with pytest.raises(ApplicationError) as caught:
        save(planner, plan, {**VALID, "buffalo": 99}, expected_version=1)

    assert caught.value.code == "conflict"
    assert caught.value.message == gettext(
        "Someone else saved %(what)s after you opened it. Your changes were not saved; "
        "reload the page to see the saved values, then make your changes again."
    ) % {"what": gettext("the basic information")}
    stored = BasicInfo.objects.get(plan=plan)
    assert stored.buffalo == 41 and stored.version == 2


def test_a_form_opened_before_anyone_saved_is_stale_once_someone_has(
    planner: Any, plan: VillagePlan
) -> None:
    save(planner, plan, VALID, expected_version=0)

    with pytest.raises(ApplicationError) as caught:
        save(planner, plan, {"buffalo": 1}, expected_version=0)

    assert caught.value.code == "conflict"
    assert BasicInfo.objects.get(plan=plan).buffalo == 40


def test_a_submitted_plan_is_locked(planner: Any, plan: VillagePlan) -> None:
    plan.status = "submitted"
    plan.save()

    with pytest.raises(ApplicationError) as caught:
        save(planner, plan, VALID)

    assert caught.value.code == "plan_locked"
    assert BasicInfo.objects.count() == 0


def test_a_user_without_a_role_on_the_village_is_told_not_found(plan: VillagePlan) -> None:
    outsider = commune_planner(CommuneFactory.create())

    with pytest.raises(NotFoundError):
        save(outsider, plan, VALID)
    with pytest.raises(NotFoundError):
        basic_info_copy_previous(actor=outsider, plan=plan)
    assert BasicInfo.objects.count() == 0


def test_an_approver_may_read_but_not_save(commune: AdministrativeUnit, plan: VillagePlan) -> None:
    approver = user_with_role(Role.COMMUNE_APPROVER, commune)

    with pytest.raises(NotFoundError):
        save(approver, plan, VALID)


# --- last year's values -----------------------------------------------------------------------


@pytest.fixture
def last_year(planner: Any, village: AdministrativeUnit) -> BasicInfo:
    old_plan = make_plan(village, 2026)
    return save(
        planner,
        old_plan,
        VALID,
        sources={"population": {"source": "Điều tra 2025", "date": "31/12/2025"}},
        ethnic_groups=[
            {"name": "Kinh", "households": 70, "persons": 280},
            {"name": "Vân Kiều", "households": 50, "persons": 200},
        ],
    )


def test_previous_is_the_same_village_in_the_latest_earlier_round(
    planner: Any, village: AdministrativeUnit, last_year: BasicInfo
) -> None:
    older = make_plan(village, 2024)
    save(planner, older, {"total_households": 100})
    neighbour = make_plan(VillageFactory.create(parent=village.parent), 2026)
    save(planner, neighbour, {"total_households": 77})
    plan = make_plan(village, 2027)

    assert basic_info_previous(plan) == last_year
    assert basic_info_previous(last_year.plan) == older.basic_info
    assert basic_info_previous(older) is None


def test_copy_previous_copies_values_sources_and_ethnic_groups(
    planner: Any, plan: VillagePlan, last_year: BasicInfo
) -> None:
    info = basic_info_copy_previous(actor=planner, plan=plan)

    assert info.plan == plan and info.pk != last_year.pk and info.version == 1
    for field in VALID:
        assert getattr(info, field) == getattr(last_year, field), field
    assert info.sources == {"population": {"source": "Điều tra 2025", "date": "2025-12-31"}}
    assert sorted(info.ethnic_groups.values_list("name", "households", "persons")) == [
        ("Kinh", 70, 280),
        ("Vân Kiều", 50, 200),
    ]
    assert last_year.ethnic_groups.count() == 2  # last year's plan keeps its own rows
    entry = AuditEntry.objects.get(plan_uid=plan.uid)
    assert entry.operation == "create" and len(entry.after["ethnic_groups"]) == 2


def test_copy_previous_fills_an_empty_record(
    planner: Any, plan: VillagePlan, last_year: BasicInfo
) -> None:
    save(planner, plan, {})  # saved, but nothing entered

    info = basic_info_copy_previous(actor=planner, plan=plan)

    assert info.version == 2 and info.total_households == 120


def test_copy_previous_refuses_when_values_were_entered(
    planner: Any, plan: VillagePlan, last_year: BasicInfo
) -> None:
    save(planner, plan, {"buffalo": 3})

    with pytest.raises(ApplicationError) as caught:
        basic_info_copy_previous(actor=planner, plan=plan)

    assert caught.value.code == "info_not_empty"
    assert caught.value.message == gettext(
        "The basic information of this plan has already been entered; last year's "
        "values are only copied into an empty form. Correct the values instead."
    )
    assert BasicInfo.objects.get(plan=plan).buffalo == 3


def test_copy_previous_refuses_when_there_is_nothing_to_copy(
    planner: Any, plan: VillagePlan
) -> None:
    with pytest.raises(ApplicationError) as caught:
        basic_info_copy_previous(actor=planner, plan=plan)

    assert caught.value.code == "no_previous_info"
    assert caught.value.message == gettext(
        "There is no basic information of %(village)s from an earlier year to copy."
    ) % {"village": "Thôn Diên Sanh"}
    assert BasicInfo.objects.count() == 0


# --- the page ---------------------------------------------------------------------------------


def url(plan: VillagePlan) -> str:
    return reverse("plans:info", kwargs={"uid": plan.uid})


def post_data(version: int = 0, /, **values: str) -> dict[str, str]:
    data = {
        "version": str(version),
        "ethnic-TOTAL_FORMS": "3",
        "ethnic-INITIAL_FORMS": "0",
        "ethnic-MIN_NUM_FORMS": "0",
        "ethnic-MAX_NUM_FORMS": "60",
    }
    data.update(values)
    return data


def test_page_shows_vietnamese_numbers_and_computed_percentages(
    planner: Any, planner_client: Client, plan: VillagePlan
) -> None:
    save(
        planner,
        plan,
        {**VALID, "total_households": 1200, "poor_households": 300, "population": 4800},
        sources={"total_households": {"source": "Sổ hộ khẩu", "date": "05/03/2026"}},
    )

    response = planner_client.get(url(plan))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="1.200"' in html  # the input, written the Vietnamese way
    assert 'value="4.800"' in html
    assert 'value="35,5"' in html
    assert '<td class="num">25,0</td>' in html  # 300 / 1.200, computed
    assert 'value="05/03/2026"' in html
    assert 'name="version" value="1"' in html
    assert str(gettext("Population and households")) in html
    assert 'name="ethnic-TOTAL_FORMS" value="3"' in html  # no group yet: three blank rows


def test_read_only_page_of_a_submitted_plan(
    planner: Any, planner_client: Client, plan: VillagePlan
) -> None:
    save(
        planner,
        plan,
        {**VALID, "total_households": 1200, "poor_households": 300, "population": 4800},
        ethnic_groups=[{"name": "Kinh", "households": 1100, "persons": 4200}],
    )
    plan.status = "submitted"
    plan.save()

    response = planner_client.get(url(plan))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<td class="num">1.200</td>' in html
    assert '<td class="num">25,0</td>' in html
    assert '<td class="num">4.200</td>' in html
    assert "<input" not in html.split('id="info-table"')[1]
    assert gettext("Save the basic information") not in html


def test_post_valid_saves_and_redirects(planner_client: Client, plan: VillagePlan) -> None:
    data = post_data(
        total_households="1.234",
        poor_households="300",
        land_wet_rice_ha="12,5",
        income_per_capita_mvnd="32,75",
        road_all_season="true",
        is_border="on",
        total_households_source="Sổ hộ khẩu",
        total_households_date="05/03/2026",
        **{"ethnic-0-name": "Kinh", "ethnic-0-households": "1.000", "ethnic-0-persons": "4.000"},
    )

    response = planner_client.post(url(plan), data)

    assert response.status_code == 302 and response["Location"] == url(plan)
    info = BasicInfo.objects.get(plan=plan)
    assert info.total_households == 1234
    assert info.poor_households == 300
    assert info.land_wet_rice_ha == Decimal("12.5")
    assert info.income_per_capita_mvnd == Decimal("32.75")
    assert info.road_all_season is True and info.is_border is True
    assert info.has_cultural_house is None
    assert info.sources == {"total_households": {"source": "Sổ hộ khẩu", "date": "2026-03-05"}}
    assert list(info.ethnic_groups.values_list("name", "households", "persons")) == [
        ("Kinh", 1000, 4000)
    ]

    page = planner_client.get(url(plan)).content.decode()
    assert 'value="1.234"' in page and 'value="12,5"' in page
    assert '<td class="num">24,3</td>' in page  # 300 / 1.234
    assert 'name="ethnic-TOTAL_FORMS" value="4"' in page  # one saved row + three blank


def test_post_invalid_is_400_with_the_message_next_to_the_field(
    planner_client: Client, plan: VillagePlan
) -> None:
    response = planner_client.post(
        url(plan), post_data(total_households="120", poor_households="130")
    )

    assert response.status_code == 400
    html = response.content.decode()
    message = named("Poor households (multidimensional)", _hh("120"))
    row = html.split('id="row-poor_households"')[1].split("</tr>")[0]
    assert message in row
    assert 'value="130"' in row  # what the user typed stays
    assert BasicInfo.objects.count() == 0


def test_post_unreadable_number_is_400(planner_client: Client, plan: VillagePlan) -> None:
    response = planner_client.post(url(plan), post_data(total_households="1,2,3"))

    assert response.status_code == 400
    assert "1,2,3" in response.content.decode()
    assert BasicInfo.objects.count() == 0


def test_post_ethnic_row_error_is_shown_on_its_row(
    planner_client: Client, plan: VillagePlan
) -> None:
    data = post_data(
        total_households="100",
        **{
            "ethnic-0-name": "Kinh",
            "ethnic-0-households": "10",
            "ethnic-1-name": "kinh",
            "ethnic-1-households": "5",
        },
    )

    response = planner_client.post(url(plan), data)

    assert response.status_code == 400
    html = response.content.decode()
    table = html.split('id="ethnic-table"')[1]
    expected = gettext("Ethnic groups, row %(row)s, %(column)s: %(problem)s") % {
        "row": 2,
        "column": gettext("ethnic group"),
        "problem": gettext("“%(name)s” is already in row %(row)s; enter each group once.")
        % {"name": "kinh", "row": 1},
    }
    assert expected in table
    assert BasicInfo.objects.count() == 0


def test_post_stale_form_shows_the_conflict_and_the_saved_values(
    planner: Any, planner_client: Client, plan: VillagePlan
) -> None:
    save(planner, plan, {**VALID, "buffalo": 41}, expected_version=0)

    response = planner_client.post(url(plan), post_data(0, buffalo="99"))

    assert response.status_code == 409
    html = response.content.decode()
    assert (
        gettext(
            "Someone else saved %(what)s after you opened it. Your changes were not saved; "
            "reload the page to see the saved values, then make your changes again."
        )
        % {"what": gettext("the basic information")}
    ) in html
    row = html.split('id="row-buffalo"')[1].split("</tr>")[0]
    assert 'value="41"' in row
    assert 'name="version" value="1"' in html
    assert BasicInfo.objects.get(plan=plan).buffalo == 41


def test_post_to_a_submitted_plan_changes_nothing(
    planner_client: Client, plan: VillagePlan
) -> None:
    plan.status = "submitted"
    plan.save()

    response = planner_client.post(url(plan), post_data(total_households="10"))

    assert response.status_code == 302
    assert BasicInfo.objects.count() == 0


def test_previous_year_box_and_copy(
    planner_client: Client, plan: VillagePlan, last_year: BasicInfo
) -> None:
    html = planner_client.get(url(plan)).content.decode()
    copy_url = reverse("plans:info_copy_previous", kwargs={"uid": plan.uid})
    assert gettext("Last year's values are available") in html
    assert f'action="{copy_url}"' in html

    response = planner_client.post(copy_url)

    assert response.status_code == 302 and response["Location"] == url(plan)
    info = BasicInfo.objects.get(plan=plan)
    assert info.total_households == 120 and info.ethnic_groups.count() == 2
    html = planner_client.get(url(plan)).content.decode()
    assert f'action="{copy_url}"' not in html  # values entered: no more offer


def test_no_previous_year_box_without_last_year(planner_client: Client, plan: VillagePlan) -> None:
    copy_url = reverse("plans:info_copy_previous", kwargs={"uid": plan.uid})
    assert f'action="{copy_url}"' not in planner_client.get(url(plan)).content.decode()
    assert planner_client.get(copy_url).status_code == 405


def test_village_editor_of_another_village_gets_404(
    client: Client, commune: AdministrativeUnit, plan: VillagePlan
) -> None:
    other_village = VillageFactory.create(parent=commune)
    client.force_login(user_with_role(Role.VILLAGE_EDITOR, other_village))

    assert client.get(url(plan)).status_code == 404
    assert client.post(url(plan), post_data(total_households="10")).status_code == 404
    copy_url = reverse("plans:info_copy_previous", kwargs={"uid": plan.uid})
    assert client.post(copy_url).status_code == 404
    assert BasicInfo.objects.count() == 0


def test_village_editor_of_the_village_may_save(
    client: Client, village: AdministrativeUnit, plan: VillagePlan
) -> None:
    client.force_login(user_with_role(Role.VILLAGE_EDITOR, village))

    response = client.post(url(plan), post_data(total_households="10"))

    assert response.status_code == 302
    assert BasicInfo.objects.get(plan=plan).total_households == 10


def test_approver_sees_the_page_read_only_and_cannot_post(
    client: Client, commune: AdministrativeUnit, planner: Any, plan: VillagePlan
) -> None:
    save(planner, plan, VALID)
    client.force_login(user_with_role(Role.COMMUNE_APPROVER, commune))

    page = client.get(url(plan))
    assert page.status_code == 200
    assert '<td class="num">120</td>' in page.content.decode()
    assert client.post(url(plan), post_data(total_households="10")).status_code == 404
    assert BasicInfo.objects.get(plan=plan).total_households == 120


def test_source_dates_may_arrive_as_dates(planner: Any, plan: VillagePlan) -> None:
    info = save(
        planner,
        plan,
        {},
        sources={"buffalo": {"source": "Thú y", "date": datetime.date(2025, 1, 2)}},
    )
    assert info.sources == {"buffalo": {"source": "Thú y", "date": "2025-01-02"}}


def test_the_status_is_read_again_under_the_lock(planner: Any, plan: VillagePlan) -> None:
    VillagePlan.objects.filter(pk=plan.pk).update(status="submitted")  # meanwhile, elsewhere

    with pytest.raises(ApplicationError) as caught:
        save(planner, plan, VALID)  # ``plan`` in memory still says draft

    assert caught.value.code == "plan_locked"
    assert BasicInfo.objects.count() == 0
