from __future__ import annotations

import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from kehoach.catalog.models import FundingSource, ProcessProfile, Sector, UnitOfMeasure
from kehoach.catalog.services import catalog_load_defaults
from kehoach.core.text import collation_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_() -> Client:
    user = get_user_model().objects.create_superuser("quantri", "qt@example.org", "x" * 12)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", [Sector, FundingSource, UnitOfMeasure, ProcessProfile])
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
            "sort_order": "5",
            "is_active": "on",
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
