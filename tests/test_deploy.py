"""Production settings: `manage.py check --deploy` passes, and nothing starts without a secret.

Each command runs in a fresh process with ``KEHOACH_VAR_DIR`` in a temporary directory, so that
it never writes into the repository's var/ and behaves as on a fresh clone (no database file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "k" * 20 + "x7#Qz!" * 8


def _manage(*args: str, env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "KEHOACH_DEMO",
            "KEHOACH_VAR_DIR",
            "DATABASE_URL",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "KEHOACH_VAR_DIR": str(var_dir),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={"SECRET_KEY": SECRET},
        var_dir=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _manage("check", env={}, var_dir=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_never_creates_demo_users(tmp_path: Path) -> None:
    """Refused before any database access: on a fresh clone there is no database file at all,
    and the command must neither fail on that nor create one."""
    result = _manage("load_demo", env={"SECRET_KEY": SECRET, "KEHOACH_DEMO": "1"}, var_dir=tmp_path)
    assert result.returncode != 0
    assert "KEHOACH_DEMO" in result.stderr
    assert "OperationalError" not in result.stderr
    assert not (tmp_path / "kehoach.sqlite3").exists()


def test_wsgi_and_asgi_entry_points_default_to_production_settings(tmp_path: Path) -> None:
    code = (
        "import os, django.core.handlers.asgi as a, django.core.handlers.wsgi as w\n"
        "import config.asgi, config.wsgi\n"
        "assert isinstance(config.asgi.application, a.ASGIHandler)\n"
        "assert isinstance(config.wsgi.application, w.WSGIHandler)\n"
        "print(os.environ['DJANGO_SETTINGS_MODULE'])\n"
    )
    unset = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "KEHOACH_DEMO", "DEBUG"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in unset},
            "SECRET_KEY": SECRET,
            "KEHOACH_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "config.settings.production"
