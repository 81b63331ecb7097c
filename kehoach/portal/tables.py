"""What the public pages and the open-data files show of a published snapshot.

Pure functions over ``Version.data`` (``synthesis.versions.plan_snapshot``), without queries, so
that a page and a file made from the same version always say the same: the activities grouped by
sector with their totals, the funding by source against the envelope, the villages, and each
village proposal's fate (F13) — including the proposals an amendment took out of the plan,
which stay "rejected" with the amendment's reason.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kehoach.approvals.models import Version
from kehoach.core.text import name_sort_key
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.versions import (
    Fate,
    active_lines,
    dropped_fates,
    version_amendment_reason,
    village_fates,
    village_lines_in,
)

__all__ = [
    "Fate",
    "PlanLine",
    "PlanTables",
    "funded_works",
    "month_text",
    "plan_fates",
    "plan_tables",
    "village_feedback_fates",
]

ZERO = Decimal(0)


def money(value: Any) -> Decimal:
    return Decimal(value or 0)


def month_text(value: str) -> str:
    """ "2027-03" → "03/2027"."""
    year, _sep, month = str(value).partition("-")
    return f"{month}/{year}" if month else str(value)


def decision_label(code: str) -> str:
    return str(decision_labels().get(code, code))


def decision_labels() -> dict[str, str]:
    """Decision code → its label in the active language."""
    return _decision_labels(get_language())


@lru_cache(maxsize=16)
def _decision_labels(language: str | None) -> dict[str, str]:
    """The decisions' labels in ``language`` (the active one), translated once per process:
    an open-data file of a province asks for one per line."""
    return {str(code): str(label) for code, label in Decision.choices}


_village_key = lru_cache(maxsize=8192)(name_sort_key)
"""A village name's collation key, computed once per name: a plan names its villages on every
line."""


def line_villages(line: dict[str, Any]) -> list[str]:
    """The names of the villages a line comes from, in Vietnamese order."""
    names = {s["village_name"] for s in line.get("sources", [])}
    return sorted(names, key=_village_key)


def lines_in_plan_order(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The active lines of a snapshot in the order of ``plan_tables``: sectors in the order they
    first appear by (sector order, sector, number), lines by that order within each sector."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for raw in sorted(active_lines(data), key=_line_order):
        groups.setdefault(raw["sector"], []).append(raw)
    return [raw for lines in groups.values() for raw in lines]


def funded_works(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The works of a snapshot: its active lines decided "funded", by sector and number."""
    return sorted(
        (x for x in active_lines(data) if x["decision"] == Decision.FUNDED),
        key=_line_order,
    )


def _line_order(line: dict[str, Any]) -> tuple[int, str, int]:
    return (int(line.get("sector_order") or 0), str(line.get("sector", "")), int(line["number"]))


@dataclass
class PlanLine:
    """One activity of the published plan."""

    data: dict[str, Any]
    villages: list[str]

    @property
    def uid(self) -> str:
        return str(self.data["uid"])

    @property
    def total(self) -> Decimal:
        return money(self.data["total"])

    @property
    def contribution(self) -> Decimal:
        return money(self.data["contribution"])

    @property
    def support(self) -> Decimal:
        return money(self.data["support"])

    @property
    def funded(self) -> Decimal:
        return sum((money(f["amount"]) for f in self.data.get("funding", [])), ZERO)

    @property
    def is_work(self) -> bool:
        return self.data["decision"] == Decision.FUNDED

    @property
    def decision_label(self) -> str:
        return decision_label(self.data["decision"])

    @property
    def period(self) -> str:
        return f"{month_text(self.data['start'])}–{month_text(self.data['end'])}"


@dataclass
class Sums:
    total: Decimal = ZERO
    contribution: Decimal = ZERO
    support: Decimal = ZERO
    funded: Decimal = ZERO

    def add(self, line: PlanLine) -> None:
        self.total += line.total
        self.contribution += line.contribution
        self.support += line.support
        self.funded += line.funded


@dataclass
class SectorGroup:
    code: str
    name: str
    lines: list[PlanLine] = field(default_factory=list)
    sums: Sums = field(default_factory=Sums)


@dataclass
class SourceRow:
    """A funding source: what the envelope expected from it and what the plan approved."""

    code: str
    name: str
    envelope: Decimal | None
    approved: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.envelope is None else self.envelope - self.approved


