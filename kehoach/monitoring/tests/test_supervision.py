"""Community supervision (F17): the board of a work, its members and visits — each rule with
the message the user gets and nothing saved; who may record and who only reads; the audit;
stale forms; the pages and their query counts."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import dong_hoi
from kehoach.synthesis.tests import factories as sf

from ..models import BoardMember, SupervisionBoard, SupervisionVisit
from ..services.supervision import (
    MIN_MEMBERS,
    board_dissolve,
    board_establish,
    board_update,
    follow_up_mark_done,
    member_add,
    member_leave,
    member_remove,
    member_stamp,
    member_update,
    min_members,
    visit_record,
    visit_update,
)
from .factories import followed_plan

pytestmark = pytest.mark.django_db
day = datetime.date
ESTABLISHED = day(2026, 11, 10)
VISITED = day(2026, 11, 25)
DECISION = "15/QĐ-BTTMTTQ ngày 10/11/2026 của Ban Thường trực UBMTTQ xã"
PEOPLE = [
    ("Lê Văn Hùng", "head", "front", None),
    ("Nguyễn Thị Hoa", "deputy", "inspectorate", None),
    ("Trần Văn Nam", "member", "resident", 0),
    ("Phạm Thị Lan", "member", "resident", 0),
    ("Hoàng Văn Đức", "member", "resident", 0),
    ("Võ Thị Mai", "member", "mass_organisation", None),
]


@pytest.fixture
def world() -> dict[str, Any]:
    return followed_plan()


def vi(call: Callable[[], Any]) -> Any:
    with translation.override("vi"):
        return call()


def msg(msgid: str, **params: Any) -> str:
    with translation.override("vi"):
        return gettext(msgid) % params if params else gettext(msgid)


def refused(call: Callable[[], Any]) -> ApplicationError:
    with translation.override("vi"), pytest.raises(ApplicationError) as caught:
        call()
    return caught.value


def problems(error: ApplicationError) -> dict[str, str]:
    """field → the problem alone (``detail``) of each refusal."""
    items = error.errors if isinstance(error, ApplicationErrors) else [error]
    return {e.where.field or "": e.detail or e.message for e in items}


def establish(world: dict[str, Any], line: str = "road", **overrides: Any) -> SupervisionBoard:
    data = {"established_on": ESTABLISHED, "decision_ref": DECISION, "notes": ""}
    data.update(overrides)
    return board_establish(actor=world["planner"], line=world[line], data=data)


def person(world: dict[str, Any], index: int, **overrides: Any) -> dict[str, Any]:
    name, role, organisation, village = PEOPLE[index]
    data = {
        "full_name": name,
        "role": role,
        "organisation": organisation,
        "village": world["villages"][village] if village is not None else None,
        "no_conflict": True,
    }
    data.update(overrides)
    return data


def staffed(world: dict[str, Any], count: int = 5, line: str = "road") -> SupervisionBoard:
    board = establish(world, line)
    for index in range(count):
        member_add(actor=world["planner"], board=board, data=person(world, index))
    return board


def visit_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "visited_on": VISITED,
        "items_checked": "Vật liệu (xi măng PCB40, đá 1x2); khối lượng bê tông mặt đường; "
        "đúng thiết kế",
        "findings": "Đoạn K0+200 – K0+350 mặt đường dày 16 cm, thiếu 2 cm so với thiết kế.",
        "recommendations": "Đề nghị nhà thầu đổ bù lớp bê tông đoạn thiếu.",
        "follow_up": "Nhà thầu đổ bù trước ngày 30/11/2026; Ban kiểm tra lại.",
    }
    data.update(overrides)
    return data


def visited(world: dict[str, Any], **overrides: Any) -> SupervisionVisit:
    board = staffed(world)
    return visit_record(actor=world["planner"], board=board, data=visit_data(**overrides))


def audit(label: str) -> list[str]:
    return list(
        AuditEntry.objects.filter(subject_label=f"monitoring.{label}")
        .order_by("id")
        .values_list("operation", flat=True)
    )


# --- the board -------------------------------------------------------------------------------


def test_a_board_is_established_and_audited(world: dict[str, Any]) -> None:
    board = establish(world)
    assert board.line == world["road"] and board.version == 1
    entry = AuditEntry.objects.get(subject_label="monitoring.supervisionboard")
    assert entry.plan_uid == world["plan"].uid and entry.operation == "create"
    assert entry.after["decision_ref"] == DECISION


def test_a_work_has_one_board(world: dict[str, Any]) -> None:
    establish(world)
    error = refused(lambda: establish(world, established_on=day(2026, 11, 12)))
    assert error.code == "board_exists"
    assert error.message == msg(
        "Work %(number)s already has a supervision board (established on %(date)s); a work "
        "has one board. Change that board instead.",
        number=world["road"].number,
        date="10/11/2026",
    )
    assert SupervisionBoard.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "problem", "params"),
    [
        (
            {"established_on": None},
            "established_on",
            "enter the date the board was established.",
            {},
        ),
        (
            {"established_on": day(2099, 1, 1)},
            "established_on",
            "%(date)s is in the future; record what has happened.",
            {"date": "01/01/2099"},
        ),
        (
            {"established_on": "10/11/2026"},
            "established_on",
            "write the date as dd/mm/yyyy.",
            {},
        ),
        (
            {"decision_ref": "  "},
            "decision_ref",
            "enter the number and date of the commune Fatherland Front's decision "
            "establishing the board.",
            {},
        ),
    ],
)
def test_a_board_needs_its_date_and_decision(
    world: dict[str, Any], overrides: dict[str, Any], field: str, problem: str, params: Any
) -> None:
    error = refused(lambda: establish(world, **overrides))
    assert problems(error) == {field: msg(problem, **params)}
    assert not SupervisionBoard.objects.exists()


def test_the_whole_message_names_the_field(world: dict[str, Any]) -> None:
    error = refused(lambda: establish(world, established_on=None))
    label = vi(lambda: str(SupervisionBoard._meta.get_field("established_on").verbose_name))
    assert error.message == msg(
        "%(field)s: %(problem)s",
        field=label.capitalize(),
        problem=msg("enter the date the board was established."),
    )


def test_only_funded_works_have_a_board(world: dict[str, Any]) -> None:
    error = refused(lambda: establish(world, line="farm"))
    assert error.code == "not_a_work"


def test_another_commune_and_a_donor_cannot_record(world: dict[str, Any]) -> None:
    outsider = commune_planner(dong_hoi())
    donor = user_with_role(Role.DONOR_VIEWER, world["commune"])
    data = {"established_on": ESTABLISHED, "decision_ref": DECISION}
    for actor in (outsider, donor):
        with pytest.raises(NotFoundError):
            board_establish(actor=actor, line=world["road"], data=data)
    board = staffed(world)
    for actor in (outsider, donor):
        with pytest.raises(NotFoundError):
            member_add(actor=actor, board=board, data=person(world, 5))
        with pytest.raises(NotFoundError):
            visit_record(actor=actor, board=board, data=visit_data())
    assert SupervisionBoard.objects.count() == 1 and not SupervisionVisit.objects.exists()


def test_a_plan_not_yet_published_has_no_supervision_records() -> None:
    world = followed_plan(publish=False)
    error = refused(lambda: establish(world))
    assert error.code == "not_published"


def test_the_board_is_corrected_and_a_stale_form_is_refused(world: dict[str, Any]) -> None:
    board = establish(world)
    data = {"established_on": day(2026, 11, 9), "decision_ref": DECISION, "notes": "Bổ sung"}
    saved = board_update(actor=world["planner"], board=board, data=data, expected_version=1)
    assert saved.version == 2 and saved.established_on == day(2026, 11, 9)
    error = refused(
        lambda: board_update(
            actor=world["planner"], board=board, data={**data, "notes": "x"}, expected_version=1
        )
    )
    assert error.code == "conflict"
    assert error.message == msg(
        "Someone else saved %(what)s after you opened it. Your changes were not saved; reload "
        "the page to see the saved values, then make your changes again.",
        what=msg("the supervision board"),
    )
    board.refresh_from_db()
    assert board.notes == "Bổ sung"
    assert audit("supervisionboard") == ["create", "update"]


def test_the_board_cannot_be_established_after_its_first_visit(world: dict[str, Any]) -> None:
    visit = visited(world)
    data = {"established_on": day(2026, 11, 26), "decision_ref": DECISION}
    error = refused(lambda: board_update(actor=world["planner"], board=visit.board, data=data))
    assert problems(error) == {
        "established_on": msg(
            "the board cannot be established after its first visit (%(date)s).",
            date="25/11/2026",
        )
    }


def test_the_board_is_dissolved_not_before_its_last_visit(world: dict[str, Any]) -> None:
    board = visited(world).board
    error = refused(
        lambda: board_dissolve(actor=world["planner"], board=board, dissolved_on=day(2026, 11, 24))
    )
    assert problems(error) == {
        "dissolved_on": msg(
            "the board's last visit was on %(date)s; it cannot be dissolved before that.",
            date="25/11/2026",
        )
    }
    error = refused(
        lambda: board_dissolve(actor=world["planner"], board=board, dissolved_on=day(2026, 11, 1))
    )
    assert "dissolved_on" in problems(error)
    error = refused(lambda: board_dissolve(actor=world["planner"], board=board, dissolved_on=None))
    assert problems(error) == {"dissolved_on": msg("enter the date the board was dissolved.")}
    board.refresh_from_db()
    assert board.dissolved_on is None

    done = board_dissolve(
        actor=world["planner"], board=board, dissolved_on=day(2026, 11, 30), expected_version=1
    )
    assert done.dissolved_on == day(2026, 11, 30) and done.version == 2
    again = refused(
        lambda: board_dissolve(actor=world["planner"], board=board, dissolved_on=day(2026, 12, 1))
    )
    assert again.message == msg("The board was already dissolved on %(date)s.", date="30/11/2026")
    assert audit("supervisionboard") == ["create", "update"]


def test_a_dissolved_board_takes_no_new_member_nor_a_later_visit(world: dict[str, Any]) -> None:
    board = staffed(world)
    board_dissolve(actor=world["planner"], board=board, dissolved_on=day(2026, 11, 28))
    error = refused(lambda: member_add(actor=world["planner"], board=board, data=person(world, 5)))
    assert error.message == msg(
        "The board was dissolved on %(date)s; members can no longer be added.", date="28/11/2026"
    )
    error = refused(
        lambda: visit_record(
            actor=world["planner"], board=board, data=visit_data(visited_on=day(2026, 11, 29))
        )
    )
    assert problems(error) == {
        "visited_on": msg(
            "the visit (%(date)s) is after the board was dissolved (%(dissolved)s).",
            date="29/11/2026",
            dissolved="28/11/2026",
        )
    }
    # A visit made before the dissolution can still be entered late.
    late = visit_record(actor=world["planner"], board=board, data=visit_data())
    assert late.visited_on == VISITED


# --- members ---------------------------------------------------------------------------------


def test_members_are_added_in_nfc_and_audited(world: dict[str, Any]) -> None:
    board = establish(world)
    decomposed = unicodedata.normalize("NFD", "  Trần   Văn Nam ")
    member = member_add(
        actor=world["planner"], board=board, data=person(world, 2, full_name=decomposed)
    )
    assert member.full_name == "Trần Văn Nam"
    assert member.village == world["villages"][0] and member.left_on is None
    assert audit("boardmember") == ["create"]


@pytest.mark.parametrize(
    ("overrides", "field", "problem"),
    [
        ({"full_name": ""}, "full_name", "enter the member's full name."),
        ({"role": "secretary"}, "role", "choose a role from the list."),
        (
            {"organisation": "party"},
            "organisation",
            "choose whom the member represents from the list.",
        ),
        (
            {"village": None},
            "village",
            "a member who represents the residents names the village where they live.",
        ),
    ],
)
def test_each_member_rule_names_its_field(
    world: dict[str, Any], overrides: dict[str, Any], field: str, problem: str
) -> None:
    board = establish(world)
    error = refused(
        lambda: member_add(actor=world["planner"], board=board, data=person(world, 2, **overrides))
    )
    assert problems(error) == {field: msg(problem)}
    assert not BoardMember.objects.exists()


def test_a_member_lives_in_the_commune_of_the_work(world: dict[str, Any]) -> None:
    board = establish(world)
    elsewhere = sf.villages(dong_hoi(), ["Tổ dân phố 3"])[0]
    error = refused(
        lambda: member_add(
            actor=world["planner"], board=board, data=person(world, 2, village=elsewhere)
        )
    )
    assert problems(error) == {
        "village": msg(
            "%(village)s is not a village of %(commune)s; the board's members live in the "
            "commune of the work.",
            village="Tổ dân phố 3",
            commune=world["commune"].name,
        )
    }
    # A Front member needs no village, but one named must be of the commune too.
    error = refused(
        lambda: member_add(
            actor=world["planner"], board=board, data=person(world, 0, village=elsewhere)
        )
    )
    assert set(problems(error)) == {"village"}
    assert not BoardMember.objects.exists()


def test_the_residence_and_no_conflict_of_interest_are_confirmed(world: dict[str, Any]) -> None:
    board = establish(world)
    error = refused(
        lambda: member_add(
            actor=world["planner"], board=board, data=person(world, 2, no_conflict=False)
        )
    )
    assert problems(error) == {
        "no_conflict": msg(
            "Confirm that the member lives in the commune and has no conflict of interest with "
            "the work (not its investor, contractor or supervising consultant, nor a close "
            "relative of theirs)."
        )
    }


def test_one_head_and_no_one_twice(world: dict[str, Any]) -> None:
    board = staffed(world, 3)
    error = refused(
        lambda: member_add(actor=world["planner"], board=board, data=person(world, 5, role="head"))
    )
    assert problems(error) == {
        "role": msg(
            "%(name)s is already the head of the board; a board has one head. Make this member "
            "a deputy or a member, or change %(name)s first.",
            name="Lê Văn Hùng",
        )
    }
    error = refused(
        lambda: member_add(
            actor=world["planner"], board=board, data=person(world, 2, full_name="trần văn nam")
        )
    )
    assert problems(error) == {
        "full_name": msg("%(name)s is already a member of the board.", name="trần văn nam")
    }
    assert board.members.count() == 3


def test_a_member_is_corrected_and_a_stale_form_is_refused(world: dict[str, Any]) -> None:
    board = staffed(world, 3)
    member = board.members.get(full_name="Trần Văn Nam")
    stamp = member_stamp(member)
    saved = member_update(
        actor=world["planner"],
        member=member,
        data=person(world, 2, village=world["villages"][1], role="deputy"),
        expected_stamp=stamp,
    )
    assert saved.village == world["villages"][1] and saved.role == "deputy"
    error = refused(
        lambda: member_update(
            actor=world["planner"], member=member, data=person(world, 2), expected_stamp=stamp
        )
    )
    assert error.code == "conflict"
    assert error.message == msg(
        "Someone else saved %(what)s after you opened it. Your changes were not saved; reload "
        "the page to see the saved values, then make your changes again.",
        what=msg("the row of %(name)s", name="Trần Văn Nam"),
    )
    member.refresh_from_db()
    assert member.village == world["villages"][1]
    # The head may keep being the head when edited.
    head = board.members.get(role="head")
    member_update(
        actor=world["planner"], member=head, data=person(world, 0, full_name="Lê Văn Hùng")
    )
    assert audit("boardmember") == ["create"] * 3 + ["update"]


def test_a_member_who_leaves_keeps_the_row_with_the_date(world: dict[str, Any]) -> None:
    board = staffed(world, 6)
    member = board.members.get(full_name="Võ Thị Mai")
    left = member_leave(actor=world["planner"], member=member, left_on=day(2026, 11, 20))
    assert left.left_on == day(2026, 11, 20) and board.members.count() == 6
    error = refused(
        lambda: member_leave(actor=world["planner"], member=member, left_on=day(2026, 11, 21))
    )
    assert error.message == msg(
        "%(name)s already left the board on %(date)s.", name="Võ Thị Mai", date="20/11/2026"
    )
    other = board.members.get(full_name="Hoàng Văn Đức")
    error = refused(
        lambda: member_leave(actor=world["planner"], member=other, left_on=day(2026, 11, 1))
    )
    assert problems(error) == {
        "left_on": msg(
            "the board was established on %(date)s; a member cannot leave before.",
            date="10/11/2026",
        )
    }
    assert audit("boardmember")[-1] == "update"


def test_a_mistaken_member_is_removed_only_before_the_first_visit(world: dict[str, Any]) -> None:
    board = staffed(world, 6)
    mistake = board.members.get(full_name="Võ Thị Mai")
    member_remove(actor=world["planner"], member=mistake)
    assert board.members.count() == 5
    assert audit("boardmember")[-1] == "delete"
    visit_record(actor=world["planner"], board=board, data=visit_data())
    member = board.members.get(full_name="Hoàng Văn Đức")
    error = refused(lambda: member_remove(actor=world["planner"], member=member))
    assert error.code == "member_served"
    assert error.message == msg(
        "%(name)s cannot be removed: the board has recorded visits, so its members are kept. "
        "Record the date they left the board instead.",
        name="Hoàng Văn Đức",
    )
    assert board.members.count() == 5


# --- visits ----------------------------------------------------------------------------------


def test_a_visit_is_recorded_and_audited(world: dict[str, Any]) -> None:
    visit = visited(world)
    assert visit.recorded_by == world["planner"] and not visit.follow_up_done
    entry = AuditEntry.objects.get(subject_label="monitoring.supervisionvisit")
    assert entry.operation == "create" and entry.plan_uid == world["plan"].uid
    assert entry.after["findings"].startswith("Đoạn K0+200")


def test_no_visit_while_the_board_is_short_of_members(world: dict[str, Any]) -> None:
    board = staffed(world, 4)
    error = refused(lambda: visit_record(actor=world["planner"], board=board, data=visit_data()))
    assert error.code == "board_too_small"
    with translation.override("vi"):
        expected = ngettext(
            "The board has %(count)s member serving on %(date)s; at least %(min)s are needed "
            "before a visit can be recorded. Add members first.",
            "The board has %(count)s members serving on %(date)s; at least %(min)s are needed "
            "before a visit can be recorded. Add members first.",
            4,
        ) % {"count": 4, "date": "25/11/2026", "min": MIN_MEMBERS}
    assert error.message == expected
    assert not SupervisionVisit.objects.exists()
    member_add(actor=world["planner"], board=board, data=person(world, 4))
    assert visit_record(actor=world["planner"], board=board, data=visit_data())


def test_a_member_who_left_before_the_visit_does_not_count(world: dict[str, Any]) -> None:
    board = staffed(world, 5)
    member = board.members.get(full_name="Hoàng Văn Đức")
    member_leave(actor=world["planner"], member=member, left_on=day(2026, 11, 20))
    error = refused(lambda: visit_record(actor=world["planner"], board=board, data=visit_data()))
    assert error.code == "board_too_small"
    # On a day the member still served, the board had five.
    early = visit_record(
        actor=world["planner"], board=board, data=visit_data(visited_on=day(2026, 11, 15))
    )
    assert early.visited_on == day(2026, 11, 15)


def test_the_minimum_comes_from_the_process_profile(world: dict[str, Any]) -> None:
    profile = world["plan"].round.profile
    assert min_members(world["plan"]) == MIN_MEMBERS
    profile.extra = {**(profile.extra or {}), "supervision_min_members": 7}
    profile.save()
    board = staffed(world, 6)
    error = refused(lambda: visit_record(actor=world["planner"], board=board, data=visit_data()))
    assert error.code == "board_too_small" and "7" in error.message


@pytest.mark.parametrize(
    ("overrides", "field", "problem", "params"),
    [
        ({"visited_on": None}, "visited_on", "enter the date of the visit.", {}),
        (
            {"visited_on": day(2099, 5, 1)},
            "visited_on",
            "%(date)s is in the future; record what has happened.",
            {"date": "01/05/2099"},
        ),
        (
            {"visited_on": day(2026, 11, 1)},
            "visited_on",
            "the visit (%(date)s) is before the board was established (%(established)s).",
            {"date": "01/11/2026", "established": "10/11/2026"},
        ),
        (
            {"items_checked": " \n "},
            "items_checked",
            "say what was checked (materials, volumes, compliance with the design …).",
            {},
        ),
        ({"findings": ""}, "findings", "write what the board found.", {}),
    ],
)
def test_each_visit_rule_names_its_field(
    world: dict[str, Any], overrides: dict[str, Any], field: str, problem: str, params: Any
) -> None:
    board = staffed(world)
    error = refused(
        lambda: visit_record(actor=world["planner"], board=board, data=visit_data(**overrides))
    )
    assert problems(error) == {field: msg(problem, **params)}
    assert not SupervisionVisit.objects.exists()


def test_a_visit_is_corrected_and_a_stale_form_is_refused(world: dict[str, Any]) -> None:
    visit = visited(world)
    saved = visit_update(
        actor=world["planner"],
        visit=visit,
        data=visit_data(findings="Đoạn K0+200 – K0+300 thiếu 2 cm."),
        expected_version=1,
    )
    assert saved.version == 2 and saved.findings == "Đoạn K0+200 – K0+300 thiếu 2 cm."
    error = refused(
        lambda: visit_update(
            actor=world["planner"], visit=visit, data=visit_data(), expected_version=1
        )
    )
    assert error.code == "conflict"
    assert error.message == msg(
        "Someone else saved %(what)s after you opened it. Your changes were not saved; reload "
        "the page to see the saved values, then make your changes again.",
        what=msg("the record of this visit"),
    )
    assert audit("supervisionvisit") == ["create", "update"]


def test_a_follow_up_is_marked_done(world: dict[str, Any]) -> None:
    visit = visited(world)
    error = refused(
        lambda: follow_up_mark_done(actor=world["planner"], visit=visit, done_on=day(2026, 11, 20))
    )
    assert problems(error) == {
        "follow_up_on": msg(
            "the follow-up (%(date)s) cannot be done before the visit (%(visit)s).",
            date="20/11/2026",
            visit="25/11/2026",
        )
    }
    done = follow_up_mark_done(
        actor=world["planner"], visit=visit, done_on=day(2026, 11, 30), expected_version=1
    )
    assert done.follow_up_done and done.follow_up_on == day(2026, 11, 30) and done.version == 2
    error = refused(
        lambda: follow_up_mark_done(actor=world["planner"], visit=visit, done_on=day(2026, 12, 1))
    )
    assert error.code == "follow_up_done"
    assert error.message == msg(
        "The follow-up of the visit of %(visit)s was already marked done on %(date)s.",
        visit="25/11/2026",
        date="30/11/2026",
    )
    stale = refused(
        lambda: follow_up_mark_done(
            actor=world["planner"], visit=visit, done_on=day(2026, 12, 1), expected_version=1
        )
    )
    assert stale.code == "conflict"
    assert audit("supervisionvisit") == ["create", "update"]


def test_a_visit_without_follow_up_has_nothing_to_mark(world: dict[str, Any]) -> None:
    visit = visited(world, follow_up="")
    error = refused(
        lambda: follow_up_mark_done(actor=world["planner"], visit=visit, done_on=day(2026, 11, 30))
    )
    assert error.message == msg(
        "The visit of %(date)s has no follow-up to mark done; write it in the visit first.",
        date="25/11/2026",
    )


# --- pages -----------------------------------------------------------------------------------


def _work_url(world: dict[str, Any], line: str = "road") -> str:
    return f"/cdp/{world['plan'].uid}/works/{world[line].uid}/"


def _post(client: Client, url: str, data: dict[str, Any], *, follow: bool = False) -> Any:
    with translation.override("vi"):
        return client.post(url, data, follow=follow, HTTP_ACCEPT_LANGUAGE="vi")


def test_the_planner_establishes_staffs_and_records_through_the_page(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["planner"])
    page = client.get(_work_url(world)).content.decode()
    assert 'id="supervision"' in page and 'id="establish-form"' in page
    base = f"{_work_url(world)}supervision/"
    response = _post(
        client,
        f"{base}establish/",
        {"board-established_on": "10/11/2026", "board-decision_ref": DECISION},
    )
    assert response.status_code == 302 and response["Location"].endswith("#supervision")
    board = SupervisionBoard.objects.get()
    for index in range(4):
        data = person(world, index)
        response = _post(
            client,
            f"{base}members/",
            {
                "member-full_name": data["full_name"],
                "member-role": data["role"],
                "member-organisation": data["organisation"],
                "member-village": data["village"].pk if data["village"] else "",
                "member-no_conflict": "on",
            },
        )
        assert response.status_code == 302
    page = client.get(_work_url(world)).content.decode()
    assert 'id="board-short"' in page and "Phạm Thị Lan" in page
    visit = {
        "visit-visited_on": "25/11/2026",
        "visit-items_checked": "Vật liệu, khối lượng",
        "visit-findings": "Đúng thiết kế",
        "visit-follow_up": "Kiểm tra lại sau mưa",
    }
    response = _post(client, f"{base}visits/", visit)
    assert response.status_code == 400
    with translation.override("vi"):
        expected = ngettext(
            "The board has %(count)s member serving on %(date)s; at least %(min)s are needed "
            "before a visit can be recorded. Add members first.",
            "The board has %(count)s members serving on %(date)s; at least %(min)s are needed "
            "before a visit can be recorded. Add members first.",
            4,
        ) % {"count": 4, "date": "25/11/2026", "min": MIN_MEMBERS}
    assert escape(expected) in response.content.decode()
    assert not SupervisionVisit.objects.exists()
    member_add(actor=world["planner"], board=board, data=person(world, 4))
    assert _post(client, f"{base}visits/", visit).status_code == 302
    recorded = SupervisionVisit.objects.get()
    response = _post(
        client,
        f"{base}visits/{recorded.uid}/follow-up/",
        {
            f"followup-{recorded.pk}-follow_up_on": "30/11/2026",
            f"followup-{recorded.pk}-version": 1,
        },
    )
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.follow_up_done
    page = client.get(_work_url(world)).content.decode()
    assert 'id="board-short"' not in page and "30/11/2026" in page


def test_a_refused_form_comes_back_with_its_message(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["planner"])
    response = _post(
        client,
        f"{_work_url(world)}supervision/establish/",
        {"board-established_on": "10/11/2026", "board-decision_ref": " "},
    )
    assert response.status_code == 400
    assert 'id="establish-form"' in response.content.decode()
    assert not SupervisionBoard.objects.exists()
    establish(world)
    response = _post(
        client,
        f"{_work_url(world)}supervision/establish/",
        {"board-established_on": "11/11/2026", "board-decision_ref": DECISION},
        follow=True,
    )
    assert response.redirect_chain[-1][1] == 302
    expected = msg(
        "Work %(number)s already has a supervision board (established on %(date)s); a work "
        "has one board. Change that board instead.",
        number=world["road"].number,
        date="10/11/2026",
    )
    assert escape(expected) in response.content.decode()


def test_a_stale_edit_page_is_refused_with_409(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["planner"])
    board = establish(world)
    url = f"{_work_url(world)}supervision/board/"
    assert client.get(url).status_code == 200
    form = {
        "board-established_on": "10/11/2026",
        "board-decision_ref": DECISION,
        "board-notes": "Ban gồm 6 người",
        "board-version": board.version,
    }
    assert _post(client, url, form).status_code == 302
    response = _post(client, url, {**form, "board-notes": "Khác"})
    assert response.status_code == 409
    board.refresh_from_db()
    assert board.notes == "Ban gồm 6 người"


def test_member_and_visit_pages(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["planner"])
    board = staffed(world, 6)
    member = board.members.get(full_name="Võ Thị Mai")
    base = f"{_work_url(world)}supervision/"
    page = client.get(f"{base}members/{member.pk}/").content.decode()
    assert 'id="leave-form"' in page and 'id="remove-form"' in page
    response = _post(
        client,
        f"{base}members/{member.pk}/leave/",
        {"leave-left_on": "20/11/2026", "leave-stamp": member_stamp(member)},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on == day(2026, 11, 20)
    visit = visit_record(actor=world["planner"], board=board, data=visit_data())
    page = client.get(f"{base}members/{member.pk}/").content.decode()
    assert 'id="remove-form"' not in page
    response = _post(client, f"{base}members/{member.pk}/remove/", {})
    assert response.status_code == 302 and BoardMember.objects.filter(pk=member.pk).exists()
    assert client.get(f"{base}visits/{visit.uid}/").status_code == 200
    response = _post(
        client,
        f"{base}visits/{visit.uid}/",
        {
            "visit-visited_on": "25/11/2026",
            "visit-items_checked": visit.items_checked,
            "visit-findings": "",
            "visit-version": visit.version,
        },
    )
    assert response.status_code == 400


def test_a_donor_reads_the_board_and_cannot_write(client: Client, world: dict[str, Any]) -> None:
    board = staffed(world, 5)
    visit = visit_record(actor=world["planner"], board=board, data=visit_data())
    donor = user_with_role(Role.DONOR_VIEWER, world["commune"])
    client.force_login(donor)
    page = client.get(_work_url(world)).content.decode()
    assert "Lê Văn Hùng" in page and "Đoạn K0+200" in page
    assert 'id="member-form"' not in page and 'id="visit-form"' not in page
    assert "follow-up-form" not in page
    assert client.get(f"/cdp/{world['plan'].uid}/supervision/").status_code == 200
    base = f"{_work_url(world)}supervision/"
    member = board.members.first()
    assert member is not None
    for url in (f"{base}board/", f"{base}members/{member.pk}/", f"{base}visits/{visit.uid}/"):
        assert client.get(url).status_code == 404
    response = _post(client, f"{base}members/", {"member-full_name": "Ai đó"})
    assert response.status_code == 404
    response = _post(
        client,
        f"{base}visits/{visit.uid}/follow-up/",
        {f"followup-{visit.pk}-follow_up_on": "30/11/2026"},
    )
    assert response.status_code == 404
    assert board.members.count() == 5 and not SupervisionVisit.objects.filter(follow_up_done=True)


def test_another_commune_gets_404_everywhere(client: Client, world: dict[str, Any]) -> None:
    board = staffed(world, 5)
    visit = visit_record(actor=world["planner"], board=board, data=visit_data())
    client.force_login(commune_planner(dong_hoi()))
    base = f"{_work_url(world)}supervision/"
    for url in (
        _work_url(world),
        f"/cdp/{world['plan'].uid}/supervision/",
        f"{base}board/",
        f"{base}visits/{visit.uid}/",
    ):
        assert client.get(url).status_code == 404, url
    response = _post(
        client,
        f"{base}establish/",
        {"board-established_on": "10/11/2026", "board-decision_ref": DECISION},
    )
    assert response.status_code == 404


def test_the_list_of_boards_and_open_follow_ups(client: Client, world: dict[str, Any]) -> None:
    visited(world)
    client.force_login(world["planner"])
    page = client.get(f"/cdp/{world['plan'].uid}/supervision/").content.decode()
    assert 'id="boards"' in page and DECISION in page
    assert "Nhà thầu đổ bù trước ngày 30/11/2026" in page
    assert 'id="without-board"' in page  # the school has no board yet


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_pages_queries_do_not_grow_with_members_and_visits(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["planner"])
    road = staffed(world, 5)
    visit_record(actor=world["planner"], board=road, data=visit_data())
    school = staffed(world, 5, line="school")
    work, listing = _work_url(world), f"/cdp/{world['plan'].uid}/supervision/"
    client.get(work)
    few_work, few_list = _count(client, work), _count(client, listing)
    member_add(actor=world["planner"], board=road, data=person(world, 5))
    for n in range(1, 5):
        visit_record(
            actor=world["planner"],
            board=road,
            data=visit_data(visited_on=day(2026, 11, 25 + n)),
        )
        visit_record(
            actor=world["planner"],
            board=school,
            data=visit_data(visited_on=day(2026, 11, 20 + n)),
        )
    assert _count(client, work) == few_work
    assert _count(client, listing) == few_list
