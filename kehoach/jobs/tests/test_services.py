"""A job's life: queued when started (the task enqueued only when the transaction commits),
running with its progress, done with its file or failed with a message for the person."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from kehoach.accounts.tests.factories import UserFactory
from kehoach.jobs.choices import JobStatus
from kehoach.jobs.models import Job
from kehoach.jobs.services import job_fail, job_finish, job_progress, job_start
from kehoach.jobs.tasks import crash_message

from . import sample_tasks

pytestmark = pytest.mark.django_db
T = "kehoach.jobs.tests.sample_tasks."


def _start(actor: Any, name: str = "writes_a_file", **params: Any) -> Job:
    return job_start(actor=actor, kind="test", task=T + name, label="Thử", **params)


def test_a_started_job_is_queued_and_enqueued_on_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    actor = UserFactory.create()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _start(actor, text="xin chào")
    assert job.status == JobStatus.QUEUED and job.actor == actor and job.language == "vi"
    assert not DBTaskResult.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    task = DBTaskResult.objects.get()
    assert task.task_path == T + "writes_a_file"
    assert task.args_kwargs == {"args": [str(job.uid)], "kwargs": {"text": "xin chào"}}
    job.refresh_from_db()
    assert job.task_result_id == str(task.id)


def test_a_job_rolled_back_enqueues_nothing(django_capture_on_commit_callbacks: Any) -> None:
    actor = UserFactory.create()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        _start(actor, text="x")
        1 / 0  # noqa: B018
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_a_wrong_task_or_parameter_is_refused_in_the_request() -> None:
    actor = UserFactory.create()
    with pytest.raises(TypeError):
        _start(actor, "not_a_task")
    with pytest.raises(TypeError):
        _start(actor, text=object())
    assert not Job.objects.exists()


def test_queued_then_running_then_done_with_its_file() -> None:
    job = _start(UserFactory.create(), text="x")
    job_progress(job.uid, 40, 100, "Đang ghi")
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.message, job.percent) == (
        JobStatus.RUNNING,
        40,
        100,
        "Đang ghi",
        40,
    )
    assert job.started_at is not None
    job_finish(job.uid, file_name="de xuat.xlsx", content=b"PK-data")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == 100 and job.finished_at is not None
    assert job.file_name == "de_xuat.xlsx"
    assert job.file.name == f"jobs/{job.uid}/de_xuat.xlsx"
    with job.file.open("rb") as handle:
        assert handle.read() == b"PK-data"


def test_a_finished_job_no_longer_moves() -> None:
    job = _start(UserFactory.create(), text="x")
    job_fail(job.uid, "Không có dữ liệu.")
    job_progress(job.uid, 1, 2)
    job_fail(job.uid, "another")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "Không có dữ liệu." and job.done == 0


def test_progress_never_goes_past_its_total() -> None:
    job = _start(UserFactory.create(), text="x")
    job_progress(job.uid, 7, 5)
    job.refresh_from_db()
    assert (job.done, job.total) == (5, 5)


# --- the job_task wrapper -------------------------------------------------------------------


def _run(job: Job, name: str, **params: Any) -> None:
    getattr(sample_tasks, name).call(str(job.uid), **params)


def test_a_task_that_finishes_gives_its_file() -> None:
    job = _start(UserFactory.create(), text="nội dung")
    _run(job, "writes_a_file", text="nội dung")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    with job.file.open("rb") as handle:
        assert handle.read().decode() == "nội dung"


def test_a_refusal_fails_the_job_with_its_vietnamese_message() -> None:
    job = _start(UserFactory.create(), "refuses")
    _run(job, "refuses")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "Không có gì để xuất."


def test_a_crash_fails_the_job_with_a_general_message_and_is_raised() -> None:
    job = _start(UserFactory.create(), "crashes")
    with pytest.raises(RuntimeError):
        _run(job, "crashes")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == crash_message() and job.error.startswith("Công việc")


def test_a_task_that_returns_leaves_the_job_done_without_a_file() -> None:
    job = _start(UserFactory.create(), "returns")
    _run(job, "returns")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and not job.file and job.done == 3


def test_a_finished_job_is_not_run_again() -> None:
    job = _start(UserFactory.create(), text="x")
    job_fail(job.uid, "Đã hủy.")
    _run(job, "writes_a_file", text="x")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file
