"""Every text a user sends is normalised to Unicode NFC before any view sees it.

Vietnamese typed on macOS or pasted from some PDF readers arrives decomposed (NFD); stored
as is, "Hải" in NFD would not equal "Hải" in NFC and searches and uniqueness checks would
fail silently. Doing it once here means no form, service or importer can forget.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict


def _normalised(data: QueryDict) -> QueryDict:
    if not any(
        not unicodedata.is_normalized("NFC", v) for values in data.lists() for v in values[1]
    ):
        return data
    copy = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        copy.setlist(
            unicodedata.normalize("NFC", key), [unicodedata.normalize("NFC", v) for v in values]
        )
    copy._mutable = False
    return copy


class NormalizeTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _normalised(request.GET)  # type: ignore[assignment]
        if request.method == "POST":
            request.POST = _normalised(request.POST)  # type: ignore[assignment]
        return self.get_response(request)
