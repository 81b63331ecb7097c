"""ApplicationErrorMiddleware: a refusal a view lets go becomes the right answer — 404 for
not found, 403 for not allowed, the message where the user is for any other refusal (issue 14)."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from kehoach.core.errors import (
    ApplicationError,
    ApplicationErrors,
    NotFoundError,
    PermissionDeniedError,
)
from kehoach.core.refusals import ApplicationErrorMiddleware

REFUSAL = ApplicationError("plan_frozen", "Kế hoạch đã trình phê duyệt: không sửa được nữa.")


def _middleware() -> ApplicationErrorMiddleware:
    return ApplicationErrorMiddleware(lambda request: HttpResponse())


def _with_messages(request: HttpRequest) -> HttpRequest:
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    request.user = AnonymousUser()
    return request


def test_not_found_is_a_404_and_not_allowed_a_403(rf: RequestFactory) -> None:
    request = _with_messages(rf.get("/plans/x/"))
    with pytest.raises(Http404):
        _middleware().process_exception(request, NotFoundError())
    with pytest.raises(PermissionDenied):
        _middleware().process_exception(request, PermissionDeniedError("Không có quyền."))


@pytest.mark.django_db
def test_a_refused_form_goes_back_to_its_page_with_the_message(rf: RequestFactory) -> None:
    request = _with_messages(
        rf.post("/plans/x/submit/", HTTP_REFERER="http://testserver/plans/x/?tab=approval")
    )
    response = _middleware().process_exception(request, REFUSAL)
    assert response is not None and response.status_code == 302
    assert response["Location"] == "/plans/x/?tab=approval"
    assert [str(m) for m in get_messages(request)] == [REFUSAL.message]


@pytest.mark.django_db
def test_a_refused_form_never_goes_back_to_another_site(rf: RequestFactory) -> None:
    request = _with_messages(rf.post("/plans/x/submit/", HTTP_REFERER="https://evil.example/"))
    response = _middleware().process_exception(request, REFUSAL)
    assert response is not None and response["Location"] == "/"


@pytest.mark.django_db
def test_a_refused_page_says_why(rf: RequestFactory) -> None:
    request = _with_messages(rf.get("/plans/x/diff/"))
    several = ApplicationErrors([REFUSAL, ApplicationError("other", "Dòng 2: thiếu tên.")])
    response = _middleware().process_exception(request, several)
    assert response is not None and response.status_code == 400
    page = response.content.decode()
    assert "Chưa thực hiện được" in page
    assert "Kế hoạch đã trình phê duyệt: không sửa được nữa.<br>Dòng 2: thiếu tên." in page


@pytest.mark.django_db
def test_an_htmx_refusal_is_put_at_the_top_of_the_page(rf: RequestFactory) -> None:
    request = _with_messages(
        rf.post("/plans/x/lines/y/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="/plans/x/")
    )
    response = _middleware().process_exception(request, REFUSAL)
    assert response is not None and response.status_code == 422
    assert response["HX-Retarget"] == "#main"
    assert response.content.decode() == (
        f'<p class="msg error refused" role="alert">{REFUSAL.message}</p>\n'
    )


def test_other_errors_are_left_to_django(rf: RequestFactory) -> None:
    assert _middleware().process_exception(rf.get("/"), ZeroDivisionError()) is None


@pytest.mark.django_db
def test_pages_let_htmx_show_a_422(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    found = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert found is not None
    rules = json.loads(found.group(1))["responseHandling"]
    codes = [rule["code"] for rule in rules]
    assert rules[codes.index("422")]["swap"] is True
    assert codes.index("422") < codes.index("[45]..")
