"""Workflows are tables (style.md §4): (state, action) → (new state, permission).

A document model has a ``status`` field; its workflow lists the allowed transitions. One
service, ``transition_apply``, applies a transition under a row lock, checks the role on the
unit through the permission module, runs the document's guard (rules that must hold, such as
R3 or the meeting quorum), saves and writes the status-change row.

What a page offers asks the same checks: ``transition_reason`` answers why a user may not take
an action now (a ``Reason``: no permission, not in this state, or a rule of the document's
``precondition`` refuses) or ``None``, and ``transition_apply`` raises that same reason under
the lock. Each app wraps it as ``can_<action>(user, obj)`` (style.md, permissions), so a button
is shown exactly when the service would accept the click.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.reasons import FORBIDDEN, WRONG_STATE, Reason, reason_of
from kehoach.geo.models import AdministrativeUnit

from .models import StatusChange

__all__ = [
    "FORBIDDEN",
    "WRONG_STATE",
    "Offer",
    "Precondition",
    "Reason",
    "Transition",
    "Workflow",
    "reason_of",
    "transition_apply",
    "transition_check",
    "transition_reason",
    "transitions_offered",
]
"""``Reason``, ``reason_of``, ``FORBIDDEN`` and ``WRONG_STATE`` live in ``kehoach.core.reasons``
(every app answers ``can_…`` in that shape); they stay importable from here."""

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    permission: Action
    label: str | Promise
    needs_comment: bool = False


@dataclass(frozen=True)
class Workflow:
    name: str
    transitions: Sequence[Transition]

    def find(self, state: str, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.source == state and t.action == action), None)

    def available(self, state: str, user: Any, unit: AdministrativeUnit) -> list[Transition]:
        """The transitions this user may start from ``state`` (for the buttons on a page)."""
        return [
            t
            for t in self.transitions
            if t.source == state and has_permission(user, t.permission, unit)
        ]


Precondition = Callable[[Any, Transition], None]
"""A rule that must hold before a transition and does not depend on what the user types (R3,
the meeting, every line decided …): returns nothing, or raises ``ApplicationError``."""


@dataclass(frozen=True)
class Offer:
    """A transition a page may show: ``reason`` is None when the user may take it now."""

    transition: Transition
    reason: Reason | None

    @property
    def action(self) -> str:
        return self.transition.action

    @property
    def label(self) -> str | Promise:
        return self.transition.label


def _state_error(workflow: Workflow, obj: models.Model, action: str) -> ApplicationError | None:
    state = obj.status  # type: ignore[attr-defined]
    if workflow.find(state, action) is not None:
        return None
    return ApplicationError(
        "transition_invalid",
        _("This cannot be done now: the document is “%(state)s”.") % {"state": _state_label(obj)},
    )


def transition_reason(
    *,
    obj: models.Model,
    workflow: Workflow,
    action: str,
    user: Any,
    unit: AdministrativeUnit,
    precondition: Precondition | None = None,
) -> Reason | None:
    """Why ``user`` may not take ``action`` on ``obj`` now (in this order: the permission on
    ``unit``, the state, the document's precondition), or None. ``transition_apply`` asks the
    same under the row lock, so a page and the service never disagree."""
    try:
        permission = _permission_of(workflow, action)
    except ApplicationError as exc:
        return Reason.of(exc)
    if not has_permission(user, permission, unit):
        return Reason.of(NotFoundError())
    error = _state_error(workflow, obj, action)
    if error is not None:
        return Reason.of(error)
    if precondition is not None:
        step = workflow.find(obj.status, action)  # type: ignore[attr-defined]
        assert step is not None
        return reason_of(lambda: precondition(obj, step))
    return None


def transitions_offered(
    *,
    obj: models.Model,
    workflow: Workflow,
    user: Any,
    unit: AdministrativeUnit,
    precondition: Precondition | None = None,
) -> list[Offer]:
    """The transitions a page shows for ``obj``: those of its state that ``user`` holds the
    permission for, each with the reason a rule refuses it now (None: a button)."""
    offers = []
    for step in workflow.available(obj.status, user, unit):  # type: ignore[attr-defined]
        reason = transition_reason(
            obj=obj,
            workflow=workflow,
            action=step.action,
            user=user,
            unit=unit,
            precondition=precondition,
        )
        if reason is None or not reason.hidden:
            offers.append(Offer(step, reason))
    return offers


def transition_apply(
    *,
    obj: M,
    workflow: Workflow,
    action: str,
    actor: Any,
    unit: AdministrativeUnit,
    plan_uid: uuid.UUID,
    comment: str = "",
    guard: Callable[[M, Transition], None] | None = None,
    on_apply: Callable[[M, Transition], None] | None = None,
    precondition: Callable[[M, Transition], None] | None = None,
) -> M:
    """Apply ``action`` under a row lock: the refusals of ``transition_reason`` (permission,
    state, ``precondition``), then the comment a transition needs, then ``guard`` (rules on
    what the user typed), then the change and its status-change row."""
    with transaction.atomic():
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        state = locked.status  # type: ignore[attr-defined]
        comment = (comment or "").strip()
        step = transition_check(
            obj=locked,
            workflow=workflow,
            action=action,
            user=actor,
            unit=unit,
            comment=comment,
            guard=guard,
            precondition=precondition,
        )
        locked.status = step.target  # type: ignore[attr-defined]
        if on_apply is not None:
            on_apply(locked, step)
        locked.save()
        StatusChange.objects.create(
            plan_uid=plan_uid,
            subject_label=locked._meta.label_lower,
            action=step.action,
            from_state=state,
            to_state=step.target,
            actor=actor if getattr(actor, "pk", None) else None,
            comment=comment,
        )
    return locked


def transition_check(
    *,
    obj: M,
    workflow: Workflow,
    action: str,
    user: Any,
    unit: AdministrativeUnit,
    comment: str = "",
    guard: Callable[[M, Transition], None] | None = None,
    precondition: Callable[[M, Transition], None] | None = None,
) -> Transition:
    """The step ``action`` would take on ``obj`` as it is, or the refusal ``transition_apply``
    would raise (``transition_reason``, the comment a transition needs, ``guard``), in that
    order; reads only, locks and writes nothing (a dry run asks it; ``transition_apply`` asks
    it again under the row lock)."""
    reason = transition_reason(
        obj=obj, workflow=workflow, action=action, user=user, unit=unit, precondition=precondition
    )
    if reason is not None:
        reason.raise_error()
    step = workflow.find(obj.status, action)  # type: ignore[attr-defined]
    assert step is not None
    if step.needs_comment and not (comment or "").strip():
        raise ApplicationError(
            "comment_required",
            _("Write a comment that says what must change."),
            Where(field="comment"),
        )
    if guard is not None:
        guard(obj, step)
    return step


def _permission_of(workflow: Workflow, action: str) -> Action:
    for step in workflow.transitions:
        if step.action == action:
            return step.permission
    raise ApplicationError("transition_unknown", _("Unknown action."))


def _state_label(obj: models.Model) -> str:
    getter = getattr(obj, "get_status_display", None)
    return str(getter()) if callable(getter) else str(getattr(obj, "status", ""))
