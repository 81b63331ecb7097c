"""Implementation in a browser: the commune planner reports progress with a photo on two works,
one of them passes its planned end without being finished (delayed), and the province officer's
dashboard shows both correctly."""

from __future__ import annotations

import datetime
import io

from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import PASSWORD, user_with_role
from kehoach.geo.tests.factories import quang_tri
from kehoach.monitoring.models import ProgressPhoto, ProgressReport
from kehoach.monitoring.tests.factories import followed_plan
from kehoach.synthesis.models import CommuneLine


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


def _login(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()


def _report(
    page: Page, work: str, status: str, done: str, disbursed: str, finish: str = ""
) -> None:
    page.get_by_role("link", name="Thực hiện", exact=True).click()
    page.locator("#works").get_by_role("link", name=work).click()
    form = page.locator("#report-form")
    form.get_by_label("Ngày báo cáo (dd/mm/yyyy)").fill("01/12/2026")
    form.get_by_label("Trạng thái").select_option(label=status)
    form.get_by_label("Khối lượng đã thực hiện đến nay").fill(done)
    form.get_by_label("Ngày bắt đầu thực tế").fill("01/09/2026")
    if finish:
        form.get_by_label("Ngày hoàn thành thực tế").fill(finish)
    form.locator("input[name^=disbursed_]").fill(disbursed)
    form.get_by_role("button", name="Lưu báo cáo").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã lưu báo cáo tiến độ")
    photo: FilePayload = {
        "name": "anh-cong-trinh.jpg",
        "mimeType": "image/jpeg",
        "buffer": _jpeg((120, 140, 90)),
    }
    photos = page.locator("#photo-form")
    photos.get_by_label("Giai đoạn").select_option(label="Trong khi thi công")
    photos.locator("input[type=file]").set_input_files(files=[photo])
    photos.get_by_role("button", name="Gửi ảnh").click()
    expect(page.locator("img[src*='/photos/']").first).to_be_visible()


def test_progress_with_photos_and_a_delayed_work_on_the_province_dashboard(page: Page) -> None:
    world = followed_plan()
    plan, road, school = world["plan"], world["road"], world["school"]
    world["planner"].username = "xa.hailang"
    world["planner"].save()
    user_with_role(Role.PROVINCE_OFFICER, quang_tri(), username="tinh.quangtri")
    # The school was planned to end in October 2026: it is past its end by now.
    CommuneLine.objects.filter(pk=school.pk).update(
        start_month=datetime.date(2026, 6, 1), end_month=datetime.date(2026, 10, 1)
    )

    _login(page, "xa.hailang")
    page.goto(f"/cdp/{plan.uid}/")
    _report(page, road.activity, "Hoàn thành", "1,5", "500", finish="30/11/2026")
    _report(page, school.activity, "Đang thực hiện", "0,4", "140")

    page.get_by_role("link", name="Thực hiện", exact=True).click()
    expect(page.locator("#delayed-note")).to_contain_text("1 công trình")
    expect(page.locator("#works tr.delayed")).to_contain_text(school.activity)
    assert ProgressReport.objects.filter(is_latest=True).count() == 2
    assert ProgressPhoto.objects.count() == 2

    page.get_by_role("button", name="Đăng xuất").click()
    _login(page, "tinh.quangtri")
    page.goto("/units/44/")
    page.get_by_role("link", name="2027").last.click()
    expect(page.locator("#sum-works")).to_have_text("2")
    expect(page.locator("#sum-completed")).to_contain_text("1")
    expect(page.locator("#sum-delayed")).to_have_text("1")
    expect(page.locator("#sum-disbursed")).to_contain_text("640,0")
    row = page.locator(f"#commune-{world['commune'].code}")
    expect(row).to_contain_text("Xã Hải Lăng")
    expect(page.locator("#delayed-works")).to_contain_text(school.activity)
    expect(page.locator("#delayed-works")).not_to_contain_text(road.activity)
