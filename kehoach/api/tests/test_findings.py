"""A village plan's findings through the API (issue 17): SWOT by sector (F3), problems (F4) and
the ranking matrix (F5) — read, written with ``If-Match`` (the ETag is the record's version:
428 without, 412 with the saved values when stale; the version is checked again by the service
under its lock, so a save landing after the view's check is caught too), ``?dry_run=1`` writing
nothing, refusals (rules, read-only token, another commune, a submitted plan), lists whose
query count does not depend on the page size, and the same rows and history as the pages'
own writes, the API's marked as such."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, ApplicationErrors
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import (
    Problem,
    ProposalLine,
    RankingItem,
    Solution,
    SwotEntry,
    VillagePlan,
)
from kehoach.plans.services.findings import (
    RankingChanges,
    RankingItemChange,
    problem_create,
    problem_delete,
    problem_update,
    ranking_apply_priorities,
    ranking_item_create,
    ranking_item_delete,
    ranking_item_update,
    ranking_items_apply,
    ranking_items_check,
    ranking_priorities_check,
    ranking_version,
    swot_delete,
    swot_save,
)
from kehoach.plans.services.lines import LineChange, proposal_lines_apply
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"

SWOT: dict[str, Any] = {
    "strengths": "Nhân dân đồng thuận góp công",
    "weaknesses": "Đường xóm Trên lầy lội",
    "opportunities": "",
    "threats": "Lũ",
    "implication": "Ưu tiên đường xóm Trên",
}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def plan() -> VillagePlan:
    f.sector()
    return f.village_plan()


@pytest.fixture
def planner(plan: VillagePlan) -> Any:
    return commune_planner(plan.village.parent)


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Tài chính", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api(planner: Any) -> APIClient:
    return api_for(planner)


def url(plan: VillagePlan, tail: str) -> str:
    return f"{API}/village-plans/{plan.uid}/{tail}"


def counts() -> tuple[int, ...]:
    return (
        SwotEntry.objects.count(),
        Problem.objects.count(),
        Solution.objects.count(),
        RankingItem.objects.count(),
        AuditEntry.objects.count(),
        *ProposalLine.objects.order_by("pk").values_list("version", flat=True),
    )


def _vias() -> set[str]:
    return set(AuditEntry.objects.values_list("via", flat=True))


def _problem_body(plan: VillagePlan, **overrides: Any) -> dict[str, Any]:
    line = ProposalLine.objects.filter(plan=plan).first() or f.line(plan, number=1)
    body: dict[str, Any] = {
        "sector_code": "HT-GT",
        "problem": "Đường liên thôn lầy lội vào mùa mưa",
        "affected_households": 80,
        "affected_poor": 12,
        "affected_women": 150,
        "affected_em": 5,
        "causes": "Đường đất\nKhông có rãnh thoát nước",
        "solutions": [{"text": "Bê tông hóa đường thôn", "lines": [str(line.uid)]}],
    }
    body.update(overrides)
    return body


def _criteria(plan: VillagePlan) -> list[str]:
    return [c["code"] for c in plan.round.profile.ranking_criteria]


# --- F3: SWOT ----------------------------------------------------------------------------------


def test_swot_is_created_then_replaced_with_its_etag_and_listed(
    api: APIClient, plan: VillagePlan
) -> None:
    sector_url = url(plan, "swot/HT-GT/")
    created = api.put(sector_url, SWOT, format="json", HTTP_IF_MATCH='"0"')
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["sector_code"] == "HT-GT" and body["strengths"] == SWOT["strengths"]
    assert created["ETag"] == f'"{body["version"]}"'

    read = api.get(sector_url)
    assert read.status_code == 200 and read["ETag"] == created["ETag"]
    replaced = api.put(
        sector_url, {"threats": "Lũ quét"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert replaced.status_code == 200, replaced.json()
    assert replaced.json()["threats"] == "Lũ quét"
    assert replaced.json()["strengths"] == ""  # written whole: a text left out is empty
    assert replaced["ETag"] != created["ETag"]

    listed = api.get(url(plan, "swot/"))
    assert [row["sector_code"] for row in listed.json()["results"]] == ["HT-GT"]
    assert list(AuditEntry.objects.values_list("operation", "via")) == [
        ("create", "api"),
        ("update", "api"),
    ]


def test_swot_needs_the_version_read_and_a_stale_one_answers_412(
    api: APIClient, plan: VillagePlan
) -> None:
    sector_url = url(plan, "swot/HT-GT/")
    assert api.put(sector_url, SWOT, format="json").status_code == 428
    assert not SwotEntry.objects.exists()
    first = api.put(sector_url, SWOT, format="json", HTTP_IF_MATCH='"0"')
    before = counts()
    stale = api.put(sector_url, {"strengths": "Khác"}, format="json", HTTP_IF_MATCH='"0"')
    assert stale.status_code == 412
    assert stale.json()["current"]["strengths"] == SWOT["strengths"]
    assert first.json()["version"] == 1
    assert api.delete(sector_url, HTTP_IF_MATCH='"7"').status_code == 412
    assert api.delete(sector_url).status_code == 428
    assert counts() == before
    assert api.delete(sector_url, HTTP_IF_MATCH=first["ETag"]).status_code == 204
    assert not SwotEntry.objects.exists()
    assert api.get(sector_url).status_code == 404
    assert api.delete(sector_url, HTTP_IF_MATCH=first["ETag"]).status_code == 404


def test_swot_refused_by_its_rules_and_an_unknown_sector_is_not_found(
    api: APIClient, plan: VillagePlan
) -> None:
    empty = api.put(
        url(plan, "swot/HT-GT/"), {"implication": "Chỉ ý nghĩa"}, format="json", HTTP_IF_MATCH="0"
    )
    assert empty.status_code == 400
    assert empty.json()["code"] == "swot_empty"
    assert empty.json()["where"] == {"field": "strengths"}
    missing = api.put(url(plan, "swot/KHONG-CO/"), SWOT, format="json", HTTP_IF_MATCH="0")
    assert missing.status_code == 404
    assert not SwotEntry.objects.exists()


def test_swot_dry_run_answers_and_writes_nothing(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    sector_url = url(plan, "swot/HT-GT/")
    before = counts()
    checked = api.put(f"{sector_url}?dry_run=1", SWOT, format="json", HTTP_IF_MATCH="0")
    assert checked.status_code == 200 and checked.json() == {"dry_run": True, "would_save": True}
    refused = api.put(f"{sector_url}?dry_run=1", {}, format="json", HTTP_IF_MATCH="0")
    assert refused.status_code == 400 and refused.json()["code"] == "swot_empty"
    assert counts() == before

    entry = swot_save(actor=planner, plan=plan, sector=f.sector(), **SWOT)
    before = counts()
    tag = api.get(sector_url)["ETag"]
    deleted = api.delete(f"{sector_url}?dry_run=1", HTTP_IF_MATCH=tag)
    assert deleted.status_code == 200 and deleted.json()["dry_run"] is True
    assert counts() == before and SwotEntry.objects.filter(pk=entry.pk).exists()


# --- F4: problems ------------------------------------------------------------------------------


def test_a_problem_is_added_read_changed_and_deleted(api: APIClient, plan: VillagePlan) -> None:
    line = f.line(plan, number=1, activity="Bê tông hóa đường xóm Trên")
    created = api.post(url(plan, "problems/"), _problem_body(plan), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["sector_code"] == "HT-GT" and body["affected_poor"] == 12
    assert body["solutions"] == [
        {
            "position": 1,
            "text": "Bê tông hóa đường thôn",
            "lines": [{"uid": str(line.uid), "number": 1, "activity": line.activity}],
        }
    ]
    problem = Problem.objects.get()
    assert body["uid"] == str(problem.uid) and "id" not in body
    assert created["Location"].endswith(f"/problems/{problem.uid}/")

    one = url(plan, f"problems/{problem.uid}/")
    read = api.get(one)
    assert read.status_code == 200 and read["ETag"] == created["ETag"]
    assert [row["uid"] for row in api.get(url(plan, "problems/")).json()["results"]] == [
        str(problem.uid)
    ]
    changed = api.patch(one, {"priority": 1}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200, changed.json()
    assert changed.json()["priority"] == 1
    assert changed.json()["solutions"] == body["solutions"]  # kept: not sent
    assert changed["ETag"] != read["ETag"]

    assert api.delete(one, HTTP_IF_MATCH=changed["ETag"]).status_code == 204
    assert not Problem.objects.exists() and not Solution.objects.exists()
    assert list(AuditEntry.objects.values_list("operation", flat=True)) == [
        "create",
        "update",
        "delete",
    ]
    assert _vias() == {"api"}


def test_a_problem_change_needs_the_version_read_and_a_stale_one_answers_412(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    problem = problem_create(actor=planner, plan=plan, data={"sector": f.sector(), "problem": "Đ"})
    one = url(plan, f"problems/{problem.uid}/")
    before = counts()
    assert api.patch(one, {"problem": "Khác"}, format="json").status_code == 428
    stale = api.patch(one, {"problem": "Khác"}, format="json", HTTP_IF_MATCH='"12345"')
    assert stale.status_code == 412
    assert stale.json()["current"]["problem"] == "Đ"
    assert api.delete(one, HTTP_IF_MATCH='"12345"').status_code == 412
    assert counts() == before


def test_a_problem_refused_by_its_rules_names_the_fields_as_the_api_does(
    api: APIClient, plan: VillagePlan
) -> None:
    refused = api.post(
        url(plan, "problems/"),
        _problem_body(plan, sector_code="KHONG-CO", affected_poor=90),
        format="json",
    )
    assert refused.status_code == 400
    wheres = {(e["code"], e["where"].get("field")) for e in refused.json()["errors"]}
    assert wheres == {
        ("sector_invalid", "sector_code"),
        ("poor_more_than_households", "affected_poor"),
    }
    other = f.village_plan(VillageFactory.create(parent=hai_lang(), name="Thôn Khác"))
    foreign = f.line(other, number=1)
    body = _problem_body(plan, solutions=[{"text": "Giếng", "lines": [str(foreign.uid)]}])
    assert api.post(url(plan, "problems/"), body, format="json").status_code == 404
    assert not Problem.objects.exists()


def test_a_problem_dry_run_answers_and_writes_nothing(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    body = _problem_body(plan)
    before = counts()
    checked = api.post(url(plan, "problems/?dry_run=1"), body, format="json")
    assert checked.status_code == 200 and checked.json() == {"dry_run": True, "would_save": True}
    refused = api.post(url(plan, "problems/?dry_run=1"), {**body, "problem": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "problem_required"
    assert counts() == before

    problem = problem_create(actor=planner, plan=plan, data={"sector": f.sector(), "problem": "Đ"})
    one = url(plan, f"problems/{problem.uid}/")
    tag = api.get(one)["ETag"]
    before = counts()
    patched = api.patch(f"{one}?dry_run=1", {"priority": 5}, format="json", HTTP_IF_MATCH=tag)
    assert patched.status_code == 400 and patched.json()["code"] == "priority_out_of_range"
    patched = api.patch(f"{one}?dry_run=1", {"priority": 1}, format="json", HTTP_IF_MATCH=tag)
    assert patched.status_code == 200 and patched.json()["dry_run"] is True
    assert api.delete(f"{one}?dry_run=1", HTTP_IF_MATCH=tag).status_code == 200
    assert counts() == before
    assert Problem.objects.get().priority is None


# --- F5: ranking -------------------------------------------------------------------------------


def test_the_ranking_table_is_the_pages_with_totals_and_ranks(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    first, second = _criteria(plan)[:2]
    line = f.line(plan, number=1)
    low = ranking_item_create(actor=planner, plan=plan, label="Nước", scores={first: 1})
    high = ranking_item_create(
        actor=planner, plan=plan, label="Đường", line=line, scores={first: 5, second: 5}
    )
    unscored = ranking_item_create(actor=planner, plan=plan, label="Chợ")
    answer = api.get(url(plan, "ranking/"))
    assert answer.status_code == 200
    body = answer.json()
    assert [c["code"] for c in body["criteria"]] == _criteria(plan)
    assert [(r["uid"], r["rank"]) for r in body["rows"]] == [
        (str(high.uid), 1),
        (str(low.uid), 2),
        (str(unscored.uid), None),
    ]
    assert body["rows"][0]["line"]["uid"] == str(line.uid)
    assert body["rows"][0]["scores"] == {first: 5, second: 5}
    english = api.get(url(plan, "ranking/"), HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == body  # the same answer in either language (names come both ways)


def test_a_ranking_batch_is_all_or_nothing_with_the_position_of_each_problem(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    first = _criteria(plan)[0]
    kept = ranking_item_create(actor=planner, plan=plan, label="Giữ", scores={first: 2})
    gone = ranking_item_create(actor=planner, plan=plan, label="Bỏ")
    rows = {r["uid"]: r for r in api.get(url(plan, "ranking/")).json()["rows"]}
    line = f.line(plan, number=1)
    changes = [
        {
            "op": "add",
            "values": {"label": "Đường", "line_uid": str(line.uid), "scores": {first: 4}},
        },
        {
            "op": "change",
            "uid": str(kept.uid),
            "version": rows[str(kept.uid)]["version"],
            "values": {"label": "Giữ lại", "scores": {first: 7}},
        },
        {"op": "remove", "uid": str(gone.uid), "version": rows[str(gone.uid)]["version"]},
    ]
    before = counts()
    refused = api.post(url(plan, "ranking/batch/"), {"changes": changes}, format="json")
    assert refused.status_code == 400
    assert refused.json()["where"] == {"field": "scores", "line": 2, "column": first}
    assert counts() == before

    changes[1]["values"]["scores"] = {first: 3}
    checked = api.post(url(plan, "ranking/batch/?dry_run=1"), {"changes": changes}, format="json")
    assert checked.status_code == 200
    assert checked.json()["counts"] == {"added": 1, "changed": 1, "removed": 1}
    assert counts() == before

    done = api.post(url(plan, "ranking/batch/"), {"changes": changes}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["counts"] == {"added": 1, "changed": 1, "removed": 1}
    assert sorted(RankingItem.objects.values_list("label", flat=True)) == ["Giữ lại", "Đường"]
    assert RankingItem.objects.get(label="Đường").line == line
    assert _vias() >= {"api"}


def test_a_ranking_batch_refuses_a_stale_version_and_an_unknown_row(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    item = ranking_item_create(actor=planner, plan=plan, label="Giữ")
    before = counts()
    stale = api.post(
        url(plan, "ranking/batch/"),
        {"changes": [{"op": "remove", "uid": str(item.uid), "version": 7}]},
        format="json",
    )
    assert stale.status_code == 412 and stale.json()["where"] == {"line": 1}
    unknown = api.post(
        url(plan, "ranking/batch/"),
        {"changes": [{"op": "remove", "uid": str(Problem().uid), "version": 1}]},
        format="json",
    )
    assert unknown.status_code == 400 and unknown.json()["where"] == {"field": "uid", "line": 1}
    assert counts() == before


def test_priorities_are_set_from_the_ranking_and_a_dry_run_only_counts(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    first = _criteria(plan)[0]
    line = f.line(plan, number=1, priority=None)
    ranking_item_create(actor=planner, plan=plan, label="Đường", line=line, scores={first: 4})
    action = url(plan, "ranking/actions/apply-priorities/")
    assert api.post(action).status_code == 428  # it must say which matrix it read
    tag = api.get(url(plan, "ranking/"))["ETag"]
    before = counts()
    checked = api.post(f"{action}?dry_run=1", HTTP_IF_MATCH=tag)
    assert checked.status_code == 200 and checked.json() == {"dry_run": True, "changed": 1}
    assert counts() == before
    done = api.post(action, HTTP_IF_MATCH=tag)
    assert done.json() == {"dry_run": False, "changed": 1}
    line.refresh_from_db()
    assert line.priority == 1
    # the proposal changed, so the matrix read before is stale; read again: nothing changes
    assert api.post(action, HTTP_IF_MATCH=tag).status_code == 412
    again = api.post(action, HTTP_IF_MATCH=api.get(url(plan, "ranking/"))["ETag"])
    assert again.json()["changed"] == 0


def test_priorities_read_from_a_stale_matrix_are_refused_and_nothing_is_written(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    """A priority set by hand, or a ranking row saved, after the client read the matrix: 412,
    from the view's check and from the service's under the plan's lock alike."""
    first = _criteria(plan)[0]
    line = f.line(plan, number=1, priority=None)
    other = f.line(plan, number=2, priority=None)
    ranking_item_create(actor=planner, plan=plan, label="Đường", line=line, scores={first: 4})
    action = url(plan, "ranking/actions/apply-priorities/")
    read = ranking_version(plan)
    tag = api.get(url(plan, "ranking/"))["ETag"]
    assert tag == f'"{read}"' and read != 0
    proposal_lines_apply(
        actor=planner, plan=plan, changes=[LineChange(data={"priority": 2}, line=line, version=1)]
    )
    before = counts()
    stale = api.post(action, HTTP_IF_MATCH=tag)
    assert stale.status_code == 412 and stale.json()["current"]["rows"]
    assert counts() == before
    for call in (ranking_priorities_check, ranking_apply_priorities):
        with pytest.raises(ApplicationError) as refused:
            call(actor=planner, plan=plan, expected_version=read)
        assert refused.value.code == "conflict"
    line.refresh_from_db()
    assert line.priority == 2 and counts() == before
    ranking_item_create(actor=planner, plan=plan, label="Trường", line=other, scores={first: 3})
    assert ranking_version(plan) not in (0, read)


