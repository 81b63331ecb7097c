"""Browser tests: Playwright (sync API) driving Debian's Chromium against the live server.

Every test under tests/e2e/ is marked `e2e`, so `pytest -m "not e2e"` skips them and
`pytest -m e2e` runs only them. Chromium is /usr/bin/chromium unless KEHOACH_CHROMIUM says
otherwise; Playwright never downloads a browser of its own.
"""

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

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


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, transactional_db: None
) -> Iterator[Page]:
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 1280, "height": 800},
        base_url=live_server.url,
    )
    page = context.new_page()
    yield page
    if request.node.stash.get(_CALL_FAILED, False):
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(FAILURE_DIR / f"{name}.png"), full_page=True)
    context.close()
