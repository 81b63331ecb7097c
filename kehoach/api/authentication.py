"""Authentication of API requests by personal access token (``Authorization: Bearer``)."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request


class TokenAuthentication(BaseAuthentication):
    """A personal access token (to be completed: issue 17)."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        return None
