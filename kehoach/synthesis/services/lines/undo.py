"""Undoing a merge (the merged lines come back with the decision and funding they had, if the
envelope still has room) or a split (the parts are removed, the line comes back)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_record, snapshot
from kehoach.approvals.models import StatusChange

from ...choices import Decision, LineState, Review
from ...models import CommuneLine, CommunePlan, LineFunding, SynthesisOperation
from ...selectors import envelope_use
from ...summaries import summaries_refresh
from ..common import bump, check_version, ensure_draft, require, require_editable
from .fields import AUDIT_FIELDS, DECISION_FIELDS
from .operations import refuse
from .values import line_locked, reset_decision


def _restore_decision(line: CommuneLine) -> None:
    """Put back the decision and funding a line had before a merge or split, if the envelope
    still has room for that funding; otherwise the line waits for the next allocation."""
    saved = line.restore or {}
    for name in DECISION_FIELDS:
        default: Any = {} if name == "decision_params" else ""
        setattr(line, name, saved.get(name, default))
    if not saved.get("decision"):
        line.decision = Decision.PENDING
    funding = saved.get("funding") or {}
    if line.decision == Decision.FUNDED:
        left = {row["line"].pk: row["left"] for row in envelope_use(line.plan.round.envelope)}
        fits = all(
            int(key) in left and left[int(key)] >= Decimal(amount)
            for key, amount in funding.items()
        )
        if fits:
            for key, amount in funding.items():
                LineFunding.objects.create(
                    line=line, envelope_line_id=int(key), amount_mvnd=Decimal(amount)
                )
        else:
            reset_decision(
                line,
                _("The envelope no longer has room for the funding this line had."),
                Review.CHANGED,
            )
    line.restore = {}


def _undo_refusals(op: SynthesisOperation, line: CommuneLine) -> None:
    """Why ``op`` (on ``line``, as saved now) cannot be undone: the undo's checks, shared by
    ``operation_undo`` and ``operation_undo_check``."""
    if op.undone_at is not None:
        raise refuse("undo_done", _("This has already been undone."))
    if op.kind == SynthesisOperation.Kind.MERGE:
        if line.state != LineState.ACTIVE or line.parts.exists():
            raise refuse(
                "undo_merge_blocked",
                _("Line %(number)s has been merged or split again since; undo that first.")
                % {"number": line.number},
            )
        return
    parts = line.parts.exclude(state=LineState.REMOVED)
    if line.state != LineState.SPLIT or parts.exclude(state=LineState.ACTIVE).exists():
        raise refuse(
            "undo_split_blocked",
            _("A part of line %(number)s has been merged since; undo that first.")
            % {"number": line.number},
        )


def last_operation(line: CommuneLine) -> SynthesisOperation | None:
    """The last merge or split made on ``line`` (the merged line, or the split one) that is
    not undone — what the API's undo of a line undoes."""
    return (
        SynthesisOperation.objects.filter(line=line, undone_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def operation_undo_check(
    *, actor: Any, operation: SynthesisOperation, expected_version: int | None = None
) -> None:
    """What ``operation_undo`` would refuse, without writing or locking (a dry run)."""
    plan = operation.plan
    require(actor, Action.EDIT_COMMUNE_PLAN, plan.round)
    ensure_draft(plan)
    op = SynthesisOperation.objects.get(pk=operation.pk)
    line = CommuneLine.objects.get(pk=op.line_id)
    check_version(line, expected_version)
    _undo_refusals(op, line)


@transaction.atomic
def operation_undo(
    *, actor: Any, operation: SynthesisOperation, expected_version: int | None = None
) -> SynthesisOperation:
    """Undo a merge (the merged lines come back, the merged line is removed) or a split (the
    parts are removed, the line comes back). ``expected_version`` (the version the caller
    read of the operation's line — the merged line, or the split one; None: any) is checked
    under the lock."""
    plan = require_editable(actor, operation.plan)
    op = SynthesisOperation.objects.select_for_update().get(pk=operation.pk)
    line = line_locked(op.line)
    check_version(line, expected_version)
    _undo_refusals(op, line)
    if op.kind == SynthesisOperation.Kind.MERGE:
        before = snapshot(line, AUDIT_FIELDS)
        LineFunding.objects.filter(line=line).delete()
        line.state = LineState.REMOVED
        line.decision = Decision.PENDING
        line.version += 1
        line.save()
        audit_record(actor=actor, plan_uid=plan.uid, obj=line, operation="delete", before=before)
        back: list[int] = []
        for old in CommuneLine.objects.filter(merged_into=line).select_for_update(of=("self",)):
            back.append(old.number)
            before = snapshot(old, AUDIT_FIELDS)
            old.state = LineState.ACTIVE
            old.merged_into = None
            _restore_decision(old)
            old.version += 1
            old.save()
            audit_record(
                actor=actor,
                plan_uid=plan.uid,
                obj=old,
                operation="restore",
                before=before,
                after=snapshot(old, AUDIT_FIELDS),
            )
    else:
        parts = list(line.parts.exclude(state=LineState.REMOVED).select_for_update(of=("self",)))
        for part in parts:
            before = snapshot(part, AUDIT_FIELDS)
            LineFunding.objects.filter(line=part).delete()
            part.state = LineState.REMOVED
            part.version += 1
            part.save()
            audit_record(
                actor=actor, plan_uid=plan.uid, obj=part, operation="delete", before=before
            )
        before = snapshot(line, AUDIT_FIELDS)
        line.state = LineState.ACTIVE
        _restore_decision(line)
        line.version += 1
        line.save()
        audit_record(
            actor=actor,
            plan_uid=plan.uid,
            obj=line,
            operation="restore",
            before=before,
            after=snapshot(line, AUDIT_FIELDS),
        )
    op.undone_at = timezone.now()
    op.save(update_fields=["undone_at", "updated_at"])
    bump(plan)
    # the history names the undo as the buttons and messages do
    if op.kind == SynthesisOperation.Kind.MERGE:
        what = _(
            "Undo merging lines: line %(number)s (%(activity)s) is taken out and lines "
            "%(lines)s are back."
        ) % {
            "number": line.number,
            "activity": line.activity,
            "lines": ", ".join(str(n) for n in sorted(back)),
        }
    else:
        what = _("Undo splitting the line: line %(number)s (%(activity)s) is whole again.") % {
            "number": line.number,
            "activity": line.activity,
        }
    StatusChange.objects.create(
        plan_uid=plan.uid,
        subject_label=CommunePlan._meta.label_lower,
        action="undo_merge" if op.kind == SynthesisOperation.Kind.MERGE else "undo_split",
        from_state=plan.status,
        to_state=plan.status,
        actor=actor if getattr(actor, "pk", None) else None,
        comment=what,
    )
    summaries_refresh(plan)
    return op
