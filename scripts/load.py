#!/usr/bin/env python
"""Load on a running server: many clients at once on a mix of commune pages, roll-ups and portal
pages, with the login page alone and each page of the mix alone measured in the same run
(issue 16; docs/deploy.md, "Measuring under load").

    load.py prepare --province 44 --year 2027 --out var/load-targets.json
        (Django, on the database the server uses: demo users of generated data and the pages
        they open; refuses a database that holds real data)
    load.py run --base-url http://127.0.0.1:8000 --targets var/load-targets.json \\
        --clients 50 --duration 60 [--max-requests 100000] [--alone-duration 10] [--json FILE]
        (HTTP only, standard library: threads, http.client)
    load.py bench --province 44 --year 2027 --clients 50 --duration 60
        (on an empty PostgreSQL database, DATABASE_URL — scripts/with-postgres.sh makes one:
        migrate, units, catalog, generate_scale, prepare, collectstatic, then gunicorn with
        config/gunicorn.conf.py (4 workers, production settings) and a task worker, then run)

Everything is bounded: at most MAX_CLIENTS clients, MAX_DURATION seconds a phase,
--max-requests requests a phase, REQUEST_TIMEOUT seconds a request. A request is an error when
its answer is not 200 (a redirect to the login page included) or it fails. `run` exits 1 when
any request of the mix failed.

Each client sends what a browser sends: the session cookie of its user (anonymous on the
portal), Accept-Encoding: gzip. Behind a proxy that terminates HTTPS (production settings
redirect plain HTTP), the clients say so with X-Forwarded-Proto: https as the proxy does.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MAX_CLIENTS = 200
MAX_DURATION = 600.0
REQUEST_TIMEOUT = 60.0
LOGIN_URL = "/accounts/login/"

KINDS: dict[str, tuple[str, int]] = {
    # kind: (what it is, weight in the mix)
    "commune_plan": ("commune plan page (planner)", 25),
    "commune_page": ("commune page (planner)", 15),
    "rollup": ("province roll-up F18 (province officer)", 15),
    "portal_province": ("portal: province page", 10),
    "portal_commune": ("portal: commune page", 10),
    "portal_plan": ("portal: published plan", 25),
}


# --- prepare (Django) ----------------------------------------------------------------------------


def prepare(province_code: str, year: int, communes: int, out: Path) -> dict[str, Any]:
    """Users with the demo password for ``communes`` communes of the province (a planner each) and
    the province (an officer), and the pages of the mix; written to ``out`` as JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from kehoach.accounts.choices import Role
    from kehoach.accounts.demo import DEMO_PASSWORD
    from kehoach.accounts.models import RoleAssignment, User
    from kehoach.geo.choices import Level
    from kehoach.geo.models import AdministrativeUnit
    from kehoach.monitoring.scale.guard import refuse_real_data
    from kehoach.portal.selectors import communes_with_published_plans
    from kehoach.synthesis.models import CommunePlan

    if not getattr(settings, "KEHOACH_DEMO", False):
        raise SystemExit("KEHOACH_DEMO is off: no load users are made with these settings.")
    refuse_real_data()  # only on data made by generate_scale (ApplicationError otherwise)
    province = AdministrativeUnit.objects.get(code=province_code, level=Level.PROVINCE)
    plans = list(
        CommunePlan.objects.filter(
            round__commune__path__startswith=province.path, round__plan_year=year
        )
        .select_related("round__commune")
        .order_by("round__commune__code")[:communes]
    )
    published = list(communes_with_published_plans(within=province).order_by("code")[:communes])
    if not plans or not published:
        raise SystemExit(
            f"No commune plan of {year} (or none published) in province {province_code}: "
            "run generate_scale first."
        )

    def user(username: str, name: str, role: str, unit: Any) -> str:
        found, created = User.objects.get_or_create(username=username, defaults={"full_name": name})
        if created or not found.check_password(DEMO_PASSWORD):
            found.set_password(DEMO_PASSWORD)
            found.save()
        RoleAssignment.objects.get_or_create(user=found, role=role, unit=unit)
        return username

    requests: list[dict[str, Any]] = []
    with transaction.atomic():
        officer = user(
            f"tai.tinh.{province.code}", "Tải thử (tỉnh)", Role.PROVINCE_OFFICER, province
        )
        requests.append(
            {"kind": "rollup", "url": f"/units/{province.code}/rollup/{year}/", "user": officer}
        )
        for plan in plans:
            commune = plan.round.commune
            planner = user(f"tai.xa.{commune.code}", "Tải thử (xã)", Role.COMMUNE_PLANNER, commune)
            requests.append({"kind": "commune_plan", "url": f"/cdp/{plan.uid}/", "user": planner})
            requests.append(
                {"kind": "commune_page", "url": f"/units/{commune.code}/", "user": planner}
            )
    requests.append({"kind": "portal_province", "url": f"/cong-khai/tinh/{province.code}/"})
    for commune in published:
        requests.append({"kind": "portal_commune", "url": f"/cong-khai/xa/{commune.code}/"})
        requests.append({"kind": "portal_plan", "url": f"/cong-khai/xa/{commune.code}/{year}/"})
    users = sorted({r["user"] for r in requests if r.get("user")})
    targets = {"password": DEMO_PASSWORD, "users": users, "requests": requests}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(targets, indent=1, ensure_ascii=False), encoding="utf-8")
    return targets


