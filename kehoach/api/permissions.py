"""Permission classes of the API. Rules about plans and units stay in the services and
``accounts.permissions``; these only say what a kind of credential may do."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from kehoach.accounts.models import ApiToken, ApiTokenScope


class TokenScope(BasePermission):
    """A read-only token may only read (GET, HEAD, OPTIONS): any write answers 403. A
    read-and-write token and the session are not limited here."""

    message = _("This access token may only read: create a read-and-write token to write.")
    code = "token_read_only"

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.scope != ApiTokenScope.READ_WRITE:
            return request.method in SAFE_METHODS
        return True
