"""Reads of the commune's five-year plan: its lines with years and sources, the resource frame
against the lines (per year, programme and sector), what the synthesis has not taken in yet,
and the feedback each village activity gets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kehoach.core.numbers import format_number_vi
from kehoach.plans.choices import PlanStatus
from kehoach.synthesis.choices import Decision, LineState

from .models import (
    MediumTermCommuneLine,
    MediumTermCommuneLineYear,
    MediumTermCommunePlan,
    MediumTermFrameLine,
    MediumTermLine,
    MediumTermPlan,
    MediumTermSource,
)

THOUSANDTH = Decimal("0.001")


def money_text(value: Decimal) -> str:
    text = format_number_vi(value, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def commune_lines(plan: MediumTermCommunePlan) -> list[MediumTermCommuneLine]:
    """Every line of the plan (in the plan or not) with its years and its sources (their
    villages), in number order: four queries whatever the number of lines."""
    return list(
        MediumTermCommuneLine.objects.filter(plan=plan)
        .select_related("sector", "unit", "proposed_source", "merged_into", "split_from")
        .prefetch_related(
            Prefetch("years", queryset=MediumTermCommuneLineYear.objects.order_by("year")),
            Prefetch(
                "sources",
                queryset=MediumTermSource.objects.select_related(
                    "village_line__plan__village"
                ).order_by("village_line__plan__village__sort_key", "village_line__number"),
            ),
        )
        .order_by("number")
    )


def active_lines(plan: MediumTermCommunePlan) -> QuerySet[MediumTermCommuneLine]:
    return plan.lines.filter(state=LineState.ACTIVE)


def undecided_lines(plan: MediumTermCommunePlan) -> list[MediumTermCommuneLine]:
    """Lines in the plan without a decision, or not funded without a reason (R22)."""
    return list(
        active_lines(plan)
        .filter(
            Q(decision=Decision.PENDING) | (~Q(decision=Decision.FUNDED) & Q(decision_reason=""))
        )
        .order_by("number")
    )


@dataclass
class Pending:
    """What the synthesis has not taken in yet: activities of submitted plans without a line,
    and sources whose activity was deleted or returned (or came back) since."""

    new: int = 0
    withdrawn: int = 0
    back: int = 0
    changed: int = 0
    """Activities the village changed after the commune took them."""
    villages: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.withdrawn or self.back or self.changed)


def pending_sources(plan: MediumTermCommunePlan) -> Pending:
    """Four queries, whatever the number of activities."""
    live = Q(deleted_at__isnull=True) & Q(plan__status=PlanStatus.SUBMITTED)
    new = (
        MediumTermLine.objects.filter(live, plan__round_id=plan.round_id)
        .exclude(commune_sources__line__plan=plan)
        .values_list("plan__village__name", flat=True)
    )
    villages = list(dict.fromkeys(new))
    sources = MediumTermSource.objects.filter(line__plan=plan)
    gone = Q(village_line__deleted_at__isnull=False) | ~Q(
        village_line__plan__status=PlanStatus.SUBMITTED
    )
    withdrawn = sources.filter(gone, withdrawn=False).values("village_line").distinct().count()
    back = sources.filter(~gone, withdrawn=True).values("village_line").distinct().count()
    changed = (
        sources.filter(~gone, withdrawn=False)
        .exclude(taken_version=F("village_line__version"))
        .values("village_line")
        .distinct()
        .count()
    )
    return Pending(new=len(new), withdrawn=withdrawn, back=back, changed=changed, villages=villages)


def _support_by_year(line: MediumTermCommuneLine) -> dict[int, Decimal]:
    """The external support a line asks for each year: its years' costs in the proportion of
    support to the whole (the line's years add up to contribution + support, R1)."""
    years = list(line.years.all())
    whole = sum((y.cost_mvnd for y in years), Decimal(0))
    if not whole:
        return {y.year: Decimal(0) for y in years}
    return {
        y.year: (y.cost_mvnd * line.external_support_mvnd / whole).quantize(
            THOUSANDTH, rounding=ROUND_HALF_UP
        )
        for y in years
    }


@dataclass
class Cell:
    frame: Decimal = Decimal(0)
    funded: Decimal = Decimal(0)
    unfunded: Decimal = Decimal(0)
    bound: bool = True
    """False: a total that is not a limit itself (lines without a proposed source, all)."""

    @property
    def over(self) -> bool:
        return self.bound and self.funded > self.frame

    @property
    def left(self) -> Decimal:
        return self.frame - self.funded


@dataclass
class FrameRow:
    sector: Any
    cells: list[Cell]
    frame_lines: dict[int, MediumTermFrameLine] = field(default_factory=dict)


@dataclass
class ProgrammeRows:
    source: Any
    rows: list[FrameRow]
    total: list[Cell]


@dataclass
class FrameGrid:
    years: list[int]
    programmes: list[ProgrammeRows]
    no_source: list[Cell]
    totals: list[Cell]
    excess: list[str]

    @property
    def over(self) -> bool:
        return bool(self.excess)


def frame_grid(
    plan: MediumTermCommunePlan,
    lines: list[MediumTermCommuneLine] | None = None,
    frame: list[MediumTermFrameLine] | None = None,
) -> FrameGrid:
    """The frame year × programme × sector against the external support the lines in the plan
    ask each year (funded and not funded), with the cells over the frame. R16, as the yearly
    envelope: only funded lines count against the frame; a programme's lines in a sector the
    frame names are compared with that sector's line, its lines in other sectors with its
    "any sector" line; a funded line of a programme without a frame that year is over it.
    ``lines`` (with their years) and ``frame`` when the page has them already: no query."""
    years = plan.round.years
    index = {year: i for i, year in enumerate(years)}
    if lines is None:
        lines = list(
            active_lines(plan).select_related("sector", "proposed_source").prefetch_related("years")
        )
    if frame is None:
        frame = list(plan.frame.select_related("source", "sector"))
    sources: dict[int, Any] = {}
    sectors: dict[int | None, Any] = {}
    bound: dict[tuple[int, int | None, int], MediumTermFrameLine] = {}
    for item in frame:
        sources[item.source_id] = item.source
        if item.sector_id is not None:
            sectors[item.sector_id] = item.sector
        bound[(item.source_id, item.sector_id, item.year)] = item
    bound_sectors = {(s, sector) for (s, sector, _y) in bound if sector is not None}
    asks: dict[tuple[int | None, int | None], list[Cell]] = defaultdict(
        lambda: [Cell() for _ in years]
    )
    no_source = [Cell(bound=False) for _ in years]
    cells: list[Cell]
    for line in lines:
        if line.state != LineState.ACTIVE or line.decision not in (
            Decision.FUNDED,
            Decision.UNFUNDED,
        ):
            continue
        support = _support_by_year(line)
        if line.proposed_source_id is None:
            cells = no_source
        else:
            sources[line.proposed_source_id] = line.proposed_source
            key: tuple[int | None, int | None] = (
                (line.proposed_source_id, line.sector_id)
                if (line.proposed_source_id, line.sector_id) in bound_sectors
                else (line.proposed_source_id, None)
            )
            if key[1] is not None:
                sectors[line.sector_id] = line.sector
            cells = asks[key]
        for year, amount in support.items():
            if year not in index:
                continue
            cell = cells[index[year]]
            if line.decision == Decision.FUNDED:
                cell.funded += amount
            else:
                cell.unfunded += amount
    for (source_id, sector_id, year), item in bound.items():
        asks[(source_id, sector_id)][index[year]].frame += item.amount_mvnd
    programmes: list[ProgrammeRows] = []
    excess: list[str] = []
    for source_id, source in sorted(sources.items(), key=lambda kv: kv[1].code):
        keys = sorted(
            (key for key in asks if key[0] == source_id),
            key=lambda k: (k[1] is None, getattr(sectors.get(k[1]), "sort_order", 0), k[1] or 0),
        )
        rows = []
        total = [Cell() for _ in years]
        for key in keys:
            row_cells = asks[key]
            for i, cell in enumerate(row_cells):
                total[i].frame += cell.frame
                total[i].funded += cell.funded
                total[i].unfunded += cell.unfunded
            frame_lines = {
                year: bound[(source_id, key[1], year)]
                for year in years
                if (source_id, key[1], year) in bound
            }
            rows.append(FrameRow(sectors.get(key[1]), row_cells, frame_lines))
            for year, cell in zip(years, row_cells, strict=True):
                if cell.over:
                    excess.append(_over_text(year, source, sectors.get(key[1]), cell))
        programmes.append(ProgrammeRows(source, rows, total))
    totals = [Cell(bound=False) for _ in years]
    for summed in [*(p.total for p in programmes), no_source]:
        for i, cell in enumerate(summed):
            totals[i].frame += cell.frame
            totals[i].funded += cell.funded
            totals[i].unfunded += cell.unfunded
    return FrameGrid(years, programmes, no_source, totals, excess)


def _over_text(year: int, source: Any, sector: Any, cell: Cell) -> str:
    return _(
        "%(year)s, %(source)s, %(sector)s: the funded lines ask %(asked)s million VND but the "
        "frame gives %(frame)s million VND."
    ) % {
        "year": year,
        "source": source.code,
        "sector": sector.name if sector is not None else _("other sectors"),
        "asked": money_text(cell.funded),
        "frame": money_text(cell.frame),
    }


def frame_excess(plan: MediumTermCommunePlan) -> list[str]:
    """The cells where the funded lines ask more than the frame gives (R16)."""
    return frame_grid(plan).excess


@dataclass
class Feedback:
    """What became of one village activity in the commune's five-year plan: the lines it
    reached (in the plan), or that it was withdrawn, or not synthesised yet."""

    activity: MediumTermLine
    lines: list[MediumTermCommuneLine]
    withdrawn: bool = False

    @property
    def synthesised(self) -> bool:
        return bool(self.lines) or self.withdrawn


def village_feedback(plan: MediumTermCommunePlan, village_plan: MediumTermPlan) -> list[Feedback]:
    """Each alive activity of the village's five-year plan with the decision and reason of the
    commune line(s) it reached: two queries, whatever the number of activities."""
    activities = list(
        MediumTermLine.objects.alive()
        .filter(plan=village_plan)
        .select_related("sector", "unit")
        .order_by("number")
    )
    reached: dict[int, list[MediumTermCommuneLine]] = defaultdict(list)
    withdrawn: set[int] = set()
    for source in (
        MediumTermSource.objects.filter(village_line__plan=village_plan, line__plan=plan)
        .filter(line__state__in=[LineState.ACTIVE, LineState.WITHDRAWN])
        .select_related("line")
        .order_by("line__number")
    ):
        if source.line.state == LineState.ACTIVE:
            source.line.source_share = source.share  # type: ignore[attr-defined]
            source.line.source_share_pct = source.share * 100  # type: ignore[attr-defined]
            reached[source.village_line_id].append(source.line)
        else:
            withdrawn.add(source.village_line_id)
    return [
        Feedback(a, reached.get(a.pk, []), a.pk in withdrawn and not reached.get(a.pk))
        for a in activities
    ]


def village_plans_of(plan: MediumTermCommunePlan) -> list[MediumTermPlan]:
    return list(plan.round.plans.select_related("village").order_by("village__sort_key"))


__all__ = [
    "Cell",
    "Feedback",
    "FrameGrid",
    "Pending",
    "active_lines",
    "commune_lines",
    "frame_excess",
    "frame_grid",
    "pending_sources",
    "undecided_lines",
    "village_feedback",
    "village_plans_of",
]
