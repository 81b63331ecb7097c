"""The commune's five-year plan 2026–2030 of Xã Hải Lăng: the planner synthesises the villages'
submitted plans, completes the resource frame, decides each line (one deferred, with the reason
the village reads) and submits; the leader approves with the council's resolution; the planner
publishes; the head of Thôn Diên Sanh reads what became of each activity."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from kehoach.accounts.tests.factories import PASSWORD
from kehoach.midterm.services.commune import commune_plan_for
from kehoach.midterm.services.frame import frame_line_save
from kehoach.midterm.tests.commune_world import world
from kehoach.plans.tests.factories import source


def _login(page: Page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#notifications-link")).to_be_visible()


def _decide(page: Page, number: int, decision: str, reason: str = "") -> None:
    row = page.locator(f"#line-{number}")
    row.locator("summary", has_text="Quyết định").click()
    row.get_by_label("Quyết định của xã").select_option(label=decision)
    if reason:
        row.get_by_label("Lý do (thôn sẽ đọc)").fill(reason)
    row.get_by_role("button", name="Lưu quyết định").click()
    expect(page.locator(f"#line-{number}")).to_contain_text(decision)


def test_the_commune_approves_and_publishes_its_five_year_plan(page: Page) -> None:
    w = world()
    for user, name in (
        (w["planner"], "xa.hailang"),
        (w["approver"], "lanhdao.hailang"),
        (w["editor"], "thon.diensanh"),
    ):
        user.username = name
        user.save()
    plan = commune_plan_for(w["round"])
    for year, amount in ((2027, "200"), (2028, "100"), (2029, "200")):
        frame_line_save(
            actor=w["planner"],
            plan=plan,
            data={"source": source(), "sector": None, "year": year, "amount_mvnd": amount},
        )
    url = f"/five-year/commune/{w['round'].uid}/"

    _login(page, "xa.hailang")
    page.goto(url)
    page.get_by_role("button", name="Tổng hợp kế hoạch đã gửi của các thôn").click()
    lines = page.locator("#commune-lines")
    expect(lines).to_contain_text("Thôn Diên Sanh")
    expect(lines).to_contain_text("Thôn An Thơ")

    # the 2026 frame of the programme: the support the lines ask that year fits in it
    page.locator("#frame-add summary").click()
    form = page.locator("#frame-add form")
    form.get_by_label("Chương trình").select_option(index=1)
    form.get_by_label("Năm").select_option("2026")
    form.get_by_label("Kinh phí (triệu đồng)").fill("500")
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator("#frame-lines")).to_contain_text("2026")
    expect(page.locator("#frame-grid .over")).to_have_count(0)

    _decide(page, 1, "Đưa vào kế hoạch, có vốn")
    _decide(page, 2, "Hoãn lại", "Chờ vốn của giai đoạn 2031–2035")
    _decide(page, 3, "Đưa vào kế hoạch, có vốn")
    expect(page.locator("#undecided")).to_have_count(0)
    page.locator("#action-submit").click()
    expect(page.locator("main")).to_contain_text("Đã trình phê duyệt")

    _login(page, "lanhdao.hailang")
    page.goto(url)
    page.locator("#action-approve").click()
    page.get_by_label("Số nghị quyết").fill("19/NQ-HĐND")
    page.get_by_label("Ngày nghị quyết").fill("18/12/2025")
    page.get_by_label("Người ký").fill("Lê Văn Sơn, Chủ tịch HĐND xã")
    page.get_by_label("Tôi đã đối chiếu các thông tin trên với bản nghị quyết đã ký").check()
    page.get_by_role("button", name="Xác nhận phê duyệt").click()
    expect(page.locator("#versions")).to_contain_text("19/NQ-HĐND")

    _login(page, "xa.hailang")
    page.goto(url)
    page.locator("#action-publish").click()
    expect(page.locator("main")).to_contain_text("Đã công bố")
    expect(page.locator("#versions")).not_to_contain_text("—")  # the publication date

    # the head of Thôn Diên Sanh is told, and reads the fate of each activity
    _login(page, "thon.diensanh")
    page.get_by_role("link", name="Thông báo").click()
    page.get_by_text("Kế hoạch 5 năm 2026–2030 đã được công bố").first.click()
    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text("Đưa vào kế hoạch, có vốn")
    expect(feedback).to_contain_text("Chờ vốn của giai đoạn 2031–2035")
