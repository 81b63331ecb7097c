"""Writes of background jobs: the contract other apps code against.

A page that starts heavy work calls ``job_start`` and redirects to the job's page
(``jobs:detail``). The task (a django-tasks task, usually declared with ``tasks.job_task``)
receives the job's uid first and reports through ``job_progress``, then ``job_finish`` with its
file or ``job_fail`` with a Vietnamese sentence for the person who asked::

    job = job_start(actor=request.user, kind="province-export", unit=unit,
                    task="kehoach.exchange.jobs.province_proposals_export",
                    label=_("Proposals of %(unit)s") % {...}, unit_code=unit.code, year=2027)
    return redirect(job)

    @job_task
    def province_proposals_export(job_uid: str, *, unit_code: str, year: int) -> None:
        job_progress(job_uid, 0, total, _("Writing the workbook"))
        ...
        job_finish(job_uid, file_name="de-xuat-44-2027.xlsx", content=path)

Parameters go to the task as JSON (numbers, texts, lists): pass codes and uids, never objects.
The task is enqueued when the transaction that started the job commits, so a worker never
looks for a job (or the data it is about) that is not yet committed — or that was rolled back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import get_valid_filename
from django.utils.translation import get_language

from .choices import FINISHED, JobStatus
from .models import Job


def _task(path: str) -> Any:
    """The django-tasks task at a dotted path (a mistyped path fails in the request, at once)."""
    task = import_string(path)
    if not callable(getattr(task, "enqueue", None)):
        raise TypeError(f"{path} is not a django-tasks task (use @job_task or @task)")
    return task


def job_start(
    *,
    actor: Any,
    kind: str,
    task: str,
    unit: Any = None,
    label: str,
    **params: Any,
) -> Job:
    """Record a job for ``actor`` and enqueue ``task(job_uid, **params)`` when the current
    transaction commits. Returns the job (status queued)."""
    _task(task)
    json.dumps(params)  # TypeError now, not in the worker, for a parameter JSON cannot carry
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            label=str(label)[:200],
            task=task,
            params=params,
            actor=actor,
            unit=unit,
            language=get_language() or settings.LANGUAGE_CODE,
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_pk: int) -> None:
    job = Job.objects.only("uid", "task", "params").get(pk=job_pk)
    result = _task(job.task).enqueue(str(job.uid), **job.params)
    Job.objects.filter(pk=job_pk).update(task_result_id=str(result.id))


def _open(job_uid: Any) -> Any:
    return Job.objects.filter(uid=job_uid).exclude(status__in=FINISHED)


def job_running(job_uid: Any) -> bool:
    """Mark the job as started (a worker took it). False when it is unknown or finished."""
    now = timezone.now()
    return bool(
        _open(job_uid).update(status=JobStatus.RUNNING, started_at=Coalesce(F("started_at"), now))
    )


def job_progress(job_uid: Any, done: int, total: int, message: str = "") -> None:
    """How far the job has gone: ``done`` of ``total`` steps (rows, villages…) and what it is
    doing now. Marks the job running."""
    total = max(0, int(total))
    done = max(0, min(int(done), total)) if total else max(0, int(done))
    _open(job_uid).update(
        status=JobStatus.RUNNING,
        started_at=Coalesce(F("started_at"), timezone.now()),
        done=done if total else 0,
        total=total,
        message=str(message)[:300],
    )


def job_finish(job_uid: Any, *, file_name: str, content: bytes | str | os.PathLike[str]) -> Job:
    """The job is done: keep its result file (bytes, or the path of a file, copied in chunks)
    under ``PRIVATE_MEDIA_ROOT/jobs/<uid>/`` for its download."""
    name = get_valid_filename(file_name) or "ket-qua"
    with transaction.atomic():
        job = Job.objects.select_for_update().get(uid=job_uid)
        if isinstance(content, bytes):
            job.file.save(name, ContentFile(content), save=False)
        else:
            with Path(content).open("rb") as handle:
                job.file.save(name, File(handle), save=False)
        job.file_name = name
        job.status = JobStatus.DONE
        job.done = job.total
        job.message = ""
        job.finished_at = timezone.now()
        job.started_at = job.started_at or job.finished_at
        job.save()
    return job


def job_done(job_uid: Any, message: str = "") -> None:
    """The job is done without a file (a refresh, an import confirmed); ``message`` (a
    translated sentence) says what it did, on its page."""
    now = timezone.now()
    _open(job_uid).update(
        status=JobStatus.DONE,
        done=F("total"),
        message=str(message)[:300],
        finished_at=now,
        started_at=Coalesce(F("started_at"), now),
    )


def job_fail(job_uid: Any, message: str) -> None:
    """The job failed: ``message`` (a translated sentence) tells the person who asked why."""
    now = timezone.now()
    _open(job_uid).update(
        status=JobStatus.FAILED,
        error=str(message) or "?",
        finished_at=now,
        started_at=Coalesce(F("started_at"), now),
    )