# --- refusals, lists ---------------------------------------------------------------------------


def _writes(plan: VillagePlan, tag: str = '"0"') -> list[tuple[str, str, Any]]:
    problem = Problem.objects.filter(plan=plan).first()
    problem_uid = problem.uid if problem else "00000000-0000-0000-0000-000000000001"
    return [
        ("put", url(plan, "swot/HT-GT/"), SWOT),
        ("delete", url(plan, "swot/HT-GT/"), None),
        ("post", url(plan, "problems/"), {"sector_code": "HT-GT", "problem": "Đường"}),
        ("patch", url(plan, f"problems/{problem_uid}/"), {"priority": None}),
        ("delete", url(plan, f"problems/{problem_uid}/"), None),
        ("post", url(plan, "ranking/batch/"), {"changes": [{"op": "add", "values": {}}]}),
        ("post", url(plan, "ranking/actions/apply-priorities/"), None),
    ]


def _send(client: APIClient, method: str, address: str, body: Any, tag: str) -> Any:
    return getattr(client, method)(address, body, format="json", HTTP_IF_MATCH=tag)


def test_read_only_token_another_commune_and_a_submitted_plan_write_nothing(
    plan: VillagePlan, planner: Any
) -> None:
    problem_create(actor=planner, plan=plan, data={"sector": f.sector(), "problem": "Đ"})
    swot_save(actor=planner, plan=plan, sector=f.sector(), **SWOT)
    before = counts()
    reader = api_for(planner, ApiTokenScope.READ)
    for method, address, body in _writes(plan):
        assert _send(reader, method, address, body, '"0"').status_code == 403, address

    stranger = api_for(commune_planner(dong_hoi(), username="xa.donghoi"))
    for method, address, body in _writes(plan):
        assert _send(stranger, method, address, body, '"0"').status_code == 404, address
    for tail in ("swot/", "swot/HT-GT/", "problems/", "ranking/"):
        assert stranger.get(url(plan, tail)).status_code == 404

    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    api = api_for(planner)
    tags = {
        address: api.get(address)["ETag"]
        for address in (
            url(plan, "swot/HT-GT/"),
            url(plan, f"problems/{Problem.objects.get().uid}/"),
        )
    }
    for method, address, body in _writes(plan):
        answer = _send(api, method, address, body, tags.get(address, '"0"'))
        assert answer.status_code == 400, (address, answer.content)
    assert counts() == before


