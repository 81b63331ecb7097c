"""The "API access tokens" section of the account page (issue 17 §6)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kehoach.accounts.models import ApiToken, ApiTokenScope, User
from kehoach.accounts.tests.factories import UserFactory, commune_planner
from kehoach.accounts.tokens import digest_of, token_create
from kehoach.geo.tests.factories import hai_lang

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:password_change")
CREATE = reverse("accounts:api_token_create")


def logged_in(client: Client) -> User:
    user = commune_planner(hai_lang(), username="xa.hailang")
    client.force_login(user)
    return user


def test_the_page_lists_my_tokens_and_not_another_users(
    client: Client, django_assert_max_num_queries: object
) -> None:
    user = logged_in(client)
    for i in range(12):
        token_create(user=user, name=f"Khóa số {i}", scope=ApiTokenScope.READ, expires_at=None)
    mine, _secret = token_create(
        user=user,
        name="Hệ thống tài chính tỉnh",
        scope=ApiTokenScope.READ_WRITE,
        expires_at=timezone.make_aware(datetime.datetime(2099, 3, 5, 23, 59)),
    )
    token_create(
        user=UserFactory.create(), name="Khóa của người khác", scope="read", expires_at=None
    )

    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Khóa truy cập API" in html
    assert "Hệ thống tài chính tỉnh" in html and f"{mine.prefix}…" in html
    assert "Đọc và ghi" in html and "Chỉ đọc" in html
    assert "05/03/2099" in html and "Đang dùng được" in html
    assert "Khóa số 11" in html
    assert "Khóa của người khác" not in html
    assert mine.digest not in html


def test_creating_shows_the_secret_once_and_stores_only_its_digest(client: Client) -> None:
    user = logged_in(client)

    response = client.post(
        CREATE, {"name": "Bảng theo dõi chương trình", "scope": "read", "expires_on": "31/12/2099"}
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=user)
    secret = response.context["new_secret"]
    html = response.content.decode()
    assert secret.startswith("kh_") and secret in html
    assert "chỉ hiện ra một lần này" in html
    assert token.digest == digest_of(secret)
    assert token.scope == ApiTokenScope.READ
    assert timezone.localtime(token.expires_at).date() == datetime.date(2099, 12, 31)

    again = client.get(PAGE).content.decode()
    assert secret not in again
    assert f"{token.prefix}…" in again and "Bảng theo dõi chương trình" in again


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "scope": "read"}, "Hãy đặt cho khóa một tên nói rõ khóa dùng vào việc gì."),
        (
            {"name": "Hệ thống tỉnh", "scope": "read", "expires_on": "01/01/2020"},
            "Ngày hết hạn đã qua: hãy chọn một ngày sau đó, hoặc để trống.",
        ),
        ({"name": "Hệ thống tỉnh", "scope": "read", "expires_on": "31/02/2099"}, "31/02/2099"),
        ({"name": "Hệ thống tỉnh", "scope": "admin"}, "admin"),
    ],
)
def test_creating_refuses_bad_input_and_keeps_what_was_typed(
    client: Client, data: dict[str, str], message: str
) -> None:
    logged_in(client)

    response = client.post(CREATE, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "new-token-secret" not in html
    assert not ApiToken.objects.exists()
    if data["name"]:
        assert f'value="{data["name"]}"' in html


def test_revoking_my_token_stops_it(client: Client) -> None:
    user = logged_in(client)
    token, secret = token_create(user=user, name="Hệ thống tỉnh", scope="read", expires_at=None)

    response = client.post(reverse("accounts:api_token_revoke", args=[token.uid]), follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None
    html = response.content.decode()
    assert "Đã thu hồi khóa truy cập “Hệ thống tỉnh”." in html
    assert "Đã thu hồi ngày" in html
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me/").status_code == 401


def test_revoking_twice_says_so(client: Client) -> None:
    user = logged_in(client)
    token, _secret = token_create(user=user, name="Hệ thống tỉnh", scope="read", expires_at=None)
    url = reverse("accounts:api_token_revoke", args=[token.uid])
    client.post(url)

    response = client.post(url, follow=True)

    assert "Khóa truy cập này đã bị thu hồi từ trước." in response.content.decode()


def test_another_users_token_cannot_be_revoked(client: Client) -> None:
    logged_in(client)
    theirs, _secret = token_create(
        user=UserFactory.create(), name="Của người khác", scope="read", expires_at=None
    )

    response = client.post(reverse("accounts:api_token_revoke", args=[theirs.uid]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoking_is_a_post_and_needs_a_login(client: Client) -> None:
    owner = UserFactory.create()
    token, _secret = token_create(user=owner, name="Hệ thống", scope="read", expires_at=None)
    url = reverse("accounts:api_token_revoke", args=[token.uid])

    assert client.post(url).status_code == 302  # to the login page
    assert client.post(CREATE, {"name": "x", "scope": "read"}).status_code == 302
    client.force_login(owner)
    assert client.get(url).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_administrator_lists_tokens_read_only(client: Client) -> None:
    from kehoach.accounts.choices import Role
    from kehoach.accounts.tests.factories import user_with_role

    owner = UserFactory.create()
    token, _secret = token_create(user=owner, name="Hệ thống tỉnh", scope="read", expires_at=None)
    url = reverse("admin:accounts_apitoken_changelist")
    client.force_login(commune_planner(hai_lang()))
    assert client.get(url).status_code in (302, 403)

    client.force_login(user_with_role(Role.ADMIN, None, is_staff=True))
    html = client.get(url).content.decode()
    assert "Hệ thống tỉnh" in html and token.prefix in html
    assert token.digest not in html
    assert (
        client.post(reverse("admin:accounts_apitoken_delete", args=[token.pk])).status_code == 403
    )
    assert ApiToken.objects.filter(pk=token.pk).exists()
