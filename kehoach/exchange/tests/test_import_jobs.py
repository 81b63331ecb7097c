"""A large workbook's confirmation runs as a background job (issue 16): over
``KEHOACH_IMPORT_DIRECT_MAX_LINES`` changes the person lands on the job's page, which says what
was applied or why nothing was; at or under it the confirmation stays direct. Two
confirmations get one job and apply once; the record cannot be cancelled while its job runs;
nobody else sees the job. The job is run here in-process as the worker runs it
(``task.call``); ``kehoach/jobs/tests/test_worker.py`` runs a real ``db_worker``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import StatusChange
from kehoach.exchange.forms import f6
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.tasks import import_confirm_job
from kehoach.geo.tests.factories import dong_hoi
from kehoach.jobs.choices import JobStatus
from kehoach.jobs.models import Job
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan

from .helpers import FIRST_ROW, opened, plan_with_lines, post_workbook, saved
from .helpers import logged_in as _client

BACKGROUND = override_settings(KEHOACH_IMPORT_DIRECT_MAX_LINES=0)
NEW_NAME = "Đường bê tông trục chính"
OLD_NAME = "Bê tông hóa đường thôn"
APPLIED = "Đã áp dụng biểu: thêm 0, sửa 1, xóa 0."


def _checked() -> dict[str, Any]:
    """A village plan, its planner signed in and an F6 workbook of one change, checked."""
    plan, planner = plan_with_lines()
    client = _client(planner)
    book = opened(f6.export(plan))
    book["F6"][f"C{FIRST_ROW}"] = NEW_NAME
    assert post_workbook(client, plan, saved(book)).status_code == 302
    record = ImportRecord.objects.get()
    assert record.result == ImportRecord.Result.PREVIEWED
    return {"plan": plan, "planner": planner, "client": client, "record": record}


def _confirm(client: Client, record: ImportRecord) -> Any:
    return client.post(reverse("exchange:import_confirm", args=[record.uid]))


def _run(job: Job) -> Job:
    """What the worker does with the queued job."""
    import_confirm_job.call(str(job.uid), **job.params)
    job.refresh_from_db()
    return job


def _first(plan: VillagePlan) -> str:
    return ProposalLine.objects.get(plan=plan, number=1).activity


def _applied(plan: VillagePlan) -> int:
    return StatusChange.objects.filter(
        plan_uid=plan.uid, action="import", to_state=ImportRecord.Result.APPLIED
    ).count()


@pytest.mark.django_db
@BACKGROUND
def test_a_large_confirm_runs_as_a_job_whose_page_says_what_was_applied() -> None:
    world = _checked()
    client, plan, record = world["client"], world["plan"], world["record"]
    page = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert 'id="import-background"' in page and "chế độ nền" in page

    response = _confirm(client, record)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.params, job.actor) == (
        "import",
        {"record_uid": str(record.uid)},
        world["planner"],
    )
    assert job.unit == plan.village and job.status == JobStatus.QUEUED
    assert _first(plan) == OLD_NAME  # nothing is written in the request
    page = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert job.get_absolute_url() in page and 'id="confirm-import"' not in page

    job = _run(job)
    assert job.status == JobStatus.DONE, job.error
    assert _first(plan) == NEW_NAME
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.APPLIED
    assert record.summary["applied"] == {"added": 0, "changed": 1, "deleted": 0}
    page = client.get(job.get_absolute_url()).content.decode()
    assert APPLIED in page and reverse("exchange:import", args=[record.uid]) in page
    assert "hx-trigger" not in page  # finished: the page stops polling


@pytest.mark.django_db
@override_settings(KEHOACH_IMPORT_DIRECT_MAX_LINES=1)
def test_a_confirm_at_the_threshold_stays_direct() -> None:
    world = _checked()
    client, plan, record = world["client"], world["plan"], world["record"]
    page = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert 'id="import-background"' not in page
    response = _confirm(client, record)
    assert response["Location"] == reverse("plans:plan", args=[plan.uid])
    assert not Job.objects.exists()
    assert _first(plan) == NEW_NAME
    assert APPLIED in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
@BACKGROUND
def test_a_refusal_in_the_job_writes_nothing_and_shows_the_message() -> None:
    world = _checked()
    client, plan, record = world["client"], world["plan"], world["record"]
    job = Job.objects.get(uid=_confirm(client, record)["Location"].split("/")[-2])
    # Meanwhile the plan was submitted: the job is refused by the same rule as a direct confirm.
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    before = (ProposalLine.objects.count(), StatusChange.objects.count())

    job = _run(job)

    assert job.status == JobStatus.FAILED and job.error
    assert (ProposalLine.objects.count(), StatusChange.objects.count()) == before
    assert _first(plan) == OLD_NAME
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.PREVIEWED
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="job-error"' in page and job.error.split("\n")[0] in page
    assert reverse("exchange:import", args=[record.uid]) in page  # the way back


@pytest.mark.django_db
@BACKGROUND
def test_data_changed_after_the_check_fails_the_job_and_marks_the_record_stale() -> None:
    world = _checked()
    client, plan, record = world["client"], world["plan"], world["record"]
    job = Job.objects.get(uid=_confirm(client, record)["Location"].split("/")[-2])
    ProposalLine.objects.filter(plan=plan, number=2).update(version=7)  # someone saved a line

    job = _run(job)

    assert job.status == JobStatus.FAILED
    assert "Hãy tải tệp lên lại" in job.error, job.error
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.STALE
    assert _first(plan) == OLD_NAME and _applied(plan) == 0


@pytest.mark.django_db
@BACKGROUND
def test_confirming_twice_gets_the_same_job_and_applies_once() -> None:
    world = _checked()
    client, plan, record = world["client"], world["plan"], world["record"]
    first = _confirm(client, record)
    second = _confirm(_client(world["planner"]), record)  # another tab
    assert first["Location"] == second["Location"]
    job = Job.objects.get()

    _run(job)
    _run(job)  # a worker that took the task twice: a finished job is not run again
    third = _confirm(client, record)

    assert Job.objects.count() == 1 and _applied(plan) == 1 and _first(plan) == NEW_NAME
    assert third["Location"] == reverse("exchange:import", args=[record.uid])
    assert "không còn chờ xác nhận" in client.get(third["Location"]).content.decode()


@pytest.mark.django_db
@BACKGROUND
def test_a_second_job_for_an_applied_record_applies_nothing() -> None:
    """Even a job started behind the page's back finds the record applied and writes nothing
    (``import_apply`` takes the record's lock and state)."""
    from kehoach.exchange.tasks import IMPORT_CONFIRM_TASK
    from kehoach.jobs.services import job_start

    world = _checked()
    plan, record = world["plan"], world["record"]
    _run(Job.objects.get(uid=_confirm(world["client"], record)["Location"].split("/")[-2]))
    extra = job_start(
        actor=world["planner"],
        kind="import",
        task=IMPORT_CONFIRM_TASK,
        label="x",
        record_uid=str(record.uid),
    )
    extra = _run(extra)
    assert extra.status == JobStatus.FAILED and _applied(plan) == 1


@pytest.mark.django_db
@BACKGROUND
def test_another_user_cannot_see_or_run_the_job() -> None:
    world = _checked()
    job_url = _confirm(world["client"], world["record"])["Location"]
    colleague = _client(commune_planner(world["plan"].village.parent))
    stranger = _client(commune_planner(dong_hoi()))
    for other in (colleague, stranger):
        assert other.get(job_url).status_code == 404
        assert _confirm(other, world["record"]).status_code == 404
    assert Job.objects.count() == 1


@pytest.mark.django_db
@BACKGROUND
def test_a_record_whose_job_runs_cannot_be_cancelled_and_can_once_it_failed() -> None:
    world = _checked()
    client, plan, record = world["client"], world["plan"], world["record"]
    _confirm(client, record)
    job = Job.objects.get()
    cancel = reverse("exchange:import_cancel", args=[record.uid])

    refused = client.post(cancel)
    assert refused["Location"] == reverse("exchange:import", args=[record.uid])
    assert "đang được áp dụng ở chế độ nền" in client.get(refused["Location"]).content.decode()
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.PREVIEWED

    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    assert _run(job).status == JobStatus.FAILED
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
    assert client.post(cancel)["Location"] == reverse("plans:plan", args=[plan.uid])
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.CANCELLED


@pytest.mark.django_db
@BACKGROUND
def test_a_submitted_plan_is_refused_at_once_without_a_job() -> None:
    world = _checked()
    VillagePlan.objects.filter(pk=world["plan"].pk).update(status=PlanStatus.SUBMITTED)
    response = _confirm(world["client"], world["record"])
    assert response["Location"] == reverse("exchange:import", args=[world["record"].uid])
    assert not Job.objects.exists()


def _in_threads(*requests: Callable[[], Any]) -> list[Any]:
    """Each request in a thread (a connection) of its own, released together."""
    barrier = threading.Barrier(len(requests))
    results: list[Any] = [None] * len(requests)

    def run(index: int, request: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = request()
        except BaseException as exc:
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


@pytest.mark.django_db(transaction=True)
@BACKGROUND
def test_two_tabs_confirming_at_once_start_one_job() -> None:
    world = _checked()
    tabs = [Client(raise_request_exception=False) for _ in range(2)]
    for tab in tabs:
        tab.force_login(world["planner"])
    url = reverse("exchange:import_confirm", args=[world["record"].uid])

    answers = _in_threads(lambda: tabs[0].post(url), lambda: tabs[1].post(url))

    job = Job.objects.get()
    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {job.get_absolute_url()}
    assert _run(job).status == JobStatus.DONE
    assert _applied(world["plan"]) == 1
