"""Rounds, plans and lines that stay consistent: a plan's village belongs to its round's commune."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from kehoach.catalog.models import FundingSource, ProcessProfile, Sector, UnitOfMeasure
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.models import PlanningRound, ProposalLine, VillagePlan


def profile(**kwargs: Any) -> ProcessProfile:
    found = ProcessProfile.objects.filter(is_default=True).first()
    if found is not None and not kwargs:
        return found
    if found is None:
        return ProcessProfile.objects.create(
            code="MAC-DINH", name="Mặc định", is_default=True, **kwargs
        )
    for key, value in kwargs.items():
        setattr(found, key, value)
    found.save()
    return found


def sector(code: str = "HT-GT", name: str = "Hạ tầng: giao thông", order: int = 50) -> Sector:
    return Sector.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})[0]


def unit(code: str = "km", name: str = "km") -> UnitOfMeasure:
    return UnitOfMeasure.objects.get_or_create(code=code, defaults={"name": name})[0]


def source(code: str = "NTP26", name: str = "CTMTQG 2026–2035", **kwargs: Any) -> FundingSource:
    defaults = {"name": name, "kind": "national_target_programme", "valid_from_year": 2026}
    defaults.update(kwargs)
    return FundingSource.objects.get_or_create(code=code, defaults=defaults)[0]


def round_for(commune: AdministrativeUnit | None = None, year: int = 2027) -> PlanningRound:
    commune = commune or hai_lang()
    return PlanningRound.objects.get_or_create(
        commune=commune, plan_year=year, defaults={"profile": profile()}
    )[0]


def village_plan(
    village: AdministrativeUnit | None = None, year: int = 2027, **kwargs: Any
) -> VillagePlan:
    if village is None:
        village = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    assert village.parent is not None
    round_ = round_for(village.parent, year)
    plan, _created = VillagePlan.objects.get_or_create(
        round=round_, village=village, defaults=kwargs
    )
    return plan


def line_data(**overrides: Any) -> dict[str, Any]:
    """Valid values for a line of a 2027 plan: 100 = 30 contribution + 70 support."""
    data: dict[str, Any] = {
        "sector": sector(),
        "activity": "Bê tông hóa đường thôn",
        "location": "Xóm Trên",
        "unit": unit(),
        "quantity": Decimal("1.2"),
        "start_month": datetime.date(2027, 3, 1),
        "end_month": datetime.date(2027, 6, 1),
        "total_cost_mvnd": Decimal("100"),
        "contribution_mvnd": Decimal("30"),
        "contribution_cash_mvnd": Decimal("10"),
        "contribution_labour_days": Decimal("200"),
        "contribution_labour_mvnd": Decimal("20"),
        "contribution_materials_mvnd": Decimal("0"),
        "contribution_land_m2": Decimal("0"),
        "external_support_mvnd": Decimal("70"),
        "proposed_source": source(),
        "beneficiary_households": 80,
        "beneficiary_poor": 12,
        "beneficiary_em": 0,
        "implementation_mode": "community",
        "priority": 1,
        "notes": "",
    }
    data.update(overrides)
    return data


def line(plan: VillagePlan, number: int | None = None, **overrides: Any) -> ProposalLine:
    """A line written straight to the database (for tests that are not about the rules)."""
    if number is None:
        number = ProposalLine.objects.filter(plan=plan).count() + 1
    return ProposalLine.objects.create(plan=plan, number=number, **line_data(**overrides))
