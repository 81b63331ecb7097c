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
import itertools
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehoach.accounts.choices import Role
from kehoach.accounts.models import RoleAssignment
from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_bulk, audit_entry
from kehoach.approvals.models import AuditEntry, Comment, StatusChange, Version
from kehoach.approvals.services import (
    check_scan,
    notify,
    version_create,
    version_mark_published,
)
from kehoach.approvals.workflow import (
    Offer,
    Reason,
    Transition,
    Workflow,
    transition_apply,
    transition_reason,
    transitions_offered,
)
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.text import nfc
from kehoach.plans.choices import LineOutcome
from kehoach.plans.models import ProposalLine

from ..choices import CommunePlanStatus as S
from ..choices import Decision
from ..models import CommunePlan
from ..versions import (
    Fate,
    dropped_fates,
    plan_snapshot,
    village_fates,
    village_line_outcomes,
    village_lines_in,
)

CONFERENCE = "conference"
DISTRICT_REVIEW = "district_review"
OPTIONAL_STEPS = (CONFERENCE, DISTRICT_REVIEW)
AFTER_APPROVAL = (S.APPROVED, S.PUBLISHED, S.IN_IMPLEMENTATION)


def steps_of(profile: Any) -> set[str]:
    steps = (profile.extra or {}).get("commune_plan_steps") or []
    return {step for step in steps if step in OPTIONAL_STEPS}


def commune_plan_workflow(profile: Any) -> Workflow:
    """The transition table of commune plans under this process profile."""
    steps = steps_of(profile)
    submit_from = S.CONFERENCE if CONFERENCE in steps else S.DRAFT
    approve_from = S.DISTRICT_REVIEWED if DISTRICT_REVIEW in steps else S.SUBMITTED
    table: list[Transition] = []
    if CONFERENCE in steps:
        table.append(
            Transition(
                "agree",
                S.DRAFT,
                S.CONFERENCE,
                Action.SUBMIT_COMMUNE_PLAN,
                gettext_lazy("Record the agreement of the commune conference"),
                needs_comment=True,
            )
        )
        table.append(
            Transition(
                "reopen",
                S.CONFERENCE,
                S.DRAFT,
                Action.SUBMIT_COMMUNE_PLAN,
                gettext_lazy("Reopen the draft"),
                needs_comment=True,
            )
        )
    table.append(
        Transition(
            "submit",
            submit_from,
            S.SUBMITTED,
            Action.SUBMIT_COMMUNE_PLAN,
            gettext_lazy("Submit for approval"),
        )
    )
    for source in (
        (S.SUBMITTED, S.DISTRICT_REVIEWED) if DISTRICT_REVIEW in steps else (S.SUBMITTED,)
    ):
        table.append(
            Transition(
                "return",
                source,
                S.RETURNED,
                Action.RETURN_COMMUNE_PLAN,
                gettext_lazy("Return for revision"),
            )
        )
    table.append(
        Transition(
            "revise",
            S.RETURNED,
            S.DRAFT,
            Action.SUBMIT_COMMUNE_PLAN,
            gettext_lazy("Reopen for revision"),
        )
    )
    if DISTRICT_REVIEW in steps:
        table.append(
            Transition(
                "review",
                S.SUBMITTED,
                S.DISTRICT_REVIEWED,
                Action.REVIEW_COMMUNE_PLAN_DISTRICT,
                gettext_lazy("Record the district's review"),
                needs_comment=True,
            )
        )
    table += [
        Transition(
            "approve",
            approve_from,
            S.APPROVED,
            Action.APPROVE_COMMUNE_PLAN,
            gettext_lazy("Approve (council resolution)"),
        ),
        Transition(
            "publish",
            S.APPROVED,
            S.PUBLISHED,
            Action.PUBLISH_COMMUNE_PLAN,
            gettext_lazy("Publish and send the feedback to the villages"),
        ),
        Transition(
            "start",
            S.PUBLISHED,
            S.IN_IMPLEMENTATION,
            Action.SUBMIT_COMMUNE_PLAN,
            gettext_lazy("Start implementation"),
        ),
        Transition(
            "evaluate",
            S.IN_IMPLEMENTATION,
            S.EVALUATED,
            Action.SUBMIT_COMMUNE_PLAN,
            gettext_lazy("Mark the year as evaluated"),
        ),
        Transition(
            "close",
            S.EVALUATED,
            S.CLOSED,
            Action.APPROVE_COMMUNE_PLAN,
            gettext_lazy("Close the plan"),
        ),
    ]
    for source in AFTER_APPROVAL:
        table.append(
            Transition(
                "amend",
                source,
                S.DRAFT,
                Action.SUBMIT_COMMUNE_PLAN,
                gettext_lazy("Start an amendment"),
                needs_comment=True,
            )
        )
    return Workflow(name="commune_plan", transitions=table)


