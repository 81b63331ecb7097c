"""The allocation engine: which commune plan lines the resource envelope funds, and from where.

Terms
-----
The commune's resource envelope (khung nguồn lực, F11) is made of **pots**: one envelope line
each, i.e. one funding source, possibly bound to one sector and/or one kind of spending
(investment – đầu tư phát triển, or recurrent – sự nghiệp), with the capacity still available.
Each commune plan line is a **candidate** that needs an amount of external support (its cost
minus the community's contribution). All money is ``Decimal`` in million VND.

A line is funded **in full or not at all**: either the pots it draws from add up exactly to its
need, or it draws nothing. A line may draw from several pots. A line that needs nothing from
outside (the community carries the whole cost) is always "funded", with no draws.

Which pots a line may draw from (:func:`eligibility`)
-----------------------------------------------------
A pot suits a line when, checked in this order (the first failure is the reason shown):

1. the caller has not ruled it out for this line (area, content or validity rules checked
   outside this module, passed in ``Candidate.ineligible`` with their reason text);
2. the pot is for any sector, or for the line's sector;
3. the pot is for any kind of spending, or for the line's kind;
4. R17 counterpart: the community contribution is at least the pot's counterpart share of the
   line's total cost (``contribution >= counterpart_pct / 100 × total_cost``).

Drawing order
-------------
Lines are taken in the **processing order**: village priority first (priority 1, 2, 3; lines
that are not a village priority come last), then the commune rank, then the line key.
For one line, the suitable pots are tried in this order: pots of the source the village asked
for first, then pots bound to a sector before pots for any sector, then the pot's own ``order``
(the caller encodes firmness and the like), then the pot key.

Greedy procedure (:func:`allocate_greedy`, the default, R18)
------------------------------------------------------------
Each line in processing order takes what it needs from its suitable pots, in drawing order,
if what is left in them is enough; otherwise it is not funded and the next line is tried, so a
lower-priority line may still be funded from what is left. Nothing is ever taken back.

Optimiser (:func:`allocate_optimal`)
------------------------------------
Chooses the set of funded lines that makes the **total weighted support** as large as
possible: the sum of ``weight × need`` over the funded lines (:func:`objective`), where the
weight expresses priority. It can fund lines greedy cannot, for instance by paying a road that
fits two pots from the commune budget so that the programme pot stays free for a road that
only the programme may pay. The choice is exact (a mixed-integer programme solved by HiGHS
with zero optimality gap, amounts counted in thousand đồng, 0.001 million VND, so inputs may
have at most three decimals).

When several sets reach the same total, the engine prefers lines earlier in the processing
order: a line left out takes the place of the latest funded line with exactly the same
``weight × need`` whenever the pots allow the exchange (checked exactly, lines taken in
processing order). The total never changes, and two interchangeable lines (same need, weight
and suitable pots) competing for one place always go to the earlier one. Ties this rule does
not reach (a set of lines against another set of the same total) stay as the solver found them;
the solver is deterministic and the model is built from the sorted input, so the result is the
same on every run and for any order of the input. (Putting the tie-break into the solver's
objective, or a second lexicographic pass, was tried and rejected: with round amounts there are
many equally good sets, and settling the tie inside the solver took many times as long as
finding the best total. No benchmark keeps that comparison yet; timings of the allocation
belong in ``make bench``, not here.)

Once the set is chosen, the draws are computed exactly in whole thousands of đồng, line by line
in processing order, each taking its pots in drawing order and, where a pot is full, moving an
earlier line's draw to another pot it may use (augmenting paths; the solver's floating-point
figures are never used as amounts). If, through a numerical accident, the chosen set cannot be
routed exactly, the chosen line with the smallest ``weight × need`` is dropped and the routing
tried again; any line that then fits in what is left is added back.

Reasons
-------
Every outcome carries a :class:`Reason`: a stable ``code``, raw ``params`` (JSON-serialisable:
strings, integers, amounts as decimal strings, and lists/dicts of these) and the ``text`` in the
active language, rebuilt at any time with :func:`render`. Codes:

* ``funded`` — the draws, pot by pot;
* ``no_need`` — nothing is needed from outside;
* ``no_envelope`` — the envelope has no pots at all;
* ``no_pot`` — no pot suits the line: the first three unsuitable pots (in drawing order) with
  the reason each one does not suit, then "…";
* ``short`` — suitable pots exist but what is left in them (after the lines funded in this run;
  for the optimiser, after all its draws) is less than the need; when no pot of the source the
  village asked for suits the line, the reason says why each of them does not.

Message ids (English; Vietnamese in locale/vi/LC_MESSAGES/django.po):

    funded:       "Funded: %(draws)s."  with draws joined by "; " from
                  "%(pot)s %(amount)s million"
    no_need:      "No external support is needed: the community carries the whole cost."
    no_envelope:  "The resource envelope has no funding source."
    no_pot:       "No funding source in the envelope fits this line: %(why)s."  with why
                  joined by "; " from "%(pot)s: %(reason)s"
    short:        "Over the %(pot)s envelope: %(left)s million left, %(need)s million needed."
                  "Over the envelopes of the suitable sources (%(pots)s): %(left)s million
                  left in all, %(need)s million needed."  (one msgid, split here)
    eligibility:  "only for the sector %(sector)s", "only for %(kind)s spending" with kind
                  pgettext("spending kind", "investment" | "recurrent"), and "needs a
                  community contribution of at least %(pct)s%% of the cost (%(min)s million);
                  the line has %(has)s million"  (one msgid, split here)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from math import gcd
from operator import attrgetter
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from kehoach.core.numbers import format_number_vi

__all__ = [
    "INVESTMENT",
    "RECURRENT",
    "Candidate",
    "Outcome",
    "Pot",
    "Reason",
    "allocate_greedy",
    "allocate_optimal",
    "eligibility",
    "objective",
    "render",
]

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


def eligibility(pot: Pot, candidate: Candidate) -> str | None:
    """``None`` if *candidate* may draw from *pot*, else the reason, in the active language."""
    refusal = _refusal(pot, candidate)
    return None if refusal is None else _render_refusal(refusal)


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


# --- messages -----------------------------------------------------------------------------------


def _raw(value: Decimal) -> str:
    """An amount as a plain decimal string without trailing zeros: "120", "12.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _amount(value: str) -> str:
    """An amount for reading: up to three decimals, trailing zeros dropped ("1.234,5")."""
    text = format_number_vi(Decimal(value), AMOUNT_PLACES)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _spending_kind(kind: str) -> str:
    names = {
        INVESTMENT: pgettext("spending kind", "investment"),
        RECURRENT: pgettext("spending kind", "recurrent"),
    }
    return names.get(kind, kind)