@pytest.mark.parametrize("tail", ["swot/", "problems/"])
def test_list_queries_do_not_depend_on_the_page_size(
    api: APIClient, plan: VillagePlan, planner: Any, tail: str
) -> None:
    for n in range(1, 8):
        sector = f.sector(f"S{n}", f"Lĩnh vực {n}", n)
        swot_save(actor=planner, plan=plan, sector=sector, **SWOT)
        line = f.line(plan, number=n)
        problem_create(
            actor=planner,
            plan=plan,
            data={
                "sector": sector,
                "problem": f"Vấn đề {n}",
                "solutions": [{"text": "Giải pháp", "lines": [line]}],
            },
        )
    api.get(url(plan, tail))  # the token's first use of the day is recorded once
    queries = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as captured:
            answer = api.get(url(plan, f"{tail}?page_size={size}"))
        assert answer.status_code == 200
        queries.append(len(captured))
    assert queries[0] == queries[1]
    first = api.get(url(plan, f"{tail}?page_size=5")).json()
    rest = api.get(first["next"]).json()
    assert len(first["results"]) + len(rest["results"]) == 7


# --- the page and the API leave the same rows and history ---------------------------------------


@pytest.fixture
def twins(plan: VillagePlan, planner: Any) -> tuple[VillagePlan, VillagePlan, Client, APIClient]:
    twin = f.village_plan(VillageFactory.create(parent=hai_lang(), name=plan.village.name))
    page = Client()
    page.force_login(planner)
    return plan, twin, page, api_for(planner)


