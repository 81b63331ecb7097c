"""Snapshots of a commune plan (R23), the difference between two of them, and what each
village learns from one (F13).

A snapshot is plain JSON: the plan's heading, its lines (active ones, and merged and split ones
so that every village line can be followed), their amounts, decisions, reasons and funding, the
village lines each comes from, the envelope as published and the targets. It is what an
approved version keeps for ever (``approvals.Version.data``); the feedback to the villages and
the public pages read it, never the live plan, so that an amendment in preparation shows nowhere
until it is approved and published.

Shares of a merged line (F13). A commune line built from several village lines (a merge, or
a split part carrying shares of them) is funded as one work. Each village is told its own part
of every funding source: the source's amount divided between the village lines in proportion to
the external support each asked for within the line (the same sums the merge added up); a line
that asked for no support is divided in proportion to cost. Parts are rounded down to 0.001
million VND and the last village line of the line takes what rounding left, so the parts add up
to the line's funding exactly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.approvals.models import StatusChange

from .choices import Decision, LineState
from .models import CommuneLine, CommunePlan
from .services.common import envelope_for
from .services.envelope import published_row
from .services.lines import lines_with_sources
from .services.targets import targets_table

SNAPSHOT_STATES = (LineState.ACTIVE, LineState.MERGED, LineState.SPLIT)
ZERO = Decimal(0)
THOUSANDTH = Decimal("0.001")


def _money(value: Decimal | None) -> str:
    return str(Decimal(value or 0))


def _line(line: CommuneLine, numbers: dict[int, int]) -> dict[str, Any]:
    return {
        "uid": str(line.uid),
        "number": line.number,
        "state": line.state,
        "merged_into": numbers.get(line.merged_into_id) if line.merged_into_id else None,
        "split_from": numbers.get(line.split_from_id) if line.split_from_id else None,
        "sector": line.sector.code,
        "sector_name": line.sector.name,
        "sector_order": line.sector.sort_order,
        "activity": line.activity,
        "location": line.location,
        "organisation": line.organisation,
        "unit": line.unit.name,
        "quantity": _money(line.quantity),
        "start": line.start_month.strftime("%Y-%m"),
        "end": line.end_month.strftime("%Y-%m"),
        "total": _money(line.total_cost_mvnd),
        "contribution": _money(line.contribution_mvnd),
        "contribution_cash": _money(line.contribution_cash_mvnd),
        "contribution_labour": _money(line.contribution_labour_mvnd),
        "labour_days": _money(line.contribution_labour_days),
        "contribution_materials": _money(line.contribution_materials_mvnd),
        "land_m2": _money(line.contribution_land_m2),
        "support": _money(line.external_support_mvnd),
        "beneficiaries": line.beneficiary_households,
        "village_priority": line.village_priority,
        "expenditure_type": line.expenditure_type,
        "implementation_mode": line.implementation_mode,
        "decision": line.decision,
        "decision_reason": line.decision_reason,
        "funding": [
            {
                "envelope_line": str(f.envelope_line.uid),
                "source": f.envelope_line.source.code,
                "source_name": f.envelope_line.source.name,
                "amount": _money(f.amount_mvnd),
            }
            for f in line.funding.all()
        ],
        "sources": [
            {
                "village_line": str(s.village_line.uid),
                "village": s.village_line.plan.village.code,
                "village_name": s.village_line.plan.village.name,
                "village_plan": str(s.village_line.plan.uid),
                "number": s.village_line.number,
                "activity": s.village_line.activity,
                "priority": s.village_line.priority,
                "share": str(s.share),
                "total": _money(s.village_line.total_cost_mvnd * s.share),
                "contribution": _money(s.village_line.contribution_mvnd * s.share),
                "support": _money(s.village_line.external_support_mvnd * s.share),
            }
            for s in line.sources.all()
            if not s.withdrawn
        ],
    }


def plan_snapshot(plan: CommunePlan) -> dict[str, Any]:
    """The commune plan as it is now, as JSON."""
    round_ = plan.round
    lines = lines_with_sources(plan, states=SNAPSHOT_STATES)
    numbers = {line.pk: line.number for line in lines}
    envelope = envelope_for(round_)
    envelope_lines = (
        envelope.lines.alive()
        .select_related("source", "sector")
        .prefetch_related("area_villages")
        .order_by("number")
    )
    commune = round_.commune
    return {
        "plan": str(plan.uid),
        "commune": commune.code,
        "commune_name": commune.name,
        "province_name": commune.parent.name if commune.parent else "",
        "year": round_.plan_year,
        "version": plan.version_number,
        "is_amendment": plan.is_amendment,
        "amendment_reason": amendment_reason(plan) if plan.is_amendment else "",
        "lines": [_line(line, numbers) for line in lines],
        "envelope": [published_row(e) for e in envelope_lines],
        "targets": [
            {
                "code": row.indicator.code,
                "name": row.indicator.name,
                "unit": row.indicator.unit,
                **{
                    name: _money(row.get(name)) if row.get(name) is not None else None
                    for name in ("actual_previous", "plan_current", "estimate_current", "plan_next")
                },
            }
            for row in targets_table(plan)
            if row.value is not None
        ],
    }


def amendment_reason(plan: CommunePlan) -> str:
    """Why the approved plan is being changed: the comment of its latest amendment."""
    start = (
        StatusChange.objects.filter(plan_uid=plan.uid, action="amend")
        .order_by("-at", "-id")
        .first()
    )
    return start.comment if start is not None else ""


def active_lines(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [line for line in data.get("lines", []) if line["state"] == LineState.ACTIVE]


# --- difference between two snapshots --------------------------------------------------------

DIFF_FIELDS = [
    "activity",
    "location",
    "quantity",
    "total",
    "contribution",
    "support",
    "decision",
    "decision_reason",
]
MONEY_FIELDS = {"quantity", "total", "contribution", "support"}


@dataclass
class LineChange:
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def line(self) -> dict[str, Any]:
        return self.new or self.old or {}


@dataclass
class Diff:
    added: list[LineChange]
    removed: list[LineChange]
    changed: list[LineChange]
    totals: dict[str, tuple[Decimal, Decimal]]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _funding(line: dict[str, Any]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in line.get("funding", []):
        sums[item["source"]] += Decimal(item["amount"])
    return dict(sums)


def _label(name: str) -> str:
    labels = {
        "activity": _("Activity"),
        "location": _("Location"),
        "quantity": _("Quantity"),
        "total": _("Total cost"),
        "contribution": _("Village contribution"),
        "support": _("External support requested"),
        "decision": _("Commune decision"),
        "decision_reason": _("Reason"),
    }
    return labels.get(name, name)


def versions_diff(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    """Lines added, removed and changed (with each changed field, amounts and funding by
    source) from ``old`` to ``new``; lines are matched by their uid."""
    before = {line["uid"]: line for line in active_lines(old)}
    after = {line["uid"]: line for line in active_lines(new)}
    added = [LineChange(None, after[uid]) for uid in after if uid not in before]
    removed = [LineChange(before[uid], None) for uid in before if uid not in after]
    changed = []
    for uid, line in after.items():
        if uid not in before:
            continue
        previous = before[uid]
        fields = []
        for name in DIFF_FIELDS:
            a, b = previous.get(name), line.get(name)
            if name in MONEY_FIELDS:
                a, b = Decimal(a or 0), Decimal(b or 0)
            if a != b:
                fields.append((name, a, b))
        fa, fb = _funding(previous), _funding(line)
        for source in sorted(set(fa) | set(fb)):
            if fa.get(source, ZERO) != fb.get(source, ZERO):
                fields.append((f"funding:{source}", fa.get(source, ZERO), fb.get(source, ZERO)))
        if fields:
            changed.append(LineChange(previous, line, fields))
    totals = {}
    for name in ("total", "contribution", "support"):
        totals[name] = (
            sum((Decimal(x[name]) for x in before.values()), ZERO),
            sum((Decimal(x[name]) for x in after.values()), ZERO),
        )
    totals["funded"] = (
        sum((sum(_funding(x).values(), ZERO) for x in before.values()), ZERO),
        sum((sum(_funding(x).values(), ZERO) for x in after.values()), ZERO),
    )
    order = lambda change: change.line.get("number", 0)  # noqa: E731
    return Diff(
        added=sorted(added, key=order),
        removed=sorted(removed, key=order),
        changed=sorted(changed, key=order),
        totals=totals,
    )


def field_label(name: str) -> str:
    if name.startswith("funding:"):
        return _("Funding from %(source)s") % {"source": name.split(":", 1)[1]}
    return _label(name)


# --- feedback to a village (F13) -------------------------------------------------------------


@dataclass
class Fate:
    """What became of one village proposal, from one commune line it went into.

    ``funding`` is the village's own part of the line's funding by source (see the module
    text: shares of a merged line); ``line["funding"]`` stays the whole line's. A proposal
    that an amendment took out of the plan is ``dropped``: its ``line`` is the line as it was,
    decided "rejected" with the amendment's reason."""

    number: int
    activity: str
    line: dict[str, Any]
    share: Decimal
    contribution: Decimal
    shared_with: list[str]
    funding: list[dict[str, Any]] = field(default_factory=list)
    dropped: bool = False
    village_line: str = ""

    @property
    def decision(self) -> str:
        return str(self.line["decision"])

    @property
    def decision_label(self) -> str:
        return str(dict(Decision.choices).get(self.decision, self.decision))

    @property
    def funded_total(self) -> Decimal:
        return sum((Decimal(f["amount"]) for f in self.funding), ZERO)

    @property
    def proposed_contribution(self) -> Decimal | None:
        """What the village proposed to contribute to its part of the line, whatever the
        decision (a fact of the proposal; realised only if the work is funded); None for a
        proposal an amendment took out of the plan. The portal, the feedback page and the F13
        sheet all show this one value under one label."""
        return None if self.dropped else self.contribution


