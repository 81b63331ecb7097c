from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import PASSWORD, UserFactory, commune_planner, user_with_role
from kehoach.geo.tests.factories import hai_lang

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese_and_logging_in_lands_on_my_units(client: Client) -> None:
    planner = commune_planner(hai_lang(), username="xa.hailang")

    page = client.get(reverse("accounts:login"))
    assert "Đăng nhập" in page.content.decode()

    response = client.post(
        reverse("accounts:login"), {"username": "xa.hailang", "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Xã Hải Lăng" in html
    assert "Cán bộ kế hoạch xã" in html
    assert str(planner) in html


def test_pages_need_a_login(client: Client) -> None:
    hai_lang()
    response = client.get(reverse("geo:unit", args=["19702"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_account_locks_after_five_wrong_passwords(client: Client) -> None:
    UserFactory.create(username="xa.hailang")
    for _attempt in range(5):
        response = client.post(
            reverse("accounts:login"), {"username": "xa.hailang", "password": "sai"}
        )
    assert response.status_code == 429
    assert "bị khóa" in response.content.decode()

    # the right password does not get through while locked
    locked = client.post(
        reverse("accounts:login"), {"username": "xa.hailang", "password": PASSWORD}
    )
    assert locked.status_code == 429


def test_wrong_password_message_is_vietnamese(client: Client) -> None:
    UserFactory.create(username="xa.hailang")
    response = client.post(reverse("accounts:login"), {"username": "xa.hailang", "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_logout_is_a_post(client: Client) -> None:
    client.force_login(UserFactory.create())
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
def test_password_change_stores_an_argon2_hash(client: Client) -> None:
    user = UserFactory.create()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "mot-mat-khau-moi-dai",
            "new_password2": "mot-mat-khau-moi-dai",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"


def test_admin_site_is_for_administrators_only(client: Client) -> None:
    client.force_login(commune_planner(hai_lang(), is_staff=True))
    assert client.get("/admin/").status_code == 302  # sent to the admin login

    admin_client = Client()
    admin_client.force_login(user_with_role(Role.ADMIN, None))
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin/geo/administrativeunit/").status_code == 200
    assert admin_client.get("/admin/accounts/user/").status_code == 200
    # units change only through their services and loaders, never by hand in the admin
    assert admin_client.get("/admin/geo/administrativeunit/add/").status_code == 403
    assert admin_client.get("/admin/accounts/roleassignment/add/").status_code == 200
