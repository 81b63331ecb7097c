"""The catalogue's indicators (F16) and process profiles through the API (issue 17): by public
code, by name in Vietnamese order, retired entries included, the same for every signed-in user and
in either language, cursor pages whose query count does not depend on their size."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tokens import token_create
from kehoach.catalog.choices import IndicatorGroup
from kehoach.catalog.models import ProcessProfile
from kehoach.catalog.tests.factories import (
    FundingSourceFactory,
    IndicatorFactory,
    ProcessProfileFactory,
)
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.synthesis.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def client_of(user: Any) -> APIClient:
    _token, secret = token_create(
        user=user, name="Cổng dữ liệu", scope=ApiTokenScope.READ, expires_at=None
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def every(client: APIClient, url: str, **headers: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while url:
        answer = client.get(url, **headers)
        assert answer.status_code == 200, answer.content
        found += answer.json()["results"]
        url = answer.json()["next"]
    return found


def test_indicators_by_name_in_vietnamese_order_with_retired_ones_for_everyone() -> None:
    IndicatorFactory(code="MOI-TRUONG", name="Điện", group=IndicatorGroup.ENVIRONMENT)
    IndicatorFactory(code="HO-NGHEO", name="Hộ nghèo", group=IndicatorGroup.GENERAL, unit="%")
    IndicatorFactory(code="DUONG", name="Đường", group=IndicatorGroup.INFRASTRUCTURE)
    IndicatorFactory(code="DAN", name="Dân", sort_order=0)
    IndicatorFactory(code="DUONG-2", name="Dương", sort_order=0)
    IndicatorFactory(code="CU", name="Áo", group=IndicatorGroup.GENERAL, is_active=False)
    planner, stranger = f.planner(hai_lang()), f.planner(dong_hoi())

    rows = every(client_of(planner), f"{API}/catalog/indicators/?page_size=2")
    # the project's dictionary order (core.text.collation_key): a < ă < â … d < đ, i < ư
    assert [r["name"] for r in rows] == ["Áo", "Dân", "Dương", "Điện", "Đường", "Hộ nghèo"]
    poor = next(r for r in rows if r["code"] == "HO-NGHEO")
    assert poor["unit"] == "%" and poor["group"] == "general" and "id" not in poor
    assert next(r for r in rows if r["code"] == "CU")["is_active"] is False
    assert every(client_of(stranger), f"{API}/catalog/indicators/") == rows
    english = every(client_of(planner), f"{API}/catalog/indicators/", HTTP_ACCEPT_LANGUAGE="en")
    assert english == rows


def test_process_profiles_by_code_with_their_rules() -> None:
    programme = FundingSourceFactory(code="NTP26")
    ProcessProfileFactory(
        code="QT-44",
        province_code="44",
        max_priority=5,
        quorum_households_pct=Decimal("60"),
        extra={"supervision_min_members": 7},
        sort_order=1,
    )
    ProcessProfileFactory(code="QT-NTP", programme=programme, sort_order=2, is_active=False)
    planner = f.planner(hai_lang())
    client = client_of(planner)

    ProcessProfileFactory(code="QT-D", name="Dân chủ cơ sở", sort_order=0)
    ProcessProfileFactory(code="QT-DD", name="Đường thôn", sort_order=0)
    ProcessProfile.objects.filter(code="QT-44").update(name="Điện nông thôn")
    ProcessProfile.objects.filter(code="QT-NTP").update(name="Zeta")

    rows = every(client, f"{API}/catalog/profiles/?page_size=1")
    names = [r["name"] for r in rows]
    assert names.index("Dân chủ cơ sở") < names.index("Điện nông thôn")
    assert names.index("Điện nông thôn") < names.index("Đường thôn") < names.index("Zeta")
    assert len(rows) == ProcessProfile.objects.count()
    one = client.get(f"{API}/catalog/profiles/QT-44/")
    assert one.status_code == 200
    body = one.json()
    assert body == next(r for r in rows if r["code"] == "QT-44")
    assert body["province_code"] == "44" and body["max_priority"] == 5
    assert Decimal(body["quorum_households_pct"]) == Decimal("60")
    assert body["extra"] == {"supervision_min_members": 7}
    assert isinstance(body["ranking_criteria"], list) and "id" not in body
    ntp = client.get(f"{API}/catalog/profiles/QT-NTP/").json()
    assert ntp["programme_code"] == "NTP26" and ntp["is_active"] is False
    assert client.get(f"{API}/catalog/profiles/QT-44/", HTTP_ACCEPT_LANGUAGE="en").json() == body

    missing = client.get(f"{API}/catalog/profiles/KHONG-CO/")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/problem+json")
    assert APIClient().get(f"{API}/catalog/profiles/QT-44/").status_code == 401


def _queries(client: APIClient, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200
    return len(captured), len(answer.json()["results"])


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("catalog/indicators", lambda n: IndicatorFactory(code=f"CT-{n}")),
        ("catalog/profiles", lambda n: ProcessProfileFactory(code=f"QT-{n}")),
    ],
)
def test_query_counts_do_not_depend_on_the_page_size(path: str, make: Any) -> None:
    for n in range(12):
        make(n)
    client = client_of(f.planner(hai_lang()))
    client.get(f"{API}/{path}/")  # warm what a first request stores
    small, small_rows = _queries(client, f"{API}/{path}/?page_size=5")
    large, large_rows = _queries(client, f"{API}/{path}/?page_size=50")
    assert small_rows == 5 and large_rows >= 12
    assert small == large
