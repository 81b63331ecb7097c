"""Allocating the envelope to the commune plan's lines (R16–R18) and the planner's overrides.

``allocation_run`` builds the allocation problem from the database — one pot per live
envelope line, one candidate per active line that the planner has not decided by hand — runs
both procedures of ``kehoach.synthesis.allocation`` (greedy by priority and score, and the
optimiser), stores both results for comparison and applies one of them (the greedy one unless
the process profile says ``extra["allocation_mode"] = "optimal"``). The planner may apply the
other one instead as long as nothing the allocation depends on has changed since the run.

Lines decided by hand are fixed: their funding is taken from the envelope first, and the
allocation never changes them. A hand decision needs a reason; "funded" by hand must still
respect eligibility, the counterpart rule and what is left of each envelope line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_bulk, audit_entry, audit_record, snapshot
from kehoach.approvals.models import AuditEntry
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.core.text import nfc

from .. import allocation as engine
from ..choices import AllocationMode, Decision, DecisionOrigin, Firmness, LineState, Review
from ..models import (
    AllocationResult,
    AllocationRun,
    CommuneLine,
    CommunePlan,
    EnvelopeLine,
    LineFunding,
)
from .common import bump, envelope_for, money, money_text, require_editable
from .eligibility import ineligibility, village_flags
from .envelope import effective_counterpart
from .lines import lines_with_sources
from .scoring import line_scores

DECISION_AUDIT = ["decision", "decision_origin", "decision_reason"]
"""A line's decision as its history shows it; ``decision_state`` adds the funding (amount per
envelope line), so a change of source or amount with the same decision is recorded too."""
MANUAL_DECISIONS = (Decision.FUNDED, Decision.UNFUNDED, Decision.DEFERRED, Decision.REJECTED)
FIRMNESS_ORDER: dict[str, int] = {
    Firmness.NOTIFIED: 0,
    Firmness.INDICATIVE: 1,
    Firmness.EXPECTED: 2,
}
DEFAULT_WEIGHTS = {"1": 3, "2": 2, "3": 1, "none": 1}
"""Priority weights of the optimiser's objective [I]; a profile may set
``extra["priority_weights"]`` (keys are the priority numbers and "none")."""


def pot_label(envelope_line: EnvelopeLine) -> str:
    if envelope_line.sector_id:
        return _("%(source)s, sector %(sector)s") % {
            "source": envelope_line.source.code,
            "sector": envelope_line.sector.name,  # type: ignore[union-attr]
        }
    return envelope_line.source.code


def line_label(line: CommuneLine) -> str:
    return _("Line %(number)s – %(activity)s") % {"number": line.number, "activity": line.activity}


def _weight(plan: CommunePlan, priority: int | None) -> Decimal:
    weights = {
        **DEFAULT_WEIGHTS,
        **((plan.round.profile.extra or {}).get("priority_weights") or {}),
    }
    value = weights.get(str(priority) if priority is not None else "none", weights["none"])
    return Decimal(str(value))


def _villages(line: CommuneLine) -> list[Any]:
    seen: dict[int, Any] = {}
    for source in line.sources.all():
        if not source.withdrawn:
            village = source.village_line.plan.village
            seen[village.pk] = village
    return list(seen.values())


def _envelope_lines(plan: CommunePlan) -> list[EnvelopeLine]:
    envelope = envelope_for(plan.round)
    return list(
        envelope.lines.alive()
        .select_related("source", "sector")
        .prefetch_related("area_villages")
        .order_by("number")
    )


def _amount(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def funding_by_line(line_ids: Any) -> dict[int, dict[str, str]]:
    """line id → {"1. NTP26": "500", …}: the funding of these lines, in one query."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for row in (
        LineFunding.objects.filter(line_id__in=list(line_ids))
        .select_related("envelope_line__source")
        .order_by("envelope_line__number")
    ):
        found[row.line_id][str(row.envelope_line)] = _amount(row.amount_mvnd)
    return found


def decision_state(
    line: CommuneLine, funding: dict[str, str], fields: list[str] = DECISION_AUDIT
) -> dict[str, Any]:
    """What the history keeps of a line's decision: its fields and its funding."""
    return {**snapshot(line, fields), "funding": dict(funding)}


def decisions_audit(
    actor: Any, lines: list[CommuneLine], fields: list[str] = DECISION_AUDIT
) -> Callable[[], None]:
    """For a write that changes the decisions and funding of many lines (with their plans
    loaded): takes their state now, and returns the function to call once they are written,
    which records one audit row per changed line in one query. Used where the write lives
    elsewhere (the envelope takes funding back)."""
    funding = funding_by_line(line.pk for line in lines)
    before = {line.pk: decision_state(line, funding.get(line.pk, {}), fields) for line in lines}

    def write() -> None:
        now = funding_by_line(line.pk for line in lines)
        audit_bulk(
            audit_entry(
                actor=actor,
                plan_uid=line.plan.uid,
                obj=line,
                operation=AuditEntry.Operation.UPDATE,
                before=before[line.pk],
                after=decision_state(line, now.get(line.pk, {}), fields),
            )
            for line in lines
        )

    return write


