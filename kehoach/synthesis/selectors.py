"""Reads of commune plans and envelopes, scoped by the user at the source."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)

from kehoach.accounts.permissions import units_visible_to
from kehoach.approvals.models import Comment
from kehoach.catalog.models import Indicator, Sector
from kehoach.core.errors import NotFoundError
from kehoach.core.numbers import percent
from kehoach.core.text import fold

from .choices import AllocationMode, LineState
from .models import (
    AllocationRun,
    CommuneLine,
    CommunePlan,
    Envelope,
    EnvelopeLine,
    LineFunding,
    LineSource,
    TargetValue,
)
from .services.eligibility import area_text


def commune_plans_visible_to(user: Any) -> QuerySet[CommunePlan]:
    return CommunePlan.objects.filter(round__commune__in=units_visible_to(user)).select_related(
        "round", "round__commune", "round__profile"
    )


def commune_plan_get_for_user(*, user: Any, uid: uuid.UUID | str) -> CommunePlan:
    """A commune plan the user may see, or NotFoundError — the same for missing and forbidden."""
    try:
        return commune_plans_visible_to(user).get(uid=uid)
    except (CommunePlan.DoesNotExist, ValueError) as exc:
        raise NotFoundError() from exc


def commune_line_get(plan: CommunePlan, uid: uuid.UUID | str) -> CommuneLine:
    try:
        return plan.lines.select_related("sector", "unit", "proposed_source").get(uid=uid)
    except (CommuneLine.DoesNotExist, ValueError) as exc:
        raise NotFoundError() from exc


def envelope_line_get(plan: CommunePlan, uid: uuid.UUID | str) -> EnvelopeLine:
    try:
        return EnvelopeLine.objects.select_related(
            "envelope__round__commune", "source", "sector"
        ).get(envelope__round=plan.round, uid=uid)
    except (EnvelopeLine.DoesNotExist, ValueError) as exc:
        raise NotFoundError() from exc


# --- HB2: reads of the envelope, the funding and the targets (issue 14) ----------------------
# Services import these reads from here, never from one another: no import circle.


def lines_with_sources(
    plan: CommunePlan, *, states: Iterable[str] = (LineState.ACTIVE,)
) -> list[CommuneLine]:
    """The plan's lines in these states with their sources, villages and funding, in a fixed
    number of queries whatever the number of lines."""
    return list(
        plan.lines.filter(state__in=list(states))
        .select_related("sector", "unit", "proposed_source")
        .prefetch_related(
            Prefetch(
                "sources",
                queryset=LineSource.objects.select_related("village_line__plan__village").order_by(
                    "village_line__plan__village__sort_key", "village_line__number"
                ),
            ),
            Prefetch(
                "funding",
                queryset=LineFunding.objects.select_related("envelope_line__source"),
            ),
        )
        .order_by("sector__sort_order", "sector__code", "number")
    )


def envelope_lines(round_: Any) -> list[EnvelopeLine]:
    """The live lines of the round's envelope (none while it has no envelope), in number
    order, with their source, sector and listed villages."""
    return list(
        EnvelopeLine.objects.filter(envelope__round=round_)
        .alive()
        .select_related("source", "sector")
        .prefetch_related("area_villages")
        .order_by("number")
    )


def effective_counterpart(line: EnvelopeLine) -> Decimal:
    """The community share required: the line's own, else the funding source's (R17)."""
    if line.counterpart_share_pct is not None:
        return Decimal(line.counterpart_share_pct)
    return Decimal(line.source.counterpart_share_pct)


def published_row(line: EnvelopeLine) -> dict[str, Any]:
    """One envelope line as the villages see it (kept as published; texts in Vietnamese)."""
    return {
        "number": line.number,
        "source_code": line.source.code,
        "source": line.source.name,
        "sector": line.sector.name if line.sector else "",
        "expenditure_type": line.expenditure_type,
        "content": line.content,
        "activity_keywords": line.activity_keywords,
        "amount_mvnd": str(line.amount_mvnd),
        "firmness": line.firmness,
        "counterpart_pct": str(effective_counterpart(line)),
        "area": area_text(line),
    }


def envelope_use(envelope: Envelope) -> list[dict[str, Any]]:
    """Every live envelope line with the amount its funding uses and what remains — one
    aggregate query (shown at all times on the commune plan pages, R19)."""
    lines = list(
        envelope.lines.alive()
        .select_related("source", "sector")
        .annotate(used=Sum("funding__amount_mvnd"))
        .order_by("source__sort_order", "source__code", "number")
    )
    rows = []
    for line in lines:
        used = getattr(line, "used", None) or Decimal(0)
        rows.append({"line": line, "used": used, "left": line.amount_mvnd - used})
    return rows


def amount_text(value: Decimal) -> str:
    """An amount as the history keeps it: "500", "12.5" (no exponent, no trailing zeros)."""
    return format(Decimal(value).normalize(), "f")


def funding_by_line(line_ids: Any) -> dict[int, dict[str, str]]:
    """line id → {"1. NTP26": "500", …}: the funding of these lines, in one query."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for row in (
        LineFunding.objects.filter(line_id__in=list(line_ids))
        .select_related("envelope_line__source")
        .order_by("envelope_line__number")
    ):
        found[row.line_id][str(row.envelope_line)] = amount_text(row.amount_mvnd)
    return found


