"""Personal access tokens for the API (issue 17 §6): create, revoke, find by secret.

A secret is ``kh_`` followed by 40 characters of ``secrets.token_urlsafe``; it is shown once,
when it is created. The row keeps its SHA-256 digest (hex) and its first 8 characters
(``prefix``), which find the candidate rows; digests are compared with ``hmac.compare_digest``.
Creating and revoking write the token row and nothing else.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where

from .models import ApiToken, ApiTokenQuerySet, ApiTokenScope, User
from .permissions import is_system_admin

SECRET_START = "kh_"
SECRET_RANDOM_LENGTH = 40
SECRET_LENGTH = len(SECRET_START) + SECRET_RANDOM_LENGTH
PREFIX_LENGTH = 8
MAX_LIVE_TOKENS_PER_USER = 20
TOUCH_EVERY = datetime.timedelta(minutes=1)
"""``last_used_at`` is written at most once a minute per token."""

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


def new_secret() -> str:
    # token_urlsafe(30) encodes 30 random bytes as exactly 40 URL-safe characters
    return SECRET_START + secrets.token_urlsafe(30)[:SECRET_RANDOM_LENGTH]


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def tokens_of(*, user: Any) -> ApiTokenQuerySet:
    """The user's own tokens, newest first (the account page)."""
    return ApiToken.objects.filter(user_id=user.pk or 0).order_by("-created_at", "-id")


def token_get_for_user(*, user: Any, uid: Any) -> ApiToken:
    """The token ``uid`` if the user may act on it (their own; an administrator: any);
    another user's token is "not found"."""
    tokens = ApiToken.objects.select_related("user")
    if not is_system_admin(user):
        tokens = tokens.filter(user_id=user.pk or 0)
    token = tokens.filter(uid=uid).first()
    if token is None:
        raise NotFoundError(_("This access token does not exist."))
    return token


def token_create(
    *, user: User, name: str, scope: str, expires_at: datetime.datetime | None
) -> tuple[ApiToken, str]:
    """A new token of ``user`` and its secret (shown once, never stored)."""
    name = (name or "").strip()
    problems: list[ApplicationError] = []
    if not name:
        problems.append(
            ApplicationError(
                "token_name_required",
                _("Give the token a name that says what it is for."),
                Where(field="name"),
            )
        )
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(
            ApplicationError(
                "token_name_too_long",
                _("The name may have at most %(max)d characters.") % {"max": NAME_MAX_LENGTH},
                Where(field="name"),
            )
        )
    if scope not in ApiTokenScope.values:
        problems.append(
            ApplicationError(
                "token_scope_invalid",
                _("Choose what the token may do: read only, or read and write."),
                Where(field="scope"),
            )
        )
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        problems.append(
            ApplicationError(
                "token_expiry_past",
                _("The expiry date has passed: choose a later date, or none."),
                Where(field="expires_at"),
            )
        )
    if problems:
        raise problems[0] if len(problems) == 1 else ApplicationErrors(problems)
    with transaction.atomic():
        # one creation at a time per user, so the limit holds under concurrent requests
        User.objects.select_for_update().filter(pk=user.pk).first()
        if tokens_of(user=user).live(now).count() >= MAX_LIVE_TOKENS_PER_USER:
            raise ApplicationError(
                "token_limit_reached",
                _(
                    "You already have %(max)d access tokens in use: revoke one you no longer "
                    "need before creating another."
                )
                % {"max": MAX_LIVE_TOKENS_PER_USER},
            )
        secret = new_secret()
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:PREFIX_LENGTH],
            digest=digest_of(secret),
            scope=scope,
            expires_at=expires_at,
        )
    return token, secret


def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke ``token``: it stops working at once. A user revokes their own tokens only, an
    administrator any; another user's token is "not found"."""
    if token.user_id != actor.pk and not is_system_admin(actor):
        raise NotFoundError(_("This access token does not exist."))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise ApplicationError(
                "token_already_revoked", _("This access token has already been revoked.")
            )
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    token.revoked_at = locked.revoked_at
    return token


def token_for_secret(secret: str) -> ApiToken | None:
    """The token whose secret this is (revoked and expired ones too: the caller says why it
    refuses them), with its user; ``None`` for an unknown secret."""
    if not secret.startswith(SECRET_START) or len(secret) != SECRET_LENGTH:
        return None
    digest = digest_of(secret)
    candidates = ApiToken.objects.select_related("user").filter(prefix=secret[:PREFIX_LENGTH])
    for token in candidates:
        if hmac.compare_digest(token.digest, digest):
            return token
    return None


def token_touch(token: ApiToken, now: datetime.datetime | None = None) -> None:
    """Record that the token was used: at most one UPDATE a minute (the condition in the UPDATE
    keeps concurrent requests from writing twice)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_EVERY)
    ).update(last_used_at=now)
    token.last_used_at = now
