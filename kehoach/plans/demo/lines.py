"""The demo village's proposals (F6): each activity sized, costed and split into community
contribution and support, in the places drawn for the village; the catalog rows they use."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from string import Formatter
from typing import Any

from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.core.errors import ApplicationError

from ..models import ProposalLine
from ..services.lines import proposal_line_create
from .content import (
    _ONE,
    _TENTH,
    ACTIVITIES,
    FIELDS,
    HAMLETS,
    LABOUR_DAY_MVND,
    STREETS,
)
from .village import DemoVillage, lower_first, pick, round_total, share


def line_values(
    v: DemoVillage,
    key: str,
    places: dict[str, list[str]],
    catalog: DemoCatalog,
    priority: int | None,
) -> dict[str, Any]:
    activity = ACTIVITIES[key]
    rng = v.rng
    year = v.plan.round.plan_year
    # A shared work is sized from its own key, so both villages propose the same work.
    size_rng = random.Random(f"kehoach-demo:{key}") if activity.shared_by else rng
    quantity = pick(size_rng, *activity.quantity)
    unit_cost = pick(size_rng, *activity.unit_cost)
    if activity.for_poor:
        quantity = max(_ONE, min(quantity, Decimal(v.poor + v.near_poor)))
    total = round_total(quantity * unit_cost)
    total = min(max(total, Decimal(activity.total[0])), Decimal(activity.total[1]))

    target = total * rng.randint(*activity.contribution_pct) / 100
    cash_pct, labour_pct, materials_pct = activity.split
    labour_days = (target * labour_pct / 100 / LABOUR_DAY_MVND).quantize(_ONE, ROUND_HALF_UP)
    labour = labour_days * LABOUR_DAY_MVND
    cash = (target * cash_pct / 100).quantize(_TENTH, ROUND_HALF_UP)
    materials = max(Decimal(0), target - cash - labour) if materials_pct else Decimal(0)
    materials = materials.quantize(_TENTH, ROUND_HALF_UP)
    contribution = cash + labour + materials

    if activity.per_unit:
        households = min(v.households, int(quantity * activity.per_unit))
    else:
        households = share(rng, v.households, *activity.reach)
    households = max(households, 1)
    if activity.for_poor:
        poor = min(households, v.poor)
    else:
        poor = households * max(activity.poor_pct, v.poor * 100 // v.households) // 100
        poor = min(households, v.poor, poor)
    em = min(households, households * v.em // v.households) if v.em else 0

    used = {
        name for _text, name, _spec, _conv in Formatter().parse(activity.name + activity.location)
    }
    fill = {
        "village": v.name,
        "year": year,
        "next_year": year + 1,
        **{kind: places[kind].pop(0) for kind in places if kind in used},
    }
    partner = ""
    if activity.shared_by:
        partner = lower_first(next(n for n in activity.shared_by if n != v.plan.village.name))
    return {
        "sector": catalog.sectors[activity.sector],
        "activity": activity.name.format(**fill),
        "location": activity.location.format(**fill),
        "unit": catalog.units[activity.unit],
        "quantity": quantity,
        "start_month": datetime.date(year, activity.months[0], 1),
        "end_month": datetime.date(year, activity.months[1], 1),
        "total_cost_mvnd": total,
        "contribution_mvnd": contribution,
        "contribution_cash_mvnd": cash,
        "contribution_labour_days": labour_days,
        "contribution_labour_mvnd": labour,
        "contribution_materials_mvnd": materials,
        "contribution_land_m2": Decimal(rng.randint(*activity.land_m2) // 10 * 10),
        "external_support_mvnd": total - contribution,
        "proposed_source": catalog.sources[activity.source],
        "beneficiary_households": households,
        "beneficiary_poor": poor,
        "beneficiary_em": em,
        "implementation_mode": activity.mode,
        "priority": priority,
        "notes": activity.notes.format(partner=partner, year=year, next_year=year + 1),
    }


def draw_places(v: DemoVillage) -> dict[str, list[str]]:
    """Fresh hamlets, field areas, alleys and streets for the village's activities, drawn
    without repetition so that two works of the same kind get different places."""
    rng = v.rng
    streets = list(rng.sample(STREETS, 2))
    alleys = sorted(rng.sample(range(3, 90), 6))
    return {
        "xom": [str(name) for name in rng.sample(HAMLETS, 5)],
        "dong": [str(name) for name in rng.sample(FIELDS, 5)],
        "kiet": [str(n) for n in alleys],
        "duong": [streets[i % 2] for i in range(6)],
    }


@dataclass
class DemoCatalog:
    sectors: dict[str, Sector]
    units: dict[str, UnitOfMeasure]
    sources: dict[str, FundingSource]


def demo_catalog() -> DemoCatalog:
    used = ACTIVITIES.values()
    sectors = {s.code: s for s in Sector.objects.filter(code__in={a.sector for a in used})}
    units = {u.code: u for u in UnitOfMeasure.objects.filter(code__in={a.unit for a in used})}
    sources = {s.code: s for s in FundingSource.objects.filter(code__in={a.source for a in used})}
    missing = (
        {a.sector for a in used} - set(sectors)
        | {a.unit for a in used} - set(units)
        | {a.source for a in used} - set(sources)
    )
    if missing:
        raise ApplicationError(
            "catalog_missing",
            "Chưa có danh mục dùng chung (lĩnh vực, đơn vị tính, nguồn vốn): hãy chạy "
            f"load_catalog trước. Thiếu: {', '.join(sorted(missing))}.",
        )
    return DemoCatalog(sectors, units, sources)


def fill_lines(v: DemoVillage, *, actor: Any, catalog: DemoCatalog) -> list[ProposalLine]:
    """F6: the village's proposals, each sector's lines ranked 1, 2, 3 in the order of the
    form."""
    plan = v.plan
    profile = plan.round.profile
    places = draw_places(v)
    per_sector: Counter[str] = Counter()
    lines: list[ProposalLine] = []
    for key in v.keys:
        sector = ACTIVITIES[key].sector
        position = per_sector[sector]
        per_sector[sector] += 1
        priority = (
            min(profile.min_priority + position, profile.max_priority)
            if position < profile.max_priority_activities_per_sector
            else None
        )
        line_data = line_values(v, key, places, catalog, priority)
        lines.append(proposal_line_create(actor=actor, plan=plan, data=line_data))
    return lines
