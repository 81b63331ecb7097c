"""The demo of a year in implementation: Xã Hải Lăng's 2026 plan approved, published and
followed through the services, loaded once."""

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
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.models import CommunePlan

from ..models import PlanEvaluation, ProgressPhoto, ProgressReport, SupervisionBoard

pytestmark = pytest.mark.django_db


def test_the_2026_plan_is_published_and_followed_once() -> None:
    hai_lang()
    dong_hoi()
    catalog_load_defaults()
    for command in ("load_demo", "load_demo_rounds", "load_demo_envelopes"):
        call_command(command, stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_implementation", stdout=out)
    plan = CommunePlan.objects.get(round__commune__code="19702", round__plan_year=2026)
    assert plan.status == CommunePlanStatus.IN_IMPLEMENTATION
    assert Version.objects.get(plan_uid=plan.uid).published_at is not None
    statuses = Counter(ProgressReport.objects.values_list("status", flat=True))
    assert {"completed", "ongoing", "not_started", "suspended"} <= set(statuses)
    works = sum(statuses.values())
    assert out.getvalue().strip() == (
        f"Kế hoạch xã mẫu năm 2026: đã phê duyệt, công bố và theo dõi {works} công trình."
    )
    assert ProgressPhoto.objects.count() == 4
    board = SupervisionBoard.objects.get()
    assert board.members.count() == 5 and board.visits.count() == 1
    assert PlanEvaluation.objects.filter(plan=plan).exists()
    # the 2027 round being planned is left as it was
    assert CommunePlan.objects.get(round__commune__code="19702", round__plan_year=2027).status == (
        CommunePlanStatus.DRAFT
    )
    again = io.StringIO()
    call_command("load_demo_implementation", stdout=again)
    assert again.getvalue().strip() == "Kế hoạch xã mẫu năm 2026: đã có, giữ nguyên."
    assert ProgressReport.objects.count() == works


@override_settings(KEHOACH_DEMO=False)
def test_the_implementation_demo_refuses_without_the_demo_setting() -> None:
    with pytest.raises(CommandError):
        call_command("load_demo_implementation", stdout=io.StringIO())
