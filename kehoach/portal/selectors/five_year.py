"""What the public sees of the communes' five-year plans (issue 18, item 6): the published
versions of ``midterm.MediumTermCommunePlan`` (``approvals.Version`` with ``published_at``), the
snapshot of the one shown, and, per activity and year, what became of it in the published
yearly plans.

Only published data is read. The plan shown is a published version's snapshot, never the live
plan: a draft, a submitted and an approved-but-unpublished five-year plan show nowhere, and an
amendment in preparation neither. A year's progress follows ``midterm.selectors_drawing``'s
order (done → in the plan → not funded → planned), but from the published yearly plans only:

- the five-year line's village activities (its snapshot's sources) give their years' drawn
  lines of the yearly village plans (``MediumTermLineYear.drawn_line``);
- the latest published version of the commune's yearly plan of that year says whether an
  active line of it comes from one of those drawn lines and what it decided;
- ``done``: every funded such line has a latest progress report that says completed (the
  reports of published works are public, ``portal.selectors.works``).

What is not published — a year proposed in a village plan the commune has not decided, a year
dropped by a village — shows as ``planned``. A fixed number of queries whatever the number of
lines and years.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery

from kehoach.approvals.models import Version
from kehoach.catalog.models import FundingSource
from kehoach.core.errors import NotFoundError
from kehoach.core.text import name_sort_key
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.midterm.choices import YearStatus
from kehoach.midterm.models import MediumTermCommunePlan, MediumTermLineYear
from kehoach.monitoring.choices import ProgressStatus
from kehoach.monitoring.models import ProgressReport
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.models import CommunePlan

from .published import PLAN_LABEL, YEARS, province_of

FIVE_YEAR_LABEL = MediumTermCommunePlan._meta.label_lower
"""``Version.subject_label`` of the communes' five-year plans."""
ZERO = Decimal(0)
IN_PLAN = (Decision.FUNDED, Decision.UNFUNDED)


def published_five_year_versions() -> QuerySet[Version]:
    """Every published version of every commune five-year plan."""
    return Version.objects.filter(subject_label=FIVE_YEAR_LABEL, published_at__isnull=False)


@dataclass
class FiveYearEntry:
    """A published five-year plan of a commune, for its list: the period and the latest
    published version (without its snapshot)."""

    first_year: int
    last_year: int
    version: Version


def commune_five_year_plans(commune: AdministrativeUnit) -> list[FiveYearEntry]:
    """The commune's five-year plans with a published version, newest period first, each with
    its latest published version: one query."""
    periods = MediumTermCommunePlan.objects.filter(uid=OuterRef("plan_uid"))
    versions = (
        published_five_year_versions()
        .filter(
            plan_uid__in=MediumTermCommunePlan.objects.filter(round__commune=commune).values("uid")
        )
        .defer("data")
        .annotate(
            first_year=Subquery(periods.values("round__first_year")[:1]),
            last_year=Subquery(periods.values("round__last_year")[:1]),
        )
        .order_by("-first_year", "-number")
    )
    latest: dict[UUID, FiveYearEntry] = {}
    for version in versions:
        if version.plan_uid not in latest:
            latest[version.plan_uid] = FiveYearEntry(
                version.first_year,
                version.last_year,
                version,
            )
    return list(latest.values())


def commune_with_five_year_state(code: str) -> AdministrativeUnit:
    """A commune by its code with its parents (as ``published.unit_with_parents``) and, in the
    same query, the state of its published five-year versions (``five_year_state``), or
    NotFoundError."""
    versions = published_five_year_versions().filter(
        plan_uid__in=MediumTermCommunePlan.objects.filter(
            round__commune=OuterRef(OuterRef("pk"))
        ).values("uid")
    )

    def aggregate(expression: Any) -> Subquery:
        return Subquery(
            versions.order_by().values("subject_label").annotate(v=expression).values("v")[:1]
        )

    unit = (
        AdministrativeUnit.objects.filter(code=code, level=Level.COMMUNE)
        .select_related("parent__parent")
        .annotate(
            five_year_count=aggregate(Count("id")),
            five_year_last=aggregate(Max("id")),
            five_year_at=aggregate(Max("published_at")),
        )
        .first()
    )
    if unit is None:
        raise NotFoundError()
    return unit


def five_year_state(
    commune: AdministrativeUnit,
) -> tuple[tuple[Any, ...], datetime.datetime | None]:
    """(count and last id of the commune's published five-year versions, the latest
    publication) of a commune read by ``commune_with_five_year_state``: what the commune
    page's ETag needs, without a query."""
    count = getattr(commune, "five_year_count", None) or 0
    last = getattr(commune, "five_year_last", None)
    return (count, last), getattr(commune, "five_year_at", None)


# --- one published five-year plan ---------------------------------------------------------------


@dataclass
class PublishedFiveYear:
    """A commune five-year plan as the public sees it: one published version (the latest unless
    an earlier one was asked for) and the list of its published versions."""

    commune: AdministrativeUnit
    first_year: int
    last_year: int
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
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def province(self) -> AdministrativeUnit | None:
        return province_of(self.commune)


