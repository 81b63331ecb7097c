"""Every text a user sends is normalised to Unicode NFC, without control characters (a NUL, a
stray \x01 pasted from another program), before any view sees it — an address with one is not
found; pages are compressed, files that are compressed already are not.

Vietnamese typed on macOS or pasted from some PDF readers arrives decomposed (NFD); stored
as is, "Hải" in NFD would not equal "Hải" in NFC and searches and uniqueness checks would
fail silently. Doing it once here means no form, service or importer can forget.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.middleware.gzip import GZipMiddleware

from .text import strip_controls


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", strip_controls(value))


def _normalised(data: QueryDict) -> QueryDict:
    if all(_clean(v) == v for values in data.lists() for v in values[1]) and all(
        _clean(k) == k for k in data
    ):
        return data
    copy = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        copy.setlist(_clean(key), [_clean(v) for v in values])
    copy._mutable = False
    return copy


class NormalizeTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if strip_controls(request.path) != request.path:
            # no address of ours has one ("/units/%00/"), and the database refuses a NUL
            raise Http404
        request.GET = _normalised(request.GET)  # type: ignore[assignment]
        if request.method == "POST":
            request.POST = _normalised(request.POST)  # type: ignore[assignment]
        return self.get_response(request)


class TextGZipMiddleware(GZipMiddleware):
    """Compresses pages (they go over slow links) but not files that are already compressed —
    photos, PDF, workbooks, archives — which only lose their length and gain nothing."""

    COMPRESSED = (
        "image/",
        "application/pdf",
        "application/zip",
        "application/vnd.openxmlformats",
        "application/vnd.oasis",
        "application/vnd.ms-excel",
    )

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> Any:
        if response.get("Content-Type", "").startswith(self.COMPRESSED):
            return response
        return super().process_response(request, response)
