"""The database keeps what the five-year plan's services check: spans, one status set by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.midterm.choices import YearStatus
from kehoach.midterm.models import (
    MediumTermLine,
    MediumTermLineYear,
    MediumTermPlan,
    MediumTermRound,
)
from kehoach.plans.tests.factories import profile, sector, unit

pytestmark = pytest.mark.django_db


def _round(first: int = 2026, last: int = 2030) -> MediumTermRound:
    return MediumTermRound.objects.create(
        commune=hai_lang(), first_year=first, last_year=last, profile=profile()
    )


def _line() -> MediumTermLine:
    village = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    plan = MediumTermPlan.objects.create(round=_round(), village=village)
    return MediumTermLine.objects.create(
        plan=plan, number=1, sector=sector(), activity="Bê tông hóa đường thôn", unit=unit()
    )


def _refused(**fields: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        MediumTermLineYear.objects.create(**fields)


def test_the_profile_opens_a_five_year_period_from_2026_by_default() -> None:
    found = profile()
    assert (found.medium_term_start_year, found.medium_term_years) == (2026, 5)


def test_a_period_has_its_years_and_knows_which_it_covers() -> None:
    period = _round()
    assert period.years == [2026, 2027, 2028, 2029, 2030]
    assert period.covers(2030) and not period.covers(2031)
    assert str(period).endswith("2026–2030")


@pytest.mark.parametrize(("first", "last"), [(2026, 2025), (2026, 2036)])
def test_a_period_backwards_or_over_ten_years_is_refused(first: int, last: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _round(first, last)


def test_a_commune_has_one_period_starting_in_a_year() -> None:
    _round()
    with pytest.raises(IntegrityError), transaction.atomic():
        _round(2026, 2028)


def test_a_year_needs_a_positive_quantity_and_one_row_per_year() -> None:
    line = _line()
    MediumTermLineYear.objects.create(
        line=line, year=2026, quantity=Decimal("1.5"), cost_mvnd=Decimal(300)
    )
    _refused(line=line, year=2026, quantity=Decimal(1), cost_mvnd=Decimal(1))
    _refused(line=line, year=2027, quantity=Decimal(0), cost_mvnd=Decimal(1))
    _refused(line=line, year=2028, quantity=Decimal(1), cost_mvnd=Decimal(-1))
    _refused(line=line, year=2029, quantity=Decimal(1), cost_mvnd=Decimal(10_000_001))


def test_only_planned_or_dropped_with_a_reason_is_stored() -> None:
    line = _line()
    _refused(line=line, year=2026, quantity=1, cost_mvnd=1, status=YearStatus.DONE)
    _refused(line=line, year=2026, quantity=1, cost_mvnd=1, status=YearStatus.DROPPED)
    kept = MediumTermLineYear.objects.create(
        line=line,
        year=2026,
        quantity=1,
        cost_mvnd=1,
        status=YearStatus.DROPPED,
        dropped_reason="Đã được tỉnh đầu tư",
    )
    assert kept.get_status_display()


def test_a_five_year_plan_is_one_per_village_and_period() -> None:
    line = _line()
    with pytest.raises(IntegrityError), transaction.atomic():
        MediumTermPlan.objects.create(round=line.plan.round, village=line.plan.village)
    assert line.plan.is_editable
