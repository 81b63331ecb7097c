"""The optimiser: the set of lines that maximises the objective (a MILP), then exact routing
of their needs through the pots."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import gcd

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from .messages import _funded, _no_need, _unfunded
from .model import (
    AMOUNT_PLACES,
    EXACT_FLOAT_LIMIT,
    UNITS_PER_MILLION,
    Candidate,
    Outcome,
    Pot,
    _prepare,
    _suitable,
)

# --- optimiser: exact routing -------------------------------------------------------------------


def _units(value: Decimal, what: str) -> int:
    scaled = value.scaleb(AMOUNT_PLACES)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{what} has more than {AMOUNT_PLACES} decimals: {value}")
    return int(scaled)


def _from_units(units: int) -> Decimal:
    return Decimal(units) / UNITS_PER_MILLION


class _Router:
    """Exact draws, in thousand đồng, for lines added one by one (augmenting paths).

    A line first takes its pots in drawing order; when they are full, an earlier line's draw
    on a full pot is moved to another pot that line may use (breadth-first, so the shortest
    change is made). All choices follow fixed orders, so the draws are deterministic.
    """

    def __init__(
        self, capacity: Mapping[str, int], needs: Sequence[int], pots: Sequence[list[str]]
    ) -> None:
        self.capacity = capacity
        self.needs = needs
        self.pots = pots  # per line, its pot keys in drawing order
        self.load = dict.fromkeys(capacity, 0)
        self.draws: dict[int, dict[str, int]] = {}

    def add(self, line: int) -> bool:
        """Route *line* in full and return ``True``, or leave everything as it was."""
        saved = self._save()
        self.draws[line] = {}
        missing = self.needs[line]
        while missing > 0:
            moved = self._augment(line, missing)
            if moved == 0:
                self._restore(saved)
                return False
            missing -= moved
        return True

    def swap(self, out: int, into: int) -> bool:
        """Replace line *out* by line *into* and return ``True``, or change nothing."""
        saved = self._save()
        for pot, amount in self.draws.pop(out).items():
            self.load[pot] -= amount
        if self.add(into):
            return True
        self._restore(saved)
        return False

    def _save(self) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
        return dict(self.load), {line: dict(draws) for line, draws in self.draws.items()}

    def _restore(self, saved: tuple[dict[str, int], dict[int, dict[str, int]]]) -> None:
        self.load, self.draws = saved

    def _augment(self, start: int, missing: int) -> int:
        reached: dict[str, tuple[int, str | None]] = {}  # pot -> (line, pot it moves from)
        queue: deque[str] = deque()
        self._reach(start, None, reached, queue)
        visited = {start}
        while queue:
            pot = queue.popleft()
            if self.load[pot] < self.capacity[pot]:
                return self._push(pot, reached, missing)
            for other in sorted(self.draws):
                if other not in visited and self.draws[other].get(pot, 0) > 0:
                    visited.add(other)
                    self._reach(other, pot, reached, queue)
        return 0

    def _reach(
        self,
        line: int,
        origin: str | None,
        reached: dict[str, tuple[int, str | None]],
        queue: deque[str],
    ) -> None:
        for pot in self.pots[line]:
            if pot not in reached:
                reached[pot] = (line, origin)
                queue.append(pot)

    def _push(self, end: str, reached: Mapping[str, tuple[int, str | None]], missing: int) -> int:
        amount = min(missing, self.capacity[end] - self.load[end])
        pot: str | None = end
        while pot is not None:
            line, origin = reached[pot]
            if origin is not None:
                amount = min(amount, self.draws[line][origin])
            pot = origin
        pot = end
        while pot is not None:
            line, origin = reached[pot]
            self._change(line, pot, amount)
            if origin is not None:
                self._change(line, origin, -amount)
            pot = origin
        return amount

    def _change(self, line: int, pot: str, amount: int) -> None:
        draws = self.draws[line]
        draws[pot] = draws.get(pot, 0) + amount
        self.load[pot] += amount
        if draws[pot] == 0:
            del draws[pot]


# --- optimiser: choosing the set ----------------------------------------------------------------


@dataclass
class _Model:
    """The mixed-integer programme over the lines that could be funded if they were alone.

    Variables: ``y_i`` (line i funded, binary) for each line, then ``x_ie`` (units line i
    draws from pot e) for each suitable pair. Rows: ``Σ_e x_ie − need_i × y_i = 0`` per line
    and ``Σ_i x_ie <= capacity_e`` per pot. Objective: maximise ``Σ value_i × y_i``.
    """

    needs: list[int]
    values: list[int]  # weight × need as integers with no common factor
    pots: list[list[str]]  # per line, its suitable pots with room, in drawing order
    capacity: dict[str, int]

    def solve(self) -> frozenset[int]:
        """The lines an optimal solution funds (nothing if the solver gives no solution)."""
        count = len(self.needs)
        if count == 0:
            return frozenset()
        arcs = [(i, pot) for i in range(count) for pot in self.pots[i]]
        x_high = [float(min(self.needs[i], self.capacity[pot])) for i, pot in arcs]
        result = milp(
            c=-np.array([*map(float, self.values), *[0.0] * len(arcs)]),
            integrality=np.array([1] * count + [0] * len(arcs)),
            bounds=Bounds([0.0] * (count + len(arcs)), [1.0] * count + x_high),
            constraints=self._constraints(arcs),
            options={"mip_rel_gap": 0.0, "disp": False},
        )
        if result.x is None:
            return frozenset()
        return frozenset(i for i in range(count) if result.x[i] > 0.5)

    def _constraints(self, arcs: Sequence[tuple[int, str]]) -> LinearConstraint:
        count = len(self.needs)
        pot_rows = {pot: count + row for row, pot in enumerate(self.capacity)}
        entries = [(i, i, -float(need)) for i, need in enumerate(self.needs)]
        for col, (i, pot) in enumerate(arcs, start=count):
            entries += [(i, col, 1.0), (pot_rows[pot], col, 1.0)]
        rows, cols, data = zip(*entries, strict=True)
        shape = (count + len(self.capacity), count + len(arcs))
        matrix = coo_array((data, (rows, cols)), shape=shape).tocsr()
        upper = [0.0] * count + [float(room) for room in self.capacity.values()]
        return LinearConstraint(matrix, [0.0] * count + [-np.inf] * len(self.capacity), upper)

    def value(self, chosen: Iterable[int]) -> int:
        return sum(self.values[i] for i in chosen)

    def route(self, chosen: Iterable[int]) -> _Router | None:
        """Exact draws for *chosen*, routed in processing order; ``None`` if they do not fit."""
        router = _Router(self.capacity, self.needs, self.pots)
        return router if all(router.add(i) for i in sorted(chosen)) else None


def _integer_values(weights: Sequence[Decimal], needs: Sequence[int]) -> list[int]:
    """``weight × need`` as integers with no common factor, exact in floating point."""
    if not weights:
        return []
    places = max(0, *(-int(w.normalize().as_tuple().exponent) for w in weights))
    values = [int(w.scaleb(places)) * need for w, need in zip(weights, needs, strict=True)]
    common = gcd(*values)
    values = [value // common for value in values]
    if sum(values) >= EXACT_FLOAT_LIMIT:
        raise ValueError("weights and needs are too fine or too large to optimise exactly")
    return values


def _build_model(
    lines: Sequence[Candidate], suitable: Mapping[str, list[Pot]], capacity: Mapping[str, int]
) -> tuple[_Model, list[Candidate]]:
    """The model, and the lines in it: those that need money and could get it if alone."""
    members, needs, pots = [], [], []
    for line in lines:
        need = _units(line.need, f"candidate {line.key}: need")
        open_pots = [pot.key for pot in suitable[line.key] if capacity[pot.key] > 0]
        if need > 0 and sum(capacity[key] for key in open_pots) >= need:
            members.append(line)
            needs.append(need)
            pots.append(open_pots)
    values = _integer_values([line.weight for line in members], needs)
    model = _Model(needs, values, pots, {key: c for key, c in capacity.items() if c > 0})
    return model, members


def _routable(model: _Model, chosen: frozenset[int]) -> frozenset[int]:
    """*chosen*, less its lowest-value lines until it can be routed exactly."""
    while model.route(chosen) is None:
        chosen -= {min(chosen, key=lambda i: (model.values[i], -i))}
    return chosen


def _prefer_earlier(model: _Model, chosen: frozenset[int]) -> frozenset[int]:
    """Tie-break: an unfunded line takes the place of the latest funded line of equal value
    when the pots allow the exchange. The total does not change."""
    router = model.route(chosen)
    assert router is not None
    same_value: dict[int, list[int]] = {}
    for i, value in enumerate(model.values):
        same_value.setdefault(value, []).append(i)
    for i in range(len(model.needs)):
        if i in router.draws:
            continue
        later = [j for j in same_value[model.values[i]] if j > i and j in router.draws]
        for j in reversed(later):
            if router.swap(j, i):
                break
    return frozenset(router.draws)


def _optimal_draws(model: _Model) -> _Router:
    """Exact draws for the optimal set, tie-broken; then any line that still fits (none,
    unless the solver slipped) is added in processing order."""
    chosen = _prefer_earlier(model, _routable(model, model.solve()))
    router = model.route(chosen)
    assert router is not None
    for i in range(len(model.needs)):
        if i not in router.draws:
            router.add(i)
    return router


def allocate_optimal(pots: Iterable[Pot], candidates: Iterable[Candidate]) -> list[Outcome]:
    """Fund the set of lines with the largest total weighted support (see the module docstring).

    Outcomes come in processing order. Raises ``ValueError`` for amounts with more than three
    decimals and for weights that are not positive.
    """
    pot_list, lines = _prepare(pots, candidates)
    for line in lines:
        if not line.weight.is_finite() or line.weight <= 0:
            raise ValueError(f"candidate {line.key}: weight must be more than 0")
    capacity = {pot.key: _units(pot.capacity, f"pot {pot.key}: capacity") for pot in pot_list}
    suitable = {line.key: _suitable(pot_list, line) for line in lines}
    model, members = _build_model(lines, suitable, capacity)
    router = _optimal_draws(model)
    draws = {members[i].key: _draws_in_order(router, model, i) for i in router.draws}
    left = {key: _from_units(capacity[key] - router.load.get(key, 0)) for key in capacity}
    by_key = {pot.key: pot for pot in pot_list}
    outcomes = []
    for line in lines:
        if line.need == 0:
            outcomes.append(_no_need(line))
        elif line.key in draws:
            outcomes.append(_funded(line, draws[line.key], by_key))
        else:
            outcomes.append(_unfunded(line, pot_list, suitable[line.key], left))
    return outcomes


def _draws_in_order(router: _Router, model: _Model, line: int) -> dict[str, Decimal]:
    drawn = router.draws[line]
    return {pot: _from_units(drawn[pot]) for pot in model.pots[line] if pot in drawn}
