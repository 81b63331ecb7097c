"""A line saved by someone else since the user opened it: the refusal shows both values of
every field that differs; nothing is overwritten silently."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError
from kehoach.core.numbers import format_number_vi

from ...models import ProposalLine
from .fields import LINE_FIELDS, field_label


@dataclass
class Difference:
    field: str
    label: str
    saved: str
    yours: str


class ConflictError(ApplicationError):
    """The line changed since the user opened it; ``differences`` shows both values."""

    def __init__(self, message: str, differences: list[Difference], line: ProposalLine) -> None:
        super().__init__(code="conflict", message=message)
        self.differences = differences
        self.line = line


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return format_number_vi(value, 3).rstrip("0").rstrip(",")
    if isinstance(value, datetime.date):
        return value.strftime("%m/%Y")
    return str(value)


def differences(current: ProposalLine, data: Mapping[str, Any]) -> list[Difference]:
    """The fields of ``data`` whose value differs from the saved line, both values shown."""
    found = []
    for field in LINE_FIELDS:
        if field not in data:
            continue
        saved, yours = getattr(current, field), data[field]
        if isinstance(saved, Decimal) and yours is not None:
            same = saved == Decimal(yours)
        else:
            same = saved == yours or (saved in (None, "") and yours in (None, ""))
        if not same:
            found.append(Difference(field, field_label(field), _shown(saved), _shown(yours)))
    return found


def conflict_error(current: ProposalLine, data: Mapping[str, Any]) -> ConflictError:
    return ConflictError(
        _(
            "Line %(number)s was changed by someone else after you opened it. Nothing was "
            "saved. Compare the values below, then save again if yours are right."
        )
        % {"number": current.number},
        differences(current, data),
        current,
    )
