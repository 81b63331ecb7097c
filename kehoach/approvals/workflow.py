"""Workflows are tables (style.md §4): (state, action) → (new state, permission).

A document model has a ``status`` field; its workflow lists the allowed transitions. One
service, ``transition_apply``, applies a transition under a row lock, checks the role on the
unit through the permission module, runs the document's guard (rules that must hold, such as
R3 or the meeting quorum), saves and writes the status-change row.
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
from kehoach.geo.models import AdministrativeUnit

from .models import StatusChange

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
) -> M:
    with transaction.atomic():
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        state = locked.status  # type: ignore[attr-defined]
        step = workflow.find(state, action)
        if not has_permission(actor, _permission_of(workflow, action), unit):
            raise NotFoundError()
        if step is None:
            raise ApplicationError(
                "transition_invalid",
                _("This cannot be done now: the document is “%(state)s”.")
                % {"state": _state_label(locked)},
            )
        comment = (comment or "").strip()
        if step.needs_comment and not comment:
            raise ApplicationError(
                "comment_required",
                _("Write a comment that says what must change."),
                Where(field="comment"),
            )
        if guard is not None:
            guard(locked, step)
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


def _permission_of(workflow: Workflow, action: str) -> Action:
    for step in workflow.transitions:
        if step.action == action:
            return step.permission
    raise ApplicationError("transition_unknown", _("Unknown action."))


def _state_label(obj: models.Model) -> str:
    getter = getattr(obj, "get_status_display", None)
    return str(getter()) if callable(getter) else str(getattr(obj, "status", ""))
