"""Every page a user opens is light: HTML plus its stylesheet and script under 100 KB as
transferred — compressed, as the server sends them (GZipMiddleware for pages, whitenoise's
precompressed files for static assets)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang, quang_tri
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

pytestmark = pytest.mark.django_db

BUDGET_BYTES = 100 * 1024


def _transferred(response: Any) -> int:
    """Bytes on the wire: the page as sent (gzip) plus each static file it loads, gzipped."""
    assert response.get("Content-Encoding") == "gzip"
    html = gzip.decompress(response.content).decode()
    total = len(response.content)
    for asset in re.findall(r'(?:href|src)="' + settings.STATIC_URL + r'([^"]+)"', html):
        path = finders.find(asset)
        assert path, asset
        total += len(gzip.compress(Path(str(path)).read_bytes()))
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
    planner_user = commune_planner(commune)
    planner.force_login(planner_user)
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
    # a large commune plan: 40 villages of 8 proposals each (320 lines), synthesised
    for village in villages[:40]:
        plan_ = sf.submitted_plan(
            village,
            [sf.money_line("120", "20", activity=f"Việc {k} của {village.name}") for k in range(8)],
        )
    commune_plan_synthesise(actor=planner_user, round_=plan_.round)
    cdp = sf.commune_plan_for(plan_.round)
    pages += [
        (planner, reverse("plans:plan", args=[plan_.uid])),
        (planner, reverse("synthesis:plan", args=[cdp.uid])),
        (planner, reverse("synthesis:scoring", args=[cdp.uid])),
        (planner, reverse("synthesis:allocation", args=[cdp.uid])),
        (planner, reverse("synthesis:finance", args=[cdp.uid])),
        (officer, reverse("synthesis:rollup", args=["44", 2027])),
    ]
    for client, url in pages:
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, url
        size = _transferred(response)
        assert size < BUDGET_BYTES, (url, size)
