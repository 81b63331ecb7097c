from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehoach.core.errors import ApplicationError
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.services import villages_import_csv


class Command(BaseCommand):
    help = "Add the villages of one commune from a CSV file (Tên thôn, Loại, Từ ngày)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("commune_code")
        parser.add_argument("csv_path", type=Path)

    def handle(self, *args: Any, commune_code: str, csv_path: Path, **options: Any) -> None:
        commune = AdministrativeUnit.objects.filter(code=commune_code, level=3).first()
        if commune is None:
            raise CommandError(f"Không có xã mã {commune_code}. Hãy chạy load_units trước.")
        actor = get_user_model()(is_superuser=True, is_active=True, username="load_villages")
        try:
            result = villages_import_csv(
                actor=actor, commune=commune, content=csv_path.read_bytes()
            )
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {csv_path}: {exc}") from exc
        except ApplicationError as exc:
            raise CommandError(f"Tệp có lỗi, chưa thêm thôn nào:\n{exc.message}") from exc
        self.stdout.write(
            f"{commune.name}: thêm {len(result.created)} thôn, {len(result.unchanged)} đã có."
        )
