"""The demo of `make run` in a browser test, and the main pages of each role on it.

`load_demo()` loads what `make demo` loads on the units of the test factories: Xã Hải Lăng's
2026 plan approved, published and followed (works, reports, photos, supervision, evaluation),
its 2027 village plans submitted and synthesised into the commune plan, Phường Đồng Hới's 2027
plans (one of them a draft), and one user per role. `main_pages()` names the pages each role
opens, as (user name or None for a visitor, short name, URL); the accessibility, small-screen
and screenshot tests walk them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from kehoach.accounts.demo import DEMO_PASSWORD
from kehoach.accounts.models import User
from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.monitoring.models import SupervisionBoard
from kehoach.plans.models import PlanningRound, VillagePlan
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.services.lines import commune_plan_synthesise

COMMUNE = "19702"
VILLAGE = "19702-001"
PROVINCE = "44"

PLANNER = "xa.hailang"
APPROVER = "lanhdao.hailang"
VILLAGE_EDITOR = "thon.diensanh"
PROVINCE_OFFICER = "tinh.quangtri"
DISTRICT_OFFICER = "huyen.hailang"
DONOR = "nhataitro"
ADMIN = "quantri"
WARD_PLANNER = "xa.donghoi"


@dataclass(frozen=True)
class DemoPage:
    user: str | None
    name: str
    url: str


def load_demo() -> None:
    """Everything `make demo` loads, on the units of the test factories."""
    hai_lang()
    dong_hoi()
    catalog_load_defaults()
    for command in (
        "load_demo",
        "load_demo_rounds",
        "load_demo_envelopes",
        "load_demo_implementation",
    ):
        call_command(command, stdout=io.StringIO())
    round_ = PlanningRound.objects.get(commune__code=COMMUNE, plan_year=2027)
    commune_plan_synthesise(actor=User.objects.get(username=PLANNER), round_=round_)


def login(page: Page, username: str) -> None:
    """Log in through the form (after leaving any earlier session)."""
    page.context.clear_cookies()
    page.goto(reverse("accounts:login"))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#notifications-link")).to_be_visible()


def draft_village_plan() -> VillagePlan:
    """Phường Đồng Hới's draft plan with proposals: every form of a plan is open on it."""
    plan = (
        VillagePlan.objects.filter(
            round__commune__code="18880", status="draft", lines__isnull=False
        )
        .distinct()
        .order_by("village__code")
        .first()
    )
    assert plan is not None
    return plan


