from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.plans.choices import LineOutcome
from kehoach.plans.models import PlanningRound, ProposalLine, VillageMeeting
from kehoach.plans.selectors import commune_participation
from kehoach.plans.services.carry_over import carry_over, carry_over_candidates
from kehoach.plans.services.meeting import meeting_result, meeting_save
from kehoach.plans.services.rounds import round_add_missing_plans, round_create
from kehoach.plans.tests import factories as f
from kehoach.plans.tests.test_workflow import MEETING

pytestmark = pytest.mark.django_db


def test_a_round_opens_a_plan_for_every_current_village() -> None:
    commune = hai_lang()
    VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    VillageFactory.create(parent=commune, name="Thôn Mỹ Chánh")
    VillageFactory.create(parent=commune, name="Thôn Cũ", valid_to=datetime.date(2025, 12, 31))
    f.profile()
    planner = commune_planner(commune)

    round_ = round_create(
        actor=planner,
        commune=commune,
        plan_year=2027,
        proposals_due=datetime.date(2026, 6, 30),
        synthesis_due=datetime.date(2026, 7, 31),
    )

    assert sorted(p.village.name for p in round_.plans.all()) == ["Thôn Diên Sanh", "Thôn Mỹ Chánh"]
    assert round_.profile.is_default
    with pytest.raises(ApplicationError) as caught:
        round_create(actor=planner, commune=commune, plan_year=2027)
    assert caught.value.message == "Xã Hải Lăng đã có kỳ lập kế hoạch năm 2027."

    VillageFactory.create(parent=commune, name="Thôn Mới")
    assert [p.village.name for p in round_add_missing_plans(actor=planner, round_=round_)] == [
        "Thôn Mới"
    ]


def test_round_calendar_and_permission() -> None:
    commune = hai_lang()
    f.profile()
    planner = commune_planner(commune)
    with pytest.raises(ApplicationError) as caught:
        round_create(
            actor=planner,
            commune=commune,
            plan_year=2027,
            proposals_due=datetime.date(2026, 8, 1),
            synthesis_due=datetime.date(2026, 7, 1),
        )
    assert caught.value.where.field == "synthesis_due"
    for user in (
        user_with_role(Role.COMMUNE_APPROVER, commune),
        commune_planner(dong_hoi()),
    ):
        with pytest.raises(NotFoundError):
            round_create(actor=user, commune=commune, plan_year=2027)
    assert not PlanningRound.objects.exists()


def test_meeting_quorum_approval_and_participation() -> None:
    plan = f.village_plan()
    planner = commune_planner(plan.village.parent)

    meeting = meeting_save(actor=planner, plan=plan, data=MEETING)
    result = meeting_result(meeting, plan.round.profile)

    assert (result.quorate, result.approved) == (True, True)
    assert result.households_pct == Decimal("62.0")
    women = next(i for i in result.indicators if i.code == "women_pct")
    assert (women.value, women.target, women.meets_target) == (Decimal("40.0"), Decimal(30), True)
    totals = commune_participation(plan.round)
    assert (totals["meetings"], totals["households_pct"], totals["women_pct"]) == (
        1,
        Decimal("62.0"),
        Decimal("40.0"),
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"households_represented": 120}, "households_represented"),
        ({"participants_women": 71}, "participants_women"),
        ({"votes_agree": 68}, "votes_agree"),
        ({"participants_total": 50}, "participants_total"),
        ({"chair": ""}, "chair"),
    ],
)
def test_meeting_figures_must_be_consistent(change: dict[str, Any], field: str) -> None:
    plan = f.village_plan()
    planner = commune_planner(plan.village.parent)
    with pytest.raises(ApplicationErrors) as caught:
        meeting_save(actor=planner, plan=plan, data={**MEETING, **change})
    assert field in {e.where.field for e in caught.value.errors}
    assert not VillageMeeting.objects.filter(plan=plan).exists()


def test_carry_over_brings_unfunded_and_deferred_lines_with_their_origin() -> None:
    village = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    last_year = f.village_plan(village, year=2026)
    f.source("NS-X", "Ngân sách xã", kind="commune_budget", valid_from_year=None)
    kept = f.line(
        last_year,
        outcome=LineOutcome.UNFUNDED,
        start_month=datetime.date(2026, 9, 1),
        end_month=datetime.date(2026, 11, 1),
        proposed_source=f.source("NS-X"),
    )
    f.line(
        last_year,
        outcome=LineOutcome.FUNDED,
        activity="Đã làm xong",
        start_month=datetime.date(2026, 2, 1),
        end_month=datetime.date(2026, 3, 1),
        proposed_source=f.source("NS-X"),
    )
    deferred = f.line(
        last_year,
        outcome=LineOutcome.DEFERRED,
        activity="Kênh mương nội đồng",
        start_month=datetime.date(2026, 5, 1),
        end_month=datetime.date(2026, 7, 1),
        proposed_source=f.source("NS-X"),
    )
    plan = f.village_plan(village, year=2027)
    planner = commune_planner(village.parent)

    assert {line.pk for line in carry_over_candidates(plan)} == {kept.pk, deferred.pk}
    created = carry_over(actor=planner, plan=plan, line_uids=[str(kept.uid)]).lines

    assert created[0].origin == kept
    assert (created[0].start_month, created[0].end_month) == (
        datetime.date(2027, 9, 1),
        datetime.date(2027, 11, 1),
    )
    assert created[0].priority is None
    assert [line.pk for line in carry_over_candidates(plan)] == [deferred.pk]
    with pytest.raises(NotFoundError):
        carry_over(actor=planner, plan=plan, line_uids=[str(kept.uid)])
    assert ProposalLine.objects.filter(plan=plan).count() == 1


@pytest.mark.parametrize(
    ("held_on", "message"),
    [
        (
            datetime.date(2099, 5, 1),
            "Ngày: 01/05/2099 là ngày trong tương lai; hãy nhập ngày đã họp.",
        ),
        (
            datetime.date(2020, 5, 1),
            "Ngày: 01/05/2020 cách năm kế hoạch 2027 quá xa; hãy kiểm tra lại năm.",
        ),
    ],
)
def test_the_meeting_date_must_be_a_real_past_day_near_the_plan_year(
    held_on: datetime.date, message: str
) -> None:
    plan = f.village_plan()
    planner = commune_planner(plan.village.parent)
    with pytest.raises(ApplicationErrors) as caught:
        meeting_save(actor=planner, plan=plan, data={**MEETING, "held_on": held_on})
    assert [e.message for e in caught.value.errors] == [message]
    assert not VillageMeeting.objects.filter(plan=plan).exists()
