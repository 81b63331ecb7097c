"""Production serving (docs/deploy.md): gunicorn with config/gunicorn.conf.py and the production
settings, a real process on a socket of its own, against the test database; and the load script
(scripts/load.py) run at a small scale against it.

The socket is opened here and handed to gunicorn (``fd://``): it listens before gunicorn starts,
so the first request waits in its queue until a worker takes it — no port is raced for, nothing
is polled.
"""

from __future__ import annotations

import gzip
import http.client
import importlib.util
import json
import os
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.management import call_command
from django.db import connection

from kehoach.accounts.models import User

ROOT = Path(settings.BASE_DIR)
PASSWORD = "mat-khau-thu-phuc-vu"
SECRET = "serving-test-" + "k" * 50


def _load_script() -> Any:
    spec = importlib.util.spec_from_file_location("kehoach_load", ROOT / "scripts" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["kehoach_load"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


load = _load_script()


def _database_url() -> str:
    """The test database, as DATABASE_URL for another process."""
    db = connection.settings_dict
    if "sqlite" in db["ENGINE"]:
        return f"sqlite:///{db['NAME']}"
    auth = urllib.parse.quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + urllib.parse.quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Collected static files (production storage: hashed names, compressed copies)."""
    path = tmp_path_factory.mktemp("serving-var")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**_env(path), "DATABASE_URL": "sqlite:///unused"},
        check=True,
    )
    return path


def _env(var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": SECRET,
        "KEHOACH_VAR_DIR": str(var),
    }


@pytest.fixture
def server(transactional_db: Any, var_dir: Path) -> Iterator[str]:
    """gunicorn (2 workers) on the test database; yields its address."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    log = var_dir / f"gunicorn-{port}.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env={
                **_env(var_dir),
                "DATABASE_URL": _database_url(),
                "GUNICORN_BIND": f"fd://{sock.fileno()}",
                "WEB_CONCURRENCY": "2",
            },
            pass_fds=(sock.fileno(),),
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    sock.close()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(60)


def _get(base: str, path: str, headers: dict[str, str] | None = None) -> Any:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response: Any = conn.getresponse()
        response.body = response.read()
        return response
    finally:
        conn.close()


HTTPS = {"X-Forwarded-Proto": "https"}


def test_gunicorn_serves_the_login_page_static_files_and_a_session(
    server: str,
) -> None:
    base = server
    # Plain HTTP is sent to HTTPS; through the proxy (X-Forwarded-Proto) the page is served.
    plain = _get(base, "/accounts/login/")
    assert plain.status == 301
    assert plain.getheader("Location").startswith("https://127.0.0.1:")
    page = _get(base, "/accounts/login/", HTTPS)
    assert page.status == 200
    assert 'name="csrfmiddlewaretoken"' in page.body.decode()
    assert page.getheader("Strict-Transport-Security").startswith("max-age=31536000")
    assert "default-src" in page.getheader("Content-Security-Policy")
    assert "Secure" in page.getheader("Set-Cookie")

    # The stylesheet under its hashed name, compressed, cached for good (whitenoise).
    hashed = _hashed_name(page.body.decode(), "css/kehoach.")
    static = _get(base, hashed, {**HTTPS, "Accept-Encoding": "gzip"})
    assert static.status == 200
    assert static.getheader("Content-Encoding") == "gzip"
    assert "immutable" in static.getheader("Cache-Control")
    source = (ROOT / "kehoach" / "static" / "css" / "kehoach.css").read_bytes()
    assert gzip.decompress(static.body) == source
    assert _get(base, "/static/css/nothing-here.css", HTTPS).status == 404

    # A session on the test database: log in through the form, then open the home page.
    user = User.objects.create(
        username="phucvu",
        full_name="Người Thử Phục Vụ",
        password=Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt()),
    )
    server_ = load.Server.parse(base)
    load.detect_proxy_https(server_)
    assert server_.forwarded_https
    cookie = load.login(server_, user.username, PASSWORD)
    home = _get(base, "/", {**HTTPS, "Cookie": cookie})
    assert home.status == 200
    assert "Người Thử Phục Vụ" in home.body.decode()
    with pytest.raises(RuntimeError, match="could not log in"):
        load.login(server_, user.username, "sai-mat-khau-roi")


def _hashed_name(html: str, prefix: str) -> str:
    """The address of a static file as the page links it (hashed by the manifest storage)."""
    marker = f"/static/{prefix}"
    start = html.index(marker)
    return html[start : html.index('"', start)]


def test_the_load_script_runs_against_gunicorn(server: str, tmp_path: Path) -> None:
    """Generated data, load users and pages (``prepare``), then 2 clients for 3 seconds."""
    base = server
    call_command("load_units", verbosity=0)
    call_command("load_catalog", verbosity=0)
    call_command(
        "generate_scale",
        "--provinces",
        "44",
        "--communes",
        "2",
        "--villages-per-commune",
        "2",
        "--lines-per-plan",
        "3",
        "--years",
        "2027",
        "--synthesised",
        "1",
        "--approved",
        "1",
        "--published",
        "1",
        verbosity=0,
    )
    targets = tmp_path / "targets.json"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",  # Argon2, as the server checks
        "DATABASE_URL": _database_url(),
        "KEHOACH_VAR_DIR": str(tmp_path),
    }
    prepared = subprocess.run(
        [sys.executable, "scripts/load.py", "prepare", "--communes", "2", "--out", str(targets)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert prepared.returncode == 0, prepared.stderr[-3000:]
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable,
            "scripts/load.py",
            "run",
            "--base-url",
            base,
            "--targets",
            str(targets),
            "--clients",
            "2",
            "--duration",
            "3",
            "--alone-duration",
            "1",
            "--json",
            str(figures),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(figures.read_text())
    assert result["errors"] == 0, result["failures"]
    assert result["alone_errors"] == 0
    assert result["mix"]["requests"] > 0
    assert result["login_page"]["requests"] > 0
    assert set(result["pages"]) == set(load.KINDS)
    for page in result["pages"].values():
        assert page["in_mix"]["requests"] > 0
        assert set(page["alone"]) == {"1", "2"}
        assert all(alone["requests"] > 0 for alone in page["alone"].values())
    assert "| **mix** (2 clients) |" in done.stdout


def test_the_load_script_counts_a_refused_page_as_an_error(
    server: str,
) -> None:
    base = server
    server_ = load.Server.parse(base)
    load.detect_proxy_https(server_)
    phase = load.run_phase(
        server_,
        "missing",
        lambda rng: load.Request("missing", "/cong-khai/tinh/khong-co/", None),
        clients=1,
        duration=30,
        max_requests=3,
        seed=1,
    )
    assert phase.count == 3  # bounded by max_requests, not by the duration
    assert phase.errors == 3
    assert phase.failures[0].endswith("HTTP 404")


def test_percentiles_are_nearest_rank() -> None:
    values = [float(x) for x in range(1, 101)]
    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile(values, 99) == 99
    assert load.percentile([3.0], 99) == 3
    assert load.percentile([], 50) is None
