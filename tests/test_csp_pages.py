"""Every HTML page carries the exact Content-Security-Policy (kehoach/core/csp.py).

On the demo (Xã Hải Lăng's 2026 plan approved, published and followed; its 2027 village plans
submitted and synthesised), each demo user — one per role — and an anonymous visitor of the
portal start at their home page and follow every link and every ``hx-get`` on the pages they
see, a few pages of each kind; each HTML answer must carry the policy exactly. The error
pages (404, 403, 500, an expired form, a locked account), the login page with a wrong
password and the htmx fragments are asked for too. The crawl must reach a fixed list of the
main pages, so a link that disappears cannot make it check less without failing.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from heapq import heappop, heappush
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import Resolver404, path, resolve, reverse

from config.urls import urlpatterns as site_urlpatterns
from kehoach.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from kehoach.accounts.models import User
from kehoach.catalog.services import catalog_load_defaults
from kehoach.core.csp import HEADER, POLICY
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.monitoring.models import SupervisionBoard
from kehoach.plans.models import PlanningRound, VillagePlan
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.services.lines import commune_plan_synthesise

pytestmark = pytest.mark.django_db

PER_KIND = 2
"""Pages of each kind (URL name) a user opens; the admin's, 1."""
_LINK = re.compile(r"""<a\b[^>]*?\shref="([^"]*)"|\shx-get="([^"]*)\"""", re.I)
_FILE = re.compile(r"\.[A-Za-z0-9]{2,5}$")
"""Downloads (``F6.xlsx``, ``ke-hoach.pdf``, open data ``.csv``): not pages, and a PDF costs
seconds to render."""
NOT_PAGES = {"portal:photo", "portal:thumbnail", "monitoring:photo", "monitoring:photo_thumbnail"}
"""Photos (JPEG) without an extension in their URL."""

MAIN_PAGES = {
    # the planner's and the officers' paths
    "home",
    "geo:unit",
    "geo:villages_merge",
    "geo:villages_import",
    "accounts:password_change",
    "approvals:notifications",
    "plans:round",
    "plans:plan",
    "plans:info",
    "plans:findings",
    "plans:ranking",
    "plans:meeting",
    "plans:history",
    "plans:line_edit",
    "synthesis:envelope",
    "synthesis:plan",
    "synthesis:plan_for_round",
    "synthesis:line",
    "synthesis:scoring",
    "synthesis:allocation",
    "synthesis:finance",
    "synthesis:targets",
    "synthesis:history",
    "synthesis:approval",
    "synthesis:feedback",
    "synthesis:diff",
    "synthesis:programme",
    "synthesis:rollup",
    "exchange:commune",
    "monitoring:works",
    "monitoring:work",
    "monitoring:dashboard",
    "monitoring:province_dashboard",
    "monitoring:evaluation",
    "monitoring:supervision",
    # the public portal
    "portal:home",
    "portal:province",
    "portal:commune",
    "portal:plan",
    "portal:work",
    "portal:dictionary",
    # the admin
    "admin:index",
    "admin:app_list",
    "admin:catalog_sector_changelist",
    "admin:catalog_sector_change",
    "admin:catalog_sector_add",
    "admin:catalog_sector_delete",
    "admin:accounts_user_changelist",
    "admin:accounts_user_change",
    "admin:accounts_roleassignment_add",
    "admin:password_change",
}


@dataclass
class Crawl:
    """What one visitor saw: each HTML answer (URL, URL name, policy header), by kind."""

    client: Client
    pages: list[tuple[str, str, str | None]] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    def open(self, url: str, name: str) -> Any:
        """The answer (the test client's response); an HTML one is recorded."""
        response = self.client.get(url)
        assert response.status_code < 500, url
        if response.get("Content-Type", "").startswith("text/html"):
            self.pages.append((url, name, response.get(HEADER)))
        return response

    def run(self, start: str) -> Crawl:
        """Breadth first, the kinds least seen first, at most PER_KIND pages of a kind."""
        queue: list[tuple[int, int, str]] = [(0, 0, start)]
        queued = {start}
        while queue:
            _, _, url = heappop(queue)
            name = _url_name(url)
            if name is None or name in NOT_PAGES or _FILE.search(urlsplit(url).path):
                continue
            if self.kinds[name] >= (1 if name.startswith("admin:") else PER_KIND):
                continue
            self.kinds[name] += 1
            response = self.open(url, name)
            if response.status_code in (301, 302, 303):
                found = [response["Location"]]
            elif response.status_code == 200 and "text/html" in response["Content-Type"]:
                found = [a or b for a, b in _LINK.findall(response.content.decode())]
            else:
                found = []
            for href in found:
                link = _same_site(url, href)
                if link is not None and link not in queued:
                    queued.add(link)
                    name = _url_name(link) or ""
                    heappush(queue, (self.kinds[name], len(queued), link))
        return self


