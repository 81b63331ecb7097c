"""Writing a village plan's proposals through the API (issue 17): add, change, delete, many at
once; ``If-Match`` and 412; ``?dry_run=1``; the same rows and history as the page's own writes,
the API's marked as such."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import AuditEntry
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.services.lines import AUDIT_FIELDS
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"

VALUES = {
    "sector_code": "HT-GT",
    "activity": "Bê tông hóa đường thôn",
    "location": "Xóm Trên",
    "unit_of_measure_code": "km",
    "quantity": "1.2",
    "start_month": "2027-03-01",
    "end_month": "2027-06-01",
    "total_cost_mvnd": "1200",
    "contribution_mvnd": "200",
    "external_support_mvnd": "1000",
    "beneficiary_households": 80,
    "beneficiary_poor": 12,
    "implementation_mode": "community",
    "priority": 1,
}
FORM = {
    "activity": "Bê tông hóa đường thôn",
    "location": "Xóm Trên",
    "quantity": "1,2",
    "start_month": "03/2027",
    "end_month": "06/2027",
    "total_cost_mvnd": "1.200",
    "contribution_mvnd": "200",
    "external_support_mvnd": "1.000",
    "beneficiary_households": "80",
    "beneficiary_poor": "12",
    "implementation_mode": "community",
    "priority": "1",
}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def plan() -> VillagePlan:
    f.sector(), f.unit(), f.source()
    return f.village_plan()


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Tài chính", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api(plan: VillagePlan) -> APIClient:
    return api_for(commune_planner(plan.village.parent))


def lines_url(plan: VillagePlan) -> str:
    return f"{API}/village-plans/{plan.uid}/lines/"


def line_url(plan: VillagePlan, line: ProposalLine) -> str:
    return f"{API}/village-plans/{plan.uid}/lines/{line.uid}/"


def counts() -> tuple[int, int, int]:
    return (
        ProposalLine.objects.count(),
        ProposalLine.objects.filter(deleted_at__isnull=False).count(),
        AuditEntry.objects.count(),
    )


def test_a_line_added_through_the_api_is_the_writers_and_marked_in_the_history(
    api: APIClient, plan: VillagePlan
) -> None:
    response = api.post(lines_url(plan), VALUES, format="json")

    assert response.status_code == 201, response.json()
    line = ProposalLine.objects.get()
    assert response["ETag"] == '"1"' and response["Location"].endswith(line_url(plan, line))
    body = response.json()
    assert body["number"] == 1 and body["sector_code"] == "HT-GT"
    assert body["total_cost_mvnd"] == "1200.000" and line.total_cost_mvnd == Decimal(1200)
    entry = AuditEntry.objects.get()
    assert (entry.operation, entry.via, entry.plan_uid) == ("create", "api", plan.uid)


def test_a_line_refused_by_its_rules_names_the_fields_as_the_api_does(
    api: APIClient, plan: VillagePlan
) -> None:
    bad = {**VALUES, "sector_code": "KHONG-CO", "contribution_mvnd": "1300"}
    response = api.post(lines_url(plan), bad, format="json", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 400
    problem = response.json()
    fields = {entry["where"].get("field") for entry in problem["errors"]}
    assert fields == {"sector_code", "total_cost_mvnd"}  # the amounts' rule names the total
    assert "lĩnh vực" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_a_change_needs_the_version_read_and_a_stale_one_answers_412_with_the_saved_values(
    api: APIClient, plan: VillagePlan
) -> None:
    line = f.line(plan)
    url = line_url(plan, line)
    read = api.get(url)
    assert read["ETag"] == '"1"'

    assert api.patch(url, {"priority": 2}, format="json").status_code == 428
    ProposalLine.objects.filter(pk=line.pk).update(activity="Đường liên thôn", version=2)
    stale = api.patch(url, {"priority": 2}, format="json", HTTP_IF_MATCH='"1"')

    assert stale.status_code == 412
    assert stale.json()["code"] == "conflict"
    assert stale.json()["current"]["activity"] == "Đường liên thôn"
    assert stale.json()["current"]["version"] == 2
    line.refresh_from_db()
    assert line.priority == 1 and not AuditEntry.objects.exists()

    fresh = api.patch(url, {"priority": 2}, format="json", HTTP_IF_MATCH='"2"')
    assert fresh.status_code == 200, fresh.json()
    assert fresh["ETag"] == '"3"' and fresh.json()["priority"] == 2
    entry = AuditEntry.objects.get()
    assert entry.operation == "update" and entry.via == "api"
    assert (entry.before["priority"], entry.after["priority"]) == (1, 2)


def test_a_dry_run_answers_what_it_would_do_or_refuse_and_writes_nothing(
    api: APIClient, plan: VillagePlan
) -> None:
    line = f.line(plan)
    before = counts()

    added = api.post(f"{lines_url(plan)}?dry_run=1", VALUES, format="json")
    changed = api.patch(
        f"{line_url(plan, line)}?dry_run=1", {"priority": 3}, format="json", HTTP_IF_MATCH='"1"'
    )
    deleted = api.delete(f"{line_url(plan, line)}?dry_run=1", HTTP_IF_MATCH='"1"')
    refused = api.post(f"{lines_url(plan)}?dry_run=1", {**VALUES, "priority": 9}, format="json")

    assert added.json() == {"dry_run": True, "counts": {**NONE, "added": 1}}
    assert changed.json() == {"dry_run": True, "counts": {**NONE, "changed": 1}}
    assert deleted.json() == {"dry_run": True, "counts": {**NONE, "deleted": 1}}
    assert refused.status_code == 400 and refused.json()["where"]["field"] == "priority"
    assert counts() == before
    line.refresh_from_db()
    assert (line.priority, line.version, line.deleted_at) == (1, 1, None)


NONE = {"added": 0, "changed": 0, "deleted": 0, "restored": 0}


def test_a_batch_is_all_or_nothing_and_names_each_problem_by_its_position(
    api: APIClient, plan: VillagePlan
) -> None:
    first, second = f.line(plan), f.line(plan)
    url = f"{lines_url(plan)}batch/"
    bad = {
        "changes": [
            {"op": "add", "values": VALUES},
            {"op": "change", "uid": str(first.uid), "version": 1, "values": {"priority": 7}},
            {"op": "remove", "uid": str(second.uid), "version": 5},
        ]
    }
    before = counts()
    refused = api.post(url, bad, format="json")

    assert refused.status_code == 400
    where = {(e["code"], e["where"]["line"]) for e in refused.json()["errors"]}
    assert ("priority_out_of_range", 2) in where and ("conflict", 3) in where
    assert counts() == before

    good = {
        "changes": [
            {"op": "add", "values": VALUES},
            {"op": "change", "uid": str(first.uid), "version": 1, "values": {"priority": 2}},
            {"op": "remove", "uid": str(second.uid), "version": 1},
        ]
    }
    assert api.post(f"{url}?dry_run=1", good, format="json").json()["counts"] == {
        "added": 1,
        "changed": 1,
        "deleted": 1,
        "restored": 0,
    }
    assert counts() == before
    done = api.post(url, good, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["counts"] == {"added": 1, "changed": 1, "deleted": 1, "restored": 0}
    assert [(x["number"], x["op"]) for x in done.json()["lines"]] == [
        (3, "add"),
        (1, "change"),
        (2, "remove"),
    ]
    assert set(AuditEntry.objects.values_list("via", flat=True)) == {"api"}

    undo = api.post(url, {"changes": [{"op": "restore", "uid": str(second.uid)}]}, format="json")
    assert undo.json()["counts"]["restored"] == 1
    assert ProposalLine.objects.alive().count() == 3


def test_an_unknown_line_in_a_batch_is_named_and_nothing_is_written(
    api: APIClient, plan: VillagePlan
) -> None:
    other = f.line(f.village_plan(VillageFactory.create(parent=hai_lang(), name="Thôn Khác")))
    response = api.post(
        f"{lines_url(plan)}batch/",
        {
            "changes": [
                {"op": "add", "values": VALUES},
                {"op": "remove", "uid": str(other.uid), "version": 1},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["where"] == {"field": "uid", "line": 2}
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_a_submitted_plan_a_read_only_token_and_another_commune_write_nothing(
    plan: VillagePlan,
) -> None:
    line = f.line(plan)
    planner = commune_planner(plan.village.parent)
    reader = api_for(planner, ApiTokenScope.READ)
    assert reader.post(lines_url(plan), VALUES, format="json").status_code == 403

    from kehoach.geo.tests.factories import dong_hoi

    stranger = api_for(commune_planner(dong_hoi()))
    assert stranger.post(lines_url(plan), VALUES, format="json").status_code == 404
    assert (
        stranger.patch(
            line_url(plan, line), {"priority": 2}, format="json", HTTP_IF_MATCH='"1"'
        ).status_code
        == 404
    )

    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    locked = api_for(planner).post(lines_url(plan), VALUES, format="json")
    assert locked.status_code in (400, 403) and locked.json()["code"] != "server_error"
    assert ProposalLine.objects.count() == 1 and not AuditEntry.objects.exists()


def _rows(plan: VillagePlan) -> list[tuple[Any, ...]]:
    return [
        (
            *(getattr(line, name) for name in [*AUDIT_FIELDS, "version", "outcome"]),
            line.deleted_at is not None,
        )
        for line in ProposalLine.objects.filter(plan=plan).order_by("number")
    ]


def _history(plan: VillagePlan) -> list[tuple[Any, ...]]:
    return [
        (e.operation, e.subject_label, e.subject_repr, e.before, e.after, e.actor_username)
        for e in AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id")
    ]


def test_the_same_writes_through_the_page_and_the_api_leave_the_same_rows_and_history(
    plan: VillagePlan,
) -> None:
    twin = f.village_plan(VillageFactory.create(parent=hai_lang(), name="Thôn Hai"))
    planner = commune_planner(plan.village.parent)
    page = Client()
    page.force_login(planner)
    api = api_for(planner)
    form = {**FORM, "sector": str(f.sector().pk), "unit": str(f.unit().pk)}

    # add, change, delete, restore: on the page for `plan`, through the API for `twin`
    assert page.post(reverse("plans:line_create", args=[plan.uid]), form).status_code == 302
    assert api.post(lines_url(twin), VALUES, format="json").status_code == 201
    line, twin_line = ProposalLine.objects.get(plan=plan), ProposalLine.objects.get(plan=twin)
    page.post(
        reverse("plans:line_edit", args=[plan.uid, line.uid]),
        {**form, "priority": "2", "notes": "Ưu tiên thôn", "version": "1"},
    )
    api.patch(
        line_url(twin, twin_line),
        {"priority": 2, "notes": "Ưu tiên thôn"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    page.post(reverse("plans:line_delete", args=[plan.uid, line.uid]))
    api.delete(line_url(twin, twin_line), HTTP_IF_MATCH='"2"')
    page.post(reverse("plans:line_restore", args=[plan.uid, line.uid]))
    api.post(
        f"{lines_url(twin)}batch/",
        {"changes": [{"op": "restore", "uid": str(twin_line.uid)}]},
        format="json",
    )

    assert _rows(plan) == _rows(twin) and len(_history(plan)) == 4
    assert _history(plan) == _history(twin)
    assert set(AuditEntry.objects.filter(plan_uid=plan.uid).values_list("via", flat=True)) == {""}
    assert set(AuditEntry.objects.filter(plan_uid=twin.uid).values_list("via", flat=True)) == {
        "api"
    }


def test_the_plans_history_page_marks_the_changes_made_through_the_api(
    api: APIClient, plan: VillagePlan
) -> None:
    line = f.line(plan)
    page = Client()
    page.force_login(commune_planner(plan.village.parent))
    page.post(reverse("plans:line_delete", args=[plan.uid, line.uid]))
    page.post(reverse("plans:line_restore", args=[plan.uid, line.uid]))
    assert (
        api.patch(
            line_url(plan, line), {"priority": 3}, format="json", HTTP_IF_MATCH='"3"'
        ).status_code
        == 200
    )

    html = page.get(reverse("plans:history", args=[plan.uid])).content.decode()

    assert html.count(">qua API</span>") == 1  # the change; not the page's delete and undo
