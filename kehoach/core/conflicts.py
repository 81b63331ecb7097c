"""Two people saving at once: a lock or serialization failure becomes the conflict message.

Services already refuse a stale write with a message (an optimistic version check, a status
that moved on). What is left is the database refusing to wait: on SQLite a write lock held
longer than the busy timeout ("database is locked"), or a shared-cache table lock; on
PostgreSQL a serialization failure (40001), a deadlock (40P01) or a lock that could not be
taken in time (55P03). The transaction has rolled back by then, so nothing was written: the
user is told, in the sentence the other conflicts use, to reload and do it again (D43).

Only those failures are answered here; any other error goes on to Django's handling (500).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

from django.db import DatabaseError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
LOCK_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
# SQLite primary result codes (the low byte of an extended code): SQLITE_BUSY, SQLITE_LOCKED.
SQLITE_LOCK_CODES = frozenset({5, 6})
SQLITE_LOCK_MESSAGES = (
    "database is locked",
    "database table is locked",
    "database schema is locked",
)

# Where an htmx answer goes: the top of the page's main area, whatever the request targeted
# (a table row cannot hold a message). base.html lets htmx swap a 409 (htmx-config).
HTMX_TARGET = "#main"
HTMX_SWAP = "afterbegin show:top"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__  # Django wraps the driver's error with "raise ... from"


def is_write_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing a write because another one holds the lock or
    would conflict with it (and nothing else: a broken query or a full disk is not)."""
    if not isinstance(exc, DatabaseError):
        return False
    for error in _chain(exc):
        sqlstate = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if sqlstate:
            return sqlstate in LOCK_SQLSTATES
        if isinstance(error, sqlite3.Error):
            code = getattr(error, "sqlite_errorcode", None)
            if code is not None:
                return code & 0xFF in SQLITE_LOCK_CODES
    if isinstance(exc, OperationalError):
        message = str(exc).lower()
        return any(text in message for text in SQLITE_LOCK_MESSAGES)
    return False


def conflict_message() -> str:
    """The sentence of every other "someone else saved it first" refusal."""
    return _(
        "Someone else saved %(what)s after you opened it. Your changes were not saved; "
        "reload the page to see the saved values, then make your changes again."
    ) % {"what": _("this data")}


def _is_htmx(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _reload_url(request: HttpRequest) -> str:
    """The page to open again, as a path: the one the user came from (the form of a refused
    POST), or the page asked for itself; never another site."""
    candidates = [request.headers.get("Referer")]
    if request.method in ("GET", "HEAD") and not _is_htmx(request):
        candidates.insert(0, request.get_full_path())
    if _is_htmx(request):
        candidates.insert(0, request.headers.get("HX-Current-URL"))
    for url in candidates:
        if not url or not url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            continue
        parts = urlsplit(url)
        if parts.path.startswith("/") and not parts.path.startswith("//"):
            return urlunsplit(("", "", parts.path, parts.query, ""))
    return reverse("home")


def conflict_response(request: HttpRequest) -> HttpResponse:
    """409 with the conflict message: a fragment for htmx (put at the top of the page), a
    page of its own otherwise."""
    context = {"message": conflict_message(), "reload_url": _reload_url(request)}
    if _is_htmx(request):
        response = render(request, "errors/409_fragment.html", context, status=409)
        response["HX-Retarget"] = HTMX_TARGET
        response["HX-Reswap"] = HTMX_SWAP
        return response
    return render(request, "errors/409.html", context, status=409)


class ConcurrentWriteMiddleware:
    """Last in MIDDLEWARE, so that it sees a view's exception first (``process_exception``
    runs innermost first) and before Django turns it into a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_write_conflict(exception):
            return None
        logger.warning(
            "Concurrent write refused (409) on %s %s: %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            exception,
        )
        return conflict_response(request)
