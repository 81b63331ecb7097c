"""The demo village's meeting (F8): a quorate meeting in May or June of the year before that
approves the plan, chaired by the village head (the demo village editor when there is one)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from kehoach.accounts.choices import Role
from kehoach.accounts.demo import DEMO_USERS
from kehoach.core.numbers import format_number_vi
from kehoach.geo.models import AdministrativeUnit

from ..models import (
    ProposalLine,
    VillageMeeting,
)
from ..services.meeting import meeting_save
from .village import DemoVillage, person, share


def meeting_values(v: DemoVillage, actor: Any, lines: list[ProposalLine]) -> dict[str, Any]:
    rng, year = v.rng, v.plan.round.plan_year
    households = max(v.households, 1)
    represented = share(rng, households, 58, 78)
    participants = represented + share(rng, represented, 5, 15)
    disagree = share(rng, participants, 0, 4)
    abstain = share(rng, participants, 1, 5)
    agree = participants - disagree - abstain - rng.randint(0, 2)
    total = sum((line.total_cost_mvnd for line in lines), Decimal(0))
    contribution = sum((line.contribution_mvnd for line in lines), Decimal(0))
    head = _village_head(v.plan.village) or person(rng, woman=rng.random() < 0.3)
    kind, head_title = (
        ("tổ dân phố", "tổ trưởng tổ dân phố") if v.urban else ("thôn", "trưởng thôn")
    )
    place = "Nhà sinh hoạt cộng đồng" if v.urban else "Nhà văn hóa"
    staff = str(getattr(actor, "full_name", "") or "") or (
        "Tổ kế hoạch phường" if v.urban else "Tổ kế hoạch xã"
    )
    return {
        "held_on": datetime.date(year - 1, 5, 11) + datetime.timedelta(days=rng.randint(0, 40)),
        "place": f"{place} {v.name}",
        "chair": f"{head} ({head_title})",
        "secretary": f"{person(rng, woman=True)} (chi hội trưởng Chi hội Phụ nữ)",
        "agenda": (
            f"1. Đánh giá kết quả thực hiện kế hoạch năm {year - 1}\n"
            f"2. Thông tin nguồn lực dự kiến năm {year}\n"
            "3. Thảo luận, xếp hạng ưu tiên các hoạt động đề xuất\n"
            f"4. Thống nhất mức đóng góp của nhân dân và biểu quyết kế hoạch năm {year}"
        ),
        "commune_staff": staff,
        "households_total": households,
        "households_represented": represented,
        "participants_total": participants,
        "participants_women": share(rng, participants, 36, 48),
        "participants_poor": min(participants, share(rng, v.poor + v.near_poor, 60, 90)),
        "participants_em": min(participants, v.em),
        "participants_youth": share(rng, participants, 10, 18),
        "participants_elderly": share(rng, participants, 15, 25),
        "decision": (
            f"Thông qua kế hoạch phát triển {kind} năm {year} gồm {len(lines)} hoạt động, "
            f"tổng kinh phí {format_number_vi(total, 1)} triệu đồng; nhân dân đóng góp "
            f"{format_number_vi(contribution, 1)} triệu đồng (tiền mặt, ngày công, vật liệu, "
            f"hiến đất), đề nghị hỗ trợ {format_number_vi(total - contribution, 1)} triệu đồng.\n"
            "Thống nhất thứ tự ưu tiên các hoạt động theo kết quả xếp hạng."
        ),
        "votes_agree": agree,
        "votes_disagree": disagree,
        "votes_abstain": abstain,
    }


def _village_head(village: AdministrativeUnit) -> str:
    """The name of the demo village editor of this village, if there is one."""
    for spec in DEMO_USERS:
        if spec.role == Role.VILLAGE_EDITOR and spec.unit_code == village.code:
            return spec.full_name.split(" (")[0]
    return ""


def fill_meeting(v: DemoVillage, *, actor: Any, lines: list[ProposalLine]) -> None:
    """F8: a quorate meeting that approves the plan, unless one is recorded already."""
    plan = v.plan
    if not VillageMeeting.objects.filter(plan=plan).exists():
        meeting_save(actor=actor, plan=plan, data=meeting_values(v, actor, lines))
