"""Production settings: `manage.py check --deploy` passes, and nothing starts without a secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "KEHOACH_DEMO"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings() -> None:
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env={"SECRET_KEY": "k" * 20 + "x7#Qz!" * 8}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _manage("check", env={})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_never_creates_demo_users() -> None:
    result = _manage("load_demo", env={"SECRET_KEY": "k" * 20 + "x7#Qz!" * 8, "KEHOACH_DEMO": "1"})
    assert result.returncode != 0
    assert "KEHOACH_DEMO" in result.stderr