def _render_refusal(params: Mapping[str, str]) -> str:
    rule = params["rule"]
    if rule == "sector":
        return _("only for the sector %(sector)s") % {"sector": params["sector"]}
    if rule == "expenditure":
        return _("only for %(kind)s spending") % {"kind": _spending_kind(params["kind"])}
    if rule == "counterpart":
        return _(
            "needs a community contribution of at least %(pct)s%% of the cost "
            "(%(min)s million); the line has %(has)s million"
        ) % {
            "pct": _amount(params["pct"]),
            "min": _amount(params["min"]),
            "has": _amount(params["has"]),
        }
    return params["text"]


def _render_funded(params: Mapping[str, Any]) -> str:
    draws = "; ".join(
        _("%(pot)s %(amount)s million") % {"pot": draw["pot"], "amount": _amount(draw["amount"])}
        for draw in params["draws"]
    )
    return _("Funded: %(draws)s.") % {"draws": draws}


def _render_no_pot(params: Mapping[str, Any]) -> str:
    parts = [
        _("%(pot)s: %(reason)s") % {"pot": item["pot"], "reason": _render_refusal(item)}
        for item in params["pots"]
    ]
    if params["more"]:
        parts.append("…")
    return _("No funding source in the envelope fits this line: %(why)s.") % {
        "why": "; ".join(parts)
    }


