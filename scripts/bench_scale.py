"""``make bench`` at scale (issue 16): on the PostgreSQL database of ``DATABASE_URL`` (the
main bench runs this under scripts/with-postgres.sh), data made by ``manage.py
generate_scale`` — one province by default, the whole country with ``--national`` — and each
page or selector against hand-written SQL (or a static file, or the login page) in the same
run. Prints the rows as JSON on its last line.

    bash scripts/with-postgres.sh .venv/bin/python scripts/bench_scale.py [--national]
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

Row = tuple[str, str, str, str]
PROVINCE = "44"
YEAR = 2027


def _median(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _sql(query: str, params: list[Any]) -> Callable[[], object]:
    from django.db import connection

    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    return run


LINES_OF_SUBTREE = """
    FROM synthesis_communeline l
    JOIN synthesis_communeplan p ON p.id = l.plan_id
    JOIN plans_planninground r ON r.id = p.round_id
    JOIN geo_administrativeunit c ON c.id = r.commune_id
    WHERE c.path LIKE %s AND r.plan_year = %s AND l.state = 'active'
"""


def _rollup_sql(path: str) -> Callable[[], object]:
    """The province roll-up by hand: lines and money per commune, per commune and sector, and
    funding per commune and source."""
    per_commune = _sql(
        "SELECT r.commune_id, count(*), sum(l.total_cost_mvnd), sum(l.external_support_mvnd)"
        + LINES_OF_SUBTREE
        + " GROUP BY r.commune_id",
        [path + "%", YEAR],
    )
    per_sector = _sql(
        "SELECT r.commune_id, l.sector_id, sum(l.total_cost_mvnd)"
        + LINES_OF_SUBTREE
        + " GROUP BY r.commune_id, l.sector_id",
        [path + "%", YEAR],
    )
    per_source = _sql(
        "SELECT r.commune_id, e.source_id, sum(f.amount_mvnd)"
        " FROM synthesis_linefunding f JOIN synthesis_envelopeline e ON e.id = f.envelope_line_id"
        " JOIN synthesis_communeline l ON l.id = f.line_id"
        " JOIN synthesis_communeplan p ON p.id = l.plan_id"
        " JOIN plans_planninground r ON r.id = p.round_id"
        " JOIN geo_administrativeunit c ON c.id = r.commune_id"
        " WHERE c.path LIKE %s AND r.plan_year = %s AND l.state = 'active'"
        " GROUP BY r.commune_id, e.source_id",
        [path + "%", YEAR],
    )

    def run() -> None:
        per_commune()
        per_sector()
        per_source()

    return run


def _national_sql() -> Callable[[], object]:
    """The national roll-up by hand: two GROUP BYs over the lines, by province and by province
    and sector."""
    base = """
        FROM synthesis_communeline l
        JOIN synthesis_communeplan p ON p.id = l.plan_id
        JOIN plans_planninground r ON r.id = p.round_id
        JOIN geo_administrativeunit c ON c.id = r.commune_id
        WHERE r.plan_year = %s AND l.state = 'active'
    """
    by_province = _sql(
        "SELECT substr(c.path, 1, 3), count(*), sum(l.total_cost_mvnd),"
        " sum(l.external_support_mvnd)" + base + " GROUP BY 1",
        [YEAR],
    )
    by_sector = _sql(
        "SELECT substr(c.path, 1, 3), l.sector_id, sum(l.total_cost_mvnd)"
        + base
        + " GROUP BY 1, 2",
        [YEAR],
    )

    def run() -> None:
        by_province()
        by_sector()

    return run


def _generate(national: bool) -> tuple[list[Row], dict[str, Any]]:
    from django.core.management import call_command

    from kehoach.plans.models import ProposalLine

    args = [
        "--provinces",
        "all" if national else PROVINCE,
        "--years",
        str(YEAR),
        "--seed",
        "1",
        "--villages-per-commune",
        "30" if not national else "19",
    ]
    start = time.perf_counter()
    call_command("generate_scale", *args, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seconds = time.perf_counter() - start
    from django.db import connection

    with connection.cursor() as cursor:  # statistics for the new rows, as autovacuum would
        cursor.execute("ANALYZE")
    lines = ProposalLine.objects.count()
    scale = "the whole country" if national else f"province {PROVINCE}"
    return [
        (
            f"generate_scale, {scale}",
            f"{lines / seconds:,.0f} lines/s".replace(",", "."),
            f"{lines:,} proposal lines".replace(",", "."),
            f"{seconds:.1f} s",
        )
    ], {"lines": lines}


def _pages(client: Any, anonymous: Any) -> list[Row]:
    from django.db.models import Count

    from kehoach.geo.models import AdministrativeUnit
    from kehoach.synthesis.models import CommuneLine, CommunePlan
    from kehoach.synthesis.reports.rollup import province_rollup

    rows: list[Row] = []
    province = AdministrativeUnit.objects.get(code=PROVINCE)
    raw = _rollup_sql(province.path)
    raw()
    base = _median(raw, 5)
    function = _median(lambda: province_rollup(province, YEAR), 5)
    rows.append(
        (
            f"province roll-up F18, function (province {PROVINCE})",
            f"{function / base:.1f}×",
            "its three GROUP BYs by hand",
            f"{function * 1000:.0f} ms vs {base * 1000:.0f} ms",
        )
    )
    national_raw = _national_sql()
    national_raw()
    national_base = _median(national_raw, 5)
    from kehoach.synthesis.summaries.national import area_rollup

    national = _median(lambda: area_rollup(YEAR), 5)
    rows.append(
        (
            "national roll-up from the summaries (goal ≤ 0,1×)",
            f"{national / national_base:.2f}×",
            "two GROUP BYs over the lines by hand",
            f"{national * 1000:.0f} ms vs {national_base * 1000:.0f} ms",
        )
    )
    page = _median(lambda: client.get(f"/national/{YEAR}/"), 5)
    rows.append(
        (
            "national roll-up page (goal ≤ 1,2×)",
            f"{page / national_base:.2f}×",
            "two GROUP BYs over the lines by hand",
            f"{page * 1000:.0f} ms",
        )
    )
    url = f"/units/{PROVINCE}/rollup/{YEAR}/"
    assert client.get(url).status_code == 200
    page = _median(lambda: client.get(url), 5)
    built = _median(lambda: _built(client, url), 5)
    rows.append(
        (
            "province roll-up page (goal ≤ 1,5×)",
            f"{page / base:.1f}×",
            "its three GROUP BYs by hand",
            f"{page * 1000:.0f} ms",
        )
    )
    rows.append(
        (
            "province roll-up page, built (nothing kept: decisions.md D67)",
            f"{built / base:.1f}×",
            "its three GROUP BYs by hand",
            f"{built * 1000:.0f} ms",
        )
    )
    # the largest commune plan: its page against the raw SQL of its lines
    plan = (
        CommunePlan.objects.filter(round__plan_year=YEAR)
        .annotate(n=Count("lines"))
        .order_by("-n")
        .first()
    )
    assert plan is not None
    count = CommuneLine.objects.filter(plan=plan).count()
    columns = ", ".join(
        f"l.{f.column}" for f in CommuneLine._meta.concrete_fields if f.column != "id"
    )
    lines_sql = _sql(
        f"SELECT {columns} FROM synthesis_communeline l WHERE l.plan_id = %s ORDER BY l.number",
        [plan.pk],
    )
    lines_sql()
    base = _median(lines_sql, 7)
    url = f"/cdp/{plan.uid}/"
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    size = len(gzip.compress(response.content))
    page = _median(lambda: client.get(url), 5)
    built = _median(lambda: _built(client, url), 5)
    rows.append(
        (
            f"commune plan page, {count} lines (goal ≤ 5×)",
            f"{page / base:.1f}×",
            "the raw SQL of its lines",
            f"{page * 1000:.0f} ms",
        )
    )
    rows.append(
        (
            f"commune plan page, {count} lines, built (nothing kept: D68)",
            f"{built / base:.1f}×",
            "the raw SQL of its lines",
            f"{built * 1000:.0f} ms",
        )
    )
    rows.append(
        (
            f"commune plan page, {count} lines: size (goal ≤ 100 KB compressed)",
            f"{size / 1024:.0f} KB",
            f"{len(response.content) / 1024:.0f} KB uncompressed",
            "gzip",
        )
    )
    return rows


SNAPSHOTS = """
SELECT v.data FROM approvals_version v
JOIN synthesis_communeplan p ON p.uid = v.plan_uid
JOIN plans_planninground r ON r.id = p.round_id
JOIN geo_administrativeunit c ON c.id = r.commune_id
WHERE v.published_at IS NOT NULL AND r.plan_year = %s AND c.path LIKE %s
  AND NOT EXISTS (SELECT 1 FROM approvals_version w WHERE w.plan_uid = v.plan_uid
                  AND w.published_at IS NOT NULL AND w.number > v.number)
