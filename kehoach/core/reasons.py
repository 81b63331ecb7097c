"""Why a user may not do something now: the answer of every ``can_<action>(user, obj)``.

``can_<action>`` returns a ``Reason`` or ``None`` (the action may go ahead); the service asks the
same function and raises ``reason.error``; a page shows a button only when the answer is None,
or says ``reason.message`` when the reason is not ``hidden``. Defined here (not in
``approvals``) so that every app, ``geo`` included, answers in the same shape;
``kehoach.approvals.workflow`` re-exports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

from .errors import ApplicationError

FORBIDDEN = "not_found"
"""The code of a ``Reason`` when the user may not take the action at all (no role for it)."""
WRONG_STATE = ("transition_invalid", "transition_unknown")
"""The codes of a ``Reason`` when the document's state does not have the action."""


@dataclass(frozen=True)
class Reason:
    """Why a user may not take an action now; ``can_<action>(user, obj)`` answers one, or
    ``None`` when the action may go ahead. ``error`` is what the service raises for it."""

    code: str
    message: str
    error: ApplicationError = field(repr=False, compare=False)

    @property
    def hidden(self) -> bool:
        """The user may not take this action, or the state has no such action: a page does not
        mention it. Otherwise a rule refuses it for now, and a page may say why."""
        return self.code == FORBIDDEN or self.code in WRONG_STATE

    def raise_error(self) -> NoReturn:
        raise self.error

    @classmethod
    def of(cls, error: ApplicationError) -> Reason:
        return cls(error.code, error.message, error)


def reason_of(check: Callable[[], None]) -> Reason | None:
    """Run a check that raises ``ApplicationError`` when something is refused; its answer as
    a ``Reason`` (``NotFoundError`` included: the user may not)."""
    try:
        check()
    except ApplicationError as exc:
        return Reason.of(exc)
    return None


def refuse(reason: Reason | None) -> None:
    """Raise the reason's error, if there is a reason: what a service does with ``can_…``."""
    if reason is not None:
        reason.raise_error()
