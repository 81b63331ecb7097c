"""Implementation through the API (issue 17): a work's progress reports (the history, latest
first, and a new report through the page's service), a report's photo (the page's upload
checks and re-encoding; served with the page's checks), the supervision boards and the
evaluation; ``?dry_run=1`` writes nothing; the page and the API leave the same rows and history,
the API's marked as such."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework.test import APIClient

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import AuditEntry
from kehoach.geo.tests.factories import CommuneFactory, dong_hoi, quang_tri
from kehoach.monitoring.models import Disbursement, ProgressPhoto, ProgressReport
from kehoach.monitoring.services.photos import photo_add
from kehoach.monitoring.services.progress import progress_report_create
from kehoach.monitoring.tests.factories import followed_plan, report_data
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.models import CommunePlan

pytestmark = pytest.mark.django_db
API = "/api/v1"
D = Decimal

REPORT = {
    "reported_on": "2026-11-30",
    "status": "ongoing",
    "quantity_done": "0.75",
    "actual_start": "2026-10-01",
    "contribution_cash_mvnd": "20",
    "contribution_labour_days": "100",
    "contribution_labour_mvnd": "15",
    "problems": "Mưa kéo dài, chậm đổ bê tông",
}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def world() -> dict[str, Any]:
    return followed_plan()


def api_for(user: Any, scope: str = ApiTokenScope.READ_WRITE) -> APIClient:
    _token, secret = token_create(user=user, name="Chương trình", scope=scope, expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def reports_url(world: dict[str, Any], line: str = "road") -> str:
    return f"{API}/commune-plans/{world['plan'].uid}/lines/{world[line].uid}/progress-reports/"


def photos_url(world: dict[str, Any], report: ProgressReport) -> str:
    return f"{reports_url(world)}{report.uid}/photos/"


def with_money(world: dict[str, Any], amount: str = "250.5") -> dict[str, Any]:
    return {
        **REPORT,
        "disbursed": [{"envelope_line_uid": str(world["ntp"].uid), "amount_mvnd": amount}],
    }


def counts() -> tuple[int, int, int, int]:
    return (
        ProgressReport.objects.count(),
        Disbursement.objects.count(),
        ProgressPhoto.objects.count(),
        AuditEntry.objects.count(),
    )


def jpeg(size: tuple[int, int] = (1200, 800)) -> bytes:
    """A phone's JPEG: a camera and a GPS position in its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "Samsung"
    exif[0x8825] = {1: "N", 2: (16.0, 45.0, 10.5), 3: "E", 4: (107.0, 11.0, 3.2)}
    out = io.BytesIO()
    Image.new("RGB", size, (120, 140, 90)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(data: bytes | None = None, name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg() if data is None else data, content_type="image/jpeg")


def a_report(world: dict[str, Any], **overrides: Any) -> ProgressReport:
    return progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(**overrides),
        disbursed={world["ntp"]: D(100)},
    )


# --- progress reports -------------------------------------------------------------------------


def test_the_reports_of_a_work_are_listed_latest_first_with_their_money(
    world: dict[str, Any],
) -> None:
    older = a_report(world, reported_on=datetime.date(2026, 10, 31), quantity_done=D("0.2"))
    latest = a_report(world)
    api = api_for(world["planner"], ApiTokenScope.READ)

    response = api.get(reports_url(world))

    assert response.status_code == 200, response.json()
    rows = response.json()["results"]
    assert [r["uid"] for r in rows] == [str(latest.uid), str(older.uid)]
    assert [r["is_latest"] for r in rows] == [True, False]
    assert rows[0]["quantity_done"] == "0.750" and rows[0]["status"] == "ongoing"
    assert rows[0]["disbursed"] == [
        {
            "envelope_line_uid": str(world["ntp"].uid),
            "source_code": world["ntp"].source.code,
            "amount_mvnd": "100.000",
        }
    ]
    assert api.get(reports_url(world, "school")).json()["results"] == []


def test_the_reports_of_another_communes_work_are_not_found(world: dict[str, Any]) -> None:
    a_report(world)
    stranger = followed_plan(CommuneFactory.create(parent=quang_tri(), name="Xã Hải Phú"))
    api = api_for(stranger["planner"])

    assert api.get(reports_url(world)).status_code == 404
    assert api.post(reports_url(world), with_money(world), format="json").status_code == 404
    missing = f"{API}/commune-plans/{world['plan'].uid}/lines/{world['plan'].uid}/"
    assert api_for(world["planner"]).get(f"{missing}progress-reports/").status_code == 404


