"""The commune leader returns the commune plan with a comment on one line, the planner fixes it
and submits again, the leader approves with the council's resolution, the planner publishes,
and the head of Thôn Diên Sanh reads the fate and reason of each of the village's proposals."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command
from playwright.sync_api import Page, expect

from kehoach.accounts.models import User
from kehoach.catalog.services import catalog_load_defaults
from kehoach.core.templatetags.vn import money
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.plans.models import PlanningRound, ProposalLine, VillagePlan
from kehoach.synthesis.services.common import commune_plan_for
from kehoach.synthesis.services.funding import allocation_run
from kehoach.synthesis.services.lines import commune_plan_synthesise, lines_merge
from kehoach.synthesis.services.workflow import village_feedback


def _login(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("kehoach-demo")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()


def test_return_fix_approve_publish_and_the_village_reads_its_feedback(page: Page) -> None:
    commune = hai_lang()
    dong_hoi()
    catalog_load_defaults()
    for command in ("load_demo", "load_demo_rounds", "load_demo_envelopes"):
        call_command(command, stdout=io.StringIO())
    round_ = PlanningRound.objects.get(commune=commune, plan_year=2027)
    planner = User.objects.get(username="xa.hailang")
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = commune_plan_for(round_)
    road = "Bê tông hóa đường liên thôn Diên Sanh – Mỹ Chánh"
    lines_merge(actor=planner, plan=plan, lines=list(plan.lines.filter(activity=road)))
    allocation_run(actor=planner, plan=plan)
    line = plan.lines.active().order_by("number").first()
    assert line is not None

    _login(page, "xa.hailang")
    page.goto(f"/cdp/{plan.uid}/approval/")
    page.get_by_role("link", name="Trình phê duyệt").click()
    page.get_by_role("button", name="Xác nhận trình phê duyệt").click()
    expect(page.locator("#cdp-status")).to_have_text("Đã trình phê duyệt")
    _logout(page)

    # the leader sees the notification, comments on one line and returns the plan
    _login(page, "lanhdao.hailang")
    expect(page.locator("#notifications-link .badge")).to_have_text("1")
    page.goto(f"/cdp/{plan.uid}/lines/{line.uid}/")
    page.get_by_label("Ý kiến về dòng này").fill("Bổ sung bản vẽ thiết kế trước khi trình")
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator(".comment")).to_contain_text("Bổ sung bản vẽ thiết kế")
    page.get_by_role("link", name="Phê duyệt", exact=True).click()
    page.locator("#workflow-actions summary", has_text="Trả lại để chỉnh sửa").click()
    page.locator("#workflow-actions").get_by_role("button", name="Trả lại để chỉnh sửa").click()
    expect(page.locator("#cdp-status")).to_have_text("Bị trả lại để chỉnh sửa")
    _logout(page)

    # the planner reopens, fixes the line, resolves the comment and submits again
    _login(page, "xa.hailang")
    page.goto("/notifications/")
    page.get_by_role("button", name="Kế hoạch xã năm 2027 của Xã Hải Lăng đã bị trả lại").click()
    page.get_by_role("link", name="Phê duyệt", exact=True).click()
    page.get_by_role("button", name="Mở lại để chỉnh sửa").click()
    expect(page.locator("#cdp-status")).to_have_text("Dự thảo")
    page.goto(f"/cdp/{plan.uid}/lines/{line.uid}/")
    page.locator("summary", has_text="Sửa tên, địa điểm, loại chi và ghi chú").click()
    page.get_by_label("Ghi chú").fill("Đã bổ sung bản vẽ thiết kế")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".msg.success")).to_contain_text("Đã lưu dòng")
    page.get_by_role("button", name="Đánh dấu đã giải quyết").click()
    expect(page.locator(".comment .tag")).to_have_text("đã giải quyết")
    page.get_by_role("link", name="Phê duyệt", exact=True).click()
    page.get_by_role("link", name="Trình phê duyệt").click()
    page.get_by_role("button", name="Xác nhận trình phê duyệt").click()
    expect(page.locator("#cdp-status")).to_have_text("Đã trình phê duyệt")
    _logout(page)

    # the leader approves with the resolution of the commune People's Council
    _login(page, "lanhdao.hailang")
    page.goto(f"/cdp/{plan.uid}/approval/")
    page.get_by_role("link", name="Phê duyệt (nghị quyết HĐND xã)").click()
    page.get_by_label("Số nghị quyết").fill("25/NQ-HĐND")
    page.get_by_label("Ngày nghị quyết").fill("01/12/2026")
    page.get_by_label("Người ký").fill("Lê Văn Sơn, Chủ tịch HĐND xã")
    page.get_by_label("Tôi đã đối chiếu các thông tin trên với bản nghị quyết đã ký").check()
    page.get_by_role("button", name="Xác nhận phê duyệt").click()
    expect(page.locator("#cdp-status")).to_have_text("Đã phê duyệt")
    expect(page.locator("main")).to_contain_text("25/NQ-HĐND")
    _logout(page)

    _login(page, "xa.hailang")
    page.goto(f"/cdp/{plan.uid}/approval/")
    page.get_by_role("link", name="Công bố và gửi phản hồi cho các thôn").click()
    page.get_by_role("button", name="Xác nhận công bố").click()
    expect(page.locator("#cdp-status")).to_have_text("Đã công bố")
    _logout(page)

    # the head of Thôn Diên Sanh reads what became of each proposal, and why
    _login(page, "thon.diensanh")
    page.get_by_role("link", name="Thông báo").click()
    page.get_by_role("button", name="Kế hoạch xã năm 2027 đã được công bố").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(
        "Kết quả các đề xuất của Thôn Diên Sanh trong kế hoạch xã năm 2027 (F13)"
    )
    own = ProposalLine.objects.filter(plan__village__name="Thôn Diên Sanh").count()
    rows = page.locator("#fates tbody tr")
    expect(rows).to_have_count(own)
    for i in range(own):
        row = rows.nth(i)
        expect(row.locator(".tag")).not_to_have_text("Chưa quyết định")
        assert row.locator("td").last.inner_text().strip(), "every line has its reason"
    expect(page.locator("#fates")).to_contain_text("chung một công trình với Thôn Mỹ Chánh")
    # the shared road: the village reads its own part of the funding, not the whole work's
    village_plan = VillagePlan.objects.get(round=round_, village__name="Thôn Diên Sanh")
    _version, fates, _plan = village_feedback(village_plan)
    shared = next(f for f in fates if f.shared_with)
    assert shared.funding, "the demo funds the shared road"
    part = shared.funding[0]
    assert 0 < part["amount"] < sum(Decimal(x["amount"]) for x in shared.line["funding"])
    road_row = page.locator("#fates tbody tr", has_text=road)
    expect(road_row).to_contain_text(f"{part['source']} {money(part['amount'])}")
    _logout(page)

    # the history keeps who did what: the leader's comment and approval, by name
    _login(page, "xa.hailang")
    page.goto(f"/cdp/{plan.uid}/history/")
    leader = User.objects.get(username="lanhdao.hailang")
    expect(page.locator("main table")).to_contain_text(f"{leader.full_name} (lanhdao.hailang)")
    expect(page.locator("main table")).to_contain_text("Bổ sung bản vẽ thiết kế")
