"""``POST /imports/{uid}/actions/confirm/`` takes no If-Match: the fingerprint taken when the
workbook was checked plays the version's part. A change made through the API after the check
(a line edited by someone else, with its own history) refuses the confirmation with
``import_stale`` — directly and through the background job — and nothing of the workbook is
written: the lines and their history stay as the other write left them (the plan's history
only notes that the workbook was not applied)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import AuditEntry, StatusChange
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.tasks import import_confirm_job
from kehoach.jobs.choices import JobStatus
from kehoach.jobs.models import Job
from kehoach.plans.models import ProposalLine, VillagePlan

from .test_imports import (
    API,
    BACKGROUND,
    NEW_NAME,
    api_for,
    changed_workbook,
    confirm_url,
    plan_in,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def plan() -> VillagePlan:
    return plan_in()


@pytest.fixture
def api(plan: VillagePlan) -> APIClient:
    return api_for(commune_planner(plan.village.parent))


def _rows(plan: VillagePlan) -> list[tuple[Any, ...]]:
    return list(
        ProposalLine.objects.filter(plan=plan)
        .order_by("number")
        .values_list("number", "activity", "location", "version", "deleted_at")
    )


def _history(plan: VillagePlan) -> tuple[int, int]:
    return (
        AuditEntry.objects.filter(plan_uid=plan.uid).count(),
        StatusChange.objects.filter(plan_uid=plan.uid).count(),
    )


def _edited_by_someone_else(plan: VillagePlan) -> None:
    """Another planner of the commune changes line 2 through the API, after the check."""
    other = api_for(commune_planner(plan.village.parent, username="xa.hailang.khac"))
    line = ProposalLine.objects.get(plan=plan, number=2)
    edited = other.patch(
        f"{API}/village-plans/{plan.uid}/lines/{line.uid}/",
        {"location": "Xóm Cồn Mới"},
        format="json",
        HTTP_IF_MATCH=f'"{line.version}"',
    )
    assert edited.status_code == 200, edited.content


def test_a_confirmation_after_another_write_is_refused_and_writes_nothing(
    api: APIClient, plan: VillagePlan
) -> None:
    record = upload(api, plan, changed_workbook(plan)).json()
    assert api.post(confirm_url(record["uid"]) + "?dry_run=1").status_code == 200  # still fresh
    _edited_by_someone_else(plan)
    rows, history, jobs = _rows(plan), _history(plan), Job.objects.count()

    refused = api.post(confirm_url(record["uid"]))

    assert refused.status_code == 400 and refused.json()["code"] == "import_stale"
    assert _rows(plan) == rows and rows[0][1] != NEW_NAME and rows[1][2] == "Xóm Cồn Mới"
    # no line history; one note on the plan's history that the workbook was not applied
    assert _history(plan) == (history[0], history[1] + 1) and Job.objects.count() == jobs
    assert ImportRecord.objects.get(uid=record["uid"]).result == ImportRecord.Result.STALE
    assert api.post(confirm_url(record["uid"])).status_code == 404  # no longer waiting


@BACKGROUND
def test_a_background_confirmation_after_another_write_is_refused_by_its_job(
    api: APIClient, plan: VillagePlan
) -> None:
    record = upload(api, plan, changed_workbook(plan)).json()
    queued = api.post(confirm_url(record["uid"]))
    assert queued.status_code == 202, queued.content
    _edited_by_someone_else(plan)  # between the request and the worker
    rows, history = _rows(plan), _history(plan)

    job = Job.objects.get(uid=queued.json()["uid"])
    with contextlib.suppress(Exception):  # the job may re-raise the refusal it records
        import_confirm_job.call(str(job.uid), **job.params)  # what the worker does

    assert api.get(f"{API}/jobs/{job.uid}/").json()["status"] == JobStatus.FAILED
    assert _rows(plan) == rows and rows[0][1] != NEW_NAME
    assert _history(plan) == (history[0], history[1] + 1)
    assert ImportRecord.objects.get(uid=record["uid"]).result == ImportRecord.Result.STALE
