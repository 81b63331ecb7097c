"""The steps of the commune's five-year plan (``workflow_commune``): submit, return, reopen,
approve with the council's resolution (storing the immutable ``approvals.Version`` snapshot of
the lines, their years and sources, the decisions and the frame, R23), publish (the approved
version becomes what the villages see) and amend (the next version's draft)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.models import Version
from kehoach.approvals.services import version_create, version_mark_published
from kehoach.approvals.workflow import Transition, transition_apply, transition_check
from kehoach.core.errors import ApplicationError
from kehoach.core.text import nfc
from kehoach.core.validation import raise_errors
from kehoach.synthesis.choices import LineState
from kehoach.synthesis.services.workflow import clean_resolution

from ..models import MediumTermCommuneLine, MediumTermCommunePlan
from ..selectors_commune import commune_lines
from ..workflow_commune import COMMUNE_FIVE_YEAR_WORKFLOW, precondition
from .notify import notify_commune_step

LABEL = MediumTermCommunePlan._meta.label_lower


def _not_approve(action: str) -> None:
    if action == "approve":
        raise ApplicationError(
            "approve_needs_resolution",
            _("Approve with the resolution number, date and signer."),
        )


def latest_version(plan: MediumTermCommunePlan, *, published: bool = False) -> Version | None:
    versions = Version.objects.filter(plan_uid=plan.uid)
    if published:
        versions = versions.filter(published_at__isnull=False)
    return versions.order_by("-number").first()


def _version_to_publish(plan: MediumTermCommunePlan) -> Version:
    version = latest_version(plan)
    if version is None or version.number != plan.version_number:
        raise ApplicationError(
            "publish_no_version", _("Only an approved version can be published.")
        )
    return version


def _apply(
    actor: Any,
    plan: MediumTermCommunePlan,
    action: str,
    comment: str,
    on_apply: Any = None,
) -> MediumTermCommunePlan:
    def apply_step(locked: MediumTermCommunePlan, step: Transition) -> None:
        if step.action == "submit":
            locked.submitted_at = timezone.now()
        elif step.action == "amend":
            locked.version_number += 1
            locked.is_amendment = True
            locked.submitted_at = None
        elif step.action == "publish":
            version_mark_published(_version_to_publish(locked))
        if on_apply is not None:
            on_apply(locked, step)
        locked.version += 1

    with transaction.atomic():
        done = transition_apply(
            obj=plan,
            workflow=COMMUNE_FIVE_YEAR_WORKFLOW,
            action=action,
            actor=actor,
            unit=plan.round.commune,
            plan_uid=plan.uid,
            comment=comment,
            precondition=precondition,
            on_apply=apply_step,
        )
        notify_commune_step(done, action, actor)
        return done


def commune_five_year_transition(
    *, actor: Any, plan: MediumTermCommunePlan, action: str, comment: str = ""
) -> MediumTermCommunePlan:
    """Apply one step of the table (not ``approve``, which needs the resolution)."""
    _not_approve(action)
    return _apply(actor, plan, action, nfc(comment or "").strip())


def commune_five_year_transition_check(
    *, actor: Any, plan: MediumTermCommunePlan, action: str, comment: str = ""
) -> Transition:
    """The step ``commune_five_year_transition`` would take now, or its refusal (reads only)."""
    _not_approve(action)
    step = transition_check(
        obj=plan,
        workflow=COMMUNE_FIVE_YEAR_WORKFLOW,
        action=action,
        user=actor,
        unit=plan.round.commune,
        comment=nfc(comment or ""),
        precondition=precondition,
    )
    if step.action == "publish":
        _version_to_publish(plan)
    return step


def _line_data(line: MediumTermCommuneLine) -> dict[str, Any]:
    return {
        "uid": str(line.uid),
        "number": line.number,
        "sector": line.sector.code,
        "sector_name": line.sector.name,
        "activity": line.activity,
        "location": line.location,
        "unit": line.unit.name,
        "contribution_mvnd": str(line.contribution_mvnd),
        "external_support_mvnd": str(line.external_support_mvnd),
        "proposed_source": line.proposed_source.code if line.proposed_source else None,
        "beneficiary_households": line.beneficiary_households,
        "beneficiary_poor": line.beneficiary_poor,
        "beneficiary_em": line.beneficiary_em,
        "implementation_mode": line.implementation_mode,
        "decision": line.decision,
        "decision_reason": line.decision_reason,
        "years": [
            {"year": y.year, "quantity": str(y.quantity), "cost_mvnd": str(y.cost_mvnd)}
            for y in line.years.all()
        ],
        "sources": [
            {
                "village_line": str(s.village_line.uid),
                "village": s.village_line.plan.village.code,
                "village_name": s.village_line.plan.village.name,
                "share": str(s.share),
                "withdrawn": s.withdrawn,
            }
            for s in line.sources.all()
        ],
    }


def plan_snapshot(plan: MediumTermCommunePlan) -> dict[str, Any]:
    """What the approved version keeps: the lines in the plan with their years, sources and
    decisions, and the resource frame."""
    round_ = plan.round
    return {
        "plan": str(plan.uid),
        "commune": round_.commune.code,
        "first_year": round_.first_year,
        "last_year": round_.last_year,
        "version": plan.version_number,
        "is_amendment": plan.is_amendment,
        "lines": [
            _line_data(line) for line in commune_lines(plan) if line.state == LineState.ACTIVE
        ],
        "frame": [
            {
                "source": item.source.code,
                "sector": item.sector.code if item.sector else None,
                "year": item.year,
                "amount_mvnd": str(item.amount_mvnd),
                "notes": item.notes,
            }
            for item in plan.frame.select_related("source", "sector").order_by(
                "year", "source__code", "sector__code"
            )
        ],
    }


def _approval_text(resolution: dict[str, Any], comment: str) -> str:
    return nfc(comment or "").strip() or _(
        "Resolution %(number)s of %(date)s, signed by %(signer)s"
    ) % {
        "number": resolution["resolution_number"],
        "date": resolution["resolution_date"].strftime("%d/%m/%Y"),
        "signer": resolution["signer"],
    }


def commune_five_year_approve(
    *,
    actor: Any,
    plan: MediumTermCommunePlan,
    data: dict[str, Any],
    scan: UploadedFile | None = None,
    comment: str = "",
) -> MediumTermCommunePlan:
    """Approve with the council's resolution (number, date not in the future, signer, scan if
    any — the yearly plan's rules): stores the immutable snapshot of this version (R23)."""
    resolution, problems = clean_resolution(data, scan)
    raise_errors(problems)

    def store(locked: MediumTermCommunePlan, step: Transition) -> None:
        version_create(
            actor=actor,
            plan_uid=locked.uid,
            subject_label=LABEL,
            number=locked.version_number,
            is_amendment=locked.is_amendment,
            scan=scan,
            data=plan_snapshot(locked),
            **resolution,
        )

    return _apply(actor, plan, "approve", _approval_text(resolution, comment), on_apply=store)
