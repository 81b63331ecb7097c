"""Open-data files are built once per set of published versions, stored, and served with a strong
ETag, Last-Modified and long cache lifetimes; a new version (or a new progress report) makes a
new file while the old one stays at its own address; drafts are never built nor served; and a
stored file holds exactly what the formatters write from the selectors."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.monitoring.scale import ScaleOptions, generate
from kehoach.monitoring.services.progress import progress_report_create
from kehoach.plans.tests import factories as pf
from kehoach.portal.models import PublishedFile
from kehoach.portal.opendata import DATASETS, FORMATS, Scope, csv_chunks, json_chunks
from kehoach.portal.opendata.formats import write_xlsx
from kehoach.portal.stored.tasks import commune_files_task
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_line_create
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

from .crawl import body
from .factories import RESOLUTION, followed_plan, plan_in_state, report_data

D = Decimal
URL = "/cong-khai/du-lieu/19702/2027/ke-hoach.csv"
PROGRESS_URL = "/cong-khai/du-lieu/19702/2027/tien-do.csv"
ADDED = "Nạo vét kênh mương nội đồng Đội 5"


def _lines_read(queries: CaptureQueriesContext) -> list[str]:
    """Queries that read plan lines or snapshots (what a build reads)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if "synthesis_communeline" in q["sql"] or '"data"' in q["sql"]
    ]


