"""Browser tests: Playwright (sync API) driving Debian's Chromium against the live server.

Every test under tests/e2e/ is marked `e2e`, so `pytest -m "not e2e"` skips them and
`pytest -m e2e` runs only them. Chromium is /usr/bin/chromium unless KEHOACH_CHROMIUM says
otherwise; Playwright never downloads a browser of its own.

Every page runs under the Content-Security-Policy the server sends (kehoach/core/csp.py), and a
test fails if the browser refused anything on any of its pages: each `securitypolicyviolation`
event and each "Refused to …" console message is recorded (`csp_violations`) and must be none
when the test ends.
"""

import contextlib
import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

E2E_DIR = Path(__file__).resolve().parent
FAILURE_DIR = E2E_DIR.parent.parent / "var" / "e2e-failures"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
    "--disable-sync",
    "--disable-quic",
    # CI containers often have a tiny /dev/shm; Chromium crashes when it runs out.
    "--disable-dev-shm-usage",
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Runs before pytest's own -m deselection; the hook sees every collected item.
    for item in items:
        if item.path.resolve().is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Remember whether the test body failed, so that `page` can take a screenshot.
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("KEHOACH_CHROMIUM", "/usr/bin/chromium")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()


# Runs in every page before its own scripts (Playwright injects it outside the page's CSP) and
# reports each refusal to the test through a binding.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__kehoachCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || location.href}:${event.lineNumber}`
    + (event.sample ? ` (${event.sample})` : "")
  );
}, true);
"""
_REFUSED = re.compile(r"Refused to|Content[ -]Security[ -]Policy", re.I)


def is_csp_refusal(text: str) -> bool:
    return bool(_REFUSED.search(text))


@pytest.fixture
def csp_violations() -> list[str]:
    """What the browser refused under the Content-Security-Policy during the test."""
    return []


def flush_csp_reports(page: Page) -> None:
    """Let events already queued in the page (a violation is reported in a task of its own)
    reach the test: one turn of the page's event loop, and a round trip to the browser."""
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 0))")


@pytest.fixture
def page(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    csp_violations: list[str],
) -> Iterator[Page]:
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 1280, "height": 800},
        base_url=live_server.url,
    )
    context.expose_binding(
        "__kehoachCspViolation", lambda source, text: csp_violations.append(str(text))
    )
    context.add_init_script(_REPORT_VIOLATIONS)
    context.on(
        "console",
        lambda message: (
            csp_violations.append(f"console: {message.text} ({message.location.get('url')})")
            if message.type == "error" and is_csp_refusal(message.text)
            else None
        ),
    )
    page = context.new_page()
    yield page
    failed = request.node.stash.get(_CALL_FAILED, False)
    if failed:
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(FAILURE_DIR / f"{name}.png"), full_page=True)
    else:
        # a page closed or navigating away: what it reported is already here
        with contextlib.suppress(PlaywrightError):
            flush_csp_reports(page)
    context.close()
    if not failed:
        assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(
            csp_violations
        )
