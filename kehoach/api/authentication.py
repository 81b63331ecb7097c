"""Authentication of API requests by personal access token (``Authorization: Bearer``).

The secret is found through ``accounts.tokens`` (prefix, then digest compared in constant
time). An unknown, revoked or expired token, or a token of a deactivated user (checked on every
request, so it stops at once), is refused with 401 — the problem handler writes the body, and
``WWW-Authenticate: Bearer`` comes from ``authenticate_header``. ``request.auth`` is the token.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from kehoach.accounts.models import ApiToken, User
from kehoach.accounts.tokens import token_for_secret, token_touch

KEYWORD = "Bearer"


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer kh_…`` — a personal access token from the account page."""

    keyword = KEYWORD

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # another scheme, or none: the session may answer
        if len(parts) != 2:
            raise AuthenticationFailed(
                _("The Authorization header must be “Bearer” followed by the token."),
                code="token_malformed",
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        token = token_for_secret(secret)
        if token is None:
            raise AuthenticationFailed(_("This access token is not valid."), code="token_invalid")
        now = timezone.now()
        if token.revoked_at is not None:
            raise AuthenticationFailed(
                _("This access token has been revoked."), code="token_revoked"
            )
        if token.expires_at is not None and token.expires_at <= now:
            raise AuthenticationFailed(_("This access token has expired."), code="token_expired")
        if not token.user.is_active:
            raise AuthenticationFailed(
                _("The account of this access token is deactivated."), code="user_inactive"
            )
        token_touch(token, now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