def _same_site(base: str, href: str) -> str | None:
    parts = urlsplit(urljoin("http://testserver" + base, href.replace("&amp;", "&")))
    if parts.scheme != "http" or parts.netloc != "testserver":
        return None
    if parts.path.startswith(("/static/", "/media/")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _url_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


@pytest.fixture
def demo_users() -> None:
    """The demo's units and its users, one per role."""
    hai_lang()
    dong_hoi()
    catalog_load_defaults()
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def demo_rounds(demo_users: None) -> None:
    """The 2027 village plans of Xã Hải Lăng, submitted, with the envelope."""
    for command in ("load_demo_rounds", "load_demo_envelopes"):
        call_command(command, stdout=io.StringIO())


@pytest.fixture
def demo(demo_rounds: None) -> None:
    """The whole demo: 2026 approved, published and followed, 2027 synthesised."""
    call_command("load_demo_implementation", stdout=io.StringIO())
    round_ = PlanningRound.objects.get(commune__code="19702", plan_year=2027)
    commune_plan_synthesise(actor=User.objects.get(username="xa.hailang"), round_=round_)


def _client(username: str | None = None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(User.objects.get(username=username))
    return client


def _wrong(crawl: Crawl) -> list[str]:
    return [f"{url} ({name}): {header!r}" for url, name, header in crawl.pages if header != POLICY]


def test_every_page_every_role_sees_carries_the_policy(demo: None) -> None:
    crawls = [Crawl(_client(user.username)).run("/") for user in DEMO_USERS]
    crawls.append(Crawl(_client()).run(reverse("portal:home")))
    crawls.append(Crawl(_client()).run(reverse("accounts:login")))

    # pages no link leads to from a first page: a published village plan's feedback notice,
    # an earlier published version, a supervision board
    planner = Crawl(_client("xa.hailang"))
    published = CommunePlan.objects.get(round__plan_year=2026, round__commune__code="19702")
    village_plan = VillagePlan.objects.filter(round=published.round).order_by("id").first()
    assert village_plan is not None
    planner.open(reverse("synthesis:feedback", args=[village_plan.uid]), "synthesis:feedback")
    planner.open(reverse("synthesis:diff", args=[published.uid]), "synthesis:diff")
    board = SupervisionBoard.objects.order_by("id").first()
    assert board is not None
    planner.open(
        reverse("monitoring:supervision_board", args=[published.uid, board.line.uid]),
        "monitoring:supervision_board",
    )
    crawls.append(planner)

    wrong = [problem for crawl in crawls for problem in _wrong(crawl)]
    assert not wrong, "\n".join(wrong)
    seen = {name for crawl in crawls for _, name, _ in crawl.pages}
    assert MAIN_PAGES - seen == set()
    assert sum(len(crawl.pages) for crawl in crawls) > 300


# --- answers that are not a plain page ---------------------------------------------------------


def test_htmx_fragments_and_forms_with_errors_carry_it(demo_rounds: None) -> None:
    planner = _client("xa.hailang")
    plan = VillagePlan.objects.filter(round__plan_year=2027).order_by("id").first()
    assert plan is not None
    line = plan.lines.order_by("id").first()
    assert line is not None

    fragments = [
        planner.get(reverse("plans:line_row", args=[plan.uid, line.uid]), HTTP_HX_REQUEST="true"),
        planner.get(reverse("plans:attendance", args=[plan.uid]), HTTP_HX_REQUEST="true"),
    ]
    no_name = planner.post(reverse("geo:village_create", args=["19702"]), {"name": ""})
    login = Client().post(reverse("accounts:login"), {"username": "xa.hailang", "password": "x"})

    for fragment in fragments:
        assert fragment.status_code == 200
        assert "<html" not in fragment.content.decode()
        assert fragment[HEADER] == POLICY
    assert no_name.status_code == 400  # the form again, with its errors
    assert 'aria-invalid="true"' in no_name.content.decode()
    assert no_name[HEADER] == POLICY
    assert login.status_code == 200
    assert login[HEADER] == POLICY


def test_error_pages_carry_it(demo_users: None) -> None:
    admin = _client("quantri")
    planner = _client("xa.hailang")

    missing = planner.get("/khong-co-trang-nay/")
    foreign = _client("xa.donghoi").get(reverse("geo:unit", args=["19702-001"]))
    read_only = admin.get("/admin/geo/administrativeunit/add/")
    anonymous_missing = Client().get("/cong-khai/xa/99999/")

    assert missing.status_code == 404
    assert missing[HEADER] == POLICY
    assert foreign.status_code == 404
    assert foreign[HEADER] == POLICY
    assert read_only.status_code == 403
    assert read_only[HEADER] == POLICY
    assert "Không được phép" in read_only.content.decode()
    assert anonymous_missing.status_code == 404
    assert anonymous_missing[HEADER] == POLICY


def test_an_expired_form_answers_a_page_of_ours_with_it(demo_users: None) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("accounts:login"), {"username": "xa.hailang", "password": DEMO_PASSWORD}
    )

    assert response.status_code == 403
    assert response[HEADER] == POLICY
    html = response.content.decode()
    assert "Biểu mẫu đã hết hạn" in html
    assert "<style" not in html  # Django's own page would have brought an inline <style>
    assert "/static/css/kehoach.css" in html


def test_a_locked_account_page_carries_it(demo_users: None) -> None:
    client = Client()
    for _ in range(6):
        response = client.post(
            reverse("accounts:login"), {"username": "xa.hailang", "password": "sai-mat-khau"}
        )

    assert "Tài khoản bị khóa" in response.content.decode()
    assert response[HEADER] == POLICY


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a defect")


urlpatterns = [path("csp-broken/", _broken), *site_urlpatterns]
handler404 = "kehoach.core.views.not_found"
handler403 = "kehoach.core.views.forbidden"
handler500 = "kehoach.core.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_the_server_error_page_carries_it() -> None:
    response = Client(raise_request_exception=False).get("/csp-broken/")

    assert response.status_code == 500
    assert response[HEADER] == POLICY
    assert "Đã xảy ra lỗi" in response.content.decode()
