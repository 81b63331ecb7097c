"""The evaluation of a commune plan's year through the API (issue 17, F15–F16): a work's
evaluation, a batch of them, the year's evaluation and the targets' values achieved, each
through the page's service: ``If-Match`` (428 without, 412 with the current values when stale),
``?dry_run=1`` answered by the service's check writing nothing, a read-only token 403, another
commune 404, a plan not published refused with the service's code, and the same write through
the page and the API leaving the same rows and history (the API's marked as such)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import AuditEntry
from kehoach.catalog.models import Indicator
from kehoach.geo.tests.factories import CommuneFactory, dong_hoi, quang_tri
from kehoach.monitoring.models import LineEvaluation, PlanEvaluation, TargetAchievement
from kehoach.monitoring.tests.factories import followed_plan
from kehoach.synthesis.models import CommunePlan, TargetValue

pytestmark = pytest.mark.django_db
API = "/api/v1"
D = Decimal

WORK = {
    "deviation_reason": "Mưa kéo dài, chưa khởi công",
    "beneficiary_opinion": "not_asked",
    "opinion_notes": "",
    "operation_maintenance": "",
    "lesson": "Huy động ngày công trước mùa mưa",
}
YEAR = {
    "evaluated_on": "2026-11-30",
    "results_achieved": "Hoàn thành 1/2 công trình",
    "shortcomings": "Chậm giải ngân",
    "lessons": "Huy động ngày công sớm",
}
TARGETS = {
    "rows": [
        {"indicator_code": "HO-NGHEO", "achieved": "2.9", "notes": "Rà soát cuối năm"},
        {"indicator_code": "DUONG-BT", "achieved": "12.5", "notes": ""},
    ]
}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def world() -> dict[str, Any]:
    found = followed_plan()
    _targets(found["plan"])
    return found


def twin() -> dict[str, Any]:
    found = followed_plan(CommuneFactory.create(parent=quang_tri(), name="Xã Hải Phú"))
    _targets(found["plan"])
    return found


def _targets(plan: CommunePlan) -> None:
    poverty, _ = Indicator.objects.get_or_create(
        code="HO-NGHEO",
        defaults={
            "name": "Tỷ lệ hộ nghèo",
            "unit": "%",
            "group": "general",
            "decimals": 1,
            "higher_is_better": False,
        },
    )
    roads, _ = Indicator.objects.get_or_create(
        code="DUONG-BT",
        defaults={"name": "Đường bê tông", "unit": "km", "group": "infrastructure", "decimals": 1},
    )
    TargetValue.objects.create(plan=plan, indicator=poverty, plan_current=D("3.5"), plan_next=D(3))
    TargetValue.objects.create(plan=plan, indicator=roads, plan_current=D(10), plan_next=D(12))


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Chương trình", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def plan_url(world: dict[str, Any], tail: str = "") -> str:
    return f"{API}/commune-plans/{world['plan'].uid}/evaluation/{tail}"


def work_url(world: dict[str, Any], line: str = "road") -> str:
    return f"{API}/commune-plans/{world['plan'].uid}/lines/{world[line].uid}/evaluation/"


def counts() -> tuple[int, int, int, int]:
    return (
        LineEvaluation.objects.count(),
        PlanEvaluation.objects.count(),
        TargetAchievement.objects.count(),
        AuditEntry.objects.count(),
    )


def put(api: APIClient, url: str, body: Any, version: Any = 0) -> Any:
    return api.put(url, body, format="json", HTTP_IF_MATCH=f'"{version}"')


def batch(world: dict[str, Any], version: int = 0) -> dict[str, Any]:
    return {
        "items": [
            {**WORK, "line_uid": str(world["road"].uid), "version": version},
            {**WORK, "line_uid": str(world["school"].uid), "version": 0},
        ]
    }


# the writes: (name, url, body, the field a bad body names)
WRITES = ["work", "year", "targets"]


def write_of(world: dict[str, Any], name: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The url, a good body and a bad body of each PUT."""
    if name == "work":
        return work_url(world), WORK, {**WORK, "deviation_reason": ""}
    if name == "year":
        return plan_url(world), YEAR, {**YEAR, "results_achieved": ""}
    return (
        plan_url(world, "targets/"),
        TARGETS,
        {"rows": [{"indicator_code": "HO-NGHEO", "achieved": "-1", "notes": ""}]},
    )


# --- a work's evaluation ------------------------------------------------------------------------


def test_a_works_evaluation_is_saved_with_its_version_as_etag(world: dict[str, Any]) -> None:
    api = api_for(world["planner"])

    created = put(api, work_url(world), WORK)
    assert created.status_code == 200, created.json()
    assert created["ETag"] == '"1"' and created.json()["version"] == 1
    assert created.json()["deviation_reason"] == WORK["deviation_reason"]
    changed = put(api, work_url(world), {**WORK, "lesson": "Khác"}, version=1)
    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] == '"2"'
    assert LineEvaluation.objects.get(line=world["road"]).lesson == "Khác"
    read = api.get(plan_url(world)).json()
    road = next(w for w in read["works"] if w["line_uid"] == str(world["road"].uid))
    assert (road["version"], road["lesson"], road["evaluated"]) == (2, "Khác", True)


