"""Conditional answers: a strong ETag, Last-Modified, 304 to a client that has it already."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

FOREVER = "public, max-age=31536000, immutable"
"""An address that names a fingerprint: what it serves never changes."""
LATEST = "public, max-age=60, must-revalidate"
"""An address of "the latest": a client keeps it a minute, then asks again (a 304 if nothing
was published since)."""
PAGE = "private, no-cache"
"""A page carries the visitor's own form token and account links: the browser keeps it and asks
each time whether it changed (a 304 then costs a few queries, no rendering)."""


BLOCK = 1 << 16
"""Bytes a stored file is read and sent in when the server has no ``sendfile``
(``wsgi.file_wrapper``): a province's CSV in 150 pieces rather than Django's 2,500 of 4 KB."""


def as_stored(response: Any) -> Any:
    """A stored file answered as it was built: in blocks of ``BLOCK``, and never compressed on
    the way (``portal.middleware``): compressing a 20 MB file again on every download costs the
    server more than sending it, and would make its strong ETag weak; the reverse proxy may
    compress it (docs/deploy.md)."""
    response.block_size = BLOCK
    response.as_stored = True
    return response


def not_modified(
    request: HttpRequest, etag: str, changed: datetime.datetime | None
) -> HttpResponseBase | None:
    """The 304 answer when the client's copy is current (If-None-Match first, else
    If-Modified-Since), else None."""
    stamp = int(changed.timestamp()) if changed is not None else None
    answer: Any = get_conditional_response(request, etag=quote_etag(etag), last_modified=stamp)
    return answer


def validators(
    response: HttpResponseBase, etag: str, changed: datetime.datetime | None, cache: str
) -> HttpResponseBase:
    response["ETag"] = quote_etag(etag)
    if changed is not None:
        response["Last-Modified"] = http_date(int(changed.timestamp()))
    response["Cache-Control"] = cache
    return response
