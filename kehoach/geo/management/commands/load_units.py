from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kehoach.geo.loaders import official_data_version, units_load_official


class Command(BaseCommand):
    help = "Load or update the official provinces and commune-level units (vietnam-provinces)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = units_load_official()
        self.stdout.write(
            f"Đơn vị hành chính ({official_data_version()}): {result.created} mới, "
            f"{result.renamed} đổi tên, {result.moved} đổi tỉnh, {result.ended} hết hiệu lực, "
            f"{result.reopened} hiệu lực lại, {result.unchanged} không đổi."
        )