def published_five_year(
    commune_code: str, first_year: int, number: int | None = None
) -> PublishedFiveYear:
    """The commune's five-year plan starting in ``first_year`` as published: version ``number``
    if it was published, else the latest published; NotFoundError if none is. Three queries."""
    if first_year not in YEARS:
        raise NotFoundError()
    plan = (
        MediumTermCommunePlan.objects.filter(
            round__commune__code=commune_code,
            round__commune__level=Level.COMMUNE,
            round__first_year=first_year,
        )
        .select_related("round__commune__parent__parent")
        .first()
    )
    if plan is None:
        raise NotFoundError()
    versions = list(
        published_five_year_versions().filter(plan_uid=plan.uid).defer("data").order_by("number")
    )
    if not versions:
        raise NotFoundError()
    wanted = versions[-1].number if number is None else number
    chosen = next((v for v in versions if v.number == wanted), None)
    if chosen is None:
        raise NotFoundError()
    version = published_five_year_versions().get(pk=chosen.pk)  # with its snapshot
    round_ = plan.round
    return PublishedFiveYear(
        round_.commune, round_.first_year, round_.last_year, plan.uid, version, versions
    )


def yearly_plans(published: PublishedFiveYear) -> QuerySet[CommunePlan]:
    """The commune's yearly plans of the period with a published version."""
    return CommunePlan.objects.filter(
        round__commune=published.commune,
        round__plan_year__in=published.years,
        uid__in=Version.objects.filter(subject_label=PLAN_LABEL, published_at__isnull=False).values(
            "plan_uid"
        ),
    )


def yearly_state(published: PublishedFiveYear) -> tuple[tuple[Any, ...], datetime.datetime | None]:
    """(count and last id of the published versions of the period's yearly plans, the latest
    publication): what the page's progress depends on besides the works' reports. One query."""
    found = Version.objects.filter(
        subject_label=PLAN_LABEL,
        published_at__isnull=False,
        plan_uid__in=yearly_plans(published).values("uid"),
    ).aggregate(n=Count("id"), last=Max("id"), at=Max("published_at"))
    return (found["n"], found["last"]), found["at"]


# --- the page's rows ----------------------------------------------------------------------------


@dataclass
class YearCell:
    year: int
    quantity: Decimal | None = None
    cost: Decimal | None = None
    status: YearStatus | None = None
    """None: the line plans nothing that year."""

    @property
    def status_label(self) -> str:
        return str(self.status.label) if self.status is not None else ""


@dataclass
class FiveYearLine:
    line: dict[str, Any]
    villages: str
    cells: list[YearCell]
    total: Decimal


@dataclass
class SectorGroup:
    name: str
    lines: list[FiveYearLine] = field(default_factory=list)
    totals: list[Decimal] = field(default_factory=list)
    total: Decimal = ZERO


@dataclass
class FrameRow:
    source: str
    frame: list[Decimal]
    asked: list[Decimal]

    @property
    def left(self) -> list[Decimal]:
        return [a - b for a, b in zip(self.frame, self.asked, strict=True)]

    @property
    def frame_total(self) -> Decimal:
        return sum(self.frame, ZERO)

    @property
    def asked_total(self) -> Decimal:
        return sum(self.asked, ZERO)


@dataclass
class FiveYearPage:
    years: list[int]
    sectors: list[SectorGroup]
    totals: list[Decimal]
    total: Decimal
    frame: list[FrameRow]
    not_in_plan: list[dict[str, Any]]
    published_years: list[int]
    """The years whose yearly commune plan is published (their progress is shown)."""


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def _support_by_year(line: dict[str, Any]) -> dict[int, Decimal]:
    """As ``midterm.selectors_commune._support_by_year``, on a snapshot line."""
    years = {int(y["year"]): _dec(y["cost_mvnd"]) for y in line.get("years", [])}
    whole = sum(years.values(), ZERO)
    support = _dec(line.get("external_support_mvnd"))
    if not whole:
        return dict.fromkeys(years, ZERO)
    return {
        year: (cost * support / whole).quantize(Decimal("0.001")) for year, cost in years.items()
    }


def _sources(line: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in line.get("sources", []) if not s.get("withdrawn")]


