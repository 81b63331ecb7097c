"""Progress reports (F14): each rule with its Vietnamese message and nothing saved; the latest
report; who may report; only funded works of a published plan."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import dong_hoi

from ..models import Disbursement, ProgressReport
from ..services.progress import percent_done, progress_report_create
from .factories import followed_plan, report_data

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world() -> dict[str, Any]:
    return followed_plan()


def _report(world: dict[str, Any], line: str = "road", **overrides: Any) -> ProgressReport:
    disbursed = overrides.pop("disbursed", {world["ntp"]: D(250)} if line == "road" else {})
    return progress_report_create(
        actor=world["planner"],
        line=world[line],
        data=report_data(**overrides),
        disbursed=disbursed,
    )


def _refused(world: dict[str, Any], **overrides: Any) -> ApplicationErrors:
    with pytest.raises(ApplicationErrors) as caught:
        _report(world, **overrides)
    assert not ProgressReport.objects.exists()
    assert not Disbursement.objects.exists()
    return caught.value


def _fields(error: ApplicationErrors) -> set[str]:
    return {e.where.field or "" for e in error.errors}


def test_a_report_is_saved_with_its_money_and_audited(world: dict[str, Any]) -> None:
    report = _report(world)
    assert report.is_latest
    assert report.reporter_name == str(world["planner"])
    assert [(d.envelope_line.source.code, d.amount_mvnd) for d in report.disbursements.all()] == [
        ("NTP26", D(250))
    ]
    assert report.contribution_mvnd == D(35)
    assert percent_done(world["road"], report) == D("50.0")
    entry = AuditEntry.objects.get(
        subject_label="monitoring.progressreport", subject_id=str(report.pk)
    )
    assert entry.plan_uid == world["plan"].uid and entry.operation == "create"


def test_the_newest_report_is_the_latest_and_a_back_dated_one_is_history(
    world: dict[str, Any],
) -> None:
    first = _report(world)
    second = _report(world, reported_on=datetime.date(2026, 12, 1), quantity_done=D(1))
    back = _report(world, reported_on=datetime.date(2026, 11, 15), quantity_done=D("0.5"))
    latest = ProgressReport.objects.filter(is_latest=True).get()
    assert latest == second
    assert {r.pk: r.is_latest for r in ProgressReport.objects.all()} == {
        first.pk: False,
        second.pk: True,
        back.pk: False,
    }


def test_more_than_approved_needs_a_reason(world: dict[str, Any]) -> None:
    error = _refused(
        world,
        quantity_done=D(2),
        disbursed={world["ntp"]: D(600)},
        contribution_cash_mvnd=D(120),
    )
    assert _fields(error) == {
        "quantity_done",
        f"disbursed_{world['ntp'].uid}",
        "contribution_cash_mvnd",
    }
    messages = [e.message for e in error.errors]
    assert messages[0] == (
        "Khối lượng đã thực hiện (2 km) vượt khối lượng được duyệt là 1,5. Hãy ghi lý do vào ô "
        "“Lý do vượt kế hoạch được duyệt”, hoặc sửa lại số liệu."
    )
    report = _report(
        world,
        quantity_done=D(2),
        disbursed={world["ntp"]: D(600)},
        contribution_cash_mvnd=D(120),
        excess_reason="Kéo dài thêm 500 m theo nghị quyết bổ sung",
    )
    assert report.quantity_done == D(2)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reported_on": None}, "reported_on"),
        ({"reported_on": datetime.date(2099, 1, 1)}, "reported_on"),
        ({"quantity_done": D(-1)}, "quantity_done"),
        ({"contribution_labour_days": D(-3)}, "contribution_labour_days"),
        ({"status": "not_started"}, "status"),
        ({"status": "ongoing", "actual_start": None}, "actual_start"),
        ({"status": "completed"}, "actual_finish"),
        (
            {"status": "completed", "actual_finish": datetime.date(2026, 9, 1)},
            "actual_finish",
        ),
        ({"status": "suspended"}, "status_reason"),
        ({"status": "cancelled"}, "status_reason"),
        ({"actual_finish": datetime.date(2026, 11, 1)}, "actual_finish"),
        ({"status": "lost"}, "status"),
    ],
)
def test_each_rule_refuses_with_the_field_named(
    world: dict[str, Any], overrides: dict[str, Any], field: str
) -> None:
    error = _refused(world, **overrides)
    assert field in _fields(error)
    assert all(e.message for e in error.errors)


def test_messages_are_vietnamese(world: dict[str, Any]) -> None:
    error = _refused(world, status="suspended")
    assert error.errors[0].message == "Lý do của trạng thái: hãy ghi vì sao công trình tạm dừng."


def test_a_source_that_does_not_fund_the_work_is_refused(world: dict[str, Any]) -> None:
    error = _refused(world, disbursed={world["budget"]: D(10)})
    assert _fields(error) == {f"disbursed_{world['budget'].uid}"}


def test_an_unfunded_line_is_not_followed(world: dict[str, Any]) -> None:
    with pytest.raises(ApplicationError) as caught:
        _report(world, line="farm", quantity_done=D(0), status="not_started", actual_start=None)
    assert caught.value.code == "not_a_work"


def test_another_communes_planner_cannot_report(world: dict[str, Any]) -> None:
    with pytest.raises(NotFoundError):
        progress_report_create(
            actor=commune_planner(dong_hoi()),
            line=world["road"],
            data=report_data(),
            disbursed={},
        )
    assert not ProgressReport.objects.exists()


def test_a_plan_not_yet_published_is_not_followed() -> None:
    world = followed_plan(publish=False)
    with pytest.raises(ApplicationError) as caught:
        _report(world)
    assert caught.value.code == "not_published"
    assert caught.value.message == (
        "Kế hoạch xã năm 2027 chưa được công bố: các công trình được theo dõi sau khi kế hoạch "
        "đã phê duyệt được công bố."
    )
