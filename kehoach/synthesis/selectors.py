"""Reads of commune plans and envelopes, scoped by the user at the source."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Prefetch,
    QuerySet,
    Sum,
)

from kehoach.accounts.permissions import units_visible_to
from kehoach.catalog.models import Indicator
from kehoach.core.errors import NotFoundError
from kehoach.core.numbers import percent

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
    except (CommunePlan.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFoundError() from exc


def commune_line_get(plan: CommunePlan, uid: uuid.UUID | str) -> CommuneLine:
    try:
        return plan.lines.select_related("sector", "unit", "proposed_source").get(uid=uid)
    except (CommuneLine.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFoundError() from exc


def envelope_line_get(plan: CommunePlan, uid: uuid.UUID | str) -> EnvelopeLine:
    try:
        return EnvelopeLine.objects.select_related(
            "envelope__round__commune", "source", "sector"
        ).get(envelope__round=plan.round, uid=uid)
    except (EnvelopeLine.DoesNotExist, ValueError, ValidationError) as exc:
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
