"""axe-core finds no serious or critical accessibility violation (WCAG 2.1 A and AA rules and
axe's best practices) on any main page of any role, on the demo: the login page, each role's
home, the commune and village pages, a village plan with every tab, the planning round and its
envelope, the commune plan with every tab (lines, scoring, allocation, finance, targets,
approval, history, workbooks), the monitoring pages (works, a work, the dashboards, evaluation,
supervision), the notifications and the public portal (home, province, commune, plan, village
feedback, work, open-data dictionary). Folded sections are opened first, so what they hold is
checked too. The pages people use on a phone are checked at 390 px as well, where wide tables
scroll in their own box (which must then be reachable from the keyboard)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from .demo import DemoPage, load_demo, login, main_pages, open_details

AXE = Axe()
PHONE_PAGES = {
    "ke-hoach-thon",
    "hop-thon",
    "ke-hoach-thon-nhap",
    "hop-thon-nhap",
    "thuc-hien",
    "cong-trinh",
    "bang-theo-doi",
    "cong-khai-ke-hoach",
    "cong-khai-thon",
}
"""Pages also checked on a 390 px phone."""


def _violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{page.url}: {v['impact']} {v['id']} — {v['help']} "
        f"({', '.join(str(node['target']) for node in v['nodes'][:3])})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _walk(page: Page, pages: list[DemoPage]) -> list[str]:
    found: list[str] = []
    user: str | None = "-"
    for demo_page in pages:
        if demo_page.user != user:
            user = demo_page.user
            if user is None:
                page.context.clear_cookies()
            else:
                login(page, user)
        response = page.goto(demo_page.url)
        assert response is not None and response.status == 200, (demo_page, response)
        open_details(page)
        page.set_viewport_size({"width": 1280, "height": 800})
        found += _violations(page)
        if demo_page.name in PHONE_PAGES:
            page.set_viewport_size({"width": 390, "height": 844})
            found += _violations(page)
            page.set_viewport_size({"width": 1280, "height": 800})
    return found


def test_no_serious_violation_on_any_main_page(page: Page) -> None:
    load_demo()
    pages = main_pages()
    assert len(pages) >= 45
    assert {p.user for p in pages} >= {None, "thon.diensanh", "xa.hailang", "lanhdao.hailang"}

    found = _walk(page, pages)

    assert not found, "\n".join(found)


def test_axe_reports_what_a_page_gets_wrong(page: Page) -> None:
    """The check can fail: an input without a label and an image without an alternative are
    reported."""
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          const input = document.createElement("input");
          input.type = "text";
          main.append(input);
          const image = document.createElement("img");
          image.src = "/static/img/favicon.svg";
          main.append(image);
        }"""
    )

    found = "\n".join(_violations(page))

    assert "critical label" in found
    assert "critical image-alt" in found
