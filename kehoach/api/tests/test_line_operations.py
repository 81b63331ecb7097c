"""Merging, splitting, undoing, restoring and reviewing commune lines through the API (issue
17): the lines answered with their village lines, ``If-Match`` / ``versions`` and 412,
``?dry_run=1`` writing nothing, refusals by the services' codes, and the same rows and history
as the commune plan's pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pytest import MonkeyPatch
from rest_framework.test import APIClient

from kehoach.accounts.choices import Role
from kehoach.accounts.models import ApiTokenScope, RoleAssignment
from kehoach.accounts.permissions import forget_assignments
from kehoach.api.views import line_operations
from kehoach.approvals.models import AuditEntry, StatusChange
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineSource, SynthesisOperation
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as f

from .test_commune_line_writes import VALUES, _history, _rows, api_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def two_villages(commune: AdministrativeUnit, planner: Any) -> CommunePlan:
    """The commune plan made from two villages' roads (the same work, mergeable)."""
    one, two = f.villages(commune, ["Thôn Diên Sanh", "Thôn Hải Thượng"])
    for village in (one, two):
        f.submitted_plan(
            village, [f.money_line("600", "100", sector=f.transport(), activity="Đường")]
        )
    round_ = f.round_of(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    return f.commune_plan_for(round_)


@pytest.fixture
def planner() -> Any:
    f.agriculture()
    return f.planner(hai_lang())


@pytest.fixture
def plan(planner: Any) -> CommunePlan:
    return two_villages(hai_lang(), planner)


@pytest.fixture
def api(planner: Any, plan: CommunePlan) -> APIClient:
    return api_for(planner)


def url(plan: CommunePlan, tail: str) -> str:
    return f"{API}/commune-plans/{plan.uid}/lines/{tail}"


def roads(plan: CommunePlan) -> list[CommuneLine]:
    return list(plan.lines.filter(state=LineState.ACTIVE).order_by("number"))


def versions(lines: list[CommuneLine]) -> dict[str, int]:
    return {str(x.uid): x.version for x in lines}


def counts() -> tuple[int, ...]:
    return (
        CommuneLine.objects.count(),
        CommuneLine.objects.filter(state=LineState.ACTIVE).count(),
        LineSource.objects.count(),
        SynthesisOperation.objects.count(),
        AuditEntry.objects.count(),
        StatusChange.objects.count(),
    )


SPLIT = {
    "parts": [
        {"activity": "Đường — giai đoạn 1", "total_cost_mvnd": "400"},
        {"activity": "Đường — giai đoạn 2", "location": "Xóm Dưới", "total_cost_mvnd": "200"},
    ]
}


def test_a_merge_answers_the_new_line_with_its_village_lines_and_undo_brings_them_back(
    api: APIClient, plan: CommunePlan
) -> None:
    lines = roads(plan)
    merged = api.post(
        url(plan, "merge/"), {"versions": versions(lines), "activity": "Đường"}, format="json"
    )
    assert merged.status_code == 200, merged.json()
    (line,) = merged.json()["lines"]
    assert len(line["sources"]) == 2
    assert line["total_cost_mvnd"] in ("1200", "1200.000", "1200.00")
    assert [x.state for x in CommuneLine.objects.filter(pk__in=[x.pk for x in lines])] == [
        LineState.MERGED
    ] * 2

    new = CommuneLine.objects.get(uid=line["uid"])
    back = api.post(url(plan, f"{new.uid}/undo/"), HTTP_IF_MATCH=f'"{new.version}"')
    assert back.status_code == 200, back.json()
    assert sorted(x["uid"] for x in back.json()["lines"]) == sorted(str(x.uid) for x in lines)
    again = api.post(url(plan, f"{new.uid}/undo/"), HTTP_IF_MATCH=f'"{new.version + 1}"')
    assert again.status_code in (400, 409) and again.json()["code"] == "undo_nothing"


def test_a_split_answers_the_parts_with_their_share_and_undo_makes_the_line_whole(
    api: APIClient, plan: CommunePlan
) -> None:
    line = roads(plan)[0]
    split = api.post(url(plan, f"{line.uid}/split/"), SPLIT, format="json", HTTP_IF_MATCH='"1"')
    assert split.status_code == 200, split.json()
    parts = split.json()["lines"]
    assert [p["activity"] for p in parts] == ["Đường — giai đoạn 1", "Đường — giai đoạn 2"]
    assert all(len(p["sources"]) == 1 for p in parts)
    line.refresh_from_db()
    assert line.state == LineState.SPLIT
    whole = api.post(url(plan, f"{line.uid}/undo/"), HTTP_IF_MATCH=f'"{line.version}"')
    assert whole.status_code == 200, whole.json()
    assert [x["uid"] for x in whole.json()["lines"]] == [str(line.uid)]
    line.refresh_from_db()
    assert line.state == LineState.ACTIVE


def test_versions_are_required_and_a_stale_one_answers_412_with_the_current_lines(
    api: APIClient, plan: CommunePlan
) -> None:
    lines = roads(plan)
    before = counts()
    stale = {**versions(lines), str(lines[0].uid): 0}
    answer = api.post(url(plan, "merge/"), {"versions": stale}, format="json")
    assert answer.status_code == 412
    assert len(answer.json()["current"]["lines"]) == 2
    assert api.post(url(plan, f"{lines[0].uid}/split/"), SPLIT, format="json").status_code == 428
    old = api.post(url(plan, f"{lines[0].uid}/split/"), SPLIT, format="json", HTTP_IF_MATCH='"0"')
    assert old.status_code == 412 and old.json()["current"]["uid"] == str(lines[0].uid)
    for tail in ("undo/", "restore/", "reviewed/"):
        assert api.post(url(plan, f"{lines[0].uid}/{tail}")).status_code == 428
    assert counts() == before


def test_a_dry_run_answers_what_would_be_refused_and_writes_nothing(
    api: APIClient, plan: CommunePlan
) -> None:
    lines = roads(plan)
    before = counts()
    ok = api.post(url(plan, "merge/?dry_run=1"), {"versions": versions(lines)}, format="json")
    assert ok.status_code == 200 and ok.json() == {"dry_run": True, "lines": []}
    one = api.post(url(plan, "merge/?dry_run=1"), {"versions": versions(lines[:1])}, format="json")
    assert one.status_code == 400 and one.json()["code"] == "merge_too_few"
    tag = {"HTTP_IF_MATCH": '"1"'}
    split = api.post(url(plan, f"{lines[0].uid}/split/?dry_run=1"), SPLIT, format="json", **tag)
    assert split.status_code == 200
    wrong = {"parts": [{**SPLIT["parts"][0]}, {**SPLIT["parts"][1], "total_cost_mvnd": "1"}]}
    bad = api.post(url(plan, f"{lines[0].uid}/split/?dry_run=1"), wrong, format="json", **tag)
    assert bad.status_code == 400 and bad.json()["code"] == "parts_sum"
    assert counts() == before

    api.post(url(plan, f"{lines[0].uid}/split/"), SPLIT, format="json", **tag)
    lines[0].refresh_from_db()
    after = counts()
    undo = api.post(
        url(plan, f"{lines[0].uid}/undo/?dry_run=1"), HTTP_IF_MATCH=f'"{lines[0].version}"'
    )
    assert undo.status_code == 200
    assert counts() == after


def test_refusals_a_locked_plan_a_read_only_token_and_another_commune(
    planner: Any, plan: CommunePlan
) -> None:
    lines = roads(plan)
    api = api_for(planner)
    own = api.post(f"{API}/commune-plans/{plan.uid}/lines/", VALUES, format="json").json()
    merge = api.post(
        url(plan, "merge/"), {"versions": {**versions(lines), own["uid"]: 1}}, format="json"
    )
    assert merge.status_code == 400 and merge.json()["code"] == "merge_commune_line"
    before = counts()
    reader = api_for(planner, ApiTokenScope.READ)
    assert (
        reader.post(url(plan, "merge/"), {"versions": versions(lines)}, format="json").status_code
        == 403
    )
    stranger = api_for(f.planner(dong_hoi()))
    answer = stranger.post(url(plan, f"{lines[0].uid}/reviewed/"), HTTP_IF_MATCH='"1"')
    assert answer.status_code == 404
    CommunePlan.objects.filter(pk=plan.pk).update(status=CommunePlanStatus.SUBMITTED)
    for query in ("", "?dry_run=1"):
        locked = api.post(url(plan, f"merge/{query}"), {"versions": versions(lines)}, format="json")
        assert locked.status_code in (400, 403), locked.json()
        assert locked.json()["code"] == "commune_plan_locked"
    assert counts() == before


def test_the_same_operations_through_the_pages_and_the_api_leave_the_same_rows_and_history(
    planner: Any, plan: CommunePlan
) -> None:
    RoleAssignment.objects.create(user=planner, role=Role.COMMUNE_PLANNER, unit=dong_hoi())
    forget_assignments(planner)
    twin = two_villages(dong_hoi(), planner)
    page = Client()
    page.force_login(planner)
    api = api_for(planner)
    start = (len(_history(plan)), len(_history(twin)))

    def page_post(name: str, args: list[Any], data: dict[str, Any]) -> None:
        answer = page.post(reverse(f"synthesis:{name}", args=[plan.uid, *args]), data)
        assert answer.status_code == 302, name

    # merge, undo the merge
    lines, twins = roads(plan), roads(twin)
    page_post("merge", [], {"lines": [str(x.uid) for x in lines], "activity": "Đường"})
    merged = api.post(
        url(twin, "merge/"), {"versions": versions(twins), "activity": "Đường"}, format="json"
    )
    assert merged.status_code == 200, merged.json()
    operation = SynthesisOperation.objects.get(plan=plan)
    page_post("undo", [operation.pk], {})
    new = CommuneLine.objects.get(uid=merged.json()["lines"][0]["uid"])
    undone = api.post(url(twin, f"{new.uid}/undo/"), HTTP_IF_MATCH=f'"{new.version}"')
    assert undone.status_code == 200, undone.json()

    # split the first road
    line, twin_line = roads(plan)[0], roads(twin)[0]
    form = {"activity_1": "Đường — giai đoạn 1", "cost_1": "400"}
    form |= {"activity_2": "Đường — giai đoạn 2", "location_2": "Xóm Dưới", "cost_2": "200"}
    page_post("line_split", [line.uid], form)
    tag = f'"{twin_line.version}"'
    split = api.post(url(twin, f"{twin_line.uid}/split/"), SPLIT, format="json", HTTP_IF_MATCH=tag)
    assert split.status_code == 200, split.json()

    assert _rows(plan) == _rows(twin)
    assert _history(plan)[start[0] :] == _history(twin)[start[1] :]
    changes = StatusChange.objects.order_by("id")
    page_undo = [(c.action, c.comment) for c in changes.filter(plan_uid=plan.uid)]
    api_undo = [(c.action, c.comment) for c in changes.filter(plan_uid=twin.uid)]
    assert page_undo == api_undo
    written = AuditEntry.objects.order_by("id").filter(plan_uid=twin.uid)
    assert set(list(written.values_list("via", flat=True))[start[1] :]) == {"api"}


def test_restore_and_reviewed_answer_the_line_as_the_batch_and_the_page_write_it(
    api: APIClient, plan: CommunePlan
) -> None:
    own = api.post(f"{API}/commune-plans/{plan.uid}/lines/", VALUES, format="json").json()
    line = CommuneLine.objects.get(uid=own["uid"])
    assert api.delete(url(plan, f"{line.uid}/"), HTTP_IF_MATCH='"1"').status_code == 204
    dry = api.post(url(plan, f"{line.uid}/restore/?dry_run=1"), HTTP_IF_MATCH='"2"')
    assert dry.status_code == 200 and CommuneLine.objects.get(pk=line.pk).state == "removed"
    back = api.post(url(plan, f"{line.uid}/restore/"), HTTP_IF_MATCH='"2"')
    assert back.status_code == 200, back.json()
    assert back.json()["lines"][0]["state"] == LineState.ACTIVE
    road = roads(plan)[0]
    seen = api.post(url(plan, f"{road.uid}/reviewed/"), HTTP_IF_MATCH=f'"{road.version}"')
    assert seen.status_code == 200, seen.json()
    assert seen.json()["lines"][0]["uid"] == str(road.uid)


def saved_in_between(
    monkeypatch: MonkeyPatch, planner: Any, name: str, line: CommuneLine
) -> list[tuple[int, ...]]:
    """The service ``name`` of the view, with another save of ``line`` landing after the
    view's check of the versions and before the service runs; the counts after that save."""
    real = getattr(line_operations, name)
    seen: list[tuple[int, ...]] = []

    def late(**kwargs: Any) -> Any:
        line_decide(actor=planner, line=line, decision=Decision.DEFERRED, reason="Chờ thiết kế")
        seen.append(counts())
        return real(**kwargs)

    monkeypatch.setattr(line_operations, name, late)
    return seen


def test_a_save_landing_after_the_views_check_is_refused_by_the_service_412_with_current(
    monkeypatch: MonkeyPatch, planner: Any, api: APIClient, plan: CommunePlan
) -> None:
    lines = roads(plan)
    seen = saved_in_between(monkeypatch, planner, "lines_merge", lines[1])
    merge = api.post(url(plan, "merge/"), {"versions": versions(lines)}, format="json")
    assert merge.status_code == 412, merge.json()
    assert merge.json()["code"] == "conflict"
    current = {x["uid"]: x["version"] for x in merge.json()["current"]["lines"]}
    assert current[str(lines[1].uid)] == lines[1].version + 1
    assert counts() == seen[0]

    line = roads(plan)[0]
    seen = saved_in_between(monkeypatch, planner, "line_split", line)
    tag = f'"{line.version}"'
    split = api.post(url(plan, f"{line.uid}/split/"), SPLIT, format="json", HTTP_IF_MATCH=tag)
    assert split.status_code == 412, split.json()
    assert split.json()["current"]["version"] == line.version + 1
    assert counts() == seen[0]


def test_an_undo_after_another_save_of_the_line_is_refused_412_with_current(
    monkeypatch: MonkeyPatch, planner: Any, api: APIClient, plan: CommunePlan
) -> None:
    merged = api.post(url(plan, "merge/"), {"versions": versions(roads(plan))}, format="json")
    new = CommuneLine.objects.get(uid=merged.json()["lines"][0]["uid"])
    seen = saved_in_between(monkeypatch, planner, "operation_undo", new)
    undo = api.post(url(plan, f"{new.uid}/undo/"), HTTP_IF_MATCH=f'"{new.version}"')
    assert undo.status_code == 412, undo.json()
    assert undo.json()["current"]["uid"] == str(new.uid)
    assert undo.json()["current"]["version"] == new.version + 1
    assert counts() == seen[0]
    assert SynthesisOperation.objects.get(line=new).undone_at is None


def test_a_splits_problems_name_the_parts_of_the_request(api: APIClient, plan: CommunePlan) -> None:
    line = roads(plan)[0]
    bad = {
        "parts": [
            {"activity": " ", "total_cost_mvnd": "600"},
            {"activity": "Đường — giai đoạn 2", "total_cost_mvnd": "0"},
        ]
    }
    before = counts()
    for query in ("", "?dry_run=1"):
        answer = api.post(
            url(plan, f"{line.uid}/split/{query}"), bad, format="json", HTTP_IF_MATCH='"1"'
        )
        assert answer.status_code == 400, answer.json()
        fields = [e["where"]["field"] for e in answer.json()["errors"]]
        assert fields == ["parts[0].activity", "parts[1].total_cost_mvnd"]
    assert counts() == before
