"""One memory measurement of `make bench`, in a process of its own (scripts/bench.py starts it).

    bench_memory.py upload FILE FILENAME PLAN_UID USER_ID
        the upload's check (``import_check``, what the upload view calls) of FILE
    bench_memory.py marked RECORD_UID FILE
        the marked copy (``marking.marked_copy``, what errors.xlsx answers through
        ``services.error_workbook``) of a refused upload whose kept file is FILE (each process
        of the test settings keeps uploads in a temporary directory of its own)

The process first does the same kind of work on a small workbook, so that every module is
imported and every cache warm: its size then is the server's idle size. The peak resident size
is reset (Linux ``/proc/self/clear_refs``), the measured work runs, and the peak is read back.
Prints one JSON line: idle and peak in KB, seconds, and the result.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    raise RuntimeError(key)


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def main() -> None:
    import django

    django.setup()
    from django.utils import translation

    translation.activate("vi")
    from kehoach.accounts.models import User
    from kehoach.exchange.marking import marked_copy
    from kehoach.exchange.models import ImportRecord
    from kehoach.exchange.services import import_check
    from kehoach.exchange.targets import village_target
    from kehoach.exchange.tests import hostile
    from kehoach.plans.models import VillagePlan

    case = sys.argv[1]
    if case == "upload":
        path, filename, plan_uid, user_id = sys.argv[2:6]
        data = Path(path).read_bytes()
        plan = VillagePlan.objects.select_related("round__profile", "village").get(uid=plan_uid)
        actor = User.objects.get(pk=int(user_id))
        target = village_target("F6", plan)
        import_check(actor=actor, target=target, data=hostile.plain_xlsx(), filename="warm.xlsx")
        idle = _status("VmRSS")
        _reset_peak()
        start = time.perf_counter()
        record = import_check(actor=actor, target=target, data=data, filename=filename)
        seconds = time.perf_counter() - start
        result = {"result": record.result, "errors": len(record.errors), "record": str(record.uid)}
    elif case == "marked":
        record = ImportRecord.objects.get(uid=sys.argv[2])
        data = Path(sys.argv[3]).read_bytes()
        small = hostile.plain_xlsx()
        marked_copy(small, "warm.xlsx", [{**e, "row": 1} for e in record.errors[:5]])
        idle = _status("VmRSS")
        _reset_peak()
        start = time.perf_counter()
        out = marked_copy(data, record.filename, record.errors)
        seconds = time.perf_counter() - start
        result = {"bytes": len(out), "errors": len(record.errors)}
    else:
        raise SystemExit(f"unknown case {case}")
    peak = _status("VmHWM")
    print(json.dumps({"idle_kb": idle, "peak_kb": peak, "seconds": seconds, **result}))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    main()
