from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehoach.core.errors import ApplicationError
from kehoach.geo.loaders import units_load_legacy_csv


class Command(BaseCommand):
    help = (
        "Load pre-reform provinces, districts and communes from a CSV file with their "
        "successors among the current units (see docs/user-guide/quan-tri.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_path", type=Path)

    def handle(self, *args: Any, csv_path: Path, **options: Any) -> None:
        try:
            text = csv_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp {csv_path}: {exc}") from exc
        try:
            result = units_load_legacy_csv(text)
        except ApplicationError as exc:
            raise CommandError(f"Tệp {csv_path} có lỗi, chưa nạp gì:\n{exc.message}") from exc
        self.stdout.write(
            f"Đơn vị trước sắp xếp: {result.created} mới, {result.unchanged} cập nhật, "
            f"{result.successions} liên kết kế thừa mới."
        )
