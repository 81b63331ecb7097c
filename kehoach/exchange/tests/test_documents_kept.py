"""Expensive documents are made once (decision D44): the PDF and Word of an approved version and
the feedback sheet of a published one are rendered on the first download and kept, per version,
format and language; a change of what the document reads renders it again; drafts and the
poster are rendered within per-user limits (429 with ``Retry-After`` and a page saying how long
to wait); the visibility rules are those of the plan, kept file or not.

Renders are counted with the ``rendering`` signal the real renderer sends (no mock): a download
that does not send it did not render."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import Version
from kehoach.geo.tests.factories import dong_hoi
from kehoach.monitoring.tests.factories import ROAD, followed_plan
from kehoach.plans.models import VillagePlan
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

from ..documents.commune import CommunePlanDocument
from ..documents.kept import fingerprint, rendering, waiting
from ..documents.limits import render_slot, render_start
from ..models import DocumentRender, RenderedDocument
from .test_documents import RESOLUTION, docx_text, pdf_text

pytestmark = pytest.mark.django_db


class Renders:
    """Every render (kind, format) the renderer announces while the test runs."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, sender: Any, kind: str, format: str, **kwargs: Any) -> None:
        with self.lock:
            self.seen.append((str(kind), format))

    def __len__(self) -> int:
        return len(self.seen)


@pytest.fixture
def renders() -> Iterator[Renders]:
    counter = Renders()
    rendering.connect(counter, weak=False)
    try:
        yield counter
    finally:
        rendering.disconnect(counter)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    found = followed_plan()
    found["client"] = _client(found["planner"])
    found["village_plan"] = VillagePlan.objects.get(village=found["villages"][0])
    return found


def _document(plan: Any, fmt: str = "pdf", query: str = "") -> str:
    return reverse("exchange:commune_document", args=[plan.uid, fmt]) + query


def _feedback(village_plan: Any) -> str:
    return reverse("exchange:village_feedback_sheet", args=[village_plan.uid])


def _poster(village_plan: Any) -> str:
    return reverse("exchange:village_poster", args=[village_plan.uid])


