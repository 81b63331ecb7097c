"""The commune plan's money read through the API (issue 17): the allocation page's stored runs
(``…/allocation/``) and the financial plan F12 (``…/financial-plan/``) — the pages' values, the
plan's ETag, another commune 404, the same answer in Vietnamese and English, and a query count
that does not grow with the number of lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tokens import token_create
from kehoach.api.serializers.actions import plan_version
from kehoach.api.writes import etag
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.reports.finance import financial_plan
from kehoach.synthesis.selectors import runs_to_compare
from kehoach.synthesis.services.funding import allocation_run
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def synthesised(commune: AdministrativeUnit, planner: Any, count: int = 3) -> CommunePlan:
    """A commune plan of ``count`` roads (600 million each, 100 from the people: 500 of support
    needed) with an envelope of 1 000 million from the commune budget: two roads can be paid."""
    (village,) = f.villages(commune, ["Thôn Diên Sanh"])
    lines = [
        f.money_line("600", "100", sector=f.transport(), activity=f"Đường số {n}")
        for n in range(1, count + 1)
    ]
    f.submitted_plan(village, lines)
    round_ = f.round_of(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    f.envelope_line(round_, f.commune_budget(), "1000")
    return f.commune_plan_for(round_)


def api_for(user: Any) -> APIClient:
    _token, secret = token_create(
        user=user, name="Sở Tài chính", scope=ApiTokenScope.READ, expires_at=None
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def planner() -> Any:
    return f.planner(hai_lang())


@pytest.fixture
def plan(planner: Any) -> CommunePlan:
    return synthesised(hai_lang(), planner)


@pytest.fixture
def api(planner: Any, plan: CommunePlan) -> APIClient:
    return api_for(planner)


def allocated(plan: CommunePlan, planner: Any) -> CommunePlan:
    allocation_run(actor=planner, plan=plan)
    return CommunePlan.objects.get(pk=plan.pk)


def allocation_url(plan: CommunePlan) -> str:
    return f"{API}/commune-plans/{plan.uid}/allocation/"


def finance_url(plan: CommunePlan) -> str:
    return f"{API}/commune-plans/{plan.uid}/financial-plan/"


def test_never_run_answers_empty_runs_with_the_plans_etag(
    api: APIClient, plan: CommunePlan
) -> None:
    answer = api.get(allocation_url(plan))
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"stale": False, "runs": []}
    assert answer["ETag"] == etag(plan_version(plan))


def test_the_stored_runs_are_the_pages(api: APIClient, plan: CommunePlan, planner: Any) -> None:
    plan = allocated(plan, planner)
    answer = api.get(allocation_url(plan))
    assert answer.status_code == 200, answer.json()
    assert answer["ETag"] == etag(plan_version(plan))
    body = answer.json()
    page = Client()
    page.force_login(planner)
    shown = page.get(reverse("synthesis:allocation", args=[plan.uid]))
    assert shown.status_code == 200
    assert shown.context["stale"] is body["stale"] is False
    runs = runs_to_compare(plan)
    assert [run["mode"] for run in body["runs"]] == [m for m, r in runs.items() if r is not None]
    for run in body["runs"]:
        stored = runs[run["mode"]]
        assert stored is not None
        assert run["uid"] == str(stored.uid)
        assert (run["funded_count"], Decimal(run["funded_mvnd"])) == (2, Decimal(1000))
        assert run["funded_count"] == stored.funded_count
        assert run["applied"] is (stored.applied_at is not None)
        expected = [
            (str(r.line.uid), r.funded, r.reason_code, r.reason) for r in stored.results.all()
        ]
        got = [(x["line_uid"], x["funded"], x["reason_code"], x["reason"]) for x in run["lines"]]
        assert got == expected
        assert all(x["reason"] for x in run["lines"])
        funded = [x for x in run["lines"] if x["funded"]]
        assert [Decimal(d["amount_mvnd"]) for x in funded for d in x["draws"]] == [500, 500]
        assert all(x["draws"] == [] for x in run["lines"] if not x["funded"])
    assert [r["applied"] for r in body["runs"]].count(True) == 1


def test_a_run_older_than_the_plan_is_stale(
    api: APIClient, plan: CommunePlan, planner: Any
) -> None:
    plan = allocated(plan, planner)
    CommunePlan.objects.filter(pk=plan.pk).update(data_version=plan.data_version + 1)
    body = api.get(allocation_url(plan)).json()
    assert body["stale"] is True
    assert all(run["stale"] for run in body["runs"])


def test_the_financial_plan_is_the_pages(api: APIClient, plan: CommunePlan, planner: Any) -> None:
    plan = allocated(plan, planner)
    answer = api.get(finance_url(plan))
    assert answer.status_code == 200, answer.json()
    assert answer["ETag"] == etag(plan_version(plan))
    body = answer.json()
    page = Client()
    page.force_login(planner)
    shown = page.get(reverse("synthesis:finance", args=[plan.uid]))
    assert shown.status_code == 200
    report = shown.context["report"]
    assert [s["code"] for s in body["sources"]] == [s.code for s in report.sources]
    assert len(body["groups"]) == len(report.groups)
    for group, (sector, rows, subtotal) in zip(body["groups"], report.groups, strict=True):
        assert group["sector_code"] == sector.code
        assert [r["line_uid"] for r in group["rows"]] == [str(r.line.uid) for r in rows]
        assert [r["label"] for r in group["rows"]] == [r.label for r in rows]
        assert Decimal(group["subtotal"]["support_mvnd"]) == subtotal.support
        assert group["subtotal"]["line_uid"] is None
    code = f.commune_budget().code
    total = body["total"]
    assert Decimal(total["total_mvnd"]) == report.total.total == Decimal(1200)
    assert Decimal(total["contribution_mvnd"]) == report.total.contribution == Decimal(200)
    assert Decimal(total["cash_mvnd"]) == Decimal(200)
    assert Decimal(total["support_mvnd"]) == Decimal(1000)
    assert total["by_source"] == {code: "1000.000"}
    assert total["balanced"] is True
    (check,) = body["checks"]
    assert (check["source_code"], check["envelope_mvnd"], check["used_mvnd"]) == (
        code,
        "1000.000",
        "1000.000",
    )
    assert (check["left_mvnd"], check["within"], body["all_within"]) == ("0.000", True, True)
    assert (body["unfunded_count"], body["unfunded_support_mvnd"]) == (
        report.unfunded_count,
        "500.000",
    )
    assert report.unfunded_count == 1


def test_before_any_funding_the_financial_plan_has_no_rows(
    api: APIClient, plan: CommunePlan
) -> None:
    body = api.get(finance_url(plan)).json()
    report = financial_plan(plan)
    assert body["groups"] == []
    assert body["unfunded_count"] == report.unfunded_count
    assert Decimal(body["total"]["total_mvnd"]) == 0


def test_another_commune_is_not_found(plan: CommunePlan, planner: Any) -> None:
    allocated(plan, planner)
    stranger = api_for(f.planner(dong_hoi()))
    assert stranger.get(allocation_url(plan)).status_code == 404
    assert stranger.get(finance_url(plan)).status_code == 404
    mine = api_for(planner)
    assert mine.get(f"{API}/commune-plans/not-a-uid/allocation/").status_code == 404


def test_vietnamese_and_english_answer_the_same(
    api: APIClient, plan: CommunePlan, planner: Any
) -> None:
    plan = allocated(plan, planner)
    for url in (allocation_url(plan), finance_url(plan)):
        vi = api.get(url, HTTP_ACCEPT_LANGUAGE="vi").json()
        en = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
        assert vi == en


def test_the_query_count_does_not_grow_with_the_lines() -> None:
    counted: dict[int, list[int]] = {}
    for commune, count in ((hai_lang(), 3), (dong_hoi(), 30)):
        planner = f.planner(commune)
        plan = allocated(synthesised(commune, planner, count), planner)
        assert plan.lines.count() == count
        client = api_for(planner)
        counted[count] = []
        for url in (allocation_url(plan), finance_url(plan)):
            client.get(url)  # warm the token's and the user's caches alike for both
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counted[count].append(len(queries))
    assert counted[3] == counted[30]
    assert max(counted[30]) <= 10
