"""The greedy allocation: lines by priority and score, each from the pots in order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from .messages import _funded, _no_need, _unfunded
from .model import Candidate, Outcome, Pot, _prepare, _suitable

# --- greedy -------------------------------------------------------------------------------------


def allocate_greedy(pots: Iterable[Pot], candidates: Iterable[Candidate]) -> list[Outcome]:
    """R18: fund the lines in processing order while the suitable pots hold enough.

    Outcomes come in processing order.
    """
    pot_list, lines = _prepare(pots, candidates)
    by_key = {pot.key: pot for pot in pot_list}
    left = {pot.key: pot.capacity for pot in pot_list}
    return [_greedy_step(line, pot_list, by_key, left) for line in lines]


def _greedy_step(
    line: Candidate, pots: Sequence[Pot], by_key: Mapping[str, Pot], left: dict[str, Decimal]
) -> Outcome:
    if line.need == 0:
        return _no_need(line)
    suitable = _suitable(pots, line)
    open_pots = [pot for pot in suitable if left[pot.key] > 0]
    if sum((left[pot.key] for pot in open_pots), Decimal(0)) < line.need:
        return _unfunded(line, pots, suitable, left)
    draws: dict[str, Decimal] = {}
    missing = line.need
    for pot in open_pots:
        if missing == 0:
            break
        amount = min(missing, left[pot.key])
        draws[pot.key] = amount
        left[pot.key] -= amount
        missing -= amount
    return _funded(line, draws, by_key)
