"""A village plan's basic information (F1) and meeting (F8) through the API (issue 17): read,
write whole with ``If-Match`` (428, 412 with the saved values), ``?dry_run=1`` writing nothing,
refusals (rules, read-only token, another commune, a submitted plan) and the same rows and
history as the pages' own saves, the API's marked as such."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import AuditEntry
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import Attendee, BasicInfo, EthnicGroup, VillageMeeting, VillagePlan
from kehoach.plans.services.info import AUDIT_FIELDS
from kehoach.plans.services.meeting import MEETING_FIELDS
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"

INFO: dict[str, Any] = {
    "values": {
        "total_households": 214,
        "population": 861,
        "population_female": 432,
        "poor_households": 21,
        "land_wet_rice_ha": "48.5",
        "road_all_season": True,
        "ntm_status": "Đạt chuẩn NTM",
    },
    "sources": {"poor_households": {"source": "Rà soát hộ nghèo", "date": "2025-12-15"}},
    "ethnic_groups": [{"name": "Vân Kiều", "households": 30, "persons": 121}],
}
MEETING = {
    "held_on": "2026-06-10",
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
PERSON = {"full_name": "Hồ Thị Mai", "sex": "female", "ethnicity": "Vân Kiều"}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def plan() -> VillagePlan:
    return f.village_plan()


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Tài chính", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api(plan: VillagePlan) -> APIClient:
    return api_for(commune_planner(plan.village.parent))


def info_url(plan: VillagePlan) -> str:
    return f"{API}/village-plans/{plan.uid}/basic-info/"


def meeting_url(plan: VillagePlan) -> str:
    return f"{API}/village-plans/{plan.uid}/meeting/"


def counts() -> tuple[int, ...]:
    return (
        BasicInfo.objects.count(),
        EthnicGroup.objects.count(),
        VillageMeeting.objects.count(),
        Attendee.objects.count(),
        AuditEntry.objects.count(),
    )


# --- F1: basic information ---------------------------------------------------------------------


def test_basic_info_saved_through_the_api_is_the_pages_service_and_marked(
    api: APIClient, plan: VillagePlan
) -> None:
    empty = api.get(info_url(plan))
    assert empty.status_code == 200 and empty["ETag"] == '"0"'
    assert empty.json()["values"]["total_households"] is None

    saved = api.put(info_url(plan), INFO, format="json", HTTP_IF_MATCH='"0"')

    assert saved.status_code == 200, saved.json()
    assert saved["ETag"] == '"1"'
    body = saved.json()
    assert body["values"]["total_households"] == 214
    assert body["values"]["land_wet_rice_ha"] == "48.50"
    assert body["percentages"]["poor_pct"] == "9.8"
    assert body["ethnic_groups"] == [{"name": "Vân Kiều", "households": 30, "persons": 121}]
    entry = AuditEntry.objects.get()
    assert (entry.operation, entry.via) == ("create", "api")
    again = api.get(info_url(plan))
    assert again["ETag"] == '"1"' and again.json()["values"] == body["values"]


def test_basic_info_needs_the_version_read_and_a_stale_one_answers_412(
    api: APIClient, plan: VillagePlan
) -> None:
    assert api.put(info_url(plan), INFO, format="json").status_code == 428
    assert api.put(info_url(plan), INFO, format="json", HTTP_IF_MATCH='"0"').status_code == 200
    before = counts()

    stale = api.put(info_url(plan), INFO, format="json", HTTP_IF_MATCH='"0"')

    assert stale.status_code == 412
    assert stale.json()["current"]["values"]["total_households"] == 214
    assert counts() == before


def test_basic_info_refused_by_its_rules_names_the_fields(
    api: APIClient, plan: VillagePlan
) -> None:
    bad = {**INFO, "values": {**INFO["values"], "poor_households": 300, "nonsense": 1}}
    response = api.put(
        info_url(plan), bad, format="json", HTTP_IF_MATCH='"0"', HTTP_ACCEPT_LANGUAGE="vi"
    )

    assert response.status_code == 400
    fields = {e["where"].get("field") for e in response.json()["errors"]}
    assert fields == {"poor_households", "nonsense"}
    assert counts() == (0, 0, 0, 0, 0)


def test_basic_info_dry_run_answers_and_writes_nothing(api: APIClient, plan: VillagePlan) -> None:
    url = info_url(plan) + "?dry_run=1"
    ok = api.put(url, INFO, format="json", HTTP_IF_MATCH='"0"')
    assert ok.status_code == 200 and ok.json() == {"dry_run": True, "would_save": True}
    bad = {**INFO, "values": {"population": -1}}
    assert api.put(url, bad, format="json", HTTP_IF_MATCH='"0"').status_code == 400
    assert counts() == (0, 0, 0, 0, 0)


def test_basic_info_read_only_token_another_commune_and_submitted_plan_write_nothing(
    plan: VillagePlan,
) -> None:
    planner = commune_planner(plan.village.parent)
    reader = api_for(planner, ApiTokenScope.READ)
    assert reader.get(info_url(plan)).status_code == 200
    assert reader.put(info_url(plan), INFO, format="json", HTTP_IF_MATCH='"0"').status_code == 403
    stranger = api_for(commune_planner(dong_hoi()))
    assert stranger.get(info_url(plan)).status_code == 404
    assert stranger.put(info_url(plan), INFO, format="json", HTTP_IF_MATCH='"0"').status_code == 404
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    locked = api_for(planner).put(info_url(plan), INFO, format="json", HTTP_IF_MATCH='"0"')
    assert locked.status_code in (400, 403) and locked.json()["code"] != "server_error"
    assert counts() == (0, 0, 0, 0, 0)


def _info_rows(plan: VillagePlan) -> list[Any]:
    info = BasicInfo.objects.get(plan=plan)
    return [
        *(getattr(info, name) for name in [*AUDIT_FIELDS, "version"]),
        [(g.name, g.households, g.persons) for g in info.ethnic_groups.order_by("name")],
    ]


def _history(plan: VillagePlan) -> list[tuple[Any, ...]]:
    return [
        (e.operation, e.subject_label, e.subject_repr, e.before, e.after, e.actor_username)
        for e in AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id")
    ]


def _vias(plan: VillagePlan) -> set[str]:
    return set(AuditEntry.objects.filter(plan_uid=plan.uid).values_list("via", flat=True))


@pytest.fixture
def twins(plan: VillagePlan) -> tuple[VillagePlan, VillagePlan, Client, APIClient]:
    twin = f.village_plan(VillageFactory.create(parent=hai_lang(), name=plan.village.name))
    planner = commune_planner(plan.village.parent)
    page = Client()
    page.force_login(planner)
    return plan, twin, page, api_for(planner)


def test_the_same_basic_info_through_the_page_and_the_api_leaves_the_same_rows_and_history(
    twins: tuple[VillagePlan, VillagePlan, Client, APIClient],
) -> None:
    plan, twin, page, api = twins
    form = {
        "version": "0",
        "ethnic-TOTAL_FORMS": "1",
        "ethnic-INITIAL_FORMS": "0",
        "ethnic-MIN_NUM_FORMS": "0",
        "ethnic-MAX_NUM_FORMS": "60",
        "ethnic-0-name": "Vân Kiều",
        "ethnic-0-households": "30",
        "ethnic-0-persons": "121",
        "total_households": "214",
        "population": "861",
        "population_female": "432",
        "poor_households": "21",
        "land_wet_rice_ha": "48,5",
        "road_all_season": "true",
        "ntm_status": "Đạt chuẩn NTM",
        "poor_households_source": "Rà soát hộ nghèo",
        "poor_households_date": "15/12/2025",
    }

    response = page.post(reverse("plans:info", args=[plan.uid]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert api.put(info_url(twin), INFO, format="json", HTTP_IF_MATCH='"0"').status_code == 200
    page.post(reverse("plans:info", args=[plan.uid]), {**form, "version": "1", "pigs": "40"})
    changed = {**INFO, "values": {**INFO["values"], "pigs": 40}}
    assert api.put(info_url(twin), changed, format="json", HTTP_IF_MATCH='"1"').status_code == 200

    assert _info_rows(plan) == _info_rows(twin)
    assert len(_history(plan)) == 2 and _history(plan) == _history(twin)
    assert _vias(plan) == {""} and _vias(twin) == {"api"}


# --- F8: village meeting -----------------------------------------------------------------------


def test_a_meeting_recorded_through_the_api_with_its_attendance_list(
    api: APIClient, plan: VillagePlan
) -> None:
    empty = api.get(meeting_url(plan))
    assert empty.status_code == 200 and empty["ETag"] == '"0"'
    assert empty.json()["values"] is None

    body = {"values": MEETING, "attendees": [PERSON, {**PERSON, "full_name": "Lê Văn A"}]}
    saved = api.put(meeting_url(plan), body, format="json", HTTP_IF_MATCH='"0"')

    assert saved.status_code == 200, saved.json()
    assert saved["ETag"] == '"1"'
    shown = saved.json()
    assert (
        shown["values"]["held_on"] == "2026-06-10" and shown["values"]["chair"] == "Trần Văn Bình"
    )
    assert shown["result"]["quorate"] is True and shown["result"]["households_pct"] == "62.0"
    assert [p["full_name"] for p in shown["attendees"]] == ["Hồ Thị Mai", "Lê Văn A"]
    assert set(AuditEntry.objects.values_list("via", flat=True)) == {"api"}
    assert AuditEntry.objects.count() == 3  # the meeting and two people

    kept = api.put(
        meeting_url(plan),
        {"values": {**MEETING, "place": "Hội trường"}},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert kept.status_code == 200 and kept["ETag"] == '"2"'
    assert len(kept.json()["attendees"]) == 2  # no list given: kept


def test_a_meeting_needs_the_version_read_and_a_stale_one_answers_412(
    api: APIClient, plan: VillagePlan
) -> None:
    body = {"values": MEETING}
    assert api.put(meeting_url(plan), body, format="json").status_code == 428
    assert api.put(meeting_url(plan), body, format="json", HTTP_IF_MATCH='"0"').status_code == 200
    before = counts()

    stale = api.put(meeting_url(plan), body, format="json", HTTP_IF_MATCH='"0"')

    assert stale.status_code == 412
    assert stale.json()["current"]["values"]["chair"] == "Trần Văn Bình"
    assert counts() == before


def test_a_meeting_refused_by_its_rules_names_fields_and_rows(
    api: APIClient, plan: VillagePlan
) -> None:
    bad = {
        "values": {**MEETING, "households_represented": 120, "chair": ""},
        "attendees": [PERSON],
    }
    response = api.put(meeting_url(plan), bad, format="json", HTTP_IF_MATCH='"0"')
    assert response.status_code == 400
    assert {e["where"].get("field") for e in response.json()["errors"]} == {"chair"}

    people = {"values": MEETING, "attendees": [PERSON, {"full_name": "Lê Văn A", "sex": "x"}]}
    listed = api.put(meeting_url(plan), people, format="json", HTTP_IF_MATCH='"0"')
    assert listed.status_code == 400
    assert [(e["where"].get("field"), e["where"].get("line")) for e in listed.json()["errors"]] == [
        ("sex", 2)
    ]
    assert counts() == (0, 0, 0, 0, 0)


def test_a_meeting_dry_run_answers_and_writes_nothing(api: APIClient, plan: VillagePlan) -> None:
    url = meeting_url(plan) + "?dry_run=1"
    body = {"values": MEETING, "attendees": [PERSON]}
    ok = api.put(url, body, format="json", HTTP_IF_MATCH='"0"')
    assert ok.status_code == 200 and ok.json() == {"dry_run": True, "would_save": True}
    bad = {"values": {**MEETING, "votes_agree": 500}}
    assert api.put(url, bad, format="json", HTTP_IF_MATCH='"0"').status_code == 400
    assert counts() == (0, 0, 0, 0, 0)


def test_a_meeting_read_only_token_another_commune_and_submitted_plan_write_nothing(
    plan: VillagePlan,
) -> None:
    planner = commune_planner(plan.village.parent)
    body = {"values": MEETING}
    reader = api_for(planner, ApiTokenScope.READ)
    assert reader.get(meeting_url(plan)).status_code == 200
    assert (
        reader.put(meeting_url(plan), body, format="json", HTTP_IF_MATCH='"0"').status_code == 403
    )
    stranger = api_for(commune_planner(dong_hoi()))
    assert stranger.get(meeting_url(plan)).status_code == 404
    assert (
        stranger.put(meeting_url(plan), body, format="json", HTTP_IF_MATCH='"0"').status_code == 404
    )
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    locked = api_for(planner).put(meeting_url(plan), body, format="json", HTTP_IF_MATCH='"0"')
    assert locked.status_code in (400, 403) and locked.json()["code"] != "server_error"
    assert counts() == (0, 0, 0, 0, 0)


def _meeting_rows(plan: VillagePlan) -> list[Any]:
    meeting = VillageMeeting.objects.get(plan=plan)
    return [getattr(meeting, name) for name in [*MEETING_FIELDS, "version"]]


def test_the_same_meeting_through_the_page_and_the_api_leaves_the_same_rows_and_history(
    twins: tuple[VillagePlan, VillagePlan, Client, APIClient],
) -> None:
    plan, twin, page, api = twins
    form = {key: str(value) for key, value in MEETING.items()}

    response = page.post(reverse("plans:meeting", args=[plan.uid]), {**form, "version": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (
        api.put(meeting_url(twin), {"values": MEETING}, format="json", HTTP_IF_MATCH='"0"')
    ).status_code == 200
    page.post(
        reverse("plans:meeting", args=[plan.uid]), {**form, "place": "Hội trường", "version": "1"}
    )
    changed = {"values": {**MEETING, "place": "Hội trường"}}
    assert (
        api.put(meeting_url(twin), changed, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    )

    assert _meeting_rows(plan) == _meeting_rows(twin)
    assert len(_history(plan)) == 2 and _history(plan) == _history(twin)
    assert _vias(plan) == {""} and _vias(twin) == {"api"}
