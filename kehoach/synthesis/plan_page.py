"""The commune plan page's reads (issue 16): a page of lines, the plan's totals in aggregate
queries, details on demand — a fixed number of queries and of rendered rows whatever the size of
the plan. The other reads of the app are in ``selectors``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum

from kehoach.approvals.models import Comment
from kehoach.catalog.models import Sector
from kehoach.core.text import fold

from .choices import LineState
from .models import CommuneLine, CommunePlan, LineSource


@dataclass(frozen=True)
class LineFilters:
    """What the commune plan page shows of the active lines: a sector (code), a village
    (code), a decision, only the lines to review, and words searched in the activity, the
    place and the organisation (diacritics and case ignored: "duong" finds "Đường")."""

    sector: str = ""
    village: str = ""
    decision: str = ""
    review: bool = False
    search: str = ""

    @property
    def any(self) -> bool:
        return bool(self.sector or self.village or self.decision or self.review or self.search)


def plan_lines_filtered(plan: CommunePlan, filters: LineFilters) -> QuerySet[CommuneLine]:
    """The plan's active lines that ``filters`` keep (a search reads the lines' texts in one
    query and folds them in Python, as every search of kehoach does: SQLite has no unaccent)."""
    lines = plan.lines.filter(state=LineState.ACTIVE)
    if filters.sector:
        lines = lines.filter(sector__code=filters.sector)
    if filters.village:
        lines = lines.filter(
            pk__in=LineSource.objects.filter(
                withdrawn=False, village_line__plan__village__code=filters.village
            ).values("line_id")
        )
    if filters.decision:
        lines = lines.filter(decision=filters.decision)
    if filters.review:
        lines = lines.exclude(review="")
    if filters.search:
        words = fold(filters.search).split()
        texts = lines.values_list("pk", "number", "activity", "location", "organisation")
        found = []
        for pk, number, *rest in texts:
            text = fold(" ".join(rest))
            # a number alone is the line's number or a whole word ("12", not "1.12")
            if all(
                w == str(number) or w in text.split() if w.isdigit() else w in text for w in words
            ):
                found.append(pk)
        lines = lines.filter(pk__in=found)
    return lines


def line_totals_by_sector(lines: QuerySet[CommuneLine]) -> dict[int, dict[str, Any]]:
    """sector id → lines, lines to review, total cost, contribution, support requested of
    ``lines`` (one aggregate query)."""
    rows = (
        lines.order_by()
        .values("sector_id")
        .annotate(
            count=Count("pk"),
            to_review=Count("pk", filter=~Q(review="")),
            total=Sum("total_cost_mvnd"),
            contribution=Sum("contribution_mvnd"),
            support=Sum("external_support_mvnd"),
        )
    )
    return {row.pop("sector_id"): row for row in rows}


def totals_of(by_sector: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The sum of ``line_totals_by_sector``'s rows, as ``plan_line_totals`` gives it (no
    query): the whole plan's totals when the sectors' rows are of all its active lines."""
    found: dict[str, Any] = {
        name: sum((row[name] for row in by_sector.values()), 0) for name in ("count", "to_review")
    }
    for name in ("total", "contribution", "support"):
        found[name] = sum((row[name] or Decimal(0) for row in by_sector.values()), Decimal(0))
    return found


def plan_line_totals(plan: CommunePlan) -> dict[str, Any]:
    """The whole plan's active lines: how many, how many to review, their total cost,
    contribution and support requested (one aggregate query)."""
    found = plan.lines.filter(state=LineState.ACTIVE).aggregate(
        count=Count("pk"),
        to_review=Count("pk", filter=~Q(review="")),
        total=Sum("total_cost_mvnd"),
        contribution=Sum("contribution_mvnd"),
        support=Sum("external_support_mvnd"),
    )
    for name in ("total", "contribution", "support"):
        found[name] = found[name] or Decimal(0)
    return found


