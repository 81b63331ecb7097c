"""Two people doing the same thing at the same moment (issue 12, D43).

Each race sends two real requests through Django's test client from two threads released
together by a barrier, against a real database (a file on SQLite, a server on PostgreSQL):
no answer is a 500, exactly one request wins, the other gets the application's ordinary
refusal (a stale version, a plan already approved…) or the 409 conflict message, and the
database holds one consistent result. Which request wins is up to the scheduler; the
assertions hold for either.

The last tests hold a write lock from the test itself while a request runs with a short busy
(SQLite) or lock (PostgreSQL) timeout: the lock failure becomes the 409 message, and nothing
the request began is left written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import AuditEntry, StatusChange, Version
from kehoach.exchange.forms import f6
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.tests.helpers import FIRST_ROW, opened, plan_with_lines, saved
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.tests import factories as pf
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf
from kehoach.synthesis.tests.test_workflow import RESOLUTION, _world

pytestmark = pytest.mark.django_db(transaction=True)

CONFLICT = (
    "Người khác đã lưu dữ liệu này sau khi bạn mở. Thay đổi của bạn chưa được lưu; hãy tải "
    "lại trang để xem các giá trị đã lưu, rồi sửa lại."
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Request = Callable[[], Any]  # a test client answer


def _client(user: Any) -> Client:
    """A logged-in browser whose server errors come back as 500 answers, not exceptions."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _in_threads(*requests: Request) -> list[Any]:
    """Run each request in a thread of its own (a connection of its own), all released at once
    by a barrier; the answers in the order given. The threads close their connections."""
    barrier = threading.Barrier(len(requests))
    results: list[Any] = [None] * len(requests)

    def run(index: int, request: Request) -> None:
        try:
            barrier.wait()
            results[index] = request()
        except BaseException as exc:  # handed to the test below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def _race(*requests: Request) -> list[Any]:
    answers = _in_threads(*requests)
    assert [a.status_code for a in answers if a.status_code >= 500] == []
    return answers


def _is_conflict(answer: Any) -> bool:
    return answer.status_code == 409 and CONFLICT in answer.content.decode()


def _flash(client: Client, answer: Any) -> str:
    """The page a redirect leads to, with the message the redirect left for it."""
    return client.get(answer["Location"]).content.decode()


# --- two saves of one proposal line ----------------------------------------------------------


LINE_FORM = {
    "location": "Xóm Trên",
    "quantity": "1,2",
    "start_month": "03/2027",
    "end_month": "06/2027",
    "total_cost_mvnd": "100",
    "contribution_mvnd": "30",
    "contribution_cash_mvnd": "10",
    "contribution_labour_days": "200",
    "contribution_labour_mvnd": "20",
    "contribution_materials_mvnd": "0",
    "contribution_land_m2": "0",
    "external_support_mvnd": "70",
    "beneficiary_households": "80",
    "beneficiary_poor": "12",
    "beneficiary_em": "0",
    "implementation_mode": "community",
    "priority": "1",
    "notes": "",
}


def _line_form(line: ProposalLine, activity: str) -> dict[str, str]:
    return {
        **LINE_FORM,
        "sector": str(line.sector_id),
        "unit": str(line.unit_id),
        "proposed_source": str(line.proposed_source_id or ""),
        "activity": activity,
        "version": str(line.version),
    }


@pytest.fixture
def line() -> ProposalLine:
    plan = pf.village_plan()
    return pf.line(plan)


def test_two_saves_of_one_line_keep_one_and_refuse_the_other(line: ProposalLine) -> None:
    commune = line.plan.village.parent
    first = _client(commune_planner(commune, username="xa.mot"))
    second = _client(commune_planner(commune, username="xa.hai"))
    url = reverse("plans:line_edit", args=[line.plan.uid, line.uid])
    yours = {"xa.mot": "Đường bê tông xóm Trên", "xa.hai": "Đường cấp phối xóm Dưới"}

    answers = _race(
        lambda: first.post(url, _line_form(line, yours["xa.mot"])),
        lambda: second.post(url, _line_form(line, yours["xa.hai"])),
    )

    winners = [i for i, a in enumerate(answers) if a.status_code == 302]
    assert len(winners) == 1, [a.status_code for a in answers]
    loser = answers[1 - winners[0]]
    stale = "Dòng 1 đã được người khác sửa sau khi bạn mở. Chưa có gì được lưu."
    assert loser.status_code == 409
    assert stale in loser.content.decode() or _is_conflict(loser)
    saved_line = ProposalLine.objects.get(pk=line.pk)
    assert saved_line.version == line.version + 1
    assert saved_line.activity == list(yours.values())[winners[0]]
    assert AuditEntry.objects.filter(subject_id=str(line.pk), operation="update").count() == 1


# --- an imported workbook: confirmed twice, confirmed while cancelled ------------------------


