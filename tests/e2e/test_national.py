"""The national officer follows the commune plans of the whole country: from the menu to the
provinces, from a province to its communes, from a commune to its plan, and from the country to
a province's F18 roll-up — read only, on the demo's data."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .demo import COMMUNE, PROVINCE, load_demo, login


def test_the_national_officer_drills_down_from_the_country_to_a_commune(page: Page) -> None:
    load_demo()
    login(page, "quocgia")
    page.locator("#nav-national").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("toàn quốc")
    province = page.locator(f"#unit-{PROVINCE}")
    expect(province).to_contain_text("Quảng Trị")

    province.get_by_role("link", name="theo xã").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quảng Trị")
    commune = page.locator(f"#unit-{COMMUNE}")
    expect(commune).to_contain_text("Xã Hải Lăng")
    commune.get_by_role("link", name="Xã Hải Lăng").click()
    expect(page.locator("#f9-table")).to_be_visible()
    # read only: nothing to synthesise, merge or decide
    expect(page.get_by_role("button", name="Tổng hợp")).to_have_count(0)
    expect(page.locator("input[name=lines]")).to_have_count(0)

    page.go_back()
    page.go_back()
    page.locator(f"#unit-{PROVINCE}").get_by_role("link", name="Quảng Trị").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quảng Trị")
    expect(page.locator("main")).to_contain_text("Xã Hải Lăng")
