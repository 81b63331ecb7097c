from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from kehoach.catalog import defaults
from kehoach.catalog.choices import ExpenditureType, IndicatorGroup
from kehoach.catalog.models import (
    FundingSource,
    Indicator,
    ProcessProfile,
    Sector,
    UnitOfMeasure,
)
from kehoach.catalog.services import catalog_load_defaults, catalog_normalise
from kehoach.core.text import collation_key, fold

from .factories import ProcessProfileFactory

pytestmark = pytest.mark.django_db


def test_load_creates_every_seeded_object() -> None:
    counts = catalog_load_defaults()

    assert counts["sector_created"] == 17
    assert Sector.objects.count() == 17
    assert counts["funding_source_created"] == FundingSource.objects.count() >= 13
    assert counts["unit_of_measure_created"] == UnitOfMeasure.objects.count() >= 20
    assert counts["process_profile_created"] == 1
    assert counts["indicator_created"] == Indicator.objects.count() == len(defaults.INDICATORS)
    assert Indicator.objects.count() >= 20
    assert all(value == 0 for key, value in counts.items() if not key.endswith("_created"))


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("HT-GT", "Hạ tầng: giao thông"),
        ("NN", "Nông nghiệp (trồng trọt, chăn nuôi, thủy sản, khuyến nông)"),
        ("CN", "Công nghiệp – tiểu thủ công nghiệp"),
        ("HT-D", "Điện"),
        ("AN", "Quốc phòng – an ninh"),
    ],
)
def test_sectors_have_exact_vietnamese_names(code: str, name: str) -> None:
    catalog_load_defaults()

    sector = Sector.objects.get(code=code)
    assert sector.name == name
    assert unicodedata.is_normalized("NFC", sector.name)
    assert sector.sort_key == collation_key(name)


def test_all_seventeen_sector_codes() -> None:
    catalog_load_defaults()

    assert set(Sector.objects.values_list("code", flat=True)) == {
        "NN", "LN", "CN", "DV", "HT-GT", "HT-TL", "HT-D", "HT-N", "HT-VH", "HT-TT",
        "GD", "YT", "VH", "XH", "MT", "QL", "AN",
    }  # fmt: skip
    assert Sector.objects.get(code="HT-GT").name_en == "Infrastructure: transport"
    assert Sector.objects.get(code="HT-GT").ntm_criteria_list() == [2]


def test_funding_sources_kinds_years_and_components() -> None:
    catalog_load_defaults()

    codes = set(FundingSource.objects.values_list("code", flat=True))
    assert {
        "NS-X", "NS-T", "NTM", "GNBV", "DTTS", "P135", "P30a", "NTP26",
        "LG", "TD", "ODA", "DN", "CD",
    } <= codes  # fmt: skip
    ntm = FundingSource.objects.get(code="NTM")
    assert (ntm.name, ntm.kind) == ("CTMTQG xây dựng NTM", "national_target_programme")
    assert (ntm.valid_from_year, ntm.valid_to_year) == (2021, 2025)
    assert FundingSource.objects.get(code="P135").valid_to_year == 2020
    budget = FundingSource.objects.get(code="NS-X")
    assert (budget.valid_from_year, budget.valid_to_year) == (None, None)
    ntp26 = FundingSource.objects.get(code="NTP26")
    assert (ntp26.valid_from_year, ntp26.valid_to_year) == (2026, 2035)
    assert {c.code: c.name for c in ntp26.components.all()} == {
        "NTP26-NTM": "Hợp phần xây dựng nông thôn mới",
        "NTP26-GN": "Hợp phần giảm nghèo bền vững",
        "NTP26-DTTS": "Hợp phần phát triển KT-XH vùng đồng bào DTTS và miền núi",
    }
    assert list(FundingSource.objects.filter(is_external=False).values_list("code", flat=True)) == [
        "CD"
    ]


