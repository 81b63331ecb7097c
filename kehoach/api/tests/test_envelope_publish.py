"""Publishing a round's envelope through the API (issue 17): If-Match (the envelope's version),
``?dry_run=1`` answered by ``envelope_publish_check``, refusals, and the same rows and history
as the envelope page's button."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import AuditEntry, StatusChange
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.plans.models import PlanningRound
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.models import CommunePlan, Envelope
from kehoach.synthesis.tests import factories as sf

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Tài chính", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def with_line(commune: Any) -> PlanningRound:
    round_ = sf.round_of(commune)
    sf.envelope_line(round_, sf.commune_budget(), "1000")
    return round_


def publish_url(round_: PlanningRound) -> str:
    return f"{API}/rounds/{round_.uid}/envelope/actions/publish/"


def version(api: APIClient, round_: PlanningRound) -> str:
    return str(api.get(f"{API}/rounds/{round_.uid}/envelope/")["ETag"])


def counts() -> tuple[int, int, int, int]:
    return (
        Envelope.objects.filter(published_at__isnull=False).count(),
        Envelope.objects.count(),
        StatusChange.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def planner() -> Any:
    return sf.planner(hai_lang(), username="xa.hailang")


def test_publishing_copies_the_lines_and_answers_the_envelope(planner: Any) -> None:
    round_ = with_line(hai_lang())
    api = api_for(planner)
    answer = api.post(publish_url(round_), HTTP_IF_MATCH=version(api, round_))
    assert answer.status_code == 200, answer.json()
    assert answer.json()["published_at"] is not None
    assert answer["ETag"] == version(api, round_)
    envelope = Envelope.objects.get(round=round_)
    assert len(envelope.published_lines) == 1
    change = StatusChange.objects.get(subject_label="synthesis.envelope")
    assert (change.action, change.to_state, change.via) == ("publish", "published", "api")


def test_publishing_needs_the_envelopes_version_and_a_stale_one_answers_412(
    planner: Any,
) -> None:
    round_ = with_line(hai_lang())
    api = api_for(planner)
    before = counts()
    assert api.post(publish_url(round_)).status_code == 428
    stale = api.post(publish_url(round_), HTTP_IF_MATCH='"99"')
    assert stale.status_code == 412
    assert stale.json()["current"]["round_uid"] == str(round_.uid)
    assert counts() == before


def test_a_dry_run_answers_the_lines_it_would_publish_and_writes_nothing(planner: Any) -> None:
    round_ = with_line(hai_lang())
    api = api_for(planner)
    before = counts()
    dry = api.post(publish_url(round_) + "?dry_run=1", HTTP_IF_MATCH=version(api, round_))
    assert dry.status_code == 200, dry.json()
    assert dry.json() == {"dry_run": True, "counts": {"published_lines": 1}}
    assert counts() == before


def test_an_empty_envelope_is_refused_by_the_check_and_the_writer_alike(planner: Any) -> None:
    round_ = sf.round_of(hai_lang())
    api = api_for(planner)
    before = counts()
    for suffix in ("?dry_run=1", ""):
        refused = api.post(publish_url(round_) + suffix, HTTP_IF_MATCH='"0"')
        assert refused.status_code == 400 and refused.json()["code"] == "envelope_empty"
    assert StatusChange.objects.count() == before[2]
    assert Envelope.objects.filter(published_at__isnull=False).count() == 0


def test_a_read_only_token_another_commune_and_a_locked_plan_publish_nothing(
    planner: Any,
) -> None:
    round_ = with_line(hai_lang())
    tag = version(api_for(planner), round_)
    before = counts()
    reader = api_for(planner, ApiTokenScope.READ)
    assert reader.post(publish_url(round_), HTTP_IF_MATCH=tag).status_code == 403
    stranger = api_for(sf.planner(dong_hoi(), username="xa.donghoi"))
    assert stranger.post(publish_url(round_), HTTP_IF_MATCH=tag).status_code == 404
    sf.commune_plan_for(round_)
    CommunePlan.objects.filter(round=round_).update(status=CommunePlanStatus.SUBMITTED)
    for suffix in ("", "?dry_run=1"):
        locked = api_for(planner).post(publish_url(round_) + suffix, HTTP_IF_MATCH=tag)
        assert locked.status_code in (400, 403), locked.json()
        assert locked.json()["code"] == "commune_plan_locked"
    assert counts() == before


def _published(round_: PlanningRound) -> list[dict[str, Any]]:
    return list(Envelope.objects.get(round=round_).published_lines)


def _history(round_: PlanningRound) -> list[tuple[Any, ...]]:
    plan = CommunePlan.objects.get(round=round_)
    return [
        (s.subject_label, s.action, s.from_state, s.to_state, s.comment, s.actor_id)
        for s in StatusChange.objects.filter(plan_uid=plan.uid).order_by("id")
    ]


def test_publishing_through_the_page_and_the_api_leaves_the_same_rows_and_history(
    planner: Any,
) -> None:
    round_ = with_line(hai_lang())
    officer = sf.planner(dong_hoi(), username="xa.donghoi")
    twin = with_line(dong_hoi())
    page = Client()
    page.force_login(planner)
    assert page.post(reverse("synthesis:envelope_publish", args=[round_.uid])).status_code == 302
    api = api_for(officer)
    assert api.post(publish_url(twin), HTTP_IF_MATCH=version(api, twin)).status_code == 200
    mine, theirs = _published(round_), _published(twin)
    drop = {"uid", "id"}
    assert [{k: v for k, v in r.items() if k not in drop} for r in mine] == [
        {k: v for k, v in r.items() if k not in drop} for r in theirs
    ]
    page_rows, api_rows = _history(round_), _history(twin)
    assert [r[:5] for r in page_rows] == [r[:5] for r in api_rows] and len(page_rows) == 1
    plan, twin_plan = CommunePlan.objects.get(round=round_), CommunePlan.objects.get(round=twin)
    assert {s.via for s in StatusChange.objects.filter(plan_uid=plan.uid)} == {""}
    assert {s.via for s in StatusChange.objects.filter(plan_uid=twin_plan.uid)} == {"api"}
