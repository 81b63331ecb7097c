"""The communes of a province (or former district) by the stage of their plan of one year, and
what a reading role (a donor, for instance) may read. Four queries for any number of communes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from kehoach.accounts.choices import Role
from kehoach.approvals.models import Version
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, VillagePlan

from ..choices import CommunePlanStatus as S
from ..models import Envelope
from .common import commune_units, units_with_role


class CommuneStage(models.TextChoices):
    """Where a commune stands in a plan year, seen from the province (in the order of the
    cycle; communes without a round come last: nothing of theirs to follow yet)."""

    VILLAGES = "villages", _("Villages preparing their plans")
    SYNTHESIS = "synthesis", _("Commune synthesising and allocating")
    AMENDMENT = "amendment", _("Amendment in preparation")
    SUBMITTED = "submitted", _("Submitted, awaiting approval")
    APPROVED = "approved", _("Approved, not yet published")
    PUBLISHED = "published", _("Published")
    IMPLEMENTATION = "implementation", _("In implementation")
    FINISHED = "finished", _("Evaluated or closed")
    NO_ROUND = "no_round", _("No planning round yet")


def commune_stage(commune_plan: dict[str, Any] | None) -> CommuneStage:
    if commune_plan is None:
        return CommuneStage.VILLAGES
    status = commune_plan["status"]
    if status in (S.DRAFT, S.CONFERENCE, S.RETURNED):
        if commune_plan["is_amendment"]:
            return CommuneStage.AMENDMENT
        if commune_plan["synthesised_at"] is None:
            return CommuneStage.VILLAGES
        return CommuneStage.SYNTHESIS
    if status in (S.SUBMITTED, S.DISTRICT_REVIEWED):
        return CommuneStage.SUBMITTED
    if status == S.APPROVED:
        return CommuneStage.APPROVED
    if status == S.PUBLISHED:
        return CommuneStage.PUBLISHED
    if status == S.IN_IMPLEMENTATION:
        return CommuneStage.IMPLEMENTATION
    return CommuneStage.FINISHED


@dataclass
class CommuneRow:
    code: str
    name: str
    stage: str
    round_uid: Any = None
    plan_uid: Any = None
    envelope_published: bool = False
    submitted: int = 0
    villages: int = 0


@dataclass
class StageGroup:
    stage: str
    label: str
    rows: list[CommuneRow]


@dataclass
class Overview:
    unit: AdministrativeUnit
    year: int | None
    years: list[int]
    groups: list[StageGroup]
    communes: int
    envelopes_missing: int


def overview_units(user: Any) -> list[AdministrativeUnit]:
    """The provinces and former districts on which the user holds a role."""
    return [
        u
        for u in units_with_role(user, [r for r in Role if r != Role.ADMIN])
        if u.level in (Level.PROVINCE, Level.DISTRICT)
    ]


def communes_by_stage(unit: AdministrativeUnit, *, year: int | None = None) -> Overview:
    """The communes under a province (or former district) grouped by the stage of their plan
    of ``year`` (by default the latest plan year that has a round): four queries, whatever the
    number of communes."""
    years = list(
        PlanningRound.objects.filter(commune__path__startswith=unit.path)
        .values_list("plan_year", flat=True)
        .distinct()
        .order_by("-plan_year")
    )
    if year not in years:
        year = years[0] if years else None
    rounds = (
        list(
            PlanningRound.objects.filter(commune__path__startswith=unit.path, plan_year=year)
            .annotate(
                envelope_published=Exists(
                    Envelope.objects.filter(round=OuterRef("pk"), published_at__isnull=False)
                )
            )
            .values(
                "pk",
                "uid",
                "commune_id",
                "commune__code",
                "commune__name",
                "commune__sort_key",
                "envelope_published",
                "commune_plan__uid",
                "commune_plan__status",
                "commune_plan__is_amendment",
                "commune_plan__synthesised_at",
            )
        )
        if year is not None
        else []
    )
    submitted: Counter[int] = Counter()
    villages: Counter[int] = Counter()
    if rounds:
        for row in (
            VillagePlan.objects.filter(round_id__in=[r["pk"] for r in rounds])
            .values("round_id", "status")
            .annotate(n=Count("id"))
            .order_by()
        ):
            villages[row["round_id"]] += row["n"]
            if row["status"] == PlanStatus.SUBMITTED:
                submitted[row["round_id"]] += row["n"]
    rows: dict[int, tuple[str, CommuneRow]] = {}
    for r in rounds:
        plan = (
            {
                "status": r["commune_plan__status"],
                "is_amendment": r["commune_plan__is_amendment"],
                "synthesised_at": r["commune_plan__synthesised_at"],
            }
            if r["commune_plan__uid"]
            else None
        )
        rows[r["commune_id"]] = (
            r["commune__sort_key"],
            CommuneRow(
                code=r["commune__code"],
                name=r["commune__name"],
                stage=commune_stage(plan),
                round_uid=r["uid"],
                plan_uid=r["commune_plan__uid"],
                envelope_published=r["envelope_published"],
                submitted=submitted[r["pk"]],
                villages=villages[r["pk"]],
            ),
        )
    communes = AdministrativeUnit.objects.filter(path__startswith=unit.path, level=Level.COMMUNE)
    if unit.valid_to is None:  # a former district lists its former communes, ended ones
        communes = communes.current()
    for commune in communes.exclude(pk__in=list(rows)).values("pk", "code", "name", "sort_key"):
        rows[commune["pk"]] = (
            commune["sort_key"],
            CommuneRow(code=commune["code"], name=commune["name"], stage=CommuneStage.NO_ROUND),
        )
    ordered = [row for _key, row in sorted(rows.values(), key=lambda x: (x[0], x[1].code))]
    groups = [
        StageGroup(stage=stage, label=str(label), rows=[r for r in ordered if r.stage == stage])
        for stage, label in CommuneStage.choices
    ]
    return Overview(
        unit=unit,
        year=year,
        years=years,
        groups=[g for g in groups if g.rows],
        communes=len(ordered),
        envelopes_missing=sum(
            1 for r in ordered if r.round_uid is not None and not r.envelope_published
        ),
    )


# --- what a reader may read ---------------------------------------------------------------

READER_ROLES = (Role.DONOR_VIEWER, Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER)


def reader_communes(user: Any) -> list[AdministrativeUnit]:
    """Communes on which the user holds only a reading role (a donor, for instance)."""
    acting = {u.pk for u in commune_units(user, [Role.COMMUNE_PLANNER, Role.COMMUNE_APPROVER])}
    return [u for u in commune_units(user, READER_ROLES) if u.pk not in acting]


def rounds_to_read(communes: list[AdministrativeUnit]) -> list[PlanningRound]:
    """The rounds of these communes with their commune plan and whether a version of it is
    published, newest first: one query."""
    if not communes:
        return []
    rounds: list[PlanningRound] = list(
        PlanningRound.objects.filter(commune__in=communes)
        .select_related("commune", "commune_plan")
        .annotate(
            has_published=Exists(
                Version.objects.filter(
                    plan_uid=OuterRef("commune_plan__uid"), published_at__isnull=False
                )
            )
        )
        .order_by("commune__sort_key", "-plan_year")
    )
    return rounds
