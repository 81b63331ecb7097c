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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet, Subquery

from kehoach.approvals.models import Version
from kehoach.core.errors import NotFoundError
from kehoach.geo.choices import Level
from kehoach.geo.models import PATH_SEPARATOR, AdministrativeUnit, AdministrativeUnitQuerySet
from kehoach.geo.selectors import units_search
from kehoach.monitoring.choices import PhotoStage
from kehoach.monitoring.models import Disbursement, ProgressPhoto, ProgressReport
from kehoach.synthesis.models import CommunePlan

from .tables import Fate, funded_works, plan_fates, village_feedback_fates

PLAN_LABEL = CommunePlan._meta.label_lower
"""``Version.subject_label`` of commune plans."""

BATCH = 50
"""Plans read together by ``published_in`` (open-data files of a province)."""

YEARS = range(1900, 10_000)
"""Plan years an address may name; anything else is not found without asking the database."""


# --- what is published -------------------------------------------------------------------------


def published_versions() -> QuerySet[Version]:
    """Every published version of every commune plan."""
    return Version.objects.filter(subject_label=PLAN_LABEL, published_at__isnull=False)


def latest_published_versions() -> QuerySet[Version]:
    """The latest published version of each commune plan that has one."""
    newer = published_versions().filter(
        plan_uid=OuterRef("plan_uid"), number__gt=OuterRef("number")
    )
    return published_versions().exclude(Exists(newer))


def published_plans() -> QuerySet[CommunePlan]:
    """Commune plans with at least one published version (for their round: commune, year)."""
    return CommunePlan.objects.filter(uid__in=published_versions().values("plan_uid"))


# --- units ------------------------------------------------------------------------------------


def provinces_with_published_plans() -> AdministrativeUnitQuerySet:
    """Provinces with a published plan in one of their communes, in Vietnamese order."""
    has_plan = published_plans().filter(round__commune__path__startswith=OuterRef("path"))
    return (
        AdministrativeUnit.objects.filter(level=Level.PROVINCE)
        .filter(Exists(has_plan))
        .in_vietnamese_order()
    )


def communes_with_published_plans(
    *, within: AdministrativeUnit | None = None, query: str = ""
) -> AdministrativeUnitQuerySet:
    """Communes with a published plan (below ``within``), matching ``query`` without
    diacritics ("hai lang" finds Xã Hải Lăng), in Vietnamese order, with their parent."""
    has_plan = published_plans().filter(round__commune=OuterRef("pk"))
    qs = AdministrativeUnit.objects.filter(level=Level.COMMUNE).filter(Exists(has_plan))
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return units_search(qs, query).select_related("parent").in_vietnamese_order()


def public_unit(code: str, levels: Iterable[int]) -> AdministrativeUnit:
    """A province or commune with a published plan in it (with its parents, for the
    breadcrumbs), or NotFoundError."""
    has_plan = published_plans().filter(round__commune__path__startswith=OuterRef("path"))
    unit = (
        AdministrativeUnit.objects.filter(code=code, level__in=list(levels))
        .filter(Exists(has_plan))
        .select_related("parent__parent")
        .first()
    )
    if unit is None:
        raise NotFoundError()
    return unit


