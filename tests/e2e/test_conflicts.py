"""A save that meets someone else's write lock, in the browser: htmx puts the 409 conflict
message at the top of the page (base.html's htmx-config lets it swap a 409) and leaves the
row being edited as the user typed it (D43)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from playwright.sync_api import Page, expect

from kehoach.accounts.tests.factories import PASSWORD, commune_planner
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.tests import factories as f

CONFLICT = (
    "Người khác đã lưu dữ liệu này sau khi bạn mở. Thay đổi của bạn chưa được lưu; hãy tải "
    "lại trang để xem các giá trị đã lưu, rồi sửa lại."
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the browser tests run on SQLite"
)


@pytest.fixture
def short_busy_timeout() -> Iterator[None]:
    """The server's next connections wait 50 ms for a lock instead of 20 s (CONN_MAX_AGE is 0
    on SQLite: every request opens a connection of its own from these settings)."""
    options: dict[str, Any] = connection.settings_dict["OPTIONS"]
    saved = options["timeout"]
    options["timeout"] = 0.05
    yield
    options["timeout"] = saved


def test_a_save_meeting_a_held_lock_shows_the_message_and_keeps_the_typing(
    page: Page, short_busy_timeout: None
) -> None:
    plan = f.village_plan()
    line = f.line(plan)
    commune_planner(plan.village.parent, username="xa.hailang")

    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("xa.hailang")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/plans/{plan.uid}/")
    page.locator(f"#line-{line.uid}").get_by_role("link", name="Sửa").click()
    editing = page.locator("tr.editing")
    editing.get_by_label("Hoạt động").fill("Đường bê tông xóm Trên")

    with transaction.atomic():  # someone else is writing: the test holds the write lock
        VillagePlan.objects.filter(pk=plan.pk).update(updated_at=plan.updated_at)
        editing.get_by_role("button", name="Lưu").click()
        message = page.locator("#main > p.write-conflict")
        expect(message).to_contain_text(CONFLICT)
        transaction.set_rollback(True)

    expect(message.get_by_role("link", name="Tải lại trang")).to_have_attribute(
        "href", f"/plans/{plan.uid}/"
    )
    expect(editing.get_by_label("Hoạt động")).to_have_value("Đường bê tông xóm Trên")
    stored = ProposalLine.objects.get(pk=line.pk)
    assert (stored.activity, stored.version) == (line.activity, line.version)

    # the lock gone, saving again goes through
    editing.get_by_role("button", name="Lưu").click()
    expect(page.locator(f"#line-{line.uid}")).to_contain_text("Đường bê tông xóm Trên")
    assert ProposalLine.objects.get(pk=line.pk).version == line.version + 1
