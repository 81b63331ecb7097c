"""The one writer of commune lines (issue 14): ``commune_lines_apply(*, actor, plan, changes)``.

Adds (a commune sector's or organisation's own line, R14), changes (texts; a commune-level
line's values too), decisions taken by hand without funding, removals and restores of
commune-level lines, and "reviewed" marks — in one transaction: the plan and the lines are
locked, every change is checked first (versions, then the pure validators of ``validators``)
and nothing is written unless all pass; then the lines are written in bulk with one history row
per change. The line page's services (``single``) and the F9 import are calls to it.

``commune_lines_check`` answers what the writer would do (or the same problems) by the same
checks (``_prepare``), writing nothing and locking nothing: the API's ``?dry_run=1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_bulk, audit_entry, snapshot
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, problem_of, raise_errors
from kehoach.plans.services.lines import line_context

from ...choices import Decision, DecisionOrigin, LineState, Review
from ...models import CommuneLine, CommunePlan, LineFunding
from ...selectors import funding_by_line, lines_locked
from ...summaries import summaries_refresh
from ..common import bump, check_version, ensure_draft, require, require_editable
from ..decisions import decision_state
from .fields import AUDIT_FIELDS, OWN_FIELDS
from .validators import check_commune_line, validate_line_decision
from .values import apportion_parts, next_number

__all__ = ["AppliedLines", "CommuneLineChange", "commune_lines_apply", "commune_lines_check"]

Kind = Literal["add", "change", "remove", "restore", "reviewed"]

_WRITTEN = [
    *OWN_FIELDS,
    "organisation",
    "village_priority",
    "expenditure_type",
    "state",
    "decision",
    "decision_origin",
    "decision_reason",
    "decision_code",
    "decision_params",
    "decided_by",
    "decided_at",
    "review",
    "review_note",
    "version",
    "updated_at",
]
_REVIEW = ["review", "review_note"]


@dataclass(frozen=True)
class CommuneLineChange:
    """One change to a commune plan's lines.

    ``add``: a new commune-level line from ``data``; ``change``: ``data`` on ``line`` (see
    ``validators.check_commune_line``; ``expenditure_type`` too) and/or a ``decision`` with its
    ``reason``; ``remove``/``restore``: a commune-level line; ``reviewed``: the line's review
    mark is cleared. ``version``: the line's version the change was made on (None: any).
    ``row``: the change's position in a batch (from 1); its problems name it."""

    kind: Kind
    line: CommuneLine | None = None
    data: dict[str, Any] = field(default_factory=dict)
    version: int | None = None
    decision: str | None = None
    reason: str = ""
    row: int | None = None


@dataclass
class AppliedLines:
    lines: list[CommuneLine] = field(default_factory=list)
    """The lines as written, in the order of the changes."""
    added: int = 0
    changed: int = 0
    removed: int = 0
    restored: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "restored": self.restored,
        }


@dataclass
class _Step:
    change: CommuneLineChange
    line: CommuneLine
    values: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)


def _not_removable(line: CommuneLine) -> Problem:
    return problem_of(
        ApplicationError(
            "line_not_removable",
            _(
                "Line %(number)s comes from the villages' proposals and cannot be removed "
                "here. Decide on it (for example reject it, with a reason) or return the "
                "village plan."
            )
            % {"number": line.number},
        )
    )


def _check(
    plan: CommunePlan, changes: Sequence[CommuneLineChange], locked: dict[int, CommuneLine]
) -> tuple[list[_Step], list[Problem]]:
    """Each change checked against the locked lines: the steps to write and the problems."""
    context = line_context(plan.round)
    number = next_number(plan) if any(c.kind == "add" for c in changes) else 0
    steps: list[_Step] = []
    found: list[Problem] = []
    for change in changes:
        step, problems = _check_one(plan, context, number, change, locked)
        if change.kind == "add":
            number += 1
        if change.row is not None:
            problems = [p.at(Where(field=p.where.field, row=change.row)) for p in problems]
        found += problems
        if step is not None:
            steps.append(step)
    return steps, found