@dataclass
class PlanTables:
    groups: list[SectorGroup]
    sums: Sums
    sources: list[SourceRow]
    villages: list[tuple[str, str]]
    targets: list[dict[str, Any]]

    @property
    def line_count(self) -> int:
        return sum(len(g.lines) for g in self.groups)

    @property
    def source_sums(self) -> tuple[Decimal, Decimal]:
        envelope = sum((s.envelope or ZERO for s in self.sources), ZERO)
        return envelope, sum((s.approved for s in self.sources), ZERO)


def plan_villages(data: dict[str, Any]) -> dict[str, str]:
    """Village code → name, for the villages whose proposals are in the snapshot."""
    return {s["village"]: s["village_name"] for x in active_lines(data) for s in x["sources"]}


def _sorted_villages(villages: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(villages.items(), key=lambda item: (name_sort_key(item[1]), item[0]))


def plan_tables(data: dict[str, Any]) -> PlanTables:
    """The published plan as the public page shows it."""
    groups: dict[str, SectorGroup] = {}
    sums = Sums()
    approved: dict[str, Decimal] = {}
    names: dict[str, str] = {}
    for raw in sorted(active_lines(data), key=_line_order):
        line = PlanLine(raw, line_villages(raw))
        group = groups.setdefault(raw["sector"], SectorGroup(raw["sector"], raw["sector_name"]))
        group.lines.append(line)
        group.sums.add(line)
        sums.add(line)
        for item in raw.get("funding", []):
            approved[item["source"]] = approved.get(item["source"], ZERO) + money(item["amount"])
            names.setdefault(item["source"], item["source_name"])
    envelope: dict[str, Decimal] = {}
    for row in data.get("envelope", []):
        code = row["source_code"]
        envelope[code] = envelope.get(code, ZERO) + money(row["amount_mvnd"])
        names.setdefault(code, row["source"])
    sources = [
        SourceRow(code, names[code], envelope.get(code), approved.get(code, ZERO))
        for code in [*envelope, *(c for c in approved if c not in envelope)]
    ]
    return PlanTables(
        groups=list(groups.values()),
        sums=sums,
        sources=sources,
        villages=_sorted_villages(plan_villages(data)),
        targets=list(data.get("targets", [])),
    )


# --- fates of the village proposals (F13) --------------------------------------------------------


def dropped_reason(version: Version) -> str:
    """Why an amendment's proposals taken out of the plan were rejected."""
    reason = version_amendment_reason(version)
    if reason:
        return _("Taken out of the plan by amendment %(number)s: %(reason)s") % {
            "number": version.number,
            "reason": reason,
        }
    return _("Taken out of the plan by amendment %(number)s.") % {"number": version.number}


def _dropped(chain: list[Version], village_code: str) -> list[Fate]:
    """The village's proposals that some amendment in ``chain`` took out and that the last
    version still leaves out, each with the reason of the amendment that took it out."""
    now_in = village_lines_in(chain[-1].data)
    found: dict[str, Fate] = {}
    for earlier, later in itertools.pairwise(chain):
        for fate in dropped_fates(earlier.data, later.data, village_code, dropped_reason(later)):
            if fate.village_line not in now_in:
                found[fate.village_line] = fate
    return list(found.values())


def chain_villages(chain: list[Version]) -> dict[str, str]:
    """Village code → latest name, for every village with proposals in any version of
    ``chain`` (a village whose proposals were all taken out still gets its feedback)."""
    villages: dict[str, str] = {}
    for version in chain:
        villages.update(plan_villages(version.data))
    return villages


def _fates(chain: list[Version], village_code: str) -> list[Fate]:
    fates = village_fates(chain[-1].data, village_code)
    if len(chain) > 1:
        fates += _dropped(chain, village_code)
        fates.sort(key=lambda f: (f.number, f.line["number"]))
    return fates


def village_feedback_fates(chain: list[Version], village_code: str) -> tuple[str, list[Fate]]:
    """The village's name and every proposal of it in the last version of ``chain``, with its
    fate, in proposal order; proposals an amendment took out are "rejected" with its reason."""
    name = chain_villages(chain).get(village_code, "")
    if not name:
        return "", []
    return name, _fates(chain, village_code)


def plan_fates(chain: list[Version]) -> list[tuple[str, str, Fate]]:
    """(village code, village name, fate) of every proposal of every village, villages in
    Vietnamese order."""
    out: list[tuple[str, str, Fate]] = []
    for code, name in _sorted_villages(chain_villages(chain)):
        out += [(code, name, fate) for fate in _fates(chain, code)]
    return out
