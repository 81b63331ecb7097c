from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import override_settings

from kehoach.core.csp import HEADER, POLICY, ContentSecurityPolicyMiddleware

EXPECTED = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _through(response: HttpResponse, rf: Any) -> HttpResponse:
    def view(request: HttpRequest) -> HttpResponse:
        return response

    return ContentSecurityPolicyMiddleware(view)(rf.get("/"))


def test_the_policy_is_strict_and_written_once() -> None:
    assert POLICY == EXPECTED
    for loose in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "*", "http:", "https:"):
        assert loose not in POLICY


def test_every_html_page_gets_the_policy(rf: Any) -> None:
    page = _through(HttpResponse("<p>Thôn Diên Sanh</p>"), rf)
    xhtml = _through(HttpResponse("<p/>", content_type="application/xhtml+xml"), rf)
    svg = _through(HttpResponse("<svg/>", content_type="image/svg+xml; charset=utf-8"), rf)
    upper = _through(HttpResponse("<p/>", content_type="Text/HTML; charset=UTF-8"), rf)

    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert page[HEADER] == EXPECTED
    assert xhtml[HEADER] == EXPECTED
    assert svg[HEADER] == EXPECTED
    assert upper[HEADER] == EXPECTED


def test_files_and_data_are_left_alone(rf: Any) -> None:
    pdf = _through(HttpResponse(b"%PDF-1.7", content_type="application/pdf"), rf)
    data = _through(JsonResponse({"code": "19702"}), rf)
    script = _through(HttpResponse("var a;", content_type="text/javascript"), rf)

    assert HEADER not in pdf
    assert HEADER not in data
    assert json.loads(data.content) == {"code": "19702"}
    assert HEADER not in script


def test_a_page_with_a_policy_of_its_own_keeps_it(rf: Any) -> None:
    own = HttpResponse("<p/>")
    own[HEADER] = "default-src 'none'"

    assert _through(own, rf)[HEADER] == "default-src 'none'"


def test_error_pages_get_the_policy_when_debug_is_off(rf: Any) -> None:
    for status in (400, 403, 404, 409, 429, 500, 503):
        assert _through(HttpResponse("<h1>Lỗi</h1>", status=status), rf)[HEADER] == EXPECTED


@override_settings(DEBUG=True)
def test_only_djangos_technical_error_pages_go_without_it_in_development(rf: Any) -> None:
    assert HEADER not in _through(HttpResponse("<h1>Page not found</h1>", status=404), rf)
    assert HEADER not in _through(HttpResponse("<h1>Error</h1>", status=500), rf)
    assert _through(HttpResponse("<h1>Kế hoạch</h1>"), rf)[HEADER] == EXPECTED
    assert _through(HttpResponse("<h1>Cấm</h1>", status=403), rf)[HEADER] == EXPECTED