def _history(plan: VillagePlan) -> list[tuple[Any, ...]]:
    return [
        (e.operation, e.subject_label, e.subject_repr, e.before, e.after, e.actor_username)
        for e in AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id")
    ]


def _plan_vias(plan: VillagePlan) -> set[str]:
    return set(AuditEntry.objects.filter(plan_uid=plan.uid).values_list("via", flat=True))


def _rows(plan: VillagePlan) -> list[Any]:
    return [
        list(SwotEntry.objects.filter(plan=plan).values("sector__code", *SWOT, "version")),
        list(
            Problem.objects.filter(plan=plan).values(
                "sector__code",
                "problem",
                "affected_households",
                "affected_poor",
                "causes",
                "version",
            )
        ),
        list(
            Solution.objects.filter(problem__plan=plan)
            .order_by("problem_id", "position")
            .values("position", "text", "lines__number")
        ),
        list(
            RankingItem.objects.filter(plan=plan).values(
                "label", "line__number", "scores", "version"
            )
        ),
        list(ProposalLine.objects.filter(plan=plan).values("number", "priority", "version")),
    ]


def test_the_same_findings_through_the_page_and_the_api_leave_the_same_rows_and_history(
    twins: tuple[VillagePlan, VillagePlan, Client, APIClient],
) -> None:
    plan, twin, page, api = twins
    line = f.line(plan, number=1, priority=None)
    twin_line = f.line(twin, number=1, priority=None)
    first = _criteria(plan)[0]

    form = {f"swot-HT-GT-{name}": text for name, text in SWOT.items()}
    assert (
        page.post(reverse("plans:findings_swot_save", args=[plan.uid, "HT-GT"]), form).status_code
        == 302
    )
    assert (
        api.put(url(twin, "swot/HT-GT/"), SWOT, format="json", HTTP_IF_MATCH="0").status_code == 201
    )

    problem_form = {
        "sector": str(f.sector().pk),
        "problem": "Đường lầy lội",
        "affected_households": "80",
        "affected_poor": "12",
        "affected_women": "",
        "affected_em": "",
        "causes": "Đường đất",
        "priority": "",
        "solutions-TOTAL_FORMS": "1",
        "solutions-INITIAL_FORMS": "0",
        "solutions-0-text": "Bê tông hóa",
        "solutions-0-lines": [str(line.pk)],
    }
    created = page.post(reverse("plans:findings_problem_create", args=[plan.uid]), problem_form)
    assert created.status_code == 302
    body = {
        "sector_code": "HT-GT",
        "problem": "Đường lầy lội",
        "affected_households": 80,
        "affected_poor": 12,
        "causes": "Đường đất",
        "solutions": [{"text": "Bê tông hóa", "lines": [str(twin_line.uid)]}],
    }
    assert api.post(url(twin, "problems/"), body, format="json").status_code == 201

    ranking_form = {"label": "Đường thôn", "line": str(line.pk), f"score_{first}": "4"}
    assert (
        page.post(reverse("plans:ranking_create", args=[plan.uid]), ranking_form).status_code == 302
    )
    batch = {
        "changes": [
            {
                "op": "add",
                "values": {
                    "label": "Đường thôn",
                    "line_uid": str(twin_line.uid),
                    "scores": {first: 4},
                },
            }
        ]
    }
    assert api.post(url(twin, "ranking/batch/"), batch, format="json").status_code == 200
    assert page.post(reverse("plans:ranking_apply", args=[plan.uid])).status_code == 302
    tag = api.get(url(twin, "ranking/"))["ETag"]
    applied = api.post(url(twin, "ranking/actions/apply-priorities/"), HTTP_IF_MATCH=tag)
    assert applied.status_code == 200

    assert _rows(plan) == _rows(twin)
    assert _history(plan) == _history(twin)
    assert len(_history(plan)) == 4
    assert _plan_vias(plan) == {""} and _plan_vias(twin) == {"api"}


