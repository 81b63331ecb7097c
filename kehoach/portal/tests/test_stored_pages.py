"""Pages of published plans: the plan's tables rendered once per version and language, and an
ETag that answers 304 to the visitor who has the page — never to another visitor, and never
once a new version or a new progress report changed what the page shows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehoach.monitoring.services.progress import progress_report_create
from kehoach.portal.models import PublishedFragment

from .factories import followed_plan, report_data
from .test_stored_files import ADDED, _publish_amendment

pytestmark = pytest.mark.django_db

D = Decimal
PLAN = "/cong-khai/xa/19702/2027/"
PAGES = [PLAN, "/cong-khai/xa/19702/", "/cong-khai/tinh/44/"]


def _settled(client: Client, url: str) -> Any:
    """The page as a visitor who has its CSRF cookie already gets it (304 to its ETag)."""
    client.get(url)  # the visitor's first page gives it its CSRF cookie
    page = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304
    return page


def _again(client: Client, url: str, first: Any) -> int:
    return int(client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code)


@pytest.mark.parametrize("url", PAGES)
def test_a_page_answers_304_to_its_etag_and_200_to_another(client: Client, url: str) -> None:
    followed_plan()
    client.get(url)  # the visitor's first page gives it its CSRF cookie
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert first["Cache-Control"] == "private, no-cache"
    assert _again(client, url, first) == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_a_new_published_version_changes_every_page(client: Client, url: str) -> None:
    world = followed_plan()
    first = _settled(client, url)
    _publish_amendment(world)
    assert _again(client, url, first) == 200


def test_a_progress_report_changes_the_plan_page(client: Client) -> None:
    world = followed_plan()
    first = _settled(client, PLAN)
    progress_report_create(
        actor=world["planner"], line=world["road"], data=report_data(), disbursed={}
    )
    again = client.get(PLAN, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and 'id="works"' in again.content.decode()


def test_another_visitor_never_gets_a_304_for_someone_elses_page(client: Client) -> None:
    world = followed_plan()
    first = _settled(client, PLAN)
    assert settings.CSRF_COOKIE_NAME not in client.cookies  # the page has no form token
    assert _again(Client(), PLAN, first) == 304  # any visitor without an account: the same page
    signed_in = Client()
    signed_in.force_login(world["planner"])
    assert _again(signed_in, PLAN, first) == 200
    other_token = Client()  # a visitor who has a form token (from the login page)
    other_token.cookies[settings.CSRF_COOKIE_NAME] = "x" * 32
    assert _again(other_token, PLAN, first) == 200
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _again(english, PLAN, first) == 200


def test_the_plans_tables_are_rendered_once_per_version_and_language(client: Client) -> None:
    world = followed_plan()
    first = client.get(PLAN).content.decode()
    assert PublishedFragment.objects.count() == 1
    with CaptureQueriesContext(connection) as queries:
        second = Client().get(PLAN).content.decode()
    assert PublishedFragment.objects.count() == 1
    assert not [q for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert 'id="plan-lines"' in second and second.count('id="line-') == first.count('id="line-')
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Activities by sector" in english.get(PLAN).content.decode()
    assert PublishedFragment.objects.count() == 2
    _publish_amendment(world)
    assert ADDED in client.get(PLAN).content.decode()
    assert PublishedFragment.objects.count() == 3
    # version 1 is no longer the latest: its page (no "Progress" links) is another fragment
    earlier = client.get(f"{PLAN}v1/").content.decode()
    assert ADDED not in earlier and "/cong-trinh/" not in earlier
    assert PublishedFragment.objects.count() == 4
