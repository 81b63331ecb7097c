"""Allocating the envelope to the commune plan's lines (R16–R18) and the planner's overrides.

``allocation_run`` builds the allocation problem from the database — one pot per live
envelope line, one candidate per active line that the planner has not decided by hand — runs
both procedures of ``kehoach.synthesis.allocation`` (greedy by priority and score, and the
optimiser), stores both results for comparison and applies one of them (the greedy one unless
the process profile's ``policy.allocation_mode`` is "optimal"). The planner may apply the
other one instead as long as nothing the allocation depends on has changed since the run.

Lines decided by hand are fixed: their funding is taken from the envelope first, and the
allocation never changes them. A hand decision needs a reason; "funded" by hand must still
respect eligibility, the counterpart rule and what is left of each envelope line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_bulk, audit_entry
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError

from ... import allocation as engine
from ...choices import AllocationMode, Decision, DecisionOrigin, Firmness, LineState
from ...models import AllocationResult, AllocationRun, CommuneLine, CommunePlan, LineFunding
from ...selectors import (
    amount_text,
    effective_counterpart,
    envelope_lines,
    funding_by_line,
    lines_with_sources,
)
from ...summaries import summaries_refresh
from ..common import ensure_draft, money, require, require_editable
from ..decisions import decision_state
from ..eligibility import ineligibility, village_flags
from ..scoring import line_scores
from .labels import line_label, pot_label, villages_of

FIRMNESS_ORDER: dict[str, int] = {
    Firmness.NOTIFIED: 0,
    Firmness.INDICATIVE: 1,
    Firmness.EXPECTED: 2,
}
DEFAULT_WEIGHTS = {"1": 3, "2": 2, "3": 1, "none": 1}
"""Priority weights of the optimiser's objective [I]; a profile may set
``priority_weights`` (``profile.policy.priority_weight``)."""


def _weight(plan: CommunePlan, priority: int | None) -> Decimal:
    return plan.round.profile.policy.priority_weight(priority)


class AllocationProblem:
    """The allocation problem of a plan as the engine sees it, with the maps back to rows."""

    def __init__(self, plan: CommunePlan) -> None:
        self.plan = plan
        self.envelope_lines = envelope_lines(plan.round)
        self.by_key = {str(e.uid): e for e in self.envelope_lines}
        self.lines = lines_with_sources(plan)
        self.line_by_key = {str(line.uid): line for line in self.lines}
        self.scores = line_scores(plan, self.lines)
        fixed = (
            LineFunding.objects.filter(
                line__plan=plan,
                line__state=LineState.ACTIVE,
                line__decision_origin=DecisionOrigin.MANUAL,
            )
            .values("envelope_line_id")
            .annotate(total=Sum("amount_mvnd"))
        )
        self.fixed_use = {row["envelope_line_id"]: row["total"] for row in fixed}
        flags = village_flags(plan.round)
        year = plan.round.plan_year
        self.pots = [
            engine.Pot(
                key=str(e.uid),
                source_code=e.source.code,
                label=pot_label(e),
                capacity=max(e.amount_mvnd - self.fixed_use.get(e.pk, Decimal(0)), Decimal(0)),
                sector_code=e.sector.code if e.sector_id else None,  # type: ignore[union-attr]
                sector_name=e.sector.name if e.sector_id else None,  # type: ignore[union-attr]
                expenditure=e.expenditure_type or None,
                counterpart_pct=effective_counterpart(e),
                order=FIRMNESS_ORDER.get(e.firmness, 9) * 1_000_000
                + e.source.sort_order * 1_000
                + e.number,
            )
            for e in self.envelope_lines
        ]
        listed = {e.pk: {v.pk for v in e.area_villages.all()} for e in self.envelope_lines}
        self.candidates = []
        for line in self.lines:
            if line.decision_origin == DecisionOrigin.MANUAL:
                continue
            villages = villages_of(line)
            blocked = {}
            for e in self.envelope_lines:
                why = ineligibility(
                    e,
                    year=year,
                    activity=line.activity,
                    villages=villages,
                    flags=flags,
                    listed=listed[e.pk],
                )
                if why:
                    blocked[str(e.uid)] = why
            self.candidates.append(
                engine.Candidate(
                    key=str(line.uid),
                    label=line_label(line),
                    need=line.external_support_mvnd,
                    total_cost=line.total_cost_mvnd,
                    contribution=line.contribution_mvnd,
                    sector_code=line.sector.code,
                    expenditure=line.expenditure_type,
                    priority=line.village_priority,
                    rank=self.scores[line.pk].rank,
                    weight=_weight(plan, line.village_priority),
                    proposed_source=line.proposed_source.code if line.proposed_source_id else None,  # type: ignore[union-attr]
                    ineligible=blocked,
                )
            )


def _store(
    actor: Any,
    plan: CommunePlan,
    mode: str,
    problem: AllocationProblem,
    outcomes: list[engine.Outcome],
) -> AllocationRun:
    funded = [o for o in outcomes if o.funded]
    needs = {c.key: c for c in problem.candidates}
    run = AllocationRun.objects.create(
        plan=plan,
        mode=mode,
        data_version=plan.data_version,
        objective=money(engine.objective(outcomes, problem.candidates)),
        funded_mvnd=sum((needs[o.key].need for o in funded), Decimal(0)),
        funded_count=len(funded),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    AllocationResult.objects.bulk_create(
        [
            AllocationResult(
                run=run,
                line=problem.line_by_key[o.key],
                position=position,
                funded=o.funded,
                draws={key: str(amount) for key, amount in o.draws.items()},
                reason_code=o.reason.code,
                reason_params=_jsonable(o.reason.params),
                reason=o.reason.text,
            )
            for position, o in enumerate(outcomes, start=1)
        ]
    )
    return run


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def allocation_run(*, actor: Any, plan: CommunePlan) -> dict[str, AllocationRun]:
    """Run both procedures on the plan as it is, store them and apply the default one."""
    plan = require_editable(actor, plan)
    problem = AllocationProblem(plan)
    runs: dict[str, AllocationRun] = {
        mode: _store(actor, plan, mode, problem, outcomes)
        for mode, outcomes in _outcomes(problem).items()
    }
    _apply(actor, plan, runs[applied_mode(plan)])
    summaries_refresh(plan)
    return runs


def _outcomes(problem: AllocationProblem) -> dict[str, list[engine.Outcome]]:
    """Both procedures' outcomes on the problem (greedy first)."""
    return {
        AllocationMode.GREEDY: engine.allocate_greedy(problem.pots, problem.candidates),
        AllocationMode.OPTIMAL: engine.allocate_optimal(problem.pots, problem.candidates),
    }