@pytest.fixture
def checked_import() -> dict[str, Any]:
    """A village plan, its planner and an F6 workbook checked and waiting for confirmation."""
    plan, planner = plan_with_lines()
    book = opened(f6.export(plan))
    book["F6"][f"C{FIRST_ROW}"] = "Đường bê tông trục chính"
    upload = _client(planner).post(
        reverse("exchange:village_upload", args=[plan.uid, "F6"]),
        {"file": _file(saved(book))},
    )
    assert upload.status_code == 302
    record = ImportRecord.objects.get()
    assert record.result == ImportRecord.Result.PREVIEWED
    return {"plan": plan, "planner": planner, "record": record}


def _file(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("bieu.xlsx", data, content_type=XLSX)


def _first_line(plan: VillagePlan) -> ProposalLine:
    return ProposalLine.objects.get(plan=plan, number=1)


def _imports(plan: VillagePlan, result: str) -> int:
    return StatusChange.objects.filter(plan_uid=plan.uid, action="import", to_state=result).count()


def test_a_workbook_confirmed_twice_at_once_is_applied_once(checked_import: dict[str, Any]) -> None:
    plan, planner, record = (checked_import[k] for k in ("plan", "planner", "record"))
    tabs = [_client(planner), _client(planner)]  # a double click, or two tabs
    url = reverse("exchange:import_confirm", args=[record.uid])

    answers = _race(
        lambda: tabs[0].post(url, {"confirm": "1"}), lambda: tabs[1].post(url, {"confirm": "1"})
    )

    winners = [i for i, a in enumerate(answers) if a.status_code == 302]
    assert len(winners) == 1, [a.status_code for a in answers]
    assert answers[winners[0]]["Location"] == reverse("plans:plan", args=[plan.uid])
    loser = answers[1 - winners[0]]
    # An applied workbook is no longer there to confirm: the same 404 as a second click later.
    assert loser.status_code == 404 or _is_conflict(loser)
    assert ImportRecord.objects.get(pk=record.pk).result == ImportRecord.Result.APPLIED
    assert _imports(plan, ImportRecord.Result.APPLIED) == 1
    first = _first_line(plan)
    assert (first.activity, first.version) == ("Đường bê tông trục chính", 2)
    assert "Đã áp dụng biểu: thêm 0, sửa 1, xóa 0." in _flash(tabs[winners[0]], answers[winners[0]])


def test_a_workbook_confirmed_while_cancelled_is_either_applied_or_not(
    checked_import: dict[str, Any],
) -> None:
    plan, planner, record = (checked_import[k] for k in ("plan", "planner", "record"))
    confirming, cancelling = _client(planner), _client(planner)

    confirmed, cancelled = _race(
        lambda: confirming.post(reverse("exchange:import_confirm", args=[record.uid])),
        lambda: cancelling.post(reverse("exchange:import_cancel", args=[record.uid])),
    )

    result = ImportRecord.objects.get(pk=record.pk).result
    first = _first_line(plan)
    assert cancelled.status_code == 302
    if result == ImportRecord.Result.APPLIED:
        assert confirmed.status_code == 302
        assert (first.activity, first.version) == ("Đường bê tông trục chính", 2)
        assert _imports(plan, ImportRecord.Result.CANCELLED) == 0
    else:
        assert result == ImportRecord.Result.CANCELLED
        assert confirmed.status_code == 404 or _is_conflict(confirmed)
        assert (first.activity, first.version) == ("Bê tông hóa đường thôn", 1)
        assert _imports(plan, ImportRecord.Result.APPLIED) == 0
    assert (
        _imports(plan, ImportRecord.Result.APPLIED) + _imports(plan, ImportRecord.Result.CANCELLED)
        == 1
    )


# --- the commune plan: approved twice, published twice ----------------------------------------


@pytest.fixture
def commune_world() -> dict[str, Any]:
    return _world()


REFUSED = "Không thể thực hiện thao tác này lúc này: tài liệu đang ở trạng thái “%s”."


def test_two_approvers_at_once_approve_the_plan_once(commune_world: dict[str, Any]) -> None:
    plan: CommunePlan = commune_world["plan"]
    commune_plan_transition(actor=commune_world["planner"], plan=plan, action="submit")
    chair = _client(commune_world["approver"])
    deputy = _client(sf.approver(commune_world["commune"], username="phochutich.test"))
    url = reverse("synthesis:approval", args=[plan.uid])
    resolution = {
        "resolution_number": "25/NQ-HĐND",
        "resolution_date": "01/12/2026",
        "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
        "confirm": "on",
    }

    answers = _race(lambda: chair.post(url, resolution), lambda: deputy.post(url, resolution))

    winners = [i for i, a in enumerate(answers) if a.status_code == 302]
    assert len(winners) == 1, [a.status_code for a in answers]
    loser = answers[1 - winners[0]]
    if loser.status_code == 400:  # refused by the service, under the plan's lock
        assert REFUSED % "Đã phê duyệt" in loser.content.decode()
    else:  # the page already knew: nothing to approve any more (as for anyone later)
        assert loser.status_code == 404 or _is_conflict(loser)
    assert CommunePlan.objects.get(pk=plan.pk).status == CommunePlanStatus.APPROVED
    assert Version.objects.filter(plan_uid=plan.uid).count() == 1
    assert StatusChange.objects.filter(plan_uid=plan.uid, action="approve").count() == 1


def test_a_plan_published_twice_at_once_is_published_once(commune_world: dict[str, Any]) -> None:
    plan: CommunePlan = commune_world["plan"]
    planner = commune_world["planner"]
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=commune_world["approver"], plan=plan, data=RESOLUTION)
    tabs = [_client(planner), _client(planner)]
    url = reverse("synthesis:transition", args=[plan.uid, "publish"])
    approval_page = reverse("synthesis:approval", args=[plan.uid])

    answers = _race(
        lambda: tabs[0].post(url, {"confirm": "1"}), lambda: tabs[1].post(url, {"confirm": "1"})
    )

    assert [a.status_code for a in answers if not _is_conflict(a)] in ([302, 302], [302])
    winners = [i for i, a in enumerate(answers) if a.get("Location") == approval_page]
    assert len(winners) == 1, [(a.status_code, a.get("Location")) for a in answers]
    assert "Kế hoạch xã chuyển sang trạng thái “Đã công bố”." in _flash(
        tabs[winners[0]], answers[winners[0]]
    )
    loser = answers[1 - winners[0]]
    if loser.status_code == 302:  # refused by the service: back with the reason
        assert REFUSED % "Đã công bố" in _flash(tabs[1 - winners[0]], loser)
    stored = CommunePlan.objects.get(pk=plan.pk)
    assert stored.status == CommunePlanStatus.PUBLISHED
    assert StatusChange.objects.filter(plan_uid=plan.uid, action="publish").count() == 1
    version = Version.objects.get(plan_uid=plan.uid)
    assert version.published_at is not None