# --- the HTTP clients ----------------------------------------------------------------------------


@dataclass
class Server:
    host: str
    port: int
    forwarded_https: bool = False

    @classmethod
    def parse(cls, base_url: str) -> Server:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise SystemExit("--base-url must be http://host:port (the server, not the proxy)")
        return cls(parts.hostname, parts.port or 80)

    @property
    def origin(self) -> str:
        scheme = "https" if self.forwarded_https else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)

    def headers(self, cookie: str | None = None) -> dict[str, str]:
        headers = {"Accept-Encoding": "gzip", "User-Agent": "kehoach-load/1"}
        if self.forwarded_https:
            headers["X-Forwarded-Proto"] = "https"
        if cookie:
            headers["Cookie"] = cookie
        return headers


def fetch(
    conn: http.client.HTTPConnection,
    method: str,
    url: str,
    headers: dict[str, str],
    body: str | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn.request(method, url, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.getheader("Connection", "").lower() == "close":
        conn.close()  # gunicorn's sync workers close after each answer; reopen on the next
    return response.status, response.headers, data


def _cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def detect_proxy_https(server: Server) -> None:
    """Production settings redirect plain HTTP to HTTPS: then speak as the proxy does."""
    conn = server.connection()
    status, headers, _ = fetch(conn, "GET", LOGIN_URL, server.headers())
    conn.close()
    location = headers.get("Location", "")
    server.forwarded_https = status in (301, 302) and location.startswith("https://")


def login(server: Server, username: str, password: str) -> str:
    """The Cookie header of a session of ``username``, logged in through the login form."""
    conn = server.connection()
    try:
        status, headers, body = fetch(conn, "GET", LOGIN_URL, {**server.headers()})
        if status != 200:
            raise RuntimeError(f"login page answered {status}")
        if headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        cookies = _cookies(headers)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if token is None or "csrftoken" not in cookies:
            raise RuntimeError("no CSRF token on the login page")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
            }
        )
        cookie = f"csrftoken={cookies['csrftoken']}"
        post_headers = {
            **server.headers(cookie),
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": server.origin,
            "Referer": f"{server.origin}{LOGIN_URL}",
        }
        status, headers, _ = fetch(conn, "POST", LOGIN_URL, post_headers, form)
        cookies.update(_cookies(headers))
        if status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"{username} could not log in (answer {status})")
        return "; ".join(f"{k}={v}" for k, v in cookies.items())
    finally:
        conn.close()


# --- phases and figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    kind: str
    url: str
    cookie: str | None