def test_default_profile_is_seeded_with_rule_defaults() -> None:
    catalog_load_defaults()

    profile = ProcessProfile.objects.get(code="MAC-DINH")
    assert profile.name == "Quy trình mặc định (VDP/CDP)"
    assert profile.is_default
    assert (
        profile.min_priority_activities_per_sector,
        profile.max_priority_activities_per_sector,
    ) == (1, 3)
    assert profile.priority_bound_applies_to == "ranked"
    assert not profile.unique_ranks_within_sector
    assert (profile.min_priority, profile.max_priority) == (1, 3)
    assert profile.quorum_households_pct == Decimal("50")
    assert profile.quorum_agreement_pct == Decimal("50")
    assert profile.money_decimals == 1
    assert [c["code"] for c in profile.ranking_criteria] == [
        c["code"] for c in defaults.RANKING_CRITERIA
    ]
    assert len(profile.scoring_criteria) == len(defaults.SCORING_CRITERIA)


def test_second_run_creates_nothing() -> None:
    catalog_load_defaults()

    counts = catalog_load_defaults()

    assert counts["sector_created"] == 0
    assert counts["funding_source_created"] == 0
    assert counts["unit_of_measure_created"] == 0
    assert counts["process_profile_created"] == 0
    assert counts["indicator_created"] == 0
    assert counts["sector_unchanged"] == 17
    assert counts["indicator_unchanged"] == len(defaults.INDICATORS)
    assert Sector.objects.count() == 17
    assert Indicator.objects.count() == len(defaults.INDICATORS)


def test_missing_object_is_recreated_and_nothing_is_deleted() -> None:
    catalog_load_defaults()
    Sector.objects.get(code="AN").delete()
    Sector.objects.create(code="KHAC", name="Lĩnh vực khác")

    counts = catalog_load_defaults()

    assert counts["sector_created"] == 1
    assert Sector.objects.filter(code="AN").exists()
    assert Sector.objects.filter(code="KHAC").exists()


def test_admin_edits_survive_a_rerun_and_update_restores_them() -> None:
    catalog_load_defaults()
    Sector.objects.filter(code="HT-GT").update(name="Giao thông nông thôn", is_active=False)
    UnitOfMeasure.objects.filter(code="km").update(name="Km")

    catalog_load_defaults()

    assert Sector.objects.get(code="HT-GT").name == "Giao thông nông thôn"
    assert UnitOfMeasure.objects.get(code="km").name == "Km"

    counts = catalog_load_defaults(update_existing=True)

    sector = Sector.objects.get(code="HT-GT")
    assert sector.name == "Hạ tầng: giao thông"
    assert sector.sort_key == collation_key("Hạ tầng: giao thông")
    assert not sector.is_active  # not a seeded field: the admin's choice stays
    assert UnitOfMeasure.objects.get(code="km").name == "km"
    assert counts["sector_updated"] == 1
    assert counts["sector_unchanged"] == 16
    assert counts["unit_of_measure_updated"] == 1
    assert counts["funding_source_updated"] == 0


def test_update_on_pristine_data_changes_nothing() -> None:
    catalog_load_defaults()

    counts = catalog_load_defaults(update_existing=True)

    assert all(value == 0 for key, value in counts.items() if not key.endswith("_unchanged"))


def test_an_admin_chosen_default_profile_is_kept() -> None:
    other = ProcessProfileFactory.create(code="QUANG-TRI", is_default=True)

    catalog_load_defaults()
    catalog_load_defaults(update_existing=True)

    other.refresh_from_db()
    assert other.is_default
    assert not ProcessProfile.objects.get(code="MAC-DINH").is_default


def test_seed_names_are_nfc_and_aliases_are_folded_and_distinct() -> None:
    catalog_load_defaults()

    seen: dict[str, str] = {}
    for unit in UnitOfMeasure.objects.all():
        assert unicodedata.is_normalized("NFC", unit.name)
        for alias in unit.alias_list():
            assert alias == fold(alias)
            assert alias not in seen, f"{alias!r} is an alias of {seen.get(alias)} and {unit.code}"
            seen[alias] = unit.code
    assert UnitOfMeasure.objects.get(code="m2").name == "m²"
    assert "met vuong" in UnitOfMeasure.objects.get(code="m2").alias_list()