# --- versions: bumped by every write, checked by the service under its lock ---------------------


def _findings(plan: VillagePlan, planner: Any) -> tuple[SwotEntry, Problem, RankingItem]:
    entry = swot_save(actor=planner, plan=plan, sector=f.sector(), **SWOT)
    problem = problem_create(actor=planner, plan=plan, data={"sector": f.sector(), "problem": "Đ"})
    item = ranking_item_create(actor=planner, plan=plan, label="Đường")
    return entry, problem, item


def _saved(plan: VillagePlan) -> list[Any]:
    return [
        *SwotEntry.objects.filter(plan=plan).values_list("strengths", "version"),
        *Problem.objects.filter(plan=plan).values_list("problem", "version"),
        *RankingItem.objects.filter(plan=plan).values_list("label", "version"),
    ]


def test_every_write_of_the_services_bumps_the_version(plan: VillagePlan, planner: Any) -> None:
    entry, problem, item = _findings(plan, planner)
    assert (entry.version, problem.version, item.version) == (1, 1, 1)
    again = swot_save(actor=planner, plan=plan, sector=f.sector(), **{**SWOT, "threats": "Bão"})
    changed = problem_update(actor=planner, problem=problem, data={"problem": "Khác"})
    row = ranking_item_update(actor=planner, item=item, label="Chợ", line=None, scores={})
    assert (again.pk, again.version) == (entry.pk, 2)
    assert changed.version == 2 and row.version == 2
    assert _saved(plan) == [(SWOT["strengths"], 2), ("Khác", 2), ("Chợ", 2)]