def _ok(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return bytes(response.content)


def _kept_files(plan: Any) -> list[Path]:
    """The kept files of a plan on the disk."""
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "documents" / str(plan.uid)
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- kept once per version ---------------------------------------------------------------------


def test_the_second_download_of_a_version_does_not_render_again(
    world: dict[str, Any], renders: Renders
) -> None:
    client, plan = world["client"], world["plan"]
    first_pdf = _ok(client, _document(plan))
    first_docx = _ok(client, _document(plan, "docx"))
    assert renders.seen == [("commune_plan", "pdf"), ("commune_plan", "docx")]
    again_pdf = _ok(client, _document(plan))
    again_docx = _ok(client, _document(plan, "docx", "?version=1"))  # the same version
    assert len(renders) == 2  # served from the kept files
    assert again_pdf == first_pdf and again_docx == first_docx
    assert "25/NQ-HĐND" in pdf_text(again_pdf)
    assert "1.000,0" in docx_text(again_docx)
    kept = RenderedDocument.objects.order_by("format")
    assert [(k.format, k.language, k.version.number, k.size) for k in kept] == [
        ("docx", "vi", 1, len(first_docx)),
        ("pdf", "vi", 1, len(first_pdf)),
    ]
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for row in kept:
        path = Path(row.file.path).resolve()
        assert path.is_relative_to(private) and path.read_bytes() in (first_pdf, first_docx)
        assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        assert row.subject_uid == plan.uid and row.render_ms >= 0 and len(row.fingerprint) == 64


def test_a_new_version_renders_once_more_and_the_old_one_stays_kept(
    world: dict[str, Any], renders: Renders
) -> None:
    client, plan = world["client"], world["plan"]
    first = _ok(client, _document(plan))
    commune_plan_transition(actor=world["planner"], plan=plan, action="amend", comment="Sửa")
    plan.refresh_from_db()
    commune_plan_transition(actor=world["planner"], plan=plan, action="submit")
    commune_plan_approve(
        actor=world["approver"], plan=plan, data={**RESOLUTION, "resolution_number": "31/NQ-HĐND"}
    )
    assert len(renders) == 1
    second = _ok(client, _document(plan))  # the latest version: version 2
    assert len(renders) == 2 and second != first
    assert "31/NQ-HĐND" in pdf_text(second)
    assert _ok(client, _document(plan, query="?version=2")) == second
    assert _ok(client, _document(plan, query="?version=1")) == first
    assert len(renders) == 2
    numbers = sorted(RenderedDocument.objects.values_list("version__number", flat=True))
    assert numbers == [1, 2]


def test_a_change_of_what_the_document_reads_renders_it_again(
    world: dict[str, Any], renders: Renders, django_capture_on_commit_callbacks: Any
) -> None:
    """The legal bases come from the process profile, not from the version's snapshot: an
    administrator who edits them gets them in the next download, which replaces the kept file
    (one row, the old file removed)."""
    client, plan = world["client"], world["plan"]
    before = _ok(client, _document(plan))
    (old_file,) = _kept_files(plan)
    profile = plan.round.profile
    basis = "Căn cứ Quyết định số 77/QĐ-UBND của Ủy ban nhân dân tỉnh;"
    profile.extra = {**(profile.extra or {}), "document_legal_bases": [basis]}
    profile.save()
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes on commit
        after = _ok(client, _document(plan))
    assert len(renders) == 2 and after != before
    assert "77/QĐ-UBND" in pdf_text(after) and "77/QĐ-UBND" not in pdf_text(before)
    assert RenderedDocument.objects.count() == 1
    (new_file,) = _kept_files(plan)
    assert new_file != old_file and not old_file.exists()
    assert _ok(client, _document(plan)) == after
    assert len(renders) == 2


def test_each_language_has_its_own_kept_file(world: dict[str, Any], renders: Renders) -> None:
    client, plan = world["client"], world["plan"]
    vietnamese = _ok(client, _document(plan))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _ok(client, _document(plan))
    assert "PEOPLE'S COMMITTEE" in pdf_text(english) and english != vietnamese
    assert _ok(client, _document(plan)) == english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert _ok(client, _document(plan)) == vietnamese
    assert len(renders) == 2
    assert sorted(RenderedDocument.objects.values_list("language", flat=True)) == ["en", "vi"]


def test_a_kept_file_removed_from_the_disk_is_rendered_again(
    world: dict[str, Any], renders: Renders
) -> None:
    client, plan = world["client"], world["plan"]
    first = _ok(client, _document(plan, "docx"))
    (path,) = _kept_files(plan)
    path.unlink()
    assert docx_text(_ok(client, _document(plan, "docx"))) == docx_text(first)
    assert len(renders) == 2 and len(_kept_files(plan)) == 1


def test_the_feedback_sheet_of_a_published_version_is_kept(
    world: dict[str, Any], renders: Renders
) -> None:
    client, village_plan = world["client"], world["village_plan"]
    first = _ok(client, _feedback(village_plan))
    assert ROAD in pdf_text(first)
    assert _ok(client, _feedback(village_plan)) == first
    assert renders.seen == [("feedback", "pdf")]
    row = RenderedDocument.objects.get()
    assert row.kind == "feedback" and row.subject_uid == village_plan.uid
    # the other village's sheet is a document of its own
    other = VillagePlan.objects.get(village=world["villages"][1])
    assert _ok(client, _feedback(other)) != first
    assert len(renders) == 2


def test_drafts_and_the_poster_are_rendered_every_time(
    world: dict[str, Any], renders: Renders
) -> None:
    client, plan, village_plan = world["client"], world["plan"], world["village_plan"]
    commune_plan_transition(actor=world["planner"], plan=plan, action="amend", comment="Sửa")
    for _ in range(2):
        _ok(client, _document(plan, query="?draft=1"))
        _ok(client, _poster(village_plan))
    assert renders.seen == [("commune_plan", "pdf"), ("poster", "pdf")] * 2
    assert not RenderedDocument.objects.exists()


def test_the_fingerprint_is_what_the_document_is_made_of(world: dict[str, Any]) -> None:
    plan = world["plan"]
    version = Version.objects.get(plan_uid=plan.uid)
    one = CommunePlanDocument(plan, version).document()
    two = CommunePlanDocument(plan, version).document()
    assert fingerprint(one, "pdf") == fingerprint(two, "pdf")
    assert fingerprint(one, "pdf") != fingerprint(one, "docx")
    two.parts[1].paragraph("Một đoạn văn mới.")
    assert fingerprint(one, "pdf") != fingerprint(two, "pdf")


# --- who may see ----------------------------------------------------------------------------


def test_a_kept_file_is_no_reason_to_show_it_to_someone_who_may_not_see_the_plan(
    world: dict[str, Any], renders: Renders
) -> None:
    plan, village_plan = world["plan"], world["village_plan"]
    urls = [_document(plan), _document(plan, "docx"), _feedback(village_plan)]
    for url in urls:
        _ok(world["client"], url)
    assert RenderedDocument.objects.count() == 3
    stranger = _client(commune_planner(dong_hoi(), username="xa.khac"))
    for url in [*urls, _document(plan, query="?version=1")]:
        assert stranger.get(url).status_code == 404, url
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    assert len(renders) == 3


# --- limits -----------------------------------------------------------------------------------


def _limited(response: Any) -> tuple[int, str]:
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    page = response.content.decode()
    assert 'lang="vi"' in page and "<h1>Xin vui lòng chờ một lát</h1>" in page
    assert f"Hãy chờ {seconds} giây rồi tải lại tài liệu này." in page
    return seconds, page


def test_a_user_over_the_limit_per_minute_waits_and_others_do_not(
    world: dict[str, Any], renders: Renders, settings: Any
) -> None:
    settings.KEHOACH_RENDERS_PER_MINUTE = 2
    client, plan, village_plan = world["client"], world["plan"], world["village_plan"]
    commune_plan_transition(actor=world["planner"], plan=plan, action="amend", comment="Sửa")
    _ok(client, _document(plan, query="?draft=1"))
    _ok(client, _poster(village_plan))
    seconds, page = _limited(client.get(_document(plan, "docx", "?draft=1")))
    assert 1 <= seconds <= 60
    assert (
        "Trong một phút vừa qua bạn đã yêu cầu chuẩn bị 2 tài liệu, mức tối đa máy chủ chuẩn bị "
        "cho một người."
    ) in page
    # a version not kept yet is a render too
    _limited(client.get(_document(plan, query="?version=1")))
    assert len(renders) == 2
    # another user is not limited by the first; once kept, the version is served to both
    other = _client(world["approver"])
    _ok(other, _document(plan, "docx", "?draft=1"))
    kept = _ok(other, _document(plan, query="?version=1"))
    assert len(renders) == 4
    assert _ok(client, _document(plan, query="?version=1")) == kept
    assert len(renders) == 4
    _limited(client.get(_poster(village_plan)))


def test_the_wait_is_until_the_oldest_render_leaves_the_minute(
    world: dict[str, Any], settings: Any
) -> None:
    settings.KEHOACH_RENDERS_PER_MINUTE = 2
    client, village_plan = world["client"], world["village_plan"]
    _ok(client, _poster(village_plan))
    _ok(client, _poster(village_plan))
    now = timezone.now()
    first, second = DocumentRender.objects.order_by("started_at")
    DocumentRender.objects.filter(pk=first.pk).update(
        started_at=now - datetime.timedelta(seconds=45)
    )
    DocumentRender.objects.filter(pk=second.pk).update(
        started_at=now - datetime.timedelta(seconds=30)
    )
    seconds, _page = _limited(client.get(_poster(village_plan)))
    assert 14 <= seconds <= 16  # 60 − 45, rounded up
    DocumentRender.objects.filter(pk=first.pk).update(
        started_at=now - datetime.timedelta(seconds=61)
    )
    _ok(client, _poster(village_plan))  # the oldest left the minute: one more fits


def test_one_render_at_a_time_per_user(world: dict[str, Any], renders: Renders) -> None:
    client, village_plan = world["client"], world["village_plan"]
    with render_slot(user=world["planner"], kind="poster"):  # a render of this user running
        seconds, page = _limited(client.get(_poster(village_plan)))
        assert 1 <= seconds <= 10
        assert "Một tài liệu khác bạn yêu cầu vẫn đang được chuẩn bị." in page
        _ok(_client(world["approver"]), _poster(village_plan))
    _ok(client, _poster(village_plan))
    assert len(renders) == 2


def test_a_render_whose_worker_died_stops_counting(
    world: dict[str, Any], settings: Any, renders: Renders
) -> None:
    client, village_plan = world["client"], world["village_plan"]
    abandoned = render_start(user=world["planner"], kind="poster")  # never finished
    _limited(client.get(_poster(village_plan)))
    long_ago = timezone.now() - datetime.timedelta(
        seconds=settings.KEHOACH_RENDER_ABANDONED_AFTER + 1
    )
    DocumentRender.objects.filter(pk=abandoned.pk).update(started_at=long_ago)
    _ok(client, _poster(village_plan))
    assert len(renders) == 1
    assert not DocumentRender.objects.filter(pk=abandoned.pk).exists()  # cleared away


def test_the_429_page_follows_the_language(world: dict[str, Any]) -> None:
    client, village_plan = world["client"], world["village_plan"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with render_slot(user=world["planner"], kind="poster"):
        response = client.get(_poster(village_plan))
    assert response.status_code == 429
    seconds = response["Retry-After"]
    assert f"Wait {seconds} seconds, then download this document again." in (
        response.content.decode()
    )


# --- two first downloads at the same moment -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_first_downloads_at_the_same_moment_render_once(renders: Renders) -> None:
    """The first request renders; the second arrives while it does, waits on the document's
    lock (it says so) and is then served the kept file. The same user: the one waiting does not
    count as a second render in progress. Both databases."""
    world = followed_plan()
    plan, user = world["plan"], world["planner"]
    rendering_started, second_waits, go = threading.Event(), threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def hold_the_first(sender: Any, **kwargs: Any) -> None:
        rendering_started.set()
        assert go.wait(120)

    def note_the_wait(sender: Any, **kwargs: Any) -> None:
        second_waits.set()

    def download(name: str) -> None:
        from django.db import connection as thread_connection

        try:
            response = _client(user).get(_document(plan))
            results[name] = (response.status_code, bytes(response.content))
        finally:
            thread_connection.close()

    rendering.connect(hold_the_first, weak=False)
    waiting.connect(note_the_wait, weak=False)
    threads = [threading.Thread(target=download, args=(name,)) for name in ("first", "second")]
    try:
        threads[0].start()
        assert rendering_started.wait(120)
        threads[1].start()
        assert second_waits.wait(120)  # the second is waiting for the first's render
    finally:
        go.set()
        for thread in threads:
            if thread.is_alive():
                thread.join(120)
        rendering.disconnect(hold_the_first)
        waiting.disconnect(note_the_wait)
    assert results["first"][0] == results["second"][0] == 200
    assert results["first"][1] == results["second"][1]
    assert "25/NQ-HĐND" in pdf_text(results["second"][1])
    assert renders.seen == [("commune_plan", "pdf")]
    assert RenderedDocument.objects.count() == 1
    assert connection.vendor in ("sqlite", "postgresql")


# --- admin ------------------------------------------------------------------------------------


def test_kept_documents_are_read_only_in_the_admin(world: dict[str, Any]) -> None:
    _ok(world["client"], _document(world["plan"]))
    admin = _client(
        get_user_model().objects.create_superuser("quantri", "qt@example.org", "x" * 12)
    )
    page = admin.get(reverse("admin:exchange_rendereddocument_changelist"))
    assert page.status_code == 200 and "pdf" in page.content.decode()
    row = RenderedDocument.objects.get()
    assert admin.get(reverse("admin:exchange_rendereddocument_add")).status_code == 403
    change = admin.get(reverse("admin:exchange_rendereddocument_change", args=[row.pk]))
    assert change.status_code == 200 and row.fingerprint in change.content.decode()
    assert 'name="fingerprint"' not in change.content.decode()  # nothing to edit
    delete = admin.get(reverse("admin:exchange_rendereddocument_delete", args=[row.pk]))
    assert delete.status_code == 403


def test_a_plan_without_an_approved_version_keeps_nothing(renders: Renders) -> None:
    commune = dong_hoi()
    (village,) = sf.villages(commune, ["Thôn Đức Ninh"])
    sf.submitted_plan(village, [sf.money_line("600", "100", activity=ROAD)])
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    client = _client(planner)
    _ok(client, _document(plan))
    _ok(client, _document(plan))
    assert len(renders) == 2 and not RenderedDocument.objects.exists()
