"""Reads of the public portal: what anyone may see without an account.

Every read starts from "published": the approved versions of commune plans (``approvals.Version``
of ``synthesis.communeplan``) whose publication date is set. A commune plan is public once one of
its versions is published, and the public sees the *snapshot* of its latest published version
(``Version.data``, made by ``synthesis.versions.plan_snapshot``), never the live plan. So a
draft, a submitted, a returned and an approved-but-unpublished plan show nowhere, and neither
does an amendment in preparation: the live plan is then the draft of version N+1, and the public
keeps seeing version N until N+1 is published.

Progress (F14) is public for the *works* of that snapshot: its active lines decided "funded".
Each work's latest progress report (``is_latest``) with the money disbursed, and the photos of
all its reports (a "before" photo belongs to an early report), are read from monitoring by the
work's uid, within the plan.

Each function runs a fixed number of queries, whatever the number of communes, lines, works or
photos; ``published_in`` runs a fixed number per batch of plans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from kehoach.approvals.models import Version
from kehoach.geo.choices import Level
from kehoach.geo.models import PATH_SEPARATOR, AdministrativeUnit

from ..collector import collector_paused
from ..tables import Fate, plan_fates
from .published import (
    PLAN_LABEL,
    YEARS,
    CommuneYears,
    PublishedPlan,
    VillageFeedback,
    commune_published_plans,
    communes_with_published_plans,
    communes_with_years,
    latest_published_versions,
    province_of,
    provinces_with_published_plans,
    public_unit,
    published_plan,
    published_plans,
    published_state,
    published_versions,
    published_years,
    unit_by_code,
    unit_with_parents,
    version_chain,
    village_feedback,
    years_by_commune,
)
from .works import (
    SourceMoney,
    Work,
    latest_reports,
    photo_counts,
    plan_works,
    public_photo,
    published_work,
)

__all__ = [
    "BATCH",
    "PLAN_LABEL",
    "YEARS",
    "CommuneYears",
    "PublishedPlan",
    "ScopePlan",
    "SourceMoney",
    "VillageFeedback",
    "Work",
    "all_fates",
    "commune_published_plans",
    "communes_with_published_plans",
    "communes_with_years",
    "latest_published_versions",
    "latest_reports",
    "photo_counts",
    "plan_works",
    "province_of",
    "provinces_with_published_plans",
    "public_photo",
    "public_unit",
    "published_in",
    "published_plan",
    "published_plans",
    "published_state",
    "published_versions",
    "published_work",
    "published_years",
    "unit_by_code",
    "unit_with_parents",
    "version_chain",
    "village_feedback",
    "years_by_commune",
]

BATCH = 4
"""Plans read together by ``published_in`` (open-data files of a province): their decoded
snapshots are what a build holds in memory at a time — a plan of 30 villages and 750 lines
takes about 5 MB decoded, while a process of kehoach starts at about 135 MB — so a few; each
batch costs two short queries (four for the progress dataset)."""

# --- many plans at once (open data) ------------------------------------------------------------


@dataclass
class ScopePlan:
    """A published plan in a province's or commune's open-data file."""

    commune_code: str
    commune_name: str
    province_code: str
    province_name: str
    version: Version
    chain: list[Version]
    """The published versions up to ``version``, oldest first (with ``version`` last)."""


def published_in(unit: AdministrativeUnit, year: int) -> Iterator[list[ScopePlan]]:
    """The published plans of ``year`` in the unit, communes in Vietnamese order, in batches
    of ``BATCH`` plans: three queries first, then two per batch (the latest versions, and the
    earlier versions of amended plans), so a province is never all in memory. A batch's
    snapshots are read and decoded with the cycle collector paused (``collector_paused``); each
    batch is handed over with it as it was."""
    plans = list(
        published_plans()
        .filter(round__plan_year=year, round__commune__path__startswith=unit.path)
        .order_by("round__commune__sort_key", "round__commune__code")
        .values_list("uid", "round__commune__code", "round__commune__name", "round__commune__path")
    )
    province_codes = {path.split(PATH_SEPARATOR)[0] for _uid, _code, _name, path in plans}
    provinces = dict(
        AdministrativeUnit.objects.filter(
            code__in=province_codes, level=Level.PROVINCE
        ).values_list("code", "name")
    )
    for start in range(0, len(plans), BATCH):
        batch = plans[start : start + BATCH]
        uids = [uid for uid, *_rest in batch]
        with collector_paused():
            latest = {v.plan_uid: v for v in latest_published_versions().filter(plan_uid__in=uids)}
            amended = [uid for uid, v in latest.items() if v.is_amendment]
            earlier: dict[UUID, list[Version]] = defaultdict(list)
            if amended:
                for v in published_versions().filter(plan_uid__in=amended).order_by("number"):
                    if v.number < latest[v.plan_uid].number:
                        earlier[v.plan_uid].append(v)
        out = []
        for uid, code, name, path in batch:
            version = latest.get(uid)
            if version is None:  # pragma: no cover - published_plans() said it has one
                continue
            province = path.split(PATH_SEPARATOR)[0]
            out.append(
                ScopePlan(
                    commune_code=code,
                    commune_name=name,
                    province_code=province,
                    province_name=provinces.get(province, ""),
                    version=version,
                    chain=[*earlier.get(uid, []), version],
                )
            )
        yield out


def all_fates(plan: ScopePlan) -> list[tuple[str, str, Fate]]:
    """(village code, village name, fate) of every proposal of every village in the plan."""
    return plan_fates(plan.chain)
