from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kehoach.core.errors import ApplicationError
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.demo import demo_planner_for, demo_village_plans
from kehoach.plans.models import PlanningRound
from kehoach.plans.services.rounds import round_create

DEMO_YEAR = 2027
DEMO_COMMUNES = ("19702", "18880")


class Command(BaseCommand):
    help = (
        "Open the 2027 planning round of the demo communes and fill their village plans "
        "(only when KEHOACH_DEMO is on)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "KEHOACH_DEMO", False):
            raise CommandError("Dữ liệu mẫu bị tắt (KEHOACH_DEMO).")
        opened = 0
        counts: Counter[str] = Counter()
        for code in DEMO_COMMUNES:
            commune = AdministrativeUnit.objects.filter(code=code).first()
            if commune is None:
                continue
            actor = demo_planner_for(commune)
            round_ = PlanningRound.objects.filter(commune=commune, plan_year=DEMO_YEAR).first()
            try:
                if round_ is None:
                    round_ = round_create(actor=actor, commune=commune, plan_year=DEMO_YEAR)
                    opened += 1
                counts.update(demo_village_plans(actor=actor, round_=round_))
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Kỳ lập kế hoạch mẫu năm {DEMO_YEAR}: {opened} mới; kế hoạch thôn mẫu: "
            f"{counts['filled']} mới ({counts['submitted']} đã nộp xã, {counts['drafts']} "
            f"bản nháp), {counts['lines']} đề xuất, {counts['not_started']} chưa bắt đầu, "
            f"{counts['kept']} đã có đề xuất được giữ nguyên."
        )
