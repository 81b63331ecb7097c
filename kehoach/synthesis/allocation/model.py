"""The allocation problem's data (pots, candidates, outcomes), the order lines are
processed and pots drawn in, and whether a pot may pay for a line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from operator import attrgetter
from typing import Any

INVESTMENT = "investment"
RECURRENT = "recurrent"

AMOUNT_PLACES = 3
"""Decimals of amounts the optimiser accepts and of amounts in messages (0.001 million VND)."""

UNITS_PER_MILLION = 10**AMOUNT_PLACES

REFUSALS_SHOWN = 3
"""Unsuitable pots listed in a ``no_pot`` reason before "…"."""

EXACT_FLOAT_LIMIT = 2**53
"""Integers up to this are exact in the solver's floating point."""


# --- data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pot:
    """One envelope line: money from one source, possibly for one sector and kind of spending."""

    key: str
    source_code: str
    label: str
    capacity: Decimal
    sector_code: str | None = None
    expenditure: str | None = None
    counterpart_pct: Decimal = Decimal(0)
    order: int = 0
    sector_name: str | None = None  # for messages; the code is shown when missing


@dataclass(frozen=True)
class Candidate:
    """One commune plan line asking for external support."""

    key: str
    label: str
    need: Decimal
    total_cost: Decimal
    contribution: Decimal
    sector_code: str
    expenditure: str
    priority: int | None
    rank: int
    weight: Decimal
    proposed_source: str | None = None
    ineligible: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any]
    text: str


@dataclass(frozen=True)
class Outcome:
    key: str
    funded: bool
    draws: dict[str, Decimal]
    reason: Reason


# --- order and eligibility ----------------------------------------------------------------------


def _raw(value: Decimal) -> str:
    """An amount as a plain decimal string without trailing zeros: "120", "12.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _processing_order(candidate: Candidate) -> tuple[bool, int, int, str]:
    return (candidate.priority is None, candidate.priority or 0, candidate.rank, candidate.key)


def _drawing_order(candidate: Candidate) -> Callable[[Pot], tuple[bool, bool, int, str]]:
    def key(pot: Pot) -> tuple[bool, bool, int, str]:
        proposed = pot.source_code == candidate.proposed_source
        return (not proposed, pot.sector_code is None, pot.order, pot.key)

    return key


def _refusal(pot: Pot, candidate: Candidate) -> dict[str, str] | None:
    """Why *pot* does not suit *candidate*, as raw message params; ``None`` if it suits."""
    given = candidate.ineligible.get(pot.key)
    if given is not None:
        return {"rule": "given", "text": given}
    if pot.sector_code is not None and pot.sector_code != candidate.sector_code:
        return {"rule": "sector", "sector": pot.sector_name or pot.sector_code}
    if pot.expenditure is not None and pot.expenditure != candidate.expenditure:
        return {"rule": "expenditure", "kind": pot.expenditure}
    minimum = pot.counterpart_pct / 100 * candidate.total_cost
    if candidate.contribution < minimum:
        shown_minimum = minimum.quantize(Decimal(1).scaleb(-AMOUNT_PLACES), ROUND_CEILING)
        return {
            "rule": "counterpart",
            "pct": _raw(pot.counterpart_pct),
            "min": _raw(shown_minimum),
            "has": _raw(candidate.contribution),
        }
    return None


def _suitable(pots: Sequence[Pot], candidate: Candidate) -> list[Pot]:
    """The pots *candidate* may draw from, in its drawing order."""
    fitting = [pot for pot in pots if _refusal(pot, candidate) is None]
    return sorted(fitting, key=_drawing_order(candidate))


def _prepare(
    pots: Iterable[Pot], candidates: Iterable[Candidate]
) -> tuple[list[Pot], list[Candidate]]:
    """Pots by key and candidates in processing order, after checking the figures."""
    pot_list = sorted(pots, key=attrgetter("key"))
    lines = sorted(candidates, key=_processing_order)
    for what, keys in (("pot", [p.key for p in pot_list]), ("candidate", [c.key for c in lines])):
        if len(set(keys)) != len(keys):
            raise ValueError(f"two {what}s have the same key")
    for pot in pot_list:
        if not pot.capacity.is_finite() or pot.capacity < 0:
            raise ValueError(f"pot {pot.key}: capacity must be 0 or more")
    for line in lines:
        if not line.need.is_finite() or line.need < 0:
            raise ValueError(f"candidate {line.key}: need must be 0 or more")
    return pot_list, lines
