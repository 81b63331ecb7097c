"""Finding what a typed cell means: names, codes, aliases, years, and honest suggestions."""

from __future__ import annotations

import pytest

from kehoach.catalog.choices import AliasKind
from kehoach.catalog.models import Alias, FundingSource, Sector, UnitOfMeasure
from kehoach.catalog.services import catalog_load_defaults
from kehoach.exchange import choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog() -> None:
    catalog_load_defaults()


def sector(code: str) -> Sector:
    return Sector.objects.get(code=code)


def source(code: str) -> FundingSource:
    return FundingSource.objects.get(code=code)


# --- sectors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Nông nghiệp", "NN"),
        ("NÔNG NGHIỆP", "NN"),
        ("Giao thông", "HT-GT"),
        ("Hạ tầng giao thông", "HT-GT"),
        ("Thủy lợi", "HT-TL"),
        ("Giáo dục - đào tạo", "GD"),
        ("Y tế", "YT"),
        ("Nước sạch", "HT-N"),
        ("Sinh kế", "NN"),
        ("HT-GT – Hạ tầng: giao thông", "HT-GT"),
        ("ht-gt", "HT-GT"),
        ("Lâm nghiệp", "LN"),
    ],
)
def test_sectors_are_found_by_name_code_and_alias(catalog: None, typed: str, code: str) -> None:
    assert choices.sectors().find(typed) == (sector(code), [])


def test_a_sector_alias_stops_working_when_it_is_removed(catalog: None) -> None:
    Alias.objects.filter(kind=AliasKind.SECTOR, key="thuy loi").delete()
    found, close = choices.sectors().find("Thủy lợi")
    assert found is None
    # still suggested: every typed word is in the name "Thủy lợi, phòng chống thiên tai"
    assert close == [sector("HT-TL").name]


def test_nong_nghiep_never_suggests_lam_nghiep(catalog: None) -> None:
    assert choices.sectors().find("Nông nghiệp")[0] == sector("NN")
    # without the alias, agriculture is suggested and forestry is not
    Alias.objects.filter(kind=AliasKind.SECTOR, sector__code="NN").delete()
    found, close = choices.sectors().find("Nông nghiệp")
    assert found is None
    assert close == [sector("NN").name]
    assert sector("LN").name not in close


def test_a_misspelt_generic_word_alone_gets_no_suggestion(catalog: None) -> None:
    assert choices.sectors().find("nghiệp") == (None, [])


@pytest.mark.parametrize("typed", ["Khác", "Bóng đá", "xyz", "123"])
def test_an_unrelated_word_gets_no_suggestion(catalog: None, typed: str) -> None:
    assert choices.sectors().find(typed) == (None, [])


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Giao thonng nong thon", "HT-GT"),
        ("Thuy loi noi dong", "HT-TL"),
        ("Thuyy loi", "HT-TL"),
    ],
)
def test_a_close_typo_is_suggested_not_taken(catalog: None, typed: str, code: str) -> None:
    found, close = choices.sectors().find(typed)
    assert found is None
    assert close[0] == sector(code).name


# --- funding sources --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("CTMTQG", "NTP26"),
        ("CT MTQG", "NTP26"),
        ("chương trình mục tiêu quốc gia", "NTP26"),
        ("CTMTQG 2026-2035", "NTP26"),
        ("CTMTQG giai đoạn 2026 - 2035", "NTP26"),
        ("Chương trình MTQG giai đoạn 2026–2035", "NTP26"),
        ("CTMTQG (2026-2035)", "NTP26"),
        ("NS tỉnh", "NS-T"),
        ("ngân sách tỉnh", "NS-T"),
        ("NS huyện", "NS-T"),
        ("NS xã", "NS-X"),
        ("ngân sách xã", "NS-X"),
        ("ODA", "ODA"),
        ("vốn ODA", "ODA"),
        ("Vốn lồng ghép", "LG"),
        ("lồng ghép", "LG"),
        ("dân góp", "CD"),
        ("Nhân dân đóng góp", "CD"),
        ("xã hội hóa", "DN"),
        ("doanh nghiệp", "DN"),
        ("NTP26-NTM – Hợp phần xây dựng nông thôn mới", "NTP26-NTM"),
    ],
)
def test_sources_are_found_by_alias_with_their_years(catalog: None, typed: str, code: str) -> None:
    assert choices.sources(2027).find(typed) == (source(code), [])