def applied_mode(plan: CommunePlan) -> str:
    """The procedure whose result a run applies: the profile's, else the greedy one."""
    default = plan.round.profile.policy.allocation_mode
    return default if default in AllocationMode.values else AllocationMode.GREEDY


def allocation_check(*, actor: Any, plan: CommunePlan) -> dict[str, dict[str, Any]]:
    """What ``allocation_run`` would decide now, without storing, applying or locking
    anything (a dry run): the same permission and draft checks, the same problem and both
    procedures. Per procedure: lines funded, million VND funded, whether it would be applied,
    and each line's outcome (line uid → funded, reason)."""
    require(actor, Action.EDIT_COMMUNE_PLAN, plan.round)
    ensure_draft(plan)
    problem = AllocationProblem(plan)
    needs = {c.key: c.need for c in problem.candidates}
    applied = applied_mode(plan)
    found: dict[str, dict[str, Any]] = {}
    for mode, outcomes in _outcomes(problem).items():
        funded = [o for o in outcomes if o.funded]
        found[mode] = {
            "funded_count": len(funded),
            "funded_mvnd": sum((needs[o.key] for o in funded), Decimal(0)),
            "applied": mode == applied,
            "lines": [
                {"line_uid": o.key, "funded": o.funded, "reason": o.reason.text} for o in outcomes
            ],
        }
    return found


def _ensure_fresh(plan: CommunePlan, run: AllocationRun) -> None:
    """A run computed before the plan or its envelope changed cannot be applied."""
    if run.data_version != plan.data_version:
        raise ApplicationError(
            "run_stale",
            _(
                "The plan or the envelope changed after this allocation was run; run the "
                "allocation again."
            ),
        )


def _applies_to(line: CommuneLine) -> bool:
    """A run decides an active line not decided by hand."""
    return line.state == LineState.ACTIVE and line.decision_origin != DecisionOrigin.MANUAL


def allocation_apply_check(*, actor: Any, run: AllocationRun) -> dict[str, int]:
    """What ``allocation_apply`` would refuse, raised the same way, without writing or locking
    anything (a dry run): the same permission, draft and freshness checks. Answers how many
    lines the run would decide, funded or not."""
    plan = run.plan
    require(actor, Action.EDIT_COMMUNE_PLAN, plan.round)
    ensure_draft(plan)
    _ensure_fresh(plan, run)
    results = [r for r in run.results.select_related("line") if _applies_to(r.line)]
    funded = sum(1 for r in results if r.funded)
    return {"decided": len(results), "funded": funded, "unfunded": len(results) - funded}


def _apply(actor: Any, plan: CommunePlan, run: AllocationRun) -> None:
    _ensure_fresh(plan, run)
    envelope = {str(e.uid): e for e in envelope_lines(plan.round)}
    results = list(run.results.select_related("line"))
    lines = {
        line.pk: line
        for line in CommuneLine.objects.select_for_update(of=("self",)).filter(
            pk__in=[r.line_id for r in results]
        )
    }
    now = timezone.now()
    who = actor if getattr(actor, "pk", None) else None
    funded_before = funding_by_line(lines)
    LineFunding.objects.filter(line_id__in=lines).delete()
    funding = []
    entries = []
    for result in results:
        line = lines[result.line_id]
        if not _applies_to(line):
            continue
        before = decision_state(line, funded_before.get(line.pk, {}))
        line.decision = Decision.FUNDED if result.funded else Decision.UNFUNDED
        line.decision_origin = DecisionOrigin.ALLOCATION
        line.decision_reason = result.reason
        line.decision_code = result.reason_code
        line.decision_params = result.reason_params
        line.decided_by = who
        line.decided_at = now
        line.save()
        funded_after: dict[str, str] = {}
        for key, amount in result.draws.items():
            if Decimal(amount) > 0:
                funding.append(
                    LineFunding(line=line, envelope_line=envelope[key], amount_mvnd=Decimal(amount))
                )
                funded_after[str(envelope[key])] = amount_text(Decimal(amount))
        entries.append(
            audit_entry(
                actor=actor,
                plan_uid=plan.uid,
                obj=line,
                operation=AuditEntry.Operation.UPDATE,
                before=before,
                after=decision_state(line, funded_after),
            )
        )
    LineFunding.objects.bulk_create(funding)
    audit_bulk(entries)
    AllocationRun.objects.filter(plan=plan).update(applied_at=None)
    run.applied_at = now
    run.save(update_fields=["applied_at", "updated_at"])


@transaction.atomic
def allocation_apply(*, actor: Any, run: AllocationRun) -> AllocationRun:
    """Apply a stored run (for instance the optimised one instead of the greedy one)."""
    plan = require_editable(actor, run.plan)
    _apply(actor, plan, run)
    summaries_refresh(plan)
    return run
