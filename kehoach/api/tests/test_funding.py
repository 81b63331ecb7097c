"""The commune's funding decisions through the API (issue 17): a line decided by hand with its
amounts by envelope line, and the allocation run; ``If-Match`` and 412; ``?dry_run=1`` answered
by the services' checks; the same rows and history as the pages' own writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.choices import Role
from kehoach.accounts.models import ApiTokenScope, RoleAssignment
from kehoach.accounts.permissions import forget_assignments
from kehoach.accounts.tokens import token_create
from kehoach.api.serializers.actions import plan_version
from kehoach.approvals.models import AuditEntry
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.synthesis.choices import CommunePlanStatus, Decision, DecisionOrigin
from kehoach.synthesis.models import (
    AllocationRun,
    CommuneLine,
    CommunePlan,
    EnvelopeLine,
    LineFunding,
)
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"
REASON = "Đường liên thôn, ưu tiên 1 của thôn."


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def synthesised(commune: AdministrativeUnit, planner: Any) -> CommunePlan:
    """The commune plan of 2027 from one village's road (600 million, 100 from the people:
    500 of support needed) with an envelope of 1 000 million from the commune budget."""
    (village,) = f.villages(commune, ["Thôn Diên Sanh"])
    f.submitted_plan(village, [f.money_line("600", "100", sector=f.transport(), activity="Đường")])
    round_ = f.round_of(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    f.envelope_line(round_, f.commune_budget(), "1000")
    return f.commune_plan_for(round_)


@pytest.fixture
def planner() -> Any:
    return f.planner(hai_lang())


@pytest.fixture
def plan(planner: Any) -> CommunePlan:
    return synthesised(hai_lang(), planner)


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Tài chính", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api(planner: Any, plan: CommunePlan) -> APIClient:
    return api_for(planner)


def road(plan: CommunePlan) -> CommuneLine:
    return plan.lines.get(activity="Đường")


def pot(plan: CommunePlan) -> EnvelopeLine:
    return EnvelopeLine.objects.get(envelope__round=plan.round)


def funding_url(plan: CommunePlan, line: CommuneLine) -> str:
    return f"{API}/commune-plans/{plan.uid}/lines/{line.uid}/funding/"


def run_url(plan: CommunePlan) -> str:
    return f"{API}/commune-plans/{plan.uid}/allocation/run/"


def funded(plan: CommunePlan, amount: str = "500") -> dict[str, Any]:
    return {
        "decision": "funded",
        "reason": REASON,
        "funding": [{"envelope_line_uid": str(pot(plan).uid), "amount_mvnd": amount}],
    }


def tag(line: CommuneLine) -> str:
    line.refresh_from_db()
    return f'"{line.version}"'


def counts() -> tuple[int, int, int, int]:
    return (
        CommuneLine.objects.exclude(decision=Decision.PENDING).count(),
        LineFunding.objects.count(),
        AllocationRun.objects.count(),
        AuditEntry.objects.count(),
    )


# --- a line's funding decision ----------------------------------------------------------------


def test_a_line_funded_by_hand_draws_on_the_envelope_and_answers_its_new_etag(
    api: APIClient, plan: CommunePlan
) -> None:
    line = road(plan)
    version = line.version
    answer = api.put(funding_url(plan, line), funded(plan), format="json", HTTP_IF_MATCH=tag(line))
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert answer["ETag"] == f'"{version + 1}"'
    assert (body["decision"], body["decision_reason"]) == ("funded", REASON)
    assert [(x["envelope_line_uid"], x["amount_mvnd"]) for x in body["funding"]] == [
        (str(pot(plan).uid), "500.000")
    ]
    line.refresh_from_db()
    assert (line.decision, line.decision_origin) == (Decision.FUNDED, DecisionOrigin.MANUAL)
    entry = AuditEntry.objects.filter(plan_uid=plan.uid).latest("id")
    assert entry.via == "api" and entry.subject_id == str(line.pk)


def test_a_decision_the_rules_refuse_names_the_field_and_writes_nothing(
    api: APIClient, plan: CommunePlan
) -> None:
    line = road(plan)
    before = counts()
    short = api.put(
        funding_url(plan, line), funded(plan, "400"), format="json", HTTP_IF_MATCH=tag(line)
    )
    assert short.status_code == 400
    assert (short.json()["code"], short.json()["where"]["field"]) == ("funding_sum", "funding")
    over = api.put(
        funding_url(plan, line), funded(plan, "1200"), format="json", HTTP_IF_MATCH=tag(line)
    )
    assert over.status_code == 400
    problems = over.json().get("errors") or [over.json()]
    assert {"funding_over_envelope", "funding_sum"} >= {p["code"] for p in problems}
    assert any(p["where"].get("field") == "funding[0]" for p in problems)
    no_reason = api.put(
        funding_url(plan, line),
        {"decision": "deferred", "reason": " "},
        format="json",
        HTTP_IF_MATCH=tag(line),
    )
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    unknown = api.put(
        funding_url(plan, line),
        {**funded(plan), "funding": [{"envelope_line_uid": str(line.uid), "amount_mvnd": "5"}]},
        format="json",
        HTTP_IF_MATCH=tag(line),
    )
    assert unknown.status_code == 404
    assert counts() == before


def test_a_decision_needs_the_version_read_and_a_stale_one_answers_412(
    api: APIClient, plan: CommunePlan
) -> None:
    line = road(plan)
    before = counts()
    missing = api.put(funding_url(plan, line), funded(plan), format="json")
    assert missing.status_code == 428
    stale = api.put(
        funding_url(plan, line),
        funded(plan),
        format="json",
        HTTP_IF_MATCH=f'"{line.version + 5}"',
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["uid"] == str(line.uid)
    assert counts() == before


def test_a_dry_run_decision_answers_or_refuses_and_writes_nothing(
    api: APIClient, plan: CommunePlan
) -> None:
    line = road(plan)
    before = counts()
    url = f"{funding_url(plan, line)}?dry_run=1"
    fine = api.put(url, funded(plan), format="json", HTTP_IF_MATCH=tag(line))
    assert fine.status_code == 200
    assert fine.json() == {"dry_run": True, "counts": {"decided": 1}}
    refused = api.put(url, funded(plan, "400"), format="json", HTTP_IF_MATCH=tag(line))
    assert refused.status_code == 400 and refused.json()["code"] == "funding_sum"
    assert counts() == before


def test_a_read_only_token_another_commune_and_a_locked_plan_decide_nothing(
    planner: Any, plan: CommunePlan
) -> None:
    line = road(plan)
    before = counts()
    reader = api_for(planner, ApiTokenScope.READ)
    answer = reader.put(
        funding_url(plan, line), funded(plan), format="json", HTTP_IF_MATCH=tag(line)
    )
    assert answer.status_code == 403
    assert reader.post(run_url(plan), HTTP_IF_MATCH=f'"{plan_version(plan)}"').status_code == 403

    stranger = api_for(f.planner(dong_hoi()))
    answer = stranger.put(
        funding_url(plan, line), funded(plan), format="json", HTTP_IF_MATCH=tag(line)
    )
    assert answer.status_code == 404
    assert stranger.post(run_url(plan), HTTP_IF_MATCH=f'"{plan_version(plan)}"').status_code == 404

    CommunePlan.objects.filter(pk=plan.pk).update(status=CommunePlanStatus.SUBMITTED)
    plan.refresh_from_db()
    writer = api_for(planner)
    for suffix in ("", "?dry_run=1"):
        locked = writer.put(
            funding_url(plan, line) + suffix, funded(plan), format="json", HTTP_IF_MATCH=tag(line)
        )
        ran = writer.post(run_url(plan) + suffix, HTTP_IF_MATCH=f'"{plan_version(plan)}"')
        for refused in (locked, ran):
            assert refused.status_code in (400, 403)
            assert refused.json()["code"] == "commune_plan_locked"
    assert counts() == before


# --- the allocation run -----------------------------------------------------------------------


def test_the_allocation_run_funds_the_road_and_stores_both_procedures(
    api: APIClient, plan: CommunePlan
) -> None:
    answer = api.post(run_url(plan), HTTP_IF_MATCH=f'"{plan_version(plan)}"')
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["dry_run"] is False
    assert (body["greedy"]["funded_count"], body["greedy"]["applied"]) == (1, True)
    assert body["optimal"]["applied"] is False
    assert body["greedy"]["lines"][0]["line_uid"] == str(road(plan).uid)
    assert AllocationRun.objects.filter(plan=plan).count() == 2
    line = road(plan)
    assert (line.decision, line.decision_origin) == (Decision.FUNDED, DecisionOrigin.ALLOCATION)
    assert AuditEntry.objects.filter(plan_uid=plan.uid).latest("id").via == "api"


def test_the_allocation_dry_run_answers_what_it_would_decide_and_stores_nothing(
    api: APIClient, plan: CommunePlan
) -> None:
    before = counts()
    dry = api.post(f"{run_url(plan)}?dry_run=1", HTTP_IF_MATCH=f'"{plan_version(plan)}"')
    assert dry.status_code == 200, dry.json()
    assert dry.json()["dry_run"] is True
    assert dry.json()["greedy"]["funded_count"] == 1
    assert Decimal(dry.json()["greedy"]["funded_mvnd"]) == Decimal(500)
    assert counts() == before
    real = api.post(run_url(plan), HTTP_IF_MATCH=f'"{plan_version(plan)}"').json()
    for mode in ("greedy", "optimal"):
        assert dry.json()[mode] == real[mode]


def test_the_allocation_run_needs_the_plans_version(api: APIClient, plan: CommunePlan) -> None:
    before = counts()
    assert api.post(run_url(plan)).status_code == 428
    stale = api.post(run_url(plan), HTTP_IF_MATCH=f'"{plan_version(plan) - 1}"')
    assert stale.status_code == 412
    assert stale.json()["current"]["uid"] == str(plan.uid)
    assert counts() == before


# --- the same writes through the pages and the API ------------------------------------------


def _rows(plan: CommunePlan) -> list[tuple[Any, ...]]:
    names = ["number", "decision", "decision_origin", "decision_reason", "decision_code"]
    return [
        (
            *(getattr(line, name) for name in names),
            line.decision_params,
            line.version,
            sorted((x.envelope_line.number, x.amount_mvnd) for x in line.funding.all()),
        )
        for line in CommuneLine.objects.filter(plan=plan).order_by("number")
    ]


def _runs(plan: CommunePlan) -> list[tuple[Any, ...]]:
    return [
        (r.mode, r.funded_count, r.funded_mvnd, r.objective, r.applied_at is not None)
        for r in AllocationRun.objects.filter(plan=plan).order_by("mode")
    ]


def _history(plan: CommunePlan) -> list[tuple[Any, ...]]:
    return [
        (e.operation, e.subject_label, e.subject_repr, e.before, e.after, e.actor_username)
        for e in AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id")
    ]


def test_the_same_decisions_through_the_pages_and_the_api_leave_the_same_rows_and_history(
    planner: Any, plan: CommunePlan
) -> None:
    RoleAssignment.objects.create(user=planner, role=Role.COMMUNE_PLANNER, unit=dong_hoi())
    forget_assignments(planner)
    twin = synthesised(dong_hoi(), planner)
    page = Client()
    page.force_login(planner)
    api = api_for(planner)
    start = (len(_history(plan)), len(_history(twin)))
    assert _rows(plan) == _rows(twin)

    # the allocation run: the page's button for `plan`, the API for `twin`
    assert page.post(reverse("synthesis:allocation_run", args=[plan.uid])).status_code == 302
    twin.refresh_from_db()
    ran = api.post(run_url(twin), HTTP_IF_MATCH=f'"{plan_version(twin)}"')
    assert ran.status_code == 200, ran.json()

    # then a decision by hand with its funding, on the line's page and through the API
    line, twin_line = road(plan), road(twin)
    answer = page.post(
        reverse("synthesis:line_decide", args=[plan.uid, line.uid]),
        {"decision": "funded", "reason": REASON, f"funding_{pot(plan).uid}": "500"},
    )
    assert answer.status_code == 302
    decided = api.put(
        funding_url(twin, twin_line), funded(twin), format="json", HTTP_IF_MATCH=tag(twin_line)
    )
    assert decided.status_code == 200, decided.json()

    assert _rows(plan) == _rows(twin)
    assert _runs(plan) == _runs(twin)
    page_history, api_history = _history(plan)[start[0] :], _history(twin)[start[1] :]
    assert len(page_history) == 2 and page_history == api_history
    vias = [e.via for e in AuditEntry.objects.filter(plan_uid=twin.uid).order_by("id")]
    assert vias[start[1] :] == ["api", "api"]
    assert "api" not in {e.via for e in AuditEntry.objects.filter(plan_uid=plan.uid)}


# --- giving a line back to the allocation, applying the other stored run (h17q) ---------------


def apply_url(plan: CommunePlan, mode: str) -> str:
    return f"{API}/commune-plans/{plan.uid}/allocation/runs/{mode}/apply/"


def decided_by_hand(api: APIClient, plan: CommunePlan) -> CommuneLine:
    line = road(plan)
    answer = api.put(funding_url(plan, line), funded(plan), format="json", HTTP_IF_MATCH=tag(line))
    assert answer.status_code == 200, answer.json()
    return road(plan)


def test_a_line_given_back_loses_its_decision_with_412_428_and_dry_run(
    api: APIClient, plan: CommunePlan
) -> None:
    line = decided_by_hand(api, plan)
    before = counts()
    assert api.delete(funding_url(plan, line)).status_code == 428
    assert api.delete(funding_url(plan, line), HTTP_IF_MATCH='"99"').status_code == 412
    dry = api.delete(funding_url(plan, line) + "?dry_run=1", HTTP_IF_MATCH=tag(line))
    assert dry.json() == {"dry_run": True, "counts": {"cleared": 1}}
    assert counts() == before
    done = api.delete(funding_url(plan, line), HTTP_IF_MATCH=tag(line))
    assert done.status_code == 200, done.json()
    line = road(plan)
    assert (line.decision, line.decision_origin) == (Decision.PENDING, DecisionOrigin.NONE)
    assert done["ETag"] == tag(line) and not line.funding.exists()
    assert AuditEntry.objects.filter(plan_uid=plan.uid).latest("id").via == "api"


def test_applying_the_other_stored_run_with_412_428_dry_run_and_404(
    api: APIClient, plan: CommunePlan
) -> None:
    assert api.post(apply_url(plan, "optimal"), HTTP_IF_MATCH='"1"').status_code == 404
    api.post(run_url(plan), HTTP_IF_MATCH=f'"{plan_version(plan)}"')
    plan.refresh_from_db()
    before = counts()
    assert api.post(apply_url(plan, "optimal")).status_code == 428
    assert api.post(apply_url(plan, "optimal"), HTTP_IF_MATCH='"1"').status_code == 412
    version = f'"{plan_version(plan)}"'
    dry = api.post(apply_url(plan, "optimal") + "?dry_run=1", HTTP_IF_MATCH=version)
    assert dry.json() == {
        "dry_run": True,
        "counts": {"decided": 1, "funded": 1, "unfunded": 0},
    }
    assert counts() == before
    done = api.post(apply_url(plan, "optimal"), HTTP_IF_MATCH=version)
    assert done.status_code == 200, done.json()
    assert (done.json()["optimal"]["applied"], done.json()["greedy"]["applied"]) == (True, False)
    assert api.post(apply_url(plan, "nonsense"), HTTP_IF_MATCH=version).status_code == 404


def test_a_stale_run_a_read_only_token_another_commune_and_a_locked_plan_apply_nothing(
    planner: Any, api: APIClient, plan: CommunePlan
) -> None:
    api.post(run_url(plan), HTTP_IF_MATCH=f'"{plan_version(plan)}"')
    line = decided_by_hand(api, plan)  # the plan changed: the stored runs are stale
    plan.refresh_from_db()
    version = f'"{plan_version(plan)}"'
    before = counts()
    for suffix in ("", "?dry_run=1"):
        stale = api.post(apply_url(plan, "optimal") + suffix, HTTP_IF_MATCH=version)
        assert stale.status_code == 400 and stale.json()["code"] == "run_stale"
    reader = api_for(planner, ApiTokenScope.READ)
    assert reader.post(apply_url(plan, "optimal"), HTTP_IF_MATCH=version).status_code == 403
    assert reader.delete(funding_url(plan, line), HTTP_IF_MATCH=tag(line)).status_code == 403
    stranger = api_for(f.planner(dong_hoi()))
    assert stranger.post(apply_url(plan, "optimal"), HTTP_IF_MATCH=version).status_code == 404
    assert stranger.delete(funding_url(plan, line), HTTP_IF_MATCH=tag(line)).status_code == 404
    CommunePlan.objects.filter(pk=plan.pk).update(status=CommunePlanStatus.SUBMITTED)
    plan.refresh_from_db()
    for suffix in ("", "?dry_run=1"):
        locked = api.delete(funding_url(plan, line) + suffix, HTTP_IF_MATCH=tag(line))
        assert locked.json()["code"] == "commune_plan_locked"
        ran = api.post(apply_url(plan, "optimal") + suffix, HTTP_IF_MATCH=f'"{plan_version(plan)}"')
        assert ran.json()["code"] == "commune_plan_locked"
    assert counts() == before


def test_giving_back_and_applying_through_the_pages_and_the_api_leave_the_same_rows_and_history(
    planner: Any, plan: CommunePlan
) -> None:
    RoleAssignment.objects.create(user=planner, role=Role.COMMUNE_PLANNER, unit=dong_hoi())
    forget_assignments(planner)
    twin = synthesised(dong_hoi(), planner)
    page = Client()
    page.force_login(planner)
    api = api_for(planner)
    for one in (plan, twin):
        api.post(run_url(one), HTTP_IF_MATCH=f'"{plan_version(one)}"')
    start = (len(_history(plan)), len(_history(twin)))
    run = AllocationRun.objects.get(plan=plan, mode="optimal")
    answer = page.post(reverse("synthesis:allocation_apply", args=[plan.uid, run.uid]))
    assert answer.status_code == 302
    twin.refresh_from_db()
    applied = api.post(apply_url(twin, "optimal"), HTTP_IF_MATCH=f'"{plan_version(twin)}"')
    assert applied.status_code == 200, applied.json()
    decided_by_hand(api, plan), decided_by_hand(api, twin)
    start_clear = (len(_history(plan)), len(_history(twin)))
    line = road(plan)
    cleared = page.post(reverse("synthesis:line_decision_clear", args=[plan.uid, line.uid]))
    assert cleared.status_code == 302
    twin_line = road(twin)
    gone = api.delete(funding_url(twin, twin_line), HTTP_IF_MATCH=tag(twin_line))
    assert gone.status_code == 200, gone.json()

    assert _rows(plan) == _rows(twin) and _runs(plan) == _runs(twin)
    assert _history(plan)[start[0] :] == _history(twin)[start[1] :]
    vias = list(AuditEntry.objects.filter(plan_uid=twin.uid).order_by("id").values_list("via"))
    assert {v for (v,) in vias[start_clear[1] :]} == {"api"}
    page_vias = AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id").values_list("via")
    assert [v for (v,) in page_vias[start_clear[0] :]] == [""]
