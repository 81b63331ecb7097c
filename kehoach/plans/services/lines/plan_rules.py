"""Rules over the set of a plan's lines, pure (issue 14): R3 (how many priority activities a
sector has, within the profile's bounds) and R4 (each priority used once in a sector, when the
profile asks). The live checklist (``services.checks.plan_checks``) shows each rule's state and
the submit enforces it; an import preview shows the failing ones as warnings
(``validate_plan_lines``), as the plan the workbook would make.

A line is a saved ``ProposalLine`` (its ``sector`` loaded) or a mapping of values with
``number``, ``sector`` and ``priority`` (a workbook's new line); nothing is read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import Where
from kehoach.core.validation import WARNING, Problem

from .validators import LineContext


@dataclass(frozen=True)
class RuleState:
    """One rule over the lines of a sector: a stable ``code`` (``priority_count:<sector>``,
    ``unique_rank:<sector>:<rank>``), whether it holds, and the sentence that says so."""

    code: str
    ok: bool
    message: str

    @property
    def rule(self) -> str:
        return self.code.split(":", 1)[0]


def _get(line: Any, name: str) -> Any:
    return line.get(name) if isinstance(line, Mapping) else getattr(line, name)


def sector_rules(context: LineContext, lines: Iterable[Any]) -> list[RuleState]:
    """R3 and R4 for every sector that has lines, in the catalogue's order of sectors."""
    by_sector: dict[Any, list[Any]] = defaultdict(list)
    sectors: dict[Any, Any] = {}
    for line in sorted(lines, key=lambda x: _get(x, "number") or 0):
        sector = _get(line, "sector")
        key = getattr(sector, "pk", sector)
        by_sector[key].append(line)
        sectors[key] = sector
    low, high = context.min_per_sector, context.max_per_sector
    states: list[RuleState] = []
    # in the catalogue's order; sectors of the same order as their first line comes
    for key in sorted(by_sector, key=lambda k: getattr(sectors[k], "sort_order", 0)):
        sector, sector_lines = sectors[key], by_sector[key]
        name, code = getattr(sector, "name", sector), _code(sector)
        if context.bound_applies_to_all_lines:
            count = len(sector_lines)
        else:
            count = sum(1 for line in sector_lines if _get(line, "priority") is not None)
        ok = low <= count <= high
        if ok:
            message = _(
                "%(sector)s: %(count)s priority activities (between %(min)s and %(max)s)."
            ) % {"sector": name, "count": count, "min": low, "max": high}
        else:
            message = _(
                "%(sector)s has %(count)s priority activities; it must have between %(min)s "
                "and %(max)s. Change the priority of some lines."
            ) % {"sector": name, "count": count, "min": low, "max": high}
        states.append(RuleState(f"priority_count:{code}", ok, message))
        if context.unique_ranks_within_sector:
            states.extend(_unique_ranks(name, code, sector_lines))
    return states


def _code(sector: Any) -> Any:
    return getattr(sector, "code", sector)


def _unique_ranks(name: Any, code: Any, lines: list[Any]) -> list[RuleState]:
    seen: dict[int, list[int]] = defaultdict(list)
    for line in lines:
        priority = _get(line, "priority")
        if priority is not None:
            seen[priority].append(_get(line, "number"))
    return [
        RuleState(
            f"unique_rank:{code}:{rank}",
            False,
            _(
                "%(sector)s: priority %(rank)s is given to lines %(lines)s; each priority may "
                "be used only once in a sector."
            )
            % {"sector": name, "rank": rank, "lines": ", ".join(str(n) for n in numbers)},
        )
        for rank, numbers in sorted(seen.items())
        if len(numbers) > 1
    ]


def validate_plan_lines(context: LineContext, lines: Iterable[Any]) -> list[Problem]:
    """The plan-level rules R3 and R4 that the lines break, as warnings: they block only the
    submit (the checklist), not a save or an import."""
    return [
        Problem(state.rule, state.message, Where(field="priority"), severity=WARNING)
        for state in sector_rules(context, lines)
        if not state.ok
    ]
