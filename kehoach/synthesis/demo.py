"""The demo resource envelopes of the 2027 round (F11), entered through the services by the
demo users who would enter them — the provincial finance officer for programme and provincial
money, the commune planner for the commune budget — and published to the villages.

Only for demo data (``KEHOACH_DEMO``); the texts are data in Vietnamese. Idempotent: a round
whose envelope already has a line is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from kehoach.accounts.models import User
from kehoach.catalog.models import FundingSource, Sector
from kehoach.plans.models import PlanningRound

from .choices import Firmness
from .services.common import envelope_for
from .services.envelope import envelope_line_create, envelope_publish


@dataclass(frozen=True)
class Money:
    source: str
    amount: str
    content: str
    sector: str | None = None
    firmness: str = Firmness.INDICATIVE
    counterpart_pct: str | None = None
    by_commune: bool = False


ENVELOPES: dict[str, list[Money]] = {
    "19702": [
        Money("NTP26", "3500", "Đường giao thông nông thôn, cầu, cống", "HT-GT",
              Firmness.NOTIFIED, "10"),
        Money("NTP26", "1500", "Kênh mương nội đồng, công trình phòng chống thiên tai", "HT-TL",
              Firmness.NOTIFIED, "10"),
        Money("NTP26", "2000", "Hỗ trợ phát triển sản xuất, sinh kế, giảm nghèo bền vững"),
        Money("NS-T", "900", "Sửa chữa, nâng cấp trường lớp mầm non, tiểu học", "GD"),
        Money("ODA", "800", "Cấp nước sạch và vệ sinh nông thôn", "HT-N", Firmness.EXPECTED),
        Money("NS-X", "1200", "Ngân sách xã chi đầu tư phát triển và sự nghiệp",
              firmness=Firmness.NOTIFIED, by_commune=True),
    ],
    "18880": [
        Money("NS-T", "1200", "Chỉnh trang đô thị: thoát nước, chiếu sáng, kiệt hẻm", None,
              Firmness.NOTIFIED),
        Money("NS-X", "600", "Ngân sách phường", firmness=Firmness.NOTIFIED, by_commune=True),
    ],
}  # fmt: skip

PROVINCE_OFFICER = "tinh.quangtri"
COMMUNE_PLANNERS = {"19702": "xa.hailang", "18880": "xa.donghoi"}


def _user(username: str | None) -> Any:
    user = User.objects.filter(username=username, is_active=True).first() if username else None
    return user or User(username="demo", is_superuser=True, is_active=True)


@transaction.atomic
def demo_envelope(round_: PlanningRound) -> int:
    """Enter and publish the demo envelope of a round; returns the lines added."""
    lines = ENVELOPES.get(round_.commune.code, [])
    if not lines or envelope_for(round_).lines.exists():
        return 0
    officer = _user(PROVINCE_OFFICER)
    planner = _user(COMMUNE_PLANNERS.get(round_.commune.code))
    added = 0
    for money in lines:
        source = FundingSource.objects.filter(code=money.source).first()
        if source is None or not source.is_active_for_year(round_.plan_year):
            continue
        envelope_line_create(
            actor=planner if money.by_commune else officer,
            round_=round_,
            data={
                "source": source,
                "sector": Sector.objects.filter(code=money.sector).first()
                if money.sector
                else None,
                "content": money.content,
                "amount_mvnd": Decimal(money.amount),
                "firmness": money.firmness,
                "counterpart_share_pct": Decimal(money.counterpart_pct)
                if money.counterpart_pct
                else None,
            },
        )
        added += 1
    if added:
        envelope_publish(actor=planner, round_=round_)
    return added
