"""The values of a commune line built from villages: its sources' fingerprint, their sum (R13),
the parts of a split line apportioned from their parent, and the bounds those values must keep.
Helpers of the writers of this package; nothing here locks or records history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.plans.line_values import copy_line_values
from kehoach.plans.models import ProposalLine
from kehoach.plans.services.lines import field_label

from ...choices import Decision, DecisionOrigin, LineState
from ...models import CommuneLine, CommunePlan, LineFunding, LineSource
from ...selectors import line_sources
from .fields import AMOUNT_FIELDS, COUNT_FIELDS, FROM_PARENT, SOURCE_FIELDS, TEXT_FIELDS

_LINKS = {
    name: ProposalLine._meta.get_field(name).attname  # type: ignore[union-attr]
    for name in SOURCE_FIELDS
}


def fingerprint(line: ProposalLine) -> dict[str, Any]:
    """The village line's values that flow into the commune plan, as JSON (ids for links)."""
    data: dict[str, Any] = {}
    for name in SOURCE_FIELDS:
        value = getattr(line, _LINKS[name])
        if isinstance(value, Decimal):
            value = str(value.normalize()) if value else "0"
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = value
    return data


def changed_labels(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    labels = []
    for name in SOURCE_FIELDS:
        if old.get(name) != new.get(name):
            field_ = ProposalLine._meta.get_field(name)
            labels.append(str(getattr(field_, "verbose_name", name)))
    return labels


def apportion(total: Decimal, shares: list[Decimal], places: str) -> list[Decimal]:
    """Split ``total`` by ``shares`` (summing to 1) rounded down to ``places``; the last part
    takes what rounding left, so the parts add up to the total exactly."""
    quantum = Decimal(places)
    parts = [(total * s).quantize(quantum, rounding=ROUND_DOWN) for s in shares[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def aggregate(sources: list[LineSource]) -> dict[str, Any]:
    """Sum of the live sources' values (each at share 1), for an unsplit line."""
    live = [s for s in sources if not s.withdrawn]
    values: dict[str, Any] = {}
    for name in AMOUNT_FIELDS:
        values[name] = sum((Decimal(getattr(s.village_line, name)) for s in live), Decimal(0))
    for name in COUNT_FIELDS:
        values[name] = sum(int(getattr(s.village_line, name)) for s in live)
    if live:
        first = live[0].village_line
        values["start_month"] = min(s.village_line.start_month for s in live)
        values["end_month"] = max(s.village_line.end_month for s in live)
        priorities = [s.village_line.priority for s in live if s.village_line.priority]
        values["village_priority"] = min(priorities) if priorities else None
        proposed = {s.village_line.proposed_source_id for s in live}
        values["proposed_source_id"] = first.proposed_source_id if len(proposed) == 1 else None
        values["implementation_mode"] = first.implementation_mode
        values["sector_id"] = first.sector_id
        values["unit_id"] = first.unit_id
    return values


def apply_values(line: CommuneLine, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(line, name, value)


def bounds_problems(line: CommuneLine, fields: Iterable[str] | None = None) -> list[Any]:
    """The values of ``line`` (typed, or summed from its villages by a merge or a
    re-synthesis) outside their bounds, each naming the line and the field."""

    def error(name: str, code: str, text: str) -> ApplicationError:
        return ApplicationError(
            code,
            _("Line %(number)s, %(field)s: %(problem)s")
            % {"number": line.number, "field": field_label(name), "problem": text},
            Where(field=name),
            detail=text,
        )

    names = list(fields) if fields is not None else [*AMOUNT_FIELDS, *COUNT_FIELDS, *TEXT_FIELDS]
    return bounds.errors_for(CommuneLine, {n: getattr(line, n) for n in names}, error)


def require_within_bounds(line: CommuneLine, fields: Iterable[str] | None = None) -> None:
    """Refuse a line whose values fall outside their bounds (see ``bounds_problems``)."""
    errors = bounds_problems(line, fields)
    if errors:
        raise ApplicationErrors(errors)


def recompute(lines: Iterable[CommuneLine]) -> None:
    """Set the amounts of these lines (built from villages) from their sources; parts of a
    split line are apportioned from their parent so that they add up to it exactly."""
    todo = {line.pk: line for line in lines}
    parents: dict[int, CommuneLine] = {}
    for line in list(todo.values()):
        if line.split_from_id is not None:
            parent = todo.get(line.split_from_id) or line.split_from
            assert parent is not None
            parents[parent.pk] = parent
    for parent in parents.values():
        todo.setdefault(parent.pk, parent)
    sources = line_sources(todo.values())
    for line in todo.values():
        if line.split_from_id is None and not line.organisation:
            apply_values(line, aggregate(sources.get(line.pk, [])))
            require_within_bounds(line)
            line.save()
    for parent in parents.values():
        apportion_parts(parent)


def apportion_parts(parent: CommuneLine) -> None:
    parts = list(parent.parts.exclude(state=LineState.REMOVED).order_by("number"))
    if not parts:
        return
    shares = [part.share for part in parts]
    columns: dict[str, list[Any]] = {}
    for name in AMOUNT_FIELDS:
        places = "0.1" if name in ("contribution_labour_days", "contribution_land_m2") else "0.001"
        columns[name] = apportion(Decimal(getattr(parent, name)), shares, places)
    for name in COUNT_FIELDS:
        counts = apportion(Decimal(getattr(parent, name)), shares, "1")
        columns[name] = [int(c) for c in counts]
    for index, part in enumerate(parts):
        for name, values in columns.items():
            setattr(part, name, values[index])
        for name in FROM_PARENT:
            setattr(part, name, getattr(parent, name))
        part.save()


def next_number(plan: CommunePlan) -> int:
    return (plan.lines.aggregate(m=Max("number"))["m"] or 0) + 1


def reset_decision(line: CommuneLine, note: str, review: str) -> None:
    """Back to "not decided", funding taken back, marked for review with ``note``."""
    previous = line.get_decision_display() if line.decision != Decision.PENDING else ""
    LineFunding.objects.filter(line=line).delete()
    line.decision = Decision.PENDING
    line.decision_origin = DecisionOrigin.NONE
    line.decision_reason = ""
    line.decision_code = ""
    line.decision_params = {}
    line.review = review
    line.review_note = note
    if previous:
        line.review_note = _("%(note)s Decision before: %(decision)s.") % {
            "note": note,
            "decision": previous,
        }


def copy_of_village(plan: CommunePlan, number: int, vline: ProposalLine) -> CommuneLine:
    """A new commune line with the values of ``vline`` (not saved)."""
    line = CommuneLine(
        plan=plan,
        number=number,
        village_priority=vline.priority,
        expenditure_type=vline.sector.default_expenditure,
    )
    copy_line_values(vline, line)
    line.location = vline.location or vline.plan.village.name
    return line


def line_from_village(plan: CommunePlan, number: int, vline: ProposalLine) -> CommuneLine:
    line = copy_of_village(plan, number, vline)
    require_within_bounds(line)  # a village line stored before the bounds existed
    return line


def line_locked(line: CommuneLine) -> CommuneLine:
    return (
        CommuneLine.objects.select_for_update(of=("self",))
        .select_related("plan__round__profile", "sector", "unit")
        .get(pk=line.pk)
    )
