"""A commune line's scores and rank through the API (issue 17): read with the ETag, set through
the scoring writers with ``If-Match`` (412 with the saved scores), ``?dry_run=1`` writing
nothing, refusals by the services' codes, and the same rows and history as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.models import ApiTokenScope, RoleAssignment
from kehoach.accounts.permissions import forget_assignments
from kehoach.approvals.models import AuditEntry
from kehoach.geo.tests.factories import dong_hoi
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.services.scoring import criteria_of
from kehoach.synthesis.tests import factories as f

from .test_commune_line_writes import _history, _rows, api_for, plan, planner, road, synthesised

__all__ = ["plan", "planner"]  # the fixtures, shared
pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def url(plan: CommunePlan, line: CommuneLine, tail: str) -> str:
    return f"{API}/commune-plans/{plan.uid}/lines/{line.uid}/{tail}"


def judged(plan: CommunePlan) -> list[str]:
    return [c.code for c in criteria_of(plan) if not c.automatic]


def counts() -> tuple[int, int]:
    return (AuditEntry.objects.count(), sum(CommuneLine.objects.values_list("version", flat=True)))


def test_scores_are_read_with_the_etag_and_set_with_if_match(
    planner: Any, plan: CommunePlan
) -> None:
    api = api_for(planner)
    line = road(plan)
    code = judged(plan)[0]
    read = api.get(url(plan, line, "scores/"))
    assert read.status_code == 200 and read["ETag"] == f'"{line.version}"'
    assert read.json()["manual_scores"] == {}
    assert (
        api.put(url(plan, line, "scores/"), {"scores": {code: 4}}, format="json").status_code == 428
    )
    stale = api.put(
        url(plan, line, "scores/"), {"scores": {code: 4}}, format="json", HTTP_IF_MATCH='"0"'
    )
    assert stale.status_code == 412 and stale.json()["current"]["manual_scores"] == {}
    done = api.put(
        url(plan, line, "scores/"),
        {"scores": {code: "4,5"}},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert done.status_code == 200, done.json()
    assert done.json()["manual_scores"] == {code: 4.5}
    assert done["ETag"] == f'"{line.version + 1}"'


def test_a_wrong_score_or_rank_is_refused_by_the_services_code_and_a_dry_run_writes_nothing(
    planner: Any, plan: CommunePlan
) -> None:
    api = api_for(planner)
    line = road(plan)
    code = judged(plan)[0]
    before = counts()
    tag = {"HTTP_IF_MATCH": f'"{line.version}"'}
    wrong = api.put(
        url(plan, line, "scores/?dry_run=1"), {"scores": {code: 9}}, format="json", **tag
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "score_range"
    dry = api.put(url(plan, line, "scores/?dry_run=1"), {"scores": {code: 3}}, format="json", **tag)
    assert dry.status_code == 200 and dry.json() == {"dry_run": True}
    reasonless = api.put(url(plan, line, "rank/?dry_run=1"), {"rank": 1}, format="json", **tag)
    assert reasonless.status_code == 400 and reasonless.json()["code"] == "rank_reason_required"
    ok = api.put(
        url(plan, line, "rank/?dry_run=1"), {"rank": 1, "reason": "Gấp"}, format="json", **tag
    )
    assert ok.status_code == 200
    assert counts() == before

    reader = api_for(planner, ApiTokenScope.READ)
    assert (
        reader.put(url(plan, line, "rank/"), {"rank": None}, format="json", **tag).status_code
        == 403
    )
    stranger = api_for(f.planner(dong_hoi()))
    assert stranger.get(url(plan, line, "scores/")).status_code == 404
    CommunePlan.objects.filter(pk=plan.pk).update(status=CommunePlanStatus.SUBMITTED)
    for query in ("", "?dry_run=1"):
        locked = api.put(
            url(plan, line, f"scores/{query}"), {"scores": {code: 3}}, format="json", **tag
        )
        assert locked.status_code in (400, 403) and locked.json()["code"] == "commune_plan_locked"
    assert counts() == before


def test_the_same_scores_and_rank_through_the_pages_and_the_api_leave_the_same_rows_and_history(
    planner: Any, plan: CommunePlan
) -> None:
    RoleAssignment.objects.create(user=planner, role=Role.COMMUNE_PLANNER, unit=dong_hoi())
    forget_assignments(planner)
    twin = synthesised(dong_hoi(), planner)
    page = Client()
    page.force_login(planner)
    api = api_for(planner)
    start = (len(_history(plan)), len(_history(twin)))
    line, twin_line = road(plan), road(twin)
    code = judged(plan)[0]

    answer = page.post(
        reverse("synthesis:scoring", args=[plan.uid]),
        {"line": line.number, f"s_{code}": "4", "version": line.version},
    )
    assert answer.status_code == 302
    scored = api.put(
        url(twin, twin_line, "scores/"),
        {"scores": {code: 4}},
        format="json",
        HTTP_IF_MATCH=f'"{twin_line.version}"',
    )
    assert scored.status_code == 200, scored.json()
    answer = page.post(
        reverse("synthesis:line_rank", args=[plan.uid, line.uid]),
        {"rank-rank": "1", "rank-reason": "Đường vào trường"},
    )
    assert answer.status_code == 302
    ranked = api.put(
        url(twin, twin_line, "rank/"),
        {"rank": 1, "reason": "Đường vào trường"},
        format="json",
        HTTP_IF_MATCH=scored["ETag"],
    )
    assert ranked.status_code == 200, ranked.json()
    assert ranked.json()["rank_override"] == 1

    assert _rows(plan) == _rows(twin)
    assert _history(plan)[start[0] :] == _history(twin)[start[1] :]
    assert len(_history(twin)) - start[1] == 2
    via = AuditEntry.objects.filter(plan_uid=twin.uid).order_by("id").values_list("via", flat=True)
    assert list(via)[start[1] :] == ["api", "api"]
