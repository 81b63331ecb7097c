from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kehoach.accounts.demo import demo_load
from kehoach.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create the demo villages and one user per role (only when KEHOACH_DEMO is on)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = demo_load()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Dữ liệu mẫu: {counts['villages']} thôn mới, {counts['users']} người dùng mới, "
            f"{counts['roles']} vai trò mới."
        )
