"""Errors with stable codes (style.md §5).

A service raises ``ApplicationError(code, message, where)``; the message is a translated
sentence, ``where`` names the field (or sheet/row/column for workbooks). Views map the error
to a form error or a message; the API maps it to a problem response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Where:
    field: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class ApplicationError(Exception):
    code: str
    message: str
    where: Where = field(default_factory=Where)
    detail: str = ""
    """The problem alone, without the "line 3, field:" prefix, for places that say the where
    their own way (a workbook cell)."""

    def __str__(self) -> str:
        return self.message


class NotFoundError(ApplicationError):
    """A missing object and a forbidden one raise this same error (design.md §1)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(code="not_found", message=message or "not found")


class PermissionDeniedError(ApplicationError):
    """The object is visible to the user but the action is not allowed on it."""

    def __init__(self, message: str) -> None:
        super().__init__(code="permission_denied", message=message)


class ApplicationErrors(ApplicationError):
    """Several problems found at once (a form or a workbook row): each keeps its own ``where``.

    ``message`` joins them, one per line, for places that show a single text."""

    def __init__(self, errors: list[ApplicationError]) -> None:
        self.errors = errors
        super().__init__(
            code=errors[0].code if len(errors) == 1 else "invalid",
            message="\n".join(e.message for e in errors),
            where=errors[0].where,
        )
