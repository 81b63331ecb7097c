"""``job_task``: a django-tasks task that keeps its job's row true whatever happens.

The wrapped function receives the job's uid and its parameters. Around it: the job is marked
running (a job already finished, or deleted, is not run again), the language of the person who
asked is active (messages, documents), an ``ApplicationError`` fails the job with its message,
any other exception fails it with a general sentence (and is raised again, so django-tasks
records it and the log has the traceback), and a function that returns without calling
``job_finish`` or ``job_fail`` leaves the job done without a file.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from kehoach.core.errors import ApplicationError, NotFoundError

from .models import Job
from .services import job_done, job_fail, job_running

logger = logging.getLogger(__name__)


def crash_message() -> str:
    return _(
        "The job stopped because of an error on the server. Start it again; if it fails again, "
        "tell the administrator."
    )


def gone_message() -> str:
    return _("What this job is about no longer exists, or you may no longer see it.")


def job_task(function: Callable[..., Any]) -> Any:
    @functools.wraps(function)
    def run(job_uid: str, **params: Any) -> None:
        language = Job.objects.filter(uid=job_uid).values_list("language", flat=True).first()
        if language is None or not job_running(job_uid):
            return
        with translation.override(language):
            try:
                function(job_uid, **params)
            except NotFoundError:
                job_fail(job_uid, gone_message())
                return
            except ApplicationError as exc:
                job_fail(job_uid, exc.message)
                return
            except Exception:
                logger.exception("Job %s failed", job_uid)
                job_fail(job_uid, crash_message())
                raise
            job_done(job_uid)

    return task()(run)
