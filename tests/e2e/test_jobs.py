"""A province officer asks for a province's workbook that is too large to download at once: the
export runs as a background job, its page follows it without being reloaded until the worker
(a real `manage.py db_worker` process) has written the file, and the download is the workbook."""

from __future__ import annotations

import io
import re
from typing import Any

from django.urls import reverse
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from kehoach.exchange.exports import ProvinceProposals
from kehoach.geo.models import AdministrativeUnit
from kehoach.jobs.tests.worker import start_worker

from .demo import PROVINCE, PROVINCE_OFFICER, load_demo, login


def test_a_province_export_is_followed_on_its_job_page_to_its_download(
    page: Page, settings: Any
) -> None:
    load_demo()
    settings.KEHOACH_EXPORT_DIRECT_MAX_LINES = 0  # every export is a job
    year = 2027
    lines = (
        ProvinceProposals(AdministrativeUnit.objects.get(code=PROVINCE), year).queryset().count()
    )
    assert lines > 0
    login(page, PROVINCE_OFFICER)
    page.goto(reverse("geo:unit", args=[PROVINCE]))
    page.get_by_role("link", name=f"Đề xuất năm {year} (.xlsx)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quảng Trị")
    expect(page.locator("main")).to_contain_text(f"{lines} dòng đề xuất")
    page.get_by_role("button", name="Chuẩn bị tệp Excel").click()

    # the job's page: waiting for a worker, and it says so
    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    status = page.locator("#job-state")
    expect(status).to_have_text("Đang chờ bắt đầu")
    expect(page.locator("#job-status progress")).to_be_visible()
    job_url = page.url
    page.evaluate("() => { window.__sameDocument = true; }")

    worker = start_worker()
    try:
        # the page asks for its status every few seconds and swaps it in place
        expect(status).to_have_text("Đã xong", timeout=30_000)
    finally:
        _out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    assert page.url == job_url and page.evaluate("() => window.__sameDocument === true")
    download_link = page.locator("#job-download")
    expect(download_link).to_contain_text(f"de-xuat-{PROVINCE}-{year}.xlsx")

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == f"de-xuat-{PROVINCE}-{year}.xlsx"
    data = download.path().read_bytes()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[4][:2] == ["Mã xã", "Xã/phường/đặc khu"]
    assert len([row for row in rows[5:] if row[0]]) == lines

    # "My jobs" lists it, finished, with its link
    page.locator("#jobs-link").click()
    expect(page.locator("main")).to_contain_text("Đã xong")
    expect(page.locator("main").get_by_role("link", name="Đề xuất")).to_have_count(1)