def test_catalog_normalise_canonicalises_text() -> None:
    decomposed = unicodedata.normalize("NFD", "  Hạ tầng:   giao thông ")
    sector = Sector(code=" HT-X ", name=decomposed, ntm_criteria=" 2, 3 ,", description="a\nb ")

    catalog_normalise(sector)

    assert sector.code == "HT-X"
    assert sector.name == "Hạ tầng: giao thông"
    assert sector.sort_key == collation_key("Hạ tầng: giao thông")
    assert sector.ntm_criteria == "2,3"
    assert sector.description == "a\nb"

    unit = UnitOfMeasure(code="m2", name="m²", aliases="Mét vuông, m2, met vuong,,M2")
    catalog_normalise(unit)
    assert unit.aliases == "met vuong,m2"

    profile = ProcessProfile(
        code="X",
        name="X",
        ranking_criteria=[
            {"code": "a", "name": unicodedata.normalize("NFD", "Ưu tiên"), "weight": 1}
        ],
    )
    catalog_normalise(profile)
    assert profile.ranking_criteria[0]["name"] == "Ưu tiên"


# --- expenditure type of sectors --------------------------------------------------------------


def test_every_sector_has_its_seeded_expenditure_type() -> None:
    catalog_load_defaults()

    by_code = dict(Sector.objects.values_list("code", "default_expenditure"))
    assert set(by_code.values()) <= set(ExpenditureType.values)
    assert {code for code, kind in by_code.items() if kind == ExpenditureType.INVESTMENT} == {
        "HT-GT", "HT-TL", "HT-D", "HT-N", "HT-VH", "HT-TT",
    }  # fmt: skip
    assert {code for code, kind in by_code.items() if kind == ExpenditureType.RECURRENT} == {
        "NN", "LN", "CN", "DV", "GD", "YT", "VH", "XH", "MT", "QL", "AN",
    }  # fmt: skip


def test_admin_choice_of_expenditure_type_is_kept_unless_update() -> None:
    catalog_load_defaults()
    Sector.objects.filter(code="GD").update(default_expenditure=ExpenditureType.INVESTMENT)

    counts = catalog_load_defaults()

    assert counts["sector_unchanged"] == 17
    assert Sector.objects.get(code="GD").default_expenditure == ExpenditureType.INVESTMENT

    counts = catalog_load_defaults(update_existing=True)

    assert counts["sector_updated"] == 1
    assert Sector.objects.get(code="GD").default_expenditure == ExpenditureType.RECURRENT


# --- indicators -------------------------------------------------------------------------------


def test_indicator_seed_codes_are_unique_and_well_formed() -> None:
    codes = [seed["code"] for seed in defaults.INDICATORS]

    assert len(codes) == len(set(codes))
    for seed in defaults.INDICATORS:
        Indicator(**seed).full_clean()  # code pattern, lengths, group, decimals 0..3
        assert unicodedata.is_normalized("NFC", seed["name"])
        assert seed["name_en"]
        assert seed["unit"]


def test_every_indicator_group_has_seeded_indicators() -> None:
    assert {seed["group"] for seed in defaults.INDICATORS} == set(IndicatorGroup.values)


