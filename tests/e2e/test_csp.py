"""The pages run under the Content-Security-Policy: the browser would refuse an inline script
or style (and the fixtures turn a refusal into a failure), htmx injects nothing, and the
Django admin — change lists with editable columns and actions, a user with inline role rows
and unit pickers (select2, asking the server as one types), the dark-mode switch — works
without a single refusal."""

from __future__ import annotations

import io

from django.core.management import call_command
from playwright.sync_api import Page, expect

from kehoach.accounts.demo import DEMO_PASSWORD
from kehoach.catalog.models import UnitOfMeasure
from kehoach.catalog.services import catalog_load_defaults
from kehoach.core.csp import POLICY
from kehoach.geo.tests.factories import dong_hoi, hai_lang

from .conftest import flush_csp_reports, is_csp_refusal


def _demo() -> None:
    hai_lang()
    dong_hoi()
    catalog_load_defaults()
    call_command("load_demo", stdout=io.StringIO())


def _login(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")


def test_the_browser_refuses_inline_code_and_the_test_hears_it(
    page: Page, csp_violations: list[str]
) -> None:
    response = page.goto("/accounts/login/")
    assert response is not None
    assert response.headers["content-security-policy"] == POLICY
    # htmx ran (it is a file) and injected no <style> of its own
    page.wait_for_function("() => window.htmx && htmx.config.allowEval === false")
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0
    assert csp_violations == []

    ran = page.evaluate(
        """() => {
            window.ran = false;
            const script = document.createElement("script");
            script.textContent = "window.ran = true";
            document.body.append(script);
            document.body.insertAdjacentHTML("beforeend", '<p style="color: red">đỏ</p>');
            return window.ran;
        }"""
    )
    flush_csp_reports(page)

    assert ran is False
    refused = "\n".join(csp_violations)
    assert "script-src-elem refused inline" in refused, refused
    assert "style-src-attr refused inline" in refused
    console = [v for v in csp_violations if v.startswith("console: ")]
    assert any("inline script" in v and is_csp_refusal(v) for v in console), refused
    csp_violations.clear()  # seen: this test expected them


def test_the_admin_works_under_the_policy(page: Page) -> None:
    _demo()
    _login(page, "quantri")

    page.goto("/admin/")
    expect(page.locator("#site-name")).to_contain_text("kehoach")
    page.locator("button.theme-toggle").first.click()  # theme.js
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")

    # a change list with editable columns, filters and actions (actions.js, filters.js)
    page.goto("/admin/catalog/sector/")
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_be_visible()
    rows.first.locator("input.action-select").check()
    expect(page.locator(".action-counter")).to_contain_text("1")
    page.locator("#changelist-filter").get_by_role("link").nth(1).click()
    expect(page.locator("#changelist-filter")).to_be_visible()

    # a user with inline role rows and a unit picker that asks the server (select2, XHR)
    page.goto("/admin/accounts/user/")
    page.locator("#result_list").get_by_role("link", name="xa.hailang").click()
    expect(page.locator("#id_username")).to_have_value("xa.hailang")
    role_rows = page.locator("#role_assignments-group tr.form-row:not(.empty-form)")
    expect(role_rows).to_have_count(2)  # the planner's role and one empty row
    page.locator(".add-row a").click()  # inlines.js (which makes that link) adds a row
    expect(role_rows).to_have_count(3)
    picker = page.locator(".field-unit .select2-selection").last
    picker.click()
    page.locator(".select2-search__field").fill("Hải Lăng")
    expect(page.locator(".select2-results__option").first).to_contain_text("Hải Lăng")
    page.keyboard.press("Escape")

    # the delete confirmation and the admin's password page
    unit = UnitOfMeasure.objects.order_by("pk").first()
    assert unit is not None
    page.goto(f"/admin/catalog/unitofmeasure/{unit.pk}/change/")
    page.locator("a.deletelink").click()
    expect(page.locator("#content form input[type=submit]")).to_be_visible()
    page.goto("/admin/password_change/")
    expect(page.locator("#id_old_password")).to_be_visible()
