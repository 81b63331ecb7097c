"""``manage.py check_summaries``: the summaries (``LineSummary``) against a full recomputation
from the lines and their funding; every difference is printed and the exit code is 1 when
there is one. ``--fix`` rewrites the summaries of the communes that differ (or, the first time
after the migration, of every commune)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from kehoach.core.numbers import format_number_vi
from kehoach.geo.models import AdministrativeUnit
from kehoach.synthesis.summaries import summaries_differences, summaries_refresh_communes


class Command(BaseCommand):
    help = (
        "Compare the summaries of the commune plans' lines with a full recomputation; print "
        "each difference; exit with 1 if there is any (--fix rewrites those that differ)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fix", action="store_true", help="Rewrite the summaries of the communes that differ."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        differences = summaries_differences()
        for difference in differences:
            self.stdout.write(str(difference))
        if not differences:
            self.stdout.write("Bảng tổng hợp khớp với số liệu các dòng kế hoạch xã.")
            return
        self.stdout.write(
            f"{format_number_vi(len(differences), 0)} dòng tổng hợp khác với số liệu tính lại."
        )
        if options["fix"]:
            plans = {d.key[0] for d in differences}
            communes = AdministrativeUnit.objects.filter(
                planning_rounds__commune_plan__in=plans
            ).distinct()
            with transaction.atomic():
                summaries_refresh_communes(list(communes))
            left = summaries_differences()
            self.stdout.write(f"Đã tính lại; còn {format_number_vi(len(left), 0)} dòng khác.")
            if not left:
                return
        sys.exit(1)