# --- guards -----------------------------------------------------------------------------------


def undecided_lines(plan: CommunePlan) -> list[Any]:
    """Active lines without a decision, or without a reason (R22)."""
    return [
        line
        for line in plan.lines.active().order_by("number")
        if line.decision == Decision.PENDING or not line.decision_reason.strip()
    ]


def _require_decided(plan: CommunePlan, code: str, lead: str) -> None:
    missing = undecided_lines(plan)
    if not plan.lines.active().exists():
        raise ApplicationError(
            "plan_empty", _("The commune plan has no lines; synthesise the village plans first.")
        )
    if missing:
        shown = "; ".join(
            _("line %(number)s (%(activity)s): %(what)s")
            % {
                "number": line.number,
                "activity": line.activity,
                "what": _("no decision") if line.decision == Decision.PENDING else _("no reason"),
            }
            for line in missing[:20]
        )
        more = len(missing) - 20
        if more > 0:
            shown += "; " + _("and %(n)s more") % {"n": more}
        raise ApplicationError(code, f"{lead} {shown}.")


TransitionGuard = Callable[[CommunePlan, str], None]
TRANSITION_GUARDS: list[TransitionGuard] = []


def register_transition_guard(guard: TransitionGuard) -> None:
    """Another app refuses a step of the commune plan it knows about (``monitoring``: the year
    is evaluated only once its evaluation is written) by raising ``ApplicationError`` from
    ``guard(plan, action)``; synthesis does not import it."""
    if guard not in TRANSITION_GUARDS:
        TRANSITION_GUARDS.append(guard)


def _precondition(plan: CommunePlan, step: Transition) -> None:
    """The rules of each step that do not depend on what the user types (R22, other apps'
    guards)."""
    for guard in TRANSITION_GUARDS:
        guard(plan, step.action)
    if step.action == "submit":
        _require_decided(
            plan,
            "submit_undecided",
            _("The plan cannot be submitted yet: every line needs a decision and a reason."),
        )
    elif step.action == "publish":
        _require_decided(
            plan,
            "publish_undecided",
            _("The plan cannot be published yet: every line needs a decision and a reason."),
        )


def _guard(plan: CommunePlan, step: Transition, *, comment: str) -> None:
    """The rules on what the user typed: a return says what must change."""
    if step.action == "return":
        since = plan.submitted_at or plan.updated_at
        line_comments = Comment.objects.filter(
            plan_uid=plan.uid, at__gte=since, resolved_at__isnull=True
        ).exists()
        if not comment and not line_comments:
            raise ApplicationError(
                "comment_required",
                _(
                    "Write a comment that says what must change, here or on the lines "
                    "concerned, before returning the plan."
                ),
                Where(field="comment"),
            )


# --- who may do what now ----------------------------------------------------------------------

CONFIRMED_ACTIONS = ("submit", "approve", "publish")
"""Steps a user confirms on a page of their own first, told what becomes irreversible."""


def can_transition(user: Any, plan: CommunePlan, action: str) -> Reason | None:
    """Why ``user`` may not take ``action`` on the commune plan now, or None: the same check
    the services make under the row lock (approving also needs the resolution, which the
    approval form asks for)."""
    return transition_reason(
        obj=plan,
        workflow=commune_plan_workflow(plan.round.profile),
        action=action,
        user=user,
        unit=plan.round.commune,
        precondition=_precondition,
    )


def can_submit(user: Any, plan: CommunePlan) -> Reason | None:
    return can_transition(user, plan, "submit")


def can_return(user: Any, plan: CommunePlan) -> Reason | None:
    return can_transition(user, plan, "return")