def test_a_stale_expected_version_is_refused_by_the_service_and_nothing_is_written(
    plan: VillagePlan, planner: Any
) -> None:
    entry, problem, item = _findings(plan, planner)
    # someone else saves each one after it was read at version 1
    swot_save(actor=planner, plan=plan, sector=f.sector(), **{**SWOT, "strengths": "Mới"})
    problem_update(actor=planner, problem=problem, data={"problem": "Mới"})
    ranking_item_update(actor=planner, item=item, label="Mới", line=None, scores={})
    saved, before = _saved(plan), counts()
    sector = f.sector()
    stale_writes = [
        lambda: swot_save(actor=planner, plan=plan, sector=sector, **SWOT, expected_version=1),
        lambda: swot_save(actor=planner, plan=plan, sector=sector, **SWOT, expected_version=0),
        lambda: swot_delete(actor=planner, entry=entry, expected_version=1),
        lambda: problem_update(
            actor=planner, problem=problem, data={"problem": "Cũ"}, expected_version=1
        ),
        lambda: problem_delete(actor=planner, problem=problem, expected_version=1),
        lambda: ranking_item_update(
            actor=planner, item=item, label="Cũ", line=None, scores={}, expected_version=1
        ),
        lambda: ranking_item_delete(actor=planner, item=item, expected_version=1),
    ]
    for write in stale_writes:
        with pytest.raises(ApplicationError) as refused:
            write()
        assert refused.value.code == "conflict"
        assert "sau khi bạn mở" in str(refused.value.message) or "after you opened" in str(
            refused.value.message
        )
    assert _saved(plan) == saved and counts() == before
    # the version read now is accepted
    swot_delete(actor=planner, entry=entry, expected_version=2)
    problem_delete(actor=planner, problem=problem, expected_version=2)
    ranking_item_delete(actor=planner, item=item, expected_version=2)
    assert _saved(plan) == []


