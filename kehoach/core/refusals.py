"""One place that turns a refusal into an answer (issue 14): views call services and let
their errors go.

- ``NotFoundError`` (missing or not the user's, design.md §1) → the 404 page;
- ``PermissionDeniedError`` → the 403 page;
- any other ``ApplicationError`` that a view did not attach to its form → the message, where
  the user is: for htmx a fragment at the top of the page's main area (status 422, swapped by
  the htmx-config of base.html); for a form sent without htmx the page it came from again with
  the message (303); for a page asked for, a page with the message (400).

Views with a form keep the values typed: they catch the error and attach it to the form
(``core.forms.ServiceErrorsMixin.add_service_error``) — that is the only ``except`` a view
needs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .conflicts import HTMX_SWAP, HTMX_TARGET, _is_htmx, _reload_url
from .errors import ApplicationError, NotFoundError, PermissionDeniedError

logger = logging.getLogger(__name__)


def refusal_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    context = {"message": error.message, "reload_url": _reload_url(request)}
    if _is_htmx(request):
        response = render(request, "errors/refused_fragment.html", context, status=422)
        response["HX-Retarget"] = HTMX_TARGET
        response["HX-Reswap"] = HTMX_SWAP
        return response
    if request.method == "POST":
        messages.error(request, error.message)
        return redirect(context["reload_url"], permanent=False)
    return render(request, "errors/400.html", context, status=400)


class ApplicationErrorMiddleware:
    """Next to last in MIDDLEWARE (``process_exception`` runs innermost first: the concurrent
    write middleware, last, answers lock failures before this one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFoundError):
            raise Http404 from exception
        if isinstance(exception, PermissionDeniedError):
            raise PermissionDenied(exception.message) from exception
        if isinstance(exception, ApplicationError):
            logger.info("Refused %s %s: %s", request.method, request.path, exception.code)
            return refusal_response(request, exception)
        return None