# --- built once, then served ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_first_download_builds_and_stores_the_second_serves_it(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    followed_plan()
    assert not PublishedFile.objects.exists()
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(URL)
    assert first.status_code == 200
    content = body(first)
    stored = PublishedFile.objects.get()
    assert (stored.dataset, stored.fmt, stored.unit_code, stored.year) == (
        "ke-hoach",
        "csv",
        "19702",
        2027,
    )
    assert stored.size == len(content) == int(first["Content-Length"])
    assert stored.etag == hashlib.sha256(content).hexdigest()
    assert Path(stored.file.path).read_bytes() == content
    assert Path(stored.file.path).is_relative_to(Path(settings.MEDIA_ROOT) / "published")
    assert _lines_read(first_queries)  # the first one did read the snapshots

    with django_assert_max_num_queries(5), CaptureQueriesContext(connection) as queries:
        second = client.get(URL)
    assert second.status_code == 200 and body(second) == content
    assert _lines_read(queries) == []
    assert PublishedFile.objects.count() == 1
    assert second["ETag"] == f'"{stored.etag}"'
    assert second["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert second["Access-Control-Allow-Origin"] == "*"
    assert 'filename="ke-hoach-19702-2027.csv"' in second["Content-Disposition"]


@pytest.mark.django_db
def test_a_stored_file_gone_from_storage_is_built_again_not_an_error(client: Client) -> None:
    """A database restored without its media, or a media directory emptied by hand: the
    address builds the file again; the fixed address of the lost file is a 404, not a 500."""
    followed_plan()
    content = body(client.get(URL))
    stored = PublishedFile.objects.get()
    fixed = client.get(URL)["Content-Location"]
    Path(stored.file.path).unlink()
    assert client.get(fixed).status_code == 404
    again = client.get(URL)
    assert again.status_code == 200 and body(again) == content
    rebuilt = PublishedFile.objects.get()
    assert Path(rebuilt.file.path).read_bytes() == content
    assert client.get(fixed).status_code == 200


@pytest.mark.django_db
def test_etag_and_last_modified_answer_304_and_a_changed_one_200(client: Client) -> None:
    followed_plan()
    first = client.get(URL)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified

    same = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert same.status_code == 304 and same.content == b"" and same["ETag"] == etag
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    assert client.get(URL, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    built_at = PublishedFile.objects.get().built_at
    assert built_at is not None
    earlier = http_date(built_at.timestamp() - 3600)
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


@pytest.mark.django_db
def test_the_fixed_address_is_kept_a_year_and_a_wrong_one_is_404(client: Client) -> None:
    followed_plan()
    latest = client.get(URL)
    fixed = latest["Content-Location"]
    stored = PublishedFile.objects.get()
    assert fixed == f"/cong-khai/du-lieu/19702/2027/{stored.fingerprint[:16]}/ke-hoach.csv"
    again = client.get(fixed)
    assert again.status_code == 200 and body(again) == body(latest)
    assert again["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(fixed, HTTP_IF_NONE_MATCH=latest["ETag"]).status_code == 304
    # another format, another dataset, a fingerprint nobody built, too short a fingerprint
    assert client.get(fixed.replace(".csv", ".json")).status_code == 404
    assert client.get(fixed.replace("ke-hoach", "tien-do")).status_code == 404
    assert client.get(fixed.replace(stored.fingerprint[:16], "0" * 16)).status_code == 404
    assert client.get(fixed.replace(stored.fingerprint[:16], "abc")).status_code == 404


# --- a new version, a new report ----------------------------------------------------------


def _publish_amendment(world: dict[str, Any]) -> None:
    planner, approver, plan = world["planner"], world["approver"], world["plan"]
    commune_plan_transition(actor=planner, plan=plan, action="amend", comment="Bổ sung kênh")
    plan.refresh_from_db()
    data = {
        **pf.line_data(sector=sf.agriculture(), activity=ADDED),
        **sf.money_line("50", "5"),
        "organisation": "Hội Nông dân xã",
    }
    added = commune_line_create(actor=planner, plan=plan, data=data)
    line_decide(actor=planner, line=added, decision=Decision.DEFERRED, reason="Năm sau")
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(
        actor=approver, plan=plan, data={**RESOLUTION, "resolution_number": "31/NQ-HĐND"}
    )
    commune_plan_transition(actor=planner, plan=plan, action="publish")


@pytest.mark.django_db
def test_a_new_version_makes_a_new_file_and_the_old_address_keeps_its_content(
    client: Client,
) -> None:
    world = followed_plan()
    before = client.get(URL)
    old_content, old_address = body(before), before["Content-Location"]
    assert ADDED not in old_content.decode("utf-8-sig")
    _publish_amendment(world)

    after = client.get(URL)
    new_content = body(after)
    assert ADDED in new_content.decode("utf-8-sig")
    assert after["ETag"] != before["ETag"]
    assert after["Content-Location"] != old_address
    assert client.get(URL, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    assert PublishedFile.objects.count() == 2
    assert body(client.get(old_address)) == old_content


@pytest.mark.django_db
def test_an_amendment_not_yet_published_keeps_the_stored_file(client: Client) -> None:
    world = followed_plan()
    before = client.get(URL)
    planner, plan = world["planner"], world["plan"]
    commune_plan_transition(actor=planner, plan=plan, action="amend", comment="Bổ sung kênh")
    after = client.get(URL, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 304
    assert PublishedFile.objects.count() == 1


@pytest.mark.django_db
def test_a_new_progress_report_makes_a_new_progress_file_only(client: Client) -> None:
    world = followed_plan()
    plans, progress = client.get(URL), client.get(PROGRESS_URL)
    progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(),
        disbursed={world["ntp"]: D(200)},
    )
    assert client.get(URL, HTTP_IF_NONE_MATCH=plans["ETag"]).status_code == 304
    changed = client.get(PROGRESS_URL, HTTP_IF_NONE_MATCH=progress["ETag"])
    assert changed.status_code == 200
    assert "200" in body(changed).decode("utf-8-sig")
    assert client.get(progress["Content-Location"]).status_code == 200  # the old one stays


# --- drafts ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["draft", "approved"])
def test_a_plan_not_published_is_never_built_nor_served(client: Client, state: str) -> None:
    plan_in_state(hai_lang(), state)
    for dataset in DATASETS:
        for fmt in FORMATS:
            url = f"/cong-khai/du-lieu/19702/2027/{dataset}.{fmt}"
            assert client.get(url).status_code == 404
    assert not PublishedFile.objects.exists()


# --- publication builds the commune's files ------------------------------------------------


@pytest.mark.django_db
def test_publication_builds_the_communes_files_once_committed(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    world = followed_plan()
    assert not PublishedFile.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        _publish_amendment(world)
    assert not PublishedFile.objects.exists()  # the publisher does not wait for the build
    [queued] = DBTaskResult.objects.filter(task_path=commune_files_task.module_path)
    assert queued.status == TaskResultStatus.READY
    queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])  # the worker
    built = PublishedFile.objects.filter(unit_code="19702", year=2027)
    assert built.count() == len(DATASETS) * len(FORMATS)
    assert all(f.is_built for f in built)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert ADDED in body(response).decode("utf-8-sig")
    assert _lines_read(queries) == []
    assert PublishedFile.objects.count() == len(DATASETS) * len(FORMATS)


# --- two first requests at once -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_first_requests_at_once_build_the_file_once() -> None:
    followed_plan()
    for stored in PublishedFile.objects.all():  # publication's own build, undone
        stored.file.delete(save=False)
    PublishedFile.objects.all().delete()
    folder = Path(settings.MEDIA_ROOT) / "published" / "19702" / "2027"
    before = set(folder.iterdir()) if folder.exists() else set()
    start = threading.Barrier(2)
    answers: list[bytes] = []
    errors: list[BaseException] = []

    def download() -> None:
        try:
            start.wait()
            answers.append(body(Client().get(URL)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=download) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(answers) == 2 and answers[0] == answers[1]
    stored = PublishedFile.objects.get()
    assert set(folder.iterdir()) - before == {Path(stored.file.path)}  # one file written


# --- the stored file is what the formatters write -----------------------------------------


def _old_path(dataset: Any, fmt: str, scope: Scope) -> bytes:
    """The file as the portal wrote it in each request before it was stored."""
    if fmt == "xlsx":
        out = io.BytesIO()
        write_xlsx(dataset, scope, out)
        return out.getvalue()
    chunks = csv_chunks if fmt == "csv" else json_chunks
    return b"".join(chunks(dataset, scope))


def _comparable(fmt: str, content: bytes) -> Any:
    if fmt == "csv":
        return content
    if fmt == "json":
        document = json.loads(content)
        document.pop("generated_at")
        return document
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [book.get_sheet_by_index(i).to_python() for i in range(len(book.sheet_names))]


@pytest.mark.django_db
def test_stored_files_equal_what_the_formatters_write_on_generated_data(client: Client) -> None:
    catalog_load_defaults()
    hai_lang(), dong_hoi()
    options = ScaleOptions(
        provinces=("44",),
        villages_per_commune=3,
        lines_per_plan=5,
        years=(2026,),
        synthesised=1.0,
        approved=1.0,
        published=1.0,
        progress=0.5,
    )
    generate(options, today=datetime.date(2026, 12, 6))
    province = AdministrativeUnit.objects.get(code="44")
    scope = Scope(province, 2026)
    for slug, dataset in DATASETS.items():
        for fmt in FORMATS:
            response = client.get(f"/cong-khai/du-lieu/44/2026/{slug}.{fmt}")
            assert response.status_code == 200, (slug, fmt)
            stored = body(response)
            old = _old_path(dataset, fmt, scope)
            assert _comparable(fmt, stored) == _comparable(fmt, old), (slug, fmt)
    rows = PublishedFile.objects.get(dataset="ke-hoach", fmt="xlsx").rows
    assert rows is not None and rows > 0
