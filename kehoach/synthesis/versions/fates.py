"""What each village learns from a snapshot (F13): the fate of its proposals and its part
of the funding of merged lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from ..choices import Decision
from .diff import active_lines

ZERO = Decimal(0)
THOUSANDTH = Decimal("0.001")


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
