"""The rules of a commune line, as pure validators (issue 14): they read nothing they are not
given, write nothing and need no actor. The writer (``writer.commune_lines_apply``) raises
their errors; the F9 import shows them in its preview.

- ``validate_commune_line(context, number, data, line=None)``: a commune sector's or
  organisation's own line (R14) is checked like a village proposal (F6, the village line's
  validator) and must name who proposes it; on a line built from villages only the texts can
  be typed (its amounts come from the villages, R13).
- ``validate_line_decision(line, decision, reason)``: a decision the commune takes by hand
  without funding (in the plan without funding, deferred, rejected) needs an active line and a
  reason the village will read. Funding is decided where its amounts are given (F12, the
  line's page).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core import bounds
from kehoach.core.errors import Where
from kehoach.core.text import nfc
from kehoach.core.validation import Problem
from kehoach.plans.services.lines import LineContext, check_proposal_line, field_label

from ...choices import Decision, LineState
from ...models import CommuneLine
from .fields import OWN_FIELDS, TYPED_TEXT

__all__ = [
    "UNFUNDED_DECISIONS",
    "bounds_problems",
    "check_commune_line",
    "validate_commune_line",
    "validate_line_decision",
]

UNFUNDED_DECISIONS = (Decision.UNFUNDED, Decision.DEFERRED, Decision.REJECTED)
"""The decisions taken by hand that draw nothing on the envelope."""


def bounds_problems(
    number: int, values: Mapping[str, Any], fields: Iterable[str] | None = None
) -> list[Problem]:
    """The values of line ``number`` outside their bounds, each naming the line and the field."""

    def problem(name: str, code: str, text: str) -> Problem:
        message = _("Line %(number)s, %(field)s: %(problem)s") % {
            "number": number,
            "field": field_label(name),
            "problem": text,
        }
        return Problem(code, message, Where(field=name), detail=text)

    return bounds.errors_for(CommuneLine, values, problem, fields)


def _own_line(
    context: LineContext, number: int, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    values, found = check_proposal_line(context, number, {**data, "priority": data.get("priority")})
    if found:
        return {}, found
    organisation = nfc(data.get("organisation") or "")
    too_long = bounds.errors_for(
        CommuneLine,
        {"organisation": organisation},
        lambda name, code, text: Problem(
            code,
            _("Line %(number)s, Proposed by: %(problem)s") % {"number": number, "problem": text},
            Where(field=name),
            detail=text,
        ),
    )
    if too_long:
        return {}, too_long
    if not organisation:
        return {}, [
            Problem(
                "organisation_required",
                _(
                    "Line %(number)s, Proposed by: write the commune sector or "
                    "organisation that proposes it, for example Hội Phụ nữ xã."
                )
                % {"number": number},
                Where(field="organisation"),
            )
        ]
    result = {k: values[k] for k in OWN_FIELDS}
    result["organisation"] = organisation
    result["village_priority"] = values.get("priority")
    return result, []


def _village_line(
    line: CommuneLine, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    texts = {name: nfc(data[name] or "") for name in TYPED_TEXT if name in data}
    values = {**{name: getattr(line, name) for name in TYPED_TEXT}, **texts}
    found = bounds_problems(line.number, values, TYPED_TEXT)
    if found:
        return {}, found
    if not values["activity"]:
        return {}, [
            Problem(
                "activity_required",
                _("Line %(number)s, Activity: enter the activity.") % {"number": line.number},
                Where(field="activity"),
            )
        ]
    return texts, []


def check_commune_line(
    context: LineContext,
    number: int,
    data: Mapping[str, Any],
    line: CommuneLine | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """The clean values to save on line ``number`` and its problems, in one pass.

    ``line`` is the line as stored (None for a new line of a commune sector or organisation):
    a commune-level line is checked whole, its stored values completed by ``data``; a line
    built from villages takes only its texts (activity, location, notes) from ``data``."""
    if line is not None and not line.organisation:
        return _village_line(line, data)
    merged: dict[str, Any] = dict(data)
    if line is not None:
        merged = {**{f: getattr(line, f) for f in OWN_FIELDS}, **data}
        merged.setdefault("organisation", line.organisation)
        merged.setdefault("priority", line.village_priority)
    return _own_line(context, number, merged)


def validate_commune_line(
    context: LineContext,
    number: int,
    data: Mapping[str, Any],
    line: CommuneLine | None = None,
) -> list[Problem]:
    """Every problem of line ``number`` (see ``check_commune_line``); [] when it passes."""
    return check_commune_line(context, number, data, line)[1]


def validate_line_decision(line: CommuneLine, decision: str, reason: str) -> list[Problem]:
    """The problem of deciding ``decision`` on ``line`` by hand with ``reason`` (the first
    one found, as the line's page says it), or []."""
    if line.state != LineState.ACTIVE:
        return [
            Problem(
                "decide_not_active",
                _("Line %(number)s is “%(state)s”; decide on the line it became.")
                % {"number": line.number, "state": line.get_state_display()},
            )
        ]
    if decision not in UNFUNDED_DECISIONS:
        return [
            Problem(
                "decision_invalid",
                _("Choose a decision from the list."),
                Where(field="decision"),
            )
        ]
    reason = nfc(reason or "")
    if not reason:
        return [
            Problem(
                "reason_required",
                _("Write the reason for this decision; the village will read it."),
                Where(field="reason"),
            )
        ]
    problem = bounds.text_problem(bounds.limits_of(CommuneLine, "decision_reason"), reason)
    if problem is not None:
        return [Problem(problem[0], problem[1], Where(field="reason"))]
    return []
