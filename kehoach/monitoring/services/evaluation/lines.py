"""The evaluation of each work (F15 a): one batch writer, ``line_evaluations_apply``, and the
single-work save the page uses as a one-change call to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_bulk, audit_entry, snapshot
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.validation import Problem, raise_errors
from kehoach.plans.services.common import check_version
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan

from ...models import LineEvaluation
from ...selectors import works_of
from ...validators.evaluation import LINE_FIELDS, clean_line_evaluation
from ..common import require_monitor
from .selectors import _row, _works_query


@dataclass(frozen=True)
class LineEvaluationChange:
    """The evaluation of one work as typed; ``expected_version`` is the version the user opened
    (0 when there was none yet, None to not check)."""

    line: CommuneLine
    values: Mapping[str, Any]
    expected_version: int | None = None


@dataclass
class LineEvaluationsResult:
    evaluations: list[LineEvaluation]
    created: int = 0
    updated: int = 0


def _works(
    actor: Any, plan: CommunePlan, lines: Sequence[CommuneLine], *, lock: bool = True
) -> dict[int, CommuneLine]:
    """The works (locked unless only checked), if the actor may evaluate them: funded lines of
    the plan."""
    rows = (
        CommuneLine.objects.select_for_update(of=("self",)) if lock else CommuneLine.objects.all()
    )
    locked = {
        line.pk: line
        for line in rows.select_related("plan__round__commune", "unit", "sector")
        .filter(plan=plan, pk__in={line.pk for line in lines})
        .order_by("pk")
    }
    if any(line.pk not in locked for line in lines):
        raise NotFoundError()
    require_monitor(actor, next(iter(locked.values())).plan, Action.EVALUATE_PLAN)
    for line in lines:
        work = locked[line.pk]
        if work.state != LineState.ACTIVE or work.decision != Decision.FUNDED:
            raise ApplicationError(
                "not_a_work",
                _(
                    "Line %(number)s is not a funded work of the plan; only funded works are "
                    "followed."
                )
                % {"number": work.number},
            )
    return locked


@dataclass(frozen=True)
class _Planned:
    """One change checked: its work, its clean values and the evaluation saved now (None)."""

    change: LineEvaluationChange
    work: CommuneLine
    values: dict[str, Any]
    current: LineEvaluation | None


def _planned(
    actor: Any, target: CommunePlan, changes: Sequence[LineEvaluationChange], *, lock: bool
) -> list[_Planned]:
    """Every check of ``line_evaluations_apply`` (who may, the works, every problem of every
    work, the versions), shared with ``line_evaluations_check``."""
    works = _works(actor, target, [c.line for c in changes], lock=lock)
    rows = {line.pk: _row(line) for line in _works_query(works_of(target).filter(pk__in=works))}
    problems: list[Problem] = []
    cleaned: list[tuple[LineEvaluationChange, dict[str, Any]]] = []
    for position, change in enumerate(changes, start=1):
        values, found = clean_line_evaluation(rows[change.line.pk], change.values)
        # each problem names its change's position (the API's batch: where.line)
        problems += [replace(p, where=Where(field=p.where.field, row=position)) for p in found]
        cleaned.append((change, values))
    raise_errors(problems)
    what = _("the evaluation of this work")
    planned = []
    for change, values in cleaned:
        current = rows[change.line.pk].evaluation
        check_version(current.version if current else 0, change.expected_version, what=what)
        planned.append(_Planned(change, works[change.line.pk], values, current))
    return planned


def _changes_something(item: _Planned) -> bool:
    current = item.current
    return current is None or any(getattr(current, k) != v for k, v in item.values.items())


def line_evaluations_check(
    *, actor: Any, target: CommunePlan, changes: Sequence[LineEvaluationChange]
) -> dict[str, int]:
    """What ``line_evaluations_apply`` would answer, by its own checks, writing nothing and
    locking nothing (a dry run of the API): how many evaluations it would create and change,
    or the same refusal."""
    if not changes:
        return {"created": 0, "updated": 0}
    planned = _planned(actor, target, changes, lock=False)
    return {
        "created": sum(1 for p in planned if p.current is None),
        "updated": sum(1 for p in planned if p.current is not None and _changes_something(p)),
    }


@transaction.atomic
def line_evaluations_apply(
    *, actor: Any, target: CommunePlan, changes: Sequence[LineEvaluationChange]
) -> LineEvaluationsResult:
    """Write the evaluation of each work in ``changes`` (created or updated), all or none: every
    problem of every work is listed before anything is saved; an evaluation saved by someone
    else since the user opened it is refused. One audit row per evaluation that changed."""
    if not changes:
        return LineEvaluationsResult([])
    planned = _planned(actor, target, changes, lock=True)

    by = actor if getattr(actor, "pk", None) else None
    now = timezone.now()
    created: list[LineEvaluation] = []
    updated: list[tuple[LineEvaluation, dict[str, Any]]] = []
    result: list[LineEvaluation] = []
    for item in planned:
        current, values = item.current, item.values
        if current is None:
            current = LineEvaluation(line=item.work, evaluated_by=by, **values)
            created.append(current)
        else:
            before = snapshot(current, LINE_FIELDS)
            for name, value in values.items():
                setattr(current, name, value)
            if snapshot(current, LINE_FIELDS) != before:
                current.version += 1
                current.evaluated_by_id = getattr(by, "pk", None)
                current.updated_at = now
                updated.append((current, before))
        result.append(current)
    if created:
        LineEvaluation.objects.bulk_create(created)
    if updated:
        LineEvaluation.objects.bulk_update(
            [e for e, _before in updated], [*LINE_FIELDS, "version", "evaluated_by", "updated_at"]
        )
    audit_bulk(
        [
            *(
                audit_entry(
                    actor=actor,
                    plan_uid=target.uid,
                    obj=e,
                    operation="create",
                    after=snapshot(e, LINE_FIELDS),
                )
                for e in created
            ),
            *(
                audit_entry(
                    actor=actor,
                    plan_uid=target.uid,
                    obj=e,
                    operation="update",
                    before=before,
                    after=snapshot(e, LINE_FIELDS),
                )
                for e, before in updated
            ),
        ]
    )
    return LineEvaluationsResult(result, created=len(created), updated=len(updated))


def line_evaluation_save(
    *,
    actor: Any,
    line: CommuneLine,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> LineEvaluation:
    """Write the evaluation of one work (F15 a). ``expected_version`` is the version the user
    opened (0 when there was none yet); a record saved by someone else since is refused."""
    result = line_evaluations_apply(
        actor=actor,
        target=line.plan,
        changes=[LineEvaluationChange(line, data, expected_version)],
    )
    return result.evaluations[0]
