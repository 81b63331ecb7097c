"""The F7 line writer: every rule with its message, versions, numbers, delete and restore,
dropping a year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.midterm.choices import YearStatus
from kehoach.midterm.models import MediumTermLine, MediumTermLineYear, MediumTermPlan
from kehoach.midterm.services.lines import (
    YearValues,
    check_medium_term_line,
    delete_medium_term_line,
    restore_medium_term_line,
    save_medium_term_line,
    set_year_status,
)
from kehoach.midterm.services.rounds import open_medium_term_round
from kehoach.plans.choices import PlanStatus
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db


def five_year_plan(village: Any = None) -> MediumTermPlan:
    """A draft five-year plan 2026–2030 of a village of Hải Lăng."""
    f.profile()
    commune = hai_lang()
    village = village or VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    round_ = open_medium_term_round(
        commune_planner(commune), commune, first_year=2026, last_year=2030
    )
    return MediumTermPlan.objects.get(round=round_, village=village)


def values(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sector": f.sector(),
        "activity": "Bê tông hóa đường thôn",
        "location": "Xóm Trên",
        "unit": f.unit(),
        "contribution_mvnd": Decimal("100"),
        "external_support_mvnd": Decimal("400"),
        "proposed_source": None,
        "beneficiary_households": 80,
        "beneficiary_poor": 12,
        "beneficiary_em": 0,
        "implementation_mode": "community",
        "notes": "",
    }
    data.update(changes)
    return data


def years(**changes: Any) -> dict[int, YearValues]:
    """200 in 2026 and 300 in 2027: 500 = 100 contribution + 400 support."""
    data = {
        2026: YearValues(Decimal("1"), Decimal("200")),
        2027: YearValues(Decimal("1.5"), Decimal("300")),
    }
    for key, value in changes.items():
        data[int(key.removeprefix("y"))] = value
    return data


@pytest.fixture
def plan() -> MediumTermPlan:
    return five_year_plan()


@pytest.fixture
def planner(plan: MediumTermPlan) -> Any:
    return commune_planner(plan.village.parent)


def _codes(plan: Any, data: dict[str, Any], given: dict[int, YearValues]) -> list[str]:
    return [p.code for p in check_medium_term_line(plan, data, given)]


def test_a_valid_line_is_saved_with_its_years_and_history(plan: Any, planner: Any) -> None:
    assert check_medium_term_line(plan, values(), years()) == []
    line = save_medium_term_line(planner, plan, values(), years())
    assert line.number == 1
    assert [(y.year, y.quantity, y.cost_mvnd, y.status) for y in line.years.order_by("year")] == [
        (2026, Decimal("1.000"), Decimal("200.000"), YearStatus.PLANNED),
        (2027, Decimal("1.500"), Decimal("300.000"), YearStatus.PLANNED),
    ]
    entry = AuditEntry.objects.get(subject_label="midterm.mediumtermline", operation="create")
    assert entry.plan_uid == plan.uid
    assert entry.after["2027"] == "1,5 · 300"


def test_r1_the_years_costs_must_equal_contribution_plus_support(plan: Any) -> None:
    problems = check_medium_term_line(plan, values(contribution_mvnd=Decimal("50")), years())
    assert [p.code for p in problems] == ["cost_identity"]
    assert problems[0].where.field == "contribution_mvnd"
    assert problems[0].detail == gettext(
        "the costs of the years add up to %(total)s million VND; the village "
        "contribution (%(contribution)s) plus the external support requested "
        "(%(support)s) is %(sum)s. Make them equal."
    ) % {"total": "500", "contribution": "50", "support": "400", "sum": "450"}


def test_r1_amounts_cannot_be_negative(plan: Any) -> None:
    codes = _codes(
        plan,
        values(external_support_mvnd=Decimal("-1")),
        years(y2026=YearValues(Decimal(1), Decimal("-5"))),
    )
    problems = check_medium_term_line(
        plan,
        values(external_support_mvnd=Decimal("-1")),
        years(y2026=YearValues(Decimal(1), Decimal("-5"))),
    )
    assert {p.where.field for p in problems} == {"external_support_mvnd", "c_2026"}
    assert "cost_identity" not in codes


def test_r5_a_year_outside_the_period_is_refused(plan: Any) -> None:
    problems = check_medium_term_line(
        plan,
        values(contribution_mvnd=Decimal("200")),
        years(y2031=YearValues(Decimal(1), Decimal("100"))),
    )
    assert [p.code for p in problems] == ["year_outside_period"]
    assert problems[0].where.field == "q_2031"
    assert problems[0].message == gettext("New line, year %(year)s, %(field)s: %(problem)s") % {
        "year": 2031,
        "field": gettext("quantity"),
        "problem": gettext("%(year)s is outside the period %(first)s–%(last)s.")
        % {"year": 2031, "first": 2026, "last": 2030},
    }


def test_r5_at_least_one_year(plan: Any) -> None:
    problems = check_medium_term_line(
        plan, values(contribution_mvnd=Decimal(0), external_support_mvnd=Decimal(0)), {}
    )
    assert [p.code for p in problems] == ["years_required"]
    empty = {2026: YearValues(None, None)}
    assert _codes(
        plan, values(contribution_mvnd=Decimal(0), external_support_mvnd=Decimal(0)), empty
    ) == ["years_required"]


def test_r6_quantity_must_be_positive_in_each_year(plan: Any) -> None:
    problems = check_medium_term_line(
        plan, values(), years(y2027=YearValues(Decimal(0), Decimal("300")))
    )
    assert [p.code for p in problems] == ["quantity_not_positive"]
    assert problems[0].detail == "khối lượng phải lớn hơn 0."
    assert problems[0].where.field == "q_2027"
    missing = years(y2027=YearValues(None, Decimal("300")))
    assert _codes(plan, values(), missing) == ["quantity_not_positive"]
    no_cost = years(y2027=YearValues(Decimal(1), None))
    assert _codes(plan, values(), no_cost) == ["cost_required"]


def test_r6_unit_and_sector_from_the_catalogue(plan: Any) -> None:
    old_unit = f.unit("cai", "cái")
    old_unit.is_active = False
    old_unit.save()
    codes = _codes(plan, values(unit=old_unit, sector=None), years())
    assert codes == ["sector_invalid", "unit_invalid"]


def test_source_must_be_in_use_in_every_year_of_the_line(plan: Any) -> None:
    assert _codes(plan, values(proposed_source=f.source()), years()) == []
    old = f.source("NTP21", "CTMTQG 2021–2025", valid_from_year=2021, valid_to_year=2026)
    problems = check_medium_term_line(plan, values(proposed_source=old), years())
    assert [p.code for p in problems] == ["source_inactive"]
    assert "2027" in problems[0].message


def test_beneficiary_parts_cannot_exceed_the_total(plan: Any) -> None:
    codes = _codes(
        plan, values(beneficiary_households=10, beneficiary_poor=11, beneficiary_em=12), years()
    )
    assert codes == ["beneficiaries_part", "beneficiaries_part"]


def test_activity_required_and_bounds(plan: Any) -> None:
    assert _codes(plan, values(activity="  "), years()) == ["activity_required"]
    too_long = _codes(plan, values(activity="x" * 301), years())
    assert too_long and all(c != "activity_required" for c in too_long)
    huge = years(y2026=YearValues(Decimal("1e20"), Decimal("200")))
    assert _codes(plan, values(), huge)
    assert _codes(plan, values(implementation_mode="magic"), years()) == ["mode_invalid"]


def test_a_refused_line_writes_nothing(plan: Any, planner: Any) -> None:
    with pytest.raises(ApplicationErrors):
        save_medium_term_line(planner, plan, values(contribution_mvnd=Decimal(1)), years())
    assert not MediumTermLine.objects.exists()
    assert not MediumTermLineYear.objects.exists()


def test_editing_changes_the_years_and_bumps_the_version(plan: Any, planner: Any) -> None:
    line = save_medium_term_line(planner, plan, values(), years())
    changed = {2028: YearValues(Decimal(2), Decimal("500"))}
    saved = save_medium_term_line(
        planner, plan, values(), changed, line=line, expected_version=line.version
    )
    assert saved.version == 2
    assert [(y.year, y.cost_mvnd) for y in saved.years.all()] == [(2028, Decimal("500.000"))]
    update = AuditEntry.objects.get(subject_label="midterm.mediumtermline", operation="update")
    assert update.before["2026"] == "1 · 200" and update.after["2028"] == "2 · 500"


def test_a_stale_edit_is_refused(plan: Any, planner: Any) -> None:
    line = save_medium_term_line(planner, plan, values(), years())
    save_medium_term_line(
        planner, plan, values(activity="Đường mới"), years(), line=line, expected_version=1
    )
    with pytest.raises(ApplicationError) as caught:
        save_medium_term_line(
            planner, plan, values(activity="Của tôi"), years(), line=line, expected_version=1
        )
    assert caught.value.code == "conflict"
    line.refresh_from_db()
    assert line.activity == "Đường mới"


def test_numbers_are_never_reused_and_delete_can_be_undone(plan: Any, planner: Any) -> None:
    first = save_medium_term_line(planner, plan, values(), years())
    second = save_medium_term_line(planner, plan, values(), years())
    delete_medium_term_line(planner, second)
    third = save_medium_term_line(planner, plan, values(), years())
    assert (first.number, second.number, third.number) == (1, 2, 3)
    assert MediumTermLine.objects.alive().count() == 2
    with pytest.raises(ApplicationError) as caught:
        save_medium_term_line(planner, plan, values(), years(), line=second, expected_version=None)
    assert caught.value.code == "line_deleted"
    restore_medium_term_line(planner, second)
    assert MediumTermLine.objects.alive().count() == 3
    ops = list(
        AuditEntry.objects.filter(subject_label="midterm.mediumtermline").values_list(
            "operation", flat=True
        )
    )
    assert "delete" in ops and "restore" in ops


def test_drop_a_year_needs_a_reason_and_can_be_planned_again(plan: Any, planner: Any) -> None:
    line = save_medium_term_line(planner, plan, values(), years())
    year = line.years.get(year=2027)
    with pytest.raises(ApplicationError) as caught:
        set_year_status(planner, year, YearStatus.DROPPED, "  ")
    assert caught.value.code == "reason_required"
    assert caught.value.message == gettext(
        "Line %(number)s, year %(year)s: say why the year is dropped."
    ) % {"number": 1, "year": 2027}
    with pytest.raises(ApplicationError) as caught:
        set_year_status(planner, year, YearStatus.DONE, "")
    assert caught.value.code == "status_invalid"
    dropped = set_year_status(planner, year, YearStatus.DROPPED, "Thôn đã làm bằng vốn khác")
    assert (dropped.status, dropped.dropped_reason) == ("dropped", "Thôn đã làm bằng vốn khác")
    again = set_year_status(planner, year, YearStatus.PLANNED, "ignored")
    assert (again.status, again.dropped_reason) == ("planned", "")


def test_only_a_draft_plan_can_be_edited(plan: Any, planner: Any) -> None:
    line = save_medium_term_line(planner, plan, values(), years())
    MediumTermPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    for call in (
        lambda: save_medium_term_line(planner, plan, values(), years()),
        lambda: delete_medium_term_line(planner, line),
    ):
        with pytest.raises(ApplicationError) as caught:
            call()
        assert caught.value.code == "plan_locked"


def test_a_year_is_dropped_at_the_yearly_review_of_a_submitted_plan(
    plan: Any, planner: Any
) -> None:
    """The status is what became of the year, not a change of the plan: the village reviews it
    each year, after the plan was submitted and approved."""
    line = save_medium_term_line(planner, plan, values(), years())
    MediumTermPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    year = line.years.get(year=2026)
    dropped = set_year_status(planner, year, YearStatus.DROPPED, "Tỉnh đã đầu tư")
    assert dropped.status == YearStatus.DROPPED
    other = VillageFactory.create(parent=plan.village.parent, name="Thôn Khác")
    with pytest.raises(NotFoundError):
        set_year_status(user_with_role(Role.VILLAGE_EDITOR, other), year, YearStatus.PLANNED)


def test_a_year_in_a_live_yearly_line_cannot_be_dropped(plan: Any, planner: Any) -> None:
    line = save_medium_term_line(planner, plan, values(), years())
    year = line.years.get(year=2026)
    yearly = f.line(f.village_plan(plan.village, year=2026))
    MediumTermLineYear.objects.filter(pk=year.pk).update(drawn_line=yearly)
    with pytest.raises(ApplicationError) as caught:
        set_year_status(planner, year, YearStatus.DROPPED, "Không làm nữa")
    assert caught.value.code == "year_drawn"
    yearly.deleted_at = yearly.updated_at
    yearly.save()
    assert set_year_status(planner, year, YearStatus.DROPPED, "Không làm nữa").status == "dropped"


def test_an_editor_of_another_village_is_refused_as_not_found(plan: Any) -> None:
    other = VillageFactory.create(parent=plan.village.parent, name="Thôn Khác")
    editor = user_with_role(Role.VILLAGE_EDITOR, other)
    with pytest.raises(NotFoundError):
        save_medium_term_line(editor, plan, values(), years())
    own = user_with_role(Role.VILLAGE_EDITOR, plan.village)
    assert save_medium_term_line(own, plan, values(), years()).number == 1
