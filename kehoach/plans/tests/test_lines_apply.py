"""The one writer of a plan's proposals, ``proposal_lines_apply`` (issue 14): adds, changes,
deletes and restores in one call, all or nothing, versions checked, one history row per
change, ``updated_at`` kept, and as many queries for a hundred lines as for ten."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.services.lines import (
    ConflictError,
    LineChange,
    clean_line_values,
    line_context,
    proposal_line_update,
    proposal_lines_apply,
)
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db

SHEET = "F6"


@pytest.fixture
def plan() -> Any:
    return f.village_plan()


@pytest.fixture
def planner(plan: Any) -> Any:
    return commune_planner(plan.village.parent)


def _audit(plan: Any) -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(plan_uid=plan.uid)
        .order_by("pk")
        .values_list("operation", "subject_repr")
    )


def test_adds_changes_deletes_and_restores_in_one_call(plan: Any, planner: Any) -> None:
    kept = f.line(plan, priority=1)
    changed = f.line(plan, priority=2, activity="Kênh mương")
    gone = f.line(plan, priority=None, activity="Nhà văn hóa")
    back = f.line(plan, priority=None, activity="Cầu tràn")
    deleted_at = timezone.now() - datetime.timedelta(days=1)
    ProposalLine.objects.filter(pk=back.pk).update(deleted_at=deleted_at, updated_at=deleted_at)
    stamp = ProposalLine.objects.get(pk=gone.pk).updated_at

    counts = proposal_lines_apply(
        actor=planner,
        plan=plan,
        changes=[
            LineChange(data=f.line_data(activity="Trường mẫu giáo", priority=None)),
            LineChange(data={"activity": "Kênh mương nội đồng"}, line=changed, version=1),
            LineChange(data={}, line=gone, version=1, delete=True),
            LineChange(data={}, line=back, restore=True),
            LineChange(data={"activity": kept.activity}, line=kept, version=1),  # no change
        ],
    )

    assert counts == {"added": 1, "changed": 1, "deleted": 1, "restored": 1}
    lines = {line.number: line for line in ProposalLine.objects.filter(plan=plan)}
    assert lines[5].activity == "Trường mẫu giáo"  # the next number
    assert (lines[2].activity, lines[2].version) == ("Kênh mương nội đồng", 2)
    assert lines[3].deleted_at is not None and lines[3].version == 2
    assert lines[3].updated_at > stamp  # a delete is a change of the line too
    assert lines[4].deleted_at is None and lines[4].version == 2
    assert lines[4].updated_at > deleted_at
    assert lines[1].version == 1  # the unchanged line is not written
    assert _audit(plan) == [
        ("create", "5. Trường mẫu giáo"),
        ("update", "2. Kênh mương nội đồng"),
        ("delete", "3. Nhà văn hóa"),
        ("restore", "4. Cầu tràn"),
    ]
    update = AuditEntry.objects.get(plan_uid=plan.uid, operation="update")
    assert (update.before["activity"], update.after["activity"]) == (
        "Kênh mương",
        "Kênh mương nội đồng",
    )
    assert update.actor == planner


def test_one_bad_line_and_nothing_is_written(plan: Any, planner: Any) -> None:
    line = f.line(plan)
    with pytest.raises(ApplicationErrors) as caught:
        proposal_lines_apply(
            actor=planner,
            plan=plan,
            changes=[
                LineChange(data=f.line_data(activity="Tốt"), where=Where(sheet=SHEET, row=7)),
                LineChange(
                    data={"quantity": Decimal(0)},
                    line=line,
                    version=1,
                    where=Where(sheet=SHEET, row=8),
                ),
                LineChange(data={}, line=line, delete=True, where=Where(sheet=SHEET, row=9)),
            ],
        )
    (error,) = caught.value.errors
    assert (error.code, error.where) == ("quantity_not_positive", Where(sheet=SHEET, row=8))
    assert error.message == "Dòng 1, Khối lượng: khối lượng phải lớn hơn 0."
    assert ProposalLine.objects.filter(plan=plan).count() == 1
    line.refresh_from_db()
    assert (line.version, line.deleted_at) == (1, None)
    assert _audit(plan) == []


def test_a_stale_version_from_a_workbook_is_a_conflict_at_its_row(plan: Any, planner: Any) -> None:
    line = f.line(plan)
    proposal_line_update(actor=planner, line=line, data={"activity": "Mới"}, expected_version=1)
    with pytest.raises(ApplicationErrors) as caught:
        proposal_lines_apply(
            actor=planner,
            plan=plan,
            changes=[
                LineChange(data={"activity": "Cũ"}, line=line, version=1, where=Where(SHEET, row=4))
            ],
        )
    (error,) = caught.value.errors
    assert (error.code, error.where.row) == ("conflict", 4)
    assert error.message.startswith("Dòng 1 đã được sửa trên kehoach sau khi tải biểu về")
    line.refresh_from_db()
    assert (line.activity, line.version) == ("Mới", 2)


def test_a_stale_version_from_the_web_form_shows_both_values(plan: Any, planner: Any) -> None:
    line = f.line(plan)
    proposal_lines_apply(
        actor=planner,
        plan=plan,
        changes=[LineChange(data={"activity": "Mới"}, line=line, version=1)],
    )
    with pytest.raises(ConflictError) as caught:
        proposal_lines_apply(
            actor=planner,
            plan=plan,
            changes=[LineChange(data={"activity": "Cũ"}, line=line, version=1)],
        )
    assert [(d.field, d.saved, d.yours) for d in caught.value.differences] == [
        ("activity", "Mới", "Cũ")
    ]


def test_a_line_deleted_meanwhile_is_gone_for_a_workbook(plan: Any, planner: Any) -> None:
    line = f.line(plan)
    proposal_lines_apply(
        actor=planner, plan=plan, changes=[LineChange(data={}, line=line, delete=True)]
    )
    with pytest.raises(ApplicationErrors) as caught:
        proposal_lines_apply(
            actor=planner,
            plan=plan,
            changes=[LineChange(data={}, line=line, delete=True, where=Where(SHEET, row=3))],
        )
    assert caught.value.code == "line_gone"
    # the web form's second delete (a double click) is done already
    again = proposal_lines_apply(
        actor=planner, plan=plan, changes=[LineChange(data={}, line=line, delete=True)]
    )
    assert again["deleted"] == 0


def test_validated_values_are_written_as_given(plan: Any, planner: Any) -> None:
    context = line_context(plan.round)
    values = clean_line_values(context, 1, f.line_data(notes="  đã kiểm tra  "))
    counts = proposal_lines_apply(
        actor=planner, plan=plan, changes=[LineChange(data=values)], validated=True
    )
    assert counts["added"] == 1
    assert ProposalLine.objects.get(plan=plan).notes == values["notes"]
    # not validated, the same call checks the rules
    with pytest.raises(ApplicationErrors):
        proposal_lines_apply(
            actor=planner, plan=plan, changes=[LineChange(data={**values, "priority": 7})]
        )


def test_a_locked_plan_refuses_the_whole_batch(plan: Any, planner: Any) -> None:
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    with pytest.raises(ApplicationError) as caught:
        proposal_lines_apply(actor=planner, plan=plan, changes=[LineChange(data=f.line_data())])
    assert caught.value.code == "plan_locked"
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_a_hundred_lines_are_written_in_bulk_not_line_by_line(
    plan: Any, planner: Any, django_assert_max_num_queries: Any
) -> None:
    data = f.line_data(priority=None)
    with django_assert_max_num_queries(12):
        proposal_lines_apply(
            actor=planner, plan=plan, changes=[LineChange(data=dict(data)) for _ in range(10)]
        )
    lines = list(ProposalLine.objects.filter(plan=plan))
    changes = [LineChange(data=dict(data)) for _ in range(100)]
    changes += [LineChange(data={"notes": "sửa"}, line=line, version=1) for line in lines]
    # the same queries, and SQLite's inserts in batches of its parameter limit (~33 lines)
    with django_assert_max_num_queries(20):
        counts = proposal_lines_apply(actor=planner, plan=plan, changes=changes)
    assert counts == {"added": 100, "changed": 10, "deleted": 0, "restored": 0}
    assert AuditEntry.objects.filter(plan_uid=plan.uid).count() == 120