def yearly_progress(
    published: PublishedFiveYear, lines: list[dict[str, Any]]
) -> tuple[dict[tuple[str, int], YearStatus], list[int]]:
    """(line uid, year) → status from the published yearly plans, and the years whose yearly
    plan is published. Three queries: the drawn lines of the village activities, the latest
    published yearly versions of the commune in the period, the completed reports."""
    years = published.years
    village_lines = {s["village_line"] for line in lines for s in _sources(line)}
    drawn: dict[tuple[str, int], set[str]] = defaultdict(set)
    for village_line, year, drawn_uid in MediumTermLineYear.objects.filter(
        line__uid__in=list(village_lines), year__in=years, drawn_line__isnull=False
    ).values_list("line__uid", "year", "drawn_line__uid"):
        drawn[(str(village_line), year)].add(str(drawn_uid))
    year_of = CommunePlan.objects.filter(uid=OuterRef("plan_uid")).values("round__plan_year")
    yearly = (
        Version.objects.filter(
            subject_label=PLAN_LABEL,
            published_at__isnull=False,
            plan_uid__in=CommunePlan.objects.filter(
                round__commune=published.commune, round__plan_year__in=years
            ).values("uid"),
        )
        .annotate(plan_year=Subquery(year_of[:1]))
        .order_by("plan_year", "-number")
    )
    reached: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    """(drawn village line uid, year) → (yearly commune line uid, decision)"""
    seen: set[int] = set()
    for version in yearly:
        year = int(version.plan_year)
        if year in seen:  # an earlier version of a plan already read
            continue
        seen.add(year)
        for line in version.data.get("lines", []):
            if line.get("state") != LineState.ACTIVE:
                continue
            for source in line.get("sources", []):
                reached[(str(source["village_line"]), year)].append(
                    (str(line["uid"]), line["decision"])
                )
    funded_uids = {uid for found in reached.values() for uid, d in found if d == Decision.FUNDED}
    completed = {
        str(uid)
        for uid in ProgressReport.objects.filter(
            is_latest=True, status=ProgressStatus.COMPLETED, line__uid__in=list(funded_uids)
        ).values_list("line__uid", flat=True)
    }
    out: dict[tuple[str, int], YearStatus] = {}
    for line in lines:
        for item in line.get("years", []):
            year = int(item["year"])
            works: dict[str, str] = {}
            for source in _sources(line):
                for drawn_line in drawn.get((str(source["village_line"]), year), ()):
                    works.update(reached.get((drawn_line, year), []))
            funded = [uid for uid, decision in works.items() if decision == Decision.FUNDED]
            if funded and all(uid in completed for uid in funded):
                status = YearStatus.DONE
            elif funded:
                status = YearStatus.IN_PLAN
            elif works:
                status = YearStatus.NOT_FUNDED
            else:
                status = YearStatus.PLANNED
            out[(str(line["uid"]), year)] = status
    return out, sorted(seen)


def five_year_page(published: PublishedFiveYear) -> FiveYearPage:
    """The published snapshot as the page shows it: the lines in the plan by sector with their
    quantity and cost per year (and each year's progress), the totals, the resource frame per
    programme against the funded lines, the lines not in the plan. Four queries."""
    data = published.data
    years = published.years
    index = {year: i for i, year in enumerate(years)}
    lines = [x for x in data.get("lines", []) if x["decision"] in IN_PLAN]
    statuses, published_years = yearly_progress(published, lines)
    groups: dict[str, SectorGroup] = {}
    totals = [ZERO] * len(years)
    for line in sorted(lines, key=lambda x: (str(x["sector"]), int(x["number"]))):
        group = groups.get(line["sector"])
        if group is None:
            group = groups[line["sector"]] = SectorGroup(
                line["sector_name"], totals=[ZERO] * len(years)
            )
        cells = [YearCell(year) for year in years]
        for item in line.get("years", []):
            year = int(item["year"])
            if year not in index:
                continue
            cell = cells[index[year]]
            cell.quantity = _dec(item["quantity"])
            cell.cost = _dec(item["cost_mvnd"])
            cell.status = statuses.get((str(line["uid"]), year))
            group.totals[index[year]] += cell.cost
            totals[index[year]] += cell.cost
        total = sum((c.cost or ZERO for c in cells), ZERO)
        group.total += total
        villages = ", ".join(sorted({s["village_name"] for s in _sources(line)}, key=name_sort_key))
        group.lines.append(FiveYearLine(line, villages, cells, total))
    return FiveYearPage(
        years=years,
        sectors=list(groups.values()),
        totals=totals,
        total=sum(totals, ZERO),
        frame=_frame_rows(data, years, lines),
        not_in_plan=sorted(
            (x for x in data.get("lines", []) if x["decision"] not in IN_PLAN),
            key=lambda x: int(x["number"]),
        ),
        published_years=published_years,
    )


def _frame_rows(
    data: dict[str, Any], years: list[int], lines: list[dict[str, Any]]
) -> list[FrameRow]:
    """Each programme's frame per year against the support its funded lines ask (one query for
    the programmes' names)."""
    index = {year: i for i, year in enumerate(years)}
    frame: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(years))
    asked: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(years))
    for item in data.get("frame", []):
        if int(item["year"]) in index:
            frame[item["source"]][index[int(item["year"])]] += _dec(item["amount_mvnd"])
    for line in lines:
        if line["decision"] != Decision.FUNDED or not line.get("proposed_source"):
            continue
        for year, amount in _support_by_year(line).items():
            if year in index:
                asked[line["proposed_source"]][index[year]] += amount
    codes = sorted(set(frame) | set(asked))
    names = dict(FundingSource.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        FrameRow(f"{code} – {names[code]}" if code in names else code, frame[code], asked[code])
        for code in codes
    ]
