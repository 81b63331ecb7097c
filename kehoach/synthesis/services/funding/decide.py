"""The planner's decisions by hand on commune lines (R16–R18), with the funding of each line
by envelope line.

``validate_line_funding`` is pure: given the plan's context (what is left of each envelope
line, the villages' classifications) it says what is wrong with one decision. The batch
writer ``line_fundings_apply`` decides many lines in one transaction (all or nothing, the
envelope consumed in order, one audit row per line); ``line_decide`` (the line's page) and the
F12 workbook call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_bulk, audit_entry
from kehoach.approvals.models import AuditEntry
from kehoach.core import bounds
from kehoach.core.errors import NotFoundError, Where
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, raise_errors

from ... import allocation as engine
from ...choices import Decision, DecisionOrigin, LineState, Review
from ...models import CommuneLine, CommunePlan, EnvelopeLine, LineFunding
from ...selectors import (
    amount_text,
    effective_counterpart,
    funding_by_line,
    lines_for_deciding,
    remaining_for,
)
from ...summaries import summaries_refresh
from ..common import bump, ensure_draft, money, money_text, require, require_editable
from ..decisions import decision_state
from ..eligibility import ineligibility, village_flags
from .labels import line_label, pot_label, villages_of

MANUAL_DECISIONS = (Decision.FUNDED, Decision.UNFUNDED, Decision.DEFERRED, Decision.REJECTED)


@dataclass
class FundingContext:
    """What judging a decision needs: the plan, what is left of each envelope line (pk →
    million VND, the line's own funding not counted), the villages' classifications and the
    villages each line serves (pk → villages)."""

    plan: CommunePlan
    left: dict[int, Decimal]
    flags: dict[int, set[str]]
    villages: dict[int, list[Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, plan: CommunePlan, lines: list[CommuneLine]) -> FundingContext:
        """The context of deciding these lines (loaded with their sources)."""
        return cls(
            plan=plan,
            left=remaining_for(plan),
            flags=village_flags(plan.round),
            villages={line.pk: villages_of(line) for line in lines},
        )


@dataclass
class FundingChange:
    """A decision by hand on a line: ``funding`` maps envelope lines to amounts."""

    line: CommuneLine
    decision: str
    reason: str
    funding: dict[EnvelopeLine, Decimal] | None = None


def validate_line_funding(
    context: FundingContext, line: CommuneLine, data: FundingChange
) -> list[Problem]:
    """What is wrong with deciding ``data`` on ``line`` (its own funding counted as free in
    ``context.left``): a decision from the list, a reason, amounts in bounds, and for a funded
    line amounts that add up to the support needed, from envelope lines that may pay for it and
    have that much left. A decision without a problem may be written as it is."""
    if line.state != LineState.ACTIVE:
        return [
            Problem(
                "decide_not_active",
                _("Line %(number)s is “%(state)s”; decide on the line it became.")
                % {"number": line.number, "state": line.get_state_display()},
            )
        ]
    if data.decision not in MANUAL_DECISIONS:
        return [
            Problem(
                "decision_invalid", _("Choose a decision from the list."), Where(field="decision")
            )
        ]
    reason = nfc(data.reason or "")
    if not reason:
        return [
            Problem(
                "reason_required",
                _("Write the reason for this decision; the village will read it."),
                Where(field="reason"),
            )
        ]
    problem = bounds.text_problem(bounds.limits_of(CommuneLine, "decision_reason"), reason)
    if problem is not None:
        return [Problem(problem[0], problem[1], Where(field="reason"))]
    for envelope_line, amount in (data.funding or {}).items():
        problem = bounds.number_problem(
            bounds.limits_of(LineFunding, "amount_mvnd"), amount or 0, money=True
        )
        if problem is not None:
            return [
                Problem(
                    problem[0],
                    _("Funding from envelope line %(number)s: %(problem)s")
                    % {"number": envelope_line.number, "problem": problem[1]},
                    Where(field="funding"),
                )
            ]
    draws = _draws(data)
    if data.decision == Decision.FUNDED:
        return _funding_problems(context, line, draws)
    if draws:
        return [
            Problem(
                "funding_not_funded",
                _(
                    "Only a funded line draws on the envelope; clear the amounts or choose "
                    "“funded”."
                ),
                Where(field="funding"),
            )
        ]
    return []


def _draws(data: FundingChange) -> dict[EnvelopeLine, Decimal]:
    return {e: money(Decimal(a)) for e, a in (data.funding or {}).items() if a and Decimal(a) > 0}


def _funding_problems(
    context: FundingContext, line: CommuneLine, draws: dict[EnvelopeLine, Decimal]
) -> list[Problem]:
    plan = context.plan
    problems: list[Problem] = []
    need = line.external_support_mvnd
    given = sum(draws.values(), Decimal(0))
    if given != need:
        problems.append(
            Problem(
                "funding_sum",
                _(
                    "The amounts add up to %(given)s million VND; the line needs %(need)s million "
                    "VND of external support."
                )
                % {"given": money_text(given), "need": money_text(need)},
                Where(field="funding"),
            )
        )
    villages = context.villages.get(line.pk, [])
    for envelope_line, amount in draws.items():
        if envelope_line.envelope.round_id != plan.round_id or envelope_line.deleted_at:
            raise NotFoundError()
        pot = engine.Pot(
            key=str(envelope_line.uid),
            source_code=envelope_line.source.code,
            label=pot_label(envelope_line),
            capacity=context.left.get(envelope_line.pk, Decimal(0)),
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
            flags=context.flags,
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
            problems.append(
                Problem(
                    "funding_ineligible",
                    _("%(pot)s cannot pay for this line: %(why)s.")
                    % {"pot": pot.label, "why": why},
                    Where(field=f"funding_{envelope_line.uid}"),
                )
            )
        elif amount > pot.capacity:
            problems.append(
                Problem(
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
    return problems


def check_line_fundings(
    context: FundingContext, changes: list[FundingChange]
) -> list[list[Problem]]:
    """The problems of each change, in order, as if the earlier ones were applied: what an
    earlier change draws (or frees) counts for the later ones. Pure: ``context.left`` is
    consumed on a copy."""
    left = dict(context.left)
    found: list[list[Problem]] = []
    for change in changes:
        own = {f.envelope_line_id: f.amount_mvnd for f in change.line.funding.all()}
        free = {pk: left.get(pk, Decimal(0)) + own.get(pk, Decimal(0)) for pk in left}
        problems = validate_line_funding(
            FundingContext(context.plan, free, context.flags, context.villages),
            change.line,
            change,
        )
        found.append(problems)
        if not any(p.is_error for p in problems):
            draws = _draws(change) if change.decision == Decision.FUNDED else {}
            left = dict(free)
            for envelope_line, amount in draws.items():
                left[envelope_line.pk] = left.get(envelope_line.pk, Decimal(0)) - amount
    return found


def _checked(
    plan: CommunePlan, lines: Iterable[CommuneLine], changes: list[FundingChange]
) -> tuple[dict[int, CommuneLine], list[FundingChange]]:
    """The changes on ``lines`` as read now (404 for a line not of the plan), every one checked
    in order (``check_line_fundings``): what the writer and the check share."""
    found = {line.pk: line for line in lines}
    for change in changes:
        if change.line.pk not in found:
            raise NotFoundError()
    current = [FundingChange(found[c.line.pk], c.decision, c.reason, c.funding) for c in changes]
    context = FundingContext.of(plan, list(found.values()))
    raise_errors(p for problems in check_line_fundings(context, current) for p in problems)
    return found, current


def line_fundings_check(
    *, actor: Any, plan: CommunePlan, changes: list[FundingChange]
) -> list[FundingChange]:
    """What ``line_fundings_apply`` would refuse, raised the same way, without writing or
    locking anything (a dry run): the same permission, draft and decision checks. Answers the
    changes as they would be applied (the lines as read now)."""
    require(actor, Action.EDIT_COMMUNE_PLAN, plan.round)
    ensure_draft(plan)
    return _checked(plan, lines_for_deciding(plan, [c.line.pk for c in changes]), changes)[1]


@transaction.atomic
def line_fundings_apply(
    *, actor: Any, plan: CommunePlan, changes: list[FundingChange]
) -> list[CommuneLine]:
    """Decide these lines by hand, all or none: the plan locked, the lines locked, every change
    checked in order (``check_line_fundings``), then the funding replaced in bulk, the lines
    updated in bulk and one audit row per line."""
    plan = require_editable(actor, plan)
    lines = lines_for_deciding(plan, [c.line.pk for c in changes]).select_for_update(of=("self",))
    locked, current = _checked(plan, lines, changes)
    before_funding = funding_by_line(locked)
    now = timezone.now()
    who = actor if getattr(actor, "pk", None) else None
    entries = []
    rows: list[LineFunding] = []
    for change in current:
        line = change.line
        draws = _draws(change)
        before = decision_state(line, before_funding.get(line.pk, {}))
        rows = [r for r in rows if r.line_id != line.pk]
        rows += [LineFunding(line=line, envelope_line=e, amount_mvnd=a) for e, a in draws.items()]
        line.decision = change.decision
        line.decision_origin = DecisionOrigin.MANUAL
        line.decision_reason = nfc(change.reason or "")
        line.decision_code = "manual"
        line.decision_params = {"funding": {e.source.code: str(a) for e, a in draws.items()}}
        line.decided_by = who
        line.decided_at = now
        line.review = Review.NONE
        line.version += 1
        line.updated_at = now
        entries.append(
            audit_entry(
                actor=actor,
                plan_uid=plan.uid,
                obj=line,
                operation=AuditEntry.Operation.UPDATE,
                before=before,
                after=decision_state(line, {str(e): amount_text(a) for e, a in draws.items()}),
            )
        )
    LineFunding.objects.filter(line_id__in=list(locked)).delete()
    LineFunding.objects.bulk_create(rows)
    CommuneLine.objects.bulk_update(
        list({c.line.pk: c.line for c in current}.values()),
        [
            "decision",
            "decision_origin",
            "decision_reason",
            "decision_code",
            "decision_params",
            "decided_by",
            "decided_at",
            "review",
            "version",
            "updated_at",
        ],
    )
    bump(plan)
    audit_bulk(entries)
    summaries_refresh(plan)
    return [c.line for c in current]


def line_decide(
    *,
    actor: Any,
    line: CommuneLine,
    decision: str,
    reason: str,
    funding: dict[EnvelopeLine, Decimal] | None = None,
) -> CommuneLine:
    """The planner decides on a line by hand, with a reason; the allocation keeps it."""
    return line_fundings_apply(
        actor=actor,
        plan=line.plan,
        changes=[FundingChange(line, decision, reason, funding)],
    )[0]


def line_decision_clear_check(*, actor: Any, line: CommuneLine) -> dict[str, int]:
    """What ``line_decision_clear`` would refuse, raised the same way, without writing or
    locking anything (a dry run); answers whether it would give a line back (a line not
    decided by hand is left as it is)."""
    require(actor, Action.EDIT_COMMUNE_PLAN, line.plan.round)
    ensure_draft(line.plan)
    return {"cleared": int(line.decision_origin == DecisionOrigin.MANUAL)}


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
    audit_bulk(
        [
            audit_entry(
                actor=actor,
                plan_uid=plan.uid,
                obj=current,
                operation=AuditEntry.Operation.UPDATE,
                before=before,
                after=decision_state(current, {}),
            )
        ]
    )
    summaries_refresh(plan)
    return current