PAGE_FIELDS = (
    "uid", "plan", "number", "sector", "unit", "activity", "organisation", "village_priority",
    "quantity", "start_month", "end_month", "total_cost_mvnd", "contribution_mvnd",
    "external_support_mvnd", "rank_override", "decision", "decision_origin", "review",
    "sector__name", "sector__name_en", "sector__code", "unit__name", "unit__name_en",
)  # fmt: skip
"""What a row of the commune plan's table shows of a line."""


def plan_lines_page(lines: QuerySet[CommuneLine], *, offset: int, limit: int) -> list[CommuneLine]:
    """``limit`` lines of ``lines`` from ``offset`` in the table's order (sector, number), with
    their sector and unit and only what a row of the table shows (one query; their villages:
    ``villages_by_line``)."""
    return list(
        lines.select_related("sector", "unit")
        .only(*PAGE_FIELDS)
        .order_by("sector__sort_order", "sector__code", "number")[offset : offset + limit]
    )


def villages_by_line(lines: Iterable[CommuneLine]) -> dict[int, list[str]]:
    """line id → the names of the villages of its live sources, each once, in the villages'
    order (one query of plain values)."""
    found: dict[int, list[str]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    village = "village_line__plan__village"
    rows = (
        LineSource.objects.filter(line_id__in=[line.pk for line in lines], withdrawn=False)
        .order_by(f"{village}__sort_key", "village_line__number", "id")
        .values_list("line_id", f"{village}_id", f"{village}__name")
    )
    for line_id, village_id, name in rows:
        if (line_id, village_id) not in seen:
            seen.add((line_id, village_id))
            found[line_id].append(name)
    return found


def plan_sectors(plan: CommunePlan) -> list[Sector]:
    """The sectors of the plan's active lines, in catalog order (one query)."""
    used = plan.lines.filter(state=LineState.ACTIVE).values("sector_id")
    return list(Sector.objects.filter(pk__in=used).order_by("sort_order", "code"))


def plan_totals_by_village(plan: CommunePlan) -> list[dict[str, Any]]:
    """F9 totals by village (R13): lines, lines per village priority, cost and support
    requested, each village line counted at its share — one aggregate query."""
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=3)
    village = "village_line__plan__village"
    rows = (
        LineSource.objects.filter(line__plan=plan, line__state=LineState.ACTIVE, withdrawn=False)
        .values(f"{village}_id", f"{village}__name", f"{village}__code", f"{village}__sort_key")
        .annotate(
            lines=Count("pk"),
            p1=Count("pk", filter=Q(village_line__priority=1)),
            p2=Count("pk", filter=Q(village_line__priority=2)),
            p3=Count("pk", filter=Q(village_line__priority=3)),
            total=Sum(ExpressionWrapper(F("village_line__total_cost_mvnd") * F("share"), money)),
            support=Sum(
                ExpressionWrapper(F("village_line__external_support_mvnd") * F("share"), money)
            ),
        )
        .order_by(f"{village}__sort_key", f"{village}__code")
    )
    return [
        {
            "village": {"name": row[f"{village}__name"], "code": row[f"{village}__code"]},
            "lines": row["lines"],
            "priorities": {1: row["p1"], 2: row["p2"], 3: row["p3"]},
            "total": row["total"] or Decimal(0),
            "support": row["support"] or Decimal(0),
        }
        for row in rows
    ]


def lines_to_review(plan: CommunePlan, *, limit: int) -> list[CommuneLine]:
    """The first ``limit`` active lines to review, by number (one query)."""
    return list(
        plan.lines.filter(state=LineState.ACTIVE).exclude(review="").order_by("number")[:limit]
    )


def open_comments_by_line(plan: CommunePlan) -> dict[str, int]:
    """line uid (text) → its threads not resolved yet (one aggregate query)."""
    rows = (
        Comment.objects.filter(
            plan_uid=plan.uid, parent__isnull=True, line_uid__isnull=False, resolved_at=None
        )
        .order_by()
        .values_list("line_uid")
        .annotate(n=Count("pk"))
    )
    return {str(uid): n for uid, n in rows}
