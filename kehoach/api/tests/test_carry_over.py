"""``/village-plans/<uid>/carry-over/`` (issue 17): last year's lines offered as the page offers
them, carried by their uids with ``If-Match`` (the plan's version) and ``?dry_run=1``; the same
rows and history as the page's carry-over."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.api.serializers.actions import plan_version
from kehoach.approvals.models import AuditEntry
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang
from kehoach.plans.choices import LineOutcome, PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.tests import factories as f

from .test_villages import api_for

pytestmark = pytest.mark.django_db
API = "/api/v1"
LINE_SKIP = {"id", "uid", "plan_id", "origin_id", "created_at", "updated_at"}
AUDIT_SKIP = {"id", "plan_uid", "subject_id", "created_at", "at", "via"}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def commune() -> AdministrativeUnit:
    return hai_lang()


def with_last_year(commune: AdministrativeUnit, name: str, **values: Any) -> VillagePlan:
    """A village with a 2026 plan of one unfunded line and an empty 2027 draft."""
    village = VillageFactory.create(parent=commune, name=name)
    f.line(
        f.village_plan(village, year=2026),
        activity="Kênh mương nội đồng",
        outcome=LineOutcome.UNFUNDED,
        start_month=datetime.date(2026, 9, 1),
        end_month=datetime.date(2026, 11, 1),
        **values,
    )
    return f.village_plan(village, year=2027)


def old_uid(plan: VillagePlan) -> str:
    line = ProposalLine.objects.get(plan__village=plan.village, plan__round__plan_year=2026)
    return str(line.uid)


def url(plan: VillagePlan, dry: bool = False) -> str:
    return f"{API}/village-plans/{plan.uid}/carry-over/" + ("?dry_run=1" if dry else "")


def tag(plan: VillagePlan) -> str:
    plan.refresh_from_db()
    return f'"{plan_version(plan)}"'


def counts() -> tuple[int, int]:
    return ProposalLine.objects.count(), AuditEntry.objects.count()


def rows(plan: VillagePlan) -> tuple[Any, ...]:
    lines = [
        {k: v for k, v in vars(line).items() if k not in LINE_SKIP and not k.startswith("_")}
        for line in ProposalLine.objects.filter(plan=plan).order_by("number")
    ]
    history = [
        {k: v for k, v in vars(e).items() if k not in AUDIT_SKIP and not k.startswith("_")}
        for e in AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id")
    ]
    return lines, history


def test_the_candidates_are_the_pages_with_their_uids(commune: AdministrativeUnit) -> None:
    plan = with_last_year(commune, "Thôn Một")
    api = api_for(commune_planner(commune))

    response = api.get(url(plan))

    assert response.status_code == 200
    assert response["ETag"] == tag(plan)
    body = response.json()
    (candidate,) = body["candidates"]
    assert body["previous_year"] == 2026
    assert candidate["uid"] == old_uid(plan) and candidate["can_carry"] is True
    assert (candidate["kind"], candidate["year"], candidate["number"]) == ("unfunded", 2026, 1)


def test_carrying_through_the_api_leaves_the_pages_rows_and_history(
    commune: AdministrativeUnit,
) -> None:
    planner = commune_planner(commune)
    by_page = with_last_year(commune, "Thôn Một")
    by_api = with_last_year(commune, "Thôn Hai")
    page = Client()
    page.force_login(planner)
    done = page.post(reverse("plans:carry_over", args=[by_page.uid]), {"lines": [old_uid(by_page)]})
    assert done.status_code == 302
    api = api_for(planner)
    body = {"lines": [old_uid(by_api)]}
    before = counts()

    assert api.post(url(by_api), body, format="json").status_code == 428
    stale = api.post(url(by_api), body, format="json", HTTP_IF_MATCH='"3"')
    assert stale.status_code == 412 and stale.json()["current"]["uid"] == str(by_api.uid)
    dry = api.post(url(by_api, dry=True), body, format="json", HTTP_IF_MATCH=tag(by_api))
    assert dry.status_code == 200 and dry.json()["dry_run"] is True
    assert [line["uid"] for line in dry.json()["lines"]] == body["lines"]
    assert counts() == before
    response = api.post(url(by_api), body, format="json", HTTP_IF_MATCH=tag(by_api))

    assert response.status_code == 201, response.json()
    (line,) = response.json()["lines"]
    assert line["origin_uid"] == old_uid(by_api) and line["number"] == 1
    assert rows(by_api) == rows(by_page)
    assert AuditEntry.objects.get(plan_uid=by_api.uid).via == "api"
    assert api.get(url(by_api)).json()["candidates"] == []


def test_a_refused_line_nothing_chosen_and_a_line_not_offered(
    commune: AdministrativeUnit,
) -> None:
    planner = commune_planner(commune)
    retired = f.sector("LN-CU", "Lâm nghiệp (danh mục cũ)", 70)
    retired.is_active = False
    retired.save()
    plan = with_last_year(commune, "Thôn Ba", sector=retired)
    api = api_for(planner)
    before = counts()

    (candidate,) = api.get(url(plan)).json()["candidates"]
    refused = api.post(
        url(plan), {"lines": [old_uid(plan)]}, format="json", HTTP_IF_MATCH=tag(plan)
    )
    checked = api.post(
        url(plan, dry=True), {"lines": [old_uid(plan)]}, format="json", HTTP_IF_MATCH=tag(plan)
    )
    empty = api.post(url(plan), {"lines": []}, format="json", HTTP_IF_MATCH=tag(plan))
    unknown = api.post(
        url(plan), {"lines": [str(plan.uid)]}, format="json", HTTP_IF_MATCH=tag(plan)
    )

    assert candidate["can_carry"] is False and candidate["problems"]
    assert refused.status_code == 400 and checked.status_code == 400
    assert refused.json() == checked.json()
    assert empty.status_code == 400 and empty.json()["code"] == "nothing_chosen"
    assert unknown.status_code == 404
    assert counts() == before


def test_a_submitted_plan_a_read_only_token_and_another_commune(
    commune: AdministrativeUnit,
) -> None:
    planner = commune_planner(commune)
    submitted = with_last_year(commune, "Thôn Bốn")
    VillagePlan.objects.filter(pk=submitted.pk).update(status=PlanStatus.SUBMITTED)
    open_plan = with_last_year(commune, "Thôn Năm")
    other = CommuneFactory.create(parent=commune.parent)
    elsewhere = with_last_year(other, "Thôn Sáu")
    api = api_for(planner)
    reader = api_for(planner, scope=ApiTokenScope.READ)
    before = counts()

    locked = api.post(
        url(submitted), {"lines": [old_uid(submitted)]}, format="json", HTTP_IF_MATCH=tag(submitted)
    )
    read_only = reader.post(
        url(open_plan), {"lines": [old_uid(open_plan)]}, format="json", HTTP_IF_MATCH=tag(open_plan)
    )
    foreign = api.post(
        url(elsewhere), {"lines": [old_uid(elsewhere)]}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert locked.status_code == 400, locked.json()
    assert locked.json()["code"] == "plan_locked"
    assert read_only.status_code == 403
    assert foreign.status_code == 404 and api.get(url(elsewhere)).status_code == 404
    assert counts() == before
