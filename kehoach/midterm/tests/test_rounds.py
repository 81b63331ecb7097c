"""Five-year periods: defaults from the profile, refusals, the village plans they open."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.midterm.models import MediumTermPlan, MediumTermRound
from kehoach.midterm.services.rounds import add_missing_medium_term_plans, open_medium_term_round
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune() -> Any:
    f.profile()
    commune = hai_lang()
    VillageFactory.create(parent=commune, name="Thôn Một")
    VillageFactory.create(parent=commune, name="Thôn Hai")
    VillageFactory.create(
        parent=commune,
        name="Thôn Cũ",
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2025, 6, 30),
    )
    return commune


@pytest.fixture
def planner(commune: Any) -> Any:
    return commune_planner(commune)


def _code(call: Any) -> str:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.code


def test_defaults_come_from_the_profile_and_open_a_plan_per_current_village(
    commune: Any, planner: Any
) -> None:
    f.profile(medium_term_start_year=2026, medium_term_years=5)
    round_ = open_medium_term_round(planner, commune)
    assert (round_.first_year, round_.last_year) == (2026, 2030)
    names = sorted(p.village.name for p in round_.plans.all())
    assert names == ["Thôn Hai", "Thôn Một"]
    assert AuditEntry.objects.filter(operation="create").count() == 2


def test_the_profile_can_set_another_span(commune: Any, planner: Any) -> None:
    f.profile(medium_term_start_year=2031, medium_term_years=3)
    round_ = open_medium_term_round(planner, commune)
    assert round_.years == [2031, 2032, 2033]


def test_an_overlapping_period_is_refused(commune: Any, planner: Any) -> None:
    open_medium_term_round(planner, commune, first_year=2026, last_year=2030)
    with pytest.raises(ApplicationError) as caught:
        open_medium_term_round(planner, commune, first_year=2030, last_year=2034)
    assert caught.value.code == "period_overlaps"
    assert "2026–2030" in caught.value.message
    # the next period, just after, is accepted
    assert open_medium_term_round(planner, commune, first_year=2031, last_year=2035)
    assert MediumTermRound.objects.filter(commune=commune).count() == 2


def test_another_commune_may_use_the_same_years(commune: Any, planner: Any) -> None:
    open_medium_term_round(planner, commune, first_year=2026, last_year=2030)
    other = dong_hoi()
    assert open_medium_term_round(commune_planner(other), other, first_year=2026, last_year=2030)


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        (2026, 2036, "period_too_long"),
        (1999, 2003, "period_year_invalid"),
        (2098, 2101, "period_year_invalid"),
        (2030, 2026, "period_order"),
    ],
)
def test_bad_years_are_refused(
    commune: Any, planner: Any, first: int, last: int, code: str
) -> None:
    assert (
        _code(lambda: open_medium_term_round(planner, commune, first_year=first, last_year=last))
        == code
    )
    assert not MediumTermRound.objects.exists()


def test_ten_years_is_the_longest_span(commune: Any, planner: Any) -> None:
    round_ = open_medium_term_round(planner, commune, first_year=2026, last_year=2035)
    assert len(round_.years) == 10


def test_due_dates_must_follow_each_other(commune: Any, planner: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        open_medium_term_round(
            planner,
            commune,
            proposals_due=datetime.date(2025, 10, 1),
            approval_due=datetime.date(2025, 9, 1),
        )
    assert caught.value.code == "calendar_order"
    assert "01/09/2025" in caught.value.message


def test_only_who_opens_yearly_rounds_may_open_a_period(commune: Any) -> None:
    village = commune.children.first()
    editor = user_with_role(Role.VILLAGE_EDITOR, village)
    approver = user_with_role(Role.COMMUNE_APPROVER, commune)
    other = commune_planner(dong_hoi())
    for user in (editor, approver, other):
        with pytest.raises(NotFoundError):
            open_medium_term_round(user, commune)
    with pytest.raises(NotFoundError):  # a village is not a commune
        open_medium_term_round(commune_planner(village), village)
    assert not MediumTermRound.objects.exists()


def test_missing_plans_are_added_for_new_villages(commune: Any, planner: Any) -> None:
    round_ = open_medium_term_round(planner, commune)
    VillageFactory.create(parent=commune, name="Thôn Mới")
    added = add_missing_medium_term_plans(planner, round_)
    assert [p.village.name for p in added] == ["Thôn Mới"]
    assert add_missing_medium_term_plans(planner, round_) == []
    assert MediumTermPlan.objects.filter(round=round_).count() == 3
    with pytest.raises(NotFoundError):
        add_missing_medium_term_plans(commune_planner(dong_hoi()), round_)