def _weights(sources: list[dict[str, Any]]) -> list[Decimal]:
    """How the line's funding is divided between its village lines: by the support each asked
    for, else by cost, else equally."""
    for name in ("support", "total"):
        weights = [Decimal(s.get(name) or 0) for s in sources]
        if sum(weights, ZERO) > 0:
            return weights
    return [Decimal(1)] * len(sources)


def funding_parts(line: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """village line uid → its part of each funding row of the line (amounts as Decimal)."""
    sources = line.get("sources", [])
    parts: dict[str, list[dict[str, Any]]] = {s["village_line"]: [] for s in sources}
    if not sources:
        return parts
    weights = _weights(sources)
    whole = sum(weights, ZERO)
    for item in line.get("funding", []):
        amount = Decimal(item["amount"])
        given = ZERO
        for index, source in enumerate(sources):
            if index == len(sources) - 1:
                part = amount - given
            else:
                part = (amount * weights[index] / whole).quantize(THOUSANDTH, rounding=ROUND_DOWN)
                given += part
            parts[source["village_line"]].append({**item, "amount": part})
    return parts


def village_fates(data: dict[str, Any], village_code: str) -> list[Fate]:
    """Every proposal of the village in the snapshot with its fate and its part of the
    funding, in proposal order; a proposal split into parts appears once per part."""
    fates = []
    for line in active_lines(data):
        villages = sorted({s["village_name"] for s in line["sources"]})
        parts: dict[str, list[dict[str, Any]]] | None = None
        for source in line["sources"]:
            if source["village"] != village_code:
                continue
            if parts is None:
                parts = funding_parts(line)
            fates.append(
                Fate(
                    number=source["number"],
                    activity=source["activity"],
                    line=line,
                    share=Decimal(source["share"]),
                    contribution=Decimal(source["contribution"]),
                    shared_with=[v for v in villages if v != source["village_name"]],
                    funding=parts[source["village_line"]],
                    village_line=source["village_line"],
                )
            )
    return sorted(fates, key=lambda f: (f.number, f.line["number"]))


def village_lines_in(data: dict[str, Any]) -> set[str]:
    """The uids of the village lines that the snapshot's active lines come from."""
    return {s["village_line"] for line in active_lines(data) for s in line["sources"]}


def dropped_fates(
    previous: dict[str, Any], current: dict[str, Any], village_code: str, reason: str
) -> list[Fate]:
    """The village's proposals that were in ``previous`` and that ``current`` (an amendment)
    no longer has: rejected, with the amendment's ``reason``."""
    kept = village_lines_in(current)
    fates = []
    seen: set[str] = set()
    for line in active_lines(previous):
        for source in line["sources"]:
            uid = source["village_line"]
            if source["village"] != village_code or uid in kept or uid in seen:
                continue
            seen.add(uid)
            fates.append(
                Fate(
                    number=source["number"],
                    activity=source["activity"],
                    line={
                        **line,
                        "decision": Decision.REJECTED,
                        "decision_reason": reason,
                        "funding": [],
                    },
                    share=Decimal(source["share"]),
                    contribution=ZERO,
                    shared_with=[],
                    dropped=True,
                    village_line=uid,
                )
            )
    return fates


OUTCOME_ORDER: list[str] = [
    Decision.FUNDED,
    Decision.UNFUNDED,
    Decision.DEFERRED,
    Decision.REJECTED,
    Decision.MERGED,
]


def village_line_outcomes(data: dict[str, Any]) -> dict[str, str]:
    """village line uid → its outcome: the best decision among the lines it went into."""
    best: dict[str, str] = {}
    for line in active_lines(data):
        for source in line["sources"]:
            uid = source["village_line"]
            decision = line["decision"]
            if decision not in OUTCOME_ORDER:
                continue
            if uid not in best or OUTCOME_ORDER.index(decision) < OUTCOME_ORDER.index(best[uid]):
                best[uid] = decision
    return best
