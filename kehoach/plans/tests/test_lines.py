"""Each rule on a proposal line: a passing and a failing case, with the Vietnamese message the
user gets and nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import QuerySet

from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.services.lines import (
    ConflictError,
    proposal_line_create,
    proposal_line_delete,
    proposal_line_restore,
    proposal_line_update,
)
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan() -> Any:
    return f.village_plan()


@pytest.fixture
def planner(plan: Any) -> Any:
    return commune_planner(plan.village.parent)


def _refused(plan: Any, planner: Any, **overrides: Any) -> ApplicationError:
    with pytest.raises(ApplicationErrors) as caught:
        proposal_line_create(actor=planner, plan=plan, data=f.line_data(**overrides))
    assert not ProposalLine.objects.filter(plan=plan).exists()
    return caught.value


def test_a_valid_line_is_saved_with_its_number(plan: Any, planner: Any) -> None:
    first = proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    second = proposal_line_create(
        actor=planner, plan=plan, data=f.line_data(activity="Nhà văn hóa")
    )
    assert (first.number, second.number) == (1, 2)
    assert first.total_cost_mvnd == Decimal("100")


def test_r1_total_must_equal_contribution_plus_support(plan: Any, planner: Any) -> None:
    error = _refused(plan, planner, total_cost_mvnd=Decimal("150"))
    assert error.where.field == "total_cost_mvnd"
    assert error.message == (
        "Dòng 1, Tổng kinh phí: tổng kinh phí (150) phải bằng dân đóng góp (30) cộng hỗ trợ "
        "từ bên ngoài đề nghị (70), tức là 100 triệu đồng."
    )


def test_r1_contribution_must_equal_its_parts(plan: Any, planner: Any) -> None:
    error = _refused(plan, planner, contribution_cash_mvnd=Decimal("5"))
    assert error.where.field == "contribution_mvnd"
    assert error.message.startswith(
        "Dòng 1, Dân đóng góp: dân đóng góp (30) phải bằng tiền mặt (5)"
    )
    # no split at all is accepted: the parts are optional
    line = proposal_line_create(
        actor=planner,
        plan=plan,
        data=f.line_data(contribution_cash_mvnd=0, contribution_labour_mvnd=0),
    )
    assert line.contribution_mvnd == Decimal(30)


def test_r1_amounts_cannot_be_negative(plan: Any, planner: Any) -> None:
    error = _refused(
        plan, planner, external_support_mvnd=Decimal("-70"), total_cost_mvnd=Decimal("-40")
    )
    fields = {e.where.field for e in error.errors}  # type: ignore[attr-defined]
    assert fields == {"external_support_mvnd", "total_cost_mvnd"}
    assert "Dòng 1, Hỗ trợ từ bên ngoài đề nghị: số tiền không được âm." in error.message


@pytest.mark.parametrize("priority", [0, 4])
def test_r2_priority_between_1_and_3(plan: Any, planner: Any, priority: int) -> None:
    error = _refused(plan, planner, priority=priority)
    assert error.message == (
        f"Dòng 1, Thứ tự ưu tiên: {priority}: phải là 1, 2 hoặc 3 (để trống nếu hoạt động "
        "không phải là ưu tiên)."
    )


def test_r2_no_priority_is_allowed(plan: Any, planner: Any) -> None:
    line = proposal_line_create(actor=planner, plan=plan, data=f.line_data(priority=None))
    assert line.priority is None


def test_r5_start_before_end_inside_the_plan_year(plan: Any, planner: Any) -> None:
    error = _refused(
        plan, planner, start_month=datetime.date(2027, 9, 1), end_month=datetime.date(2027, 3, 1)
    )
    assert (
        error.message == "Dòng 1, Kết thúc: tháng kết thúc (03/2027) trước tháng bắt đầu (09/2027)."
    )
    error = _refused(plan, planner, end_month=datetime.date(2028, 2, 1))
    assert error.message == "Dòng 1, Kết thúc: 02/2028 nằm ngoài năm kế hoạch 2027."


def test_r6_quantity_positive_and_unit_from_the_catalog(plan: Any, planner: Any) -> None:
    error = _refused(plan, planner, quantity=Decimal("0"))
    assert error.message == "Dòng 1, Khối lượng: khối lượng phải lớn hơn 0."
    retired = f.unit("cai", "cái")
    retired.is_active = False
    retired.save()
    error = _refused(plan, planner, unit=retired)
    assert error.message == "Dòng 1, Đơn vị tính: hãy chọn đơn vị tính trong danh sách."


def test_proposed_source_must_be_active_for_the_year(plan: Any, planner: Any) -> None:
    old = f.source("NTM", "CTMTQG xây dựng NTM", valid_from_year=2021, valid_to_year=2025)
    error = _refused(plan, planner, proposed_source=old)
    assert error.message == (
        "Dòng 1, Nguồn vốn đề xuất: nguồn vốn “NTM” không còn áp dụng trong năm 2027; "
        "hãy chọn nguồn khác."
    )


def test_an_update_that_breaks_a_rule_changes_nothing(plan: Any, planner: Any) -> None:
    line = proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    with pytest.raises(ApplicationErrors):
        proposal_line_update(
            actor=planner,
            line=line,
            data={"total_cost_mvnd": Decimal("999")},
            expected_version=line.version,
        )
    line.refresh_from_db()
    assert (line.total_cost_mvnd, line.version) == (Decimal("100"), 1)


def test_two_saves_from_stale_forms_the_second_is_refused_with_both_values(
    plan: Any, planner: Any
) -> None:
    line = proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    opened_at = line.version
    colleague = commune_planner(plan.village.parent, username="dongnghiep")

    proposal_line_update(
        actor=colleague,
        line=line,
        data={"activity": "Bê tông hóa đường liên thôn"},
        expected_version=opened_at,
    )
    with pytest.raises(ConflictError) as caught:
        proposal_line_update(
            actor=planner,
            line=line,
            data={"activity": "Làm đường đất"},
            expected_version=opened_at,
        )

    error = caught.value
    assert error.message.startswith("Dòng 1 đã được người khác sửa sau khi bạn mở")
    assert [(d.label, d.saved, d.yours) for d in error.differences] == [
        ("Hoạt động", "Bê tông hóa đường liên thôn", "Làm đường đất")
    ]
    line.refresh_from_db()
    assert line.activity == "Bê tông hóa đường liên thôn"


def test_delete_can_be_undone(plan: Any, planner: Any) -> None:
    line = proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    proposal_line_delete(actor=planner, line=line)
    assert not ProposalLine.objects.alive().filter(plan=plan).exists()
    proposal_line_restore(actor=planner, line=line)
    assert ProposalLine.objects.alive().get(plan=plan).number == 1


def test_a_village_editor_edits_only_their_own_village(plan: Any) -> None:
    editor = user_with_role("village_editor", plan.village)
    proposal_line_create(actor=editor, plan=plan, data=f.line_data())
    other_plan = f.village_plan(VillageFactory.create(parent=hai_lang(), name="Thôn Mỹ Chánh"))
    with pytest.raises(NotFoundError):
        proposal_line_create(actor=editor, plan=other_plan, data=f.line_data())
    with pytest.raises(NotFoundError):
        proposal_line_create(actor=commune_planner(dong_hoi()), plan=plan, data=f.line_data())
    assert not ProposalLine.objects.filter(plan=other_plan).exists()


def test_r5_a_line_within_one_month_and_the_whole_year_passes(plan: Any, planner: Any) -> None:
    one_month = proposal_line_create(
        actor=planner,
        plan=plan,
        data=f.line_data(
            start_month=datetime.date(2027, 5, 1), end_month=datetime.date(2027, 5, 1)
        ),
    )
    whole_year = proposal_line_create(
        actor=planner,
        plan=plan,
        data=f.line_data(
            start_month=datetime.date(2027, 1, 1), end_month=datetime.date(2027, 12, 31)
        ),
    )
    assert (one_month.start_month, one_month.end_month) == (
        datetime.date(2027, 5, 1),
        datetime.date(2027, 5, 1),
    )
    assert whole_year.end_month == datetime.date(2027, 12, 1)  # months are kept as their 1st


def test_r6_a_small_positive_quantity_with_a_unit_in_use_passes(plan: Any, planner: Any) -> None:
    unit = f.unit("m", "m")
    line = proposal_line_create(
        actor=planner, plan=plan, data=f.line_data(quantity=Decimal("0.001"), unit=unit)
    )
    line.refresh_from_db()
    assert (line.quantity, line.unit) == (Decimal("0.001"), unit)


def _spy_locks(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    locked: list[Any] = []
    original = QuerySet.select_for_update

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        locked.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    return locked


def test_delete_and_restore_lock_the_plan_row(
    plan: Any, planner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    locked = _spy_locks(monkeypatch)
    proposal_line_delete(actor=planner, line=line)
    assert VillagePlan in locked
    locked.clear()
    proposal_line_restore(actor=planner, line=line)
    assert VillagePlan in locked


def test_delete_and_restore_read_the_status_under_the_lock(plan: Any, planner: Any) -> None:
    """A page opened before the plan was submitted holds a stale plan: the status read under
    the lock refuses the change."""
    line = proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    gone = proposal_line_create(actor=planner, plan=plan, data=f.line_data(priority=2))
    proposal_line_delete(actor=planner, line=gone)
    stale_line = ProposalLine.objects.select_related("plan").get(pk=line.pk)
    stale_gone = ProposalLine.objects.select_related("plan").get(pk=gone.pk)
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    assert stale_line.plan.status == PlanStatus.DRAFT

    for service, target in (
        (proposal_line_delete, stale_line),
        (proposal_line_restore, stale_gone),
    ):
        with pytest.raises(ApplicationError) as caught:
            service(actor=planner, line=target)
        assert caught.value.code == "plan_locked"
    assert ProposalLine.objects.alive().filter(plan=plan).count() == 1
    assert ProposalLine.objects.get(pk=gone.pk).deleted_at is not None