def remaining_for(plan: CommunePlan, *, excluding: CommuneLine | None = None) -> dict[int, Decimal]:
    """What is left of each live envelope line, not counting ``excluding``'s own funding."""
    used = LineFunding.objects.filter(
        envelope_line__envelope__round=plan.round, line__state=LineState.ACTIVE
    )
    if excluding is not None:
        used = used.exclude(line=excluding)
    totals = dict(used.values_list("envelope_line_id").annotate(total=Sum("amount_mvnd")))
    return {
        e.pk: e.amount_mvnd - (totals.get(e.pk) or Decimal(0)) for e in envelope_lines(plan.round)
    }


def runs_to_compare(plan: CommunePlan) -> dict[str, AllocationRun | None]:
    """The latest run of each mode (for the side-by-side view)."""
    latest: dict[str, AllocationRun | None] = defaultdict(lambda: None)
    for run in AllocationRun.objects.filter(plan=plan).order_by("-created_at", "-id")[:10]:
        if latest[run.mode] is None:
            latest[run.mode] = run
    return {mode: latest[mode] for mode in AllocationMode.values}


@dataclass
class TargetRow:
    """One indicator of the targets table (F16) with the plan's values; the two comparisons
    are computed, never typed (R27)."""

    indicator: Indicator
    value: TargetValue | None

    def get(self, name: str) -> Decimal | None:
        return getattr(self.value, name) if self.value else None

    @property
    def estimate_vs_plan_pct(self) -> Decimal | None:
        return percent(self.get("estimate_current"), self.get("plan_current"))

    @property
    def next_vs_estimate_pct(self) -> Decimal | None:
        return percent(self.get("plan_next"), self.get("estimate_current"))


def targets_table(plan: CommunePlan) -> list[TargetRow]:
    """Every active indicator (catalog order) with the plan's values, in two queries."""
    values = {v.indicator_id: v for v in TargetValue.objects.filter(plan=plan)}
    indicators = Indicator.objects.filter(is_active=True) | Indicator.objects.filter(
        pk__in=list(values)
    )
    return [TargetRow(indicator=i, value=values.get(i.pk)) for i in indicators.distinct()]


# --- HB1: reads of commune lines (issue 14) ----------------------------------------------------


def line_sources(lines: Iterable[CommuneLine]) -> dict[int, list[LineSource]]:
    """line id → its sources with their village lines, in village then number order (one
    query)."""
    ids = [line.pk for line in lines]
    found: dict[int, list[LineSource]] = defaultdict(list)
    for source in (
        LineSource.objects.filter(line_id__in=ids)
        .select_related("village_line")
        .order_by("village_line__plan__village__sort_key", "village_line__number", "id")
    ):
        found[source.line_id].append(source)
    return found


def lines_locked(plan: CommunePlan, ids: Iterable[int]) -> dict[int, CommuneLine]:
    """These lines of ``plan``, locked until the transaction ends (one query), by id; a line
    of another plan is not found."""
    return {
        line.pk: line
        for line in CommuneLine.objects.select_for_update(of=("self",))
        .select_related("plan__round__profile", "sector", "unit", "proposed_source")
        .filter(plan=plan, pk__in=list(ids))
    }


def lines_for_deciding(plan: CommunePlan, pks: Iterable[int]) -> QuerySet[CommuneLine]:
    """These lines of the plan with what deciding on them reads: sector, sources with their
    villages, funding with its envelope lines."""
    return (
        plan.lines.filter(pk__in=list(pks))
        .select_related("sector", "unit", "proposed_source", "plan")
        .prefetch_related(
            Prefetch(
                "sources",
                queryset=LineSource.objects.select_related("village_line__plan__village"),
            ),
            Prefetch(
                "funding",
                queryset=LineFunding.objects.select_related("envelope_line__source"),
            ),
        )
        .order_by("pk")
    )


# --- h16f: the commune plan page at national scale (issue 16) ---------------------------------
# A page of lines, the plan's totals in aggregate queries, details on demand: the page reads a
# fixed number of queries and renders a fixed number of rows whatever the size of the plan.


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
