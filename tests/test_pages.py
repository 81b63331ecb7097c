"""Every page a user opens is light: HTML plus its stylesheet and script under 100 KB."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang, quang_tri

pytestmark = pytest.mark.django_db

BUDGET_BYTES = 100 * 1024


def _transferred(html: str) -> int:
    total = len(html.encode())
    for asset in re.findall(r'(?:href|src)="' + settings.STATIC_URL + r'([^"]+)"', html):
        path = finders.find(asset)
        assert path, asset
        total += Path(str(path)).stat().st_size
    return total


def test_main_pages_stay_under_100_kb() -> None:
    province = quang_tri()
    commune = hai_lang()
    for i in range(80):
        CommuneFactory.create(
            code=f"{19000 + i:05d}", name=f"Xã Thử Nghiệm Số {i}", parent=province
        )
    villages = [VillageFactory.create(parent=commune, name=f"Thôn Số {i}") for i in range(60)]
    planner = Client()
    planner.force_login(commune_planner(commune))
    officer = Client()
    officer.force_login(user_with_role(Role.PROVINCE_OFFICER, province))
    anonymous = Client()

    pages = [
        (anonymous, reverse("accounts:login")),
        (planner, reverse("home")),
        (planner, reverse("geo:unit", args=["19702"])),
        (planner, reverse("geo:unit", args=[villages[0].code])),
        (planner, reverse("geo:villages_merge", args=["19702"])),
        (officer, reverse("geo:unit", args=["44"])),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        size = _transferred(response.content.decode())
        assert size < BUDGET_BYTES, (url, size)
