"""What a validator finds: problems, never writes (issue 14, D48).

A validator is a pure function ``validate_<entity>(context, data) -> list[Problem]``: it is
given what it needs to judge (the plan, the round, the lines around) and the values, reads
nothing it was not given where it can, writes nothing, needs no actor. The web forms, the
workbook importers (their preview), the API (``?dry_run=1``) and the batch writers all call the
same validator; a writer raises ``ApplicationErrors`` built from the problems of severity
``error``, and the pages show the ``warning`` ones beside the data.

A problem carries a stable ``code`` (for programs and tests), a translated ``message`` (a whole
sentence, naming the line when there is one), the bare ``detail`` for places that say the where
their own way (a workbook cell), and ``where`` (field, or sheet/row/column).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ApplicationError, ApplicationErrors, Where

ERROR: Literal["error"] = "error"
WARNING: Literal["warning"] = "warning"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    where: Where = field(default_factory=Where)
    severity: Literal["error", "warning"] = ERROR
    detail: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_error(self) -> ApplicationError:
        return ApplicationError(self.code, self.message, self.where, detail=self.detail)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "where": self.where.as_dict(),
        }

    def at(self, where: Where) -> Problem:
        """The same problem placed elsewhere (a workbook cell instead of a form field)."""
        return Problem(self.code, self.message, where, self.severity, self.detail)


def problem_of(error: ApplicationError, severity: Literal["error", "warning"] = ERROR) -> Problem:
    return Problem(error.code, error.message, error.where, severity, error.detail)


def problems_of(error: ApplicationError) -> list[Problem]:
    """The problems an ``ApplicationError`` (or ``ApplicationErrors``) carries."""
    return [problem_of(item) for item in getattr(error, "errors", None) or [error]]


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]


def raise_errors(problems: Iterable[Problem]) -> None:
    """Raise ``ApplicationErrors`` with the problems of severity error, if there is any."""
    found = errors(problems)
    if found:
        raise ApplicationErrors([p.as_error() for p in found])