def can_approve(user: Any, plan: CommunePlan) -> Reason | None:
    return can_transition(user, plan, "approve")


def can_publish(user: Any, plan: CommunePlan) -> Reason | None:
    return can_transition(user, plan, "publish")


def can_amend(user: Any, plan: CommunePlan) -> Reason | None:
    return can_transition(user, plan, "amend")


def plan_offers(user: Any, plan: CommunePlan) -> list[Offer]:
    """The steps the approval page shows this user: a button when the reason is None,
    otherwise why a rule refuses it for now; steps the user may not take, none."""
    return transitions_offered(
        obj=plan,
        workflow=commune_plan_workflow(plan.round.profile),
        user=user,
        unit=plan.round.commune,
        precondition=_precondition,
    )


# --- who is told ------------------------------------------------------------------------------


def _holders(plan: CommunePlan, roles: set[str], *, villages: bool = False) -> list[Any]:
    """Users holding these roles on the commune (or on its villages)."""
    commune = plan.round.commune
    assignments = RoleAssignment.objects.filter(role__in=roles).select_related("user")
    if villages:
        assignments = assignments.filter(unit__parent=commune, unit__path__startswith=commune.path)
    else:
        assignments = assignments.filter(unit=commune)
    return [a.user for a in assignments]


def _url(plan: CommunePlan) -> str:
    """Where the person told acts next: the approval tab (approve or return a submitted plan,
    read the comments of a return and reopen, publish an approved plan, start implementation
    after publication, follow an amendment). Notifications stored earlier keep their link to
    the plan's first tab, which still opens."""
    return reverse("synthesis:approval", args=[plan.uid])


def _notify_after(plan: CommunePlan, step: Transition, actor: Any) -> None:
    name = plan.round.commune.name
    year = plan.round.plan_year
    values = {"commune": name, "year": year}
    planners = _holders(plan, {Role.COMMUNE_PLANNER})
    approvers = _holders(plan, {Role.COMMUNE_APPROVER})
    if step.action == "submit":
        notify(
            approvers,
            _("Commune plan %(year)s of %(commune)s submitted for approval") % values,
            _url(plan),
            skip=actor,
        )
    elif step.action == "return":
        notify(
            planners,
            _("The commune plan %(year)s of %(commune)s was returned for revision") % values,
            _url(plan),
            skip=actor,
        )
    elif step.action == "approve":
        notify(
            planners,
            _("The commune plan %(year)s of %(commune)s was approved") % values,
            _url(plan),
            skip=actor,
        )
    elif step.action == "publish":
        notify(
            [*planners, *approvers],
            _("The commune plan %(year)s of %(commune)s was published") % values,
            _url(plan),
            skip=actor,
        )
        for assignment in RoleAssignment.objects.filter(
            role=Role.VILLAGE_EDITOR, unit__parent=plan.round.commune
        ).select_related("user", "unit"):
            village_plan = plan.round.plans.filter(village=assignment.unit).first()
            if village_plan is None:
                continue
            notify(
                [assignment.user],
                _(
                    "The commune plan %(year)s was published: see what became of the proposals "
                    "of %(village)s"
                )
                % {"year": year, "village": assignment.unit.name if assignment.unit else ""},
                reverse("synthesis:feedback", args=[village_plan.uid]),
                skip=actor,
            )
    elif step.action == "amend":
        notify(
            approvers,
            _("An amendment of the commune plan %(year)s of %(commune)s was started") % values,
            _url(plan),
            skip=actor,
        )


# --- the services -----------------------------------------------------------------------------


def commune_plan_transition(
    *, actor: Any, plan: CommunePlan, action: str, comment: str = ""
) -> CommunePlan:
    """Apply one transition of the table (not ``approve``, which needs the resolution)."""
    if action == "approve":
        raise ApplicationError(
            "approve_needs_resolution",
            _("Approve with the resolution number, date and signer."),
        )
    return _apply(actor, plan, action, nfc(comment))


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
            precondition=_precondition,
            guard=lambda locked, step: _guard(locked, step, comment=comment),
            on_apply=apply_step,
        )
        step = next(t for t in workflow.transitions if t.action == action)
        _notify_after(done, step, actor)
    return done


