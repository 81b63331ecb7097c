"""Rounds with submitted village plans, envelopes and users, consistent with each other: every
village belongs to the round's commune, every envelope line to the round."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.catalog.models import FundingSource, Sector
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, ProposalLine, VillagePlan
from kehoach.plans.tests import factories as pf

from ..choices import EnvelopeOrigin
from ..models import EnvelopeLine
from ..services.common import commune_plan_for, envelope_for

D = Decimal


def sector(code: str, name: str, order: int, expenditure: str = "investment") -> Sector:
    found = pf.sector(code, name, order)
    if found.default_expenditure != expenditure:
        found.default_expenditure = expenditure
        found.save(update_fields=["default_expenditure"])
    return found


def transport() -> Sector:
    return sector("HT-GT", "Hạ tầng: giao thông", 50)


def education() -> Sector:
    return sector("GD", "Giáo dục – đào tạo, dạy nghề", 110, "recurrent")


def agriculture() -> Sector:
    return sector("NN", "Nông nghiệp", 10, "recurrent")


def source(code: str, kind: str = "national_target_programme", **kwargs: Any) -> FundingSource:
    defaults: dict[str, Any] = {"name": code, "kind": kind, "valid_from_year": 2026}
    defaults.update(kwargs)
    return FundingSource.objects.get_or_create(code=code, defaults=defaults)[0]


def ntp() -> FundingSource:
    return source("NTP26", name="CTMTQG 2026–2035")


def commune_budget() -> FundingSource:
    return source("NS-X", "commune_budget", name="Ngân sách xã", valid_from_year=None)


def villages(commune: AdministrativeUnit, names: list[str]) -> list[AdministrativeUnit]:
    return [VillageFactory.create(parent=commune, name=name) for name in names]


def submitted_plan(
    village: AdministrativeUnit, lines: list[dict[str, Any]], *, status: str = PlanStatus.SUBMITTED
) -> VillagePlan:
    """A village plan of 2027 with these lines (``pf.line_data`` overrides), submitted."""
    plan = pf.village_plan(village)
    for overrides in lines:
        pf.line(plan, **overrides)
    VillagePlan.objects.filter(pk=plan.pk).update(status=status)
    plan.refresh_from_db()
    return plan


def money_line(cost: str, contribution: str, **overrides: Any) -> dict[str, Any]:
    """Line overrides with a consistent cost identity and contribution split (all cash)."""
    total, given = D(cost), D(contribution)
    return {
        "total_cost_mvnd": total,
        "contribution_mvnd": given,
        "contribution_cash_mvnd": given,
        "contribution_labour_mvnd": D(0),
        "contribution_labour_days": D(0),
        "external_support_mvnd": total - given,
        **overrides,
    }


def round_of(commune: AdministrativeUnit | None = None) -> PlanningRound:
    return pf.round_for(commune or hai_lang())


def envelope_line(
    round_: PlanningRound,
    source_: FundingSource,
    amount: str,
    *,
    sector_: Sector | None = None,
    origin: str = EnvelopeOrigin.PROVINCE,
    **kwargs: Any,
) -> EnvelopeLine:
    envelope = envelope_for(round_)
    number = envelope.lines.count() + 1
    return EnvelopeLine.objects.create(
        envelope=envelope,
        number=number,
        origin=origin,
        source=source_,
        sector=sector_,
        amount_mvnd=D(amount),
        **kwargs,
    )


def planner(commune: AdministrativeUnit | None = None, **kwargs: Any) -> Any:
    return commune_planner(commune or hai_lang(), **kwargs)


def province_officer(province: AdministrativeUnit | None, **kwargs: Any) -> Any:
    assert province is not None
    return user_with_role(Role.PROVINCE_OFFICER, province, **kwargs)


def approver(commune: AdministrativeUnit, **kwargs: Any) -> Any:
    return user_with_role(Role.COMMUNE_APPROVER, commune, **kwargs)


def alive_lines(round_: PlanningRound) -> list[ProposalLine]:
    return list(ProposalLine.objects.alive().filter(plan__round=round_).order_by("id"))


__all__ = ["commune_plan_for", "envelope_for"]
