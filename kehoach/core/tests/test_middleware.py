from __future__ import annotations

import unicodedata
from typing import Any, cast

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from kehoach.core.middleware import NormalizeTextMiddleware


def test_every_submitted_text_reaches_the_view_in_nfc() -> None:
    seen: dict[str, str] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["post"] = request.POST["name"]
        seen["get"] = request.GET["q"]
        return HttpResponse()

    nfd = unicodedata.normalize("NFD", "Thôn Đông Dương")
    request = RequestFactory().post(f"/?q={nfd}", {"name": nfd})

    NormalizeTextMiddleware(view)(request)

    assert seen["post"] == "Thôn Đông Dương"
    assert unicodedata.is_normalized("NFC", seen["post"])
    assert unicodedata.is_normalized("NFC", seen["get"])
    assert seen["post"] != nfd


def test_pages_are_compressed_but_files_already_compressed_are_not(rf: Any) -> None:
    from kehoach.core.middleware import TextGZipMiddleware

    body = "Kế hoạch phát triển kinh tế – xã hội. " * 200
    middleware = TextGZipMiddleware(lambda request: HttpResponse(body))
    page = cast(HttpResponse, middleware(rf.get("/", HTTP_ACCEPT_ENCODING="gzip")))
    assert page["Content-Encoding"] == "gzip"

    def photo(request: Any) -> HttpResponse:
        return HttpResponse(b"\xff\xd8" + b"0" * 4000, content_type="image/jpeg")

    served = cast(HttpResponse, TextGZipMiddleware(photo)(rf.get("/", HTTP_ACCEPT_ENCODING="gzip")))
    assert not served.has_header("Content-Encoding")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/national/2027/%00/", "/units/44%00/", "/cong-khai/tinh/%01/", "/cdp/%00/", "/x%00y/"],
)
def test_an_address_with_a_control_character_is_not_found(client: Any, url: str) -> None:
    """A NUL in a path segment reached the database, which refuses it (a 500 on PostgreSQL)."""
    from kehoach.accounts.models import User

    client.force_login(User.objects.create_superuser("quantri-nul", password="x"))
    assert client.get(url).status_code == 404
    assert client.get("/national/2027/").status_code == 200  # an address without one works
