"""A real `manage.py db_worker` process over the test database (django-tasks' database backend,
the one `make run` and production start), for the tests that follow a job to its end: the job
tests below, and the browser test of a job's page (tests/e2e/test_jobs.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
COMMAND = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kehoach.jobs.tests.worker_settings",
        "DATABASE_URL": _database_url(),
        "KEHOACH_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "KEHOACH_TEST_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
    }


def run_worker() -> subprocess.CompletedProcess[str]:
    """One worker process over the test database: runs every queued task, then exits."""
    return subprocess.run(
        COMMAND,
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def start_worker() -> subprocess.Popen[str]:
    """The same worker started in the background (the caller waits for it): a page can be
    watched while the worker runs its tasks."""
    return subprocess.Popen(
        COMMAND,
        cwd=ROOT,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