# --- a lock held by someone else for longer than the request waits ---------------------------


@contextmanager
def _write_lock_held(plan: VillagePlan) -> Iterator[None]:
    """Hold the lock that a save of the plan's lines needs, from the test's own connection,
    and write nothing that stays."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            VillagePlan.objects.select_for_update().get(pk=plan.pk)
        else:  # SQLite: BEGIN IMMEDIATE took the database's write lock; write under it
            VillagePlan.objects.filter(pk=plan.pk).update(updated_at=plan.updated_at)
        yield
        transaction.set_rollback(True)


def _short_wait() -> None:
    """Give up waiting for a lock after 50 ms on this thread's connection (not 20 s)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET lock_timeout = '50ms'")
        else:
            cursor.execute("PRAGMA busy_timeout = 50")


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_save_that_cannot_get_the_lock_in_time_gets_the_conflict_message(
    line: ProposalLine, htmx: bool
) -> None:
    plan = line.plan
    client = _client(commune_planner(plan.village.parent))
    plan_url = reverse("plans:plan", args=[plan.uid])
    headers = {"Referer": f"http://testserver{plan_url}"}
    if htmx:
        headers |= {"HX-Request": "true", "HX-Current-URL": f"http://testserver{plan_url}"}

    def save() -> Any:
        _short_wait()
        return client.post(
            reverse("plans:line_edit", args=[plan.uid, line.uid]),
            _line_form(line, "Đường bê tông xóm Trên"),
            headers=headers,
        )

    with _write_lock_held(plan):
        (answer,) = _in_threads(save)

    assert answer.status_code == 409
    html = answer.content.decode()
    assert CONFLICT in html
    if htmx:
        assert answer["HX-Retarget"] == "#main"
        assert "<html" not in html
        assert f'<a href="{plan_url}">Tải lại trang</a>' in html
    else:
        assert "<title>Đã được người khác thay đổi · kehoach</title>" in html
        assert f'<a class="btn" href="{plan_url}">Tải lại trang</a>' in html
    stored = ProposalLine.objects.get(pk=line.pk)
    assert (stored.activity, stored.version) == (line.activity, line.version)
    assert not AuditEntry.objects.filter(subject_id=str(line.pk), operation="update").exists()
    # Once the lock is gone the same save goes through.
    again = client.post(
        reverse("plans:line_edit", args=[plan.uid, line.uid]),
        _line_form(line, "Đường bê tông xóm Trên"),
    )
    assert again.status_code == 302
    assert ProposalLine.objects.get(pk=line.pk).version == line.version + 1


def test_the_lock_holder_sees_its_own_work_unharmed(line: ProposalLine) -> None:
    """The refused request did not disturb the transaction that held the lock."""
    plan = line.plan
    client = _client(commune_planner(plan.village.parent))

    def save() -> Any:
        _short_wait()
        return client.post(
            reverse("plans:line_edit", args=[plan.uid, line.uid]),
            _line_form(line, "Đường bê tông xóm Trên"),
        )

    with transaction.atomic():
        if connection.vendor == "postgresql":
            VillagePlan.objects.select_for_update().get(pk=plan.pk)
        ProposalLine.objects.filter(pk=line.pk).update(notes="Sửa trong lúc giữ khóa")
        (answer,) = _in_threads(save)
    assert _is_conflict(answer)
    stored = ProposalLine.objects.get(pk=line.pk)
    assert (stored.notes, stored.activity) == ("Sửa trong lúc giữ khóa", line.activity)
