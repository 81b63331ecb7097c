"""``POST /village-plans/<uid>/basic-info/actions/copy-previous/`` (issue 17): last year's
basic information copied as the F1 page's button does, with ``If-Match`` and ``?dry_run=1``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import AuditEntry
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang
from kehoach.plans.models import BasicInfo, EthnicGroup, VillagePlan
from kehoach.plans.tests.test_info import VALID, make_plan, save

from .test_villages import api_for

pytestmark = pytest.mark.django_db
API = "/api/v1"
SKIP = {"id", "plan_id", "created_at", "updated_at", "info_id"}
AUDIT_SKIP = {"id", "plan_uid", "subject_id", "subject_repr", "created_at", "at", "via"}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def commune() -> AdministrativeUnit:
    return hai_lang()


def with_last_year(commune: AdministrativeUnit, planner: Any, name: str) -> VillagePlan:
    village = VillageFactory.create(parent=commune, name=name)
    groups = [{"name": "Kinh", "households": 70, "persons": 280}]
    save(planner, make_plan(village, 2026), VALID, ethnic_groups=groups)
    return make_plan(village, 2027)


def url(plan: VillagePlan, dry: bool = False) -> str:
    tail = "?dry_run=1" if dry else ""
    return f"{API}/village-plans/{plan.uid}/basic-info/actions/copy-previous/{tail}"


def counts() -> tuple[int, int, int]:
    return BasicInfo.objects.count(), EthnicGroup.objects.count(), AuditEntry.objects.count()


def rows(plan: VillagePlan) -> tuple[Any, ...]:
    info = BasicInfo.objects.get(plan=plan)
    shown = {k: v for k, v in vars(info).items() if k not in SKIP and not k.startswith("_")}
    groups = list(info.ethnic_groups.values_list("name", "households", "persons"))
    history = [
        {k: v for k, v in vars(e).items() if k not in AUDIT_SKIP and not k.startswith("_")}
        for e in AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id")
    ]
    return shown, groups, history


def test_the_copy_through_the_api_leaves_the_pages_rows_and_history(
    commune: AdministrativeUnit,
) -> None:
    planner = commune_planner(commune)
    by_page = with_last_year(commune, planner, "Thôn Một")
    by_api = with_last_year(commune, planner, "Thôn Hai")
    client = Client()
    client.force_login(planner)
    page = client.post(reverse("plans:info_copy_previous", args=[by_page.uid]))
    assert page.status_code == 302
    api = api_for(planner)
    before = counts()

    assert api.post(url(by_api)).status_code == 428
    assert api.post(url(by_api), HTTP_IF_MATCH='"3"').status_code == 412
    dry = api.post(url(by_api, dry=True), HTTP_IF_MATCH='"0"')
    assert dry.status_code == 200 and dry.json()["dry_run"] is True
    assert counts() == before
    response = api.post(url(by_api), HTTP_IF_MATCH='"0"')

    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"1"' and response.json()["values"]["population"] is not None
    assert rows(by_api) == rows(by_page)
    assert AuditEntry.objects.get(plan_uid=by_api.uid).via == "api"
    again = api.post(url(by_api), HTTP_IF_MATCH='"1"')
    assert again.status_code == 400 and again.json()["code"] == "info_not_empty"


def test_nothing_to_copy_a_read_only_token_and_another_commune(
    commune: AdministrativeUnit,
) -> None:
    planner = commune_planner(commune)
    alone = make_plan(VillageFactory.create(parent=commune), 2027)
    other_commune = CommuneFactory.create(parent=commune.parent)
    elsewhere = with_last_year(other_commune, commune_planner(other_commune), "Thôn Ba")
    api = api_for(planner)
    before = counts()

    nothing = api.post(url(alone, dry=True), HTTP_IF_MATCH='"0"')
    reader = api_for(planner, scope=ApiTokenScope.READ)

    assert nothing.status_code == 400 and nothing.json()["code"] == "no_previous_info"
    assert reader.post(url(alone), HTTP_IF_MATCH='"0"').status_code == 403
    assert api.post(url(elsewhere), HTTP_IF_MATCH='"0"').status_code == 404
    assert counts() == before
