"""Errors of the API as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error of the API as a problem (to be completed: issue 17)."""
    return exception_handler(exc, context)
