"""The commune plan's workflow (R20–R23): a transition table per process profile, applied by
``approvals.workflow.transition_apply`` under a row lock.

Default states: draft → submitted → approved (council resolution) → published → in
implementation → evaluated → closed, with submitted → returned (comments) → draft. A profile's
``extra["commune_plan_steps"]`` may add ``"conference"`` (draft → agreed at the commune
conference → submitted) and ``"district_review"`` (submitted → reviewed by the district →
approved, for pre-2025 data). After approval a change is an amendment: ``amend`` makes the plan
the draft of its next version, with its own approval; the version approved before stays what the
villages and the public see until the amendment is published.

Rules: submitting and publishing need every active line decided with a reason (R22);
returning needs a comment, on the plan or on a line; approving stores the immutable snapshot
with the resolution (R23); publishing records each village proposal's outcome (in the village
plan's history) and tells the villages (F13). A proposal that an amendment took out of the plan
is recorded "rejected", with the amendment's reason, when the amendment is published.

``can_submit``, ``can_return``, ``can_approve``, ``can_publish`` … (``can_transition``) answer why
a user may not take a step now, or None: the services raise the same reason under the row lock,
and the approval page shows a step's button only when the answer is None (``plan_offers``).
Submitting, approving and publishing are confirmed on a page of their own first
(``CONFIRMED_ACTIONS``): each says what becomes irreversible.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_bulk, audit_entry
from kehoach.approvals.models import AuditEntry
from kehoach.approvals.services import check_scan, version_create, version_mark_published
from kehoach.approvals.workflow import Transition, transition_apply, transition_check
from kehoach.core.errors import ApplicationError, Where
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, problem_of, raise_errors
from kehoach.plans.choices import LineOutcome
from kehoach.plans.models import ProposalLine

from ...models import CommunePlan
from ...signals import plan_published
from ...summaries import published_states_refresh, summaries_refresh
from ...versions import dropped_reason, latest_version, plan_snapshot, village_line_outcomes
from .guards import comment_guard, precondition
from .notify import notify_after
from .table import commune_plan_workflow


def commune_plan_transition(
    *, actor: Any, plan: CommunePlan, action: str, comment: str = ""
) -> CommunePlan:
    """Apply one transition of the table (not ``approve``, which needs the resolution)."""
    _not_approve(action)
    return _apply(actor, plan, action, nfc(comment))


def _not_approve(action: str) -> None:
    if action == "approve":
        raise ApplicationError(
            "approve_needs_resolution",
            _("Approve with the resolution number, date and signer."),
        )


def _check(actor: Any, plan: CommunePlan, action: str, comment: str) -> Transition:
    """What ``_apply`` asks before it changes anything (the table's permission and state,
    ``precondition``, the comment, ``comment_guard``, the version a publication needs), on
    the plan as it is: reads only."""
    step = transition_check(
        obj=plan,
        workflow=commune_plan_workflow(plan.round.profile),
        action=action,
        user=actor,
        unit=plan.round.commune,
        comment=comment,
        precondition=precondition,
        guard=lambda obj, step: comment_guard(obj, step, comment=comment),
    )
    if step.action == "publish":
        _version_to_publish(plan)
    return step


def commune_plan_transition_check(
    *, actor: Any, plan: CommunePlan, action: str, comment: str = ""
) -> Transition:
    """The step ``commune_plan_transition`` would take now, or its refusal; writes and locks
    nothing (the API's dry run)."""
    _not_approve(action)
    return _check(actor, plan, action, nfc(comment))


def _apply(
    actor: Any, plan: CommunePlan, action: str, comment: str, on_apply: Any = None
) -> CommunePlan:
    workflow = commune_plan_workflow(plan.round.profile)

    def apply_step(locked: CommunePlan, step: Transition) -> None:
        if step.action == "submit":
            locked.submitted_at = timezone.now()
        elif step.action == "amend":
            locked.version_number += 1
            locked.is_amendment = True
            locked.submitted_at = None
        elif step.action == "publish":
            _publish(locked, actor)
        if on_apply is not None:
            on_apply(locked, step)

    with transaction.atomic():
        done = transition_apply(
            obj=plan,
            workflow=workflow,
            action=action,
            actor=actor,
            unit=plan.round.commune,
            plan_uid=plan.uid,
            comment=comment,
            precondition=precondition,
            guard=lambda locked, step: comment_guard(locked, step, comment=comment),
            on_apply=apply_step,
        )
        step = next(t for t in workflow.transitions if t.action == action)
        notify_after(done, step, actor)
        summaries_refresh(done)
    return done


def _version_to_publish(plan: CommunePlan) -> Any:
    version = latest_version(plan)
    if version is None or version.number != plan.version_number:
        raise ApplicationError(
            "publish_no_version", _("Only an approved version can be published.")
        )
    return version


def _publish(plan: CommunePlan, actor: Any) -> None:
    """Mark the approved version published and record what became of each village proposal:
    its best decision in the version, or "rejected" for a proposal that an earlier published
    version had and this amendment took out. Every change is in the village plan's history."""
    version = _version_to_publish(plan)
    version_mark_published(version)
    outcomes = village_line_outcomes(version.data)
    now = timezone.now()
    changed: list[ProposalLine] = []
    entries: list[AuditEntry | None] = []

    def change(line: ProposalLine, outcome: str, **extra: str) -> None:
        before = {"outcome": line.outcome}
        line.outcome = outcome
        line.updated_at = now
        changed.append(line)
        entries.append(
            audit_entry(
                actor=actor,
                plan_uid=line.plan.uid,
                obj=line,
                operation=AuditEntry.Operation.UPDATE,
                before=before,
                after={"outcome": outcome, **extra},
            )
        )

    for line in ProposalLine.objects.filter(uid__in=list(outcomes)).select_related("plan"):
        outcome = outcomes[str(line.uid)]
        if line.outcome != outcome:
            change(line, outcome)
    if version.is_amendment:
        # decided in an earlier publication, no longer in the plan
        dropped = (
            ProposalLine.objects.alive()
            .filter(plan__round_id=plan.round_id)
            .exclude(outcome__in=[LineOutcome.PENDING, LineOutcome.REJECTED])
            .exclude(uid__in=list(outcomes))
            .select_related("plan")
        )
        reason = dropped_reason(version)
        for line in dropped:
            change(line, LineOutcome.REJECTED, reason=reason)
    ProposalLine.objects.bulk_update(changed, ["outcome", "updated_at"])
    audit_bulk(entries)
    published_states_refresh(plan.round.commune, [plan.round.plan_year])
    plan_published.send(sender=CommunePlan, plan=plan, version=version)


def clean_resolution(
    data: dict[str, Any], scan: UploadedFile | None
) -> tuple[dict[str, Any], list[Problem]]:
    """The council's resolution that approves the plan (R23): its number, date (not in the
    future) and signer, and the scan if any — the clean values and the problems, pure."""
    errors: list[ApplicationError] = []
    number = nfc(str(data.get("resolution_number") or ""))
    signer = nfc(str(data.get("signer") or ""))
    day = data.get("resolution_date")
    if not number:
        errors.append(
            ApplicationError(
                "resolution_number_required",
                _(
                    "Resolution number: write the number of the council's resolution, "
                    "e.g. 12/NQ-HĐND."
                ),
                Where(field="resolution_number"),
            )
        )
    if not isinstance(day, datetime.date):
        errors.append(
            ApplicationError(
                "resolution_date_required",
                _("Resolution date: write the date as dd/mm/yyyy."),
                Where(field="resolution_date"),
            )
        )
    elif day > timezone.localdate():
        errors.append(
            ApplicationError(
                "resolution_date_future",
                _("Resolution date: %(date)s is in the future.")
                % {"date": day.strftime("%d/%m/%Y")},
                Where(field="resolution_date"),
            )
        )
    if not signer:
        errors.append(
            ApplicationError(
                "signer_required",
                _("Signed by: write who signed the resolution."),
                Where(field="signer"),
            )
        )
    try:
        check_scan(scan)
    except ApplicationError as exc:
        errors.append(exc)
    values = {"resolution_number": number, "resolution_date": day, "signer": signer}
    return values, [problem_of(error) for error in errors]


def validate_resolution(data: dict[str, Any], scan: UploadedFile | None = None) -> list[Problem]:
    return clean_resolution(data, scan)[1]


def commune_plan_approve(
    *,
    actor: Any,
    plan: CommunePlan,
    data: dict[str, Any],
    scan: UploadedFile | None = None,
    comment: str = "",
) -> CommunePlan:
    """Approve with the People's Council resolution; stores the immutable snapshot (R23)."""
    resolution, problems = clean_resolution(data, scan)
    raise_errors(problems)

    def store(locked: CommunePlan, step: Transition) -> None:
        version_create(
            actor=actor,
            plan_uid=locked.uid,
            subject_label=CommunePlan._meta.label_lower,
            number=locked.version_number,
            is_amendment=locked.is_amendment,
            scan=scan,
            data=plan_snapshot(locked),
            **resolution,
        )

    return _apply(actor, plan, "approve", _approval_text(resolution, comment), on_apply=store)


def _approval_text(resolution: dict[str, Any], comment: str) -> str:
    return nfc(comment) or _("Resolution %(number)s of %(date)s, signed by %(signer)s") % {
        "number": resolution["resolution_number"],
        "date": resolution["resolution_date"].strftime("%d/%m/%Y"),
        "signer": resolution["signer"],
    }


def commune_plan_approve_check(
    *,
    actor: Any,
    plan: CommunePlan,
    data: dict[str, Any],
    scan: UploadedFile | None = None,
    comment: str = "",
) -> Transition:
    """The refusal ``commune_plan_approve`` would raise now (the resolution's problems first,
    then the step's), or the step; writes and locks nothing."""
    resolution, problems = clean_resolution(data, scan)
    raise_errors(problems)
    return _check(actor, plan, "approve", _approval_text(resolution, comment))