def _check_one(
    plan: CommunePlan,
    context: Any,
    number: int,
    change: CommuneLineChange,
    locked: dict[int, CommuneLine],
) -> tuple[_Step | None, list[Problem]]:
    """One change checked: its step (None when its version is stale) and its problems."""
    if change.kind == "add":
        new, problems = check_commune_line(context, number, change.data)
        return _Step(change, CommuneLine(plan=plan, number=number), new), problems
    assert change.line is not None
    current = locked.get(change.line.pk)
    if current is None:
        raise NotFoundError()
    try:
        check_version(current, change.version)
    except ApplicationError as exc:
        return None, [problem_of(exc)]
    found: list[Problem] = []
    values: dict[str, Any] = {}
    if change.kind == "change" and (change.data or not change.decision):
        values, problems = check_commune_line(context, current.number, change.data, current)
        found += problems
    if change.kind == "change" and change.decision:
        found += validate_line_decision(current, change.decision, change.reason)
    if change.kind == "remove" and (not current.organisation or current.state != LineState.ACTIVE):
        found.append(_not_removable(current))
    return _Step(change, current, values), found


def _edit(step: _Step) -> bool:
    """Apply the values of a "change" step to its line in memory; True if its funding is
    taken back (something an allocation depends on changed on a funded line)."""
    line, change = step.line, step.change
    money_changed = False
    if line.organisation:
        money_changed = any(step.values[f] != getattr(line, f) for f in OWN_FIELDS)
    for name, value in step.values.items():
        setattr(line, name, value)
    kind = change.data.get("expenditure_type")
    if kind:
        money_changed = money_changed or kind != line.expenditure_type
        line.expenditure_type = kind
    if money_changed and line.decision == Decision.FUNDED:
        _clear_decision(line, _("The line was changed; allocate again."), Review.CHANGED)
        return True
    return False


def _decide(line: CommuneLine, change: CommuneLineChange, now: Any, actor: Any) -> None:
    line.decision = change.decision or Decision.PENDING
    line.decision_origin = DecisionOrigin.MANUAL
    line.decision_reason = nfc(change.reason or "")
    line.decision_code = "manual"
    line.decision_params = {"funding": {}}
    line.decided_by = actor if getattr(actor, "pk", None) else None
    line.decided_at = now
    line.review = Review.NONE


def _clear_decision(line: CommuneLine, note: str, review: str) -> None:
    """``values.reset_decision`` without taking the funding back (the writer does it for all
    the lines in one query)."""
    previous = line.get_decision_display() if line.decision != Decision.PENDING else ""
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


def _prepare(
    actor: Any, plan: CommunePlan, changes: Sequence[CommuneLineChange], *, lock: bool
) -> tuple[CommunePlan, list[_Step]]:
    """Every change checked as the writer will write it: the plan as read and the steps, or
    ``ApplicationErrors`` with every problem. ``lock``: inside the writer's transaction, the
    plan and the named lines locked; else read as they are (a dry run locks nothing)."""
    ids = [c.line.pk for c in changes if c.line is not None]
    if lock:
        plan = require_editable(actor, plan)
        current = lines_locked(plan, ids)
    else:
        require(actor, Action.EDIT_COMMUNE_PLAN, plan.round)
        plan = CommunePlan.objects.select_related("round__profile", "round__commune").get(
            pk=plan.pk
        )
        ensure_draft(plan)
        current = _lines_read(plan, ids)
    steps, problems = _check(plan, changes, current)
    raise_errors(problems)
    return plan, steps


def _lines_read(plan: CommunePlan, ids: Sequence[int]) -> dict[int, CommuneLine]:
    """``lines_locked`` without the lock (a dry run)."""
    return {
        line.pk: line
        for line in CommuneLine.objects.select_related(
            "plan__round__profile", "sector", "unit", "proposed_source"
        ).filter(plan=plan, pk__in=list(ids))
    }


def _no_op(step: _Step) -> bool:
    """A mark cleared on a line without one, a restore of a line that is not removed."""
    line, kind = step.line, step.change.kind
    if kind == "reviewed":
        return not line.review
    if kind == "restore":
        return not (line.organisation and line.state == LineState.REMOVED)
    return False


