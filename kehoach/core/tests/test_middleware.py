from __future__ import annotations

import unicodedata

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
