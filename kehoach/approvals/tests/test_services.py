"""Comments (threads, resolution) are in the plan's history; an approved version is stored once
under its number; notifications go to the people concerned and open only pages of this site."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.test import Client

from kehoach.accounts.tests.factories import UserFactory
from kehoach.core.errors import ApplicationError

from ..history import display_value, plan_history
from ..models import AuditEntry, Notification, Version
from ..services import comment_add, comment_resolve, notify, version_create

PLAN = uuid.UUID("0c6f4a8e-3b1d-4e59-8d2a-6a1f2b3c4d5e")
LINE = uuid.UUID("9b2e1c3d-4f5a-4b6c-8d7e-1f2a3b4c5d6e")


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    return {
        "approver": UserFactory.create(username="lanhdao", full_name="Lê Văn Sơn"),
        "planner": UserFactory.create(username="xa.hailang", full_name="Trần Thị Hoa"),
    }


def test_adding_a_comment_or_a_reply_is_in_the_plans_history(people: dict[str, Any]) -> None:
    first = comment_add(
        actor=people["approver"], plan_uid=PLAN, line_uid=LINE, body="Bổ sung bản vẽ"
    )
    reply = comment_add(actor=people["planner"], plan_uid=PLAN, body="Đã bổ sung", parent=first)
    entries = list(AuditEntry.objects.filter(plan_uid=PLAN).order_by("id"))
    assert [(e.subject_label, e.subject_id, e.operation, e.who) for e in entries] == [
        ("approvals.comment", str(first.pk), "create", "Lê Văn Sơn (lanhdao)"),
        ("approvals.comment", str(reply.pk), "create", "Trần Thị Hoa (xa.hailang)"),
    ]
    assert entries[0].after == {"body": "Bổ sung bản vẽ", "line_uid": str(LINE), "parent": None}
    assert entries[1].after == {
        "body": "Đã bổ sung",
        "line_uid": str(LINE),
        "parent": "Bổ sung bản vẽ",
    }
    assert entries[1].subject_repr == "Đã bổ sung"


def test_resolving_and_opening_again_are_in_the_history_once_each(
    people: dict[str, Any],
) -> None:
    first = comment_add(actor=people["approver"], plan_uid=PLAN, body="Bổ sung bản vẽ")
    reply = comment_add(actor=people["approver"], plan_uid=PLAN, body="Và dự toán", parent=first)
    thread = comment_resolve(actor=people["planner"], comment=reply)
    assert thread.pk == first.pk and thread.resolved_by == people["planner"]
    comment_resolve(actor=people["planner"], comment=first)  # already resolved: nothing
    comment_resolve(actor=people["approver"], comment=first, resolved=False)
    changes = list(AuditEntry.objects.filter(plan_uid=PLAN, operation="update").order_by("id"))
    assert [(e.subject_id, e.who) for e in changes] == [
        (str(first.pk), "Trần Thị Hoa (xa.hailang)"),
        (str(first.pk), "Lê Văn Sơn (lanhdao)"),
    ]
    assert changes[0].before == {"resolved_at": None, "resolved_by": None}
    assert changes[0].after["resolved_by"] == "Trần Thị Hoa"
    assert changes[1].after == {"resolved_at": None, "resolved_by": None}
    events = plan_history(PLAN, {})
    shown = [e.changes for kind, _at, e in events if e.operation == "update"]
    assert shown[-1][1][1:] == (None, "Trần Thị Hoa")  # (label, before, after)


def test_history_values_read_as_dates_amounts_and_words() -> None:
    assert display_value("2026-12-01") == "01/12/2026"
    assert display_value({"1. NTP26": "500", "2. NS-X": "100"}) == "1. NTP26: 500; 2. NS-X: 100"
    assert display_value({}) is None and display_value("") is None
    assert display_value("12/NQ-HĐND") == "12/NQ-HĐND"
    assert display_value(0) == 0
    assert display_value("2026-12-01T08:30:00") == "08:30 01/12/2026"


def _version(actor: Any, number: int) -> Version:
    return version_create(
        actor=actor,
        plan_uid=PLAN,
        subject_label="synthesis.communeplan",
        number=number,
        is_amendment=number > 1,
        resolution_number=f"{20 + number}/NQ-HĐND",
        resolution_date=datetime.date(2026, 12, number),
        signer="Lê Văn Sơn",
        scan=None,
        data={"version": number},
    )


def test_a_version_number_is_approved_once_never_renumbered(people: dict[str, Any]) -> None:
    first = _version(people["approver"], 1)
    assert (first.number, first.approved_by_name) == (1, "Lê Văn Sơn")
    with pytest.raises(ApplicationError) as caught:
        _version(people["approver"], 1)
    assert caught.value.code == "version_exists"
    assert list(Version.objects.values_list("number", "resolution_number")) == [(1, "21/NQ-HĐND")]
    assert _version(people["approver"], 2).number == 2


def test_notify_tells_each_user_once_but_not_the_one_who_acted_nor_the_inactive(
    people: dict[str, Any],
) -> None:
    gone = UserFactory.create(username="da.nghi", is_active=False)
    sent = notify(
        [people["planner"], people["planner"], people["approver"], gone, None],
        "Kế hoạch xã đã được phê duyệt",
        "/cdp/x/",
        skip=people["approver"],
    )
    assert sent == 1
    assert list(Notification.objects.values_list("user__username", "text")) == [
        ("xa.hailang", "Kế hoạch xã đã được phê duyệt")
    ]


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("/cdp/abc/", "/cdp/abc/"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_opening_a_notification_goes_only_to_a_page_of_this_site(
    people: dict[str, Any], client: Client, url: str, target: str
) -> None:
    note = Notification.objects.create(user=people["planner"], text="Thông báo", url=url)
    client.force_login(people["planner"])
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == target
    note.refresh_from_db()
    assert note.read_at is not None
