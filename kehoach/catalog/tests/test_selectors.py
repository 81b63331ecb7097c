from __future__ import annotations

import pytest

from kehoach.catalog import defaults
from kehoach.catalog.choices import IndicatorGroup
from kehoach.catalog.models import FundingSource, Indicator, ProcessProfile, Sector
from kehoach.catalog.selectors import (
    NO_DEFAULT_PROFILE,
    funding_sources_active_for_year,
    indicators_active,
    process_profile_for,
    sectors_active,
    units_of_measure_active,
)
from kehoach.catalog.services import catalog_load_defaults
from kehoach.core.errors import ApplicationError

from .factories import (
    FundingSourceFactory,
    ProcessProfileFactory,
    SectorFactory,
    UnitOfMeasureFactory,
)

pytestmark = pytest.mark.django_db


def _codes(year: int) -> set[str]:
    return set(funding_sources_active_for_year(year).values_list("code", flat=True))


def test_active_for_year_follows_the_programme_periods() -> None:
    catalog_load_defaults()

    in_2025 = _codes(2025)
    in_2026 = _codes(2026)

    assert {"NTM", "GNBV", "DTTS"} <= in_2025
    assert not {"NTM", "GNBV", "DTTS", "P135", "P30a"} & in_2026
    assert {"NTP26", "NTP26-NTM", "NTP26-GN", "NTP26-DTTS"} <= in_2026
    assert "NTP26" not in in_2025
    assert "P135" in _codes(2020)
    assert "P135" not in in_2025
    # Budgets and contributions have no end.
    assert {"NS-X", "NS-T", "LG", "TD", "ODA", "DN", "CD"} <= in_2025 & in_2026 & _codes(2040)


def test_active_for_year_leaves_out_deactivated_sources() -> None:
    catalog_load_defaults()
    FundingSource.objects.filter(code="ODA").update(is_active=False)

    assert "ODA" not in _codes(2026)
    assert FundingSource.objects.valid_in_year(2026).filter(code="ODA").exists()


def test_active_for_year_bounds_are_inclusive() -> None:
    FundingSourceFactory.create(code="A", valid_from_year=2021, valid_to_year=2025)

    assert "A" not in _codes(2020)
    assert "A" in _codes(2021)
    assert "A" in _codes(2025)
    assert "A" not in _codes(2026)


def test_sectors_active_in_configured_order() -> None:
    catalog_load_defaults()
    Sector.objects.filter(code="AN").update(is_active=False)
    SectorFactory.create(code="ZZ", name="Đầu tiên", sort_order=0)

    codes = list(sectors_active().values_list("code", flat=True))

    assert codes[0] == "ZZ"
    assert codes[1:3] == ["NN", "LN"]
    assert "AN" not in codes
    assert len(codes) == 17


def test_units_of_measure_active() -> None:
    UnitOfMeasureFactory.create(code="a", sort_order=2)
    UnitOfMeasureFactory.create(code="b", sort_order=1)
    UnitOfMeasureFactory.create(code="c", is_active=False)

    assert list(units_of_measure_active().values_list("code", flat=True)) == ["b", "a"]


def test_indicators_active_in_table_order() -> None:
    catalog_load_defaults()
    Indicator.objects.filter(code="CHE-PHU-RUNG").update(is_active=False)

    indicators = list(indicators_active())

    codes = [i.code for i in indicators]
    assert "CHE-PHU-RUNG" not in codes
    assert len(codes) == len(defaults.INDICATORS) - 1
    assert codes[:4] == ["THU-NHAP-BQ", "HO-NGHEO", "HO-CAN-NGHEO", "TIEU-CHI-NTM"]
    assert codes[-1] == "VU-PHAM-PHAP"
    groups = [i.group for i in indicators]
    positions = [IndicatorGroup.values.index(group) for group in groups]
    assert positions == sorted(positions)


def test_process_profile_resolution_order() -> None:
    catalog_load_defaults()
    default = ProcessProfile.objects.get(code="MAC-DINH")
    province = ProcessProfileFactory.create(code="QT", province_code="44")
    odaprog = FundingSourceFactory.create(code="CHIA-SE", kind="oda")
    programme = ProcessProfileFactory.create(code="CHIA-SE-QT-KHAC", programme=odaprog)
    programme_here = ProcessProfileFactory.create(
        code="CHIA-SE-QT", programme=odaprog, province_code="44"
    )

    # No province, no programme: the default.
    assert process_profile_for(None) == default
    # A province without its own profile: the default.
    assert process_profile_for("01") == default
    # The province's profile.
    assert process_profile_for("44") == province
    # A programme's profile beats the province's; its province-specific one first.
    assert process_profile_for("44", "CHIA-SE") == programme_here
    assert process_profile_for("01", "CHIA-SE") == programme
    assert process_profile_for(None, "CHIA-SE") == programme
    # A programme without a profile falls back to the province, then the default.
    assert process_profile_for("44", "NTM") == province
    assert process_profile_for("01", "NTM") == default


def test_inactive_profiles_are_skipped() -> None:
    catalog_load_defaults()
    ProcessProfileFactory.create(code="QT", province_code="44", is_active=False)

    assert process_profile_for("44").code == "MAC-DINH"


def test_no_default_profile_is_an_application_error() -> None:
    with pytest.raises(ApplicationError) as caught:
        process_profile_for("44")
    assert caught.value.code == NO_DEFAULT_PROFILE
