"""The demo of the five-year plan: Xã Hải Lăng's plan 2026–2030 approved and published through
the services, its 2026 and 2027 yearly plans linked to it, loaded once."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from kehoach.approvals.models import Version
from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import VillagePlan
from kehoach.synthesis.choices import CommunePlanStatus

from ..choices import YearStatus
from ..models import MediumTermCommunePlan, MediumTermLineYear, MediumTermPlan
from ..selectors_drawing import offered_years, year_statuses

pytestmark = pytest.mark.django_db


def test_the_five_year_plan_is_approved_published_and_drawn_from_once() -> None:
    hai_lang()
    dong_hoi()
    catalog_load_defaults()
    for command in (
        "load_demo",
        "load_demo_rounds",
        "load_demo_envelopes",
        "load_demo_implementation",
    ):
        call_command(command, stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_five_year", stdout=out)

    plan = MediumTermCommunePlan.objects.get(round__commune__code="19702")
    assert (plan.round.first_year, plan.round.last_year) == (2026, 2030)
    assert plan.status == CommunePlanStatus.PUBLISHED
    assert Version.objects.get(plan_uid=plan.uid).published_at is not None
    villages = MediumTermPlan.objects.filter(round=plan.round)
    assert villages.filter(status=PlanStatus.SUBMITTED).count() >= 2
    years = list(MediumTermLineYear.objects.filter(line__plan__round=plan.round))
    statuses = Counter(year_statuses(years).values())
    # 2026: approved and being carried out; 2027: proposed; the later years still planned
    assert statuses[YearStatus.PLANNED] > 0
    assert statuses[YearStatus.PROPOSED] > 0
    assert statuses[YearStatus.IN_PLAN] + statuses[YearStatus.DONE] > 0
    drawn = {y.year for y in years if y.drawn_line_id is not None}
    assert drawn == {2026, 2027}
    assert out.getvalue().strip() == (
        f"Kế hoạch 5 năm mẫu 2026–2030: đã phê duyệt và công bố, {len({y.line_id for y in years})}"
        " hoạt động của các thôn."
    )
    # a 2027 village plan still being drafted is offered the activity it has not taken yet
    draft = VillagePlan.objects.filter(
        round__commune__code="19702", round__plan_year=2027, status=PlanStatus.DRAFT
    ).first()
    if (
        draft is not None
        and villages.filter(village=draft.village, status=PlanStatus.SUBMITTED).exists()
    ):
        assert [y.line.activity for y in offered_years(draft)] == [
            "Lắp đèn chiếu sáng đường thôn bằng năng lượng mặt trời"
        ]

    again = io.StringIO()
    call_command("load_demo_five_year", stdout=again)
    assert again.getvalue().strip() == "Kế hoạch 5 năm mẫu 2026–2030: đã có, giữ nguyên."
    assert MediumTermLineYear.objects.count() == len(years)


@override_settings(KEHOACH_DEMO=False)
def test_the_five_year_demo_refuses_without_the_demo_setting() -> None:
    with pytest.raises(CommandError):
        call_command("load_demo_five_year", stdout=io.StringIO())