def _render_short(params: Mapping[str, Any]) -> str:
    values = {"left": _amount(params["left"]), "need": _amount(params["need"])}
    if len(params["pots"]) == 1:
        text = _("Over the %(pot)s envelope: %(left)s million left, %(need)s million needed.") % {
            "pot": params["pots"][0],
            **values,
        }
    else:
        text = _(
            "Over the envelopes of the suitable sources (%(pots)s): %(left)s million left in "
            "all, %(need)s million needed."
        ) % {"pots": ", ".join(params["pots"]), **values}
    asked = params.get("asked") or []
    if asked:
        why = "; ".join(
            _("%(pot)s: %(reason)s") % {"pot": item["pot"], "reason": _render_refusal(item)}
            for item in asked
        )
        text += " " + _("The source the village asked for cannot pay for it: %(why)s.") % {
            "why": why
        }
    return text


def render(reason_code: str, params: Mapping[str, Any]) -> str:
    """The text of a reason in the active language, from its code and raw params."""
    if reason_code == "funded":
        return _render_funded(params)
    if reason_code == "no_need":
        return _("No external support is needed: the community carries the whole cost.")
    if reason_code == "no_envelope":
        return _("The resource envelope has no funding source.")
    if reason_code == "no_pot":
        return _render_no_pot(params)
    if reason_code == "short":
        return _render_short(params)
    raise ValueError(f"unknown reason code {reason_code!r}")


def _reason(code: str, params: dict[str, Any]) -> Reason:
    return Reason(code, params, render(code, params))


# --- outcomes -----------------------------------------------------------------------------------


def _no_need(line: Candidate) -> Outcome:
    return Outcome(line.key, True, {}, _reason("no_need", {}))


def _funded(line: Candidate, draws: dict[str, Decimal], pots: Mapping[str, Pot]) -> Outcome:
    params = {"draws": [{"pot": pots[key].label, "amount": _raw(v)} for key, v in draws.items()]}
    return Outcome(line.key, True, draws, _reason("funded", params))


def _unfunded(
    line: Candidate, pots: Sequence[Pot], suitable: Sequence[Pot], left: Mapping[str, Decimal]
) -> Outcome:
    """Not funded: no pots at all, no suitable pot, or too little left in the suitable ones."""
    if not pots:
        return Outcome(line.key, False, {}, _reason("no_envelope", {}))
    if not suitable:
        refusals = [
            {"pot": pot.label, **(_refusal(pot, line) or {})}
            for pot in sorted(pots, key=_drawing_order(line))
        ]
        params: dict[str, Any] = {
            "pots": refusals[:REFUSALS_SHOWN],
            "more": max(0, len(refusals) - REFUSALS_SHOWN),
        }
        return Outcome(line.key, False, {}, _reason("no_pot", params))
    asked_suits = any(pot.source_code == line.proposed_source for pot in suitable)
    asked = [
        {"pot": pot.label, **(_refusal(pot, line) or {})}
        for pot in sorted(pots, key=_drawing_order(line))
        if line.proposed_source and not asked_suits and pot.source_code == line.proposed_source
    ]
    params = {
        "pots": [pot.label for pot in suitable],
        "left": _raw(sum((left[pot.key] for pot in suitable), Decimal(0))),
        "need": _raw(line.need),
    }
    if asked:
        params["asked"] = asked[:REFUSALS_SHOWN]
    return Outcome(line.key, False, {}, _reason("short", params))


def objective(outcomes: Iterable[Outcome], candidates: Iterable[Candidate]) -> Decimal:
    """Total weighted support: the sum of ``weight × need`` over the funded candidates."""
    funded = {outcome.key for outcome in outcomes if outcome.funded}
    return sum((c.weight * c.need for c in candidates if c.key in funded), Decimal(0))


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
