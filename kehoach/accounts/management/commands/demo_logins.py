from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kehoach.accounts.demo import DEMO_PASSWORD, DEMO_USERS, demo_enabled
from kehoach.accounts.models import User


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo_enabled() or not User.objects.filter(username=DEMO_USERS[0].username).exists():
            self.stdout.write("Không có tài khoản mẫu (KEHOACH_DEMO tắt hoặc chưa chạy load_demo).")
            return
        self.stdout.write("")
        self.stdout.write("kehoach đang chạy tại http://127.0.0.1:8000 — tài khoản mẫu")
        self.stdout.write(f"(mật khẩu của mọi tài khoản mẫu: {DEMO_PASSWORD})")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec.username:<18} {spec.full_name}")
        self.stdout.write("")
