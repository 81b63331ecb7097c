"""A visitor without an account finds Xã Hải Lăng by typing "hai lang", opens its published 2027
plan, the feedback to Thôn Mỹ Chánh, the progress of the road with its photo, and the data
dictionary. axe-core finds no serious or critical accessibility violation on these pages, and
none of them scrolls sideways on a 360-pixel-wide phone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from kehoach.monitoring.services.photos import photo_add
from kehoach.monitoring.services.progress import progress_report_create
from kehoach.portal.tests.factories import followed_plan, jpeg, report_data

ROAD = "Bê tông hóa đường xóm Trên"
FARM = "Tập huấn chăn nuôi"
AXE = Axe()


def _accessible(page: Page) -> None:
    """No violation of impact "serious" or "critical" (WCAG 2.1 A and AA rules and axe's
    best practices)."""
    results = AXE.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, (page.url, results.generate_report())


def _check(page: Page) -> None:
    """Accessible on a desktop and on a 360-pixel-wide phone, where the body does not scroll
    sideways (wide tables scroll inside their own box)."""
    _accessible(page)
    page.set_viewport_size({"width": 360, "height": 740})
    widths: Any = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.body.scrollWidth,"
        " document.documentElement.clientWidth]"
    )
    assert max(widths[:2]) <= widths[2], (page.url, widths)
    _accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_visitor_finds_the_plan_the_feedback_and_the_progress(page: Page) -> None:
    world = followed_plan()
    report = progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(),
        disbursed={world["ntp"]: Decimal(200)},
    )
    photo_add(
        actor=world["planner"],
        report=report,
        stage="before",
        upload=SimpleUploadedFile("duong.jpg", jpeg(640, 480), content_type="image/jpeg"),
        caption="Đường đất trước khi bê tông hóa",
    )

    page.goto("/cong-khai/")
    _check(page)
    page.get_by_role("searchbox").fill("hai lang")
    page.get_by_role("searchbox").press("Enter")
    page.locator("#results").get_by_role("link", name="Xã Hải Lăng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xã Hải Lăng")
    _check(page)

    page.locator("#plans").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2027")
    expect(page.locator("#plan-lines")).to_contain_text(ROAD)
    _check(page)

    page.locator("#villages").get_by_role("link", name="Thôn Mỹ Chánh").click()
    expect(page.locator("#fates")).to_contain_text(FARM)
    expect(page.locator("#fates")).to_contain_text("Chưa có nguồn vốn phù hợp")
    _check(page)

    page.go_back()
    page.locator("#works").get_by_role("link", name=ROAD).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ROAD)
    photo = page.get_by_role("img", name="Đường đất trước khi bê tông hóa")
    expect(photo).to_be_visible()
    # the picture is served: it loads with a size, however long the server takes
    photo.evaluate(
        "img => img.complete ? null"
        " : new Promise(done => { img.onload = done; img.onerror = done; })"
    )
    assert photo.evaluate("img => img.naturalWidth > 0")
    _check(page)

    # the open-data files and what their fields mean
    page.goto("/cong-khai/du-lieu/")
    expect(page.locator("#fields-ke-hoach")).to_contain_text("approved_support_mvnd")
    _check(page)
