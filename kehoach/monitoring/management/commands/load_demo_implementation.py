from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kehoach.core.errors import ApplicationError
from kehoach.monitoring.demo import YEAR, demo_implementation


class Command(BaseCommand):
    help = (
        "Plan, approve, publish and follow Xã Hải Lăng's 2026 plan: progress, photos, "
        "supervision and evaluation (only when KEHOACH_DEMO is on)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "KEHOACH_DEMO", False):
            raise CommandError("Dữ liệu mẫu bị tắt (KEHOACH_DEMO).")
        try:
            counts = demo_implementation()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if counts["works"]:
            self.stdout.write(
                f"Kế hoạch xã mẫu năm {YEAR}: đã phê duyệt, công bố và theo dõi "
                f"{counts['works']} công trình."
            )
        else:
            self.stdout.write(f"Kế hoạch xã mẫu năm {YEAR}: đã có, giữ nguyên.")
