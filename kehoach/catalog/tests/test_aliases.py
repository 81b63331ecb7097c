"""Aliases: the seed, the data migration, ``alias_add``, who may add one, the admin."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import UserFactory, user_with_role
from kehoach.catalog.choices import AliasKind
from kehoach.catalog.models import Alias, FundingSource, Sector, UnitOfMeasure
from kehoach.catalog.names import name_key, without_years
from kehoach.catalog.permissions import can_add_alias
from kehoach.catalog.selectors import alias_kind, alias_target, aliases_of
from kehoach.catalog.services import (
    ALIAS_EMPTY,
    ALIAS_TAKEN,
    ALIAS_TOO_LONG,
    alias_add,
    alias_seed,
    catalog_load_defaults,
)
from kehoach.catalog.tests.test_admin import alias_inline
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("kehoach.catalog.migrations.0003_aliases")


@pytest.fixture
def catalog() -> None:
    catalog_load_defaults()


@pytest.fixture
def planner() -> Any:
    return user_with_role(Role.COMMUNE_PLANNER, CommuneFactory.create())


def sector(code: str) -> Sector:
    return Sector.objects.get(code=code)


def source(code: str) -> FundingSource:
    return FundingSource.objects.get(code=code)


# --- keys -------------------------------------------------------------------------------------


def test_name_key_folds_as_people_type() -> None:
    assert name_key("Hạ tầng: giao thông") == "ha tang giao thong"
    assert name_key("  NS  Tỉnh ") == name_key("ns tinh") == "ns tinh"
    assert name_key("m²") == "m2"
    assert name_key("GD-ĐT") == "gd dt"
    assert name_key("—") == ""


def test_without_years_takes_off_a_trailing_period_only() -> None:
    assert without_years("ctmtqg giai doan 2026 2035") == ("ctmtqg", (2026, 2035))
    assert without_years("ctmtqg 2026") == ("ctmtqg", (2026, 2026))
    assert without_years("ctmtqg nam 2027") == ("ctmtqg", (2027, 2027))
    assert without_years("chuong trinh 135") == ("chuong trinh 135", None)
    assert without_years("2026 2035") == ("2026 2035", None)


# --- the seed and the data migration ---------------------------------------------------------


def test_load_catalog_seeds_the_common_aliases(catalog: None) -> None:
    assert Alias.objects.get(kind=AliasKind.SECTOR, key="nong nghiep").target == sector("NN")
    assert Alias.objects.get(kind=AliasKind.SOURCE, key="ctmtqg").target == source("NTP26")
    assert Alias.objects.get(kind=AliasKind.SOURCE, key="ns tinh").target == source("NS-T")
    # a name that is already an entry's own name gets no alias
    assert not Alias.objects.filter(kind=AliasKind.SOURCE, key="von long ghep").exists()
    assert not Alias.objects.filter(kind=AliasKind.UNIT, key="km").exists()
    assert Alias.objects.filter(created_by__isnull=False).count() == 0


def test_the_seed_runs_twice_without_duplicates(catalog: None) -> None:
    count = Alias.objects.count()
    assert alias_seed() == (0, count)
    assert Alias.objects.count() == count


def test_the_migration_seeds_an_existing_database_for_the_codes_it_has() -> None:
    catalog_load_defaults()
    Alias.objects.all().delete()
    Sector.objects.filter(code="AN").delete()
    kept = Alias.objects.create(
        kind=AliasKind.SOURCE, source=source("NS-X"), text="NS tỉnh", key="ns tinh"
    )

    MIGRATION.seed_aliases(django_apps, None)

    assert Alias.objects.get(kind=AliasKind.SECTOR, key="nong nghiep").target == sector("NN")
    assert Alias.objects.get(kind=AliasKind.SOURCE, key="ctmtqg").target == source("NTP26")
    assert Alias.objects.get(kind=AliasKind.UNIT, key="ho dan").target.code == "ho"
    # no sector AN: its names are not seeded; an administrator's alias is left as it was
    assert not Alias.objects.filter(kind=AliasKind.SECTOR, key="quoc phong").exists()
    assert Alias.objects.get(kind=AliasKind.SOURCE, key="ns tinh") == kept
    assert kept.target == source("NS-X")


def test_the_migration_does_nothing_on_an_empty_catalog() -> None:
    MIGRATION.seed_aliases(django_apps, None)
    assert not Alias.objects.exists()


def test_the_database_refuses_an_alias_without_its_target_or_twice(catalog: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Alias.objects.create(kind=AliasKind.SECTOR, source=source("ODA"), text="x", key="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Alias.objects.create(
            kind=AliasKind.SECTOR, sector=sector("YT"), text="Nông nghiệp", key="nong nghiep"
        )


# --- who may add one --------------------------------------------------------------------------


def test_commune_and_province_planners_and_staff_may_add_an_alias() -> None:
    province = ProvinceFactory.create()
    assert can_add_alias(user_with_role(Role.COMMUNE_PLANNER, CommuneFactory.create())) is None
    assert can_add_alias(user_with_role(Role.PROVINCE_OFFICER, province)) is None
    assert can_add_alias(user_with_role(Role.ADMIN, None)) is None
    assert can_add_alias(UserFactory.create(is_staff=True)) is None


def test_others_may_not_add_an_alias() -> None:
    village = VillageFactory.create()
    for user in (
        user_with_role(Role.VILLAGE_EDITOR, village),
        user_with_role(Role.DONOR_VIEWER, ProvinceFactory.create()),
        user_with_role(Role.COMMUNE_APPROVER, CommuneFactory.create()),
        UserFactory.create(),
        UserFactory.create(is_staff=True, is_active=False),
    ):
        reason = can_add_alias(user)
        assert reason is not None
        assert reason.code == "permission_denied"
        assert "cán bộ kế hoạch" in reason.message


# --- alias_add --------------------------------------------------------------------------------


def test_alias_add_records_the_name_and_who_added_it(catalog: None, planner: Any) -> None:
    alias = alias_add(
        actor=planner, kind=AliasKind.SOURCE, target=source("NTP26"), text=" CTMTQG  GĐ II "
    )

    assert (alias.kind, alias.source, alias.text, alias.key) == (
        AliasKind.SOURCE,
        source("NTP26"),
        "CTMTQG GĐ II",
        "ctmtqg gd ii",
    )
    assert alias.created_by == planner
    assert alias.created_at is not None
    assert alias in aliases_of(source("NTP26"))


def test_adding_the_same_alias_to_the_same_entry_is_a_no_op(catalog: None, planner: Any) -> None:
    first = alias_add(
        actor=planner, kind=AliasKind.UNIT, target=UnitOfMeasure.objects.get(code="ha"), text="Mẫu"
    )
    count = Alias.objects.count()
    again = alias_add(actor=planner, kind=AliasKind.UNIT, target=first.unit, text="mẫu")
    assert again == first
    assert Alias.objects.count() == count
    # a seeded one too
    seeded = alias_add(actor=planner, kind=AliasKind.SOURCE, target=source("NS-T"), text="NS Tinh")
    assert seeded.created_by is None


def test_an_alias_of_another_entry_is_refused_naming_it(catalog: None, planner: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        alias_add(actor=planner, kind=AliasKind.SOURCE, target=source("NS-X"), text="NS tỉnh")
    assert caught.value.code == ALIAS_TAKEN
    assert caught.value.message == (
        "“NS tỉnh” đã là tên của “NS-T – Ngân sách tỉnh (huyện)”; không thể đồng thời là tên "
        "của “NS-X – Ngân sách xã”."
    )
    # the own name of another entry is refused too
    with pytest.raises(ApplicationError) as caught:
        alias_add(actor=planner, kind=AliasKind.SECTOR, target=sector("NN"), text="Lâm nghiệp")
    assert caught.value.code == ALIAS_TAKEN
    assert "LN – Lâm nghiệp" in caught.value.message
    assert not Alias.objects.filter(key="lam nghiep").exists()


def test_a_source_may_take_the_name_of_a_programme_of_other_years(
    catalog: None, planner: Any
) -> None:
    # "CTMTQG xây dựng NTM" is the 2021–2025 programme's name; in 2026 it means the component
    alias = alias_add(
        actor=planner,
        kind=AliasKind.SOURCE,
        target=source("NTP26-NTM"),
        text="CTMTQG xây dựng NTM",
    )
    assert alias.source == source("NTP26-NTM")
    with pytest.raises(ApplicationError):
        alias_add(actor=planner, kind=AliasKind.SOURCE, target=source("LG"), text="NTM")


@pytest.mark.parametrize(("text", "code"), [("  —  ", ALIAS_EMPTY), ("x" * 201, ALIAS_TOO_LONG)])
def test_an_empty_or_too_long_alias_is_refused(
    catalog: None, planner: Any, text: str, code: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        alias_add(actor=planner, kind=AliasKind.SECTOR, target=sector("YT"), text=text)
    assert caught.value.code == code


def test_alias_add_accepts_two_hundred_characters(catalog: None, planner: Any) -> None:
    alias = alias_add(actor=planner, kind=AliasKind.SECTOR, target=sector("YT"), text="y" * 200)
    assert len(alias.text) == 200


def test_alias_add_is_refused_without_the_right(catalog: None) -> None:
    editor = user_with_role(Role.VILLAGE_EDITOR, VillageFactory.create())
    with pytest.raises(ApplicationError) as caught:
        alias_add(actor=editor, kind=AliasKind.SECTOR, target=sector("YT"), text="Sức khỏe")
    assert caught.value.code == "permission_denied"
    assert not Alias.objects.filter(key="suc khoe").exists()


def test_alias_add_refuses_a_target_of_another_kind(catalog: None, planner: Any) -> None:
    with pytest.raises(ValueError, match="kind"):
        alias_add(actor=planner, kind=AliasKind.SOURCE, target=sector("YT"), text="Sức khỏe")


# --- alias_kind and alias_target --------------------------------------------------------------


def test_alias_kind_of_each_list() -> None:
    assert alias_kind("sectors") == AliasKind.SECTOR
    assert alias_kind("sources") == alias_kind("envelope_sources") == AliasKind.SOURCE
    assert alias_kind("units") == AliasKind.UNIT
    assert alias_kind("modes") is None


def test_alias_target_reads_the_posted_primary_key(catalog: None) -> None:
    assert alias_target(AliasKind.SECTOR, str(sector("NN").pk)) == sector("NN")
    assert alias_target(AliasKind.SOURCE, str(source("ODA").pk)) == source("ODA")
    unit = UnitOfMeasure.objects.get(code="m")
    assert alias_target(AliasKind.UNIT, f" {unit.pk} ") == unit
    for kind, value in [
        (AliasKind.SECTOR, "999999"),
        (AliasKind.SECTOR, "abc"),
        (AliasKind.SECTOR, ""),
        ("indicator", str(sector("NN").pk)),
    ]:
        with pytest.raises(NotFoundError):
            alias_target(kind, value)


# --- the admin --------------------------------------------------------------------------------


@pytest.fixture
def admin_client_() -> Client:
    user = get_user_model().objects.create_superuser("quantri", "qt@example.org", "x" * 12)
    client = Client()
    client.force_login(user)
    return client


def _sector_form(obj: Sector, *new: str) -> dict[str, str]:
    return {
        "name": obj.name,
        "name_en": obj.name_en,
        "description": obj.description,
        "ntm_criteria": obj.ntm_criteria,
        "default_expenditure": obj.default_expenditure,
        "sort_order": str(obj.sort_order),
        "is_active": "on",
        **alias_inline(obj, *new),
    }


def test_the_sector_page_lists_and_adds_other_names(catalog: None, admin_client_: Client) -> None:
    nn = sector("NN")
    url = reverse("admin:catalog_sector_change", args=[nn.pk])
    page = admin_client_.get(url).content.decode()
    assert "Tên gọi khác" in page
    assert 'value="Nông nghiệp"' in page

    response = admin_client_.post(url, _sector_form(nn, "Trồng cây ăn quả"))

    assert response.status_code == 302, response.content.decode()[:3000]
    alias = Alias.objects.get(key="trong cay an qua")
    assert (alias.kind, alias.sector, alias.created_by) == (
        AliasKind.SECTOR,
        nn,
        get_user_model().objects.get(username="quantri"),
    )


def test_the_sector_page_refuses_another_sectors_name(catalog: None, admin_client_: Client) -> None:
    nn = sector("NN")
    response = admin_client_.post(
        reverse("admin:catalog_sector_change", args=[nn.pk]), _sector_form(nn, "Y tế")
    )
    assert response.status_code == 200
    assert "đã là tên của" in response.content.decode()
    assert Alias.objects.get(kind=AliasKind.SECTOR, key="y te").sector == sector("YT")


def test_the_alias_list_searches_without_diacritics(catalog: None, admin_client_: Client) -> None:
    url = reverse("admin:catalog_alias_changelist")
    page = admin_client_.get(url, {"q": "ngan sach tinh"}).content.decode()
    assert "Ngân sách tỉnh" in page
    assert "Dân góp" not in page
    assert admin_client_.get(url, {"kind": "unit"}).status_code == 200


def test_the_alias_admin_adds_one_and_refuses_a_wrong_target(
    catalog: None, admin_client_: Client
) -> None:
    url = reverse("admin:catalog_alias_add")
    ok = admin_client_.post(url, {"kind": "source", "source": source("TD").pk, "text": "Vay vốn"})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    assert Alias.objects.get(key="vay von").source == source("TD")

    wrong = admin_client_.post(url, {"kind": "source", "sector": sector("YT").pk, "text": "Khám"})
    assert wrong.status_code == 200
    assert not Alias.objects.filter(key="kham").exists()
