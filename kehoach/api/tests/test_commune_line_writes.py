"""Writing a commune plan's lines (F9) through the API (issue 17): add the commune's own line,
change values or decide with a reason, remove, restore, many at once; ``If-Match`` and 412;
``?dry_run=1``; the same rows and history as the pages' own writes, the API's marked as such."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.choices import Role
from kehoach.accounts.models import ApiTokenScope, RoleAssignment
from kehoach.accounts.permissions import forget_assignments
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import AuditEntry
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.services.lines import AUDIT_FIELDS, commune_plan_synthesise
from kehoach.synthesis.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"

VALUES = {
    "organisation": "Hội Phụ nữ xã",
    "sector_code": "NN",
    "activity": "Mô hình sinh kế cho phụ nữ",
    "location": "Toàn xã",
    "unit_of_measure_code": "km",
    "quantity": "1.2",
    "start_month": "2027-03-01",
    "end_month": "2027-06-01",
    "total_cost_mvnd": "100",
    "contribution_mvnd": "30",
    "contribution_cash_mvnd": "10",
    "contribution_labour_days": "200",
    "contribution_labour_mvnd": "20",
    "contribution_materials_mvnd": "0",
    "contribution_land_m2": "0",
    "external_support_mvnd": "70",
    "beneficiary_households": 80,
    "beneficiary_poor": 12,
    "beneficiary_em": 0,
    "implementation_mode": "community",
    "village_priority": 1,
    "notes": "",
    "expenditure_type": "recurrent",
}
FORM = {
    "organisation": "Hội Phụ nữ xã",
    "activity": "Mô hình sinh kế cho phụ nữ",
    "location": "Toàn xã",
    "quantity": "1,2",
    "start_month": "03/2027",
    "end_month": "06/2027",
    "total_cost_mvnd": "100",
    "contribution_mvnd": "30",
    "contribution_cash_mvnd": "10",
    "contribution_labour_days": "200",
    "contribution_labour_mvnd": "20",
    "contribution_materials_mvnd": "0",
    "contribution_land_m2": "0",
    "external_support_mvnd": "70",
    "beneficiary_households": "80",
    "beneficiary_poor": "12",
    "beneficiary_em": "0",
    "implementation_mode": "community",
    "priority": "1",
    "notes": "",
    "expenditure_type": "recurrent",
}
NONE = {"added": 0, "changed": 0, "removed": 0, "restored": 0}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def synthesised(commune: AdministrativeUnit, planner: Any) -> CommunePlan:
    """The commune plan of 2027 made from one village's submitted plan (one road line)."""
    (village,) = f.villages(commune, ["Thôn Diên Sanh"])
    f.submitted_plan(village, [f.money_line("600", "100", sector=f.transport(), activity="Đường")])
    round_ = f.round_of(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    return f.commune_plan_for(round_)


@pytest.fixture
def planner() -> Any:
    f.agriculture()
    return f.planner(hai_lang())


@pytest.fixture
def plan(planner: Any) -> CommunePlan:
    return synthesised(hai_lang(), planner)


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Tài chính", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api(planner: Any, plan: CommunePlan) -> APIClient:
    return api_for(planner)


def lines_url(plan: CommunePlan) -> str:
    return f"{API}/commune-plans/{plan.uid}/lines/"


def line_url(plan: CommunePlan, line: CommuneLine) -> str:
    return f"{API}/commune-plans/{plan.uid}/lines/{line.uid}/"


def counts() -> tuple[int, int, int, int]:
    return (
        CommuneLine.objects.count(),
        CommuneLine.objects.filter(state=LineState.REMOVED).count(),
        CommuneLine.objects.exclude(decision=Decision.PENDING).count(),
        AuditEntry.objects.count(),
    )


def road(plan: CommunePlan) -> CommuneLine:
    return plan.lines.get(activity="Đường")


def test_the_list_still_answers_every_line_with_its_ranking(
    api: APIClient, plan: CommunePlan
) -> None:
    response = api.get(lines_url(plan))
    assert response.status_code == 200
    (line,) = response.json()["results"]
    assert line["activity"] == "Đường" and line["sources"][0]["village_code"]


def test_a_line_added_through_the_api_is_the_writers_and_marked_in_the_history(
    api: APIClient, plan: CommunePlan
) -> None:
    before = AuditEntry.objects.count()
    response = api.post(lines_url(plan), VALUES, format="json")

    assert response.status_code == 201, response.json()
    line = plan.lines.get(organisation="Hội Phụ nữ xã")
    assert response["ETag"] == '"1"' and response["Location"].endswith(line_url(plan, line))
    body = response.json()
    assert (body["number"], body["sector_code"], body["village_priority"]) == (2, "NN", 1)
    assert body["expenditure_type"] == "recurrent" and body["total_cost_mvnd"] == "100.000"
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.operation, entry.via, entry.plan_uid) == ("create", "api", plan.uid)


