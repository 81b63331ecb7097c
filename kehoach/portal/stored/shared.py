"""A public page as every visitor without an account sees it, kept compressed.

A visitor with no session and no pending message sees exactly the same page as any other: the
pages carry no form token for them (the language form needs none, ``config/urls.py``), no name,
no message. Such a page of a published plan is kept in the cache, gzip-compressed, under what it
shows (``parts``: the published versions and the works' progress, as its ETag) with the address
and the language; the next visitor gets those bytes without rendering or compressing (a plan's
page is some 500 KB of HTML: its compression alone cost more than the rest of the request). A
visitor with a session (an account, a message) gets the page rendered for them.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from .fingerprints import BUILD, digest

_GZIP = re.compile(r"\bgzip\b")
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options")


def shared_visitor(request: HttpRequest) -> bool:
    """A visitor whose page is everyone's: no session (so no account) and no message."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def shared_page(
    request: HttpRequest, parts: tuple[Any, ...], build: Callable[[], HttpResponse]
) -> HttpResponse:
    """``build()``'s page for this visitor: for a shared visitor, the kept bytes of the page
    that shows ``parts`` at this address in this language (built and kept the first time)."""
    if not shared_visitor(request):
        return build()
    key = "page:" + digest(
        BUILD, request.path, request.META.get("QUERY_STRING", ""), get_language(), *parts
    )
    kept = cache.get(key)
    if kept is None:
        response = build()
        if response.status_code != 200 or response.cookies or response.streaming:
            return response  # something for this visitor only: never kept
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        kept = (headers, gzip.compress(response.content, compresslevel=6, mtime=0))
        cache.set(key, kept)
        return response
    headers, packed = kept
    if _GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        answer = HttpResponse(packed, headers=headers)
        answer["Content-Encoding"] = "gzip"  # the site's compression leaves it as it is
    else:
        answer = HttpResponse(gzip.decompress(packed), headers=headers)
    patch_vary_headers(answer, ("Accept-Encoding",))
    return answer


def weak_etag_if_packed(response: HttpResponse) -> HttpResponse:
    """A compressed answer's ETag is weak, as the site's compression makes it."""
    etag = response.get("ETag", "")
    if response.get("Content-Encoding") == "gzip" and etag.startswith('"'):
        response["ETag"] = "W/" + etag
    return response
