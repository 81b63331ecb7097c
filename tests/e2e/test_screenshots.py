"""The pictures of the user guide are the real pages: this test opens each main page of each
role on the demo (tests/e2e/demo.py) and saves what the browser shows into
docs/user-guide/img/, under a stable name (``trang-chu-can-bo-xa.png``, ``ke-hoach-thon.png``,
``cham-diem.png``…): 1,366 px wide, the first screen of the page, or from a named part of it;
a few pages also as a 390 px phone shows them (``…-dien-thoai.png``). Each file is a PNG of at
most 128 colours, well under 250 KB.

Other pages change with the work on them; run this again after a change to a page, so that the
guide shows it:

    .venv/bin/pytest -q -m e2e tests/e2e/test_screenshots.py

KEHOACH_SCREENSHOTS=<folder> saves them elsewhere (to look at them before they replace the
guide's).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from django.conf import settings
from PIL import Image
from playwright.sync_api import Page, ViewportSize

from .demo import DemoPage, load_demo, login, main_pages

GUIDE = Path(settings.BASE_DIR) / "docs" / "user-guide"
FOLDER = Path(os.environ.get("KEHOACH_SCREENSHOTS") or GUIDE / "img")
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
MAX_BYTES = 250 * 1024

ANCHORS = {
    "ke-hoach-thon": "#lines-title",
    "ke-hoach-thon-truong-thon": "#lines-title",
    "ke-hoach-thon-nhap": "#lines-title",
    "hop-thon-nhap": "main h2",
}
"""Pages whose picture starts at a part of the page (a selector) rather than at its top."""
PHONE_SHOTS = {
    "ke-hoach-thon-truong-thon": "ke-hoach-thon-dien-thoai",
    "hop-thon-nhap": "hop-thon-dien-thoai",
    "thuc-hien": "thuc-hien-dien-thoai",
    "bang-theo-doi": "bang-theo-doi-dien-thoai",
    "cong-khai-ke-hoach": "cong-khai-ke-hoach-dien-thoai",
}
"""Pages also pictured on a phone, and the name of that picture."""


def _save(png: bytes, name: str) -> Path:
    """The picture in at most 128 colours (screens of text and flat colours lose nothing a
    reader sees), written only when it changed."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    path = FOLDER / f"{name}.png"
    if not path.exists() or path.read_bytes() != out.getvalue():
        path.write_bytes(out.getvalue())
    return path


def _shoot(page: Page, name: str, anchor: str | None = None) -> Path:
    """The window's worth of the page, from its top or from `anchor`."""
    size = page.viewport_size
    assert size is not None
    top = 0.0
    if anchor:
        box = page.locator(anchor).first.bounding_box()
        assert box is not None, (name, anchor)
        height = page.evaluate("() => document.documentElement.scrollHeight")
        top = max(
            0.0, min(box["y"] + page.evaluate("() => window.scrollY") - 16, height - size["height"])
        )
    png = page.screenshot(
        full_page=True,
        clip={"x": 0, "y": top, "width": size["width"], "height": size["height"]},
        animations="disabled",
        caret="hide",
    )
    return _save(png, name)


def _check(path: Path, width: int) -> None:
    assert path.stat().st_size < MAX_BYTES, (path.name, path.stat().st_size)
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size[0] == width, (path.name, image.size)


def test_each_main_page_of_each_role_is_pictured_for_the_guide(page: Page) -> None:
    load_demo()
    FOLDER.mkdir(parents=True, exist_ok=True)
    pages: list[DemoPage] = main_pages()
    user: str | None = "-"
    saved: list[tuple[Path, int]] = []

    for demo_page in pages:
        if demo_page.user != user:
            user = demo_page.user
            if user is None:
                page.context.clear_cookies()
            else:
                login(page, user)
        page.set_viewport_size(DESKTOP)
        response = page.goto(demo_page.url)
        assert response is not None and response.status == 200, demo_page
        saved.append((_shoot(page, demo_page.name, ANCHORS.get(demo_page.name)), 1366))
        if demo_page.name in PHONE_SHOTS:
            page.set_viewport_size(PHONE)
            page.goto(demo_page.url)
            saved.append(
                (_shoot(page, PHONE_SHOTS[demo_page.name], ANCHORS.get(demo_page.name)), 390)
            )

    assert len(saved) == len(pages) + len(PHONE_SHOTS)
    assert len({path for path, _ in saved}) == len(saved)  # stable, distinct names
    for path, width in saved:
        _check(path, width)
    # every picture the guide shows is one of these, or one kept in the guide's folder (the
    # workbooks' pictures, tests/e2e/test_workbooks.py)
    shown = {
        name
        for page_md in GUIDE.glob("*.md")
        for name in re.findall(r"\]\(img/([\w-]+)\.png\)", page_md.read_text(encoding="utf-8"))
    }
    made = {path.stem for path, _ in saved}
    assert len(shown & made) >= 40
    missing = {name for name in shown - made if not (GUIDE / "img" / f"{name}.png").exists()}
    assert not missing, missing
