"""Every page a user opens is light: HTML plus its stylesheet and script under 100 KB as
transferred — compressed, as the server sends them (GZipMiddleware for pages, whitenoise's
precompressed files for static assets). And it loads nothing from another site: offices may be
offline, so scripts, stylesheets, images and fonts are served by kehoach itself (no CDN)."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang, quang_tri
from kehoach.plans.models import VillagePlan
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


def _main_pages(*, villages: int, plans: int, lines: int) -> list[tuple[Client, str]]:
    """The pages of the main user paths, each with the client of a user who may open it: a
    commune with ``villages`` villages, ``plans`` of them with a submitted plan of ``lines``
    proposals, synthesised into the commune plan; the province with 80 more communes."""
    province = quang_tri()
    commune = hai_lang()
    for i in range(80):
        CommuneFactory.create(
            code=f"{19000 + i:05d}", name=f"Xã Thử Nghiệm Số {i}", parent=province
        )
    village_list = [
        VillageFactory.create(parent=commune, name=f"Thôn Số {i}") for i in range(villages)
    ]
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
        (planner, reverse("geo:unit", args=[village_list[0].code])),
        (planner, reverse("geo:villages_merge", args=["19702"])),
        (officer, reverse("geo:unit", args=["44"])),
    ]
    for village in village_list[:plans]:
        plan_ = sf.submitted_plan(
            village,
            [
                sf.money_line("120", "20", activity=f"Việc {k} của {village.name}")
                for k in range(lines)
            ],
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
    return pages


def test_main_pages_stay_under_100_kb() -> None:
    # a large commune plan: 40 villages of 8 proposals each (320 lines), synthesised
    pages = _main_pages(villages=60, plans=40, lines=8)
    for client, url in pages:
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, url
        size = _transferred(response)
        assert size < BUDGET_BYTES, (url, size)


# --- nothing from another site ------------------------------------------------------------------

_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, //cdn...
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.I)


class _LoadedResources(HTMLParser):
    """What a browser would fetch by itself while showing the page: ``src``/``srcset`` of any
    element, ``href`` of ``<link>`` (stylesheets, icons, fonts, preloads), ``data`` of
    ``<object>``, ``poster`` of ``<video>``, and ``url(...)``/``@import`` in inline CSS.
    Links the user clicks (``<a href>``) and form targets are not loaded by the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if not value:
                continue
            if name in {"src", "data", "poster"} or (name == "href" and tag == "link"):
                self.urls.append(value)
            elif name in {"srcset", "imagesrcset"}:
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name == "style":
                self.urls += _CSS_URL.findall(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += _CSS_URL.findall(data)


def _external_resources(html: str) -> list[str]:
    """The resources the page loads from another site, including those its own stylesheets
    (served from STATIC_URL) pull in."""
    parser = _LoadedResources()
    parser.feed(html)
    found = [url for url in parser.urls if _EXTERNAL.match(url)]
    for url in parser.urls:
        if url.startswith(settings.STATIC_URL) and url.split("?")[0].endswith(".css"):
            path = finders.find(url.split("?")[0].removeprefix(settings.STATIC_URL))
            assert path, url
            css = Path(str(path)).read_text(encoding="utf-8")
            found += [f"{url}: {ref}" for ref in _CSS_URL.findall(css) if _EXTERNAL.match(ref)]
    return found


def test_the_external_resource_check_finds_a_cdn() -> None:
    html = (
        '<link rel="stylesheet" href="https://cdn.example.org/x.css">'
        '<script src="//unpkg.com/htmx.org"></script>'
        '<img srcset="/static/a.png 1x, http://img.example.org/a.png 2x">'
        "<style>@font-face{src:url('https://fonts.example.org/f.woff2')}</style>"
        '<div style="background:url(HTTPS://img.example.org/b.png)"></div>'
        '<a href="https://example.org/guide">a link the user follows is not loaded</a>'
        '<script src="/static/js/htmx.min.js"></script>'
    )

    assert _external_resources(html) == [
        "https://cdn.example.org/x.css",
        "//unpkg.com/htmx.org",
        "http://img.example.org/a.png",
        "https://fonts.example.org/f.woff2",
        "HTTPS://img.example.org/b.png",
    ]


def test_main_pages_load_nothing_from_another_site() -> None:
    pages = _main_pages(villages=3, plans=2, lines=2)
    planner = next(client for client, url in pages if url == reverse("home"))
    officer = next(client for client, url in pages if url == reverse("geo:unit", args=["44"]))
    village = AdministrativeUnit.objects.filter(parent__code="19702").order_by("code").first()
    assert village is not None
    plan_ = VillagePlan.objects.order_by("id").first()
    assert plan_ is not None
    pages += [
        (planner, reverse("geo:village_create", args=["19702"])),
        (planner, reverse("geo:villages_import", args=["19702"])),
        (planner, reverse("geo:village_rename", args=[village.code])),
        (planner, reverse("geo:village_end", args=[village.code])),
        (planner, reverse("accounts:password_change")),
        (planner, reverse("approvals:notifications")),
        (planner, reverse("plans:round", args=[plan_.round.uid])),
        (planner, reverse("plans:info", args=[plan_.uid])),
        (planner, reverse("plans:findings", args=[plan_.uid])),
        (planner, reverse("plans:ranking", args=[plan_.uid])),
        (planner, reverse("plans:history", args=[plan_.uid])),
        (planner, reverse("synthesis:envelope", args=[plan_.round.uid])),
        (officer, reverse("synthesis:envelope", args=[plan_.round.uid])),
    ]
    checked = 0
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert _external_resources(html) == [], url
        checked += html.count(settings.STATIC_URL) > 0
    assert checked == len(pages)  # every page loads its stylesheet and script from kehoach
