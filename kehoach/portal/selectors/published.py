"""What the public sees: the published versions, the units and years that have one, one
commune's published plans and what a village learns from one."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery

from kehoach.approvals.models import Version
from kehoach.core.errors import NotFoundError
from kehoach.core.text import fold
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit, AdministrativeUnitQuerySet
from kehoach.geo.selectors import units_search
from kehoach.synthesis.models import CommunePlan

from ..tables import Fate, village_feedback_fates

PLAN_LABEL = CommunePlan._meta.label_lower
"""``Version.subject_label`` of commune plans."""


ROWS_PER_COMMUNE = 10
"""Plan years read per commune at most when a search is bounded (``communes_with_years``)."""
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


def unit_by_code(code: str, levels: Iterable[int]) -> AdministrativeUnit:
    """A province or commune by its code (one query by the code's index), or NotFoundError;
    for a caller that learns from its own query whether anything of it is published (an
    open-data file: ``stored.files.published_file``)."""
    unit = AdministrativeUnit.objects.filter(code=code, level__in=list(levels)).first()
    if unit is None:
        raise NotFoundError()
    return unit


def unit_with_parents(code: str, levels: Iterable[int]) -> AdministrativeUnit:
    """A province or commune by its code with its parents (for the breadcrumbs), one query by
    the code's index, or NotFoundError; the caller learns from its own read of the published
    versions (``stored.fingerprints.unit_versions``) whether anything in it is published —
    cheaper than ``public_unit``'s test, which scans the published plans."""
    unit = (
        AdministrativeUnit.objects.filter(code=code, level__in=list(levels))
        .select_related("parent__parent")
        .first()
    )
    if unit is None:
        raise NotFoundError()
    return unit


@dataclass
class CommuneYears:
    """A commune of a province's page and the years of its published plans, newest first."""

    code: str
    name: str
    valid_to: Any
    published_years: list[int]


def communes_with_years(
    unit: AdministrativeUnit, *, query: str = "", limit: int | None = None
) -> tuple[list[CommuneYears], bool]:
    """The communes below ``unit`` with a published plan, matching ``query`` without diacritics,
    in Vietnamese order, each with its plan years: one query, whatever the number of communes.
    With ``limit``, at most that many communes (and ``True`` when there were more)."""
    rows = (
        published_plans()
        .filter(round__commune__path__startswith=unit.path)
        .order_by("round__commune__sort_key", "round__commune__code", "-round__plan_year")
        .values_list(
            "round__commune__code",
            "round__commune__name",
            "round__commune__valid_to",
            "round__plan_year",
        )
    )
    for word in filter(None, fold(query).split(" ")):
        rows = rows.filter(round__commune__search_name__contains=word)
    if limit is not None:
        # a commune has a plan a year: a few rows each; one more commune tells there are more
        rows = rows[: (limit + 1) * ROWS_PER_COMMUNE]
    communes: list[CommuneYears] = []
    for code, name, valid_to, year in rows:
        if not communes or communes[-1].code != code:
            communes.append(CommuneYears(code, name, valid_to, []))
        communes[-1].published_years.append(year)
    if limit is None or len(communes) <= limit:
        return communes, False
    return communes[:limit], True


def published_state() -> tuple[int, int | None, datetime.datetime | None]:
    """(how many versions are published, the last one's id, the latest publication), one
    aggregate query: a published version is never unpublished nor deleted, so this changes
    exactly when something is published — what the portal's home page lists."""
    found = published_versions().aggregate(n=Count("id"), last=Max("id"), at=Max("published_at"))
    return found["n"], found["last"], found["at"]


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
    version = next((v for v in versions if v.number == wanted), None)
    if version is None:
        raise NotFoundError()
    # its snapshot is read (one query) only by what needs it: the plan page's stored parts
    # and works table do not, once built
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
