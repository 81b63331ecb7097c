"""Errors of the API as RFC 9457 problem details (``application/problem+json``).

Every error an endpoint answers goes through ``problem_handler`` (``REST_FRAMEWORK
["EXCEPTION_HANDLER"]``), the one place where a refusal becomes an answer (style.md): views
call services and selectors and let their errors go. A problem is::

    {
      "type": "https://kehoach.vn/problems/priority_invalid",
      "title": "Yêu cầu bị từ chối",
      "status": 400,
      "detail": "Dòng 3: mức ưu tiên phải là 1, 2 hoặc 3.",
      "code": "priority_invalid",
      "where": {"field": "priority", "line": 3},
      "errors": [{"code": "…", "detail": "…", "where": {…}}, …]
    }

``type`` is a stable name (a URI, as RFC 9457 asks), not a page to open: a program compares it
(or ``code``, the same stable code the services raise) and never fetches it. ``title`` says
what kind of problem (one per status), ``detail`` this occurrence, in the language the request
asked for (``Accept-Language``, selected by Django's LocaleMiddleware: Vietnamese unless
``en``). ``where`` says the field and, for a batch, the line of the request (1 for its first
item) or the sheet/line/column of a workbook. ``errors`` lists each problem when there are
several. A stale write (``If-Match`` on an older version) may carry ``current``, the values
saved now; a line changed by someone else carries ``differences``.

The statuses: an ``ApplicationError`` is 400, ``NotFoundError`` 404 (a missing object and
another unit's object alike), ``PermissionDeniedError`` 403, a version conflict (code
``conflict``: someone saved first) 412, the database refusing a write held by another one
(``core.conflicts``) 409; a request DRF refuses keeps its status (401 with ``WWW-Authenticate:
Bearer``, 405, 406, 415, 429 with ``Retry-After``); anything else is logged and answered 500
with no internals.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import set_rollback

from kehoach.core import views as core_views
from kehoach.core.conflicts import conflict_message, is_write_conflict
from kehoach.core.errors import (
    ApplicationError,
    NotFoundError,
    PermissionDeniedError,
    Where,
)

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://kehoach.vn/problems/"
"""``type`` is ``TYPE_BASE + code``: a name that never changes, not a page."""

AUTHENTICATE = 'Bearer realm="kehoach"'


class PreconditionFailed(exceptions.APIException):
    """412: the ``If-Match`` of a write names an older version; ``current`` (the values saved
    now, as the endpoint serialises them) goes into the problem."""

    status_code = 412
    default_code = "conflict"
    default_detail = gettext_lazy(
        "Someone else saved this data after you read it. Nothing was saved; read it again "
        "and make your change on the current version."
    )

    def __init__(self, current: Mapping[str, Any] | None = None, detail: str | None = None):
        super().__init__(detail)
        self.current = dict(current) if current is not None else None


class PreconditionRequired(exceptions.APIException):
    """428: a write without ``If-Match``."""

    status_code = 428
    default_code = "precondition_required"
    default_detail = gettext_lazy(
        "Send the version you read in an If-Match header (the ETag of the last read)."
    )


def _titles() -> dict[int, str]:
    return {
        400: _("The request was refused"),
        401: _("Authentication required"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflicting write"),
        412: _("Changed since you read it"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        428: _("Version required"),
        429: _("Too many requests"),
        500: _("Server error"),
    }


def _details() -> dict[str, str]:
    """Our own sentences for DRF's refusals (DRF's catalogue has few Vietnamese ones)."""
    return {
        "not_authenticated": _(
            "Sign in or send a personal access token in the Authorization header "
            "(Authorization: Bearer <token>)."
        ),
        "authentication_failed": _(
            "The access token is not valid: it is wrong, revoked or expired, or its user is "
            "deactivated."
        ),
        "permission_denied": _("You are not allowed to do this."),
        "not_found": _("Not found, or not in your units."),
        "method_not_allowed": _("This address does not accept the method %(method)s."),
        "not_acceptable": _("This address answers only JSON (application/json)."),
        "unsupported_media_type": _(
            "Send the request body as JSON (Content-Type: application/json)."
        ),
        "parse_error": _("The request body is not valid JSON."),
        "invalid": _("The request has problems; each one is listed in errors."),
        "server_error": _(
            "Something went wrong on the server. The error was recorded; try again later."
        ),
    }


# DRF's field messages that a client of the API meets most, so that they are in our catalogue
# (Django prefers LOCALE_PATHS to DRF's own, nearly empty, Vietnamese catalogue).
DRF_FIELD_MESSAGES = (
    gettext_lazy("This field is required."),
    gettext_lazy("This field may not be null."),
    gettext_lazy("This field may not be blank."),
    gettext_lazy("Not a valid string."),
    gettext_lazy("A valid integer is required."),
    gettext_lazy("A valid number is required."),
    gettext_lazy("Must be a valid boolean."),
    gettext_lazy("Must be a valid UUID."),
    gettext_lazy("Enter a valid email address."),
    gettext_lazy('"{input}" is not a valid choice.'),
    gettext_lazy("Ensure this field has no more than {max_length} characters."),
    gettext_lazy("Ensure this value is less than or equal to {max_value}."),
    gettext_lazy("Ensure this value is greater than or equal to {min_value}."),
    gettext_lazy("Ensure that there are no more than {max_digits} digits in total."),
    gettext_lazy("Ensure that there are no more than {max_decimal_places} decimal places."),
    gettext_lazy("Date has wrong format. Use one of these formats instead: {format}."),
    gettext_lazy('Expected a list of items but got type "{input_type}".'),
    gettext_lazy("Invalid data. Expected a dictionary, but got {datatype}."),
    gettext_lazy('Invalid pk "{pk_value}" - object does not exist.'),
    gettext_lazy("Object with {slug_name}={value} does not exist."),
    gettext_lazy("Invalid cursor"),
)


def problem_type(code: str) -> str:
    return f"{TYPE_BASE}{code}"


def where_of(where: Where) -> dict[str, Any]:
    """``Where`` as the API says it: ``field``, ``line`` (a workbook's row or a batch's item),
    ``sheet`` and ``column`` when known."""
    found: dict[str, Any] = {}
    if where.field:
        found["field"] = where.field
    if where.row is not None:
        found["line"] = where.row
    if where.sheet:
        found["sheet"] = where.sheet
    if where.column:
        found["column"] = where.column
    return found


def _entry(error: ApplicationError) -> dict[str, Any]:
    return {"code": error.code, "detail": str(error.message), "where": where_of(error.where)}


def problem(
    status: int, code: str, detail: str, *, title: str | None = None, **members: Any
) -> dict[str, Any]:
    """The body of a problem; ``members`` are extensions (``where``, ``errors``, ``current``)."""
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": title or _titles().get(status, _("The request was refused")),
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update({key: value for key, value in members.items() if value is not None})
    return body


def _validation_entries(
    detail: Any, path: tuple[str, ...] = (), line: int | None = None
) -> Iterator[dict[str, Any]]:
    """One entry per message of a DRF ``ValidationError``, its field a dotted path without the
    list positions, its line the position (from 1) in the first list of the request."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            named = path if key in ("non_field_errors", "detail") else (*path, str(key))
            yield from _validation_entries(value, named, line)
    elif isinstance(detail, list):
        if any(isinstance(item, Mapping | list) for item in detail):
            for index, item in enumerate(detail):
                yield from _validation_entries(item, path, index + 1 if line is None else line)
        else:
            for item in detail:
                yield from _validation_entries(item, path, line)
    else:
        where: dict[str, Any] = {}
        if path:
            where["field"] = ".".join(path)
        if line is not None:
            where["line"] = line
        code = getattr(detail, "code", None) or "invalid"
        yield {"code": str(code), "detail": str(detail), "where": where}


