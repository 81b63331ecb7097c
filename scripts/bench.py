"""`make bench`: speed and size of the foundation, as ratios against baselines measured in the
same run (these machines are noisy; absolute times are printed only for context).

Writes docs/benchmarks.md. Uses a throwaway SQLite database under a temporary directory.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _median_seconds(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="kehoach-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kehoach.accounts.choices import Role
    from kehoach.accounts.models import RoleAssignment, User
    from kehoach.core.text import fold, name_sort_key
    from kehoach.geo.loaders import official_records, units_load_official
    from kehoach.geo.models import AdministrativeUnit

    setup_test_environment()
    call_command("migrate", verbosity=0)
    rows: list[tuple[str, str, str, str]] = []

    # 1. Loading the official units vs inserting the same number of bare rows.
    records = official_records()

    def baseline_insert() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_rows")
            cursor.execute("CREATE TABLE bench_rows (code TEXT PRIMARY KEY, name TEXT)")
            cursor.executemany(
                "INSERT INTO bench_rows (code, name) VALUES (%s, %s)",
                [(r.code, r.name) for r in records],
            )

    def first_load() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM geo_administrativeunit")
        units_load_official(records)

    base = _median_seconds(baseline_insert, 5)
    load = _median_seconds(first_load, 3)
    reload = _median_seconds(lambda: units_load_official(records), 3)
    rows.append(
        (
            f"load_units, first load ({len(records):,} units)".replace(",", "."),
            f"{load / base:.1f}×",
            "bare INSERT of the same rows",
            f"{load * 1000:.0f} ms vs {base * 1000:.0f} ms",
        )
    )
    rows.append(
        (
            "load_units, re-run (nothing changes)",
            f"{reload / base:.1f}×",
            "bare INSERT of the same rows",
            f"{reload * 1000:.0f} ms",
        )
    )

    # 2. Vietnamese collation key and folding vs str.lower on every unit name.
    names = [r.name for r in records]
    base = _median_seconds(lambda: [n.lower() for n in names], 20)
    key = _median_seconds(lambda: [name_sort_key(n) for n in names], 5)
    folded = _median_seconds(lambda: [fold(n) for n in names], 5)
    rows.append(
        (
            "collation key for every unit name",
            f"{key / base:.0f}×",
            "str.lower",
            f"{key * 1000:.1f} ms",
        )
    )
    rows.append(
        ("folding for search", f"{folded / base:.0f}×", "str.lower", f"{folded * 1000:.1f} ms")
    )

    # 3. Search without diacritics over all units vs a lookup by code.
    base = _median_seconds(lambda: list(AdministrativeUnit.objects.filter(code="19702")), 50)
    search = _median_seconds(
        lambda: list(AdministrativeUnit.objects.filter(search_name__contains="hai lang")), 50
    )
    rows.append(
        (
            "search “hai lang” over 3.355 units",
            f"{search / base:.1f}×",
            "lookup by code",
            f"{search * 1000:.2f} ms",
        )
    )

    # 4. Pages: the province page (78 communes) and a commune page vs the login page.
    call_command("load_demo", verbosity=0)
    officer = User.objects.create(username="bench.tinh")
    RoleAssignment.objects.create(
        user=officer, role=Role.PROVINCE_OFFICER, unit=AdministrativeUnit.objects.get(code="44")
    )
    client = Client()
    client.force_login(officer)
    anonymous = Client()
    base = _median_seconds(lambda: anonymous.get("/accounts/login/"), 30)
    province = _median_seconds(lambda: client.get("/units/44/"), 30)
    commune = _median_seconds(lambda: client.get("/units/19702/"), 30)
    search_page = _median_seconds(lambda: client.get("/units/44/?q=hai+lang"), 30)
    rows.append(
        (
            "province page (78 communes)",
            f"{province / base:.1f}×",
            "login page",
            f"{province * 1000:.1f} ms",
        )
    )
    rows.append(
        (
            "commune page (12 villages)",
            f"{commune / base:.1f}×",
            "login page",
            f"{commune * 1000:.1f} ms",
        )
    )
    rows.append(
        (
            "province page, search",
            f"{search_page / base:.1f}×",
            "login page",
            f"{search_page * 1000:.1f} ms",
        )
    )

    sizes = []
    for url in ["/accounts/login/", "/units/44/", "/units/19702/"]:
        html = (client if url != "/accounts/login/" else anonymous).get(url).content
        sizes.append((url, len(html)))
    static = ROOT / "kehoach" / "static"
    css = (static / "css" / "kehoach.css").stat().st_size
    js = (static / "js" / "htmx.min.js").stat().st_size

    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    lines = [
        "# Benchmarks",
        "",
        "Made by `make bench` (scripts/bench.py). Each speed is a ratio against a baseline",
        "measured in the same run on the same machine, because these machines are noisy; the",
        "absolute time is shown only for context. SQLite file database.",
        "",
        f"- Date: {datetime.date.today():%d/%m/%Y}",
        f"- Machine: {machine}",
        "",
        "| Measure | Ratio | Baseline | Time |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
        "## Sizes (uncompressed bytes)",
        "",
        "| What | Bytes |",
        "|---|---|",
        *[f"| HTML of {u} | {n:,} |".replace(",", ".") for u, n in sizes],
        f"| css/kehoach.css | {css:,} |".replace(",", "."),
        f"| js/htmx.min.js (2.0.11) | {js:,} |".replace(",", "."),
        "",
        "Every page must stay under 100 KB with its stylesheet and script; tests/test_pages.py",
        "checks that budget on every run of the suite.",
        "",
    ]
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