def latest_version(plan: CommunePlan, *, published: bool = False) -> Version | None:
    versions = Version.objects.filter(plan_uid=plan.uid)
    if published:
        versions = versions.filter(published_at__isnull=False)
    return versions.order_by("-number").first()


def version_amendment_reason(version: Version) -> str:
    """Why this version (an amendment) was made: kept in its snapshot, or for versions approved
    before it was kept there, the comment of the amendment that started it."""
    if not version.is_amendment:
        return ""
    if "amendment_reason" in version.data:
        return str(version.data["amendment_reason"])
    starts = list(
        StatusChange.objects.filter(plan_uid=version.plan_uid, action="amend").order_by("at", "id")
    )
    index = version.number - 2
    return starts[index].comment if 0 <= index < len(starts) else ""


def _dropped_reason(version: Version) -> str:
    reason = version_amendment_reason(version)
    if reason:
        return _("Taken out of the plan by amendment %(number)s: %(reason)s") % {
            "number": version.number,
            "reason": reason,
        }
    return _("Taken out of the plan by amendment %(number)s.") % {"number": version.number}


def _publish(plan: CommunePlan, actor: Any) -> None:
    """Mark the approved version published and record what became of each village proposal:
    its best decision in the version, or "rejected" for a proposal that an earlier published
    version had and this amendment took out. Every change is in the village plan's history."""
    version = latest_version(plan)
    if version is None or version.number != plan.version_number:
        raise ApplicationError(
            "publish_no_version", _("Only an approved version can be published.")
        )
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
        reason = _dropped_reason(version)
        for line in dropped:
            change(line, LineOutcome.REJECTED, reason=reason)
    ProposalLine.objects.bulk_update(changed, ["outcome", "updated_at"])
    audit_bulk(entries)


def _resolution(data: dict[str, Any], scan: UploadedFile | None) -> dict[str, Any]:
    errors = []
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
    if errors:
        raise ApplicationErrors(errors)
    return {"resolution_number": number, "resolution_date": day, "signer": signer}


def commune_plan_approve(
    *,
    actor: Any,
    plan: CommunePlan,
    data: dict[str, Any],
    scan: UploadedFile | None = None,
    comment: str = "",
) -> CommunePlan:
    """Approve with the People's Council resolution; stores the immutable snapshot (R23)."""
    resolution = _resolution(data, scan)

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

    text = nfc(comment) or _("Resolution %(number)s of %(date)s, signed by %(signer)s") % {
        "number": resolution["resolution_number"],
        "date": resolution["resolution_date"].strftime("%d/%m/%Y"),
        "signer": resolution["signer"],
    }
    return _apply(actor, plan, "approve", text, on_apply=store)


def village_feedback(plan: Any) -> tuple[Version | None, list[Fate], CommunePlan | None]:
    """The latest published version of the round's commune plan and the fates of this village
    plan's proposals in it."""
    commune_plan = CommunePlan.objects.filter(round_id=plan.round_id).first()
    if commune_plan is None:
        return None, [], None
    version = latest_version(commune_plan, published=True)
    if version is None:
        return None, [], commune_plan
    return version, version_fates(version, plan.village.code), commune_plan


def version_fates(version: Version, village_code: str) -> list[Fate]:
    """The fates of one village's proposals in a published version, with the proposals that
    amendments up to it took out."""
    fates = village_fates(version.data, village_code)
    if version.is_amendment:
        fates += _dropped_since(version, village_code)
        fates.sort(key=lambda f: (f.number, f.line["number"]))
    return fates


def _dropped_since(version: Version, village_code: str) -> list[Fate]:
    """The village's proposals that some amendment up to ``version`` took out of the plan and
    that are still out, each with the reason of the amendment that took it out."""
    published = list(
        Version.objects.filter(
            plan_uid=version.plan_uid, number__lte=version.number, published_at__isnull=False
        ).order_by("number")
    )
    now_in = village_lines_in(version.data)
    found: dict[str, Fate] = {}
    for earlier, later in itertools.pairwise(published):
        for fate in dropped_fates(earlier.data, later.data, village_code, _dropped_reason(later)):
            if fate.village_line not in now_in:
                found[fate.village_line] = fate
    return list(found.values())
