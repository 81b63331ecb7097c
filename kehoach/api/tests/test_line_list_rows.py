"""The list of a village plan's proposals is shown from ``.values()`` rows by
``proposal_lines_shown`` (issue 17: 10.000 lines within 3× of a raw select, `make bench`); it
must say exactly what ``ProposalLineOutput`` — which the schema documents — says of the same
lines, field by field."""

from __future__ import annotations

import datetime
import json
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from kehoach.accounts.tests.factories import commune_planner
from kehoach.api.serializers.line_rows import shown_rows
from kehoach.api.serializers.plans import (
    PROPOSAL_LINE_VALUES,
    ProposalLineOutput,
    proposal_lines_shown,
)
from kehoach.api.views.proposal_lines import _lines
from kehoach.geo.tests.factories import hai_lang
from kehoach.plans.choices import LineOutcome
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.tests import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def varied_plan() -> VillagePlan:
    """Lines with every kind of value a column can hold: no source, no priority, an origin,
    decided outcomes, amounts with and without decimals, large and small, a deleted line."""
    plan = pf.village_plan()
    last_year = pf.village_plan(plan.village, year=2026)
    origin = pf.line(last_year, activity="Năm trước")
    pf.line(plan)
    pf.line(
        plan,
        proposed_source=None,
        priority=None,
        notes="Ghi chú — “trích dẫn” & <thẻ>",
        location="",
        quantity=Decimal("0.001"),
        total_cost_mvnd=Decimal("98765.125"),
        contribution_mvnd=Decimal("0.125"),
        contribution_cash_mvnd=Decimal("0.125"),
        contribution_labour_days=Decimal("0"),
        contribution_labour_mvnd=Decimal("0"),
        external_support_mvnd=Decimal("98765"),
        beneficiary_poor=0,
    )
    pf.line(plan, origin=origin, outcome=LineOutcome.FUNDED, contribution_land_m2=Decimal("12.5"))
    pf.line(plan, outcome=LineOutcome.MERGED, activity="Đường\nhai dòng")
    gone = pf.line(plan, activity="Đã xóa")
    ProposalLine.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    # a moment in UTC with microseconds, another in Vietnam's time
    ProposalLine.objects.filter(plan=plan, number=2).update(
        updated_at=datetime.datetime(2027, 1, 31, 17, 0, 0, 123456, tzinfo=datetime.UTC)
    )
    return plan


def serializer_answer(plan: VillagePlan) -> list[dict[str, Any]]:
    return [dict(ProposalLineOutput(line).data) for line in _lines(plan).order_by("number")]


def rows_answer(plan: VillagePlan) -> list[dict[str, Any]]:
    rows = (
        ProposalLine.objects.alive()
        .filter(plan=plan)
        .order_by("number")
        .values(*PROPOSAL_LINE_VALUES)
    )
    return proposal_lines_shown(rows)


def fast_rows_answer(plan: VillagePlan) -> list[dict[str, Any]]:
    return list(shown_rows(ProposalLine.objects.alive().filter(plan=plan).order_by("number")))


def assert_same(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    assert len(old) == len(new) == 4  # the deleted line is in neither
    for before, after in zip(old, new, strict=True):
        assert list(after) == list(before)  # the same fields in the same order
        for name in before:
            assert after[name] == before[name], (before["number"], name)
            assert type(after[name]) is type(before[name]), (before["number"], name)
    # and the same JSON text
    assert json.dumps(new, ensure_ascii=False) == json.dumps(old, ensure_ascii=False)


def test_the_rows_say_what_the_serializer_says_field_by_field() -> None:
    plan = varied_plan()
    old = serializer_answer(plan)
    assert {line["origin_uid"] is None for line in old} == {True, False}
    assert {line["proposed_source_code"] is None for line in old} == {True, False}
    assert any(line["updated_at"].endswith("+07:00") for line in old)
    assert_same(old, rows_answer(plan))
    assert_same(old, fast_rows_answer(plan))


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_the_same_in_another_time_zone(zone: str) -> None:
    plan = varied_plan()
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        old = serializer_answer(plan)
        assert_same(old, rows_answer(plan))
        assert_same(old, fast_rows_answer(plan))
    if zone == "UTC":
        assert any(line["updated_at"] == "2027-01-31T17:00:00.123456Z" for line in old)


def test_every_field_of_the_serializer_is_read_from_a_column() -> None:
    fields = ProposalLineOutput().fields
    assert len(PROPOSAL_LINE_VALUES) == len(fields)
    assert "sector__code" in PROPOSAL_LINE_VALUES
    assert "origin__uid" in PROPOSAL_LINE_VALUES


def test_the_api_list_answers_what_the_serializer_says_on_every_page() -> None:
    plan = varied_plan()
    client = APIClient()
    client.force_authenticate(commune_planner(hai_lang()))
    url: str | None = f"/api/v1/village-plans/{plan.uid}/lines/?page_size=2"
    listed: list[dict[str, Any]] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        listed += response.json()["results"]
        url = response.json()["next"]
    expected = json.loads(json.dumps(serializer_answer(plan)))
    assert listed == expected
