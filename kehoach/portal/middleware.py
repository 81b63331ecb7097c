"""The site's compression (``core.middleware.TextGZipMiddleware``), except for the portal's
stored open-data files, which are served as they were built (``stored.http.as_stored``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase

from kehoach.core.middleware import TextGZipMiddleware


class GZipMiddleware(TextGZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> Any:
        if getattr(response, "as_stored", False):
            return response
        return super().process_response(request, response)
