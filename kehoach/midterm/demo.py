"""The demo of a five-year plan: Xã Hải Lăng's plan 2026–2030, made by its villages, synthesised,
approved and published by the commune, with the 2026 and 2027 yearly plans drawn from it.

Each village's five-year plan is made from what its yearly plans of 2026 and 2027 propose (the
activities the village had in mind for the period), continued into the later years for the
works built in stages, and one activity for 2027 that the yearly plan has not taken yet (the
2027 page offers it). The lines of the 2026 and 2027 plans are linked to their years
(``link_drawn_line``), so the statuses follow what those plans became: 2026 approved and being
carried out, 2027 being prepared.

Only for demo data (``KEHOACH_DEMO``); the texts are data in Vietnamese. Idempotent: a commune
whose period is open already is left as it is. Everything goes through the services.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from kehoach.accounts.models import User
from kehoach.catalog.models import FundingSource, UnitOfMeasure
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.demo import demo_planner_for
from kehoach.plans.models import ProposalLine, VillageMeeting
from kehoach.synthesis.choices import Decision

from .models import MediumTermCommuneLine, MediumTermPlan, MediumTermRound
from .services.commune import commune_line_decide, commune_plan_for
from .services.commune_synthesis import commune_plan_synthesise
from .services.commune_workflow import commune_five_year_approve, commune_five_year_transition
from .services.drawing import link_drawn_line
from .services.frame import frame_line_save
from .services.lines import YearValues, save_medium_term_line
from .services.rounds import open_medium_term_round
from .services.workflow import link_meeting, medium_term_plan_transition

COMMUNE = "19702"
APPROVER = "lanhdao.hailang"
FIRST, LAST = 2026, 2030
DRAWN_YEARS = (2026, 2027)
RESOLUTION = {
    "resolution_number": "19/NQ-HĐND",
    "resolution_date": datetime.date(2025, 12, 18),
    "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
}
STAGED = ("đường", "kênh", "mương", "cầu")
"""Works built in stages: the five-year plan continues them in the next year."""


@dataclass(frozen=True)
class Extra:
    """An activity of the five-year plan that no yearly plan has taken yet."""

    activity: str
    year: int
    quantity: Decimal
    cost: Decimal
    unit_code: str = ""


EXTRAS = (
    Extra(
        "Lắp đèn chiếu sáng đường thôn bằng năng lượng mặt trời",
        2027,
        Decimal(20),
        Decimal(120),
        "cai",
    ),
    Extra("Cải tạo, nâng cấp nhà văn hóa thôn", 2029, Decimal(1), Decimal(450)),
)
"""The 2027 one is offered on the 2027 yearly plans still being drafted."""


def _user(username: str) -> Any:
    user = User.objects.filter(username=username, is_active=True).first()
    return user or User(username="demo", is_superuser=True, is_active=True)


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    return (amount * part / whole).quantize(Decimal("0.001")) if whole else Decimal(0)


def _values(line: ProposalLine, source: FundingSource | None, cost: Decimal) -> dict[str, Any]:
    """An activity like the yearly ``line``, its contribution and support in the yearly line's
    proportion of the five-year ``cost``."""
    contribution = _share(cost, line.contribution_mvnd, line.total_cost_mvnd)
    return {
        "sector": line.sector,
        "activity": line.activity,
        "location": line.location,
        "unit": line.unit,
        "contribution_mvnd": contribution,
        "external_support_mvnd": cost - contribution,
        "proposed_source": line.proposed_source or source,
        "beneficiary_households": line.beneficiary_households,
        "beneficiary_poor": line.beneficiary_poor,
        "beneficiary_em": line.beneficiary_em,
        "implementation_mode": line.implementation_mode,
        "notes": "",
    }


def _village_plan(
    planner: Any, plan: MediumTermPlan, source: FundingSource | None, first_line: Any
) -> int:
    """The village's activities from its 2026 and 2027 proposals; linked to them. Returns the
    number of activities."""
    lines = list(
        ProposalLine.objects.alive()
        .filter(plan__village=plan.village, plan__round__plan_year__in=DRAWN_YEARS)
        .select_related("plan__round", "sector", "unit", "proposed_source")
        .order_by("plan__round__plan_year", "number")
    )
    made = 0
    links = []
    for line in lines:
        year = line.plan.round.plan_year
        years = {year: YearValues(line.quantity, line.total_cost_mvnd)}
        if year < LAST and any(word in line.activity.lower() for word in STAGED):
            years[year + 2] = YearValues(line.quantity, line.total_cost_mvnd)
        cost = sum((item.cost_mvnd or Decimal(0) for item in years.values()), Decimal(0))
        saved = save_medium_term_line(planner, plan, _values(line, source, cost), years)
        links.append((saved.years.get(year=year), line))
        made += 1
    if first_line is not None:
        for extra in EXTRAS:
            unit = UnitOfMeasure.objects.filter(code=extra.unit_code).first()
            contribution = (extra.cost * Decimal("0.2")).quantize(Decimal("0.001"))
            values = {
                **_values(first_line, source, extra.cost),
                "activity": extra.activity,
                "location": "",
                "unit": unit or first_line.unit,
                "contribution_mvnd": contribution,
                "external_support_mvnd": extra.cost - contribution,
            }
            years = {extra.year: YearValues(extra.quantity, extra.cost)}
            save_medium_term_line(planner, plan, values, years)
            made += 1
    for line_year, line in links:
        link_drawn_line(planner, line_year, line)
    return made


def _frame(planner: Any, plan: Any) -> None:
    """A frame that holds the funded lines: per programme and year, their support, rounded up
    to the next 100 million VND."""
    needed: dict[tuple[Any, int], Decimal] = defaultdict(Decimal)
    for line in MediumTermCommuneLine.objects.filter(plan=plan).prefetch_related("years"):
        if line.proposed_source is None:
            continue
        years = list(line.years.all())
        total = sum((item.cost_mvnd for item in years), Decimal(0))
        for item in years:
            needed[(line.proposed_source, item.year)] += _share(
                line.external_support_mvnd, item.cost_mvnd, total
            )
    for (source, year), amount in sorted(needed.items(), key=lambda kv: (kv[0][0].code, kv[0][1])):
        rounded = ((amount // 100) + 1) * 100
        frame_line_save(
            actor=planner,
            plan=plan,
            data={"source": source, "sector": None, "year": year, "amount_mvnd": rounded},
        )


@transaction.atomic
def demo_five_year() -> dict[str, int]:
    """Plan, approve and publish Xã Hải Lăng's five-year plan 2026–2030 and link its 2026 and
    2027 yearly plans to it; the activities made (0 when the commune is missing or its period
    is open already)."""
    commune = AdministrativeUnit.objects.filter(code=COMMUNE).first()
    if commune is None or MediumTermRound.objects.filter(commune=commune).exists():
        return {"activities": 0}
    planner = demo_planner_for(commune)
    round_ = open_medium_term_round(planner, commune, first_year=FIRST, last_year=LAST)
    source = FundingSource.objects.filter(code="NTP26").first()
    activities = 0
    for plan in round_.plans.select_related("village").order_by("village__sort_key"):
        meeting = (
            VillageMeeting.objects.filter(
                plan__village=plan.village, plan__round__plan_year__in=DRAWN_YEARS
            )
            .order_by("plan__round__plan_year")
            .first()
        )
        first_line = (
            ProposalLine.objects.alive()
            .filter(plan__village=plan.village, plan__round__plan_year__in=DRAWN_YEARS)
            .select_related("unit", "sector", "proposed_source")
            .first()
        )
        made = _village_plan(planner, plan, source, first_line)
        activities += made
        if not made or meeting is None:
            continue  # a village that has not planned yet: its five-year plan stays a draft
        link_meeting(planner, plan, meeting)
        medium_term_plan_transition(planner, plan, "submit")
    five_year = commune_plan_for(round_)
    commune_plan_synthesise(actor=planner, round_=round_)
    for line in MediumTermCommuneLine.objects.filter(plan=five_year).order_by("number"):
        if line.proposed_source is None:
            commune_line_decide(
                actor=planner,
                line=line,
                decision=Decision.DEFERRED,
                reason="Chưa xác định được nguồn vốn; xem xét khi rà soát giữa kỳ.",
            )
        else:
            commune_line_decide(actor=planner, line=line, decision=Decision.FUNDED)
    _frame(planner, five_year)
    commune_five_year_transition(actor=planner, plan=five_year, action="submit")
    commune_five_year_approve(actor=_user(APPROVER), plan=five_year, data=RESOLUTION)
    commune_five_year_transition(actor=planner, plan=five_year, action="publish")
    return {"activities": activities}
