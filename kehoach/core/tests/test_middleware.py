from __future__ import annotations

import unicodedata
from typing import Any, cast

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
