"""Bringing an old workbook in: an officer uploads a village's F6 made by a programme in its own
layout (headers kehoach cannot place by itself), matches the columns on the mapping page
(correcting the ones it was not sure of), saves the matching under a name, sees the preview and
confirms; the next file in that layout goes straight to the preview.

The mapping page and the preview are saved as the pictures of the user guide
(docs/user-guide/img/ban-ghep-cot.png, ban-ghep-cot-xem-truoc.png; KEHOACH_SCREENSHOTS=<folder>
saves them elsewhere), as tests/e2e/test_screenshots.py does."""

from __future__ import annotations

from playwright.sync_api import FilePayload, Page, ViewportSize, expect

from kehoach.accounts.tests.factories import PASSWORD, commune_planner
from kehoach.exchange.models import Layout
from kehoach.exchange.tests.helpers import plan_with_lines
from kehoach.exchange.tests.old_workbook import LINES, foreign
from kehoach.plans.models import ProposalLine

from .test_screenshots import FOLDER, _save

DESKTOP: ViewportSize = {"width": 1366, "height": 900}


def _upload(page: Page, data: bytes, name: str) -> None:
    if page.locator("#workbooks details").get_attribute("open") is None:
        page.locator("#workbooks summary").click()
    payload: FilePayload = {
        "name": name,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": data,
    }
    page.locator("#upload-F6").set_input_files(files=[payload])
    page.locator("form:has(#upload-F6)").get_by_role("button", name="Kiểm tra biểu").click()


def _shoot(page: Page, name: str, *, whole: bool = False) -> None:
    """The first screen of the page (or the whole page), saved as the guide's picture."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    _save(page.screenshot(full_page=whole), name)


def test_an_old_workbook_is_matched_once_then_read_by_itself(page: Page) -> None:
    plan, _planner = plan_with_lines()
    commune_planner(plan.village.parent, username="xa.hailang")
    page.set_viewport_size(DESKTOP)
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("xa.hailang")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/plans/{plan.uid}/")

    _upload(page, foreign(), "de-xuat-thon-2027.xlsx")
    expect(page.locator("#import-errors")).to_contain_text("Tệp không được chấp nhận")
    page.get_by_role("link", name="Ghép cột của tệp này").click()

    table = page.locator("#mapping-columns")
    expect(table).to_contain_text("Việc cần làm")
    expect(table).to_contain_text("Bê tông ngõ xóm Đông")  # a sample value
    expect(page.locator("#map-B")).to_have_class("map-unsure")
    # the one column kehoach could not place: the activity
    page.get_by_label("Cột B được đọc là").select_option(label="Tên hoạt động / công trình")
    # the headers people write are read as what they mean (chosen again, whatever the guess)
    page.get_by_label("Cột D được đọc là").select_option(label="Địa điểm")
    page.get_by_label("Cột I được đọc là").select_option(label="Tổng kinh phí")
    expect(page.locator("#mapping-missing")).to_have_count(1)  # as loaded: no activity yet
    page.get_by_label("Lưu cách ghép này").check()
    page.get_by_label("Tên cách ghép").fill("Biểu đề xuất thôn của chương trình")
    _shoot(page, "ban-ghep-cot", whole=True)
    page.get_by_role("button", name="Kiểm tra biểu với các cột này").click()

    expect(page.locator(".msg.success")).to_contain_text("Đã lưu cách ghép cột")
    expect(page.locator("#import-counts")).to_contain_text("Thêm 2, sửa 0, xóa 0.")
    expect(page.locator("#import-changes")).to_contain_text("Bê tông ngõ xóm Đông")
    _shoot(page, "ban-ghep-cot-xem-truoc")
    page.locator("#confirm-import").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã áp dụng biểu: thêm 2, sửa 0, xóa 0.")
    added = ProposalLine.objects.get(plan=plan, activity=LINES[0][1])
    assert (added.location, added.total_cost_mvnd) == ("Xóm Đông", 300)
    layout = Layout.objects.get()
    assert layout.name == "Biểu đề xuất thôn của chương trình"

    # the next file in that layout: straight to the preview, no mapping page
    next_year = [[1, "Lát gạch sân nhà văn hóa", "Hạ tầng: giao thông", "Xóm Tây", "km", 0.1,
                  "05/2027", "07/2027", 80, 30, 50]]  # fmt: skip
    _upload(page, foreign(next_year), "de-xuat-thon-bo-sung.xlsx")
    expect(page.locator("#import-counts")).to_contain_text("Thêm 1, sửa 0, xóa 0.")
    expect(page.locator("#import-changes")).to_contain_text("Lát gạch sân nhà văn hóa")
    expect(page.locator("#import-errors")).to_have_count(0)
    page.locator("#confirm-import").click()
    expect(page.locator(".msg.success")).to_contain_text("thêm 1")