def test_a_work_refused_by_its_rules_names_the_field_and_writes_nothing(
    world: dict[str, Any],
) -> None:
    before = counts()

    response = put(api_for(world["planner"]), work_url(world), {**WORK, "deviation_reason": ""})

    assert response.status_code == 400, response.json()
    assert response.json()["where"]["field"] == "deviation_reason"
    assert counts() == before


def test_a_line_that_is_not_a_funded_work_is_refused(world: dict[str, Any]) -> None:
    response = put(api_for(world["planner"]), work_url(world, "farm"), WORK)

    assert response.status_code == 400 and response.json()["code"] == "not_a_work"


# --- If-Match, dry run, rights: every PUT ----------------------------------------------------


@pytest.mark.parametrize("name", WRITES)
def test_a_write_without_if_match_is_428_and_a_stale_one_412_with_the_current_values(
    world: dict[str, Any], name: str
) -> None:
    url, good, _bad = write_of(world, name)
    api = api_for(world["planner"])
    assert put(api, url, good).status_code == 200
    before = counts()

    missing = api.put(url, good, format="json")
    stale = put(api, url, good, version=0)

    assert missing.status_code == 428
    assert stale.status_code == 412, stale.json()
    assert stale.json()["current"]["version"] not in (0, None)
    assert counts() == before


@pytest.mark.parametrize("name", WRITES)
def test_a_dry_run_answers_by_the_checks_and_writes_nothing(
    world: dict[str, Any], name: str
) -> None:
    url, good, bad = write_of(world, name)
    api = api_for(world["planner"])
    before = counts()

    answer = put(api, f"{url}?dry_run=1", good)
    refused = put(api, f"{url}?dry_run=1", bad)

    assert answer.status_code == 200, answer.json()
    assert answer.json()["dry_run"] is True
    assert answer.json()["counts"]["created"] == (2 if name == "targets" else 1)
    assert refused.status_code == 400, refused.json()
    assert counts() == before


@pytest.mark.parametrize("name", WRITES)
def test_a_read_only_token_may_not_write_and_another_commune_is_not_found(
    world: dict[str, Any], name: str
) -> None:
    url, good, _bad = write_of(world, name)
    ward = api_for(followed_plan(dong_hoi())["planner"])
    read_only = api_for(world["planner"], ApiTokenScope.READ)
    before = counts()

    assert put(read_only, url, good).status_code == 403
    assert put(ward, url, good).status_code == 404
    assert counts() == before


@pytest.mark.parametrize("name", WRITES)
def test_a_plan_not_published_is_refused_with_the_services_code_never_500(name: str) -> None:
    world = followed_plan(publish=False)
    _targets(world["plan"])
    url, good, _bad = write_of(world, name)
    before = counts()

    response = put(api_for(world["planner"]), url, good)

    assert response.status_code == 400 and response.json()["code"] == "not_published"
    assert counts() == before


def test_the_year_refused_names_results_achieved(world: dict[str, Any]) -> None:
    response = put(api_for(world["planner"]), plan_url(world), {**YEAR, "results_achieved": ""})

    assert response.status_code == 400
    assert response.json()["where"]["field"] == "results_achieved", response.json()


def test_the_targets_are_saved_removed_and_versioned_by_what_is_saved(
    world: dict[str, Any],
) -> None:
    api = api_for(world["planner"])

    saved = put(api, plan_url(world, "targets/"), TARGETS)
    assert saved.status_code == 200, saved.json()
    version = saved.json()["version"]
    assert saved["ETag"] == f'"{version}"' and version != 0
    assert api.get(plan_url(world)).json()["targets_version"] == version
    emptied = {"rows": [{"indicator_code": "HO-NGHEO", "achieved": None, "notes": ""}]}
    dry = put(api, plan_url(world, "targets/?dry_run=1"), emptied, version)
    assert dry.json()["counts"] == {"created": 0, "updated": 0, "deleted": 1}
    removed = put(api, plan_url(world, "targets/"), emptied, version)
    assert removed.status_code == 200
    assert removed.json()["version"] not in (0, version)
    assert TargetAchievement.objects.filter(target__plan=world["plan"]).count() == 1


# --- a batch of works -------------------------------------------------------------------------


