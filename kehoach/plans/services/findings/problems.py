"""Writes of the problems with their causes and solutions (F4): each checks the actor may edit
the draft plan, judges the values with ``validators.clean_problem``, finds the linked proposals
among the plan's alive lines (another's is refused as not found) and writes an audit row with
the problem and its solutions ("Bê tông hóa đường thôn → 1. Bê tông hóa đường xóm Trên")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_record, snapshot
from kehoach.core.errors import NotFoundError
from kehoach.core.validation import raise_errors

from ...models import Problem, ProposalLine, Solution, VillagePlan
from ..common import check_version, lock_editable, require_editable
from .fields import PROBLEM_FIELDS
from .selectors import plan_lines
from .validators import ProblemContext, clean_problem


def _cleaned(
    plan: VillagePlan, context: ProblemContext, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, list[ProposalLine]]]]:
    clean = clean_problem(context, data)
    raise_errors(clean.problems)
    return clean.values, [(text, plan_lines(plan, lines)) for text, lines in clean.solutions]


def _solution_state(solution: Solution) -> str:
    lines = [line for line in solution.lines.all() if line.deleted_at is None]
    if not lines:
        return solution.text
    return f"{solution.text} → " + "; ".join(str(line) for line in lines)


def _problem_state(problem: Problem) -> dict[str, Any]:
    """What the audit keeps of a problem: its fields and its solutions with the proposals
    each produced ("Bê tông hóa đường thôn → 1. Bê tông hóa đường xóm Trên")."""
    solutions = Solution.objects.filter(problem=problem).prefetch_related("lines")
    return {
        **snapshot(problem, PROBLEM_FIELDS),
        "solutions": [_solution_state(s) for s in solutions.order_by("position", "id")],
    }


def _save_solutions(
    problem: Problem, solutions: list[tuple[str, list[ProposalLine]]], *, replace: bool
) -> None:
    if replace:
        Solution.objects.filter(problem=problem).delete()
    for position, (text, lines) in enumerate(solutions, start=1):
        solution = Solution.objects.create(problem=problem, position=position, text=text)
        solution.lines.set(lines)


def _new_context(plan: VillagePlan) -> ProblemContext:
    return ProblemContext(problem_count=Problem.objects.filter(plan=plan).count())


def _update_judged(
    plan: VillagePlan, current: Problem, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, list[ProposalLine]]]]:
    """A change of ``current`` judged whole: keys missing from ``data`` keep their values."""
    saved: dict[str, Any] = {name: getattr(current, name) for name in PROBLEM_FIELDS}
    if "solutions" not in data:
        saved["solutions"] = [
            {"text": s.text, "lines": list(s.lines.filter(deleted_at__isnull=True))}
            for s in Solution.objects.filter(problem=current).order_by("position", "id")
        ]
    context = ProblemContext(
        problem_count=Problem.objects.filter(plan=plan).count(),
        is_new=False,
        current_sector_id=current.sector_id,
    )
    return _cleaned(plan, context, {**saved, **data})


def problem_check(
    *, actor: Any, plan: VillagePlan, data: Mapping[str, Any], problem: Problem | None = None
) -> dict[str, Any]:
    """``problem_create`` (or, given ``problem``, ``problem_update``)'s checks without writing
    or locking anything (a dry run, issue 17): the same refusals, or the values as they would
    be saved."""
    require_editable(actor, plan)
    if problem is None:
        return _cleaned(plan, _new_context(plan), data)[0]
    current = Problem.objects.select_related("sector").get(pk=problem.pk, plan=plan)
    return _update_judged(plan, current, data)[0]


def problem_delete_check(*, actor: Any, problem: Problem) -> None:
    """``problem_delete``'s checks without writing or locking anything (a dry run)."""
    require_editable(actor, problem.plan)


@transaction.atomic
def problem_create(*, actor: Any, plan: VillagePlan, data: Mapping[str, Any]) -> Problem:
    """Add a problem (F4). ``data``: ``sector`` (an active ``Sector``), ``problem`` (required),
    ``affected_households``, ``affected_poor``, ``affected_women``, ``affected_em`` (whole
    numbers, empty is 0; poor and ethnic-minority households at most the households affected),
    ``causes`` (one per line), ``priority`` (empty or 1..number of problems) and
    ``solutions``: a list of ``{"text": …, "lines": […]}``, each solution with the plan's
    alive proposals it produced (or a text, one solution per line, none linked)."""
    plan = lock_editable(actor, plan)
    values, solutions = _cleaned(plan, _new_context(plan), data)
    problem = Problem.objects.create(plan=plan, **values)
    _save_solutions(problem, solutions, replace=False)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=problem,
        operation="create",
        after=_problem_state(problem),
    )
    return problem


def _locked(plan: VillagePlan, problem: Problem, expected_version: int | None) -> Problem:
    """The problem locked for this transaction, its version checked under the lock (None: no
    check); gone meanwhile: not found."""
    current = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("sector")
        .filter(pk=problem.pk, plan=plan)
        .first()
    )
    if current is None:
        raise NotFoundError()
    what = _("the problem “%(problem)s”") % {"problem": current}
    check_version(current.version, expected_version, what=what)
    return current


@transaction.atomic
def problem_update(
    *,
    actor: Any,
    problem: Problem,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Problem:
    """Change a problem; keys missing from ``data`` keep their values (see ``problem_create``;
    ``solutions``, when given, replaces all of them). Refused (code ``conflict``) when
    ``expected_version``, the version the caller read, is not the one saved (checked under the
    lock; None: no check, the last save wins). The version is bumped."""
    plan = lock_editable(actor, problem.plan)
    current = _locked(plan, problem, expected_version)
    values, solutions = _update_judged(plan, current, data)
    before = _problem_state(current)
    for name, value in values.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    _save_solutions(current, solutions, replace=True)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=current,
        operation="update",
        before=before,
        after=_problem_state(current),
    )
    return current


@transaction.atomic
def problem_delete(*, actor: Any, problem: Problem, expected_version: int | None = None) -> None:
    """Delete the problem with its solutions; ``expected_version`` as ``problem_update``."""
    plan = lock_editable(actor, problem.plan)
    current = _locked(plan, problem, expected_version)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=current,
        operation="delete",
        before=_problem_state(current),
    )
    current.delete()
