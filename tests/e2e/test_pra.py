"""The head of Thôn Diên Sanh records the transect walk of the 2027 plan (F2): the tool, the
date, who led it, the women and men who took part, what it showed and the problem it supports,
then a photo of the map; the photo comes back re-encoded (JPEG, 2560 pixels on its long side)
and the plan's annex is offered with the documents."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import Page, expect

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import PASSWORD, commune_planner, user_with_role
from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.services.findings import problem_create
from kehoach.plans.tests import factories as f


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3200, 2400), (90, 140, 70)).save(out, "PNG")
    return out.getvalue()


def test_a_village_records_a_pra_tool_with_its_photo(page: Page) -> None:
    catalog_load_defaults()
    commune = hai_lang()
    village = VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    plan = f.village_plan(village, year=2027)
    problem_create(
        actor=commune_planner(commune),
        plan=plan,
        data={"sector": f.sector(), "problem": "Đường xóm Trên lầy lội", "solutions": []},
    )
    user_with_role(Role.VILLAGE_EDITOR, village, username="thon.diensanh")

    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("thon.diensanh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/plans/{plan.uid}/")
    page.get_by_role("link", name="PRA (F2)").click()

    page.locator('[name="tool"]').select_option("PRA-01")
    page.locator('[name="held_on"]').fill("10/05/2026")
    page.locator('[name="facilitators"]').fill("Tổ kế hoạch thôn, cán bộ xã")
    page.locator('[name="participants_women"]').fill("14")
    page.locator('[name="participants_men"]').fill("11")
    page.locator('[name="findings"]').fill("Đường xóm Trên lầy lội mùa mưa, 40 hộ đi lại khó")
    page.get_by_label("Đường xóm Trên lầy lội").check()
    page.get_by_role("button", name="Thêm kết quả công cụ PRA").click()
    walk = page.locator("article.card").first
    expect(walk).to_contain_text("14 nữ, 11 nam")
    expect(walk).to_contain_text("Đường xóm Trên lầy lội")

    walk.locator("summary", has_text="Thêm ảnh chụp hoặc bản quét").click()
    walk.locator('input[type="file"]').set_input_files(
        {"name": "so-do.png", "mimeType": "image/png", "buffer": _png()}
    )
    walk.get_by_label("Chú thích").fill("Sơ đồ lát cắt vẽ tại nhà văn hóa")
    walk.get_by_role("button", name="Gửi ảnh").click()
    photo = page.locator("article.card figure img").first
    expect(photo).to_be_visible()
    full = page.request.get(page.locator("article.card figure a").first.get_attribute("href") or "")
    assert full.ok and full.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(full.body())).size == (2560, 1920)  # PHOTO_LONG_SIDE

    page.get_by_role("link", name="Đề xuất (F6)").click()
    annex = page.get_by_role("link", name="PDF").and_(page.locator('a[href*="phu-luc-pra"]'))
    response = page.request.get(annex.get_attribute("href") or "")
    assert response.ok and response.headers["content-type"] == "application/pdf"