def test_a_line_refused_by_its_rules_names_the_fields_as_the_api_does(
    api: APIClient, plan: CommunePlan
) -> None:
    before = counts()
    bad = {**VALUES, "sector_code": "KHONG-CO"}
    response = api.post(lines_url(plan), bad, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    nobody = api.post(lines_url(plan), {**VALUES, "organisation": ""}, format="json")
    priority = api.post(lines_url(plan), {**VALUES, "village_priority": 9}, format="json")

    assert response.status_code == 400
    assert response.json()["where"]["field"] == "sector_code"
    assert "lĩnh vực" in response.content.decode()
    assert nobody.status_code == 400 and nobody.json()["code"] == "organisation_required"
    assert priority.status_code == 400 and priority.json()["where"]["field"] == "village_priority"
    assert counts() == before


def test_a_change_needs_the_version_read_and_a_stale_one_answers_412_with_the_saved_values(
    api: APIClient, plan: CommunePlan
) -> None:
    line = road(plan)
    url = line_url(plan, line)
    read = api.get(url)
    assert read.status_code == 200 and read["ETag"] == f'"{line.version}"'
    saved = line.version

    assert api.patch(url, {"location": "Xóm Dưới"}, format="json").status_code == 428
    CommuneLine.objects.filter(pk=line.pk).update(location="Xóm Giữa", version=saved + 1)
    before = counts()
    stale = api.patch(url, {"location": "Xóm Dưới"}, format="json", HTTP_IF_MATCH=f'"{saved}"')

    assert stale.status_code == 412
    assert stale.json()["code"] == "conflict"
    assert stale.json()["current"]["location"] == "Xóm Giữa"
    assert stale.json()["current"]["version"] == saved + 1
    assert counts() == before

    fresh = api.patch(url, {"location": "Xóm Dưới"}, format="json", HTTP_IF_MATCH=f'"{saved + 1}"')
    assert fresh.status_code == 200, fresh.json()
    assert fresh["ETag"] == f'"{saved + 2}"' and fresh.json()["location"] == "Xóm Dưới"
    entry = AuditEntry.objects.latest("id")
    assert entry.operation == "update" and entry.via == "api"
    assert (entry.before["location"], entry.after["location"]) == ("Xóm Giữa", "Xóm Dưới")


def test_a_decision_needs_a_reason_and_one_without_funding(
    api: APIClient, plan: CommunePlan
) -> None:
    line = road(plan)
    url, tag = line_url(plan, line), f'"{line.version}"'
    before = counts()

    silent = api.patch(url, {"decision": "deferred"}, format="json", HTTP_IF_MATCH=tag)
    funded = api.patch(
        url, {"decision": "funded", "reason": "Đủ vốn"}, format="json", HTTP_IF_MATCH=tag
    )
    assert silent.status_code == 400 and silent.json()["where"]["field"] == "reason"
    assert funded.status_code == 400 and funded.json()["code"] == "decision_invalid"
    assert counts() == before

    done = api.patch(
        url,
        {"decision": "deferred", "reason": "Chờ nguồn vốn năm sau."},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert done.status_code == 200, done.json()
    body = done.json()
    assert (body["decision"], body["decision_origin"], body["decision_reason"]) == (
        "deferred",
        "manual",
        "Chờ nguồn vốn năm sau.",
    )


def test_a_line_built_from_villages_is_not_removed_and_its_amounts_are_not_typed(
    api: APIClient, plan: CommunePlan
) -> None:
    line = road(plan)
    tag = f'"{line.version}"'
    before = counts()
    removed = api.delete(line_url(plan, line), HTTP_IF_MATCH=tag)
    assert removed.status_code == 400 and removed.json()["code"] == "line_not_removable"

    typed = api.patch(
        line_url(plan, line), {"total_cost_mvnd": "1"}, format="json", HTTP_IF_MATCH=tag
    )
    assert typed.status_code == 200  # as on the page: only the texts are taken
    line.refresh_from_db()
    assert line.total_cost_mvnd == 600 and counts()[:3] == before[:3]


def test_a_dry_run_answers_what_it_would_do_or_refuse_and_writes_nothing(
    api: APIClient, plan: CommunePlan
) -> None:
    own = api.post(lines_url(plan), VALUES, format="json").json()
    line = plan.lines.get(uid=own["uid"])
    url = line_url(plan, line)
    before = counts()

    added = api.post(f"{lines_url(plan)}?dry_run=1", VALUES, format="json")
    changed = api.patch(
        f"{url}?dry_run=1", {"village_priority": 2}, format="json", HTTP_IF_MATCH='"1"'
    )
    decided = api.patch(
        f"{url}?dry_run=1",
        {"decision": "rejected", "reason": "Trùng dự án tỉnh."},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    removed = api.delete(f"{url}?dry_run=1", HTTP_IF_MATCH='"1"')
    refused = api.post(
        f"{lines_url(plan)}?dry_run=1", {**VALUES, "organisation": ""}, format="json"
    )
    stale = api.patch(f"{url}?dry_run=1", {}, format="json", HTTP_IF_MATCH='"7"')

    assert added.json() == {"dry_run": True, "counts": {**NONE, "added": 1}}
    assert changed.json() == {"dry_run": True, "counts": {**NONE, "changed": 1}}
    assert decided.json() == {"dry_run": True, "counts": {**NONE, "changed": 1}}
    assert removed.json() == {"dry_run": True, "counts": {**NONE, "removed": 1}}
    assert refused.status_code == 400 and refused.json()["code"] == "organisation_required"
    assert stale.status_code == 412
    assert counts() == before
    line.refresh_from_db()
    assert (line.village_priority, line.version, line.state) == (1, 1, LineState.ACTIVE)


def test_a_batch_is_all_or_nothing_and_names_each_problem_by_its_position(
    api: APIClient, plan: CommunePlan
) -> None:
    own = plan.lines.get(uid=api.post(lines_url(plan), VALUES, format="json").json()["uid"])
    line = road(plan)
    url = f"{lines_url(plan)}batch/"
    bad = {
        "changes": [
            {"op": "add", "values": VALUES},
            {
                "op": "change",
                "uid": str(line.uid),
                "version": line.version,
                "values": {"decision": "rejected"},
            },
            {"op": "remove", "uid": str(own.uid), "version": 5},
            {"op": "add", "values": {**VALUES, "organisation": " "}},
        ]
    }
    before = counts()
    refused = api.post(url, bad, format="json")

    assert refused.status_code == 400
    where = {(e["code"], e["where"]["line"]) for e in refused.json()["errors"]}
    assert where == {("reason_required", 2), ("conflict", 3), ("organisation_required", 4)}
    assert counts() == before

    good = {
        "changes": [
            {"op": "add", "values": VALUES},
            {
                "op": "change",
                "uid": str(line.uid),
                "version": line.version,
                "values": {"decision": "rejected", "reason": "Trùng dự án tỉnh."},
            },
            {"op": "remove", "uid": str(own.uid), "version": 1},
        ]
    }
    dry = api.post(f"{url}?dry_run=1", good, format="json")
    assert dry.json() == {
        "dry_run": True,
        "counts": {"added": 1, "changed": 1, "removed": 1, "restored": 0},
        "lines": [],
    }
    assert counts() == before
    done = api.post(url, good, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["counts"] == {"added": 1, "changed": 1, "removed": 1, "restored": 0}
    assert [(x["number"], x["op"]) for x in done.json()["lines"]] == [
        (3, "add"),
        (1, "change"),
        (2, "remove"),
    ]
    assert AuditEntry.objects.latest("id").via == "api"

    undo = api.post(url, {"changes": [{"op": "restore", "uid": str(own.uid)}]}, format="json")
    assert undo.json()["counts"]["restored"] == 1
    assert plan.lines.filter(state=LineState.ACTIVE).count() == 3


def test_an_unknown_line_in_a_batch_is_named_and_nothing_is_written(
    api: APIClient, plan: CommunePlan
) -> None:
    other = synthesised(dong_hoi(), f.planner(dong_hoi()))
    before = counts()
    response = api.post(
        f"{lines_url(plan)}batch/",
        {
            "changes": [
                {"op": "add", "values": VALUES},
                {"op": "remove", "uid": str(road(other).uid), "version": 1},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["where"] == {"field": "uid", "line": 2}
    assert counts() == before


def test_a_locked_plan_a_read_only_token_and_another_commune_write_nothing(
    planner: Any, plan: CommunePlan
) -> None:
    line = road(plan)
    before = counts()
    reader = api_for(planner, ApiTokenScope.READ)
    assert reader.post(lines_url(plan), VALUES, format="json").status_code == 403

    stranger = api_for(f.planner(dong_hoi()))
    assert stranger.post(lines_url(plan), VALUES, format="json").status_code == 404
    assert (
        stranger.patch(
            line_url(plan, line), {"location": "X"}, format="json", HTTP_IF_MATCH='"1"'
        ).status_code
        == 404
    )
    assert stranger.get(line_url(plan, line)).status_code == 404

    CommunePlan.objects.filter(pk=plan.pk).update(status=CommunePlanStatus.SUBMITTED)
    writer = api_for(planner)
    locked = writer.post(lines_url(plan), VALUES, format="json")
    dry = writer.post(f"{lines_url(plan)}?dry_run=1", VALUES, format="json")
    for answer in (locked, dry):
        assert answer.status_code in (400, 403) and answer.json()["code"] == "commune_plan_locked"
    assert counts() == before


# --- the same writes through the pages and the API ------------------------------------------


def _rows(plan: CommunePlan) -> list[tuple[Any, ...]]:
    names = [
        *AUDIT_FIELDS,
        "version",
        "decision_origin",
        "decision_code",
        "decision_params",
        "review",
        "review_note",
    ]
    return [
        tuple(getattr(line, name) for name in names)
        for line in CommuneLine.objects.filter(plan=plan).order_by("number")
    ]


def _history(plan: CommunePlan) -> list[tuple[Any, ...]]:
    return [
        (e.operation, e.subject_label, e.subject_repr, e.before, e.after, e.actor_username)
        for e in AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id")
    ]


def test_the_same_writes_through_the_pages_and_the_api_leave_the_same_rows_and_history(
    planner: Any, plan: CommunePlan
) -> None:
    RoleAssignment.objects.create(user=planner, role=Role.COMMUNE_PLANNER, unit=dong_hoi())
    forget_assignments(planner)
    twin = synthesised(dong_hoi(), planner)
    page = Client()
    page.force_login(planner)
    api = api_for(planner)
    form = {**FORM, "sector": str(f.agriculture().pk), "unit": str(f.pf.unit().pk)}
    start = (len(_history(plan)), len(_history(twin)))

    def page_post(name: str, line: CommuneLine | None, data: dict[str, Any]) -> None:
        args = [plan.uid] if line is None else [plan.uid, line.uid]
        answer = page.post(reverse(f"synthesis:{name}", args=args), data)
        assert answer.status_code == 302, name

    # add the commune's own line: on the page for `plan`, through the API for `twin`
    page_post("own_line_create", None, form)
    assert api.post(lines_url(twin), VALUES, format="json").status_code == 201
    own = plan.lines.get(organisation="Hội Phụ nữ xã")
    twin_own = twin.lines.get(organisation="Hội Phụ nữ xã")

    # change its values
    page_post("own_line_edit", own, {**form, "priority": "2", "notes": "Ưu tiên xã", "version": 1})
    changed = api.patch(
        line_url(twin, twin_own),
        {"village_priority": 2, "notes": "Ưu tiên xã"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert changed.status_code == 200, changed.json()

    # change the texts of the line built from villages, then decide on it with a reason
    line, twin_line = road(plan), road(twin)
    texts = {"activity": "Đường thôn", "location": "Xóm Trên", "notes": "Làm trước mùa mưa"}
    page_post(
        "line_edit",
        line,
        {
            **{f"text-{k}": v for k, v in texts.items()},
            "text-expenditure_type": "investment",
            "text-version": line.version,
        },
    )
    tag = f'"{twin_line.version}"'
    edited = api.patch(
        line_url(twin, twin_line),
        {**texts, "expenditure_type": "investment"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert edited.status_code == 200, edited.json()
    reason = "Trùng dự án của tỉnh."
    page_post("line_decide", line, {"decision": "rejected", "reason": reason})
    decided = api.patch(
        line_url(twin, twin_line),
        {"decision": "rejected", "reason": reason},
        format="json",
        HTTP_IF_MATCH=edited["ETag"],
    )
    assert decided.status_code == 200, decided.json()

    # remove and restore the own line
    page_post("own_line_remove", own, {})
    assert api.delete(line_url(twin, twin_own), HTTP_IF_MATCH='"2"').status_code == 204
    page_post("own_line_restore", own, {})
    restored = api.post(
        f"{lines_url(twin)}batch/",
        {"changes": [{"op": "restore", "uid": str(twin_own.uid)}]},
        format="json",
    )
    assert restored.status_code == 200, restored.json()

    assert _rows(plan) == _rows(twin)
    assert [r[AUDIT_FIELDS.index("decision")] for r in _rows(plan)] == ["rejected", "pending"]
    assert len(_history(plan)) - start[0] == 6
    assert _history(plan)[start[0] :] == _history(twin)[start[1] :]
    written = AuditEntry.objects.order_by("id")
    assert set(written.filter(plan_uid=plan.uid).values_list("via", flat=True)) == {""}
    twin_via = written.filter(plan_uid=twin.uid).values_list("via", flat=True)
    assert list(twin_via)[start[1] :] == ["api"] * 6
