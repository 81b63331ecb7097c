from __future__ import annotations

import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import UserFactory, user_with_role
from kehoach.catalog.choices import ExpenditureType, IndicatorGroup
from kehoach.catalog.models import (
    FundingSource,
    Indicator,
    PraTool,
    ProcessProfile,
    Sector,
    UnitOfMeasure,
)
from kehoach.catalog.services import catalog_load_defaults
from kehoach.core.text import collation_key

pytestmark = pytest.mark.django_db


def alias_inline(obj: Model | None = None, *new: str) -> dict[str, str]:
    """The POST data of the "other names" inline of a sector, source or unit page: the aliases
    the entry has, unchanged, and *new* ones."""
    existing = list(obj.alias_entries.order_by("pk")) if obj is not None else []  # type: ignore[attr-defined]
    data = {
        "alias_entries-TOTAL_FORMS": str(len(existing) + len(new)),
        "alias_entries-INITIAL_FORMS": str(len(existing)),
        "alias_entries-MIN_NUM_FORMS": "0",
        "alias_entries-MAX_NUM_FORMS": "1000",
    }
    for i, alias in enumerate(existing):
        data[f"alias_entries-{i}-id"] = str(alias.pk)
        data[f"alias_entries-{i}-text"] = alias.text
    for i, text in enumerate(new, start=len(existing)):
        data[f"alias_entries-{i}-text"] = text
    return data


@pytest.fixture
def admin_client_() -> Client:
    user = get_user_model().objects.create_superuser("quantri", "qt@example.org", "x" * 12)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def system_admin_client() -> Client:
    """A user whose only right is the role "System administrator" (not a superuser)."""
    client = Client()
    client.force_login(user_with_role(Role.ADMIN, None))
    return client


@pytest.mark.parametrize(
    "model", [Sector, FundingSource, UnitOfMeasure, ProcessProfile, Indicator, PraTool]
)
def test_changelist_and_change_form_render(admin_client_: Client, model: type[Model]) -> None:
    catalog_load_defaults()
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client_.get(changelist, {"q": "a"}).status_code == 200
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    response = admin_client_.get(change)
    assert response.status_code == 200
    # The code is stable: shown, not editable, once saved.
    assert 'name="code"' not in response.content.decode()


