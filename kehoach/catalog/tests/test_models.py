from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from kehoach.catalog.choices import ExpenditureType, IndicatorGroup
from kehoach.catalog.models import (
    FundingSource,
    Indicator,
    ProcessProfile,
    Sector,
    UnitOfMeasure,
    criteria_error_messages,
    validate_ntm_criteria,
)

from .factories import (
    FundingSourceFactory,
    IndicatorFactory,
    ProcessProfileFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """These tests compare the English msgids; lazy messages are read after the raise."""
    with translation.override("en"):
        yield


def _messages(error: ValidationError, field: str) -> list[str]:
    return [str(m) for m in error.message_dict[field]]


# --- funding sources --------------------------------------------------------------------------


def test_counterpart_over_100_is_rejected_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingSourceFactory.create(counterpart_share_pct=Decimal("100.5"))


def test_negative_counterpart_is_rejected_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingSourceFactory.create(counterpart_share_pct=Decimal("-1"))


def test_valid_from_after_valid_to_is_rejected_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingSourceFactory.create(valid_from_year=2026, valid_to_year=2025)


def test_open_ended_and_equal_years_are_accepted() -> None:
    FundingSourceFactory.create(valid_from_year=2026, valid_to_year=None)
    FundingSourceFactory.create(valid_from_year=None, valid_to_year=2020)
    FundingSourceFactory.create(valid_from_year=2025, valid_to_year=2025)


def test_funding_source_full_clean_reports_year_order_and_counterpart() -> None:
    source = FundingSource(
        code="X", name="X", kind="programme", valid_from_year=2026, valid_to_year=2025
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        source.full_clean()
    assert "The first valid year must not be later than the last valid year." in (
        caught.value.messages
    )

    source = FundingSource(code="Y", name="Y", kind="programme", counterpart_share_pct=101)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        source.full_clean()
    assert "counterpart_share_pct" in caught.value.message_dict


def test_component_must_lie_within_its_programme() -> None:
    programme = FundingSourceFactory.create(code="PRG", valid_from_year=2026, valid_to_year=2035)
    component = FundingSource(
        code="PRG-A", name="A", kind="programme", parent=programme, valid_from_year=2026
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        component.full_clean()
    assert _messages(caught.value, "valid_to_year") == [
        "A component must lie within the years of its programme (2026–2035)."
    ]

    component.valid_to_year = 2030
    component.full_clean()


def test_component_of_a_component_is_refused() -> None:
    programme = FundingSourceFactory.create(code="PRG")
    component = FundingSourceFactory.create(code="PRG-A", parent=programme)
    nested = FundingSource(code="PRG-A-1", name="A1", kind="programme", parent=component)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        nested.full_clean()
    assert _messages(caught.value, "parent") == [
        "“PRG-A” is itself a component; choose the programme it belongs to."
    ]


def test_funding_source_active_for_year_instance_method() -> None:
    source = FundingSourceFactory.create(valid_from_year=2021, valid_to_year=2025)
    assert source.is_active_for_year(2021)
    assert source.is_active_for_year(2025)
    assert not source.is_active_for_year(2026)
    source.is_active = False
    assert not source.is_active_for_year(2023)


def test_code_validators_give_a_vietnamese_first_message() -> None:
    source = FundingSource(code="NTM mới", name="X", kind="programme")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        source.full_clean()
    assert _messages(caught.value, "code") == [
        "Use only letters without diacritics, digits and single hyphens between them, "
        "for example HT-GT."
    ]
    unit = UnitOfMeasure(code="Cong trinh", name="công trình")
    with pytest.raises(ValidationError) as caught:
        unit.full_clean()
    assert "code" in caught.value.message_dict


# --- sectors ----------------------------------------------------------------------------------


def test_sector_codes_are_unique() -> None:
    SectorFactory.create(code="HT-GT")
    with pytest.raises(IntegrityError), transaction.atomic():
        Sector.objects.create(code="HT-GT", name="Trùng mã")


@pytest.mark.parametrize("value", ["", "2", "2,3", "1, 19"])
def test_ntm_criteria_accepts_numbers_1_to_19(value: str) -> None:
    validate_ntm_criteria(value)


@pytest.mark.parametrize("value", ["0", "20", "2;3", "a", "2,,3"])
def test_ntm_criteria_rejects_other_values(value: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_ntm_criteria(value)
    assert caught.value.messages == [
        "Enter new-rural criteria numbers from 1 to 19 separated by commas, for example 2,3."
    ]


def test_display_name_follows_the_language() -> None:
    sector = Sector(code="HT-GT", name="Hạ tầng: giao thông", name_en="Infrastructure: transport")
    assert sector.display_name("vi") == "Hạ tầng: giao thông"
    assert sector.display_name("en") == "Infrastructure: transport"
    assert sector.display_name("en-gb") == "Infrastructure: transport"
    with translation.override("en"):
        assert sector.display_name() == "Infrastructure: transport"
        assert str(sector) == "HT-GT – Infrastructure: transport"
    with translation.override("vi"):
        assert sector.display_name() == "Hạ tầng: giao thông"
    sector.name_en = ""
    assert sector.display_name("en") == "Hạ tầng: giao thông"


def test_a_new_sector_is_investment_by_default() -> None:
    sector = Sector(code="HT-X", name="Hạ tầng khác")
    sector.full_clean()
    assert sector.default_expenditure == ExpenditureType.INVESTMENT

    sector.default_expenditure = "capital"
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        sector.full_clean()
    assert _messages(caught.value, "default_expenditure") == [
        "Value 'capital' is not a valid choice."
    ]


# --- indicators -------------------------------------------------------------------------------


def test_indicator_codes_are_unique() -> None:
    IndicatorFactory.create(code="HO-NGHEO")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(code="HO-NGHEO", name="Trùng mã", unit="%", group="general")


def test_indicator_code_uses_the_code_pattern() -> None:
    indicator = Indicator(code="hộ nghèo", name="Tỷ lệ hộ nghèo", unit="%", group="general")
    with pytest.raises(ValidationError) as caught:
        indicator.full_clean()
    assert _messages(caught.value, "code") == [
        "Use only letters without diacritics, digits and single hyphens between them, "
        "for example HT-GT."
    ]


def test_indicator_needs_a_unit_and_a_known_group() -> None:
    indicator = Indicator(code="X", name="X", unit="", group="economics")
    with pytest.raises(ValidationError) as caught:
        indicator.full_clean()
    assert _messages(caught.value, "unit") == ["This field cannot be blank."]
    assert _messages(caught.value, "group") == ["Value 'economics' is not a valid choice."]


def test_indicator_decimals_above_3_are_rejected_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory.create(decimals=4)
    IndicatorFactory.create(decimals=3)
    IndicatorFactory.create(decimals=0)


def test_indicator_decimals_message() -> None:
    indicator = Indicator(code="X", name="X", unit="%", group="general", decimals=4)
    with pytest.raises(ValidationError) as caught:
        indicator.full_clean()
    assert _messages(caught.value, "decimals") == ["Ensure this value is less than or equal to 3."]
    # The database constraint says the same when the field validators are bypassed.
    with pytest.raises(ValidationError) as caught:
        indicator.validate_constraints()
    assert caught.value.messages == ["Values may be shown with at most 3 decimals."]


def test_indicators_are_ordered_by_group_then_sort_order_then_code() -> None:
    # Created out of order, with sort orders that would mix the groups if groups were ignored.
    IndicatorFactory.create(code="AN-1", group=IndicatorGroup.SECURITY, sort_order=1)
    IndicatorFactory.create(code="KT-2", group=IndicatorGroup.ECONOMY, sort_order=20)
    IndicatorFactory.create(code="KT-1B", group=IndicatorGroup.ECONOMY, sort_order=10)
    IndicatorFactory.create(code="KT-1A", group=IndicatorGroup.ECONOMY, sort_order=10)
    IndicatorFactory.create(code="CHUNG", group=IndicatorGroup.GENERAL, sort_order=99)
    IndicatorFactory.create(code="MT-1", group=IndicatorGroup.ENVIRONMENT, sort_order=5)

    assert list(Indicator.objects.values_list("code", flat=True)) == [
        "CHUNG", "KT-1A", "KT-1B", "KT-2", "MT-1", "AN-1",
    ]  # fmt: skip


def test_indicator_display_name_follows_the_language() -> None:
    indicator = Indicator(code="BHYT", name="Tỷ lệ tham gia BHYT", name_en="Health insurance")
    assert indicator.display_name("vi") == "Tỷ lệ tham gia BHYT"
    assert indicator.display_name("en") == "Health insurance"
    with translation.override("en"):
        assert str(indicator) == "BHYT – Health insurance"
    indicator.name_en = ""
    assert indicator.display_name("en") == "Tỷ lệ tham gia BHYT"


# --- process profiles -------------------------------------------------------------------------


def test_only_one_default_profile() -> None:
    ProcessProfileFactory.create(is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessProfileFactory.create(is_default=True)
    ProcessProfileFactory.create(is_default=False)
    assert ProcessProfile.objects.filter(is_default=True).count() == 1


def test_second_default_is_reported_by_full_clean() -> None:
    ProcessProfileFactory.create(is_default=True)
    second = ProcessProfile(code="KHAC", name="Khác", is_default=True)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        second.full_clean()
    assert "Another process profile is already the default." in caught.value.messages


def test_default_profile_cannot_belong_to_a_province() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessProfileFactory.create(is_default=True, province_code="44")


def test_one_active_profile_per_province() -> None:
    ProcessProfileFactory.create(province_code="44")
    ProcessProfileFactory.create(province_code="44", is_active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessProfileFactory.create(province_code="44")


@pytest.mark.parametrize(
    "fields",
    [
        {"min_priority_activities_per_sector": 4, "max_priority_activities_per_sector": 3},
        {"min_priority": 0},
        {"min_priority": 3, "max_priority": 2},
        {"quorum_households_pct": Decimal("100.01")},
        {"quorum_agreement_pct": Decimal("-0.5")},
        {"money_decimals": 4},
    ],
)
def test_profile_parameter_ranges_are_enforced_by_the_database(fields: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessProfileFactory.create(**fields)


def test_profile_range_message() -> None:
    profile = ProcessProfile(
        code="X",
        name="X",
        min_priority_activities_per_sector=4,
        max_priority_activities_per_sector=3,
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        profile.full_clean()
    assert (
        "The minimum number of priority activities per sector must not exceed the maximum."
        in caught.value.messages
    )


def test_default_criteria_are_valid_and_independent_copies() -> None:
    first = ProcessProfile(code="A", name="A")
    second = ProcessProfile(code="B", name="B")
    first.full_clean()
    first.scoring_criteria[0]["weight"] = 5
    assert second.scoring_criteria[0]["weight"] == 1
    assert {c["code"] for c in first.ranking_criteria} >= {"affected_people", "urgency"}


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({"code": "a"}, "Enter a list of criteria, each with a code, a name and a weight."),
        ([], "Add at least one criterion."),
        (["x"], "Criterion 1 must be an object with a code, a name and a weight."),
        ([{"name": "Ưu tiên", "weight": 1}], "Criterion 1 has no code."),
        (
            [{"code": "Ưu tiên", "name": "Ưu tiên", "weight": 1}],
            "Criterion 1: the code “Ưu tiên” may contain only lower-case letters without "
            "diacritics, digits, “_” and “-”.",
        ),
        (
            [
                {"code": "a", "name": "A", "weight": 1},
                {"code": "a", "name": "B", "weight": 1},
            ],
            "Criterion 2: the code “a” is used more than once.",
        ),
        ([{"code": "a", "name": " ", "weight": 1}], "Criterion 1 has no Vietnamese name."),
        (
            [{"code": "a", "name": "A", "name_en": 3, "weight": 1}],
            "Criterion 1: the English name must be text.",
        ),
        (
            [{"code": "a", "name": "A", "weight": "2"}],
            "Criterion 1: the weight must be a number from 0 to 100.",
        ),
        (
            [{"code": "a", "name": "A", "weight": True}],
            "Criterion 1: the weight must be a number from 0 to 100.",
        ),
        (
            [{"code": "a", "name": "A", "weight": 101}],
            "Criterion 1: the weight must be a number from 0 to 100.",
        ),
        (
            [{"code": "a", "name": "A", "weight": 0}],
            "At least one criterion must have a weight greater than 0.",
        ),
    ],
)
def test_profile_clean_explains_bad_criteria(criteria: Any, message: str) -> None:
    profile = ProcessProfile(code="X", name="X", scoring_criteria=criteria)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        profile.clean()
    assert _messages(caught.value, "scoring_criteria") == [message]
    assert "ranking_criteria" not in caught.value.message_dict


def test_profile_clean_accepts_a_custom_list_and_reports_each_problem() -> None:
    profile = ProcessProfile(
        code="X",
        name="X",
        ranking_criteria=[{"code": "a", "name": "A", "name_en": "", "weight": 0.5}],
        scoring_criteria=[{"code": "b", "name": "B", "weight": 2}],
    )
    profile.clean()

    with translation.override("en"):
        assert criteria_error_messages([{"weight": -1}]) == [
            "Criterion 1 has no code.",
            "Criterion 1 has no Vietnamese name.",
            "Criterion 1: the weight must be a number from 0 to 100.",
        ]


def test_profile_extra_must_be_an_object() -> None:
    profile = ProcessProfile(code="X", name="X", extra=[1, 2])
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        profile.clean()
    assert _messages(caught.value, "extra") == [
        'Enter an object of named parameters, for example {"name": value}.'
    ]


@pytest.mark.parametrize("model", [FundingSource, ProcessProfile, Indicator])
def test_every_constraint_message_can_be_shown(
    model: type[FundingSource | ProcessProfile | Indicator],
) -> None:
    # Django formats these messages with "%"; a stray "%" would crash the admin form.
    with translation.override("en"):
        for constraint in model._meta.constraints:
            assert constraint.get_violation_error_message()


def test_priority_levels() -> None:
    assert list(ProcessProfile(min_priority=1, max_priority=3).priority_levels) == [1, 2, 3]