def _application_problem(exc: ApplicationError) -> tuple[int, dict[str, Any]]:
    several = getattr(exc, "errors", None)
    if isinstance(exc, NotFoundError):
        given = str(exc.message)
        detail = given if given != "not found" else _details()["not_found"]
        return 404, problem(404, "not_found", detail)
    if isinstance(exc, PermissionDeniedError):
        return 403, problem(403, exc.code, str(exc.message))
    status = 412 if exc.code == "conflict" else 400
    members: dict[str, Any] = {"where": where_of(exc.where) or None}
    if several and len(several) > 1:
        members["errors"] = [_entry(item) for item in several]
        detail = ngettext(
            "The request has %(count)d problem; it is listed in errors.",
            "The request has %(count)d problems; each one is listed in errors.",
            len(several),
        ) % {"count": len(several)}
        return status, problem(status, exc.code, detail, **members)
    if several:
        members["errors"] = [_entry(item) for item in several]
    differences = getattr(exc, "differences", None)
    if differences:
        members["differences"] = [
            {"field": d.field, "label": str(d.label), "saved": d.saved, "yours": d.yours}
            for d in differences
        ]
    return status, problem(status, exc.code, str(exc.message), **members)


def _drf_problem(exc: exceptions.APIException, request: Any) -> tuple[int, dict[str, Any]]:
    code = str(getattr(exc.detail, "code", None) or exc.default_code)
    if isinstance(exc, exceptions.ValidationError):
        entries = list(_validation_entries(exc.detail))
        if len(entries) == 1:
            only = entries[0]
            return 400, problem(
                400, only["code"], only["detail"], where=only["where"] or None, errors=entries
            )
        return 400, problem(400, "invalid", _details()["invalid"], errors=entries)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        status = 401  # DRF would make it 403 when no authenticator names a scheme; ours is Bearer
    else:
        status = exc.status_code
    ours = _details().get(exc.default_code)
    given = exc.detail if isinstance(exc.detail, str) else None
    if isinstance(exc, exceptions.MethodNotAllowed):
        detail = _details()["method_not_allowed"] % {"method": getattr(request, "method", "")}
    elif isinstance(exc, exceptions.Throttled):
        wait = exc.wait or 1
        detail = ngettext(
            "Too many requests with this token. Try again in %(count)d second.",
            "Too many requests with this token. Try again in %(count)d seconds.",
            wait,
        ) % {"count": wait}
    elif (
        given is not None
        and str(given) != str(exc.default_detail)
        and not isinstance(exc, exceptions.UnsupportedMediaType | exceptions.ParseError)
    ):
        detail = str(given)  # a sentence of the endpoint's own
    else:
        detail = ours or str(exc.detail)
    return status, problem(status, code, detail, current=getattr(exc, "current", None))