def test_a_ranking_batch_names_every_stale_row_at_its_position(
    plan: VillagePlan, planner: Any
) -> None:
    kept = ranking_item_create(actor=planner, plan=plan, label="Giữ")
    gone = ranking_item_create(actor=planner, plan=plan, label="Bỏ")
    for item in (kept, gone):
        ranking_item_update(actor=planner, item=item, label=item.label, line=None, scores={})
    changes = RankingChanges(
        adds=[{"label": "Mới", "line": None, "scores": {}}],
        changes=[RankingItemChange(kept, {"label": "Cũ", "line": None, "scores": {}}, version=1)],
        removals=[gone],
        removal_versions=[1],
        positions=[3, 1, 2],
    )
    before, saved = counts(), _saved(plan)
    for write in (ranking_items_check, ranking_items_apply):
        with pytest.raises(ApplicationErrors) as refused:
            write(actor=planner, plan=plan, changes=changes)
        assert [(e.code, e.where.row) for e in refused.value.errors] == [
            ("conflict", 1),
            ("conflict", 2),
        ]
    assert counts() == before and _saved(plan) == saved


def test_a_save_landing_after_the_views_check_is_caught_by_the_service(
    api: APIClient, plan: VillagePlan, planner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view compares If-Match with the version it read, then the service locks the row:
    another user's save between the two (played here just before the service runs) is refused
    by the service with the same 412, and the other user's values stay."""
    from kehoach.api.views.findings import problems as problem_views
    from kehoach.api.views.findings import swot as swot_views

    entry, problem, _item = _findings(plan, planner)

    def saved_first(service: Any, other: Any) -> Any:
        def call(**arguments: Any) -> Any:
            other()
            return service(**arguments)

        return call

    monkeypatch.setattr(
        problem_views,
        "problem_update",
        saved_first(
            problem_update,
            lambda: problem_update(actor=planner, problem=problem, data={"problem": "Người khác"}),
        ),
    )
    one = url(plan, f"problems/{problem.uid}/")
    answer = api.patch(one, {"problem": "Của tôi"}, format="json", HTTP_IF_MATCH='"1"')
    assert answer.status_code == 412 and answer.json()["code"] == "conflict"
    assert Problem.objects.get().problem == "Người khác"

    monkeypatch.setattr(
        swot_views,
        "swot_delete",
        saved_first(
            swot_delete,
            lambda: swot_save(
                actor=planner, plan=plan, sector=f.sector(), **{**SWOT, "strengths": "Khác"}
            ),
        ),
    )
    answer = api.delete(url(plan, "swot/HT-GT/"), HTTP_IF_MATCH=f'"{entry.version}"')
    assert answer.status_code == 412
    assert SwotEntry.objects.get().strengths == "Khác"


def test_a_change_made_on_the_page_makes_the_apis_etag_stale(
    api: APIClient, plan: VillagePlan, planner: Any
) -> None:
    problem = problem_create(actor=planner, plan=plan, data={"sector": f.sector(), "problem": "Đ"})
    one = url(plan, f"problems/{problem.uid}/")
    tag = api.get(one)["ETag"]
    page = Client()
    page.force_login(planner)
    form = {
        "sector": str(f.sector().pk),
        "problem": "Sửa trên trang",
        "affected_households": "",
        "affected_poor": "",
        "affected_women": "",
        "affected_em": "",
        "causes": "",
        "priority": "",
        "solutions-TOTAL_FORMS": "0",
        "solutions-INITIAL_FORMS": "0",
    }
    edited = page.post(reverse("plans:findings_problem_edit", args=[plan.uid, problem.pk]), form)
    assert edited.status_code == 302
    assert Problem.objects.get().version == 2
    stale = api.patch(one, {"problem": "Từ API"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412 and stale.json()["current"]["problem"] == "Sửa trên trang"
    assert api.get(one)["ETag"] == '"2"'