def test_the_list_asks_as_many_queries_for_5_reports_as_for_50(world: dict[str, Any]) -> None:
    for day in range(1, 13):
        a_report(world, reported_on=datetime.date(2026, 11, day), quantity_done=D(day) / 20)
    api = api_for(world["planner"], ApiTokenScope.READ)
    api.get(f"{reports_url(world)}?page_size=5")  # anything read once per process, read now
    asked = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"{reports_url(world)}?page_size={size}").status_code == 200
        asked.append(len(queries))
    assert asked[0] == asked[1]


def test_a_report_added_through_the_api_is_the_services_and_marked_in_the_history(
    world: dict[str, Any],
) -> None:
    before = a_report(world, reported_on=datetime.date(2026, 10, 31), quantity_done=D("0.2"))
    api = api_for(world["planner"])

    response = api.post(reports_url(world), with_money(world), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    report = ProgressReport.objects.get(uid=body["uid"])
    assert report.is_latest and body["is_latest"] and body["quantity_done"] == "0.750"
    assert report.quantity_done == D("0.75") and report.reporter == world["planner"]
    assert [(d.envelope_line, d.amount_mvnd) for d in report.disbursements.all()] == [
        (world["ntp"], D("250.5"))
    ]
    before.refresh_from_db()
    assert not before.is_latest
    entry = AuditEntry.objects.filter(plan_uid=world["plan"].uid).latest("id")
    assert (entry.operation, entry.via, entry.subject_label) == (
        "create",
        "api",
        "monitoring.progressreport",
    )


def test_a_refused_report_names_its_fields_in_vietnamese_and_writes_nothing(
    world: dict[str, Any],
) -> None:
    api = api_for(world["planner"])
    before = counts()
    bad = {**with_money(world, "900"), "status": "completed", "quantity_done": "-1"}

    response = api.post(reports_url(world), bad, format="json", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 400, response.json()
    problems = response.json()["errors"]
    fields = {p["where"].get("field") for p in problems}
    assert {"quantity_done", "actual_finish", "disbursed"} <= fields, problems
    assert any("âm" in p["detail"] for p in problems), problems  # "không được âm"
    assert counts() == before


def test_money_from_an_envelope_line_not_of_the_plan_is_refused(world: dict[str, Any]) -> None:
    api = api_for(world["planner"])
    other = followed_plan(CommuneFactory.create(parent=quang_tri(), name="Xã Hải Phú"))
    given = {
        **REPORT,
        "disbursed": [{"envelope_line_uid": str(other["ntp"].uid), "amount_mvnd": "10"}],
    }
    before = counts()

    response = api.post(reports_url(world), given, format="json", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "envelope_line_unknown", body
    assert body["detail"].startswith("Giải ngân: nêu mỗi dòng khung nguồn lực"), body
    assert body["where"] == {"field": "disbursed", "line": 1}
    assert counts() == before


def test_a_report_of_a_line_that_is_not_a_funded_work_is_refused(world: dict[str, Any]) -> None:
    response = api_for(world["planner"]).post(reports_url(world, "farm"), REPORT, format="json")

    assert response.status_code == 400 and response.json()["code"] == "not_a_work"


def test_a_report_of_a_plan_not_published_is_refused_never_500() -> None:
    world = followed_plan(publish=False)
    before = counts()

    response = api_for(world["planner"]).post(reports_url(world), REPORT, format="json")

    assert response.status_code == 400 and response.json()["code"] == "not_published"
    assert counts() == before


def test_a_dry_run_answers_by_the_checks_and_writes_nothing(world: dict[str, Any]) -> None:
    api = api_for(world["planner"])
    before = counts()

    good = api.post(f"{reports_url(world)}?dry_run=1", with_money(world), format="json")
    bad = api.post(
        f"{reports_url(world)}?dry_run=1", {**REPORT, "quantity_done": "-1"}, format="json"
    )

    assert good.status_code == 200 and good.json() == {"dry_run": True, "counts": {"added": 1}}
    assert bad.status_code == 400
    assert bad.json()["where"]["field"] == "quantity_done", bad.json()
    assert counts() == before


def test_a_read_only_token_may_not_write(world: dict[str, Any]) -> None:
    report = a_report(world)
    api = api_for(world["planner"], ApiTokenScope.READ)
    before = counts()

    assert api.post(reports_url(world), REPORT, format="json").status_code == 403
    sent = api.post(photos_url(world, report), {"stage": "after", "image": upload()})
    assert sent.status_code == 403
    assert counts() == before


def test_someone_who_may_not_report_cannot_add_a_report(world: dict[str, Any]) -> None:
    before = counts()

    response = api_for(world["approver"]).post(reports_url(world), REPORT, format="json")

    assert response.status_code == 404  # as the page: the form is not theirs
    assert counts() == before


def _report_rows(world: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            r.reported_on,
            r.status,
            r.quantity_done,
            r.actual_start,
            r.contribution_cash_mvnd,
            r.contribution_labour_days,
            r.contribution_labour_mvnd,
            r.problems,
            r.reporter_name,
            r.is_latest,
            [(d.envelope_line.source.code, d.amount_mvnd) for d in r.disbursements.all()],
            [(p.stage, p.caption, p.width, p.height, p.original_name) for p in r.photos.all()],
        )
        for r in ProgressReport.objects.filter(line=world["road"]).order_by("id")
    ]


def _history(world: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (e.operation, e.subject_label, e.before, _without_ids(e.after), e.actor_username)
        for e in AuditEntry.objects.filter(
            plan_uid=world["plan"].uid, subject_label__startswith="monitoring."
        ).order_by("id")
    ]


def _without_ids(after: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in after.items() if k not in {"report", "line"}}


def test_the_same_report_and_photo_through_the_page_and_the_api_leave_the_same_rows_and_history(
    world: dict[str, Any],
) -> None:
    twin = followed_plan(CommuneFactory.create(parent=quang_tri(), name="Xã Hải Phú"))
    page = Client()
    page.force_login(world["planner"])
    api = api_for(twin["planner"])
    form = {
        "reported_on": "30/11/2026",
        "status": "ongoing",
        "quantity_done": "0,75",
        "actual_start": "01/10/2026",
        "contribution_cash_mvnd": "20",
        "contribution_labour_days": "100",
        "contribution_labour_mvnd": "15",
        "problems": "Mưa kéo dài, chậm đổ bê tông",
        f"disbursed_{world['ntp'].uid}": "250,5",
    }
    work = f"/cdp/{world['plan'].uid}/works/{world['road'].uid}/"
    assert page.post(f"{work}report/", form).status_code == 302
    sent = api.post(reports_url(twin), with_money(twin), format="json")
    assert sent.status_code == 201, sent.json()
    report = ProgressReport.objects.get(line=world["road"])
    twin_report = ProgressReport.objects.get(uid=sent.json()["uid"])
    photo = {"stage": "after", "caption": "Đường đã đổ bê tông"}
    assert (
        page.post(
            f"{work}photos/", {**photo, "report": str(report.uid), "image": upload()}
        ).status_code
        == 302
    )
    answer = api.post(photos_url(twin, twin_report), {**photo, "image": upload()})
    assert answer.status_code == 201, answer.json()

    # the names a person signs with differ (two communes' planners); the rest is equal
    mine = [row[:8] + row[9:] for row in _report_rows(world)]
    theirs = [row[:8] + row[9:] for row in _report_rows(twin)]
    assert mine == theirs and len(mine) == 1
    history = [row[:4] for row in _history(world)]
    assert history == [row[:4] for row in _history(twin)] and len(history) == 2
    vias = {
        e.via
        for e in AuditEntry.objects.filter(
            plan_uid=twin["plan"].uid, subject_label__startswith="monitoring."
        )
    }
    assert vias == {"api"}
    assert "api" not in {
        e.via
        for e in AuditEntry.objects.filter(
            plan_uid=world["plan"].uid, subject_label__startswith="monitoring."
        )
    }


# --- photos ---------------------------------------------------------------------------------


def test_a_photo_is_uploaded_re_encoded_and_served_with_the_pages_checks(
    world: dict[str, Any],
) -> None:
    report = a_report(world)
    api = api_for(world["planner"])

    sent = api.post(
        photos_url(world, report), {"stage": "during", "caption": "Đổ bê tông", "image": upload()}
    )

    assert sent.status_code == 201, sent.json()
    body = sent.json()
    assert (body["stage"], body["caption"]) == ("during", "Đổ bê tông")
    assert body["url"] == f"/api/v1/photos/{body['uid']}/"
    image = api.get(body["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image["X-Content-Type-Options"] == "nosniff"
    data = b"".join(image.streaming_content)
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG" and not stored.getexif()  # no camera, no GPS
    thumbnail = api.get(body["thumbnail_url"])
    assert thumbnail.status_code == 200
    assert max(Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).size) < max(
        stored.size
    )
    assert [r["photos"][0]["uid"] for r in api.get(reports_url(world)).json()["results"]] == [
        body["uid"]
    ]


def test_a_photo_of_another_commune_is_not_found_as_a_missing_one(world: dict[str, Any]) -> None:
    report = a_report(world)
    api = api_for(world["planner"])
    uid = api.post(photos_url(world, report), {"stage": "after", "image": upload()}).json()["uid"]
    ward = api_for(followed_plan(dong_hoi())["planner"], ApiTokenScope.READ)

    foreign = ward.get(f"{API}/photos/{uid}/")
    missing = ward.get(f"{API}/photos/{world['plan'].uid}/")

    assert foreign.status_code == 404 and foreign.content == missing.content
    assert ward.get(f"{API}/photos/{uid}/?size=thumbnail").status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_stored(
    world: dict[str, Any],
) -> None:
    report = a_report(world)
    api = api_for(world["planner"])
    before = counts()
    page = b"<html><script>alert(1)</script></html>"

    response = api.post(
        photos_url(world, report),
        {"stage": "after", "image": upload(page, "anh.jpg")},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    no_stage = api.post(photos_url(world, report), {"stage": "hom-qua", "image": upload()})

    assert response.status_code == 400
    assert response.json()["where"]["field"] == "image", response.json()
    assert no_stage.status_code == 400 and no_stage.json()["where"]["field"] == "stage"
    assert counts() == before


def test_a_photo_dry_run_checks_the_file_and_stores_nothing(world: dict[str, Any]) -> None:
    report = a_report(world)
    api = api_for(world["planner"])
    before = counts()

    good = api.post(f"{photos_url(world, report)}?dry_run=1", {"stage": "after", "image": upload()})
    bad = api.post(
        f"{photos_url(world, report)}?dry_run=1",
        {"stage": "after", "image": upload(b"GIF89a not a photo", "a.gif")},
    )

    assert good.status_code == 200 and good.json() == {"dry_run": True, "counts": {"added": 1}}
    assert bad.status_code == 400 and bad.json()["where"]["field"] == "image"
    assert counts() == before


def test_a_photo_of_a_report_of_another_work_is_not_found(world: dict[str, Any]) -> None:
    report = a_report(world)
    url = f"{reports_url(world, 'school')}{report.uid}/photos/"

    response = api_for(world["planner"]).post(url, {"stage": "after", "image": upload()})

    assert response.status_code == 404
    assert ProgressPhoto.objects.count() == 0


# --- supervision and evaluation ------------------------------------------------------------


def test_the_supervision_shows_each_work_and_its_board(world: dict[str, Any]) -> None:
    api = api_for(world["planner"], ApiTokenScope.READ)

    response = api.get(f"{API}/commune-plans/{world['plan'].uid}/supervision/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert {w["line_uid"] for w in body["works"]} == {
        str(world["road"].uid),
        str(world["school"].uid),
    }
    assert body["without_board"] == 2 and body["follow_ups"] == []
    assert all(w["board_uid"] is None for w in body["works"])
    ward = api_for(followed_plan(dong_hoi())["planner"], ApiTokenScope.READ)
    assert ward.get(f"{API}/commune-plans/{world['plan'].uid}/supervision/").status_code == 404


def test_the_evaluation_shows_planned_against_achieved(world: dict[str, Any]) -> None:
    a_report(world)
    api = api_for(world["planner"], ApiTokenScope.READ)

    response = api.get(f"{API}/commune-plans/{world['plan'].uid}/evaluation/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["totals"]["works"] == 2 and body["totals"]["ongoing"] == 1
    road = next(w for w in body["works"] if w["line_uid"] == str(world["road"].uid))
    assert (road["status"], road["quantity_done"], road["evaluated"]) == (
        "ongoing",
        "0.750",
        False,
    )
    assert body["results_achieved"] == "" and body["evaluated_on"] is None
    ward = api_for(followed_plan(dong_hoi())["planner"], ApiTokenScope.READ)
    assert ward.get(f"{API}/commune-plans/{world['plan'].uid}/evaluation/").status_code == 404


def test_the_answers_are_the_same_in_vietnamese_and_english(world: dict[str, Any]) -> None:
    a_report(world)
    api = api_for(world["planner"], ApiTokenScope.READ)
    for url in (
        reports_url(world),
        f"{API}/commune-plans/{world['plan'].uid}/supervision/",
        f"{API}/commune-plans/{world['plan'].uid}/evaluation/",
    ):
        vi = api.get(url, HTTP_ACCEPT_LANGUAGE="vi").json()
        en = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
        assert vi == en, url


# --- removing a photo (h17o) ----------------------------------------------------------------


def a_photo(world: dict[str, Any]) -> ProgressPhoto:
    return photo_add(
        actor=world["planner"],
        report=a_report(world),
        stage="after",
        upload=upload(),
        caption="Xong",
    )


def photo_url(photo: ProgressPhoto) -> str:
    return f"{API}/photos/{photo.uid}/"


def test_a_photo_is_removed_with_if_match_and_recorded_in_the_history(
    world: dict[str, Any],
) -> None:
    photo = a_photo(world)
    api = api_for(world["planner"])
    assert api.get(photo_url(photo))["ETag"] == '"1"'
    before = counts()

    missing = api.delete(photo_url(photo))
    stale = api.delete(photo_url(photo), HTTP_IF_MATCH='"2"')
    assert missing.status_code == 428
    assert stale.status_code == 412 and stale.json()["current"]["uid"] == str(photo.uid)
    assert counts() == before

    removed = api.delete(photo_url(photo), HTTP_IF_MATCH='"1"')

    assert removed.status_code == 204
    assert not ProgressPhoto.objects.filter(pk=photo.pk).exists()
    entry = AuditEntry.objects.filter(plan_uid=world["plan"].uid).latest("id")
    assert (entry.operation, entry.via) == ("delete", "api")
    assert api.get(photo_url(photo)).status_code == 404


def test_a_photo_removal_dry_run_checks_and_removes_nothing(world: dict[str, Any]) -> None:
    photo = a_photo(world)
    before = counts()

    answer = api_for(world["planner"]).delete(f"{photo_url(photo)}?dry_run=1", HTTP_IF_MATCH='"1"')

    assert answer.status_code == 200
    assert answer.json() == {"dry_run": True, "counts": {"removed": 1}}
    assert counts() == before


def test_a_photo_removal_is_refused_to_a_read_only_token_another_commune_and_a_closed_plan(
    world: dict[str, Any],
) -> None:
    photo = a_photo(world)
    ward = api_for(followed_plan(dong_hoi())["planner"])
    read_only = api_for(world["planner"], ApiTokenScope.READ)
    writer = api_for(world["planner"])
    before = counts()

    assert read_only.delete(photo_url(photo), HTTP_IF_MATCH='"1"').status_code == 403
    assert ward.delete(photo_url(photo), HTTP_IF_MATCH='"1"').status_code == 404
    CommunePlan.objects.filter(pk=world["plan"].pk).update(status=CommunePlanStatus.CLOSED)
    closed = writer.delete(photo_url(photo), HTTP_IF_MATCH='"1"')
    dry = writer.delete(f"{photo_url(photo)}?dry_run=1", HTTP_IF_MATCH='"1"')

    assert closed.status_code == 400 and closed.json()["code"] == "plan_closed"
    assert dry.status_code == 400 and dry.json()["code"] == "plan_closed"
    assert counts() == before


def test_a_photo_removed_through_the_page_and_the_api_leaves_the_same_history(
    world: dict[str, Any],
) -> None:
    twin = followed_plan(CommuneFactory.create(parent=quang_tri(), name="Xã Hải Phú"))
    mine, theirs = a_photo(world), a_photo(twin)
    page = Client()
    page.force_login(world["planner"])

    sent = page.post(f"/cdp/{world['plan'].uid}/photos/{mine.uid}/remove/")
    answer = api_for(twin["planner"]).delete(photo_url(theirs), HTTP_IF_MATCH='"1"')

    assert sent.status_code == 302 and answer.status_code == 204
    assert not ProgressPhoto.objects.exists()
    history = [row[:4] for row in _history(world)]
    assert history == [row[:4] for row in _history(twin)] and history[-1][0] == "delete"
    removal = AuditEntry.objects.filter(plan_uid=twin["plan"].uid, operation="delete").get()
    assert removal.via == "api"
    assert AuditEntry.objects.get(plan_uid=world["plan"].uid, operation="delete").via != "api"
