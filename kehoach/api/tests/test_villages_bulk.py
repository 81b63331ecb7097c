"""Merging villages, undoing a merge and the village list from CSV through the API (issue 17,
R25): each merged village's version (412 with the current values), ``?dry_run=1`` writing
nothing, the page's rights, the same rows as the pages' writes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.geo.models import AdministrativeUnit, UnitSuccession
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang

from .test_villages import api_for, counts, page_for, row, tag

pytestmark = pytest.mark.django_db
API = "/api/v1"
BEGAN = datetime.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def commune() -> AdministrativeUnit:
    return hai_lang()


@pytest.fixture
def api(commune: AdministrativeUnit) -> APIClient:
    return api_for(commune_planner(commune))


def two_villages(commune: AdministrativeUnit) -> list[AdministrativeUnit]:
    return [
        VillageFactory.create(parent=commune, name=name, valid_from=BEGAN)
        for name in ("Thôn Một", "Thôn Hai")
    ]


def merge_body(villages: list[AdministrativeUnit], **values: Any) -> dict[str, Any]:
    given = [{"code": v.code, "version": int(tag(v).strip('"'))} for v in villages]
    return {"villages": given, "effective_date": "2026-07-01", "decision": "NQ 15", **values}


def state(commune: AdministrativeUnit) -> tuple[Any, ...]:
    villages = AdministrativeUnit.objects.filter(parent=commune).order_by("name")
    links = UnitSuccession.objects.filter(successor__parent=commune).order_by("predecessor__name")
    return (
        [row(v) for v in villages],
        list(links.values_list("predecessor__name", "successor__name", "kind", "decision")),
    )


def test_a_merge_into_a_new_village_and_its_undo_leave_the_pages_rows(
    commune: AdministrativeUnit, api: APIClient
) -> None:
    twin = CommuneFactory.create(parent=commune.parent)
    twins = two_villages(twin)
    page = page_for(commune_planner(twin))
    form = {
        "villages": [v.pk for v in twins],
        "new_name": "Thôn Hợp Nhất",
        "kind": "thon",
        "effective_date": "01/07/2026",
        "decision": "NQ 15",
    }
    assert page.post(reverse("geo:villages_merge", args=[twin.code]), form).status_code == 302
    villages = two_villages(commune)
    body = merge_body(villages, new_name="Thôn Hợp Nhất", kind="thon")
    url = f"{API}/units/{commune.code}/villages/merge/"
    before = counts()

    dry = api.post(f"{url}?dry_run=1", body, format="json")
    assert dry.status_code == 200 and dry.json()["would_save"] is True
    assert counts() == before
    response = api.post(url, body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Thôn Hợp Nhất"
    assert state(commune) == state(twin)

    made = AdministrativeUnit.objects.get(code=response.json()["code"])
    undo = f"{API}/villages/{made.code}/actions/undo-merge/"
    assert api.post(undo).status_code == 428
    checked = api.post(f"{undo}?dry_run=1", HTTP_IF_MATCH=tag(made))
    assert checked.status_code == 200 and len(checked.json()["restored"]) == 2
    assert UnitSuccession.objects.filter(successor=made).count() == 2
    twin_made = AdministrativeUnit.objects.get(parent=twin, name="Thôn Hợp Nhất")
    undone = reverse("geo:villages_merge_undo", args=[twin_made.code])
    assert page.post(undone).status_code == 302
    restored = api.post(undo, HTTP_IF_MATCH=tag(made))
    assert restored.status_code == 200, restored.json()
    assert {v["name"] for v in restored.json()["restored"]} == {"Thôn Một", "Thôn Hai"}
    assert state(commune) == state(twin)
    again = api.post(undo, HTTP_IF_MATCH=tag(made))
    assert again.status_code == 400 and again.json()["code"] == "merge_not_found"


def test_a_merge_with_a_stale_village_answers_412_and_writes_nothing(
    commune: AdministrativeUnit, api: APIClient
) -> None:
    villages = two_villages(commune)
    body = merge_body(villages, into=villages[0].code)
    AdministrativeUnit.objects.filter(pk=villages[1].pk).update(updated_at=timezone.now())
    before = counts()

    stale = api.post(f"{API}/units/{commune.code}/villages/merge/", body, format="json")

    assert stale.status_code == 412
    current = {v["code"]: v["name"] for v in stale.json()["current"]["villages"]}
    assert current == {v.code: v.name for v in villages}
    assert counts() == before and not UnitSuccession.objects.exists()


def test_a_merge_into_one_of_them_and_the_services_refusals(
    commune: AdministrativeUnit, api: APIClient
) -> None:
    villages = two_villages(commune)
    outsider = VillageFactory.create(parent=commune, name="Thôn Ba", valid_from=BEGAN)
    url = f"{API}/units/{commune.code}/villages/merge/"
    before = counts()

    one = api.post(url, merge_body(villages[:1], into=villages[0].code), format="json")
    early = api.post(
        f"{url}?dry_run=1", merge_body(villages, effective_date="2019-01-01"), format="json"
    )
    no_name = api.post(f"{url}?dry_run=1", merge_body(villages), format="json")
    wrong = api.post(url, merge_body(villages, into=outsider.code), format="json")

    assert one.status_code == 400 and one.json()["code"] == "merge_needs_two"
    assert early.status_code == 400 and early.json()["code"] == "merge_before_start"
    assert no_name.status_code == 400 and no_name.json()["code"] == "name_required"
    assert wrong.status_code == 400 and wrong.json()["code"] == "merge_target_invalid"
    assert counts() == before
    done = api.post(url, merge_body(villages, into=villages[0].code), format="json")
    assert done.status_code == 200 and done.json()["code"] == villages[0].code
    villages[1].refresh_from_db()
    assert villages[1].valid_to == datetime.date(2026, 6, 30)


def test_a_read_only_token_and_another_communes_villages(commune: AdministrativeUnit) -> None:
    villages = two_villages(commune)
    elsewhere = CommuneFactory.create(parent=commune.parent)
    foreign = two_villages(elsewhere)
    planner = commune_planner(commune)
    reader = api_for(planner, scope=ApiTokenScope.READ)
    writer = api_for(planner)
    url = f"{API}/units/{commune.code}/villages/merge/"
    before = counts()

    refused = reader.post(url, merge_body(villages), format="json")
    hidden = writer.post(
        f"{API}/units/{elsewhere.code}/villages/merge/", merge_body(foreign), format="json"
    )
    smuggled = writer.post(url, merge_body([villages[0], foreign[0]]), format="json")
    undo = writer.post(
        f"{API}/villages/{foreign[0].code}/actions/undo-merge/", HTTP_IF_MATCH=tag(foreign[0])
    )
    upload = writer.post(
        f"{API}/units/{elsewhere.code}/villages/import/",
        {"file": SimpleUploadedFile("t.csv", "Tên thôn\nThôn Mới\n".encode())},
        format="multipart",
    )

    assert refused.status_code == 403 and hidden.status_code == 404
    assert smuggled.status_code == 404 and undo.status_code == 404
    assert upload.status_code == 404 and counts() == before


CSV = "Tên thôn;Loại;Từ ngày\nThôn Một;thôn;\nBản Chân Rò;bản;01/07/2025\nTổ dân phố 3;;\n"


def upload(text: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("thon.csv", text.encode("utf-8-sig"))}


def test_the_csv_import_adds_the_pages_villages(
    commune: AdministrativeUnit, api: APIClient
) -> None:
    twin = CommuneFactory.create(parent=commune.parent)
    for unit in (commune, twin):
        VillageFactory.create(parent=unit, name="Thôn Một", valid_from=BEGAN)
    page = page_for(commune_planner(twin))
    sent = page.post(reverse("geo:villages_import", args=[twin.code]), upload(CSV))
    assert sent.status_code == 302
    url = f"{API}/units/{commune.code}/villages/import/"
    before = counts()

    dry = api.post(f"{url}?dry_run=1", upload(CSV), format="multipart")
    assert dry.status_code == 200, dry.json()
    assert [r["name"] for r in dry.json()["would_add"]] == ["Bản Chân Rò", "Tổ dân phố 3"]
    assert dry.json()["unchanged"] == ["Thôn Một"] and counts() == before
    response = api.post(url, upload(CSV), format="multipart")

    assert response.status_code == 201, response.json()
    assert [v["name"] for v in response.json()["created"]] == ["Bản Chân Rò", "Tổ dân phố 3"]
    assert state(commune) == state(twin)


def test_the_csv_import_answers_each_rows_problem_and_adds_nothing(
    commune: AdministrativeUnit, api: APIClient
) -> None:
    url = f"{API}/units/{commune.code}/villages/import/"
    bad = "Tên thôn,Loại\nThôn A,thôn\n,thôn\nThôn B,xóm\n"
    before = counts()

    checked = api.post(f"{url}?dry_run=1", upload(bad), format="multipart")
    refused = api.post(url, upload(bad), format="multipart")
    no_column = api.post(url, upload("Xã\nA\n"), format="multipart")

    assert checked.status_code == 400 and checked.json() == refused.json()
    assert [e["where"]["line"] for e in checked.json()["errors"]] == [3, 4]
    assert no_column.status_code == 400 and no_column.json()["code"] == "csv_columns_missing"
    assert counts() == before


def test_the_merge_checks_each_version_again_under_the_communes_lock(
    commune: AdministrativeUnit,
) -> None:
    from kehoach.core.errors import ApplicationError
    from kehoach.geo.services import unit_version, villages_merge, villages_merge_undo

    villages = two_villages(commune)
    read = {v.pk: unit_version(v) for v in villages}
    AdministrativeUnit.objects.filter(pk=villages[1].pk).update(updated_at=timezone.now())
    planner = commune_planner(commune)

    with pytest.raises(ApplicationError) as refused:
        villages_merge(
            actor=planner,
            villages=villages,
            into=villages[0],
            effective_date=datetime.date(2026, 7, 1),
            expected_versions=read,
        )
    assert refused.value.code == "conflict" and not UnitSuccession.objects.exists()

    villages_merge(
        actor=planner, villages=villages, into=villages[0], effective_date=datetime.date(2026, 7, 1)
    )
    stale = unit_version(villages[0]) - 1
    with pytest.raises(ApplicationError) as undo_refused:
        villages_merge_undo(actor=planner, target=villages[0], expected_version=stale)
    assert undo_refused.value.code == "conflict" and UnitSuccession.objects.count() == 1


def test_an_empty_or_too_large_file_is_refused(commune: AdministrativeUnit, api: APIClient) -> None:
    url = f"{API}/units/{commune.code}/villages/import/"
    big = "Tên thôn\n" + "Thôn X\n" * 150_000
    before = counts()

    empty = api.post(url, upload(""), format="multipart")
    large = api.post(url, upload(big), format="multipart")

    assert empty.status_code == 400 and empty.json()["code"] == "csv_empty"
    assert large.status_code == 400 and large.json()["code"] == "file_too_large"
    assert counts() == before
