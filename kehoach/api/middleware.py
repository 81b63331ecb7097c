"""Every request under ``/api/`` runs inside ``written_via(Via.API)``: the history rows its
writes leave say they came through the API (issue 17)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kehoach.core.channel import Via, written_via

API_PREFIX = "/api/"


class ApiWritesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        with written_via(Via.API):
            return self.get_response(request)