class Problem:
    """The allocation problem of a plan as the engine sees it, with the maps back to rows."""

    def __init__(self, plan: CommunePlan) -> None:
        self.plan = plan
        self.envelope_lines = _envelope_lines(plan)
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
            villages = _villages(line)
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
    actor: Any, plan: CommunePlan, mode: str, problem: Problem, outcomes: list[engine.Outcome]
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
    problem = Problem(plan)
    runs: dict[str, AllocationRun] = {
        AllocationMode.GREEDY: _store(
            actor,
            plan,
            AllocationMode.GREEDY,
            problem,
            engine.allocate_greedy(problem.pots, problem.candidates),
        ),
        AllocationMode.OPTIMAL: _store(
            actor,
            plan,
            AllocationMode.OPTIMAL,
            problem,
            engine.allocate_optimal(problem.pots, problem.candidates),
        ),
    }
    default = (plan.round.profile.extra or {}).get("allocation_mode", AllocationMode.GREEDY)
    _apply(actor, plan, runs.get(default, runs[AllocationMode.GREEDY]))
    return runs


def _apply(actor: Any, plan: CommunePlan, run: AllocationRun) -> None:
    if run.data_version != plan.data_version:
        raise ApplicationError(
            "run_stale",
            _(
                "The plan or the envelope changed after this allocation was run; run the "
                "allocation again."
            ),
        )
    envelope = {str(e.uid): e for e in _envelope_lines(plan)}
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
        if line.state != LineState.ACTIVE or line.decision_origin == DecisionOrigin.MANUAL:
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
                funded_after[str(envelope[key])] = _amount(Decimal(amount))
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
    return run


def remaining_for(plan: CommunePlan, *, excluding: CommuneLine | None = None) -> dict[int, Decimal]:
    """What is left of each live envelope line, not counting ``excluding``'s own funding."""
    used = LineFunding.objects.filter(
        envelope_line__envelope__round=plan.round, line__state=LineState.ACTIVE
    )
    if excluding is not None:
        used = used.exclude(line=excluding)
    totals = dict(used.values_list("envelope_line_id").annotate(total=Sum("amount_mvnd")))
    return {e.pk: e.amount_mvnd - (totals.get(e.pk) or Decimal(0)) for e in _envelope_lines(plan)}


@transaction.atomic
def line_decide(
    *,
    actor: Any,
    line: CommuneLine,
    decision: str,
    reason: str,
    funding: dict[EnvelopeLine, Decimal] | None = None,
) -> CommuneLine:
    """The planner decides on a line by hand, with a reason; the allocation keeps it."""
    plan = require_editable(actor, line.plan)
    current = CommuneLine.objects.select_for_update(of=("self",)).get(pk=line.pk)
    if current.plan_id != plan.pk:
        raise NotFoundError()
    if current.state != LineState.ACTIVE:
        raise ApplicationError(
            "decide_not_active",
            _("Line %(number)s is “%(state)s”; decide on the line it became.")
            % {"number": current.number, "state": current.get_state_display()},
        )
    if decision not in MANUAL_DECISIONS:
        raise ApplicationError(
            "decision_invalid", _("Choose a decision from the list."), Where(field="decision")
        )
    reason = nfc(reason or "")
    if not reason:
        raise ApplicationError(
            "reason_required",
            _("Write the reason for this decision; the village will read it."),
            Where(field="reason"),
        )
    problem = bounds.text_problem(bounds.limits_of(CommuneLine, "decision_reason"), reason)
    if problem is not None:
        raise ApplicationError(problem[0], problem[1], Where(field="reason"))
    for envelope_line, amount in (funding or {}).items():
        problem = bounds.number_problem(
            bounds.limits_of(LineFunding, "amount_mvnd"), amount or 0, money=True
        )
        if problem is not None:
            raise ApplicationError(
                problem[0],
                _("Funding from envelope line %(number)s: %(problem)s")
                % {"number": envelope_line.number, "problem": problem[1]},
                Where(field="funding"),
            )
    draws = {e: money(Decimal(a)) for e, a in (funding or {}).items() if a and Decimal(a) > 0}
    if decision == Decision.FUNDED:
        _check_manual_funding(plan, current, draws)
    elif draws:
        raise ApplicationError(
            "funding_not_funded",
            _("Only a funded line draws on the envelope; clear the amounts or choose “funded”."),
            Where(field="funding"),
        )
    before = decision_state(current, funding_by_line([current.pk]).get(current.pk, {}))
    LineFunding.objects.filter(line=current).delete()
    for envelope_line, amount in draws.items():
        LineFunding.objects.create(line=current, envelope_line=envelope_line, amount_mvnd=amount)
    current.decision = decision
    current.decision_origin = DecisionOrigin.MANUAL
    current.decision_reason = reason
    current.decision_code = "manual"
    current.decision_params = {
        "funding": {e.source.code: str(a) for e, a in draws.items()},
    }
    current.decided_by = actor if getattr(actor, "pk", None) else None
    current.decided_at = timezone.now()
    current.review = Review.NONE
    current.version += 1
    current.save()
    bump(plan)
    _record_decision(actor, plan, current, before, {str(e): _amount(a) for e, a in draws.items()})
    return current


