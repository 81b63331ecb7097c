"""Workflow actions through the API (issue 17): ``POST …/actions/<name>/`` of village and
commune plans — each the page's own service call, with ``If-Match`` (428, 412 with the plan as
it is now), ``?dry_run=1`` that writes nothing, the services' refusals (never 500), and the
same status-change and audit rows as the page's, the API's marked as such."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.choices import Role
from kehoach.accounts.models import ApiTokenScope, RoleAssignment
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import AuditEntry, StatusChange, Version
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import VillagePlan
from kehoach.plans.services.lines import proposal_line_create
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.services.workflow import plan_submit
from kehoach.plans.tests import factories as f
from kehoach.synthesis.choices import CommunePlanStatus, Decision
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.services.funding import allocation_run
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_transition
from kehoach.synthesis.tests import factories as sf

pytestmark = pytest.mark.django_db
API = "/api/v1"

MEETING = {
    "held_on": datetime.date(2026, 6, 10),
    "place": "Nhà văn hóa thôn",
    "chair": "Trần Văn Bình",
    "secretary": "Lê Thị Na",
    "households_total": 100,
    "households_represented": 62,
    "participants_total": 70,
    "participants_women": 28,
    "participants_poor": 9,
    "participants_em": 0,
    "decision": "Thông qua danh mục đề xuất năm 2027",
    "votes_agree": 60,
    "votes_disagree": 5,
    "votes_abstain": 5,
}
RESOLUTION = {
    "resolution_number": "25/NQ-HĐND",
    "resolution_date": "2026-12-01",
    "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
}
ROAD = "Bê tông hóa đường liên thôn"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Tài chính", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def village_url(plan: VillagePlan, action: str | None = None) -> str:
    base = f"{API}/village-plans/{plan.uid}/"
    return f"{base}actions/{action}/" if action else base


def commune_url(plan: CommunePlan, action: str | None = None) -> str:
    base = f"{API}/commune-plans/{plan.uid}/"
    return f"{base}actions/{action}/" if action else base


def act(client: APIClient, url: str, body: Any = None, *, tag: str | None, **extra: Any) -> Any:
    headers = {"HTTP_IF_MATCH": tag} if tag is not None else {}
    return client.post(url, body or {}, format="json", **headers, **extra)


def etag_of(client: APIClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return str(response["ETag"])


def ready(plan: VillagePlan, actor: Any, **meeting: Any) -> None:
    proposal_line_create(actor=actor, plan=plan, data=f.line_data())
    meeting_save(actor=actor, plan=plan, data={**MEETING, **meeting})


def written() -> tuple[int, int, int]:
    return StatusChange.objects.count(), AuditEntry.objects.count(), Version.objects.count()


# --- village plans ----------------------------------------------------------------------------


@pytest.fixture
def plan() -> VillagePlan:
    return f.village_plan()


@pytest.fixture
def planner(plan: VillagePlan) -> Any:
    return commune_planner(plan.village.parent)


def test_submit_needs_the_plans_etag_and_a_stale_one_answers_412_with_the_plan_now(
    plan: VillagePlan, planner: Any
) -> None:
    ready(plan, planner)
    api = api_for(planner)
    tag = etag_of(api, village_url(plan))

    missing = act(api, village_url(plan, "submit"), tag=None)
    assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"
    stale = act(api, village_url(plan, "submit"), tag='"1"')
    assert stale.status_code == 412 and stale.json()["code"] == "conflict"
    assert stale.json()["current"]["status"] == "draft"
    assert stale.json()["current"]["uid"] == str(plan.uid)
    assert not StatusChange.objects.exists()

    done = act(api, village_url(plan, "submit"), tag=tag)

    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "submitted" and done.json()["uid"] == str(plan.uid)
    assert done["ETag"] != tag and done["ETag"] == etag_of(api, village_url(plan))
    change = StatusChange.objects.get(plan_uid=plan.uid)
    assert (change.action, change.from_state, change.to_state, change.via) == (
        "submit",
        "draft",
        "submitted",
        "api",
    )
    again = act(api, village_url(plan, "submit"), tag=tag)  # the old ETag: 412, not a 2nd step
    assert again.status_code == 412 and again.json()["current"]["status"] == "submitted"


def test_submit_refused_by_the_plans_checks_answers_the_services_problem(
    plan: VillagePlan, planner: Any
) -> None:
    proposal_line_create(actor=planner, plan=plan, data=f.line_data())  # no meeting recorded
    api = api_for(planner)
    tag = etag_of(api, village_url(plan))
    before = written()

    refused = act(api, village_url(plan, "submit"), tag=tag, HTTP_ACCEPT_LANGUAGE="vi")

    assert refused.status_code == 400
    assert refused.json()["code"] == "plan_not_ready"
    assert "Chưa ghi biên bản họp thôn." in refused.json()["detail"]
    assert written() == before
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_return_needs_a_comment_and_revise_reopens_the_plan(
    plan: VillagePlan, planner: Any
) -> None:
    ready(plan, planner)
    plan_submit(actor=planner, plan=plan)
    api = api_for(planner)
    tag = etag_of(api, village_url(plan))

    blank = act(api, village_url(plan, "return"), {"comment": "  "}, tag=tag)
    assert blank.status_code == 400
    assert (blank.json()["code"], blank.json()["where"]) == (
        "comment_required",
        {"field": "comment"},
    )
    early = act(api, village_url(plan, "revise"), tag=tag)  # not returned yet
    assert early.status_code == 400 and early.json()["code"] == "transition_invalid"

    returned = act(api, village_url(plan, "return"), {"comment": "Bổ sung biên bản"}, tag=tag)
    assert returned.status_code == 200, returned.json()
    assert returned.json()["status"] == "returned"
    change = StatusChange.objects.get(plan_uid=plan.uid, action="return")
    assert (change.comment, change.via) == ("Bổ sung biên bản", "api")

    revised = act(api, village_url(plan, "revise"), tag=returned["ETag"])
    assert revised.status_code == 200 and revised.json()["status"] == "draft"


def test_accept_meeting_is_the_leaders_with_a_reason(plan: VillagePlan, planner: Any) -> None:
    ready(plan, planner, households_represented=50, participants_total=55, votes_agree=40)
    leader = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent)
    api = api_for(leader)
    tag = etag_of(api, village_url(plan))

    not_his = act(api_for(planner), village_url(plan, "accept-meeting"), {"reason": "X"}, tag=tag)
    assert not_his.status_code == 404 and not_his.json()["code"] == "not_found"
    no_reason = act(api, village_url(plan, "accept-meeting"), {"reason": " "}, tag=tag)
    assert no_reason.status_code == 400 and no_reason.json()["where"] == {"field": "reason"}
    plan.refresh_from_db()
    assert plan.quorum_override_reason == ""

    accepted = act(api, village_url(plan, "accept-meeting"), {"reason": "Mưa lớn"}, tag=tag)

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "draft" and accepted["ETag"] != tag
    plan.refresh_from_db()
    assert plan.quorum_override_reason == "Mưa lớn"
    entry = AuditEntry.objects.get(plan_uid=plan.uid, subject_label="plans.villageplan")
    assert entry.via == "api"
    submitted = act(api_for(planner), village_url(plan, "submit"), tag=accepted["ETag"])
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"


def test_an_unknown_action_another_commune_and_a_read_only_token_are_refused(
    plan: VillagePlan, planner: Any
) -> None:
    ready(plan, planner)
    api = api_for(planner)
    tag = etag_of(api, village_url(plan))

    unknown = act(api, village_url(plan, "publish"), tag=tag)
    assert unknown.status_code == 404
    assert unknown["Content-Type"].startswith("application/problem+json")
    stranger = act(api_for(commune_planner(dong_hoi())), village_url(plan, "submit"), tag=tag)
    assert stranger.status_code == 404
    reader = act(api_for(planner, ApiTokenScope.READ), village_url(plan, "submit"), tag=tag)
    assert reader.status_code == 403
    not_json = api.post(village_url(plan, "return"), [1, 2], format="json", HTTP_IF_MATCH=tag)
    assert not_json.status_code == 400
    assert not StatusChange.objects.exists()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def _plan_row(plan: VillagePlan) -> tuple[Any, ...]:
    plan.refresh_from_db()
    return plan.status, plan.updated_at, plan.submitted_at, plan.quorum_override_reason


def test_a_dry_run_answers_the_step_or_its_refusal_and_writes_nothing(
    plan: VillagePlan, planner: Any
) -> None:
    ready(plan, planner)
    api = api_for(planner)
    tag = etag_of(api, village_url(plan))
    before, row = written(), _plan_row(plan)

    would = act(api, f"{village_url(plan, 'submit')}?dry_run=1", tag=tag)
    refused = act(api, f"{village_url(plan, 'return')}?dry_run=1", {"comment": "x"}, tag=tag)
    stale = act(api, f"{village_url(plan, 'submit')}?dry_run=1", tag='"1"')
    leader = api_for(user_with_role(Role.COMMUNE_APPROVER, plan.village.parent))
    no_reason = act(leader, f"{village_url(plan, 'accept-meeting')}?dry_run=1", tag=tag)

    assert would.status_code == 200 and would.json() == {"dry_run": True, "to": "submitted"}
    assert refused.status_code == 400 and refused.json()["code"] == "transition_invalid"
    assert stale.status_code == 412
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    assert written() == before and _plan_row(plan) == row


def _normalised(rows: list[tuple[Any, ...]], *names: str) -> str:
    text = json.dumps(rows, default=str, ensure_ascii=False)
    for name in names:
        text = text.replace(name, "PLAN")
    return text


def _status_changes(uid: Any) -> list[tuple[Any, ...]]:
    return [
        (c.subject_label, c.action, c.from_state, c.to_state, c.actor_username, c.comment)
        for c in StatusChange.objects.filter(plan_uid=uid).order_by("id")
    ]


def _audit(uid: Any) -> list[tuple[Any, ...]]:
    return [
        (e.operation, e.subject_label, e.subject_repr, e.before, e.after, e.actor_username)
        for e in AuditEntry.objects.filter(plan_uid=uid).order_by("id")
    ]


def _plan_in(commune: AdministrativeUnit) -> VillagePlan:
    return f.village_plan(VillageFactory.create(parent=commune, name="Thôn Diên Sanh"))


def test_submit_through_the_page_and_the_api_leaves_the_same_rows_and_history() -> None:
    plan, twin = _plan_in(hai_lang()), _plan_in(dong_hoi())
    planner = commune_planner(hai_lang(), username="xa.test")
    RoleAssignment.objects.create(user=planner, role=Role.COMMUNE_PLANNER, unit=dong_hoi())
    ready(plan, planner)
    ready(twin, planner)
    page = Client()
    page.force_login(planner)
    api = api_for(planner)
    audit_before = (len(_audit(plan.uid)), len(_audit(twin.uid)))

    posted = page.post(reverse("plans:transition", args=[plan.uid, "submit"]), {"confirm": "1"})
    assert posted.status_code == 302
    assert (
        act(api, village_url(twin, "submit"), tag=etag_of(api, village_url(twin))).status_code
        == 200
    )

    plan.refresh_from_db()
    twin.refresh_from_db()
    assert (plan.status, twin.status) == ("submitted", "submitted")
    assert _status_changes(plan.uid) == _status_changes(twin.uid)
    assert len(_status_changes(plan.uid)) == 1
    history = _audit(plan.uid)[audit_before[0] :]
    assert history  # the meeting recorded on the line with a contribution (R11)
    assert _normalised(history) == _normalised(_audit(twin.uid)[audit_before[1] :])
    new = StatusChange.objects.filter(plan_uid=twin.uid)
    assert set(new.values_list("via", flat=True)) == {"api"}
    assert set(StatusChange.objects.filter(plan_uid=plan.uid).values_list("via", flat=True)) == {""}
    twin_audit = AuditEntry.objects.filter(plan_uid=twin.uid).order_by("id")[audit_before[1] :]
    assert {e.via for e in twin_audit} == {"api"}


# --- commune plans ----------------------------------------------------------------------------


def commune_world(commune: AdministrativeUnit, planner: Any) -> CommunePlan:
    """A commune plan of two villages' submitted proposals, every line decided with a reason
    by the allocation (ready to submit)."""
    road = sf.transport()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    sf.submitted_plan(a, [sf.money_line("600", "100", sector=road, activity=ROAD)])
    sf.submitted_plan(b, [sf.money_line("400", "50", sector=road, activity="Đường nội đồng")])
    round_ = sf.round_of(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    sf.envelope_line(round_, sf.ntp(), "900", sector_=road)
    allocation_run(actor=planner, plan=plan)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def cworld() -> dict[str, Any]:
    commune = hai_lang()
    planner = sf.planner(commune, username="xa.test")
    return {
        "plan": commune_world(commune, planner),
        "planner": planner,
        "approver": sf.approver(commune, username="lanhdao.test"),
    }


def test_a_commune_plan_goes_through_its_steps_with_each_new_etag(cworld: dict[str, Any]) -> None:
    plan = cworld["plan"]
    planner, approver = api_for(cworld["planner"]), api_for(cworld["approver"])
    tag = etag_of(planner, commune_url(plan))

    submitted = act(planner, commune_url(plan, "submit"), tag=tag)
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert submitted["ETag"] == etag_of(planner, commune_url(plan))

    not_his = act(planner, commune_url(plan, "approve"), RESOLUTION, tag=submitted["ETag"])
    assert not_his.status_code == 404 and not_his.json()["code"] == "not_found"
    incomplete = act(
        approver,
        commune_url(plan, "approve"),
        {"resolution_number": "", "resolution_date": "2999-01-01"},
        tag=submitted["ETag"],
    )
    assert incomplete.status_code == 400
    assert {e["where"]["field"] for e in incomplete.json()["errors"]} == {
        "resolution_number",
        "resolution_date",
        "signer",
    }
    assert not Version.objects.exists()

    approved = act(approver, commune_url(plan, "approve"), RESOLUTION, tag=submitted["ETag"])
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    version = Version.objects.get(plan_uid=plan.uid)
    assert (version.resolution_number, version.resolution_date, version.scan) == (
        "25/NQ-HĐND",
        datetime.date(2026, 12, 1),
        "",
    )
    change = StatusChange.objects.get(plan_uid=plan.uid, action="approve")
    assert "25/NQ-HĐND" in change.comment and "01/12/2026" in change.comment

    published = act(planner, commune_url(plan, "publish"), tag=approved["ETag"])
    assert published.status_code == 200 and published.json()["status"] == "published"
    started = act(planner, commune_url(plan, "start"), tag=published["ETag"])
    assert started.status_code == 200 and started.json()["status"] == "in_implementation"

    no_reason = act(planner, commune_url(plan, "amend"), tag=started["ETag"])
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "comment_required"
    amended = act(
        planner, commune_url(plan, "amend"), {"comment": "Vốn bổ sung"}, tag=started["ETag"]
    )
    assert amended.status_code == 200, amended.json()
    assert (amended.json()["status"], amended.json()["version_number"]) == ("draft", 2)
    steps = StatusChange.objects.filter(plan_uid=plan.uid, subject_label="synthesis.communeplan")
    assert list(steps.order_by("id").values_list("action", "via")) == [
        ("synthesise", ""),  # the world's, by the service
        ("submit", "api"),
        ("approve", "api"),
        ("publish", "api"),
        ("start", "api"),
        ("amend", "api"),
    ]


def test_the_commune_workflows_refusals_are_its_own_never_500(cworld: dict[str, Any]) -> None:
    plan = cworld["plan"]
    planner = api_for(cworld["planner"])
    line = plan.lines.active().order_by("number").first()
    assert line is not None
    type(line).objects.filter(pk=line.pk).update(decision=Decision.PENDING)
    tag = etag_of(planner, commune_url(plan))
    before = written()

    undecided = act(planner, commune_url(plan, "submit"), tag=tag)
    early = act(planner, commune_url(plan, "publish"), tag=tag)
    not_in_profile = act(planner, commune_url(plan, "agree"), {"comment": "x"}, tag=tag)
    bad_date = act(
        api_for(cworld["approver"]),
        commune_url(plan, "approve"),
        {**RESOLUTION, "resolution_date": "01/12/2026"},
        tag=tag,
    )
    unknown = act(planner, commune_url(plan, "accept-meeting"), tag=tag)

    assert (undecided.status_code, undecided.json()["code"]) == (400, "submit_undecided")
    assert (early.status_code, early.json()["code"]) == (400, "transition_invalid")
    assert (not_in_profile.status_code, not_in_profile.json()["code"]) == (
        400,
        "transition_unknown",
    )
    assert bad_date.status_code == 400
    assert bad_date.json()["errors"][0]["where"]["field"] == "resolution_date"
    assert unknown.status_code == 404
    assert written() == before
    plan.refresh_from_db()
    assert plan.status == CommunePlanStatus.DRAFT


def test_a_commune_dry_run_checks_the_resolution_and_the_step_and_writes_nothing(
    cworld: dict[str, Any],
) -> None:
    plan = cworld["plan"]
    commune_plan_transition(actor=cworld["planner"], plan=plan, action="submit")
    approver = api_for(cworld["approver"])
    tag = etag_of(approver, commune_url(plan))
    plan.refresh_from_db()
    before, row = written(), (plan.status, plan.updated_at, plan.version_number)

    would = act(approver, f"{commune_url(plan, 'approve')}?dry_run=1", RESOLUTION, tag=tag)
    unsigned = act(
        approver, f"{commune_url(plan, 'approve')}?dry_run=1", {**RESOLUTION, "signer": ""}, tag=tag
    )
    returned = act(
        approver, f"{commune_url(plan, 'return')}?dry_run=1", {"comment": "Dòng 1"}, tag=tag
    )
    silent = act(approver, f"{commune_url(plan, 'return')}?dry_run=1", tag=tag)
    publish = act(approver, f"{commune_url(plan, 'publish')}?dry_run=1", tag=tag)

    assert would.json() == {"dry_run": True, "to": "approved"}
    assert unsigned.status_code == 400 and unsigned.json()["where"] == {"field": "signer"}
    assert returned.json() == {"dry_run": True, "to": "returned"}
    assert silent.status_code == 400 and silent.json()["code"] == "comment_required"
    assert publish.status_code == 400 and publish.json()["code"] == "transition_invalid"
    plan.refresh_from_db()
    assert written() == before
    assert (plan.status, plan.updated_at, plan.version_number) == row


def _twin_communes() -> tuple[CommunePlan, CommunePlan, Any, Any]:
    """The same commune plan in Hải Lăng and Đồng Hới, with one planner and one approver for
    both (so that the history rows may be equal)."""
    planner = sf.planner(hai_lang(), username="xa.test")
    approver = sf.approver(hai_lang(), username="lanhdao.test")
    RoleAssignment.objects.create(user=planner, role=Role.COMMUNE_PLANNER, unit=dong_hoi())
    RoleAssignment.objects.create(user=approver, role=Role.COMMUNE_APPROVER, unit=dong_hoi())
    return commune_world(hai_lang(), planner), commune_world(dong_hoi(), planner), planner, approver


def test_return_and_approve_through_the_page_and_the_api_leave_the_same_rows_and_history() -> None:
    plan, twin, planner, approver = _twin_communes()
    for each in (plan, twin):
        commune_plan_transition(actor=planner, plan=each, action="submit")
    page = Client()
    page.force_login(approver)
    api = api_for(approver)
    done = {plan.uid: len(_audit(plan.uid)), twin.uid: len(_audit(twin.uid))}
    changes = {plan.uid: StatusChange.objects.filter(plan_uid=plan.uid).count()}
    changes[twin.uid] = StatusChange.objects.filter(plan_uid=twin.uid).count()

    # return: on the page for `plan`, through the API for `twin`
    comment = {"comment": "Làm rõ nguồn vốn"}
    posted = page.post(reverse("synthesis:transition", args=[plan.uid, "return"]), comment)
    assert posted.status_code == 302
    returned = act(api, commune_url(twin, "return"), comment, tag=etag_of(api, commune_url(twin)))
    assert returned.status_code == 200, returned.json()
    for each in (plan, twin):  # the planner reopens and submits again, as before
        commune_plan_transition(actor=planner, plan=each, action="revise")
        commune_plan_transition(actor=planner, plan=each, action="submit")

    # approve: on the page for `plan`, through the API for `twin`
    form = {**RESOLUTION, "resolution_date": "01/12/2026", "confirm": "on"}
    assert page.post(reverse("synthesis:approve", args=[plan.uid]), form).status_code == 302
    approved = act(
        api, commune_url(twin, "approve"), RESOLUTION, tag=etag_of(api, commune_url(twin))
    )
    assert approved.status_code == 200, approved.json()

    for each in (plan, twin):
        each.refresh_from_db()
    assert (plan.status, twin.status) == ("approved", "approved")
    mine = _status_changes(plan.uid)[changes[plan.uid] :]
    theirs = _status_changes(twin.uid)[changes[twin.uid] :]
    assert [c[1] for c in mine] == ["return", "revise", "submit", "approve"]
    assert mine == theirs
    assert _normalised(_audit(plan.uid)[done[plan.uid] :], "Xã Hải Lăng") == _normalised(
        _audit(twin.uid)[done[twin.uid] :], "Phường Đồng Hới"
    )
    vias = {
        (c.action, c.via)
        for c in StatusChange.objects.filter(plan_uid=twin.uid).order_by("id")[changes[twin.uid] :]
    }
    assert vias == {("return", "api"), ("revise", ""), ("submit", ""), ("approve", "api")}
    assert {
        c.via
        for c in StatusChange.objects.filter(plan_uid=plan.uid, action__in=["return", "approve"])
    } == {""}
    page_version = Version.objects.get(plan_uid=plan.uid)
    api_version = Version.objects.get(plan_uid=twin.uid)
    assert (page_version.resolution_number, page_version.signer, page_version.number) == (
        api_version.resolution_number,
        api_version.signer,
        api_version.number,
    )


def _profile_steps(plan: CommunePlan, *steps: str) -> None:
    profile = plan.round.profile
    profile.extra = {**(profile.extra or {}), "commune_plan_steps": list(steps)}
    profile.save()


def _step(client: APIClient, plan: CommunePlan, action: str, body: Any = None) -> Any:
    return act(client, commune_url(plan, action), body, tag=etag_of(client, commune_url(plan)))


def test_the_optional_steps_of_a_profile_and_a_return_reopened(cworld: dict[str, Any]) -> None:
    plan, planner = cworld["plan"], api_for(cworld["planner"])
    approver = api_for(cworld["approver"])
    _profile_steps(plan, "conference", "district_review")
    district = api_for(
        user_with_role(Role.DISTRICT_OFFICER, hai_lang().parent, username="huyen.test")
    )

    assert _step(planner, plan, "submit").json()["code"] == "transition_invalid"
    assert _step(planner, plan, "agree").json()["code"] == "comment_required"
    assert _step(planner, plan, "agree", {"comment": "Hội nghị"}).json()["status"] == "conference"
    assert _step(planner, plan, "reopen").json()["code"] == "comment_required"
    assert _step(planner, plan, "reopen", {"comment": "Sửa"}).json()["status"] == "draft"
    _step(planner, plan, "agree", {"comment": "Họp lại"})
    assert _step(planner, plan, "submit").json()["status"] == "submitted"
    assert _step(approver, plan, "approve", RESOLUTION).json()["code"] == "transition_invalid"
    assert _step(approver, plan, "review", {"comment": "Đạt"}).status_code == 404
    assert _step(district, plan, "review").json()["code"] == "comment_required"
    reviewed = _step(district, plan, "review", {"comment": "Phù hợp"})
    assert reviewed.json()["status"] == "district_reviewed"
    assert _step(planner, plan, "revise").json()["code"] == "transition_invalid"
    assert _step(approver, plan, "return", {"comment": "Dòng 1"}).json()["status"] == "returned"
    assert _step(planner, plan, "revise").json()["status"] == "draft"
    steps = StatusChange.objects.filter(plan_uid=plan.uid).exclude(action="synthesise")
    assert list(steps.order_by("id").values_list("action", "via")) == [
        ("agree", "api"),
        ("reopen", "api"),
        ("agree", "api"),
        ("submit", "api"),
        ("review", "api"),
        ("return", "api"),
        ("revise", "api"),
    ]


def test_start_evaluate_and_close_each_when_the_plan_is_ready(cworld: dict[str, Any]) -> None:
    from kehoach.monitoring.services.evaluation import plan_evaluation_save
    from kehoach.synthesis.services.workflow import commune_plan_approve

    plan, planner = cworld["plan"], api_for(cworld["planner"])
    approver = api_for(cworld["approver"])
    assert _step(planner, plan, "start").json()["code"] == "transition_invalid"
    commune_plan_transition(actor=cworld["planner"], plan=plan, action="submit")
    commune_plan_approve(
        actor=cworld["approver"],
        plan=plan,
        data={**RESOLUTION, "resolution_date": datetime.date(2026, 12, 1)},
    )
    commune_plan_transition(actor=cworld["planner"], plan=plan, action="publish")
    assert _step(planner, plan, "start").json()["status"] == "in_implementation"
    assert _step(planner, plan, "evaluate").json()["code"] == "evaluation_missing"
    plan_evaluation_save(
        actor=cworld["planner"],
        plan=plan,
        data={"evaluated_on": datetime.date(2026, 12, 2), "results": "Hoàn thành."},
    )
    assert _step(planner, plan, "evaluate").json()["status"] == "evaluated"
    assert _step(planner, plan, "close").status_code == 404  # the chair's step
    assert _step(approver, plan, "close").json()["status"] == "closed"