def test_indicator_codes_are_stable() -> None:
    # Workbooks, the API and the targets of commune plans refer to these codes: a code in
    # this list is never renamed or dropped from the seed (retire an indicator instead).
    assert {
        "THU-NHAP-BQ", "HO-NGHEO", "HO-CAN-NGHEO", "TIEU-CHI-NTM",
        "SAN-LUONG-LT", "LD-CO-VIEC-LAM", "HTX",
        "DUONG-CUNG-HOA-KM", "DUONG-CUNG-HOA-TL", "KENH-MUONG-KC", "HO-DIEN-LUOI",
        "PHONG-HOC-KC",
        "BHYT", "TRE-SDD-THAP-COI", "LD-QUA-DAO-TAO",
        "HO-NUOC-HVS", "HO-NHA-TIEU-HVS", "RAC-THU-GOM", "CHE-PHU-RUNG",
        "TTHC-TRUC-TUYEN", "TTHC-DUNG-HAN",
        "TUYEN-QUAN", "THON-AN-TOAN-ANTT", "VU-PHAM-PHAP",
    } <= {seed["code"] for seed in defaults.INDICATORS}  # fmt: skip


@pytest.mark.parametrize(
    ("code", "name", "unit", "group", "higher_is_better", "decimals"),
    [
        (
            "THU-NHAP-BQ",
            "Thu nhập bình quân đầu người",
            "triệu đồng/người/năm",
            IndicatorGroup.GENERAL,
            True,
            1,
        ),
        (
            "HO-NGHEO",
            "Tỷ lệ hộ nghèo (chuẩn nghèo đa chiều)",
            "%",
            IndicatorGroup.GENERAL,
            False,
            2,
        ),
        (
            "DUONG-CUNG-HOA-KM",
            "Đường giao thông nông thôn được cứng hóa",
            "km",
            IndicatorGroup.INFRASTRUCTURE,
            True,
            1,
        ),
        ("VU-PHAM-PHAP", "Số vụ phạm pháp hình sự", "vụ", IndicatorGroup.SECURITY, False, 0),
    ],
)
def test_indicators_are_loaded_with_their_seed_values(
    code: str, name: str, unit: str, group: str, higher_is_better: bool, decimals: int
) -> None:
    catalog_load_defaults()

    indicator = Indicator.objects.get(code=code)
    assert (
        indicator.name,
        indicator.unit,
        indicator.group,
        indicator.higher_is_better,
        indicator.decimals,
    ) == (name, unit, group, higher_is_better, decimals)
    assert indicator.is_active


def test_indicator_edits_survive_a_rerun_and_update_restores_them() -> None:
    catalog_load_defaults()
    Indicator.objects.filter(code="CHE-PHU-RUNG").update(
        name="Độ che phủ rừng", decimals=2, is_active=False
    )
    Indicator.objects.get(code="BHYT").delete()
    Indicator.objects.create(
        code="HO-DTTS", name="Tỷ lệ hộ DTTS", unit="%", group=IndicatorGroup.GENERAL
    )

    counts = catalog_load_defaults()

    assert counts["indicator_created"] == 1  # BHYT again; the administrator's own one stays
    assert Indicator.objects.filter(code="HO-DTTS").exists()
    edited = Indicator.objects.get(code="CHE-PHU-RUNG")
    assert (edited.name, edited.decimals) == ("Độ che phủ rừng", 2)

    counts = catalog_load_defaults(update_existing=True)

    restored = Indicator.objects.get(code="CHE-PHU-RUNG")
    assert (restored.name, restored.decimals) == ("Tỷ lệ che phủ rừng", 1)
    assert not restored.is_active  # not a seeded field: the admin's choice stays
    assert counts["indicator_updated"] == 1
    assert counts["indicator_unchanged"] == len(defaults.INDICATORS) - 1


def test_catalog_normalise_canonicalises_an_indicator() -> None:
    indicator = Indicator(
        code=" HO-X ",
        name=unicodedata.normalize("NFD", " Tỷ lệ  hộ nghèo "),
        unit=unicodedata.normalize("NFD", "triệu  đồng/người/năm "),
        group=IndicatorGroup.GENERAL,
        description=unicodedata.normalize("NFD", "dòng một\ndòng hai "),
    )

    catalog_normalise(indicator)

    assert indicator.code == "HO-X"
    assert indicator.name == "Tỷ lệ hộ nghèo"
    assert indicator.unit == "triệu đồng/người/năm"
    assert indicator.description == "dòng một\ndòng hai"
