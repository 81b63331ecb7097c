"""The exchange's heavy work as jobs: a large province export answers with a page that starts
its job; a document's button (POST) downloads a kept document at once and otherwise starts a
job that renders exactly what the download would (run here in-process; test_worker.py runs a
real worker)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.exchange.tasks import document_render
from kehoach.exchange.tests.helpers import plan_with_lines
from kehoach.geo.tests.factories import dong_hoi, quang_tri
from kehoach.jobs.choices import JobStatus
from kehoach.jobs.models import Job
from kehoach.monitoring.tests.factories import followed_plan

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_large_province_export_offers_a_job_and_a_small_one_downloads(settings: Any) -> None:
    plan_with_lines()
    officer = _client(user_with_role(Role.PROVINCE_OFFICER, quang_tri()))
    url = reverse("exchange:province_proposals", args=["44", 2027])
    assert officer.get(url)["Content-Disposition"].startswith("attachment")
    settings.KEHOACH_EXPORT_DIRECT_MAX_LINES = 1
    page = officer.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and f'action="{url}"' in html and "2 dòng đề xuất" in html
    assert not Job.objects.exists()  # a GET starts nothing
    response = officer.post(url)
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.kind == "province-export"


def test_a_commune_user_cannot_start_the_province_export() -> None:
    _plan, planner = plan_with_lines()
    url = reverse("exchange:province_proposals", args=["44", 2027])
    assert _client(planner).post(url).status_code == 404
    assert not Job.objects.exists()


def test_a_document_is_a_job_until_it_is_kept(django_capture_on_commit_callbacks: Any) -> None:
    world = followed_plan()
    client, plan = _client(world["planner"]), world["plan"]
    url = reverse("exchange:commune_document", args=[plan.uid, "pdf"]) + "?version=1"
    page = client.get(reverse("synthesis:approval", args=[plan.uid])).content.decode()
    assert f'action="{url.replace("&", "&amp;")}"' in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url)
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.params == {
        "document": "commune_plan",
        "plan_uid": str(plan.uid),
        "fmt": "pdf",
        "version": 1,
    }
    document_render.call(str(job.uid), **job.params)  # what the worker does
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.file_name.endswith(".pdf")
    with job.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    again = client.post(url)  # kept by the job: downloaded at once
    assert again.status_code == 302 and again["Location"] == url
    assert Job.objects.count() == 1


def test_another_commune_cannot_start_a_document_job() -> None:
    world = followed_plan()
    stranger = _client(user_with_role(Role.COMMUNE_PLANNER, dong_hoi()))
    url = reverse("exchange:commune_document", args=[world["plan"].uid, "pdf"])
    assert stranger.post(url).status_code == 404
    assert not Job.objects.exists()