def _record_decision(
    actor: Any,
    plan: CommunePlan,
    line: CommuneLine,
    before: dict[str, Any],
    funding: dict[str, str],
) -> None:
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=line,
        operation=AuditEntry.Operation.UPDATE,
        before=before,
        after=decision_state(line, funding),
    )


def _check_manual_funding(
    plan: CommunePlan, line: CommuneLine, draws: dict[EnvelopeLine, Decimal]
) -> None:
    errors: list[ApplicationError] = []
    need = line.external_support_mvnd
    given = sum(draws.values(), Decimal(0))
    if given != need:
        errors.append(
            ApplicationError(
                "funding_sum",
                _(
                    "The amounts add up to %(given)s million VND; the line needs %(need)s million "
                    "VND of external support."
                )
                % {"given": money_text(given), "need": money_text(need)},
                Where(field="funding"),
            )
        )
    left = remaining_for(plan, excluding=line)
    lines = lines_with_sources(plan)
    full = next((x for x in lines if x.pk == line.pk), line)
    villages = _villages(full)
    flags = village_flags(plan.round)
    for envelope_line, amount in draws.items():
        if envelope_line.envelope.round_id != plan.round_id or envelope_line.deleted_at:
            raise NotFoundError()
        pot = engine.Pot(
            key=str(envelope_line.uid),
            source_code=envelope_line.source.code,
            label=pot_label(envelope_line),
            capacity=left.get(envelope_line.pk, Decimal(0)),
            sector_code=envelope_line.sector.code if envelope_line.sector_id else None,  # type: ignore[union-attr]
            sector_name=envelope_line.sector.name if envelope_line.sector_id else None,  # type: ignore[union-attr]
            expenditure=envelope_line.expenditure_type or None,
            counterpart_pct=effective_counterpart(envelope_line),
        )
        why = ineligibility(
            envelope_line,
            year=plan.round.plan_year,
            activity=line.activity,
            villages=villages,
            flags=flags,
            listed={v.pk for v in envelope_line.area_villages.all()},
        )
        candidate = engine.Candidate(
            key=str(line.uid),
            label=line_label(line),
            need=need,
            total_cost=line.total_cost_mvnd,
            contribution=line.contribution_mvnd,
            sector_code=line.sector.code,
            expenditure=line.expenditure_type,
            priority=line.village_priority,
            rank=1,
            weight=Decimal(1),
            ineligible={pot.key: why} if why else {},
        )
        why = engine.eligibility(pot, candidate)
        if why:
            errors.append(
                ApplicationError(
                    "funding_ineligible",
                    _("%(pot)s cannot pay for this line: %(why)s.")
                    % {"pot": pot.label, "why": why},
                    Where(field=f"funding_{envelope_line.uid}"),
                )
            )
        elif amount > pot.capacity:
            errors.append(
                ApplicationError(
                    "funding_over_envelope",
                    _("Over the %(pot)s envelope: %(left)s million left, %(need)s million asked.")
                    % {
                        "pot": pot.label,
                        "left": money_text(pot.capacity),
                        "need": money_text(amount),
                    },
                    Where(field=f"funding_{envelope_line.uid}"),
                )
            )
    if errors:
        raise ApplicationErrors(errors)


@transaction.atomic
def line_decision_clear(*, actor: Any, line: CommuneLine) -> CommuneLine:
    """Give a line decided by hand back to the allocation (not decided until the next run)."""
    plan = require_editable(actor, line.plan)
    current = CommuneLine.objects.select_for_update(of=("self",)).get(pk=line.pk)
    if current.decision_origin != DecisionOrigin.MANUAL:
        return current
    before = decision_state(current, funding_by_line([current.pk]).get(current.pk, {}))
    LineFunding.objects.filter(line=current).delete()
    current.decision = Decision.PENDING
    current.decision_origin = DecisionOrigin.NONE
    current.decision_reason = ""
    current.decision_code = ""
    current.decision_params = {}
    current.version += 1
    current.save()
    bump(plan)
    _record_decision(actor, plan, current, before, {})
    return current


def runs_to_compare(plan: CommunePlan) -> dict[str, AllocationRun | None]:
    """The latest run of each mode (for the side-by-side view)."""
    latest: dict[str, AllocationRun | None] = defaultdict(lambda: None)
    for run in AllocationRun.objects.filter(plan=plan).order_by("-created_at", "-id")[:10]:
        if latest[run.mode] is None:
            latest[run.mode] = run
    return {mode: latest[mode] for mode in AllocationMode.values}
