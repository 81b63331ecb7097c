"""The API documentation pages run in the browser from vendored files, with no CSP refusal
(the page fixture fails the test on any)."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_swagger_ui_shows_the_operations(page: Page) -> None:
    page.goto("/api/v1/docs/")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator("#api-docs")).to_contain_text("/api/v1/me/")
    expect(page.locator("#api-docs")).to_contain_text("kehoach API")


def test_redoc_shows_the_operations(page: Page) -> None:
    page.goto("/api/v1/docs/redoc/")
    expect(page.locator("#api-docs")).to_contain_text("Tài khoản đang dùng")
    expect(page.locator("#api-docs")).to_contain_text("/api/v1/me/")
