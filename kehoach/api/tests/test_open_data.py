"""Open data through the API (issue 17 §7): the published commune plans without a token, under
the portal's rules — a draft, a submitted, a returned or an approved plan not published is
never there, nor its secret activity — and the lines of one are the open-data file's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tokens import token_create, token_revoke
from kehoach.geo.tests.factories import CommuneFactory, hai_lang, quang_tri
from kehoach.portal.opendata.datasets import COMMON
from kehoach.portal.tests.factories import SECRET, plan_in_state

pytestmark = pytest.mark.django_db
API = "/api/v1/open/plans/"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def world() -> dict[str, Any]:
    province = quang_tri()
    published = plan_in_state(hai_lang(), "published", village_names=["Thôn Đông Hà"])
    hidden = {}
    for index, state in enumerate(("draft", "submitted", "returned", "approved")):
        commune = CommuneFactory.create(parent=province, name=f"Xã Ẩn {index}")
        hidden[state] = plan_in_state(commune, state, village_names=[f"Thôn Ẩn {index}"])
    return {"published": published, "hidden": hidden}


def test_anyone_lists_the_published_plans_and_nothing_else(world: dict[str, Any]) -> None:
    response = APIClient().get(API)

    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "public, max-age=300"
    rows = response.json()["results"]
    plan = world["published"]["plan"]
    assert [(r["commune_code"], r["plan_year"], r["version"]) for r in rows] == [
        (plan.round.commune.code, 2027, 1)
    ]
    assert rows[0]["plan_uid"] == str(plan.uid) and rows[0]["resolution_number"]
    hidden_uids = {str(h["plan"].uid) for h in world["hidden"].values()}
    assert not hidden_uids & set(response.content.decode().split('"'))


def test_the_filters_narrow_to_a_unit_a_year_and_a_moment(world: dict[str, Any]) -> None:
    client = APIClient()
    assert len(client.get(f"{API}?unit=44").json()["results"]) == 1
    assert len(client.get(f"{API}?unit=19702&year=2027").json()["results"]) == 1
    assert client.get(f"{API}?year=2026").json()["results"] == []
    assert client.get(f"{API}?updated_since=2999-01-01").json()["results"] == []
    hidden = world["hidden"]["approved"]["commune"].code  # nothing published there
    missing = client.get(f"{API}?unit={hidden}", HTTP_ACCEPT_LANGUAGE="vi")
    assert missing.status_code == 404 and "công bố" in missing.json()["detail"]
    assert client.get(f"{API}?year=abc").status_code == 400


def test_one_plan_has_the_lines_of_the_open_data_file(world: dict[str, Any]) -> None:
    code = world["published"]["commune"].code
    response = APIClient().get(f"{API}{code}/2027/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["versions"] == [1] and body["province_code"] == "44"
    file = Client().get(
        reverse(
            "portal:open_data",
            kwargs={"code": code, "year": 2027, "dataset": "ke-hoach", "fmt": "json"},
        )
    )
    content = b"".join(file.streaming_content) if file.streaming else file.content  # type: ignore[attr-defined]
    own = [f.name for f in COMMON]
    rows = [{k: v for k, v in row.items() if k not in own} for row in json.loads(content)["rows"]]
    assert body["lines"] == rows and rows and rows[0]["activity"] == SECRET


def test_a_plan_not_published_or_a_version_not_published_is_not_found(
    world: dict[str, Any],
) -> None:
    client = APIClient()
    for state, made in world["hidden"].items():
        response = client.get(f"{API}{made['commune'].code}/2027/")
        assert response.status_code == 404, state
        assert SECRET not in response.content.decode()
    code = world["published"]["commune"].code
    assert client.get(f"{API}{code}/2027/?version=2").status_code == 404
    assert client.get(f"{API}{code}/2027/?version=1").status_code == 200
    assert client.get(f"{API}{code}/2027/?version=x").status_code == 400


def test_a_wrong_token_is_still_refused(world: dict[str, Any]) -> None:
    user = world["published"]["planner"]
    token, secret = token_create(user=user, name="Mở", scope=ApiTokenScope.READ, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(API).status_code == 200
    token_revoke(actor=user, token=token)
    assert client.get(API).status_code == 401


def test_the_list_answers_in_the_same_queries_for_a_page_of_one_and_of_many(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = APIClient()
    for index in range(3):
        commune = CommuneFactory.create(parent=quang_tri(), name=f"Xã Công Bố {index}")
        plan_in_state(commune, "published", village_names=[f"Thôn Công Bố {index}"])
    with django_assert_max_num_queries(3):
        assert len(client.get(f"{API}?page_size=1").json()["results"]) == 1
    with django_assert_max_num_queries(3):
        assert len(client.get(f"{API}?page_size=50").json()["results"]) == 4