def test_admin_save_normalises_the_name_and_sort_key(admin_client_: Client) -> None:
    decomposed = unicodedata.normalize("NFD", "Hạ tầng  số")
    response = admin_client_.post(
        reverse("admin:catalog_sector_add"),
        {
            "code": "HT-SO",
            "name": decomposed,
            "name_en": "Digital infrastructure",
            "description": "",
            "ntm_criteria": "8, 2",
            "default_expenditure": "investment",
            "sort_order": "5",
            "is_active": "on",
            **alias_inline(),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    sector = Sector.objects.get(code="HT-SO")
    assert sector.name == "Hạ tầng số"
    assert sector.sort_key == collation_key("Hạ tầng số")
    assert sector.ntm_criteria == "8,2"


def test_admin_shows_criteria_errors_on_the_field(admin_client_: Client) -> None:
    catalog_load_defaults()
    profile = ProcessProfile.objects.get(code="MAC-DINH")
    data = {
        "code": profile.code,
        "name": profile.name,
        "description": "",
        "is_active": "on",
        "sort_order": "0",
        "is_default": "on",
        "province_code": "",
        "programme": "",
        "min_priority": "1",
        "max_priority": "3",
        "min_priority_activities_per_sector": "1",
        "max_priority_activities_per_sector": "3",
        "priority_bound_applies_to": "ranked",
        "quorum_households_pct": "50",
        "quorum_agreement_pct": "50",
        "ranking_criteria": '[{"code": "a", "name": "A"}]',
        "scoring_criteria": '"not a list"',
        "money_decimals": "1",
        "extra": "{}",
    }
    url = reverse("admin:catalog_processprofile_change", args=[profile.pk])

    response = admin_client_.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["scoring_criteria"] == [
        "Enter a list of criteria, each with a code, a name and a weight."
    ]
    assert errors["ranking_criteria"] == ["Criterion 1: the weight must be a number from 0 to 100."]
    profile.refresh_from_db()
    assert len(profile.scoring_criteria) == 9


@pytest.mark.parametrize("model", [Sector, Indicator])
def test_a_system_administrator_opens_the_pages(
    system_admin_client: Client, model: type[Model]
) -> None:
    catalog_load_defaults()
    opts = model._meta
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None

    urls = [
        reverse("admin:index"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
    ]
    for url in urls:
        assert system_admin_client.get(url).status_code == 200, url


def test_other_users_cannot_open_the_indicator_pages(client: Client) -> None:
    client.force_login(UserFactory.create(is_staff=True))  # staff, but no administrator role

    response = client.get(reverse("admin:catalog_indicator_changelist"))

    assert response.status_code == 302  # sent to the admin login


def test_sector_change_form_shows_the_expenditure_type(system_admin_client: Client) -> None:
    catalog_load_defaults()
    sector = Sector.objects.get(code="NN")

    with translation.override("vi"):
        response = system_admin_client.get(reverse("admin:catalog_sector_change", args=[sector.pk]))

    html = response.content.decode()
    assert 'name="default_expenditure"' in html
    assert '<option value="recurrent" selected>Sự nghiệp (chi thường xuyên)</option>' in html
    assert "Đầu tư phát triển" in html


def test_admin_changes_a_sector_expenditure_type(system_admin_client: Client) -> None:
    catalog_load_defaults()
    sector = Sector.objects.get(code="GD")

    response = system_admin_client.post(
        reverse("admin:catalog_sector_change", args=[sector.pk]),
        {
            "name": sector.name,
            "name_en": sector.name_en,
            "description": sector.description,
            "ntm_criteria": sector.ntm_criteria,
            "default_expenditure": "investment",
            "sort_order": str(sector.sort_order),
            "is_active": "on",
            **alias_inline(sector),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    sector.refresh_from_db()
    assert sector.default_expenditure == ExpenditureType.INVESTMENT


def test_admin_adds_an_indicator_with_normalised_text(system_admin_client: Client) -> None:
    response = system_admin_client.post(
        reverse("admin:catalog_indicator_add"),
        {
            "code": "HO-DTTS",
            "name": unicodedata.normalize("NFD", "Tỷ lệ  hộ dân tộc thiểu số "),
            "name_en": "Ethnic-minority households",
            "group": IndicatorGroup.GENERAL,
            "unit": " % ",
            "higher_is_better": "",
            "decimals": "1",
            "description": "",
            "sort_order": "50",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    indicator = Indicator.objects.get(code="HO-DTTS")
    assert indicator.name == "Tỷ lệ hộ dân tộc thiểu số"
    assert indicator.unit == "%"
    assert not indicator.higher_is_better


def test_admin_refuses_an_indicator_with_too_many_decimals(system_admin_client: Client) -> None:
    response = system_admin_client.post(
        reverse("admin:catalog_indicator_add"),
        {
            "code": "X",
            "name": "X",
            "group": IndicatorGroup.GENERAL,
            "unit": "%",
            "decimals": "4",
            "sort_order": "0",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["decimals"] == ["Ensure this value is less than or equal to 3."]
    assert not Indicator.objects.filter(code="X").exists()


def test_indicator_code_is_read_only_once_saved(system_admin_client: Client) -> None:
    catalog_load_defaults()
    indicator = Indicator.objects.get(code="HO-NGHEO")

    response = system_admin_client.post(
        reverse("admin:catalog_indicator_change", args=[indicator.pk]),
        {
            "code": "HO-NGHEO-MOI",
            "name": indicator.name,
            "name_en": indicator.name_en,
            "group": indicator.group,
            "unit": indicator.unit,
            "decimals": str(indicator.decimals),
            "description": indicator.description,
            "sort_order": str(indicator.sort_order),
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Indicator.objects.filter(code="HO-NGHEO").exists()
    assert not Indicator.objects.filter(code="HO-NGHEO-MOI").exists()


def test_every_field_of_a_process_profile_is_on_its_admin_page(admin_client_: Client) -> None:
    """A parameter added to the profile (the five-year period, issue 18) is one an
    administrator can set, not only a default in the code."""
    catalog_load_defaults()
    profile = ProcessProfile.objects.order_by("pk").first()
    assert profile is not None
    page = admin_client_.get(
        reverse("admin:catalog_processprofile_change", args=[profile.pk])
    ).content.decode()
    editable = [
        f.name
        for f in ProcessProfile._meta.get_fields()
        if getattr(f, "editable", False) and f.concrete and not f.auto_created
    ]
    missing = [
        name
        for name in editable
        if name not in ("code", "created_at", "updated_at")
        and f'name="{name}"' not in page
        and f'id="id_{name}"' not in page
    ]
    assert missing == []
    assert 'name="medium_term_start_year"' in page and 'value="2026"' in page