ORDER BY c.sort_key, c.code
"""
FIELDS = [
    "uid", "number", "sector", "sector_name", "activity", "organisation", "location", "unit",
    "quantity", "start", "end", "total", "contribution", "support", "decision", "decision_reason",
]  # fmt: skip


def _portal(anonymous: Any) -> list[Row]:
    """The public pages a visitor opens most, each against the login page in the same run
    (the cheapest page of the site: what any page costs at least)."""
    from django.db.models import Count

    from kehoach.synthesis.models import CommunePlan

    login = _median(lambda: anonymous.get("/accounts/login/"), 9)
    plan = (
        CommunePlan.objects.filter(round__plan_year=YEAR, status="published")
        .annotate(n=Count("lines"))
        .order_by("-n")
        .select_related("round__commune")
        .first()
    )
    urls = [
        ("portal home", "/cong-khai/"),
        (f"portal province {PROVINCE}", f"/cong-khai/tinh/{PROVINCE}/"),
    ]
    if plan is not None:
        urls.append(("portal commune page", f"/cong-khai/xa/{plan.round.commune.code}/"))
    rows: list[Row] = []
    for label, url in urls:
        if anonymous.get(url).status_code != 200:
            rows.append((label, "—", "not served", url))
            continue

        def get(url: str = url) -> object:
            return anonymous.get(url)

        page = _median(get, 9)
        rows.append(
            (
                f"{label} (its list stored at publication)",
                f"{page / login:.1f}×",
                "the login page",
                f"{page * 1000:.1f} ms vs {login * 1000:.1f} ms",
            )
        )
    return rows


def _raw_lines(path: str) -> Any:
    """The lines of the latest published versions of a subtree, straight from their
    snapshots through a server-side cursor."""
    from django.db import connection

    with connection.connection.cursor(name="bench") as cursor:
        cursor.itersize = 50
        cursor.execute(SNAPSHOTS, [YEAR, path + "%"])
        for (data,) in cursor:
            snapshot = data if isinstance(data, dict) else json.loads(data)
            for line in snapshot.get("lines", []):
                yield [line.get(f, "") for f in FIELDS]


def _raw_write(fmt: str, path: str) -> None:
    """The baseline of an open-data file: the same snapshots written by csv, json or
    xlsxwriter with no formatting."""
    import csv
    import io
    import tempfile

    import xlsxwriter
    from django.db import transaction

    with transaction.atomic(), tempfile.TemporaryFile() as out:
        if fmt == "csv":
            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            csv.writer(text).writerows(_raw_lines(path))
            text.flush()
        elif fmt == "json":
            for row in _raw_lines(path):
                out.write((json.dumps(dict(zip(FIELDS, row, strict=True))) + ",\n").encode())
        else:
            book = xlsxwriter.Workbook(out, {"constant_memory": True})
            sheet = book.add_worksheet()
            for r, row in enumerate(_raw_lines(path)):
                for c, value in enumerate(row):
                    sheet.write(r, c, value if not isinstance(value, dict | list) else str(value))
            book.close()


def _built(client: Any, url: str) -> Any:
    """The page as built when nothing of it is kept (the cache emptied first)."""
    from django.core.cache import cache

    cache.clear()
    return client.get(url)


def _site_static(client: Any, root: str, name: str) -> bytes:
    """The file fetched as the site serves its static files (WhiteNoise, before the session and
    the views), through the same test client as the download: a copy under STATIC_ROOT."""
    import shutil

    from django.conf import settings

    target = Path(settings.STATIC_ROOT) / "bench" / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(root) / name, target)
    response = client.get(f"{settings.STATIC_URL}bench/{name}")
    if response.status_code != 200:
        raise RuntimeError(f"static copy not served: {response.status_code}")
    return _body(response)


def _body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _opendata(anonymous: Any) -> list[Row]:
    from django.test import RequestFactory
    from django.views.static import serve

    from kehoach.geo.models import AdministrativeUnit
    from kehoach.portal.models import PublishedFile

    rows: list[Row] = []
    province = AdministrativeUnit.objects.get(code=PROVINCE)
    factory = RequestFactory()
    for fmt in ("csv", "json", "xlsx"):
        PublishedFile.objects.filter(unit_code=PROVINCE, fmt=fmt).delete()

        def raw(fmt: str = fmt) -> None:
            _raw_write(fmt, province.path)

        base = _median(raw, 3)
        url = f"/cong-khai/du-lieu/{PROVINCE}/{YEAR}/ke-hoach.{fmt}"
        builds = []
        for _ in range(3):  # the median of three first downloads, the file deleted before each
            PublishedFile.objects.filter(unit_code=PROVINCE, fmt=fmt).delete()
            start = time.perf_counter()
            first = anonymous.get(url)
            body = _body(first)
            builds.append(time.perf_counter() - start)
        took = sorted(builds)[1]
        if first.status_code != 200:
            rows.append((f"open data, {fmt}", "—", "not served", str(first.status_code)))
            continue
        stored = PublishedFile.objects.get(unit_code=PROVINCE, fmt=fmt, dataset="ke-hoach")
        root, name = str(Path(stored.file.path).parent), Path(stored.file.path).name

        def cached(url: str = url) -> bytes:
            return _body(anonymous.get(url))

        def static(name: str = name, root: str = root) -> bytes:
            return _body(serve(factory.get("/"), name, document_root=root))

        again = _median(cached, 5)
        plain = _median(static, 5)

        def site_static(name: str = name, root: str = root) -> bytes:
            return _site_static(anonymous, root, name)

        site = _median(site_static, 5)
        goal = "3" if fmt == "xlsx" else "2"
        rows.append(
            (
                f"open data of a province, {fmt.upper()}: first download, built (goal ≤ {goal}×)",
                f"{took / base:.1f}×",
                "raw SQL over the snapshots + the writer",
                f"{took:.2f} s, {len(body) / 1e6:.1f} MB",
            )
        )
        rows.append(
            (
                f"open data of a province, {fmt.upper()}: stored download (goal ≤ 1,5×)",
                f"{again / site:.1f}×",
                "the same file served by the site as a static file (WhiteNoise, same client)",
                f"{again * 1000:.0f} ms vs {site * 1000:.0f} ms",
            )
        )
        rows.append(
            (
                f"open data of a province, {fmt.upper()}: stored download",
                f"{again / plain:.1f}×",
                "the same file by django.views.static.serve alone (no request handling)",
                f"{plain * 1000:.0f} ms",
            )
        )
    import shutil

    from django.conf import settings

    shutil.rmtree(Path(settings.STATIC_ROOT) / "bench", ignore_errors=True)
    return rows


def _build_memory(national: bool) -> list[Row]:
    """Peak memory of building every open-data file of the province (of the country with
    ``national``), in a process of its own (scripts/bench_build_rss.py)."""
    import subprocess

    command = [sys.executable, str(ROOT / "scripts" / "bench_build_rss.py"), str(YEAR)]
    if not national:
        command.append(PROVINCE)
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    scale = "the whole country" if national else f"province {PROVINCE}"
    if done.returncode != 0 or not done.stdout.strip():
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1][:120]
        return [(f"open-data build of {scale}: peak memory", "—", "not measured", reason)]
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        (
            f"open-data build of {scale}, {facts['files']} files, "
            f"{facts['bytes'] / 1e6:.0f} MB: peak memory (goal ≤ 200 MB)",
            f"{facts['peak_mb']:.0f} MB",
            f"the process before its first build: {facts['idle_mb']:.0f} MB",
            f"{facts['seconds']:.0f} s",
        )
    ]


def measure(national: bool) -> list[Row]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import translation

    from kehoach.accounts.models import User
    from kehoach.geo.loaders import official_records, units_load_official

    setup_test_environment()
    translation.activate("vi")
    call_command("migrate", verbosity=0)
    units_load_official(official_records())
    call_command("load_catalog", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    rows, _facts = _generate(national)
    admin = User.objects.create_superuser("bench-admin", password="x")
    client = Client()
    client.force_login(admin)
    anonymous = Client()
    rows += _pages(client, anonymous)
    rows += _portal(anonymous)
    rows += _opendata(anonymous)
    rows += _build_memory(national)
    return rows


def main() -> None:
    national = "--national" in sys.argv
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench_scale: run under scripts/with-postgres.sh")
    print(json.dumps(measure(national), ensure_ascii=False))


if __name__ == "__main__":
    main()
