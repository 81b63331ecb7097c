"""Planning rounds and their resource envelope (F11) through the API (issue 17): the rounds a
user may see, the envelope with its lines, and writes of its lines as the page makes them —
add, change, delete, many at once; ``If-Match`` (a line's version or the envelope's) and 412;
``?dry_run=1``; the same rows and history as the page's own writes, the API's marked."""

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
from kehoach.approvals.models import AuditEntry
from kehoach.catalog.models import Sector
from kehoach.geo.tests.factories import (
    CommuneFactory,
    ProvinceFactory,
    VillageFactory,
    dong_hoi,
    hai_lang,
)
from kehoach.plans.models import PlanningRound
from kehoach.synthesis.choices import CommunePlanStatus, EnvelopeOrigin
from kehoach.synthesis.models import CommunePlan, EnvelopeLine
from kehoach.synthesis.services.envelope import AUDIT_FIELDS
from kehoach.synthesis.tests import factories as sf

pytestmark = pytest.mark.django_db
API = "/api/v1"
D = Decimal

VALUES = {
    "source_code": "NTP26",
    "sector_code": "GT",
    "expenditure_type": "investment",
    "content": "Hỗ trợ giao thông nông thôn",
    "activity_keywords": "đường, cầu",
    "amount_mvnd": "1500",
    "firmness": "notified",
    "area_scope": "all",
}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def ctx() -> dict[str, Any]:
    commune = hai_lang()
    sf.ntp(), sf.commune_budget()
    sf.sector("GT", "Giao thông", 1)
    return {
        "round": sf.round_of(commune),
        "officer": sf.province_officer(commune.parent, username="tinh.quangtri"),
        "planner": sf.planner(commune, username="xa.hailang"),
    }


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Tài chính", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def envelope_url(round_: PlanningRound) -> str:
    return f"{API}/rounds/{round_.uid}/envelope/"


def lines_url(round_: PlanningRound) -> str:
    return f"{envelope_url(round_)}lines/"


def line_url(round_: PlanningRound, line: EnvelopeLine) -> str:
    return f"{lines_url(round_)}{line.uid}/"


def counts() -> tuple[int, int, int]:
    return (
        EnvelopeLine.objects.count(),
        EnvelopeLine.objects.filter(deleted_at__isnull=False).count(),
        AuditEntry.objects.count(),
    )


# --- rounds ----------------------------------------------------------------------------------


def test_the_rounds_of_the_users_units_with_their_commune_plans_status(
    ctx: dict[str, Any],
) -> None:
    round_ = ctx["round"]
    ward_round = sf.round_of(dong_hoi())
    CommunePlan.objects.create(round=ward_round, status=CommunePlanStatus.SUBMITTED)
    far = CommuneFactory.create(parent=ProvinceFactory.create(code="46", name="Huế"))
    far_round = sf.round_of(far)
    officer = api_for(ctx["officer"])

    body = officer.get(f"{API}/rounds/").json()
    found = {row["uid"]: row for row in body["results"]}

    assert set(found) == {str(round_.uid), str(ward_round.uid)}  # not Huế's
    row = found[str(round_.uid)]
    assert (row["commune_code"], row["plan_year"], row["status"]) == (
        round_.commune.code,
        2027,
        "draft",
    )
    assert row["profile_code"] == round_.profile.code
    assert found[str(ward_round.uid)]["status"] == "submitted"
    planner = api_for(ctx["planner"])
    assert [r["uid"] for r in planner.get(f"{API}/rounds/").json()["results"]] == [str(round_.uid)]
    assert officer.get(f"{API}/rounds/{round_.uid}/").json() == row
    assert planner.get(f"{API}/rounds/{ward_round.uid}/").status_code == 404
    assert officer.get(f"{API}/rounds/{far_round.uid}/").status_code == 404
    assert officer.get(f"{API}/rounds/not-a-uid/").status_code == 404


