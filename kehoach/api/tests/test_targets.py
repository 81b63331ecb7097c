"""A commune plan's socio-economic targets (F16) through the API (issue 17): the table as the
page shows it, saving the rows the page's form sends; ``If-Match`` (the table's version) and
412; ``?dry_run=1``; the same rows and history as the page's own save, the API's marked."""

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
from kehoach.approvals.models import AuditEntry
from kehoach.catalog.models import Indicator
from kehoach.catalog.tests.factories import IndicatorFactory
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.models import CommunePlan, TargetValue
from kehoach.synthesis.selectors import targets_table
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.targets import AUDIT_FIELDS, VALUE_FIELDS
from kehoach.synthesis.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def synthesised(commune: AdministrativeUnit, planner: Any) -> CommunePlan:
    (village,) = f.villages(commune, ["Thôn Diên Sanh"])
    f.submitted_plan(village, [f.money_line("600", "100", sector=f.transport(), activity="Đường")])
    round_ = f.round_of(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    return f.commune_plan_for(round_)


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Sở Tài chính", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def indicators() -> list[Indicator]:
    return [
        IndicatorFactory.create(code="HO-NGHEO", name="Tỷ lệ hộ nghèo", unit="%"),
        IndicatorFactory.create(code="THU-NHAP", name="Thu nhập bình quân", unit="triệu đồng"),
        IndicatorFactory.create(code="CU", name="Chỉ tiêu cũ", is_active=False),
    ]


@pytest.fixture
def planner() -> Any:
    return f.planner(hai_lang())


@pytest.fixture
def plan(planner: Any, indicators: list[Indicator]) -> CommunePlan:
    return synthesised(hai_lang(), planner)


@pytest.fixture
def api(planner: Any, plan: CommunePlan) -> APIClient:
    return api_for(planner)


def url(plan: CommunePlan) -> str:
    return f"{API}/commune-plans/{plan.uid}/targets/"


ROWS = {
    "rows": [
        {
            "indicator_code": "HO-NGHEO",
            "actual_previous": "8.5",
            "plan_current": "7",
            "estimate_current": "7.2",
            "plan_next": "6",
            "notes": "Giảm nghèo bền vững",
        },
        {"indicator_code": "THU-NHAP", "plan_next": "60"},
    ]
}
FORM = {
    "HO-NGHEO__actual_previous": "8,5",
    "HO-NGHEO__plan_current": "7",
    "HO-NGHEO__estimate_current": "7,2",
    "HO-NGHEO__plan_next": "6",
    "HO-NGHEO__notes": "Giảm nghèo bền vững",
    "THU-NHAP__actual_previous": "",
    "THU-NHAP__plan_current": "",
    "THU-NHAP__estimate_current": "",
    "THU-NHAP__plan_next": "60",
    "THU-NHAP__notes": "",
}


def counts() -> tuple[int, int]:
    return TargetValue.objects.count(), AuditEntry.objects.count()


def test_the_table_is_the_pages_rows_with_its_version(api: APIClient, plan: CommunePlan) -> None:
    answer = api.get(url(plan))
    assert answer.status_code == 200
    assert answer["ETag"] == '"0"'
    body = answer.json()
    assert body["version"] == 0
    year = plan.round.plan_year
    assert body["years"] == {"previous": year - 2, "current": year - 1, "next": year}
    codes = [row["indicator_code"] for row in body["rows"]]
    assert codes == [row.indicator.code for row in targets_table(plan)]
    assert "CU" not in codes  # retired, no value: not in the page's table either
    english = api.get(url(plan), HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == body


def test_a_save_writes_the_rows_answers_the_table_and_moves_the_version(
    api: APIClient, plan: CommunePlan
) -> None:
    answer = api.put(url(plan), ROWS, format="json", HTTP_IF_MATCH='"0"')
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert answer["ETag"] == f'"{body["version"]}"' and body["version"] > 0
    poor = next(r for r in body["rows"] if r["indicator_code"] == "HO-NGHEO")
    assert Decimal(poor["estimate_current"]) == Decimal("7.2")
    assert Decimal(poor["estimate_vs_plan_pct"]) > 100
    assert poor["notes"] == "Giảm nghèo bền vững"
    assert TargetValue.objects.filter(plan=plan).count() == 2
    assert api.get(url(plan))["ETag"] == answer["ETag"]

    # the version read before the save is stale now: 412 with the current table
    before = counts()
    stale = api.put(url(plan), ROWS, format="json", HTTP_IF_MATCH='"0"')
    assert stale.status_code == 412
    assert stale.json()["current"]["version"] == body["version"]
    # clearing a value through the current version
    cleared = api.put(
        url(plan),
        {"rows": [{"indicator_code": "THU-NHAP"}]},
        format="json",
        HTTP_IF_MATCH=answer["ETag"],
    )
    assert cleared.status_code == 200
    assert TargetValue.objects.get(plan=plan, indicator__code="THU-NHAP").plan_next is None
    assert counts() == (before[0], before[1] + 1)


def test_without_if_match_or_with_a_bad_value_nothing_is_written(
    api: APIClient, plan: CommunePlan
) -> None:
    before = counts()
    assert api.put(url(plan), ROWS, format="json").status_code == 428
    bad = {"rows": [{**ROWS["rows"][0], "plan_next": "-3"}, ROWS["rows"][1]]}
    refused = api.put(url(plan), bad, format="json", HTTP_IF_MATCH='"0"')
    assert refused.status_code == 400
    problem = refused.json()
    assert problem["code"] == "target_invalid"
    assert problem["where"]["field"] == "HO-NGHEO__plan_next"
    not_json = api.put(
        url(plan), {"rows": [{"plan_next": "6"}]}, format="json", HTTP_IF_MATCH='"0"'
    )
    assert not_json.status_code == 400
    assert counts() == before


def test_a_dry_run_answers_what_it_would_do_and_writes_nothing(
    api: APIClient, plan: CommunePlan
) -> None:
    before = counts()
    dry = api.put(f"{url(plan)}?dry_run=1", ROWS, format="json", HTTP_IF_MATCH='"0"')
    assert dry.status_code == 200
    assert dry.json() == {"dry_run": True, "counts": {"added": 2, "changed": 0}}
    bad = {"rows": [{"indicator_code": "HO-NGHEO", "plan_next": "-3"}]}
    refused = api.put(f"{url(plan)}?dry_run=1", bad, format="json", HTTP_IF_MATCH='"0"')
    assert refused.status_code == 400 and refused.json()["code"] == "target_invalid"
    assert counts() == before

    saved = api.put(url(plan), ROWS, format="json", HTTP_IF_MATCH='"0"')
    after = counts()
    again = api.put(f"{url(plan)}?dry_run=1", ROWS, format="json", HTTP_IF_MATCH=saved["ETag"])
    assert again.json()["counts"] == {"added": 0, "changed": 0}
    change = {"rows": [{**ROWS["rows"][0], "plan_next": "5"}]}
    one = api.put(f"{url(plan)}?dry_run=1", change, format="json", HTTP_IF_MATCH=saved["ETag"])
    assert one.json()["counts"] == {"added": 0, "changed": 1}
    assert counts() == after


def test_a_locked_plan_a_read_only_token_and_another_commune_write_nothing(
    planner: Any, plan: CommunePlan
) -> None:
    before = counts()
    reader = api_for(planner, ApiTokenScope.READ)
    assert reader.get(url(plan)).status_code == 200
    assert reader.put(url(plan), ROWS, format="json", HTTP_IF_MATCH='"0"').status_code == 403

    stranger = api_for(f.planner(dong_hoi()))
    assert stranger.get(url(plan)).status_code == 404
    assert stranger.put(url(plan), ROWS, format="json", HTTP_IF_MATCH='"0"').status_code == 404
    missing = f"{API}/commune-plans/00000000-0000-0000-0000-000000000001/targets/"
    assert stranger.get(missing).status_code == 404

    CommunePlan.objects.filter(pk=plan.pk).update(status=CommunePlanStatus.SUBMITTED)
    writer = api_for(planner)
    locked = writer.put(url(plan), ROWS, format="json", HTTP_IF_MATCH='"0"')
    dry = writer.put(f"{url(plan)}?dry_run=1", ROWS, format="json", HTTP_IF_MATCH='"0"')
    for answer in (locked, dry):
        assert answer.status_code in (400, 403) and answer.json()["code"] == "commune_plan_locked"
    assert counts() == before


def _rows(plan: CommunePlan) -> list[tuple[Any, ...]]:
    return [
        (row.indicator.code, *(getattr(row, n) for n in [*VALUE_FIELDS, "notes"]))
        for row in TargetValue.objects.filter(plan=plan)
        .select_related("indicator")
        .order_by("indicator__code")
    ]


def _history(plan: CommunePlan) -> list[tuple[Any, ...]]:
    """The plan's audit rows without what names the plan (its commune, in ``subject_repr``)."""
    return [
        (e.operation, e.subject_label, e.before, e.after, e.actor_username)
        for e in AuditEntry.objects.filter(plan_uid=plan.uid).order_by("id")
    ]


def test_the_same_save_through_the_page_and_the_api_leaves_the_same_rows_and_history(
    planner: Any, plan: CommunePlan
) -> None:
    RoleAssignment.objects.create(user=planner, role=Role.COMMUNE_PLANNER, unit=dong_hoi())
    forget_assignments(planner)
    twin = synthesised(dong_hoi(), planner)
    page = Client()
    page.force_login(planner)
    api = api_for(planner)
    start = (len(_history(plan)), len(_history(twin)))

    answer = page.post(reverse("synthesis:targets", args=[plan.uid]), FORM)
    assert answer.status_code == 302
    saved = api.put(url(twin), ROWS, format="json", HTTP_IF_MATCH='"0"')
    assert saved.status_code == 200

    changed = {**FORM, "HO-NGHEO__plan_next": "5,5", "THU-NHAP__plan_next": ""}
    assert page.post(reverse("synthesis:targets", args=[plan.uid]), changed).status_code == 302
    rows = [{**ROWS["rows"][0], "plan_next": "5.5"}, {"indicator_code": "THU-NHAP"}]
    again = api.put(url(twin), {"rows": rows}, format="json", HTTP_IF_MATCH=saved["ETag"])
    assert again.status_code == 200

    assert _rows(plan) == _rows(twin)
    assert _rows(plan)[0][-2] == Decimal("5.5")
    assert len(_history(plan)) - start[0] == 4
    assert _history(plan)[start[0] :] == _history(twin)[start[1] :]
    assert {e[0] for e in _history(plan)[start[0] :]} == {"create", "update"}
    written = AuditEntry.objects.order_by("id")
    page_via = written.filter(plan_uid=plan.uid).values_list("via", flat=True)
    assert set(list(page_via)[start[0] :]) == {""}
    twin_via = written.filter(plan_uid=twin.uid).values_list("via", flat=True)
    assert list(twin_via)[start[1] :] == ["api"] * 4
    assert AUDIT_FIELDS[0] == "indicator"
