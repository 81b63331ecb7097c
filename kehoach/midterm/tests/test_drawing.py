"""Drawing the yearly plan from the five-year plan: exactly the chosen years, each a proposal
with the year's quantity and cost (R1 exact), linked to its year, in the ranking; refusals name
the activity and save nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.midterm.choices import YearStatus
from kehoach.midterm.models import (
    MediumTermCommuneLine,
    MediumTermCommunePlan,
    MediumTermLineYear,
    MediumTermSource,
)
from kehoach.midterm.selectors_drawing import drawable_plan, offered_years
from kehoach.midterm.services.drawing import draw_from_medium_term, split_cost
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, RankingItem
from kehoach.plans.services.lines.writer import LineChange, lines_apply
from kehoach.plans.tests import factories as f
from kehoach.synthesis.choices import CommunePlanStatus, Decision

from . import drawing_factories as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def village() -> Any:
    return VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")


@pytest.fixture
def planner(village: Any) -> Any:
    return commune_planner(village.parent)


@pytest.fixture
def plan(village: Any) -> Any:
    return f.village_plan(village, year=2027)


@pytest.fixture
def road(village: Any) -> Any:
    return m.activity(m.medium_plan(village))


def _refusal(exc: pytest.ExceptionInfo[ApplicationError]) -> list[str]:
    return [e.message for e in getattr(exc.value, "errors", None) or [exc.value]]


def test_the_plan_of_the_period_that_covers_the_year_is_drawn_from(village: Any) -> None:
    five_year = m.medium_plan(village)
    assert drawable_plan(village, 2027) == five_year
    assert drawable_plan(village, 2031) is None
    five_year.status = PlanStatus.DRAFT
    five_year.save()
    assert drawable_plan(village, 2027) is None


@pytest.mark.parametrize(
    ("status", "amendment", "drawable"),
    [
        (CommunePlanStatus.DRAFT, False, False),
        (CommunePlanStatus.SUBMITTED, False, False),
        (CommunePlanStatus.APPROVED, False, True),
        (CommunePlanStatus.PUBLISHED, False, True),
        (CommunePlanStatus.DRAFT, True, True),
    ],
)
def test_only_a_plan_the_commune_approved_is_drawn_from(
    village: Any, status: str, amendment: bool, drawable: bool
) -> None:
    """An amendment being prepared keeps the version approved before it drawable."""
    five_year = m.medium_plan(village)
    MediumTermCommunePlan.objects.filter(round=five_year.round).update(
        status=status, is_amendment=amendment
    )
    assert (drawable_plan(village, 2027) == five_year) is drawable


def test_an_activity_the_commune_rejected_is_not_offered(
    village: Any, plan: Any, road: Any
) -> None:
    rejected = m.activity(road.plan, activity="Nhà văn hóa thôn mới")
    cplan = MediumTermCommunePlan.objects.get(round=road.plan.round)
    for number, (village_line, decision) in enumerate(
        [(road, Decision.FUNDED), (rejected, Decision.REJECTED)], start=1
    ):
        cline = MediumTermCommuneLine.objects.create(
            plan=cplan,
            number=number,
            sector=village_line.sector,
            activity=village_line.activity,
            unit=village_line.unit,
            decision=decision,
            decision_reason="Theo nghị quyết HĐND xã",
        )
        MediumTermSource.objects.create(line=cline, village_line=village_line)
    assert list(offered_years(plan)) == [m.year_of(road, 2027)]


def test_the_years_offered_are_this_years_not_dropped_not_drawn(
    village: Any, plan: Any, road: Any
) -> None:
    school = m.activity(road.plan, activity="Sửa trường mẫu giáo")
    dropped = m.year_of(school, 2027)
    dropped.status, dropped.dropped_reason = YearStatus.DROPPED, "Đã có dự án tỉnh"
    dropped.save()
    deleted = m.activity(road.plan, activity="Kênh mương")
    deleted.deleted_at = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    deleted.save()

    assert list(offered_years(plan)) == [m.year_of(road, 2027)]


def test_drawing_copies_the_year_and_keeps_the_link(planner: Any, plan: Any, road: Any) -> None:
    year = m.year_of(road, 2027)

    done = draw_from_medium_term(planner, plan, [year.pk], expected={year.pk: road.version})

    (line,) = done.lines
    line.refresh_from_db()
    year.refresh_from_db()
    assert year.drawn_line == line
    assert line.medium_term_year == year
    assert (line.activity, line.location, line.sector, line.unit) == (
        road.activity,
        road.location,
        road.sector,
        road.unit,
    )
    assert line.quantity == Decimal("0.6")
    assert line.total_cost_mvnd == Decimal("50")
    assert (line.contribution_mvnd, line.external_support_mvnd) == (Decimal(15), Decimal(35))
    assert (line.start_month, line.end_month) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 1),
    )
    assert line.priority is None
    assert line.proposed_source == road.proposed_source
    assert (line.beneficiary_households, line.beneficiary_poor) == (80, 12)
    assert done.notes == []
    assert list(offered_years(plan)) == []
    # history as carry-over writes it: the new line's creation, and the link on both plans
    assert AuditEntry.objects.filter(
        plan_uid=plan.uid, subject_id=str(line.pk), operation="create"
    ).exists()
    link = AuditEntry.objects.filter(
        subject_label="midterm.mediumtermlineyear", subject_id=str(year.pk)
    )
    assert {entry.plan_uid for entry in link} == {plan.uid, road.plan.uid}
    assert all(entry.after["drawn_line"] == str(line) for entry in link)


def test_contribution_and_support_are_split_pro_rata_and_add_up_exactly(
    planner: Any, plan: Any, village: Any
) -> None:
    odd = m.activity(
        m.medium_plan(village),
        {2027: ("1", "10"), 2028: ("2", "20")},
        contribution_mvnd=Decimal("10"),
        external_support_mvnd=Decimal("20"),
    )
    year = m.year_of(odd, 2027)
    assert split_cost(year) == (Decimal("3.333"), Decimal("6.667"))

    (line,) = draw_from_medium_term(planner, plan, [year.pk]).lines
    line.refresh_from_db()
    assert line.contribution_mvnd + line.external_support_mvnd == line.total_cost_mvnd


def test_the_drawn_lines_become_rows_of_the_ranking(planner: Any, plan: Any, road: Any) -> None:
    school = m.activity(road.plan, activity="Sửa trường mẫu giáo")
    ids = [m.year_of(road, 2027).pk, m.year_of(school, 2027).pk]

    lines = draw_from_medium_term(planner, plan, ids).lines

    rows = list(RankingItem.objects.filter(plan=plan).order_by("id"))
    assert [(r.label, r.line_id) for r in rows] == [
        ("Bê tông hóa đường thôn", lines[0].pk),
        ("Sửa trường mẫu giáo", lines[1].pk),
    ]
    assert all(r.scores == {} for r in rows)


def test_a_source_no_longer_in_use_is_left_empty_with_a_note(
    planner: Any, plan: Any, village: Any
) -> None:
    ended = f.source("CT135", "Chương trình 135", valid_from_year=2021, valid_to_year=2026)
    line = m.activity(m.medium_plan(village), proposed_source=ended)

    done = draw_from_medium_term(planner, plan, [m.year_of(line, 2027).pk])

    assert done.lines[0].proposed_source is None
    assert done.notes == [
        gettext(
            "“%(activity)s”: the proposed source “%(source)s” is not in use in %(year)s, so "
            "the activity is drawn without a source; choose another one."
        )
        % {"activity": line.activity, "source": "CT135", "year": 2027}
    ]


def test_a_year_already_drawn_is_refused_naming_the_activity(
    planner: Any, plan: Any, road: Any
) -> None:
    year = m.year_of(road, 2027)
    (line,) = draw_from_medium_term(planner, plan, [year.pk]).lines

    with pytest.raises(ApplicationError) as exc:
        draw_from_medium_term(planner, plan, [year.pk])

    assert _refusal(exc) == [
        gettext(
            "“%(activity)s” of %(year)s is already in this year's plan as line "
            "%(number)s; it is not drawn twice."
        )
        % {"activity": road.activity, "year": 2027, "number": line.number}
    ]
    assert ProposalLine.objects.filter(plan=plan).count() == 1


def test_after_the_drawn_line_was_deleted_the_year_can_be_drawn_again(
    planner: Any, plan: Any, road: Any
) -> None:
    year = m.year_of(road, 2027)
    (first,) = draw_from_medium_term(planner, plan, [year.pk]).lines
    lines_apply(actor=planner, plan=plan, changes=[LineChange(data={}, line=first, delete=True)])
    assert list(offered_years(plan)) == [year]

    (second,) = draw_from_medium_term(planner, plan, [year.pk]).lines

    year.refresh_from_db()
    assert year.drawn_line == second != first


def test_a_dropped_year_is_refused(planner: Any, plan: Any, road: Any) -> None:
    year = m.year_of(road, 2027)
    year.status, year.dropped_reason = YearStatus.DROPPED, "Đã có dự án tỉnh"
    year.save()

    with pytest.raises(ApplicationError) as exc:
        draw_from_medium_term(planner, plan, [year.pk])

    assert _refusal(exc) == [
        gettext(
            "“%(activity)s” was dropped from %(year)s in the five-year plan "
            "(%(reason)s); it cannot be drawn. Set it back to planned in the "
            "five-year plan first if it is needed."
        )
        % {"activity": road.activity, "year": 2027, "reason": "Đã có dự án tỉnh"}
    ]
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_a_year_of_another_plan_year_is_refused(planner: Any, plan: Any, road: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        draw_from_medium_term(planner, plan, [m.year_of(road, 2028).pk])

    assert _refusal(exc) == [
        gettext(
            "“%(activity)s”: its year %(year)s of the five-year plan cannot be "
            "drawn into the %(plan_year)s plan; choose the activities of "
            "%(plan_year)s."
        )
        % {"activity": road.activity, "year": 2028, "plan_year": 2027}
    ]
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_a_year_of_another_village_is_refused_and_nothing_is_saved(
    planner: Any, plan: Any, road: Any, village: Any
) -> None:
    other = VillageFactory.create(parent=village.parent, name="Thôn Mỹ Chánh")
    theirs = m.activity(m.medium_plan(other), activity="Nhà văn hóa")

    with pytest.raises(ApplicationErrors) as exc:
        draw_from_medium_term(planner, plan, [m.year_of(road, 2027).pk, m.year_of(theirs, 2027).pk])

    assert _refusal(exc) == [
        gettext(
            "“%(activity)s” is an activity of the five-year plan of %(other)s, not "
            "of %(village)s; choose among this village's activities."
        )
        % {"activity": "Nhà văn hóa", "other": other.name, "village": village.name}
    ]
    assert not ProposalLine.objects.filter(plan=plan).exists()
    assert not MediumTermLineYear.objects.filter(drawn_line__isnull=False).exists()


def test_a_year_of_a_commune_the_user_cannot_see_is_not_found(planner: Any, plan: Any) -> None:
    elsewhere = VillageFactory.create(parent=dong_hoi(), name="Khu phố 1")
    theirs = m.activity(m.medium_plan(elsewhere))

    with pytest.raises(NotFoundError):
        draw_from_medium_term(planner, plan, [m.year_of(theirs, 2027).pk])
    with pytest.raises(NotFoundError):
        draw_from_medium_term(planner, plan, [987654])
    with pytest.raises(NotFoundError):
        draw_from_medium_term(planner, plan, ["abc"])


def test_a_five_year_plan_not_submitted_cannot_be_drawn_from(
    planner: Any, plan: Any, road: Any
) -> None:
    road.plan.status = PlanStatus.DRAFT
    road.plan.save()

    with pytest.raises(ApplicationError) as exc:
        draw_from_medium_term(planner, plan, [m.year_of(road, 2027).pk])

    assert _refusal(exc) == [
        f"“{road.activity}”: kế hoạch 5 năm của hoạt động này chưa có trong kế hoạch 5 năm đã "
        "được phê duyệt của xã; chỉ được lấy từ kế hoạch 5 năm đã được phê duyệt."
    ]


def test_a_submitted_yearly_plan_is_not_changed(planner: Any, plan: Any, road: Any) -> None:
    plan.status = PlanStatus.SUBMITTED
    plan.save()

    with pytest.raises(ApplicationError) as exc:
        draw_from_medium_term(planner, plan, [m.year_of(road, 2027).pk])

    assert exc.value.code == "plan_locked"
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_an_activity_changed_since_the_page_was_read_is_refused(
    planner: Any, plan: Any, road: Any
) -> None:
    year = m.year_of(road, 2027)

    with pytest.raises(ApplicationError) as exc:
        draw_from_medium_term(planner, plan, [year.pk], expected={year.pk: road.version + 1})

    assert exc.value.code == "conflict"
    assert road.activity in exc.value.message
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_nothing_chosen_is_refused(planner: Any, plan: Any, road: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        draw_from_medium_term(planner, plan, [])
    assert exc.value.message == gettext(
        "Choose at least one activity of the five-year plan to draw into this year's plan."
    )


def test_a_user_of_another_commune_may_not_draw(plan: Any, road: Any) -> None:
    stranger = commune_planner(dong_hoi())
    with pytest.raises(NotFoundError):
        draw_from_medium_term(stranger, plan, [m.year_of(road, 2027).pk])
    assert not ProposalLine.objects.filter(plan=plan).exists()