def commune_lines_check(
    *, actor: Any, plan: CommunePlan, changes: Sequence[CommuneLineChange]
) -> dict[str, int]:
    """What ``commune_lines_apply`` would do with ``changes`` (the lines added, changed,
    removed and restored), or the same ``ApplicationErrors``; nothing is written and nothing
    locked (a dry run: the API's ``?dry_run=1``)."""
    _plan, steps = _prepare(actor, plan, changes, lock=False)
    done = AppliedLines()
    for step in steps:
        if _no_op(step):
            continue
        kind = step.change.kind
        if kind == "add":
            done.added += 1
        elif kind == "change":
            done.changed += 1
        elif kind == "remove":
            done.removed += 1
        elif kind == "restore":
            done.restored += 1
    return done.counts()


@transaction.atomic
def commune_lines_apply(
    *, actor: Any, plan: CommunePlan, changes: Sequence[CommuneLineChange]
) -> AppliedLines:
    """Apply ``changes`` to the lines of ``plan``, all or nothing (``ApplicationErrors`` with
    every problem found; nothing written)."""
    plan, steps = _prepare(actor, plan, changes, lock=True)
    now = timezone.now()
    decided = [s.line.pk for s in steps if s.change.decision]
    funding_before = funding_by_line(decided) if decided else {}
    result = AppliedLines()
    added: list[CommuneLine] = []
    changed: dict[int, CommuneLine] = {}
    unfunded: list[int] = []
    entries: list[AuditEntry | None] = []
    later: list[tuple[CommuneLine, str, dict[str, Any], dict[str, Any]]] = []
    bumps = False
    for step in steps:
        line, change = step.line, step.change
        result.lines.append(line)
        if change.kind == "add":
            for name, value in step.values.items():
                setattr(line, name, value)
            line.expenditure_type = (
                change.data.get("expenditure_type") or line.sector.default_expenditure
            )
            added.append(line)
            bumps = True
            continue
        if _no_op(step):
            continue
        before = snapshot(line, _REVIEW if change.kind == "reviewed" else AUDIT_FIELDS)
        decision_before = (
            decision_state(line, funding_before.get(line.pk, {})) if change.decision else None
        )
        if change.kind == "change":
            result.changed += 1
            bumps = True
            if change.data or not change.decision:
                if _edit(step):
                    unfunded.append(line.pk)
                later.append((line, "update", before, snapshot(line, AUDIT_FIELDS)))
            if decision_before is not None:
                unfunded.append(line.pk)
                _decide(line, change, now, actor)
                later.append((line, "decision", decision_before, {}))
        elif change.kind == "remove":
            unfunded.append(line.pk)
            line.state = LineState.REMOVED
            result.removed += 1
            later.append((line, "delete", before, {}))
            bumps = True
        elif change.kind == "restore":
            line.state = LineState.ACTIVE
            line.decision = Decision.PENDING
            result.restored += 1
            later.append((line, "restore", {}, snapshot(line, AUDIT_FIELDS)))
            bumps = True
        elif change.kind == "reviewed":
            line.review = Review.NONE
            later.append((line, "update", before, snapshot(line, _REVIEW)))
        line.version += 1
        line.updated_at = now
        changed[line.pk] = line
    if unfunded:
        LineFunding.objects.filter(line_id__in=unfunded).delete()
    if added:
        CommuneLine.objects.bulk_create(added)
        result.added = len(added)
    if changed:
        CommuneLine.objects.bulk_update(list(changed.values()), _WRITTEN)
        parents = set(
            CommuneLine.objects.filter(split_from_id__in=list(changed))
            .exclude(state=LineState.REMOVED)
            .values_list("split_from_id", flat=True)
        )
        for pk in sorted(parents):
            apportion_parts(changed[pk])
    for line in added:
        entries.append(_entry(actor, plan, line, "create", {}, snapshot(line, AUDIT_FIELDS)))
    for line, operation, before, after in later:
        if operation == "decision":
            after = decision_state(line, {})
            operation = "update"
        entries.append(_entry(actor, plan, line, operation, before, after))
    audit_bulk(entries)
    if bumps:
        bump(plan)
    summaries_refresh(plan)
    return result


def _entry(
    actor: Any,
    plan: CommunePlan,
    line: CommuneLine,
    operation: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> AuditEntry | None:
    return audit_entry(
        actor=actor,
        plan_uid=plan.uid,
        obj=line,
        operation=operation,
        before=before or None,
        after=after or None,
    )
