"""Peak memory of building open data (issue 16: a national build within 200 MB).

Run by scripts/bench_scale.py in a process of its own, on the database of ``DATABASE_URL``
after ``generate_scale``: builds afresh the stored open-data files (every dataset, CSV, JSON
and XLSX) of each province with published plans of the year — the whole country when the
country was generated — as the task worker does after a publication, and prints one JSON line:
files, bytes, seconds, the process's resident size before the first build and its peak.

    python scripts/bench_build_rss.py YEAR [PROVINCE_CODE ...]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _status_mb(field: str) -> float:
    """A size of /proc/self/status (Linux), in MB: ``VmRSS`` now, ``VmHWM`` its peak. The peak
    of this process's own memory, not ``getrusage``'s ``ru_maxrss``, which keeps across
    ``exec`` the peak of the process that forked it (bench_scale.py, hundreds of MB after the
    national pages)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / 1e6
    raise SystemExit(f"bench_build_rss: no {field} in /proc/self/status")


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.db.models import Exists, OuterRef

    from kehoach.geo.choices import Level
    from kehoach.geo.models import AdministrativeUnit
    from kehoach.portal.models import PublishedFile
    from kehoach.portal.opendata import DATASETS, FORMATS, Scope
    from kehoach.portal.selectors import published_plans
    from kehoach.portal.stored.files import published_file

    year = int(sys.argv[1])
    wanted = sys.argv[2:]
    provinces = AdministrativeUnit.objects.filter(level=Level.PROVINCE).order_by("code")
    if wanted:
        provinces = provinces.filter(code__in=wanted)
    any_published = published_plans().filter(
        round__plan_year=year, round__commune__path__startswith=OuterRef("path")
    )
    units = list(provinces.filter(Exists(any_published)))
    # built afresh, as after a publication (the scale bench may have stored some already)
    PublishedFile.objects.filter(unit_code__in=[u.code for u in units], year=year).delete()
    idle = _status_mb("VmRSS")
    start = time.perf_counter()
    files = size = 0
    for unit in units:
        for dataset in DATASETS.values():
            for fmt in FORMATS:
                stored = published_file(dataset, fmt, Scope(unit, year))
                files += 1
                size += stored.size or 0
    seconds = time.perf_counter() - start
    peak = _status_mb("VmHWM")
    print(
        json.dumps(
            {
                "provinces": len(units),
                "files": files,
                "bytes": size,
                "seconds": round(seconds, 1),
                "idle_mb": round(idle, 1),
                "peak_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