@dataclass
class Phase:
    name: str
    clients: int
    seconds: float = 0.0
    samples: list[tuple[str, int, float]] = field(default_factory=list)  # kind, status, seconds
    failures: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.samples)

    @property
    def errors(self) -> int:
        return sum(1 for _, status, _ in self.samples if status != 200)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def latencies(self, kind: str | None = None) -> list[float]:
        return sorted(s for k, _, s in self.samples if kind is None or k == kind)

    def figures(self, kind: str | None = None) -> dict[str, Any]:
        values = self.latencies(kind)
        picked = [x for x in self.samples if kind is None or x[0] == kind]
        return {
            "requests": len(values),
            "errors": sum(1 for _, status, _ in picked if status != 200),
            "requests_per_s": round(len(values) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": _ms(percentile(values, 50)),
            "p95_ms": _ms(percentile(values, 95)),
            "p99_ms": _ms(percentile(values, 99)),
        }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil
    return sorted_values[int(rank) - 1]


def run_phase(
    server: Server,
    name: str,
    pick: Callable[[random.Random], Request],
    *,
    clients: int,
    duration: float,
    max_requests: int,
    seed: int,
) -> Phase:
    """``clients`` threads, each sending one request after another (no pause) until the phase
    has lasted ``duration`` seconds or made ``max_requests`` requests."""
    phase = Phase(name, clients)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    sent = 0

    def client(index: int) -> None:
        nonlocal sent
        rng = random.Random(seed * 1000 + index)
        conn = server.connection()
        start.wait()
        deadline = began + duration
        while True:
            with lock:
                if sent >= max_requests:
                    break
                sent += 1
            request = pick(rng)
            t0 = time.perf_counter()
            try:
                status, _, _ = fetch(conn, "GET", request.url, server.headers(request.cookie))
            except (OSError, http.client.HTTPException) as exc:
                status = 0
                conn.close()
                with lock:
                    phase.failures.append(f"{request.url}: {type(exc).__name__}: {exc}")
            t1 = time.perf_counter()
            with lock:
                phase.samples.append((request.kind, status, t1 - t0))
                if status not in (0, 200) and len(phase.failures) < 20:
                    phase.failures.append(f"{request.url}: HTTP {status}")
            if t1 >= deadline:
                break
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(duration + REQUEST_TIMEOUT + 5)
    phase.seconds = time.perf_counter() - began
    return phase


def run(
    base_url: str,
    targets: dict[str, Any],
    *,
    clients: int,
    duration: float,
    max_requests: int,
    alone_duration: float,
    seed: int = 1,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    if not 1 <= clients <= MAX_CLIENTS:
        raise SystemExit(f"--clients must be 1..{MAX_CLIENTS}")
    if not 0 < duration <= MAX_DURATION or not 0 < alone_duration <= MAX_DURATION:
        raise SystemExit(f"durations must be within 0..{MAX_DURATION:.0f} s")
    server = Server.parse(base_url)
    detect_proxy_https(server)
    cookies = {u: login(server, u, targets["password"]) for u in targets["users"]}
    by_kind: dict[str, list[Request]] = {}
    for item in targets["requests"]:
        cookie = cookies[item["user"]] if item.get("user") else None
        by_kind.setdefault(item["kind"], []).append(Request(item["kind"], item["url"], cookie))
    kinds = [k for k in KINDS if k in by_kind]
    weights = [KINDS[k][1] for k in kinds]

    def mix(rng: random.Random) -> Request:
        kind = rng.choices(kinds, weights)[0]
        return rng.choice(by_kind[kind])

    def only(kind: str) -> Callable[[random.Random], Request]:
        return lambda rng: rng.choice(by_kind[kind])

    login_page = Request("login", LOGIN_URL, None)
    common = {"max_requests": max_requests, "seed": seed}
    phases: list[Phase] = [
        run_phase(
            server,
            "login page alone",
            lambda rng: login_page,
            clients=clients,
            duration=alone_duration,
            **common,
        ),
        run_phase(server, "mix", mix, clients=clients, duration=duration, **common),
    ]
    alone: dict[str, dict[str, Phase]] = {}
    for kind in kinds:
        for n in sorted({1, clients}):
            phase = run_phase(
                server,
                f"{kind} alone",
                only(kind),
                clients=n,
                duration=alone_duration,
                **common,
            )
            alone.setdefault(kind, {})[str(n)] = phase
            phases.append(phase)
    result = _result(phases[0], phases[1], alone, kinds, clients)
    for line in report_lines(result):
        out(line)
    return result


def _result(
    login_phase: Phase,
    mix_phase: Phase,
    alone: dict[str, dict[str, Phase]],
    kinds: list[str],
    clients: int,
) -> dict[str, Any]:
    mix = mix_phase.figures()
    login_figures = login_phase.figures()
    pages: dict[str, Any] = {}
    for kind in kinds:
        in_mix = mix_phase.figures(kind)
        entry: dict[str, Any] = {"label": KINDS[kind][0], "in_mix": in_mix, "alone": {}}
        for n, phase in alone[kind].items():
            figures = phase.figures()
            ratio = (
                round(in_mix["p95_ms"] / figures["p95_ms"], 2)
                if in_mix["p95_ms"] and figures["p95_ms"]
                else None
            )
            entry["alone"][n] = {**figures, "mix_p95_ratio": ratio}
        pages[kind] = entry
    return {
        "clients": clients,
        "login_page": login_figures,
        "mix": mix,
        "mix_share_of_login_rate": (
            round(mix["requests_per_s"] / login_figures["requests_per_s"], 3)
            if login_figures["requests_per_s"]
            else None
        ),
        "pages": pages,
        "failures": (login_phase.failures + mix_phase.failures)[:20],
        "errors": mix["errors"] + login_figures["errors"],
        "alone_errors": sum(p.errors for by_n in alone.values() for p in by_n.values()),
    }


def report_lines(result: dict[str, Any]) -> Iterator[str]:
    n = result["clients"]

    def row(name: str, f: dict[str, Any], extra: str = "") -> str:
        return (
            f"| {name} | {f['requests']} | {f['errors']} | {f['requests_per_s']} | "
            f"{f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} | {extra} |"
        )

    yield "| Measure | Requests | Errors | Requests/s | p50 ms | p95 ms | p99 ms | Note |"
    yield "|---|---|---|---|---|---|---|---|"
    yield row(f"login page alone ({n} clients)", result["login_page"])
    share = result["mix_share_of_login_rate"]
    yield row(
        f"**mix** ({n} clients)",
        result["mix"],
        f"{share * 100:.1f} % of the login page's requests/s" if share is not None else "",
    )
    for page in result["pages"].values():
        yield row(f"  {page['label']}, in the mix", page["in_mix"])
        for clients, figures in page["alone"].items():
            ratio = figures["mix_p95_ratio"]
            note = f"p95 in the mix ÷ this p95 = {ratio}×" if ratio is not None else ""
            yield row(f"  {page['label']}, alone ({clients} clients)", figures, note)
    if result["failures"]:
        yield ""
        yield "Failures (first 20):"
        for failure in result["failures"]:
            yield f"- {failure}"


# --- bench: the whole measure on an empty PostgreSQL database ------------------------------------


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """gunicorn with config/gunicorn.conf.py on a socket opened here (fd://), so that it is
    listening before the first request and no port can be taken in between."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "config/gunicorn.conf.py",
            ],
            cwd=ROOT,
            env={
                **env,
                "GUNICORN_BIND": f"fd://{sock.fileno()}",
                "WEB_CONCURRENCY": str(workers),
                "GUNICORN_ACCESS_LOG": "",
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


def bench(args: argparse.Namespace) -> int:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench runs on PostgreSQL: bash scripts/with-postgres.sh … load.py bench")
    with tempfile.TemporaryDirectory(prefix="kehoach-load-") as tmp:
        return _bench(args, Path(tmp))


def _bench(args: argparse.Namespace, work: Path) -> int:
    """The whole measure, its files (static, targets, gunicorn's log) under ``work``."""
    dev = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "KEHOACH_VAR_DIR": str(work),
    }
    _manage("migrate", "--noinput", "-v", "0", env=dev)
    _manage("load_units", env=dev)
    _manage("load_catalog", env=dev)
    _manage(
        "generate_scale",
        "--provinces",
        args.province,
        "--years",
        str(args.year),
        "--seed",
        "1",
        env=dev,
    )
    targets_file = work / "targets.json"
    subprocess.run(
        [
            sys.executable,
            __file__,
            "prepare",
            "--province",
            args.province,
            "--year",
            str(args.year),
            "--out",
            str(targets_file),
        ],
        cwd=ROOT,
        env=dev,
        check=True,
    )
    production = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "load-" + "x" * 60),
        "KEHOACH_VAR_DIR": str(work),
    }
    _manage("collectstatic", "--noinput", "-v", "0", env=production)
    worker = None
    if importlib.util.find_spec("django_tasks_db") is not None:  # the task worker, when there
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker"],
            cwd=ROOT,
            env=production,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        with gunicorn(production, args.workers, work / "gunicorn.log") as base_url:
            result = run(
                base_url,
                json.loads(targets_file.read_text(encoding="utf-8")),
                clients=args.clients,
                duration=args.duration,
                max_requests=args.max_requests,
                alone_duration=args.alone_duration,
            )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(60)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 1 if result["errors"] else 0


