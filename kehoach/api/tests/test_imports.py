"""Workbook imports through the API (issue 17): upload, read the preview and its problems,
confirm at once or by a background job, the job's status; the same limits and hostile-file
handling as the upload page, the same rows and history as the page's upload."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import AuditEntry, StatusChange
from kehoach.exchange.forms import f6
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.tasks import import_confirm_job
from kehoach.exchange.tests.helpers import FIRST_ROW, opened, post_workbook, saved
from kehoach.exchange.tests.hostile import BEYOND, huge_dimension_xlsx
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.jobs.choices import JobStatus
from kehoach.jobs.models import Job
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.services.lines import AUDIT_FIELDS
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_NAME = "Đường bê tông trục chính"
BACKGROUND = override_settings(KEHOACH_IMPORT_DIRECT_MAX_LINES=0)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def plan_in(village_name: str = "Thôn Một") -> VillagePlan:
    """A village plan of Hải Lăng with two lines (as the exchange tests' ``plan_with_lines``)."""
    plan = f.village_plan(VillageFactory.create(parent=hai_lang(), name=village_name))
    f.line(plan)
    f.line(
        plan,
        activity="Xây dựng nhà văn hóa thôn",
        unit=f.unit("cong-trinh", "công trình"),
        quantity=1,
        total_cost_mvnd=500,
        contribution_mvnd=100,
        contribution_cash_mvnd=100,
        contribution_labour_days=0,
        contribution_labour_mvnd=0,
        external_support_mvnd=400,
        priority=2,
    )
    return plan


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Tài chính", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def changed_workbook(plan: VillagePlan) -> bytes:
    """The plan's F6 workbook with the first line's activity renamed: one change."""
    book = opened(f6.export(plan))
    book["F6"][f"C{FIRST_ROW}"] = NEW_NAME
    return saved(book)


def upload(
    api: APIClient, plan: Any, data: bytes, form: str = "F6", name: str = "bieu.xlsx"
) -> Any:
    return api.post(
        f"{API}/imports/",
        {"file": SimpleUploadedFile(name, data, content_type=XLSX), "form": form, "plan": plan.uid},
        format="multipart",
    )


def confirm_url(record_uid: Any) -> str:
    return f"{API}/imports/{record_uid}/actions/confirm/"


@pytest.fixture
def plan() -> VillagePlan:
    return plan_in()


@pytest.fixture
def planner(plan: VillagePlan) -> Any:
    return commune_planner(plan.village.parent)


@pytest.fixture
def api(planner: Any) -> APIClient:
    return api_for(planner)


def _first(plan: VillagePlan) -> str:
    return ProposalLine.objects.get(plan=plan, number=1).activity


def _counts(plan: VillagePlan) -> tuple[int, ...]:
    return (
        ProposalLine.objects.filter(plan=plan).count(),
        AuditEntry.objects.filter(plan_uid=plan.uid).count(),
        StatusChange.objects.filter(plan_uid=plan.uid).count(),
        ImportRecord.objects.count(),
        Job.objects.count(),
    )


# --- upload and preview --------------------------------------------------------------------------


def test_an_upload_answers_its_preview_and_changes_nothing_of_the_plan(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    response = upload(api, plan, changed_workbook(plan))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "previewed" and body["form"] == "F6"
    assert body["plan"] == str(plan.uid)
    assert body["counts"] == {"add": 0, "change": 1, "remove": 0}
    assert [c["kind"] for c in body["changes"]] == ["change"] and body["problems"] == []
    assert response["Location"].endswith(f"/api/v1/imports/{body['uid']}/")
    assert _first(plan) != NEW_NAME  # only checked
    record = ImportRecord.objects.get(uid=body["uid"])
    assert record.actor == planner
    assert StatusChange.objects.get(plan_uid=plan.uid, action="import").via == "api"
    again = api.get(f"{API}/imports/{record.uid}/")
    assert again.status_code == 200 and again.json() == body


def test_a_wrong_cell_refuses_the_workbook_with_the_problem_where_it_is(
    api: APIClient, plan: VillagePlan
) -> None:
    book = opened(f6.export(plan))
    book["F6"][f"C{FIRST_ROW}"] = None  # the activity is required
    response = upload(api, plan, saved(book))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "refused" and not any(body["counts"].values())
    problem = body["problems"][0]
    assert problem["where"] == {"sheet": "F6", "row": FIRST_ROW, "column": "C"}
    assert problem["detail"] and problem["code"]


def test_a_hostile_workbook_is_refused_with_its_code_never_a_500(
    api: APIClient, plan: VillagePlan
) -> None:
    response = upload(api, plan, huge_dimension_xlsx())
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "refused"
    assert {p["code"] for p in body["problems"]} <= BEYOND and body["problems"]


def test_a_file_over_the_size_limit_is_refused_without_a_record(
    api: APIClient, plan: VillagePlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kehoach.api.views import imports
    from kehoach.exchange.reading import Limits

    monkeypatch.setattr(imports, "Limits", lambda: Limits(max_bytes=1024 * 1024))
    response = upload(api, plan, b"x" * (1024 * 1024 + 1))
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert not ImportRecord.objects.exists()
    assert upload(api, plan, changed_workbook(plan)).status_code == 201  # under it: read


def test_an_upload_needs_its_form_and_plan(api: APIClient, plan: VillagePlan) -> None:
    response = api.post(
        f"{API}/imports/",
        {"file": SimpleUploadedFile("bieu.xlsx", b"", content_type=XLSX)},
        format="multipart",
    )
    assert response.status_code == 400
    assert {e["where"]["field"] for e in response.json()["errors"]} == {"form", "plan"}
    # F9 is a commune plan's form: a village plan's uid is no commune plan (404)
    assert upload(api, plan, changed_workbook(plan), form="F9").status_code == 404


def test_another_units_plan_and_another_persons_upload_are_404(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    far = f.village_plan(VillageFactory.create(parent=dong_hoi(), name="Khu phố 1"))
    response = upload(api, far, b"")
    assert response.status_code == 404
    assert not ImportRecord.objects.exists()
    mine = upload(api, plan, changed_workbook(plan)).json()
    colleague = api_for(commune_planner(plan.village.parent, username="xa.hailang.2"))
    assert colleague.get(f"{API}/imports/{mine['uid']}/").status_code == 404
    assert colleague.post(confirm_url(mine["uid"])).status_code == 404
    assert _first(plan) != NEW_NAME


def test_a_read_only_token_may_read_an_upload_but_not_upload_or_confirm(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    record = upload(api, plan, changed_workbook(plan)).json()
    reader = api_for(planner, ApiTokenScope.READ)
    assert reader.get(f"{API}/imports/{record['uid']}/").status_code == 200
    refused = upload(reader, plan, changed_workbook(plan))
    assert refused.status_code == 403 and refused.json()["code"] == "token_read_only"
    assert reader.post(confirm_url(record["uid"])).status_code == 403
    assert ImportRecord.objects.count() == 1 and _first(plan) != NEW_NAME


def test_a_plan_not_editable_refuses_the_upload(api: APIClient, plan: VillagePlan) -> None:
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    plan.refresh_from_db()
    response = upload(api, plan, changed_workbook(plan))
    assert response.status_code in (400, 403)
    assert not ImportRecord.objects.exists()


# --- confirm -------------------------------------------------------------------------------------


def test_confirming_applies_the_workbook(api: APIClient, plan: VillagePlan) -> None:
    record = upload(api, plan, changed_workbook(plan)).json()
    response = api.post(confirm_url(record["uid"]))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "applied"
    assert body["applied"] == {"added": 0, "changed": 1, "deleted": 0}
    assert _first(plan) == NEW_NAME
    # applied: no longer waiting, as on the page (404)
    assert api.post(confirm_url(record["uid"])).status_code == 404


def test_a_dry_run_of_the_confirmation_writes_nothing(api: APIClient, plan: VillagePlan) -> None:
    record = upload(api, plan, changed_workbook(plan)).json()
    before = _counts(plan)
    response = api.post(confirm_url(record["uid"]) + "?dry_run=1")
    assert response.status_code == 200
    assert response.json() == {"dry_run": True, "counts": {"add": 0, "change": 1, "remove": 0}}
    assert _counts(plan) == before and _first(plan) != NEW_NAME
    assert ImportRecord.objects.get(uid=record["uid"]).result == ImportRecord.Result.PREVIEWED


def test_a_dry_run_says_the_data_changed_since_the_check_and_marks_nothing(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    record = upload(api, plan, changed_workbook(plan)).json()
    line = ProposalLine.objects.get(plan=plan, number=2)
    ProposalLine.objects.filter(pk=line.pk).update(version=line.version + 1)
    before = _counts(plan)
    dry = api.post(confirm_url(record["uid"]) + "?dry_run=1")
    assert dry.status_code == 400 and dry.json()["code"] == "import_stale"
    assert _counts(plan) == before
    assert ImportRecord.objects.get(uid=record["uid"]).result == ImportRecord.Result.PREVIEWED
    # the confirmation itself refuses the same way and marks the record stale, as the page
    real = api.post(confirm_url(record["uid"]))
    assert real.status_code == 400 and real.json()["code"] == "import_stale"
    assert ImportRecord.objects.get(uid=record["uid"]).result == ImportRecord.Result.STALE
    assert _first(plan) != NEW_NAME


@BACKGROUND
def test_a_large_confirmation_answers_202_with_its_job_and_the_job_applies_it(
    api: APIClient, plan: VillagePlan
) -> None:
    record = upload(api, plan, changed_workbook(plan)).json()
    response = api.post(confirm_url(record["uid"]))
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["kind"] == "import" and job["status"] == "queued"
    assert response["Location"].endswith(f"/api/v1/jobs/{job['uid']}/")
    assert api.get(f"{API}/imports/{record['uid']}/").json()["job"] == job["uid"]
    # a second confirmation gets the same job
    assert api.post(confirm_url(record["uid"])).json()["uid"] == job["uid"]
    assert _first(plan) != NEW_NAME
    assert api.get(f"{API}/jobs/{job['uid']}/file/").status_code == 404  # not done

    queued = Job.objects.get(uid=job["uid"])
    import_confirm_job.call(str(queued.uid), **queued.params)  # what the worker does
    done = api.get(f"{API}/jobs/{job['uid']}/")
    assert done.status_code == 200 and done.json()["status"] == JobStatus.DONE
    assert _first(plan) == NEW_NAME
    assert api.get(f"{API}/imports/{record['uid']}/").json()["status"] == "applied"


def test_another_persons_job_is_404(api: APIClient, plan: VillagePlan, planner: Any) -> None:
    job = Job.objects.create(kind="import", label="x", task="t", actor=planner)
    assert api.get(f"{API}/jobs/{job.uid}/").status_code == 200
    other = api_for(commune_planner(plan.village.parent, username="xa.hailang.2"))
    assert other.get(f"{API}/jobs/{job.uid}/").status_code == 404
    assert other.get(f"{API}/jobs/{job.uid}/file/").status_code == 404
    assert api.get(f"{API}/jobs/not-a-uuid/").status_code == 404


# --- the page and the API leave the same rows and history ---------------------------------------


def _rows(plan: VillagePlan) -> list[tuple[Any, ...]]:
    return [
        (*(getattr(line, name) for name in [*AUDIT_FIELDS, "version"]), line.deleted_at is None)
        for line in ProposalLine.objects.filter(plan=plan).order_by("number")
    ]


def _history(plan: VillagePlan) -> list[tuple[Any, ...]]:
    audit = [
        (e.operation, e.subject_label, e.subject_repr, e.before, e.after, e.actor_username)
        for e in AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id")
    ]
    changes = [
        (s.subject_label, s.action, s.from_state, s.to_state, s.actor_id, s.comment)
        for s in StatusChange.objects.filter(plan_uid=plan.uid).order_by("id")
    ]
    return [*audit, *changes]


def _vias(plan: VillagePlan) -> set[str]:
    return {
        *AuditEntry.objects.filter(plan_uid=plan.uid).values_list("via", flat=True),
        *StatusChange.objects.filter(plan_uid=plan.uid).values_list("via", flat=True),
    }


def test_the_same_upload_through_the_page_and_the_api_leaves_the_same_rows_and_history(
    plan: VillagePlan, planner: Any, api: APIClient
) -> None:
    twin = plan_in("Thôn Hai")
    _history_before = (_history(plan), _history(twin))
    page = Client()
    page.force_login(planner)
    assert post_workbook(page, plan, changed_workbook(plan)).status_code == 302
    record = ImportRecord.objects.get(target_uid=plan.uid)
    assert page.post(reverse("exchange:import_confirm", args=[record.uid])).status_code == 302

    mine = upload(api, twin, changed_workbook(twin)).json()
    assert api.post(confirm_url(mine["uid"])).status_code == 200

    assert _first(plan) == _first(twin) == NEW_NAME
    assert _rows(plan) == _rows(twin)
    page_history, api_history = _history(plan), _history(twin)
    assert len(page_history) > len(_history_before[0]) and page_history == api_history
    assert "api" not in _vias(plan) and _vias(twin) >= {"api"}
    assert {"api"} == set(
        StatusChange.objects.filter(plan_uid=twin.uid, action="import").values_list(
            "via", flat=True
        )
    )
