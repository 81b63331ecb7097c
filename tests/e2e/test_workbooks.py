"""Working offline with the F6 workbook: download it pre-filled, upload a version with two
changes and one wrong cell, read the error, upload the corrected file, confirm the preview.

With KEHOACH_SCREENSHOTS set to a folder, the steps are also saved there as the pictures of
the user guide (docs/user-guide/img/)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import FilePayload, Page, expect

from kehoach.accounts.tests.factories import PASSWORD, commune_planner
from kehoach.exchange.tests.helpers import FIRST_ROW, plan_with_lines
from kehoach.plans.models import ProposalLine


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("KEHOACH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


def _open_workbooks(page: Page) -> None:
    """The section is folded until the plan has uploads; then it opens by itself."""
    if page.locator("#workbooks details").get_attribute("open") is None:
        page.locator("#workbooks summary").click()


def _upload(page: Page, data: bytes, name: str) -> None:
    payload: FilePayload = {
        "name": name,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": data,
    }
    page.locator("#upload-F6").set_input_files(files=[payload])
    page.locator("form:has(#upload-F6)").get_by_role("button", name="Kiểm tra biểu").click()


def test_planner_works_on_the_proposals_offline(page: Page) -> None:
    plan, _planner = plan_with_lines()
    commune_planner(plan.village.parent, username="xa.hailang")

    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("xa.hailang")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/plans/{plan.uid}/")
    _open_workbooks(page)
    expect(page.locator("#workbook-forms")).to_contain_text("F6 — Đề xuất kế hoạch thôn")
    _shot(page, "bieu-excel-tai-ve")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải biểu F6").click()
    download = download_info.value
    assert download.suggested_filename == f"F6-{plan.village.code}-2027.xlsx"
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    ws = book["F6"]
    second = FIRST_ROW + 1
    ws[f"C{FIRST_ROW}"] = "Bê tông hóa đường trục thôn"  # change 1
    ws[f"I{second}"], ws[f"P{second}"] = "700", "600"  # change 2: 700 = 100 + 600
    ws[f"F{second}"] = "hai"  # the wrong cell: a quantity in words
    out = io.BytesIO()
    book.save(out)

    _upload(page, out.getvalue(), "F6-sua.xlsx")
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Tệp không được chấp nhận: có 1 lỗi")
    expect(errors).to_contain_text(f"F{second}")
    expect(errors).to_contain_text("“hai” không phải là số")
    expect(page.locator("#confirm-import")).to_have_count(0)
    _shot(page, "bieu-excel-loi")
    assert ProposalLine.objects.get(plan=plan, number=1).activity == "Bê tông hóa đường thôn"

    page.get_by_role("link", name="Quay lại kế hoạch").first.click()
    _open_workbooks(page)
    ws[f"F{second}"] = "1,5"
    out = io.BytesIO()
    book.save(out)
    _upload(page, out.getvalue(), "F6-sua-lan-2.xlsx")

    expect(page.locator("#import-counts")).to_contain_text("Thêm 0, sửa 2, xóa 0.")
    changes = page.locator("#import-changes")
    expect(changes).to_contain_text("Bê tông hóa đường trục thôn")
    expect(changes).to_contain_text("700")
    _shot(page, "bieu-excel-xem-truoc")
    page.locator("#confirm-import").click()

    expect(page.locator(".msg.success")).to_contain_text("Đã áp dụng biểu: thêm 0, sửa 2, xóa 0.")
    expect(page.locator("#proposals")).to_contain_text("Bê tông hóa đường trục thôn")
    second_line = ProposalLine.objects.get(plan=plan, number=2)
    assert (second_line.total_cost_mvnd, second_line.quantity) == (700, 1.5)
