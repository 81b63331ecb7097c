"""Rate limit of the API: per token for a token, per user for the session, per address for
an anonymous request. The rate is ``settings.KEHOACH_API_RATE`` ("600/min" by default), read at
every request. The counts live in the default cache (per process with the local-memory cache;
docs/deploy.md says how to share one cache between workers)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from kehoach.accounts.models import ApiToken

DEFAULT_RATE = "600/min"


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str:
        return str(getattr(settings, "KEHOACH_API_RATE", DEFAULT_RATE) or DEFAULT_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str:
        token = request.auth
        if isinstance(token, ApiToken):
            ident = f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