def test_the_rounds_are_filtered_by_unit_year_and_time_of_change(ctx: dict[str, Any]) -> None:
    round_ = ctx["round"]
    later = PlanningRound.objects.create(
        commune=round_.commune, plan_year=2028, profile=round_.profile
    )
    ward_round = sf.round_of(dong_hoi())
    PlanningRound.objects.filter(pk=ward_round.pk).update(updated_at="2026-01-01T00:00:00Z")
    officer = api_for(ctx["officer"])

    def uids(query: str) -> set[str]:
        response = officer.get(f"{API}/rounds/?{query}")
        assert response.status_code == 200, response.content
        return {row["uid"] for row in response.json()["results"]}

    assert uids(f"unit={round_.commune.code}") == {str(round_.uid), str(later.uid)}
    assert uids(f"unit={round_.commune.parent.code}&year=2028") == {str(later.uid)}
    assert uids("updated_since=2026-06-01") == {str(round_.uid), str(later.uid)}
    assert officer.get(f"{API}/rounds/?year=1800").status_code == 400
    assert officer.get(f"{API}/rounds/?unit=46").status_code == 404  # not among the units


def test_listing_rounds_takes_the_same_queries_for_any_page_size(ctx: dict[str, Any]) -> None:
    for index in range(8):
        commune = CommuneFactory.create(parent=ctx["round"].commune.parent, name=f"Xã {index}")
        CommunePlan.objects.create(round=sf.round_of(commune))
    officer = api_for(ctx["officer"])
    assert officer.get(f"{API}/me/").status_code == 200  # the token's first use noted

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = officer.get(f"{API}/rounds/?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(size, 9)
        return len(captured)

    assert queries(5) == queries(50)


# --- the envelope ----------------------------------------------------------------------------


def test_the_envelope_shows_its_lines_with_what_they_fund_and_its_version(
    ctx: dict[str, Any],
) -> None:
    round_ = ctx["round"]
    officer = api_for(ctx["officer"])
    empty = officer.get(envelope_url(round_))
    assert empty.status_code == 200 and empty["ETag"] == '"0"'
    assert empty.json()["lines"] == [] and empty.json()["total_mvnd"] == "0.000"

    sf.envelope_line(round_, sf.ntp(), "1500", content="Giao thông")
    sf.envelope_line(round_, sf.commune_budget(), "200.5", origin=EnvelopeOrigin.COMMUNE)
    response = officer.get(envelope_url(round_))

    assert response["ETag"] == '"2"'
    body = response.json()
    # in the page's order: by source (its order in the catalogue, its code), then number
    assert [(x["number"], x["source_code"], x["amount_mvnd"]) for x in body["lines"]] == [
        (2, "NS-X", "200.500"),
        (1, "NTP26", "1500.000"),
    ]
    assert (body["total_mvnd"], body["used_mvnd"], body["left_mvnd"]) == (
        "1700.500",
        "0.000",
        "1700.500",
    )
    assert body["lines"][1]["origin"] == "province" and body["lines"][1]["version"] == 1
    assert body["version"] == 2 and body["deleted_lines"] == []
    assert api_for(sf.planner(dong_hoi())).get(envelope_url(round_)).status_code == 404


def test_a_line_added_through_the_api_is_the_writers_and_marked_in_the_history(
    ctx: dict[str, Any],
) -> None:
    round_ = ctx["round"]
    response = api_for(ctx["officer"]).post(lines_url(round_), VALUES, format="json")

    assert response.status_code == 201, response.json()
    line = EnvelopeLine.objects.get()
    assert response["ETag"] == '"1"' and response["Location"].endswith(line_url(round_, line))
    body = response.json()
    assert (body["number"], body["origin"], body["amount_mvnd"]) == (1, "province", "1500.000")
    assert line.activity_keywords == "đường, cầu" and line.sector is not None
    entry = AuditEntry.objects.get()
    assert (entry.operation, entry.via) == ("create", "api")


def test_a_line_refused_by_its_rules_names_the_fields_as_the_api_does(
    ctx: dict[str, Any],
) -> None:
    planner = api_for(ctx["planner"])
    # the commune may not enter programme money, nor a sector outside the catalogue
    bad = {**VALUES, "sector_code": "KHONG-CO"}
    response = planner.post(lines_url(ctx["round"]), bad, format="json", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 400
    fields = {entry["where"].get("field") for entry in response.json()["errors"]}
    assert fields == {"source_code", "sector_code"}
    assert "lĩnh vực" in response.content.decode()
    missing = planner.post(lines_url(ctx["round"]), {"source_code": "NS-X"}, format="json")
    assert missing.status_code == 400 and missing.json()["where"]["field"] == "amount_mvnd"
    assert counts() == (0, 0, 0)


def test_a_change_needs_the_version_read_and_a_stale_one_answers_412_with_the_saved_values(
    ctx: dict[str, Any],
) -> None:
    round_ = ctx["round"]
    line = sf.envelope_line(round_, sf.ntp(), "1500")
    officer = api_for(ctx["officer"])
    url = line_url(round_, line)
    assert officer.get(url)["ETag"] == '"1"'

    assert officer.patch(url, {"amount_mvnd": "1800"}, format="json").status_code == 428
    EnvelopeLine.objects.filter(pk=line.pk).update(amount_mvnd=D(1600), version=2)
    stale = officer.patch(url, {"amount_mvnd": "1800"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current"]["amount_mvnd"] == "1600.000"
    assert not AuditEntry.objects.exists()

    fresh = officer.patch(url, {"amount_mvnd": "1800"}, format="json", HTTP_IF_MATCH='"2"')
    assert fresh.status_code == 200 and fresh["ETag"] == '"3"'
    assert fresh.json()["amount_mvnd"] == "1800.000"
    assert AuditEntry.objects.get().operation == "update"


def test_each_user_changes_only_the_lines_of_their_own_origin(ctx: dict[str, Any]) -> None:
    round_ = ctx["round"]
    line = sf.envelope_line(round_, sf.ntp(), "1500")
    planner = api_for(ctx["planner"])

    assert planner.get(line_url(round_, line)).status_code == 200  # read: yes
    changed = planner.patch(
        line_url(round_, line), {"amount_mvnd": "1"}, format="json", HTTP_IF_MATCH='"1"'
    )
    deleted = planner.delete(line_url(round_, line), HTTP_IF_MATCH='"1"')

    assert changed.status_code == 404 and deleted.status_code == 404
    assert counts() == (1, 0, 0)


def test_a_dry_run_answers_what_it_would_do_and_writes_nothing(ctx: dict[str, Any]) -> None:
    round_ = ctx["round"]
    line = sf.envelope_line(round_, sf.ntp(), "1500")
    officer = api_for(ctx["officer"])
    before = counts()

    added = officer.post(f"{lines_url(round_)}?dry_run=1", VALUES, format="json")
    changed = officer.patch(
        f"{line_url(round_, line)}?dry_run=1",
        {"amount_mvnd": "-1"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    deleted = officer.delete(f"{line_url(round_, line)}?dry_run=1", HTTP_IF_MATCH='"1"')

    assert added.status_code == 200 and added.json() == {
        "dry_run": True,
        "counts": {"add": 1, "change": 0, "remove": 0, "restore": 0},
    }
    assert changed.status_code == 400 and changed.json()["where"]["field"] == "amount_mvnd"
    assert deleted.json()["counts"]["remove"] == 1
    assert counts() == before
    line.refresh_from_db()
    assert line.version == 1 and line.deleted_at is None


def test_a_dry_run_on_a_round_without_an_envelope_creates_nothing(ctx: dict[str, Any]) -> None:
    round_ = ctx["round"]
    response = api_for(ctx["officer"]).post(f"{lines_url(round_)}?dry_run=1", VALUES, format="json")

    assert response.status_code == 200 and response.json()["counts"]["add"] == 1
    assert not CommunePlan.objects.exists() and not hasattr(round_, "envelope")


def test_a_batch_is_all_or_nothing_and_names_the_position_of_each_problem(
    ctx: dict[str, Any],
) -> None:
    round_ = ctx["round"]
    line = sf.envelope_line(round_, sf.ntp(), "1500")
    officer = api_for(ctx["officer"])
    url = f"{lines_url(round_)}batch/"

    refused = officer.post(
        url,
        {
            "changes": [
                {"op": "add", "values": VALUES},
                {"op": "change", "uid": str(line.uid), "version": 1, "values": {"firmness": "x"}},
                {"op": "add", "values": {**VALUES, "amount_mvnd": "-5"}},
            ]
        },
        format="json",
    )
    assert refused.status_code == 400
    assert counts() == (1, 0, 0)
    problems = refused.json().get("errors") or [refused.json()]
    assert any("firmness" in str(p) for p in problems)

    refused = officer.post(
        url,
        {
            "changes": [
                {"op": "add", "values": VALUES},
                {"op": "add", "values": {**VALUES, "amount_mvnd": "-5"}},
            ]
        },
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["where"] == {"field": "amount_mvnd", "line": 2}
    assert counts() == (1, 0, 0)

    done = officer.post(
        url,
        {
            "changes": [
                {"op": "add", "values": VALUES},
                {"op": "remove", "uid": str(line.uid), "version": 1},
            ]
        },
        format="json",
    )
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["counts"] == {"add": 1, "change": 0, "remove": 1, "restore": 0}
    assert [(x["number"], x["op"]) for x in body["lines"]] == [(2, "add"), (1, "remove")]
    assert done["ETag"] == '"3"' and body["envelope_version"] == 3
    assert counts() == (2, 1, 2)
    shown = officer.get(envelope_url(round_)).json()
    assert [x["number"] for x in shown["deleted_lines"]] == [1]


def test_a_stale_envelope_version_refuses_the_whole_batch_with_412(ctx: dict[str, Any]) -> None:
    round_ = ctx["round"]
    sf.envelope_line(round_, sf.ntp(), "1500")
    officer = api_for(ctx["officer"])
    url = f"{lines_url(round_)}batch/"
    changes = {"changes": [{"op": "add", "values": VALUES}]}

    stale = officer.post(url, changes, format="json", HTTP_IF_MATCH='"0"')
    assert stale.status_code == 412 and stale.json()["current"]["version"] == 1
    assert counts() == (1, 0, 0)
    fresh = officer.post(url, changes, format="json", HTTP_IF_MATCH='"1"')
    assert fresh.status_code == 200 and fresh.json()["envelope_version"] == 2


def test_a_read_only_token_a_stranger_and_a_locked_plan_are_refused(ctx: dict[str, Any]) -> None:
    round_ = ctx["round"]
    line = sf.envelope_line(round_, sf.ntp(), "1500")
    reader = api_for(ctx["officer"], ApiTokenScope.READ)
    assert reader.get(envelope_url(round_)).status_code == 200
    assert reader.post(lines_url(round_), VALUES, format="json").status_code == 403
    assert (
        reader.patch(line_url(round_, line), {}, format="json", HTTP_IF_MATCH='"1"').status_code
        == 403
    )

    stranger = api_for(sf.planner(dong_hoi()))
    assert stranger.post(lines_url(round_), VALUES, format="json").status_code == 404
    assert stranger.delete(line_url(round_, line), HTTP_IF_MATCH='"1"').status_code == 404

    CommunePlan.objects.create(round=round_, status=CommunePlanStatus.SUBMITTED)
    officer = api_for(ctx["officer"])
    locked = officer.post(lines_url(round_), VALUES, format="json")
    assert locked.status_code == 400 and locked.json()["code"] == "commune_plan_locked"
    dry = officer.post(f"{lines_url(round_)}?dry_run=1", VALUES, format="json")
    assert dry.status_code == 400 and dry.json()["code"] == "commune_plan_locked"
    assert counts() == (1, 0, 0)


def test_a_batch_names_an_unknown_line_or_village_by_its_position(ctx: dict[str, Any]) -> None:
    round_ = ctx["round"]
    line = sf.envelope_line(round_, sf.ntp(), "1500")
    url = f"{lines_url(round_)}batch/"
    officer = api_for(ctx["officer"])

    response = officer.post(
        url,
        {
            "changes": [
                {"op": "restore", "uid": str(line.uid)},
                {"op": "remove", "uid": "00000000-0000-0000-0000-000000000001", "version": 1},
                {"op": "add", "values": {**VALUES, "area_village_codes": ["99999-999"]}},
            ]
        },
        format="json",
    )

    assert response.status_code == 400
    wheres = [entry["where"] for entry in response.json()["errors"]]
    assert wheres == [{"field": "uid", "line": 2}, {"field": "area_village_codes", "line": 3}]
    assert counts() == (1, 0, 0)


def test_the_answers_are_the_same_in_vietnamese_and_english_except_messages(
    ctx: dict[str, Any],
) -> None:
    round_ = ctx["round"]
    sf.envelope_line(round_, sf.ntp(), "1500")
    officer = api_for(ctx["officer"])
    for url in (f"{API}/rounds/", f"{API}/rounds/{round_.uid}/", envelope_url(round_)):
        vi = officer.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        en = officer.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert vi.status_code == 200 and vi.json() == en.json()
    refused = {**VALUES, "amount_mvnd": "-1"}
    vi = officer.post(lines_url(round_), refused, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    en = officer.post(lines_url(round_), refused, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert (vi.json()["code"], vi.json()["where"]) == (en.json()["code"], en.json()["where"])
    assert vi.json()["detail"] != en.json()["detail"] and "số tiền" in vi.json()["detail"].lower()


# --- the page and the API leave the same rows and history ------------------------------------


def _rows(round_: PlanningRound) -> list[tuple[Any, ...]]:
    return [
        (
            *(getattr(line, name) for name in AUDIT_FIELDS),
            sorted(v.name for v in line.area_villages.all()),
            line.version,
            line.deleted_at is not None,
        )
        for line in EnvelopeLine.objects.filter(envelope__round=round_).order_by("number")
    ]


def _history(round_: PlanningRound) -> list[tuple[Any, ...]]:
    plan = CommunePlan.objects.get(round=round_)
    return [
        (e.operation, e.subject_label, e.subject_repr, e.before, e.after, e.actor_username)
        for e in AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id")
    ]


def test_the_same_writes_through_the_page_and_the_api_leave_the_same_rows_and_history(
    ctx: dict[str, Any],
) -> None:
    """Add, change, delete, restore: on the page for Hải Lăng's round, through the API for
    Đồng Hới's (both of the province officer's Quảng Trị)."""
    round_, twin = ctx["round"], sf.round_of(dong_hoi())
    VillageFactory.create(parent=round_.commune, name="Thôn Mỹ Thủy", code="19702-901")
    VillageFactory.create(parent=twin.commune, name="Thôn Mỹ Thủy", code="19702-902")
    officer = ctx["officer"]
    page = Client()
    page.force_login(officer)
    api = api_for(officer)
    villages = {
        r.pk: r.commune.children.get(name="Thôn Mỹ Thủy") for r in (round_, twin)
    }  # one eligible village in each commune
    form = {
        "source": str(sf.ntp().pk),
        "sector": str(Sector.objects.get(code="GT").pk),
        "expenditure_type": "investment",
        "content": "Hỗ trợ giao thông nông thôn",
        "activity_keywords": "đường, cầu",
        "amount_mvnd": "1.500",
        "firmness": "notified",
        "counterpart_share_pct": "",
        "area_scope": "listed",
        "area_villages": [str(villages[round_.pk].pk)],
        "notes": "",
    }
    values = {**VALUES, "area_scope": "listed", "area_village_codes": ["19702-902"]}

    created = page.post(reverse("synthesis:envelope", args=[round_.uid]), form)
    assert created.status_code == 302, created.content.decode()[:2000]
    assert api.post(lines_url(twin), values, format="json").status_code == 201
    line = EnvelopeLine.objects.get(envelope__round=round_)
    twin_line = EnvelopeLine.objects.get(envelope__round=twin)
    edit = {**form, "amount_mvnd": "1.800", "notes": "Đã thông báo", "version": "1"}
    page.post(reverse("synthesis:envelope_line_edit", args=[round_.uid, line.uid]), edit)
    changed = api.patch(
        line_url(twin, twin_line),
        {"amount_mvnd": "1800", "notes": "Đã thông báo"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert changed.status_code == 200, changed.json()
    page.post(reverse("synthesis:envelope_line_delete", args=[round_.uid, line.uid]))
    assert api.delete(line_url(twin, twin_line), HTTP_IF_MATCH='"2"').status_code == 204
    page.post(reverse("synthesis:envelope_line_restore", args=[round_.uid, line.uid]))
    restored = api.post(
        f"{lines_url(twin)}batch/",
        {"changes": [{"op": "restore", "uid": str(twin_line.uid)}]},
        format="json",
    )
    assert restored.status_code == 200, restored.json()

    assert _rows(round_) == _rows(twin) and len(_history(round_)) == 4
    assert _rows(round_)[0][-2:] == (4, False)
    assert _history(round_) == _history(twin)
    plan, twin_plan = CommunePlan.objects.get(round=round_), CommunePlan.objects.get(round=twin)
    assert set(AuditEntry.objects.filter(plan_uid=plan.uid).values_list("via", flat=True)) == {""}
    assert set(AuditEntry.objects.filter(plan_uid=twin_plan.uid).values_list("via", flat=True)) == {
        "api"
    }


# --- opening a round, plans for new villages (h17q) ------------------------------------------


def test_a_round_opened_through_the_api_is_the_writers_with_dry_run_and_refusals(
    ctx: dict[str, Any],
) -> None:
    planner, commune = ctx["planner"], ctx["round"].commune
    api = api_for(planner)
    body = {"commune_code": commune.code, "plan_year": 2031}
    rounds = PlanningRound.objects.count
    before, history = rounds(), AuditEntry.objects.count()
    dry = api.post(f"{API}/rounds/?dry_run=1", body, format="json")
    assert dry.status_code == 200 and dry.json()["counts"]["rounds"] == 1
    assert (rounds(), AuditEntry.objects.count()) == (before, history)
    wrong = api.post(f"{API}/rounds/", {**body, "proposals_due": "2032-01-01"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "calendar_after_year"
    assert (
        api_for(planner, ApiTokenScope.READ).post(f"{API}/rounds/", body, format="json").status_code
        == 403
    )
    stranger = api_for(sf.planner(dong_hoi(), username="xa.donghoi"))
    assert stranger.post(f"{API}/rounds/", body, format="json").status_code == 404
    assert rounds() == before
    made = api.post(f"{API}/rounds/", body, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["plan_year"] == 2031 and rounds() == before + 1
    again = api.post(f"{API}/rounds/", body, format="json")
    assert again.status_code == 400 and again.json()["code"] == "round_exists"


def test_plans_for_new_villages_through_the_page_and_the_api_are_the_same(
    ctx: dict[str, Any],
) -> None:
    planner = ctx["planner"]
    round_, twin = ctx["round"], sf.round_of(dong_hoi())
    twin_planner = sf.planner(dong_hoi(), username="xa.donghoi")
    VillageFactory.create(parent=round_.commune, name="Thôn Mỹ Thủy", code="19702-901")
    VillageFactory.create(parent=twin.commune, name="Thôn Mỹ Thủy", code="19702-902")
    url = f"{API}/rounds/{twin.uid}/actions/add-missing-plans/"
    api = api_for(twin_planner)
    history = AuditEntry.objects.count()
    dry = api.post(url + "?dry_run=1")
    assert dry.json() == {"dry_run": True, "counts": {"village_plans": 1}}
    assert AuditEntry.objects.count() == history
    assert api_for(twin_planner, ApiTokenScope.READ).post(url).status_code == 403
    assert api_for(planner).post(url).status_code == 404
    page = Client()
    page.force_login(planner)
    assert page.post(reverse("plans:round", args=[round_.uid])).status_code == 302
    assert api.post(url).json() == {"dry_run": False, "counts": {"village_plans": 1}}
    assert api.post(url).json()["counts"] == {"village_plans": 0}

    def made(r: PlanningRound) -> list[tuple[Any, ...]]:
        return [
            (e.operation, e.subject_label, e.after, e.via)
            for e in AuditEntry.objects.filter(
                plan_uid__in=r.plans.filter(village__name="Thôn Mỹ Thủy").values("uid")
            )
        ]

    mine, theirs = made(round_), made(twin)
    assert len(mine) == 1 and [m[:2] for m in mine] == [t[:2] for t in theirs]
    assert (mine[0][3], theirs[0][3]) == ("", "api")


def test_a_round_opened_on_the_page_and_through_the_api_is_the_same(
    ctx: dict[str, Any],
) -> None:
    """The commune page's "New planning round" form for Hải Lăng, ``POST /rounds/`` for a twin
    commune of the same name and villages (one planner of both): the same round, the same
    village plans (not the ended village's) and the same history, the API's marked."""
    from kehoach.accounts.models import Role, RoleAssignment
    from kehoach.approvals.models import StatusChange

    commune = ctx["round"].commune
    twin = CommuneFactory.create(code="19703", name=commune.name, parent=commune.parent)
    planner = ctx["planner"]
    RoleAssignment.objects.create(user=planner, role=Role.COMMUNE_PLANNER, unit=twin)
    for unit, code in ((commune, "19702"), (twin, "19703")):
        VillageFactory.create(parent=unit, name="Thôn Mỹ Thủy", code=f"{code}-901")
        VillageFactory.create(parent=unit, name="Thôn An Đô", code=f"{code}-902")
        ended = VillageFactory.create(parent=unit, name="Thôn Cũ", code=f"{code}-903")
        ended.valid_to = ended.valid_from
        ended.save(update_fields=["valid_to"])
    dates = {"proposals_due": "2030-09-30", "synthesis_due": "2030-10-31"}
    page = Client()
    page.force_login(planner)
    shown = page.post(
        reverse("plans:round_create", args=[commune.code]),
        {"plan_year": "2031", "proposals_due": "30/09/2030", "synthesis_due": "31/10/2030"},
    )
    assert shown.status_code == 302, shown.content.decode()[:2000]
    made = api_for(planner).post(
        f"{API}/rounds/", {"commune_code": twin.code, "plan_year": 2031, **dates}, format="json"
    )
    assert made.status_code == 201, made.json()
    on_page = PlanningRound.objects.get(commune=commune, plan_year=2031)
    by_api = PlanningRound.objects.get(commune=twin, plan_year=2031)
    assert made.json()["uid"] == str(by_api.uid)

    def row(r: PlanningRound) -> tuple[Any, ...]:
        return (
            r.plan_year,
            r.profile_id,
            r.proposals_due,
            r.synthesis_due,
            r.approval_due,
            r.created_by_id,
        )

    def plans(r: PlanningRound) -> list[tuple[Any, ...]]:
        return [
            (p.village.name, p.status)
            for p in r.plans.select_related("village").order_by("village__name")
        ]

    def history(r: PlanningRound) -> list[tuple[Any, ...]]:
        uids = list(r.plans.values_list("uid", flat=True))
        audit = [
            (
                e.operation,
                e.subject_label,
                e.subject_repr,
                e.before,
                e.after,
                e.actor_username,
                e.actor_name,
            )
            for e in AuditEntry.objects.filter(plan_uid__in=uids)
        ]
        changes = StatusChange.objects.filter(plan_uid__in=uids)
        return sorted(audit, key=str) + [("status", c.action, c.to_state) for c in changes]

    assert row(on_page) == row(by_api)
    assert str(on_page.proposals_due) == "2030-09-30"
    assert plans(on_page) == plans(by_api)
    assert [p[0] for p in plans(on_page)] == ["Thôn An Đô", "Thôn Mỹ Thủy"]
    assert history(on_page) == history(by_api) and len(history(on_page)) == 2
    page_vias = AuditEntry.objects.filter(plan_uid__in=on_page.plans.values("uid"))
    api_vias = AuditEntry.objects.filter(plan_uid__in=by_api.plans.values("uid"))
    assert set(page_vias.values_list("via", flat=True)) == {""}
    assert set(api_vias.values_list("via", flat=True)) == {"api"}