def province_of(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    """The province above a unit read with ``select_related("parent__parent")`` (a pre-2025
    commune sits under a former district), without a query."""
    current: AdministrativeUnit | None = unit
    for _step in range(3):
        if current is None or current.level == Level.PROVINCE:
            return current
        current = current.parent
    return None


def published_years(unit: AdministrativeUnit) -> list[int]:
    """The plan years with a published plan in the unit, newest first."""
    return list(
        published_plans()
        .filter(round__commune__path__startswith=unit.path)
        .order_by("-round__plan_year")
        .values_list("round__plan_year", flat=True)
        .distinct()
    )


def years_by_commune(unit: AdministrativeUnit) -> dict[int, list[int]]:
    """Commune id → the years of its published plans, newest first (communes below ``unit``)."""
    years: dict[int, list[int]] = defaultdict(list)
    rows = (
        published_plans()
        .filter(round__commune__path__startswith=unit.path)
        .order_by("-round__plan_year")
        .values_list("round__commune_id", "round__plan_year")
    )
    for commune_id, year in rows:
        years[commune_id].append(year)
    return dict(years)


# --- one commune's plans ----------------------------------------------------------------------


def commune_published_plans(commune: AdministrativeUnit) -> list[Version]:
    """The latest published version of each plan of the commune (without its snapshot), with
    ``plan_year``, newest year first."""
    year = CommunePlan.objects.filter(uid=OuterRef("plan_uid")).values("round__plan_year")[:1]
    return list(
        latest_published_versions()
        .filter(plan_uid__in=CommunePlan.objects.filter(round__commune=commune).values("uid"))
        .defer("data")
        .annotate(plan_year=Subquery(year))
        .order_by("-plan_year")
    )


@dataclass
class PublishedPlan:
    """A commune plan as the public sees it: one published version (the latest unless an
    earlier one was asked for) and the list of its published versions."""

    commune: AdministrativeUnit
    year: int
    plan_uid: UUID
    version: Version
    versions: list[Version]
    """Every published version, oldest first, without their snapshots."""

    @property
    def data(self) -> dict[str, Any]:
        return self.version.data

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    @property
    def is_latest(self) -> bool:
        return self.version.number == self.latest.number

    @property
    def province(self) -> AdministrativeUnit | None:
        return province_of(self.commune)


def published_plan(commune_code: str, year: int, number: int | None = None) -> PublishedPlan:
    """The commune's plan of ``year`` as published: version ``number`` if it was published,
    else the latest published; NotFoundError if none is."""
    if year not in YEARS:
        raise NotFoundError()
    commune = public_unit(commune_code, [Level.COMMUNE])
    plan_uid = (
        published_plans()
        .filter(round__commune=commune, round__plan_year=year)
        .values_list("uid", flat=True)
        .first()
    )
    if plan_uid is None:
        raise NotFoundError()
    versions = list(published_versions().filter(plan_uid=plan_uid).defer("data").order_by("number"))
    wanted = versions[-1].number if number is None else number
    if wanted not in {v.number for v in versions}:
        raise NotFoundError()
    version = published_versions().get(plan_uid=plan_uid, number=wanted)
    return PublishedPlan(commune, year, plan_uid, version, versions)


def version_chain(published: PublishedPlan) -> list[Version]:
    """The published versions up to the one shown, with their snapshots, oldest first: what
    a village's feedback needs to tell the proposals an amendment took out. One version only
    (no query) when the one shown is not an amendment."""
    if not published.version.is_amendment:
        return [published.version]
    earlier = published_versions().filter(
        plan_uid=published.plan_uid, number__lt=published.version.number
    )
    return [*earlier.order_by("number"), published.version]


@dataclass
class VillageFeedback:
    code: str
    name: str
    fates: list[Fate]


def village_feedback(published: PublishedPlan, village_code: str) -> VillageFeedback:
    """Every proposal of the village in the published plan with its fate (F13), including
    those an amendment took out; NotFoundError for a village without proposals in it."""
    name, fates = village_feedback_fates(version_chain(published), village_code)
    if not fates:
        raise NotFoundError()
    return VillageFeedback(village_code, name, fates)


# --- works and their progress ------------------------------------------------------------------


@dataclass
class SourceMoney:
    code: str
    name: str
    approved: Decimal
    disbursed: Decimal


@dataclass
class Work:
    """A funded line of the published snapshot with its latest progress report."""

    line: dict[str, Any]
    report: ProgressReport | None
    photos: list[ProgressPhoto] = field(default_factory=list)

    @property
    def uid(self) -> str:
        return str(self.line["uid"])

    @property
    def quantity(self) -> Decimal:
        return Decimal(self.line["quantity"])

    @property
    def percent(self) -> Decimal | None:
        """Quantity done as a share of the approved quantity (computed, never stored)."""
        if self.report is None or not self.quantity:
            return None
        return (self.report.quantity_done * 100 / self.quantity).quantize(Decimal("0.1"))

    @property
    def sources(self) -> list[SourceMoney]:
        """Approved (as published) and disbursed (to date) by source."""
        rows: dict[str, SourceMoney] = {}
        for item in self.line.get("funding", []):
            row = rows.setdefault(
                item["source"],
                SourceMoney(item["source"], item["source_name"], Decimal(0), Decimal(0)),
            )
            row.approved += Decimal(item["amount"])
        if self.report is not None:
            for d in self.report.disbursements.all():
                source = d.envelope_line.source
                row = rows.setdefault(
                    source.code, SourceMoney(source.code, source.name, Decimal(0), Decimal(0))
                )
                row.disbursed += d.amount_mvnd
        return list(rows.values())

    @property
    def approved(self) -> Decimal:
        return sum((Decimal(f["amount"]) for f in self.line.get("funding", [])), Decimal(0))

    @property
    def disbursed(self) -> Decimal | None:
        if self.report is None:
            return None
        return sum((d.amount_mvnd for d in self.report.disbursements.all()), Decimal(0))

    @property
    def contribution_planned(self) -> Decimal:
        return Decimal(self.line["contribution"])

    @property
    def contribution_realised(self) -> Decimal | None:
        return self.report.contribution_mvnd if self.report is not None else None

    def photos_by_stage(self) -> list[tuple[str, str, list[ProgressPhoto]]]:
        """(stage, its label, its photos) for each stage that has photos, before → after."""
        return [
            (value, str(label), [p for p in self.photos if p.stage == value])
            for value, label in PhotoStage.choices
            if any(p.stage == value for p in self.photos)
        ]


def latest_reports(plan_uids: Iterable[Any], line_uid: str | None = None) -> dict[str, Any]:
    """Line uid → latest progress report, for the lines of these plans (two queries: the
    reports and their money). The caller keeps only the works of the published snapshot."""
    reports = ProgressReport.objects.filter(
        is_latest=True, line__plan__uid__in=[str(u) for u in plan_uids]
    )
    if line_uid is not None:
        reports = reports.filter(line__uid=line_uid)
    reports = reports.annotate(line_uid=F("line__uid")).prefetch_related(
        Prefetch(
            "disbursements",
            queryset=Disbursement.objects.select_related("envelope_line__source").order_by("id"),
        )
    )
    return {str(r.line_uid): r for r in reports}


def photo_counts(plan_uids: Iterable[Any]) -> dict[str, int]:
    """Line uid → number of photos of the line's reports, for the lines of these plans."""
    rows = (
        ProgressPhoto.objects.filter(report__line__plan__uid__in=[str(u) for u in plan_uids])
        .values("report__line__uid")
        .annotate(n=Count("id"))
        .values_list("report__line__uid", "n")
    )
    return {str(uid): n for uid, n in rows}


def plan_works(published: PublishedPlan) -> list[Work]:
    """The works of the published snapshot with their latest report."""
    reports = latest_reports([published.plan_uid])
    return [Work(line, reports.get(line["uid"])) for line in funded_works(published.data)]


def published_work(published: PublishedPlan, line_uid: UUID | str) -> Work:
    """One work of the published snapshot with its latest report and the photos of all its
    reports; NotFoundError for a line that is not a funded line of the snapshot."""
    line = next((x for x in funded_works(published.data) if x["uid"] == str(line_uid)), None)
    if line is None:
        raise NotFoundError()
    report = latest_reports([published.plan_uid], str(line_uid)).get(str(line_uid))
    photos = list(
        ProgressPhoto.objects.filter(
            report__line__uid=line_uid, report__line__plan__uid=published.plan_uid
        )
        .select_related("report")
        .order_by("report__reported_on", "id")
    )
    return Work(line, report, photos)


@lru_cache(maxsize=1024)
def _published_work_uids(plan_uid: str, number: int) -> frozenset[str]:
    """The funded lines of a published version. A published version never changes (it is
    append-only), so what it funds is kept in memory by plan and number."""
    data = (
        published_versions().filter(plan_uid=plan_uid, number=number).values_list("data", flat=True)
    )
    snapshot = next(iter(data), None) or {}
    return frozenset(line["uid"] for line in funded_works(snapshot))


def public_photo(uid: UUID | str) -> ProgressPhoto:
    """A photo of a work of a published plan — a funded line of the plan's latest published
    version — or NotFoundError, the same for a photo that does not exist."""
    photo = (
        ProgressPhoto.objects.filter(uid=uid)
        .annotate(line_uid=F("report__line__uid"), plan_uid=F("report__line__plan__uid"))
        .first()
    )
    if photo is None:
        raise NotFoundError()
    plan_uid = str(photo.plan_uid)
    number = (
        latest_published_versions()
        .filter(plan_uid=plan_uid)
        .values_list("number", flat=True)
        .first()
    )
    if number is None or str(photo.line_uid) not in _published_work_uids(plan_uid, number):
        raise NotFoundError()
    return photo


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
    earlier versions of amended plans), so a province is never all in memory."""
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
