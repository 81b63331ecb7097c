"""The commune planner's first path: log in, add a village, find it without diacritics,
switch the interface to English and back."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from kehoach.accounts.tests.factories import PASSWORD, commune_planner
from kehoach.geo.tests.factories import VillageFactory, hai_lang


def test_planner_adds_a_village_finds_it_and_switches_language(page: Page) -> None:
    commune = hai_lang()
    VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    VillageFactory.create(parent=commune, name="Thôn Mỹ Chánh")
    commune_planner(commune, username="xa.hailang")

    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập vào kehoach")
    page.get_by_label("Tên đăng nhập").fill("xa.hailang")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")
    page.get_by_role("link", name="Xã Hải Lăng").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xã Hải Lăng")

    page.get_by_label("Tên thôn").fill("Thôn Phước Điền")
    page.get_by_role("button", name="Thêm thôn").click()
    expect(page.get_by_role("status")).to_contain_text("Thôn Phước Điền")
    rows = page.locator("#village-rows tr")
    expect(rows).to_have_count(3)

    # typing without diacritics filters the list in place (htmx), no page load
    page.get_by_label(re.compile("Tìm thôn")).fill("phuoc dien")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Thôn Phước Điền")
    assert re.search(r"q=phuoc(\+|%20)dien", page.url)  # the address can be shared

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Villages")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Thôn, bản, tổ dân phố")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
