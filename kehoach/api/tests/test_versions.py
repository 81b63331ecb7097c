"""Versions, differences and the feedback to the villages through the API (issue 17): the same
answers as the approval tab, the comparison page and the feedback page (F13), from the same
reads; another unit's plan is 404; lists cost the same queries for any page size."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.approvals.models import Version
from kehoach.geo.tests.factories import CommuneFactory, ProvinceFactory, VillageFactory
from kehoach.monitoring.tests.factories import RESOLUTION, followed_plan
from kehoach.plans.models import VillagePlan
from kehoach.plans.tests import factories as pf
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_line_update
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf
from kehoach.synthesis.versions import versions_diff

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1"
AMENDMENT = "Tập huấn hoãn sang năm sau, đường đổi tuyến"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def world() -> dict[str, Any]:
    """Hải Lăng's plan of 2027 published (version 1), then amended: the road moves, the training
    is deferred; version 2 approved and published. A planner of another province."""
    w = followed_plan()
    plan, planner = w["plan"], w["planner"]
    commune_plan_transition(actor=planner, plan=plan, action="amend", comment=AMENDMENT)
    commune_line_update(actor=planner, line=w["road"], data={"location": "Liên thôn"})
    w["farm"].refresh_from_db()
    line_decide(
        actor=planner, line=w["farm"], decision=Decision.DEFERRED, reason="Hoãn sang năm 2028"
    )
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(
        actor=w["approver"], plan=plan, data={**RESOLUTION, "resolution_number": "31/NQ-HĐND"}
    )
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    plan.refresh_from_db()
    elsewhere = ProvinceFactory.create(code="46", name="Huế")
    w["stranger"] = sf.province_officer(elsewhere, username="tinh.hue")
    w["editor"] = user_with_role(Role.VILLAGE_EDITOR, w["villages"][0], username="thon.diensanh")
    return w


def client_of(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def get(user: Any, url: str, **headers: Any) -> Any:
    return client_of(user).get(url, **headers)


def ok(user: Any, url: str) -> Any:
    response = get(user, url)
    assert response.status_code == 200, response.content
    return response.json()


def assert_404(response: Any) -> None:
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/problem+json")


def base(w: dict[str, Any]) -> str:
    return f"{API}/commune-plans/{w['plan'].uid}"


# --- versions --------------------------------------------------------------------------------


def test_the_versions_are_those_the_approval_tab_lists(world: dict[str, Any]) -> None:
    page = client_of(world["planner"]).get(reverse("synthesis:approval", args=[world["plan"].uid]))
    listed = page.context["versions"]  # newest first on the page
    rows = ok(world["planner"], f"{base(world)}/versions/")["results"]
    assert [r["number"] for r in rows] == [v.number for v in reversed(listed)] == [1, 2]
    assert [
        (r["is_amendment"], r["resolution_number"], r["resolution_date"], r["signer"]) for r in rows
    ] == [
        (False, "25/NQ-HĐND", "2026-12-01", RESOLUTION["signer"]),
        (True, "31/NQ-HĐND", "2026-12-01", RESOLUTION["signer"]),
    ]
    assert all(r["published_at"] and r["approved_by"] and not r["has_scan"] for r in rows)


def test_a_version_answers_its_snapshot_and_the_reason_of_its_amendment(
    world: dict[str, Any],
) -> None:
    second = Version.objects.get(plan_uid=world["plan"].uid, number=2)
    body = ok(world["planner"], f"{base(world)}/versions/2/")
    assert body["snapshot"] == second.data
    assert (body["number"], body["is_amendment"], body["amendment_reason"]) == (2, True, AMENDMENT)
    first = ok(world["planner"], f"{base(world)}/versions/1/")
    assert (first["is_amendment"], first["amendment_reason"]) == (False, "")


@pytest.mark.parametrize("number", ["3", "0", "x", "1234567890"])
def test_a_number_that_is_no_version_of_the_plan_is_404(world: dict[str, Any], number: str) -> None:
    assert_404(get(world["planner"], f"{base(world)}/versions/{number}/"))
    assert_404(get(world["planner"], f"{base(world)}/versions/{number}/diff/"))


def test_the_difference_is_the_one_the_comparison_page_shows(world: dict[str, Any]) -> None:
    url = reverse("synthesis:diff", args=[world["plan"].uid])
    page = client_of(world["planner"]).get(url, {"old": "1", "new": "2"}).context["diff"]
    body = ok(world["planner"], f"{base(world)}/versions/2/diff/?from=1")
    assert (body["from_version"], body["to_version"]) == (1, 2)
    assert [c["uid"] for c in body["changed"]] == [c.line["uid"] for c in page.changed]
    assert [
        [(f["field"], f["before"], f["after"]) for f in c["fields"]] for c in body["changed"]
    ] == [[(name, str(a), str(b)) for name, a, b in c.fields] for c in page.changed]
    changes = {c["activity"]: c["fields"] for c in body["changed"]}
    assert {"field": "location", "before": "Xóm Trên", "after": "Liên thôn"} in changes[
        world["road"].activity
    ]
    assert (body["added"], body["removed"]) == ([], [])
    assert {k: (D(v["before"]), D(v["after"])) for k, v in body["totals"].items()} == page.totals
    # without ``from``: the version before
    assert ok(world["planner"], f"{base(world)}/versions/2/diff/") == body


def test_version_1_without_from_is_compared_with_an_empty_plan(world: dict[str, Any]) -> None:
    first = Version.objects.get(plan_uid=world["plan"].uid, number=1)
    body = ok(world["planner"], f"{base(world)}/versions/1/diff/")
    expected = versions_diff({"lines": []}, first.data)
    assert body["from_version"] is None
    assert [x["uid"] for x in body["added"]] == [c.line["uid"] for c in expected.added]
    assert len(body["added"]) == 3 and not body["changed"] and not body["removed"]


@pytest.mark.parametrize("value", ["7", "abc", "-1"])
def test_a_from_that_is_no_version_of_the_plan_is_refused(
    world: dict[str, Any], value: str
) -> None:
    response = get(world["planner"], f"{base(world)}/versions/2/diff/?from={value}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["where"]) == ("version_unknown", {"field": "from"})
    assert "phiên bản" in body["detail"]


def test_another_provinces_plan_is_404_like_a_missing_one(world: dict[str, Any]) -> None:
    for path in ("versions/", "versions/1/", "versions/2/diff/", "feedback/", "feedback/x/"):
        response = get(world["stranger"], f"{base(world)}/{path}")
        assert_404(response)
        missing = get(
            world["stranger"], f"{API}/commune-plans/{'0' * 8}-0000-0000-0000-{'0' * 11}1/{path}"
        )
        assert response.content == missing.content


def test_the_answers_are_the_same_in_english_but_the_messages(world: dict[str, Any]) -> None:
    for path in ("versions/", "versions/2/", "versions/2/diff/", "feedback/"):
        vi = get(world["planner"], f"{base(world)}/{path}", HTTP_ACCEPT_LANGUAGE="vi").json()
        en = get(world["planner"], f"{base(world)}/{path}", HTTP_ACCEPT_LANGUAGE="en").json()
        assert vi == en, path
    vi = get(world["planner"], f"{base(world)}/versions/2/diff/?from=9", HTTP_ACCEPT_LANGUAGE="vi")
    en = get(world["planner"], f"{base(world)}/versions/2/diff/?from=9", HTTP_ACCEPT_LANGUAGE="en")
    assert vi.json()["code"] == en.json()["code"] and vi.json()["detail"] != en.json()["detail"]


# --- feedback to the villages (F13) ----------------------------------------------------------


def _page_fates(user: Any, village_plan: VillagePlan) -> list[Any]:
    page = client_of(user).get(reverse("synthesis:feedback", args=[village_plan.uid]))
    assert page.status_code == 200
    return list(page.context["fates"])


def _as_api(fate: Any) -> dict[str, Any]:
    return {
        "number": fate.number,
        "activity": fate.activity,
        "decision": fate.decision,
        "decision_reason": fate.line["decision_reason"],
        "commune_line_number": fate.line["number"],
        "funding": [(f["source"], D(f["amount"])) for f in fate.funding],
        "contribution": fate.proposed_contribution,
        "dropped": fate.dropped,
    }


def _from_api(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": row["number"],
        "activity": row["activity"],
        "decision": row["decision"],
        "decision_reason": row["decision_reason"],
        "commune_line_number": row["commune_line_number"],
        "funding": [(f["source_code"], D(f["amount_mvnd"])) for f in row["funding"]],
        "contribution": (
            None
            if row["proposed_contribution_mvnd"] is None
            else D(row["proposed_contribution_mvnd"])
        ),
        "dropped": row["dropped"],
    }


def test_each_village_is_told_what_its_feedback_page_tells_it(world: dict[str, Any]) -> None:
    rows = ok(world["planner"], f"{base(world)}/feedback/")["results"]
    plans = {p.village.code: p for p in VillagePlan.objects.filter(round=world["plan"].round)}
    assert sorted(r["village_code"] for r in rows) == sorted(plans)
    for row in rows:
        assert row["version"]["number"] == 2
        fates = _page_fates(world["planner"], plans[row["village_code"]])
        assert [_from_api(p) for p in row["proposals"]] == [_as_api(f) for f in fates]
        one = ok(world["planner"], f"{base(world)}/feedback/{row['village_code']}/")
        assert one == row
    diensanh = next(r for r in rows if r["village_code"] == world["villages"][0].code)
    assert [(p["activity"], p["decision"]) for p in diensanh["proposals"]] == [
        ("Bê tông hóa đường xóm Trên", "funded"),
        ("Sửa phòng học mẫu giáo", "funded"),
    ]
    mychanh = next(r for r in rows if r["village_code"] == world["villages"][1].code)
    assert [(p["decision"], p["decision_reason"]) for p in mychanh["proposals"]] == [
        ("deferred", "Hoãn sang năm 2028")
    ]


def test_a_village_that_has_no_plan_in_the_round_is_404(world: dict[str, Any]) -> None:
    other = VillageFactory.create(parent=world["commune"], name="Thôn Không Có")
    assert_404(get(world["planner"], f"{base(world)}/feedback/{other.code}/"))
    assert_404(get(world["planner"], f"{base(world)}/feedback/khong-co/"))


def test_a_village_user_reads_its_own_feedback_on_its_plan_only(world: dict[str, Any]) -> None:
    own, theirs = (VillagePlan.objects.get(village=v) for v in world["villages"])
    body = ok(world["editor"], f"{API}/village-plans/{own.uid}/feedback/")
    assert body == ok(world["planner"], f"{base(world)}/feedback/{own.village.code}/")
    assert [_from_api(p) for p in body["proposals"]] == [
        _as_api(f) for f in _page_fates(world["editor"], own)
    ]
    # the commune plan, and another village's plan, are not theirs
    assert_404(get(world["editor"], f"{base(world)}/feedback/{own.village.code}/"))
    assert_404(get(world["editor"], f"{API}/village-plans/{theirs.uid}/feedback/"))
    assert_404(get(world["stranger"], f"{API}/village-plans/{own.uid}/feedback/"))


def test_before_anything_is_published_a_village_is_told_nothing_yet() -> None:
    commune = CommuneFactory.create(name="Xã Mới")
    village = VillageFactory.create(parent=commune, name="Thôn Một")
    plan = sf.submitted_plan(village, [sf.money_line("100", "20", activity="Giếng")])
    from kehoach.synthesis.services.lines import commune_plan_synthesise

    planner = sf.planner(commune, username="xa.moi")
    commune_plan_synthesise(actor=planner, round_=plan.round)
    cplan = sf.commune_plan_for(plan.round)
    body = ok(planner, f"{API}/commune-plans/{cplan.uid}/feedback/{village.code}/")
    assert (body["version"], body["proposals"]) == (None, [])
    assert ok(planner, f"{API}/commune-plans/{cplan.uid}/versions/")["results"] == []


def _queries(user: Any, url: str) -> tuple[int, int]:
    client = client_of(user)
    client.get(url)  # the session and the caches are warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def test_the_lists_cost_the_same_queries_for_any_page_size(world: dict[str, Any]) -> None:
    for n in range(5):
        pf.village_plan(VillageFactory.create(parent=world["commune"], name=f"Thôn Thêm {n}"))
    user = world["planner"]
    small, n_small = _queries(user, f"{base(world)}/feedback/?page_size=5")
    large, n_large = _queries(user, f"{base(world)}/feedback/?page_size=50")
    assert (n_small, n_large) == (5, 7)
    assert small == large
    small, n_small = _queries(user, f"{base(world)}/versions/?page_size=1")
    large, n_large = _queries(user, f"{base(world)}/versions/?page_size=50")
    assert (n_small, n_large) == (1, 2)
    assert small == large