class ProblemResponse(Response):
    """Always JSON, whatever renderer the endpoint negotiated (the schema view's is YAML)."""

    @property
    def rendered_content(self) -> Any:
        self.accepted_renderer = JSONRenderer()
        self.accepted_media_type = MEDIA_TYPE
        return super().rendered_content


def problem_response(status: int, body: dict[str, Any], **headers: str) -> Response:
    return ProblemResponse(body, status=status, headers=headers or None, content_type=MEDIA_TYPE)


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error of the API as a problem (module docstring)."""
    request = context.get("request")
    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)

    if isinstance(exc, ApplicationError):
        status, body = _application_problem(exc)
    elif isinstance(exc, exceptions.APIException):
        status, body = _drf_problem(exc, request)
        if status == 401:
            headers["WWW-Authenticate"] = getattr(exc, "auth_header", None) or AUTHENTICATE
        wait = getattr(exc, "wait", None)
        if status == 429:
            headers["Retry-After"] = str(wait or 1)
    elif is_write_conflict(exc):
        logger.warning("Concurrent write refused (409) on the API: %s", exc)
        status, body = 409, problem(409, "write_conflict", conflict_message())
    else:
        if settings.DEBUG:
            return None  # Django's technical page in development
        logger.error("Internal error of the API", exc_info=exc)
        # as Django does for an uncaught exception: the test client re-raises it in the test
        got_request_exception.send(sender=None, request=getattr(request, "_request", None))
        status, body = 500, problem(500, "server_error", _details()["server_error"])
    set_rollback()
    return problem_response(status, body, **headers)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """A path under /api/ that no endpoint answers (config/urls.py, after the API's own):
    a problem too, not the 404 page of the site."""
    body = problem(404, "not_found", _details()["not_found"])
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=404, content_type=MEDIA_TYPE)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 404 (config/urls.py): a problem under /api/ (a path a middleware refused
    before any endpoint ran), the 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return not_found(request)
    return core_views.not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    """The site's 500: a problem without internals under /api/, the 500 page elsewhere."""
    if request.path.startswith("/api/"):
        body = problem(500, "server_error", _details()["server_error"])
        return HttpResponse(
            json.dumps(body, ensure_ascii=False), status=500, content_type=MEDIA_TYPE
        )
    return core_views.server_error(request)