def main_pages() -> list[DemoPage]:
    """The main pages of every role, in the order a user meets them."""
    village_plan = VillagePlan.objects.get(round__plan_year=2027, village__code=VILLAGE)
    round_ = village_plan.round
    draft = draft_village_plan()
    cdp = CommunePlan.objects.get(round=round_)
    followed = CommunePlan.objects.get(round__commune__code=COMMUNE, round__plan_year=2026)
    board = SupervisionBoard.objects.filter(line__plan=followed).order_by("id").first()
    assert board is not None
    work = board.line
    plan_tabs = [
        ("ke-hoach-thon", "plans:plan"),
        ("thong-tin-co-ban", "plans:info"),
        ("phan-tich", "plans:findings"),
        ("xep-hang", "plans:ranking"),
        ("hop-thon", "plans:meeting"),
        ("lich-su-ke-hoach-thon", "plans:history"),
    ]
    commune_tabs = [
        ("tong-hop", "synthesis:plan"),
        ("cham-diem", "synthesis:scoring"),
        ("phan-bo-von", "synthesis:allocation"),
        ("ke-hoach-tai-chinh", "synthesis:finance"),
        ("chi-tieu", "synthesis:targets"),
        ("phe-duyet", "synthesis:approval"),
        ("lich-su-ke-hoach-xa", "synthesis:history"),
        ("bieu-excel-xa", "exchange:commune"),
    ]
    monitoring = [
        ("thuc-hien", reverse("monitoring:works", args=[followed.uid])),
        ("cong-trinh", reverse("monitoring:work", args=[followed.uid, work.uid])),
        ("bang-theo-doi", reverse("monitoring:dashboard", args=[followed.uid])),
        ("danh-gia", reverse("monitoring:evaluation", args=[followed.uid])),
        ("giam-sat", reverse("monitoring:supervision", args=[followed.uid])),
    ]
    portal = [
        ("cong-khai", reverse("portal:home")),
        ("cong-khai-tinh", reverse("portal:province", args=[PROVINCE])),
        ("cong-khai-xa", reverse("portal:commune", args=[COMMUNE])),
        ("cong-khai-ke-hoach", reverse("portal:plan", args=[COMMUNE, 2026])),
        ("cong-khai-thon", reverse("portal:feedback", args=[COMMUNE, 2026, VILLAGE])),
        ("cong-khai-cong-trinh", reverse("portal:work", args=[COMMUNE, 2026, work.uid])),
        ("du-lieu-mo", reverse("portal:dictionary")),
    ]
    return [
        DemoPage(None, "dang-nhap", reverse("accounts:login")),
        *(DemoPage(None, name, url) for name, url in portal),
        DemoPage(VILLAGE_EDITOR, "trang-chu-thon", reverse("home")),
        DemoPage(VILLAGE_EDITOR, "trang-thon", reverse("geo:unit", args=[VILLAGE])),
        DemoPage(
            VILLAGE_EDITOR,
            "ke-hoach-thon-truong-thon",
            reverse("plans:plan", args=[village_plan.uid]),
        ),
        DemoPage(PLANNER, "trang-chu-can-bo-xa", reverse("home")),
        DemoPage(PLANNER, "trang-xa", reverse("geo:unit", args=[COMMUNE])),
        DemoPage(PLANNER, "ky-ke-hoach", reverse("plans:round", args=[round_.uid])),
        DemoPage(PLANNER, "khung-nguon-luc", reverse("synthesis:envelope", args=[round_.uid])),
        *(
            DemoPage(PLANNER, name, reverse(url, args=[village_plan.uid]))
            for name, url in plan_tabs
        ),
        *(DemoPage(PLANNER, name, reverse(url, args=[cdp.uid])) for name, url in commune_tabs),
        *(DemoPage(PLANNER, name, url) for name, url in monitoring),
        DemoPage(PLANNER, "thong-bao", reverse("approvals:notifications")),
        DemoPage(WARD_PLANNER, "ke-hoach-thon-nhap", reverse("plans:plan", args=[draft.uid])),
        DemoPage(WARD_PLANNER, "hop-thon-nhap", reverse("plans:meeting", args=[draft.uid])),
        DemoPage(APPROVER, "trang-chu-lanh-dao-xa", reverse("home")),
        DemoPage(APPROVER, "phe-duyet-lanh-dao", reverse("synthesis:approval", args=[cdp.uid])),
        DemoPage(PROVINCE_OFFICER, "trang-chu-tinh", reverse("home")),
        DemoPage(PROVINCE_OFFICER, "trang-tinh", reverse("geo:unit", args=[PROVINCE])),
        DemoPage(
            PROVINCE_OFFICER,
            "bang-theo-doi-tinh",
            reverse("monitoring:province_dashboard", args=[PROVINCE, 2026]),
        ),
        DemoPage(
            PROVINCE_OFFICER, "tong-hop-tinh", reverse("synthesis:rollup", args=[PROVINCE, 2027])
        ),
        DemoPage(DISTRICT_OFFICER, "trang-chu-huyen", reverse("home")),
        DemoPage(DONOR, "trang-chu-nha-tai-tro", reverse("home")),
        DemoPage(ADMIN, "trang-chu-quan-tri", reverse("home")),
    ]


def open_details(page: Page) -> None:
    """Open every folded section, so that what it holds is measured and checked too."""
    page.evaluate(
        "() => document.querySelectorAll('main details').forEach(d => { d.open = true; })"
    )