def test_a_batch_saves_every_work_or_none_naming_the_position(world: dict[str, Any]) -> None:
    api = api_for(world["planner"])
    before = counts()
    wrong = batch(world)
    wrong["items"][1]["deviation_reason"] = ""

    refused = api.post(plan_url(world, "works/"), wrong, format="json")
    assert refused.status_code == 400, refused.json()
    assert refused.json()["where"] == {"field": "deviation_reason", "line": 2}
    assert counts() == before
    dry = api.post(plan_url(world, "works/?dry_run=1"), batch(world), format="json")
    assert dry.json() == {"dry_run": True, "counts": {"created": 2, "updated": 0}}
    assert counts() == before

    done = api.post(plan_url(world, "works/"), batch(world), format="json")
    assert done.status_code == 200, done.json()
    assert (done.json()["created"], done.json()["updated"]) == (2, 0)
    assert LineEvaluation.objects.filter(line__plan=world["plan"]).count() == 2


def test_a_stale_item_of_a_batch_is_412_with_its_current_values(world: dict[str, Any]) -> None:
    api = api_for(world["planner"])
    assert put(api, work_url(world), WORK).status_code == 200
    before = counts()

    stale = api.post(plan_url(world, "works/"), batch(world, version=0), format="json")

    assert stale.status_code == 412, stale.json()
    assert stale.json()["current"]["items"][0]["line"] == 1
    assert stale.json()["current"]["items"][0]["version"] == 1
    assert counts() == before


def test_a_batch_is_refused_to_a_read_only_token_and_another_commune(
    world: dict[str, Any],
) -> None:
    ward = api_for(followed_plan(dong_hoi())["planner"])
    read_only = api_for(world["planner"], ApiTokenScope.READ)
    unpublished = followed_plan(
        CommuneFactory.create(parent=quang_tri(), name="Xã Hải Sơn"), publish=False
    )
    stranger = api_for(unpublished["planner"])
    before = counts()

    assert read_only.post(plan_url(world, "works/"), batch(world), format="json").status_code == 403
    assert ward.post(plan_url(world, "works/"), batch(world), format="json").status_code == 404
    refused = stranger.post(plan_url(unpublished, "works/"), batch(unpublished), format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "not_published"
    assert counts() == before


# --- the page and the API leave the same rows and history ----------------------------------


def _rows(world: dict[str, Any]) -> list[Any]:
    plan = world["plan"]
    return [
        [
            (e.line.activity, e.deviation_reason, e.beneficiary_opinion, e.lesson, e.version)
            for e in LineEvaluation.objects.filter(line__plan=plan).order_by("line__number")
        ],
        [
            (e.evaluated_on, e.results, e.shortcomings, e.lessons, e.version)
            for e in PlanEvaluation.objects.filter(plan=plan)
        ],
        sorted(
            (a.target.indicator.code, a.achieved, a.notes)
            for a in TargetAchievement.objects.filter(target__plan=plan)
        ),
    ]


def _history(world: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            e.operation,
            e.subject_label,
            e.before,
            {k: v for k, v in e.after.items() if k not in {"line", "target", "plan"}},
        )
        for e in AuditEntry.objects.filter(
            plan_uid=world["plan"].uid, subject_label__startswith="monitoring."
        ).order_by("id")
    ]


def test_the_same_evaluation_through_the_page_and_the_api_leaves_the_same_rows_and_history(
    world: dict[str, Any],
) -> None:
    other = twin()
    page = Client()
    page.force_login(world["planner"])
    api = api_for(other["planner"])
    uid = world["plan"].uid

    work = f"/cdp/{uid}/works/{world['road'].uid}/evaluation/"
    assert page.post(work, {**WORK, "version": "0"}).status_code == 302
    assert put(api, work_url(other), WORK).status_code == 200
    year = {
        "evaluated_on": "30/11/2026",
        "results": YEAR["results_achieved"],
        "shortcomings": YEAR["shortcomings"],
        "lessons": YEAR["lessons"],
        "version": "0",
    }
    assert page.post(f"/cdp/{uid}/evaluation/year/", year).status_code == 302
    assert put(api, plan_url(other), YEAR).status_code == 200
    targets = {
        "HO-NGHEO__achieved": "2,9",
        "HO-NGHEO__notes": "Rà soát cuối năm",
        "DUONG-BT__achieved": "12,5",
    }
    assert page.post(f"/cdp/{uid}/evaluation/targets/", targets).status_code == 302
    assert put(api, plan_url(other, "targets/"), TARGETS).status_code == 200
    school = f"/cdp/{uid}/works/{world['school'].uid}/evaluation/"
    assert page.post(school, {**WORK, "version": "0"}).status_code == 302
    one = {"items": [{**WORK, "line_uid": str(other["school"].uid), "version": 0}]}
    assert api.post(plan_url(other, "works/"), one, format="json").status_code == 200

    assert _rows(world) == _rows(other) and all(_rows(world))
    assert _history(world) == _history(other) and len(_history(world)) == 5
    theirs = AuditEntry.objects.filter(
        plan_uid=other["plan"].uid, subject_label__startswith="monitoring."
    )
    assert {e.via for e in theirs} == {"api"}
    mine = AuditEntry.objects.filter(plan_uid=uid, subject_label__startswith="monitoring.")
    assert "api" not in {e.via for e in mine}
