"""The commune planner turns the 12 submitted village plans of Hải Lăng into the commune plan:
synthesis, merging the duplicate inter-village road, allocation, the reason of an unfunded line,
a decision by hand; then the province officer opens the roll-up."""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from playwright.sync_api import Page, expect

from kehoach.catalog.models import FundingSource, Sector
from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.plans.models import PlanningRound
from kehoach.synthesis.tests import factories as f

ROAD = "Bê tông hóa đường liên thôn Diên Sanh – Mỹ Chánh"


def _login(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("kehoach-demo")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")


def test_planner_synthesises_merges_allocates_and_the_province_reads(page: Page) -> None:
    commune = hai_lang()
    dong_hoi()
    catalog_load_defaults()
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo_rounds", stdout=io.StringIO())
    round_ = PlanningRound.objects.get(commune=commune, plan_year=2027)
    transport = Sector.objects.get(code="HT-GT")
    f.envelope_line(round_, FundingSource.objects.get(code="NTP26"), "3000", sector_=transport)
    f.envelope_line(round_, FundingSource.objects.get(code="NTP26"), "2500")
    f.envelope_line(round_, FundingSource.objects.get(code="NS-X"), "1200")

    _login(page, "xa.hailang")
    page.goto(f"/rounds/{round_.uid}/")
    page.get_by_role("link", name=re.compile("Kế hoạch xã: tổng hợp")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kế hoạch xã năm 2027 — Xã Hải Lăng")
    expect(page.locator("main")).to_contain_text("12 trên 12 kế hoạch thôn đã gửi lên xã.")
    page.get_by_role("button", name="Tổng hợp kế hoạch các thôn").click()
    expect(page.locator(".msg.success")).to_contain_text(
        "Đã tổng hợp 12 kế hoạch thôn đã gửi: 72 dòng mới"
    )
    expect(page.locator("#cdp-total")).to_have_text("20.757,0")

    # 72 lines: 50 a page (issue 16); the whole plan's total is on every page
    expect(page.locator("#f9-pager")).to_contain_text("Trang 1/2")
    # the same inter-village road, proposed by Diên Sanh and Mỹ Chánh: found by a search
    # typed without diacritics, as they may be on another page
    page.get_by_label("Tìm kiếm").fill("duong lien thon dien sanh")
    page.locator("#line-filter").get_by_role("button", name="Hiện").click()
    expect(page.locator("#cdp-total")).to_have_text("20.757,0")
    roads = page.locator("#f9-table tr", has_text=ROAD)
    expect(roads).to_have_count(2)
    for i in range(2):
        roads.nth(i).get_by_role("checkbox").check()
    page.locator("#merge-box").get_by_label("Địa điểm").fill("Liên thôn Diên Sanh – Mỹ Chánh")
    page.locator("#merge-box").get_by_role("button", name="Gộp", exact=True).click()
    expect(page.locator(".msg.success")).to_contain_text("thành dòng 73")
    page.get_by_label("Tìm kiếm").fill("Diên Sanh – Mỹ Chánh")
    page.locator("#line-filter").get_by_role("button", name="Hiện").click()
    merged = page.locator("#f9-table tr", has_text=ROAD)
    expect(merged).to_have_count(1)
    expect(merged).to_contain_text("Thôn Diên Sanh, Thôn Mỹ Chánh")
    expect(page.locator("#cdp-total")).to_have_text("20.757,0")
    # the line's details load when opened (htmx, under the page's CSP)
    merged.locator("details.line-more summary").click()
    expect(merged.locator("details.line-more")).to_contain_text("Thôn Diên Sanh, dòng")
    expect(merged.locator("details.line-more")).to_contain_text("Thôn Mỹ Chánh, dòng")

    page.get_by_role("link", name="Phân bổ vốn").click()
    page.get_by_role("button", name="Chạy phân bổ vốn").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã phân bổ vốn.")
    expect(page.locator("#greedy-count")).not_to_have_text("0")
    unfunded = page.locator("tr:has(td.greedy .decision-unfunded)").first
    expect(unfunded.locator("td.greedy")).to_contain_text("chưa có vốn")
    reason = unfunded.locator("td.greedy .reason").inner_text()
    assert re.search(r"còn [\d.,]+ triệu, cần [\d.,]+ triệu", reason), reason
    # what is left of the envelope stays in view while the lines are scored (R19)
    page.get_by_role("link", name="Chấm điểm (F10)").click()
    expect(page.locator("#envelope-box summary")).to_contain_text("Khung nguồn lực: còn")
    page.go_back()
    unfunded = page.locator("tr:has(td.greedy .decision-unfunded)").first
    unfunded.get_by_role("link").first.click()
    expect(page.locator("#line-reason")).to_contain_text(reason)

    # the planner decides this line by hand: deferred, with a reason
    page.locator("#decide-box summary").click()
    page.locator("#decide-box").get_by_label("Quyết định của xã").select_option(label="Hoãn lại")
    page.locator("#decide-box").get_by_label("Lý do (thôn sẽ đọc)").fill(
        "Hoãn sang năm 2028 vì chưa có mặt bằng"
    )
    page.locator("#decide-box").get_by_role("button", name="Lưu quyết định").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã lưu quyết định")
    expect(page.locator("#line-decision")).to_have_text("Hoãn lại")
    expect(page.locator("#line-reason")).to_contain_text("Hoãn sang năm 2028")

    page.get_by_role("button", name="Đăng xuất").click()
    _login(page, "tinh.quangtri")
    page.goto("/units/44/")
    page.get_by_role("link", name="Năm kế hoạch 2027").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Tổng hợp kế hoạch các xã năm 2027 — Quảng Trị"
    )
    row = page.locator("#commune-19702")
    expect(row).to_contain_text("12/12")
    expect(row).to_contain_text("20.757,0")
    expect(row).to_contain_text("6.700,0")
