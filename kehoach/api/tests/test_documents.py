"""The plans' documents through the API (issue 17): a kept document at once (200 with the
file), any other by a background job (202 with the job, its file once done), with the pages'
visibility (another unit's plan, a version that does not exist: 404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tokens import token_create
from kehoach.exchange.models import RenderedDocument
from kehoach.exchange.tasks import document_render
from kehoach.geo.tests.factories import dong_hoi
from kehoach.jobs.choices import JobStatus
from kehoach.jobs.models import Job
from kehoach.monitoring.tests.factories import followed_plan
from kehoach.plans.models import VillagePlan
from kehoach.synthesis.tests import factories as sf

pytestmark = pytest.mark.django_db
API = "/api/v1"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở KH-ĐT", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    found = followed_plan()
    found["api"] = api_for(found["planner"], ApiTokenScope.READ)
    found["village_plan"] = VillagePlan.objects.get(village=found["villages"][0])
    return found


def document_url(plan: Any, fmt: str = "pdf", query: str = "") -> str:
    return f"{API}/commune-plans/{plan.uid}/documents/plan.{fmt}{query}"


def poster_url(plan: VillagePlan) -> str:
    return f"{API}/village-plans/{plan.uid}/documents/poster.pdf"


def run(job_uid: str) -> Job:
    """What the worker does with the queued job."""
    job = Job.objects.get(uid=job_uid)
    document_render.call(str(job.uid), **job.params)
    job.refresh_from_db()
    return job


def test_a_document_not_kept_is_rendered_by_a_job_whose_file_is_the_pdf(
    world: dict[str, Any],
) -> None:
    api = world["api"]
    response = api.get(document_url(world["plan"], query="?draft=1"))
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["kind"] == "document" and job["status"] == "queued"
    assert response["Location"].endswith(f"/api/v1/jobs/{job['uid']}/")
    # asked again while it waits: the same job, not a second render
    assert api.get(document_url(world["plan"], query="?draft=1")).json()["uid"] == job["uid"]
    assert api.get(f"{API}/jobs/{job['uid']}/file/").status_code == 404  # not done yet

    assert run(job["uid"]).status == JobStatus.DONE
    assert api.get(f"{API}/jobs/{job['uid']}/").json()["status"] == "done"
    file = api.get(f"{API}/jobs/{job['uid']}/file/")
    assert file.status_code == 200 and file["Content-Type"] == PDF
    assert b"".join(file.streaming_content).startswith(b"%PDF")


def test_an_approved_versions_document_once_kept_is_answered_at_once(
    world: dict[str, Any],
) -> None:
    api = world["api"]
    first = api.get(document_url(world["plan"]))
    assert first.status_code == 202
    run(first.json()["uid"])
    assert RenderedDocument.objects.filter(subject_uid=world["plan"].uid).exists()
    jobs = Job.objects.count()
    kept = api.get(document_url(world["plan"]), HTTP_ACCEPT=PDF)
    assert kept.status_code == 200, kept.content[:200]
    assert kept["Content-Type"] == PDF and kept.content.startswith(b"%PDF")
    assert "attachment" in kept["Content-Disposition"]
    assert Job.objects.count() == jobs  # nothing rendered again


def test_the_word_document_and_the_poster_are_jobs_too(world: dict[str, Any]) -> None:
    api = world["api"]
    word = api.get(document_url(world["plan"], "docx"))
    assert word.status_code == 202 and word.json()["kind"] == "document"
    poster = api.get(poster_url(world["village_plan"]))
    assert poster.status_code == 202
    assert run(poster.json()["uid"]).status == JobStatus.DONE
    assert api.get(f"{API}/jobs/{poster.json()['uid']}/file/")["Content-Type"] == PDF
    assert run(word.json()["uid"]).status == JobStatus.DONE
    assert api.get(f"{API}/jobs/{word.json()['uid']}/file/")["Content-Type"] == DOCX


def test_a_version_that_does_not_exist_is_404(world: dict[str, Any]) -> None:
    api = world["api"]
    for query in ("?version=99", "?version=x"):
        response = api.get(document_url(world["plan"], query=query))
        assert response.status_code == 404, query
    assert not Job.objects.exists()


def test_another_units_plans_documents_are_404_and_start_nothing(world: dict[str, Any]) -> None:
    stranger = api_for(sf.planner(dong_hoi(), username="xa.donghoi"))
    assert stranger.get(document_url(world["plan"])).status_code == 404
    assert stranger.get(document_url(world["plan"], "docx")).status_code == 404
    assert stranger.get(poster_url(world["village_plan"])).status_code == 404
    assert not Job.objects.exists()
    # someone else's document job is not theirs either
    job = world["api"].get(poster_url(world["village_plan"])).json()
    assert stranger.get(f"{API}/jobs/{job['uid']}/").status_code == 404
