from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kehoach.accounts.models import User
from kehoach.core.errors import ApplicationError
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import PlanningRound
from kehoach.plans.services.rounds import round_create

DEMO_YEAR = 2027


class Command(BaseCommand):
    help = "Open the 2027 planning round of the demo communes (only when KEHOACH_DEMO is on)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "KEHOACH_DEMO", False):
            raise CommandError("Dữ liệu mẫu bị tắt (KEHOACH_DEMO).")
        actor = User(username="demo", is_superuser=True, is_active=True)
        opened = 0
        for code in ("19702", "18880"):
            commune = AdministrativeUnit.objects.filter(code=code).first()
            if (
                commune is None
                or PlanningRound.objects.filter(commune=commune, plan_year=DEMO_YEAR).exists()
            ):
                continue
            try:
                round_create(actor=actor, commune=commune, plan_year=DEMO_YEAR)
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            opened += 1
        self.stdout.write(f"Kỳ lập kế hoạch mẫu năm {DEMO_YEAR}: {opened} mới.")
