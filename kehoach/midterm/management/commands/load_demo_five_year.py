from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kehoach.core.errors import ApplicationError
from kehoach.midterm.demo import FIRST, LAST, demo_five_year


class Command(BaseCommand):
    help = (
        "Plan, approve and publish Xã Hải Lăng's five-year plan 2026–2030 and link its 2026 "
        "and 2027 yearly plans to it (only when KEHOACH_DEMO is on)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "KEHOACH_DEMO", False):
            raise CommandError("Dữ liệu mẫu bị tắt (KEHOACH_DEMO).")
        try:
            counts = demo_five_year()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if counts["activities"]:
            self.stdout.write(
                f"Kế hoạch 5 năm mẫu {FIRST}–{LAST}: đã phê duyệt và công bố, "
                f"{counts['activities']} hoạt động của các thôn."
            )
        else:
            self.stdout.write(f"Kế hoạch 5 năm mẫu {FIRST}–{LAST}: đã có, giữ nguyên.")
