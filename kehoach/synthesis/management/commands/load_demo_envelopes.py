from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kehoach.core.errors import ApplicationError
from kehoach.plans.models import PlanningRound
from kehoach.synthesis.demo import ENVELOPES, demo_envelope

DEMO_YEAR = 2027


class Command(BaseCommand):
    help = (
        "Enter and publish the resource envelope of the demo communes' 2027 round (only when "
        "KEHOACH_DEMO is on)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "KEHOACH_DEMO", False):
            raise CommandError("Dữ liệu mẫu bị tắt (KEHOACH_DEMO).")
        added = 0
        for round_ in PlanningRound.objects.filter(
            commune__code__in=list(ENVELOPES), plan_year=DEMO_YEAR
        ).select_related("commune", "profile"):
            try:
                added += demo_envelope(round_)
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(f"Khung nguồn lực mẫu năm {DEMO_YEAR}: {added} dòng mới, đã công bố.")
