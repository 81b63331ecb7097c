"""The real path: a `manage.py db_worker --batch` process (django-tasks' database backend, the
one `make run` and production start) takes a job queued by a page and runs it — here the
province export, end to end, on SQLite and on PostgreSQL (``make test`` runs both)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.exchange.tests.helpers import plan_with_lines
from kehoach.geo.tests.factories import quang_tri
from kehoach.jobs.choices import JobStatus
from kehoach.jobs.models import Job
from kehoach.jobs.tests.worker import run_worker


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_runs_the_province_export_to_its_download() -> None:
    plan_with_lines()
    officer = user_with_role(Role.PROVINCE_OFFICER, quang_tri())
    client = Client()
    client.force_login(officer)
    url = reverse("exchange:province_proposals", args=["44", 2027])
    response = client.post(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.QUEUED and job.unit == quang_tri()
    assert client.post(url)["Location"] == response["Location"]  # the open job is reused
    assert DBTaskResult.objects.count() == 1

    done = run_worker()
    assert done.returncode == 0, done.stderr

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.done, job.total) == (2, 2) and job.started_at and job.finished_at
    assert job.file_name == "de-xuat-44-2027.xlsx"
    download = client.get(reverse("jobs:download", args=[job.uid]))
    data = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert sheet[4][:2] == ["Mã xã", "Xã/phường/đặc khu"]
    assert len(sheet[5:]) == 2
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_worker_fails_the_job_of_a_person_who_lost_the_unit(settings: Any) -> None:
    plan_with_lines()
    officer = user_with_role(Role.PROVINCE_OFFICER, quang_tri())
    client = Client()
    client.force_login(officer)
    client.post(reverse("exchange:province_proposals", args=["44", 2027]))
    officer.role_assignments.all().delete()  # the role is withdrawn before the worker runs

    done = run_worker()
    assert done.returncode == 0, done.stderr

    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and not job.file
    assert job.error == (
        "Dữ liệu của công việc này không còn nữa, hoặc bạn không còn quyền xem dữ liệu đó."
    )
