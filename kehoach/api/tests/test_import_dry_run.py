"""A dry run of a workbook upload through the API (``POST /imports/?dry_run=1``): the preview's
answer — the layout recognised, the rows, the problems with where — from the import's check-only
path (``exchange.services.import_check_only``), with no record, no kept file, no history row."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.exchange.forms import f6
from kehoach.exchange.tests.helpers import FIRST_ROW, opened, saved
from kehoach.exchange.tests.hostile import BEYOND, huge_dimension_xlsx
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import VillagePlan

from .test_imports import (
    API,
    NEW_NAME,
    XLSX,
    _counts,
    _first,
    api_for,
    changed_workbook,
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


def _kept_files() -> int:
    root = settings.PRIVATE_MEDIA_ROOT
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def test_a_dry_run_upload_answers_the_preview_and_keeps_nothing(
    api: APIClient, plan: VillagePlan
) -> None:
    before = (_counts(plan), _kept_files())
    response = api.post(
        f"{API}/imports/?dry_run=1",
        {
            "file": SimpleUploadedFile("bieu.xlsx", changed_workbook(plan), content_type=XLSX),
            "form": "F6",
            "plan": plan.uid,
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and body["status"] == "previewed"
    assert body["layout"] and body["counts"] == {"add": 0, "change": 1, "remove": 0}
    assert body["rows"] == 1 and body["changes"][0]["kind"] == "change"
    assert body["problems"] == [] and body["plan"] == str(plan.uid)
    assert (_counts(plan), _kept_files()) == before
    assert _first(plan) != NEW_NAME


def test_a_dry_run_upload_of_a_bad_workbook_answers_its_problems_and_keeps_nothing(
    api: APIClient, plan: VillagePlan
) -> None:
    book = opened(f6.export(plan))
    book["F6"][f"C{FIRST_ROW}"] = None  # the activity is required
    before = (_counts(plan), _kept_files())
    response = api.post(
        f"{API}/imports/?dry_run=1",
        {
            "file": SimpleUploadedFile("bieu.xlsx", saved(book), content_type=XLSX),
            "form": "F6",
            "plan": plan.uid,
        },
        format="multipart",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "refused" and body["rows"] == 0
    assert body["problems"][0]["where"] == {"sheet": "F6", "row": FIRST_ROW, "column": "C"}
    assert (_counts(plan), _kept_files()) == before
    # the same workbook uploaded for real answers the same problems
    real = upload(api, plan, saved(book)).json()
    assert real["problems"] == body["problems"]


def test_a_dry_run_upload_of_a_hostile_file_answers_its_code_and_keeps_nothing(
    api: APIClient, plan: VillagePlan
) -> None:
    before = (_counts(plan), _kept_files())
    response = api.post(
        f"{API}/imports/?dry_run=1",
        {
            "file": SimpleUploadedFile("bieu.xlsx", huge_dimension_xlsx(), content_type=XLSX),
            "form": "F6",
            "plan": plan.uid,
        },
        format="multipart",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "refused" and body["layout"] == ""
    assert {p["code"] for p in body["problems"]} <= BEYOND and body["problems"]
    assert (_counts(plan), _kept_files()) == before


def test_a_dry_run_upload_keeps_the_permission_checks(plan: VillagePlan) -> None:
    reader = api_for(commune_planner(plan.village.parent), scope=ApiTokenScope.READ)
    refused = reader.post(
        f"{API}/imports/?dry_run=1",
        {
            "file": SimpleUploadedFile("bieu.xlsx", changed_workbook(plan), content_type=XLSX),
            "form": "F6",
            "plan": plan.uid,
        },
        format="multipart",
    )
    assert refused.status_code == 403
    plan.status = PlanStatus.SUBMITTED
    plan.save(update_fields=["status"])
    writer = api_for(commune_planner(plan.village.parent))
    before = _counts(plan)
    locked = writer.post(
        f"{API}/imports/?dry_run=1",
        {
            "file": SimpleUploadedFile("bieu.xlsx", changed_workbook(plan), content_type=XLSX),
            "form": "F6",
            "plan": plan.uid,
        },
        format="multipart",
    )
    assert locked.status_code in (400, 409, 422) and locked.json()["code"]
    assert _counts(plan) == before
