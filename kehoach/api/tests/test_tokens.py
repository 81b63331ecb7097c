"""Personal access tokens (issue 17 §6): the service, Bearer authentication, scope, throttle."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from kehoach.accounts.choices import Role
from kehoach.accounts.models import ApiToken, ApiTokenScope, User
from kehoach.accounts.tests.factories import UserFactory, commune_planner, user_with_role
from kehoach.accounts.tokens import (
    MAX_LIVE_TOKENS_PER_USER,
    token_create,
    token_for_secret,
    token_revoke,
)
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import hai_lang

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def planner() -> User:
    return commune_planner(hai_lang(), username="xa.hailang")


def make_token(
    user: User,
    scope: str = ApiTokenScope.READ_WRITE,
    expires_at: datetime.datetime | None = None,
    name: str = "Hệ thống tài chính tỉnh",
) -> tuple[ApiToken, str]:
    return token_create(user=user, name=name, scope=scope, expires_at=expires_at)


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def assert_refused(response: object, code: str) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response["WWW-Authenticate"].startswith("Bearer")  # type: ignore[index]
    assert response["Content-Type"].startswith("application/problem+json")  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == 401
    assert body["code"] == code
    assert body["detail"]


# --- the service ------------------------------------------------------------------------


def test_create_returns_the_secret_once_and_stores_only_its_digest() -> None:
    user = planner()
    token, secret = make_token(user, expires_at=timezone.now() + datetime.timedelta(days=30))

    assert secret.startswith("kh_") and len(secret) == 43
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:8]
    assert stored.user == user and stored.name == "Hệ thống tài chính tỉnh"
    assert stored.scope == ApiTokenScope.READ_WRITE
    values = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert secret not in values and secret[8:] not in "".join(values)
    # a second token has another secret
    _other, second = make_token(user)
    assert second != secret
    assert token_for_secret(secret) == token
    assert token_for_secret(second[:-1] + ("A" if second[-1] != "A" else "B")) is None


def test_create_refuses_an_empty_name_and_a_past_expiry() -> None:
    user = planner()
    with pytest.raises(ApplicationError) as empty:
        make_token(user, name="   ")
    assert empty.value.code == "token_name_required"
    assert empty.value.where.field == "name"
    assert empty.value.message == "Hãy đặt cho khóa một tên nói rõ khóa dùng vào việc gì."

    with pytest.raises(ApplicationError) as past:
        make_token(user, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert past.value.code == "token_expiry_past"
    assert past.value.where.field == "expires_at"
    assert "đã qua" in past.value.message

    with pytest.raises(ApplicationErrors) as both:
        make_token(user, name="", expires_at=timezone.now() - datetime.timedelta(days=1))
    assert [e.code for e in both.value.errors] == ["token_name_required", "token_expiry_past"]
    assert not ApiToken.objects.exists()


def test_at_most_twenty_live_tokens_per_user_revoked_and_expired_do_not_count() -> None:
    user = planner()
    tokens = [make_token(user, name=f"Khóa {i}")[0] for i in range(MAX_LIVE_TOKENS_PER_USER)]
    with pytest.raises(ApplicationError) as refused:
        make_token(user, name="Một khóa nữa")
    assert refused.value.code == "token_limit_reached"
    assert "20" in refused.value.message

    token_revoke(actor=user, token=tokens[0])
    ApiToken.objects.filter(pk=tokens[1].pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    make_token(user, name="Thay khóa 0")
    make_token(user, name="Thay khóa 1")
    with pytest.raises(ApplicationError):
        make_token(user, name="Quá giới hạn")
    # another user has their own limit
    make_token(UserFactory.create(), name="Khóa của người khác")


def test_a_user_revokes_only_their_own_token_an_admin_any() -> None:
    owner = planner()
    token, _secret = make_token(owner)
    other = UserFactory.create()
    with pytest.raises(NotFoundError):
        token_revoke(actor=other, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None

    admin = user_with_role(Role.ADMIN, None)
    token_revoke(actor=admin, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None

    mine, _ = make_token(owner, name="Khóa thứ hai")
    token_revoke(actor=owner, token=mine)
    with pytest.raises(ApplicationError) as again:
        token_revoke(actor=owner, token=mine)
    assert again.value.code == "token_already_revoked"


# --- authentication ---------------------------------------------------------------------


def test_a_request_with_the_token_authenticates_as_its_user() -> None:
    user = planner()
    token, secret = make_token(user, scope=ApiTokenScope.READ)

    response = bearer(secret).get(ME)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["username"] == "xa.hailang"
    assert body["full_name"] == user.full_name
    assert body["roles"] == [
        {
            "role": "commune_planner",
            "role_label": "Cán bộ kế hoạch xã",
            "unit_code": "19702",
            "unit_name": "Xã Hải Lăng",
        }
    ]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_without_credentials_the_answer_is_401_with_a_bearer_challenge() -> None:
    response = APIClient().get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_session_still_authenticates() -> None:
    client = APIClient()
    client.force_login(planner())
    assert client.get(ME).json()["username"] == "xa.hailang"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("wrong", "token_invalid"),
        ("revoked", "token_revoked"),
        ("expired", "token_expired"),
        ("inactive", "user_inactive"),
        ("malformed", "token_malformed"),
    ],
)
def test_refused_tokens_answer_401_problems(case: str, code: str) -> None:
    user = planner()
    token, secret = make_token(user)
    header = f"Bearer {secret}"
    if case == "wrong":
        header = f"Bearer kh_{'x' * 40}"
    elif case == "revoked":
        token_revoke(actor=user, token=token)
    elif case == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    elif case == "inactive":
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif case == "malformed":
        header = f"Bearer {secret} extra"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert_refused(client.get(ME), code)


def test_a_deactivated_users_token_stops_at_once() -> None:
    user = planner()
    _token, secret = make_token(user)
    client = bearer(secret)
    assert client.get(ME).status_code == 200

    user.is_active = False
    user.save(update_fields=["is_active"])

    assert_refused(client.get(ME), "user_inactive")


def test_refusal_is_in_english_with_accept_language_en() -> None:
    user = planner()
    token, secret = make_token(user)
    token_revoke(actor=user, token=token)
    client = bearer(secret)
    assert "thu hồi" in client.get(ME).json()["detail"]
    english = client.get(ME, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert english == "This access token has been revoked."


def test_last_used_is_written_at_most_once_a_minute() -> None:
    token, secret = make_token(planner())
    client = bearer(secret)

    def updates_of_one_request() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ME).status_code == 200
        return sum(
            1
            for q in queries.captured_queries
            if q["sql"].startswith("UPDATE") and "accounts_apitoken" in q["sql"]
        )

    assert updates_of_one_request() == 1
    token.refresh_from_db()
    first_use = token.last_used_at
    assert updates_of_one_request() == 0
    token.refresh_from_db()
    assert token.last_used_at == first_use

    two_minutes_ago = timezone.now() - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=two_minutes_ago)
    assert updates_of_one_request() == 1
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > two_minutes_ago


# --- scope ------------------------------------------------------------------------------


def test_a_read_token_may_not_write_a_read_write_token_may() -> None:
    user = planner()
    _read, read_secret = make_token(user, scope=ApiTokenScope.READ, name="Chỉ đọc")
    _write, write_secret = make_token(user, scope=ApiTokenScope.READ_WRITE, name="Đọc và ghi")

    refused = bearer(read_secret).post(ME, {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "token_read_only"
    assert bearer(read_secret).get(ME).status_code == 200
    # the read-write token passes the scope check: /me/ itself has no POST
    assert bearer(write_secret).post(ME, {}, format="json").status_code == 405


# --- throttling -------------------------------------------------------------------------


@override_settings(KEHOACH_API_RATE="2/min")
def test_throttle_answers_429_past_the_rate_per_token() -> None:
    user = planner()
    _first, first_secret = make_token(user, name="Một")
    _second, second_secret = make_token(user, name="Hai")
    client = bearer(first_secret)
    assert [client.get(ME).status_code for _ in range(2)] == [200, 200]

    throttled = client.get(ME)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    # counted per token: the user's other token still has its own allowance
    assert bearer(second_secret).get(ME).status_code == 200


@override_settings(KEHOACH_API_RATE="2/min")
def test_throttle_keys_a_session_by_user() -> None:
    client = APIClient()
    client.force_login(planner())
    assert [client.get(ME).status_code for _ in range(3)] == [200, 200, 429]
    other = APIClient()
    other.force_login(UserFactory.create())
    assert other.get(ME).status_code == 200
