"""A published plan's page as every visitor without an account sees it: kept compressed once,
answered without rendering to the next such visitor; never to a visitor with an account or a
message, never once a new version or a progress report changed what it shows."""

from __future__ import annotations

import gzip

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehoach.monitoring.services.progress import progress_report_create

from .factories import followed_plan, report_data
from .test_stored_files import ADDED, _publish_amendment

pytestmark = pytest.mark.django_db

PLAN = "/cong-khai/xa/19702/2027/"


def _body(response: object) -> str:
    content = response.content  # type: ignore[attr-defined]
    if response.get("Content-Encoding") == "gzip":  # type: ignore[attr-defined]
        content = gzip.decompress(content)
    return str(content.decode())


def test_the_next_visitor_gets_the_kept_page_without_rendering_it() -> None:
    followed_plan()
    first = Client(HTTP_ACCEPT_ENCODING="gzip").get(PLAN)
    with CaptureQueriesContext(connection) as built:
        Client(HTTP_ACCEPT_ENCODING="gzip").get(f"{PLAN}?lan=1")  # another address: built
    with CaptureQueriesContext(connection) as kept:
        second = Client(HTTP_ACCEPT_ENCODING="gzip").get(PLAN)
    assert second.status_code == 200
    assert second["Content-Encoding"] == "gzip" and "Accept-Encoding" in second["Vary"]
    assert second["ETag"].startswith('W/"') and second["Cache-Control"] == "private, no-cache"
    assert _body(second) == _body(first)
    assert 'id="plan-lines"' in _body(second)
    assert len(kept.captured_queries) < len(built.captured_queries)
    assert not [q for q in kept.captured_queries if "portal_published" in q["sql"]]
    plain = Client().get(PLAN)  # a client that does not take gzip gets the page as it is
    assert not plain.has_header("Content-Encoding") and _body(plain) == _body(first)


def test_a_visitor_with_an_account_or_a_message_gets_their_own_page() -> None:
    world = followed_plan()
    Client().get(PLAN)
    Client().get(PLAN)
    signed_in = Client()
    signed_in.force_login(world["planner"])
    page = _body(signed_in.get(PLAN))
    assert world["planner"].username in page and 'name="csrfmiddlewaretoken"' in page
    assert world["planner"].username not in _body(Client().get(PLAN))
    with_message = Client()
    with_message.cookies["messages"] = "anything"
    assert with_message.get(PLAN).status_code == 200


def test_a_progress_report_or_a_new_version_is_shown_at_once() -> None:
    world = followed_plan()
    before = _body(Client().get(PLAN))
    progress_report_create(
        actor=world["planner"], line=world["road"], data=report_data(), disbursed={}
    )
    after = _body(Client().get(PLAN))
    assert after != before and 'id="works"' in after
    _publish_amendment(world)
    assert ADDED in _body(Client().get(PLAN)) and ADDED not in after


def test_each_language_has_its_page() -> None:
    followed_plan()
    vietnamese = _body(Client().get(PLAN))
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _body(english.get(PLAN))
    assert "Activities by sector" in page and "Activities by sector" not in vietnamese


def test_the_language_is_chosen_without_a_form_token() -> None:
    """The language form carries no token (so that a public page is everyone's); choosing a
    language works with CSRF checks on, and changes nothing but the language."""
    client = Client(enforce_csrf_checks=True)
    page = _body(client.get("/cong-khai/"))
    assert 'action="/i18n/setlang/"' in page and "csrfmiddlewaretoken" not in page
    answer = client.post("/i18n/setlang/", {"language": "en", "next": "/cong-khai/"})
    assert answer.status_code == 302 and answer["Location"] == "/cong-khai/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    away = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert away["Location"] == "/"  # never to another site
