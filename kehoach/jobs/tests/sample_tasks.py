"""Tasks the tests run (a task must be importable by its dotted path, like any job's)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError
from kehoach.jobs.services import job_finish, job_progress
from kehoach.jobs.tasks import job_task


@job_task
def writes_a_file(job_uid: str, *, text: str) -> None:
    job_progress(job_uid, 1, 2, "half")
    job_finish(job_uid, file_name="ket-qua.txt", content=text.encode())


@job_task
def refuses(job_uid: str) -> None:
    raise ApplicationError(code="nothing", message=_("There is nothing to export."))


@job_task
def crashes(job_uid: str) -> None:
    raise RuntimeError("boom")


@job_task
def returns(job_uid: str) -> None:
    job_progress(job_uid, 0, 3)


def not_a_task(job_uid: str) -> None:  # pragma: no cover - never run
    pass
