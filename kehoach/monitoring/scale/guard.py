"""The generator never touches real data.

Every planning round it makes is created by one account of its own (``GENERATOR_USERNAME``,
inactive, no password: nobody can log in as it), and everything else it makes hangs off those
rounds: village plans, commune plans, envelopes, versions, history. A database holding a round
created by anyone else — or by nobody, as rounds imported or made before ``created_by`` was
kept — holds real data, and the generator refuses to run there. So does a commune chosen for
generation that already has villages but no generated round: its villages are real.
"""

from __future__ import annotations

from typing import Any

from kehoach.accounts.models import User
from kehoach.core.errors import ApplicationError
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import PlanningRound

GENERATOR_USERNAME = "sinh-du-lieu-quy-mo"
GENERATOR_NAME = "Dữ liệu sinh tự động (generate_scale)"


def generator_user() -> User:
    """The account that marks what the generator made (created the first time)."""
    user = User.objects.filter(username=GENERATOR_USERNAME).first()
    if user is None:
        user = User(username=GENERATOR_USERNAME, full_name=GENERATOR_NAME, is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def refuse_real_data() -> None:
    """Raise ``ApplicationError`` when any planning round was not made by the generator."""
    real = PlanningRound.objects.exclude(created_by__username=GENERATOR_USERNAME)
    count = real.count()
    if count:
        sample = real.select_related("commune").order_by("commune__code", "plan_year").first()
        where = f" (ví dụ {sample.commune.name}, năm {sample.plan_year})" if sample else ""
        raise ApplicationError(
            "scale_real_data",
            f"Cơ sở dữ liệu này có {count} kỳ lập kế hoạch không do lệnh generate_scale tạo ra"
            f"{where}: đây là dữ liệu thật, lệnh dừng lại và không ghi gì. Chỉ chạy "
            "generate_scale trên một cơ sở dữ liệu trống (sau migrate, load_units, "
            "load_catalog) hoặc chỉ chứa dữ liệu do chính lệnh này sinh ra.",
        )


def refuse_real_villages(communes: list[AdministrativeUnit], generated: set[int]) -> None:
    """Raise when a commune to fill (not in ``generated``: it has no generated round) already
    has villages: they were entered by people."""
    todo = [c.pk for c in communes if c.pk not in generated]
    found: Any = (
        AdministrativeUnit.objects.filter(parent_id__in=todo, level=Level.VILLAGE)
        .select_related("parent")
        .order_by("parent__code")
        .first()
    )
    if found is not None:
        raise ApplicationError(
            "scale_real_villages",
            f"{found.parent.name} (mã {found.parent.code}) đã có thôn, tổ dân phố do người dùng "
            f"nhập (ví dụ {found.name}) mà chưa có kỳ lập kế hoạch do generate_scale tạo ra: "
            "lệnh dừng lại và không ghi gì. Hãy bỏ tỉnh này ra khỏi --provinces hoặc dùng "
            "một cơ sở dữ liệu trống.",
        )
