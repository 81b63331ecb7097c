"""Reading a plan snapshot's lines the way the documents show them: the period, the villages a
line comes from, its funding by source, the parts of the community contribution."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from kehoach.core.text import name_sort_key
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.reports import ContributionParts
from kehoach.synthesis.reports import contribution_parts as split_contribution

ZERO = Decimal(0)


def month_text(value: str) -> str:
    """Month "2027-03" as "03/2027"."""
    if not value or len(value) < 7:
        return ""
    return f"{value[5:7]}/{value[:4]}"


def period_text(start: str, end: str) -> str:
    """The period as "03/2027–06/2027", or one month when start and end are the same."""
    first, last = month_text(start), month_text(end)
    if first == last:
        return first
    return f"{first}–{last}"


def decimal(value: Any) -> Decimal:
    """An amount of a snapshot (kept as Decimal text, "600.000") as a Decimal; blank is 0."""
    return Decimal(str(value)) if value not in (None, "") else ZERO


def number(value: Any) -> Decimal | None:
    """A quantity or a target of a snapshot as a Decimal, blank staying blank. The snapshot
    keeps numbers as Python's Decimal text ("1.000", "0.800"); written as they are, they would
    read as thousands in Vietnamese, so every numeric column is fed through here or ``decimal``.
    """
    return Decimal(str(value)) if value not in (None, "") else None


def villages_of(line: dict[str, Any]) -> str:
    """The villages a snapshot line comes from, or the organisation that proposed it."""
    names = sorted({s["village_name"] for s in line.get("sources", [])}, key=name_sort_key)
    return ", ".join(names) if names else str(line.get("organisation") or "")


def funded(line: dict[str, Any]) -> Decimal:
    return sum((decimal(f["amount"]) for f in line.get("funding", [])), ZERO)


def funding_by_source(line: dict[str, Any]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in line.get("funding", []):
        sums[item["source"]] += decimal(item["amount"])
    return dict(sums)


def contribution_parts(line: dict[str, Any]) -> ContributionParts:
    """Cash, labour, materials (with land) and the part not broken down of a snapshot line's
    contribution, by the financial plan's own rule (``synthesis.reports.contribution_parts``:
    a contribution that was not broken down is never shown as cash)."""
    return split_contribution(
        decimal(line.get("contribution")),
        decimal(line.get("contribution_cash")),
        decimal(line.get("contribution_labour")),
        decimal(line.get("contribution_materials")),
    )


def decision_label(decision: str) -> str:
    return str(dict(Decision.choices).get(decision, decision))


def sector_key(line: dict[str, Any]) -> tuple[int, str, int]:
    return (int(line.get("sector_order") or 0), str(line.get("sector") or ""), int(line["number"]))


def by_sector(lines: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Lines grouped by sector, in the catalogue's order, each group in line-number order."""
    groups: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for line in sorted(lines, key=sector_key):
        groups.setdefault(line["sector"], (line["sector_name"], []))[1].append(line)
    return list(groups.values())
