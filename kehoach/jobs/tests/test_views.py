"""The job pages: only the person who asked (or staff) sees a job and downloads its file; the
status page polls while the job runs and offers the file when it is done; "my jobs" is small
and takes a bounded number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kehoach.accounts.tests.factories import UserFactory
from kehoach.jobs.models import Job
from kehoach.jobs.services import job_fail, job_finish, job_progress, job_start

pytestmark = pytest.mark.django_db
TASK = "kehoach.jobs.tests.sample_tasks.writes_a_file"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _job(actor: Any, label: str = "Đề xuất của tỉnh năm 2027 (Excel)") -> Job:
    return job_start(actor=actor, kind="test", task=TASK, label=label, text="x")


def test_the_status_page_follows_a_job_until_its_download() -> None:
    owner = UserFactory.create()
    job = _job(owner)
    client = _client(owner)
    url = reverse("jobs:detail", args=[job.uid])
    page = client.get(url).content.decode()
    assert "Đang chờ bắt đầu" in page and 'hx-trigger="every 3s"' in page
    assert len(page.encode()) < 100_000
    job_progress(job.uid, 1_500, 3_000, "Đang ghi tệp Excel")
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in part and 'hx-trigger="every 3s"' in part
    assert '<progress max="3000" value="1500"' in part and "1.500 / 3.000" in part
    assert "style=" not in part
    job_finish(job.uid, file_name="de-xuat-44-2027.xlsx", content=b"PK-bytes")
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in part  # polling stops
    download = reverse("jobs:download", args=[job.uid])
    assert download in part and "Tải về de-xuat-44-2027.xlsx" in part
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="de-xuat-44-2027.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert data == b"PK-bytes"


def test_a_failed_job_shows_its_message_and_no_download() -> None:
    owner = UserFactory.create()
    job = _job(owner)
    job_fail(job.uid, "Không có dòng đề xuất nào để xuất.")
    client = _client(owner)
    page = client.get(reverse("jobs:detail", args=[job.uid])).content.decode()
    assert "Không thành công" in page and "Không có dòng đề xuất nào để xuất." in page
    assert "hx-trigger" not in page
    assert client.get(reverse("jobs:download", args=[job.uid])).status_code == 404


def test_no_download_before_the_job_is_done() -> None:
    owner = UserFactory.create()
    job = _job(owner)
    assert _client(owner).get(reverse("jobs:download", args=[job.uid])).status_code == 404


def test_another_persons_job_is_404_staff_see_it_visitors_log_in() -> None:
    owner = UserFactory.create()
    job = _job(owner)
    job_finish(job.uid, file_name="a.txt", content=b"secret")
    urls = [reverse("jobs:detail", args=[job.uid]), reverse("jobs:download", args=[job.uid])]
    stranger = _client(UserFactory.create())
    staff = _client(UserFactory.create(is_staff=True))
    for url in urls:
        assert stranger.get(url).status_code == 404, url
        assert staff.get(url).status_code == 200, url
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    assert "Đề xuất của tỉnh" not in stranger.get(reverse("jobs:list")).content.decode()
    response = Client().get(reverse("jobs:list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_my_jobs_lists_the_persons_own_latest_jobs() -> None:
    owner = UserFactory.create()
    _job(UserFactory.create(), label="Việc của người khác")
    mine = [_job(owner, label=f"Việc số {n}") for n in range(3)]
    page = _client(owner).get(reverse("jobs:list")).content.decode()
    assert "Công việc của tôi" in page
    for job in mine:
        assert reverse("jobs:detail", args=[job.uid]) in page
    assert "Việc của người khác" not in page
    assert page.index("Việc số 2") < page.index("Việc số 0")  # newest first


def test_my_jobs_takes_a_bounded_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    owner = UserFactory.create()
    client = _client(owner)
    _job(owner)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("jobs:list"))
    for n in range(40):
        _job(owner, label=f"Việc {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("jobs:list")).content
    assert len(page) < 100_000
