"""Community supervision (F17) written through the API: a work's board established, corrected
and dissolved, its members added, corrected, leaving and removed, its visits recorded and
corrected, a follow-up marked done — each by the page's service, with If-Match (428/412 with
``current``), ``?dry_run=1`` answered by the services' checks (nothing written), a read-only
token refused, another commune's work not found, refusals answered with the service's code, and
the page and the API leaving the same rows and history (the API's marked ``via="api"``)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import AuditEntry
from kehoach.geo.tests.factories import CommuneFactory, quang_tri
from kehoach.monitoring.models import BoardMember, SupervisionBoard, SupervisionVisit
from kehoach.monitoring.services.supervision import (
    board_establish,
    member_add,
    member_stamp,
    member_version,
    visit_record,
)
from kehoach.monitoring.tests.factories import followed_plan

pytestmark = pytest.mark.django_db
API = "/api/v1"
DECISION = "15/QĐ-BTTMTTQ ngày 10/11/2026 của Ban Thường trực UBMTTQ xã"
BOARD = {"established_on": "2026-11-10", "decision_ref": DECISION, "notes": ""}
PEOPLE = [
    ("Lê Văn Hùng", "head", "front", None),
    ("Nguyễn Thị Hoa", "deputy", "inspectorate", None),
    ("Trần Văn Nam", "member", "resident", 0),
    ("Phạm Thị Lan", "member", "resident", 0),
    ("Hoàng Văn Đức", "member", "resident", 0),
]
VISIT = {
    "visited_on": "2026-11-25",
    "items_checked": "Vật liệu, khối lượng",
    "findings": "Đúng thiết kế",
    "recommendations": "",
    "follow_up": "Kiểm tra lại sau mưa",
}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def world() -> dict[str, Any]:
    return followed_plan()


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Chương trình", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def board_url(world: dict[str, Any], line: str = "road") -> str:
    return f"{API}/commune-plans/{world['plan'].uid}/lines/{world[line].uid}/supervision-board/"


def person(world: dict[str, Any], index: int) -> dict[str, Any]:
    name, role, organisation, village = PEOPLE[index]
    return {
        "full_name": name,
        "role": role,
        "organisation": organisation,
        "village": world["villages"][village] if village is not None else None,
        "no_conflict": True,
    }


def as_json(world: dict[str, Any], index: int) -> dict[str, Any]:
    data = person(world, index)
    village = data.pop("village")
    return {**data, "village_code": village.code if village else None}


def staffed(world: dict[str, Any], count: int = 5) -> SupervisionBoard:
    board = board_establish(
        actor=world["planner"],
        line=world["road"],
        data={**BOARD, "established_on": datetime.date(2026, 11, 10)},
    )
    for index in range(count):
        member_add(actor=world["planner"], board=board, data=person(world, index))
    return board


def visited(world: dict[str, Any]) -> SupervisionVisit:
    board = staffed(world)
    return visit_record(
        actor=world["planner"],
        board=board,
        data={**VISIT, "visited_on": datetime.date(2026, 11, 25)},
    )


def counts() -> tuple[int, int, int, int]:
    return (
        SupervisionBoard.objects.count(),
        BoardMember.objects.count(),
        SupervisionVisit.objects.count(),
        AuditEntry.objects.count(),
    )


def snapshot() -> list[tuple[Any, ...]]:
    return [
        (b.established_on, b.decision_ref, b.dissolved_on, b.notes, b.version)
        for b in SupervisionBoard.objects.order_by("id")
    ] + [
        (m.full_name, m.role, m.organisation, m.left_on) for m in BoardMember.objects.order_by("id")
    ]


# --- the board ------------------------------------------------------------------------------


def test_a_board_is_established_then_corrected_with_if_match(world: dict[str, Any]) -> None:
    api = api_for(world["planner"])
    empty = api.get(board_url(world))
    assert empty.status_code == 200 and empty["ETag"] == '"0"' and empty.json()["uid"] is None
    made = api.put(board_url(world), BOARD, format="json")
    assert made.status_code == 201, made.json()
    assert made["ETag"] == '"1"' and made.json()["decision_ref"] == DECISION
    assert AuditEntry.objects.filter(via="api").count() == 1
    change = {**BOARD, "notes": "Ban gồm 5 người"}
    assert api.put(board_url(world), change, format="json").status_code == 428
    stale = api.put(board_url(world), change, format="json", HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412 and stale.json()["current"]["version"] == 1
    done = api.put(board_url(world), change, format="json", HTTP_IF_MATCH='"1"')
    assert done.status_code == 200 and done["ETag"] == '"2"'
    assert api.get(board_url(world)).json()["notes"] == "Ban gồm 5 người"


def test_a_second_establishment_is_the_services_refusal(world: dict[str, Any]) -> None:
    staffed(world, 0)
    api = api_for(world["planner"])
    answer = api.put(board_url(world), BOARD, format="json", HTTP_IF_MATCH='"1"')
    assert answer.status_code == 200  # an existing board is corrected, never a second one
    future = api.put(
        board_url(world),
        {**BOARD, "established_on": "2099-01-01"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert future.status_code == 400 and "established_on" in str(future.json())


def test_the_board_is_dissolved_and_cannot_be_twice(world: dict[str, Any]) -> None:
    board = staffed(world)
    api = api_for(world["planner"])
    url = f"{board_url(world)}actions/dissolve/"
    body = {"dissolved_on": "2026-11-30"}
    assert api.post(url, body, format="json").status_code == 428
    done = api.post(url, body, format="json", HTTP_IF_MATCH=f'"{board.version}"')
    assert done.status_code == 200 and done.json()["dissolved_on"] == "2026-11-30"
    again = api.post(url, body, format="json", HTTP_IF_MATCH=done["ETag"])
    assert again.status_code in {400, 409} and again.json()["code"] == "board_dissolved"


def test_a_line_that_is_not_a_funded_work_is_refused_never_500(world: dict[str, Any]) -> None:
    api = api_for(world["planner"])
    answer = api.put(board_url(world, "farm"), BOARD, format="json")
    assert answer.status_code in {400, 409} and answer.json()["code"] == "not_a_work"
    assert not SupervisionBoard.objects.exists()


# --- members --------------------------------------------------------------------------------


def test_members_are_added_corrected_leave_and_are_removed(world: dict[str, Any]) -> None:
    staffed(world, 0)
    api = api_for(world["planner"])
    made = api.post(f"{board_url(world)}members/", as_json(world, 2), format="json")
    assert made.status_code == 201, made.json()
    url = f"{board_url(world)}members/{made.json()['uid']}/"
    assert made.json()["village_code"] == world["villages"][0].code
    assert api.patch(url, {"role": "deputy"}, format="json").status_code == 428
    stale = api.patch(url, {"role": "deputy"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["current"]["role"] == "member"
    changed = api.patch(url, {"role": "deputy"}, format="json", HTTP_IF_MATCH=made["ETag"])
    assert changed.status_code == 200 and changed.json()["role"] == "deputy"
    assert changed.json()["full_name"] == "Trần Văn Nam"
    left = api.post(
        f"{url}leave/", {"left_on": "2026-11-20"}, format="json", HTTP_IF_MATCH=changed["ETag"]
    )
    assert left.status_code == 200 and left.json()["left_on"] == "2026-11-20"
    gone = api.delete(url, HTTP_IF_MATCH=left["ETag"])
    assert gone.status_code == 204 and not BoardMember.objects.exists()


def test_a_member_without_the_confirmation_is_refused_by_name(world: dict[str, Any]) -> None:
    staffed(world, 0)
    api = api_for(world["planner"])
    data = {**as_json(world, 2), "no_conflict": False}
    answer = api.post(f"{board_url(world)}members/", data, format="json")
    assert answer.status_code == 400 and "no_conflict" in str(answer.json())
    assert not BoardMember.objects.exists()


def test_a_member_who_served_at_a_visit_is_not_removed(world: dict[str, Any]) -> None:
    visit = visited(world)
    member = visit.board.members.first()
    assert member is not None
    api = api_for(world["planner"])
    url = f"{board_url(world)}members/{member.uid}/"
    answer = api.delete(url, HTTP_IF_MATCH=f'"{member_version(member)}"')
    assert answer.status_code in {400, 409} and answer.json()["code"] == "member_served"


# --- visits ---------------------------------------------------------------------------------


def test_a_visit_is_recorded_corrected_and_its_follow_up_done(world: dict[str, Any]) -> None:
    staffed(world)
    api = api_for(world["planner"])
    made = api.post(f"{board_url(world)}visits/", VISIT, format="json")
    assert made.status_code == 201, made.json()
    url = f"{board_url(world)}visits/{made.json()['uid']}/"
    change = {"findings": "Mặt đường mỏng ở đoạn cuối"}
    assert api.patch(url, change, format="json").status_code == 428
    stale = api.patch(url, change, format="json", HTTP_IF_MATCH='"5"')
    assert stale.status_code == 412 and stale.json()["current"]["version"] == 1
    changed = api.patch(url, change, format="json", HTTP_IF_MATCH='"1"')
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    assert changed.json()["items_checked"] == VISIT["items_checked"]
    done = api.post(
        f"{url}follow-up-done/", {"done_on": "2026-11-30"}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert done.status_code == 200 and done.json()["follow_up_done"] is True


def test_a_visit_of_a_board_short_of_members_is_refused(world: dict[str, Any]) -> None:
    staffed(world, 4)
    answer = api_for(world["planner"]).post(f"{board_url(world)}visits/", VISIT, format="json")
    assert answer.status_code == 400 and "visited_on" in str(answer.json())
    assert not SupervisionVisit.objects.exists()


# --- dry runs, tokens, other communes -------------------------------------------------------


def test_dry_runs_answer_by_the_checks_and_write_nothing(world: dict[str, Any]) -> None:
    api = api_for(world["planner"])
    before = counts()
    assert api.put(f"{board_url(world)}?dry_run=1", BOARD, format="json").json() == {
        "dry_run": True
    }
    assert counts() == before
    visit = visited(world)
    member = visit.board.members.get(full_name="Trần Văn Nam")
    base = board_url(world)
    mtag = f'"{member_version(member)}"'
    calls = [
        ("put", base, BOARD, '"1"'),
        ("post", f"{base}actions/dissolve/", {"dissolved_on": "2026-11-30"}, '"1"'),
        (
            "post",
            f"{base}members/",
            {**as_json(world, 0), "full_name": "Võ Thị Mai", "role": "member"},
            None,
        ),
        ("patch", f"{base}members/{member.uid}/", {"role": "deputy"}, mtag),
        ("post", f"{base}members/{member.uid}/leave/", {"left_on": "2026-11-28"}, mtag),
        ("post", f"{base}visits/", {**VISIT, "visited_on": "2026-11-26"}, None),
        ("patch", f"{base}visits/{visit.uid}/", {"findings": "Khác"}, '"1"'),
        ("post", f"{base}visits/{visit.uid}/follow-up-done/", {"done_on": "2026-11-30"}, '"1"'),
    ]
    before, rows = counts(), snapshot()
    for method, url, body, tag in calls:
        extra = {"HTTP_IF_MATCH": tag} if tag else {}
        answer = getattr(api, method)(f"{url}?dry_run=1", body, format="json", **extra)
        assert answer.status_code == 200 and answer.json() == {"dry_run": True}, (url, answer)
    assert counts() == before and snapshot() == rows
    refused = api.delete(f"{base}members/{member.uid}/?dry_run=1", HTTP_IF_MATCH=mtag)
    assert refused.status_code in {400, 409} and refused.json()["code"] == "member_served"
    bad = api.post(f"{base}visits/?dry_run=1", {**VISIT, "visited_on": "2099-01-01"}, format="json")
    assert bad.status_code == 400 and counts() == before


def test_a_read_only_token_may_not_write(world: dict[str, Any]) -> None:
    visit = visited(world)
    api = api_for(world["planner"], ApiTokenScope.READ)
    before = counts()
    base = board_url(world)
    assert api.get(base).status_code == 200
    assert api.put(base, BOARD, format="json", HTTP_IF_MATCH='"1"').status_code == 403
    assert api.post(f"{base}members/", as_json(world, 0), format="json").status_code == 403
    assert api.patch(f"{base}visits/{visit.uid}/", {}, format="json").status_code == 403
    assert counts() == before


def test_another_communes_board_is_not_found(world: dict[str, Any]) -> None:
    visit = visited(world)
    other = followed_plan(CommuneFactory.create(parent=quang_tri(), name="Xã Hải Phú"))
    api = api_for(other["planner"])
    base = board_url(world)
    member = visit.board.members.first()
    assert member is not None
    assert api.get(base).status_code == 404
    assert api.put(base, BOARD, format="json", HTTP_IF_MATCH='"1"').status_code == 404
    assert api.delete(f"{base}members/{member.uid}/", HTTP_IF_MATCH='"1"').status_code == 404
    answer = api.post(
        f"{base}visits/{visit.uid}/follow-up-done/",
        {"done_on": "2026-11-30"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert answer.status_code == 404


# --- the page and the API -------------------------------------------------------------------


def _rows(world: dict[str, Any]) -> list[tuple[Any, ...]]:
    board = SupervisionBoard.objects.get(line=world["road"])
    return [
        (board.established_on, board.decision_ref, board.dissolved_on, board.notes, board.version),
        *[
            (m.full_name, m.role, m.organisation, m.village.name if m.village else None, m.left_on)
            for m in board.members.order_by("id")
        ],
        *[
            (
                v.visited_on,
                v.items_checked,
                v.findings,
                v.follow_up,
                v.follow_up_done,
                v.follow_up_on,
                v.version,
            )
            for v in board.visits.order_by("id")
        ],
    ]


def _history(world: dict[str, Any]) -> list[tuple[Any, ...]]:
    ids = {"board", "line", "village", "recorded_by"}
    return [
        (
            e.operation,
            e.subject_label,
            {k: v for k, v in (e.before or {}).items() if k not in ids},
            {k: v for k, v in (e.after or {}).items() if k not in ids},
        )
        for e in AuditEntry.objects.filter(
            plan_uid=world["plan"].uid, subject_label__startswith="monitoring."
        ).order_by("id")
    ]


def test_the_same_writes_through_the_page_and_the_api_leave_the_same_rows_and_history(
    world: dict[str, Any],
) -> None:
    twin = followed_plan(CommuneFactory.create(parent=quang_tri(), name="Xã Hải Phú"))
    for one in (world, twin):  # the villages are named alike in both communes
        assert [v.name for v in one["villages"]] == [v.name for v in twin["villages"]]
    page = Client()
    page.force_login(world["planner"])
    api = api_for(twin["planner"])
    base = f"/cdp/{world['plan'].uid}/works/{world['road'].uid}/supervision/"
    establish = {"board-established_on": "10/11/2026", "board-decision_ref": DECISION}
    assert page.post(f"{base}establish/", establish).status_code == 302
    assert api.put(board_url(twin), BOARD, format="json").status_code == 201
    for index in range(5):
        data = person(world, index)
        form = {
            "member-full_name": data["full_name"],
            "member-role": data["role"],
            "member-organisation": data["organisation"],
            "member-village": data["village"].pk if data["village"] else "",
            "member-no_conflict": "on",
        }
        assert page.post(f"{base}members/", form).status_code == 302
        sent = api.post(f"{board_url(twin)}members/", as_json(twin, index), format="json")
        assert sent.status_code == 201, sent.json()
    form = {f"visit-{k}": v for k, v in VISIT.items()} | {"visit-visited_on": "25/11/2026"}
    assert page.post(f"{base}visits/", form).status_code == 302
    made = api.post(f"{board_url(twin)}visits/", VISIT, format="json")
    assert made.status_code == 201
    visit = SupervisionVisit.objects.get(board__line=world["road"])
    done = {f"followup-{visit.pk}-follow_up_on": "30/11/2026", f"followup-{visit.pk}-version": 1}
    assert page.post(f"{base}visits/{visit.uid}/follow-up/", done).status_code == 302
    url = f"{board_url(twin)}visits/{made.json()['uid']}/follow-up-done/"
    answer = api.post(url, {"done_on": "2026-11-30"}, format="json", HTTP_IF_MATCH='"1"')
    assert answer.status_code == 200
    member = BoardMember.objects.get(board__line=world["road"], full_name="Trần Văn Nam")
    leave = {"leave-left_on": "28/11/2026", "leave-stamp": member.updated_at.isoformat()}
    assert page.post(f"{base}members/{member.pk}/leave/", leave).status_code == 302
    theirs = BoardMember.objects.get(board__line=twin["road"], full_name="Trần Văn Nam")
    answer = api.post(
        f"{board_url(twin)}members/{theirs.uid}/leave/",
        {"left_on": "2026-11-28"},
        format="json",
        HTTP_IF_MATCH=f'"{member_version(theirs)}"',
    )
    assert answer.status_code == 200, answer.json()

    assert _rows(world) == _rows(twin)
    assert _history(world) == _history(twin) and len(_history(world)) == 9
    mine = AuditEntry.objects.filter(
        plan_uid=world["plan"].uid, subject_label__startswith="monitoring."
    )
    theirs_rows = AuditEntry.objects.filter(
        plan_uid=twin["plan"].uid, subject_label__startswith="monitoring."
    )
    assert {e.via for e in theirs_rows} == {"api"} and "api" not in {e.via for e in mine}


# --- the page and the API: the corrections ---------------------------------------------------


def twins(*, visit: bool = False) -> tuple[dict[str, Any], dict[str, Any], Client, APIClient]:
    """Two communes alike, each with a staffed board (and a visit): the first written through
    the page, the second through the API."""
    world = followed_plan()
    twin = followed_plan(CommuneFactory.create(parent=quang_tri(), name="Xã Hải Phú"))
    for one in (world, twin):
        (visited if visit else staffed)(one)
    page = Client()
    page.force_login(world["planner"])
    return world, twin, page, api_for(twin["planner"])


def page_base(world: dict[str, Any]) -> str:
    return f"/cdp/{world['plan'].uid}/works/{world['road'].uid}/supervision/"


def assert_same(world: dict[str, Any], twin: dict[str, Any], writes: int = 1) -> None:
    assert _rows(world) == _rows(twin)
    assert _history(world) == _history(twin)
    mine, theirs = (
        list(
            AuditEntry.objects.filter(
                plan_uid=one["plan"].uid, subject_label__startswith="monitoring."
            ).order_by("-id")[:writes]
        )
        for one in (world, twin)
    )
    assert {e.via for e in theirs} == {"api"} and "api" not in {e.via for e in mine}


def test_a_board_corrected_by_the_page_and_the_api_is_the_same() -> None:
    world, twin, page, api = twins()
    board = SupervisionBoard.objects.get(line=world["road"])
    form = {
        "board-established_on": "12/11/2026",
        "board-decision_ref": DECISION,
        "board-notes": "Ban gồm 5 người",
        "board-version": board.version,
    }
    assert page.post(f"{page_base(world)}board/", form).status_code == 302
    theirs = SupervisionBoard.objects.get(line=twin["road"])
    body = {**BOARD, "established_on": "2026-11-12", "notes": "Ban gồm 5 người"}
    answer = api.put(board_url(twin), body, format="json", HTTP_IF_MATCH=f'"{theirs.version}"')
    assert answer.status_code == 200, answer.json()
    assert_same(world, twin)


def test_a_board_dissolved_by_the_page_and_the_api_is_the_same() -> None:
    world, twin, page, api = twins(visit=True)
    board = SupervisionBoard.objects.get(line=world["road"])
    form = {"dissolve-dissolved_on": "30/11/2026", "dissolve-version": board.version}
    assert page.post(f"{page_base(world)}dissolve/", form).status_code == 302
    theirs = SupervisionBoard.objects.get(line=twin["road"])
    answer = api.post(
        f"{board_url(twin)}actions/dissolve/",
        {"dissolved_on": "2026-11-30"},
        format="json",
        HTTP_IF_MATCH=f'"{theirs.version}"',
    )
    assert answer.status_code == 200, answer.json()
    assert SupervisionBoard.objects.get(line=world["road"]).dissolved_on is not None
    assert_same(world, twin)


def test_a_member_corrected_by_the_page_and_the_api_is_the_same() -> None:
    world, twin, page, api = twins()
    member = BoardMember.objects.get(board__line=world["road"], full_name="Trần Văn Nam")
    form = {
        "member-full_name": "Trần Văn Năm",
        "member-role": member.role,
        "member-organisation": member.organisation,
        "member-village": member.village_id or "",
        "member-stamp": member_stamp(member),
    }
    assert page.post(f"{page_base(world)}members/{member.pk}/", form).status_code == 302
    theirs = BoardMember.objects.get(board__line=twin["road"], full_name="Trần Văn Nam")
    answer = api.patch(
        f"{board_url(twin)}members/{theirs.uid}/",
        {"full_name": "Trần Văn Năm"},
        format="json",
        HTTP_IF_MATCH=f'"{member_version(theirs)}"',
    )
    assert answer.status_code == 200, answer.json()
    assert BoardMember.objects.filter(full_name="Trần Văn Năm").count() == 2
    assert_same(world, twin)


def test_a_member_removed_by_the_page_and_the_api_is_the_same() -> None:
    world, twin, page, api = twins()
    member = BoardMember.objects.get(board__line=world["road"], full_name="Hoàng Văn Đức")
    assert page.post(f"{page_base(world)}members/{member.pk}/remove/").status_code == 302
    theirs = BoardMember.objects.get(board__line=twin["road"], full_name="Hoàng Văn Đức")
    answer = api.delete(
        f"{board_url(twin)}members/{theirs.uid}/", HTTP_IF_MATCH=f'"{member_version(theirs)}"'
    )
    assert answer.status_code == 204
    assert not BoardMember.objects.filter(full_name="Hoàng Văn Đức").exists()
    assert_same(world, twin)


def test_a_visit_corrected_by_the_page_and_the_api_is_the_same() -> None:
    world, twin, page, api = twins(visit=True)
    visit = SupervisionVisit.objects.get(board__line=world["road"])
    change = "Mặt đường mỏng ở đoạn cuối"
    form = {f"visit-{k}": v for k, v in VISIT.items()} | {
        "visit-visited_on": "25/11/2026",
        "visit-findings": change,
        "visit-version": visit.version,
    }
    assert page.post(f"{page_base(world)}visits/{visit.uid}/", form).status_code == 302
    theirs = SupervisionVisit.objects.get(board__line=twin["road"])
    answer = api.patch(
        f"{board_url(twin)}visits/{theirs.uid}/",
        {"findings": change},
        format="json",
        HTTP_IF_MATCH=f'"{theirs.version}"',
    )
    assert answer.status_code == 200, answer.json()
    assert SupervisionVisit.objects.filter(findings=change).count() == 2
    assert_same(world, twin)
