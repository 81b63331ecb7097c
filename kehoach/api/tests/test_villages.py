"""A commune's villages written through the API (issue 17, R25): add, rename, end, restore;
``If-Match`` (the village's last save) and 412; ``?dry_run=1`` writing nothing; the page's
rights; the same rows as the pages' writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.accounts.tokens import token_create
from kehoach.geo.models import AdministrativeUnit, UnitNameChange
from kehoach.geo.services import unit_version
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang

pytestmark = pytest.mark.django_db
API = "/api/v1"
SKIP = {"id", "pk", "code", "path", "parent", "parent_id", "created_at", "updated_at", "unit_id"}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Nội vụ", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def page_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tag(village: AdministrativeUnit) -> str:
    village.refresh_from_db()
    return f'"{unit_version(village)}"'


def counts() -> tuple[int, int, int]:
    return (
        AdministrativeUnit.objects.count(),
        AdministrativeUnit.objects.filter(valid_to__isnull=False).count(),
        UnitNameChange.objects.count(),
    )


def row(unit: AdministrativeUnit) -> dict[str, Any]:
    unit.refresh_from_db()
    return {k: v for k, v in vars(unit).items() if k not in SKIP and not k.startswith("_")}


def name_changes(unit: AdministrativeUnit) -> list[dict[str, Any]]:
    skip = SKIP | {"changed_by_id", "changed_at"}
    return [
        {k: v for k, v in vars(c).items() if k not in skip and not k.startswith("_")}
        for c in UnitNameChange.objects.filter(unit=unit)
    ]


@pytest.fixture
def commune() -> AdministrativeUnit:
    return hai_lang()


@pytest.fixture
def api(commune: AdministrativeUnit) -> APIClient:
    return api_for(commune_planner(commune))


def test_a_village_added_through_the_api_is_the_pages_village(
    commune: AdministrativeUnit, api: APIClient
) -> None:
    twin = CommuneFactory.create(parent=commune.parent)
    page = page_for(commune_planner(twin))
    form = {"name": "Thôn Xuân Lộc", "kind": "thon", "valid_from": "01/01/2026"}
    assert page.post(reverse("geo:village_create", args=[twin.code]), form).status_code == 302
    body = {"name": "Thôn Xuân Lộc", "kind": "thon", "valid_from": "2026-01-01"}

    response = api.post(f"{API}/units/{commune.code}/villages/", body, format="json")

    assert response.status_code == 201, response.json()
    made = AdministrativeUnit.objects.get(code=response.json()["code"])
    assert response["ETag"] == tag(made) and made.parent_id == commune.pk
    assert row(made) == row(AdministrativeUnit.objects.get(parent=twin))


def test_a_dry_run_answers_the_services_problems_and_writes_nothing(
    commune: AdministrativeUnit, api: APIClient
) -> None:
    VillageFactory.create(parent=commune, name="Thôn Một")
    url = f"{API}/units/{commune.code}/villages/?dry_run=1"
    before = counts()

    ok = api.post(url, {"name": "Thôn Hai"}, format="json")
    taken = api.post(url, {"name": "Thôn Một"}, format="json")

    assert ok.status_code == 200 and ok.json() == {"dry_run": True, "would_save": True}
    assert taken.status_code == 400 and taken.json()["code"] == "village_name_taken"
    assert counts() == before


def test_a_rename_needs_the_version_read_and_a_stale_one_answers_412(
    commune: AdministrativeUnit, api: APIClient
) -> None:
    village = VillageFactory.create(parent=commune, name="Thôn Một")
    url = f"{API}/villages/{village.code}/"
    read = tag(village)
    before = counts()

    assert api.patch(url, {"name": "Thôn Mới"}, format="json").status_code == 428
    AdministrativeUnit.objects.filter(pk=village.pk).update(
        updated_at=timezone.now()
    )  # saved since
    stale = api.patch(url, {"name": "Thôn Mới"}, format="json", HTTP_IF_MATCH=read)

    assert stale.status_code == 412 and stale.json()["current"]["name"] == "Thôn Một"
    assert counts() == before


def test_a_rename_through_the_api_leaves_the_pages_rows(
    commune: AdministrativeUnit, api: APIClient
) -> None:
    twin_commune = CommuneFactory.create(parent=commune.parent)
    twin = VillageFactory.create(parent=twin_commune, name="Thôn Một")
    village = VillageFactory.create(parent=commune, name="Thôn Một")
    form = {"new_name": "Thôn Mới", "effective_date": "01/02/2026", "decision": "NQ 12"}
    page = page_for(commune_planner(twin_commune))
    assert page.post(reverse("geo:village_rename", args=[twin.code]), form).status_code == 302
    body = {"name": "Thôn Mới", "effective_date": "2026-02-01", "decision": "NQ 12"}

    dry = api.patch(
        f"{API}/villages/{village.code}/?dry_run=1", body, format="json", HTTP_IF_MATCH=tag(village)
    )
    assert dry.status_code == 200 and UnitNameChange.objects.filter(unit=village).count() == 0
    response = api.patch(
        f"{API}/villages/{village.code}/", body, format="json", HTTP_IF_MATCH=tag(village)
    )

    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Thôn Mới" and response["ETag"] == tag(village)
    assert row(village) == row(twin)
    assert name_changes(village) == name_changes(twin) != []


def test_end_and_restore_through_the_api_leave_the_pages_rows(
    commune: AdministrativeUnit, api: APIClient
) -> None:
    twin_commune = CommuneFactory.create(parent=commune.parent)
    twin = VillageFactory.create(parent=twin_commune, name="Thôn Một")
    village = VillageFactory.create(parent=commune, name="Thôn Một")
    page = page_for(commune_planner(twin_commune))
    form = {"reason": "NQ 20 giải thể", "valid_to": "31/12/2026"}
    assert page.post(reverse("geo:village_end", args=[twin.code]), form).status_code == 302
    url = f"{API}/villages/{village.code}/actions/"
    body = {"reason": "NQ 20 giải thể", "valid_to": "2026-12-31"}

    missing = api.post(
        f"{url}end/?dry_run=1", {"reason": ""}, format="json", HTTP_IF_MATCH=tag(village)
    )
    assert missing.status_code == 400 and missing.json()["code"] == "reason_required"
    ended = api.post(f"{url}end/", body, format="json", HTTP_IF_MATCH=tag(village))

    assert ended.status_code == 200, ended.json()
    assert row(village) == row(twin) and village.valid_to is not None
    again = api.post(f"{url}end/", body, format="json", HTTP_IF_MATCH=tag(village))
    assert again.status_code == 400 and again.json()["code"] == "village_ended"

    assert page.post(reverse("geo:village_restore", args=[twin.code])).status_code == 302
    dry = api.post(f"{url}restore/?dry_run=1", format="json", HTTP_IF_MATCH=tag(village))
    assert dry.status_code == 200 and row(village)["valid_to"] is not None
    restored = api.post(f"{url}restore/", format="json", HTTP_IF_MATCH=tag(village))
    assert restored.status_code == 200, restored.json()
    assert row(village) == row(twin) and village.valid_to is None


def test_a_read_only_token_is_refused_and_another_communes_village_is_not_found(
    commune: AdministrativeUnit,
) -> None:
    village = VillageFactory.create(parent=commune, name="Thôn Một")
    elsewhere = CommuneFactory.create(parent=commune.parent)
    other = VillageFactory.create(parent=elsewhere)
    reader = api_for(commune_planner(commune), scope=ApiTokenScope.READ)
    writer = api_for(commune_planner(commune))
    before = counts()

    refused = reader.patch(
        f"{API}/villages/{village.code}/", {"name": "X"}, format="json", HTTP_IF_MATCH=tag(village)
    )
    hidden = writer.patch(
        f"{API}/villages/{other.code}/", {"name": "X"}, format="json", HTTP_IF_MATCH=tag(other)
    )
    hidden_add = writer.post(f"{API}/units/{elsewhere.code}/villages/", {"name": "X"})

    assert refused.status_code == 403 and hidden.status_code == 404
    assert hidden_add.status_code == 404 and counts() == before


def test_the_service_checks_the_version_again_under_the_communes_lock(
    commune: AdministrativeUnit,
) -> None:
    from kehoach.core.errors import ApplicationError
    from kehoach.geo.services import village_rename

    village = VillageFactory.create(parent=commune, name="Thôn Một")
    read = unit_version(village)
    AdministrativeUnit.objects.filter(pk=village.pk).update(updated_at=timezone.now())

    with pytest.raises(ApplicationError) as refused:
        village_rename(
            actor=commune_planner(commune), village=village, new_name="B", expected_version=read
        )
    assert refused.value.code == "conflict" and counts()[2] == 0