def test_programme_years_must_meet_the_years_typed(catalog: None) -> None:
    listing = choices.sources(2027)
    # "CTMTQG" names the 2026–2035 programme: another period is not it
    found, _ = listing.find("CTMTQG giai đoạn 2016-2020")
    assert found is None


def test_the_2021_2025_programmes_are_found_in_their_years(catalog: None) -> None:
    listing = choices.sources(2024)
    assert listing.find("Chương trình MTQG xây dựng nông thôn mới")[0] == source("NTM")
    assert listing.find("giảm nghèo bền vững")[0] == source("GNBV")
    assert listing.find("GNBV")[0] == source("GNBV")
    assert listing.find("DTTS")[0] == source("DTTS")
    assert listing.find("vùng đồng bào dân tộc thiểu số")[0] == source("DTTS")
    # the unified programme does not exist before 2026: the bare word asks
    assert listing.find("CTMTQG")[0] is None


def test_an_alias_of_a_source_outside_the_year_is_not_in_the_list(catalog: None) -> None:
    assert choices.sources(2024).find("CTMTQG 2026-2035")[0] is None


def test_a_source_suggestion_is_not_another_budget(catalog: None) -> None:
    # "ngân sách" is shared by the commune and provincial budgets: no guess between them
    assert choices.sources(2027).find("Ngân sách") == (None, [])


# --- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("m", "m"),
        ("mét", "m"),
        ("km", "km"),
        ("cái", "cai"),
        ("chiếc", "chiec"),
        ("hộ", "ho"),
        ("lớp", "lop"),
        ("người", "nguoi"),
        ("m2", "m2"),
        ("m²", "m2"),
        ("m3", "m3"),
        ("m³", "m3"),
        ("công trình", "cong-trinh"),
        ("tấn", "tan"),
        ("giếng khoan", "gieng"),
        ("met vuong", "m2"),
    ],
)
def test_units_are_found_by_alias(catalog: None, typed: str, code: str) -> None:
    assert choices.units().find(typed) == (UnitOfMeasure.objects.get(code=code), [])


def test_a_unit_alias_kept_in_the_old_field_still_works(catalog: None) -> None:
    UnitOfMeasure.objects.filter(code="ha").update(aliases="ha,mau ruong")
    assert choices.units().find("Mẫu ruộng")[0] == UnitOfMeasure.objects.get(code="ha")
    assert choices.units().find("sào")[0] is None


# --- one query per list, options, choices_for -------------------------------------------------


def test_each_list_is_one_query_whatever_its_aliases(
    catalog: None, django_assert_num_queries: object
) -> None:
    assert Alias.objects.count() > 100
    n_sectors = Sector.objects.filter(is_active=True).count()
    n_units = UnitOfMeasure.objects.count()
    n_sources = FundingSource.objects.active_for_year(2027).count()
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert len(choices.sectors().entries) == n_sectors
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert len(choices.units().entries) == n_units
    with django_assert_num_queries(1):  # type: ignore[operator]
        listing = choices.sources(2027)
    assert len(listing.entries) == n_sources
    with django_assert_num_queries(0):  # type: ignore[operator]
        listing.find("CTMTQG")
        listing.find("something else")


def test_an_alias_never_hides_another_entrys_own_name(catalog: None) -> None:
    # an administrator's careless alias on NN that is LN's name
    Alias.objects.create(kind=AliasKind.SECTOR, sector=sector("NN"), text="x", key="lam nghiep")
    assert choices.sectors().find("Lâm nghiệp")[0] == sector("LN")


def test_options_are_primary_keys_and_labels(catalog: None) -> None:
    options = choices.sectors().options()
    assert (str(sector("NN").pk), sector("NN").name) in options
    assert len(options) == Sector.objects.filter(is_active=True).count()
    assert choices.modes().options()[0][0] == choices.modes().entries[0].value


def test_choices_for_names_the_catalog_lists(catalog: None) -> None:
    assert choices.choices_for("sectors", year=2027).find("Y tế")[0] == sector("YT")
    assert choices.choices_for("sources", year=2027).find("CTMTQG")[0] == source("NTP26")
    assert choices.choices_for("sources", year=2024).find("CTMTQG")[0] is None
    assert choices.choices_for("units", year=2027).find("mét")[0].code == "m"
    with pytest.raises(KeyError):
        choices.choices_for("modes", year=2027)
