"""The rules of the commune plan's steps that do not depend on who asks: every line decided
with a reason before submitting and publishing (R22), other apps' guards, and a return that
says what must change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from kehoach.approvals.models import Comment
from kehoach.approvals.workflow import Transition
from kehoach.core.errors import ApplicationError, Where

from ...choices import Decision
from ...models import CommunePlan


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


def precondition(plan: CommunePlan, step: Transition) -> None:
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


def comment_guard(plan: CommunePlan, step: Transition, *, comment: str) -> None:
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