# --- command line --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("prepare", help="load users and pages (Django, the server's database)")
    p.add_argument("--province", default="44")
    p.add_argument("--year", type=int, default=2027)
    p.add_argument("--communes", type=int, default=10, help="communes whose planners log in")
    p.add_argument("--out", type=Path, default=ROOT / "var" / "load-targets.json")

    def load_options(q: argparse.ArgumentParser) -> None:
        q.add_argument("--clients", type=int, default=50)
        q.add_argument("--duration", type=float, default=60.0, help="seconds of the mix")
        q.add_argument("--alone-duration", type=float, default=10.0, help="seconds of each alone")
        q.add_argument("--max-requests", type=int, default=100_000, help="per phase")
        q.add_argument("--json", help="write the figures here")

    r = sub.add_parser("run", help="the load on a running server")
    r.add_argument("--base-url", default="http://127.0.0.1:8000")
    r.add_argument("--targets", type=Path, default=ROOT / "var" / "load-targets.json")
    load_options(r)

    b = sub.add_parser("bench", help="everything on an empty PostgreSQL database (DATABASE_URL)")
    b.add_argument("--province", default="44")
    b.add_argument("--year", type=int, default=2027)
    b.add_argument("--workers", type=int, default=4)
    load_options(b)

    args = parser.parse_args(argv)
    if args.command == "prepare":
        targets = prepare(args.province, args.year, args.communes, args.out)
        print(f"{len(targets['users'])} users, {len(targets['requests'])} pages → {args.out}")
        return 0
    if args.command == "bench":
        return bench(args)
    result = run(
        args.base_url,
        json.loads(args.targets.read_text(encoding="utf-8")),
        clients=args.clients,
        duration=args.duration,
        max_requests=args.max_requests,
        alone_duration=args.alone_duration,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
