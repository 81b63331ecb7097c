"""Rules about the whole plan, shown as a live checklist while editing and enforced on submit:
at least one proposal, every line still passing its own rules (R1, R2, R5, R6, proposed source
— checked again whatever the line's origin: typed, imported, carried over, or valid when saved
but not any more, such as a source no longer in use), R3 (priority activities per sector), R4
(unique ranks, when the profile asks) and the village meeting (R9, R11).

The meeting must be recorded. When it falls short of the quorum or the approval, the commune
leader may accept it with a reason (R9 override); that acceptance never replaces a meeting that
was not recorded, because the community contribution of the lines is decided by the village
meeting (R11) and each such line records it on submit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.core.errors import ApplicationError
from kehoach.core.templatetags.vn import compact, pct

from ..models import ProposalLine, VillageMeeting, VillagePlan
from .lines.fields import line_values
from .lines.plan_rules import sector_rules
from .lines.validators import LineContext, line_context, validate_proposal_line
from .meeting import meeting_result

_UNKNOWN = object()


@dataclass(frozen=True)
class Check:
    code: str
    ok: bool
    message: str


def plan_checks(
    plan: VillagePlan,
    lines: Iterable[ProposalLine] | None = None,
    meeting: VillageMeeting | object | None = _UNKNOWN,
) -> list[Check]:
    """Every whole-plan rule with its state. Pass the plan's alive lines (with ``sector``,
    ``unit`` and ``proposed_source`` selected) and its meeting when the caller already has
    them, to spare queries."""
    context = line_context(plan.round)
    if lines is None:
        lines = plan.lines.alive().select_related("sector", "unit", "proposed_source")
    lines = sorted(lines, key=lambda line: line.number)
    checks: list[Check] = []

    if lines:
        checks.append(
            Check(
                "has_lines",
                True,
                ngettext("%(n)s proposal.", "%(n)s proposals.", len(lines)) % {"n": len(lines)},
            )
        )
    else:
        checks.append(Check("has_lines", False, _("The plan has no proposal yet.")))
    checks.extend(_line_checks(context, lines))

    # R3, R4: one pure rule over the lines' values, which import previews also show
    checks.extend(Check(s.code, s.ok, s.message) for s in sector_rules(context, lines))

    if meeting is _UNKNOWN:
        meeting = VillageMeeting.objects.filter(plan=plan).first()
    checks.extend(meeting_checks(plan, meeting if isinstance(meeting, VillageMeeting) else None))
    return checks


def _line_checks(context: LineContext, lines: list[ProposalLine]) -> list[Check]:
    """Each line against its own rules, again: one failing check per line and field, with the
    message of the rule ("Line 3, Proposed source: …")."""
    checks: list[Check] = []
    for line in lines:
        for problem in validate_proposal_line(context, line.number, line_values(line)):
            checks.append(
                Check(f"line:{line.number}:{problem.where.field or ''}", False, problem.message)
            )
    return checks


def meeting_checks(plan: VillagePlan, meeting: VillageMeeting | None) -> list[Check]:
    if meeting is None:
        # R11: the override accepts a meeting short of quorum or approval, never a missing one.
        if plan.quorum_override_reason:
            message = _(
                "The village meeting has not been recorded. The commune's acceptance applies "
                "to a recorded meeting that falls short of the quorum or the approval; it does "
                "not replace the meeting, which decides the community contributions."
            )
        else:
            message = _("The village meeting has not been recorded.")
        return [Check("meeting", False, message)]
    if plan.quorum_override_reason:
        return [
            Check(
                "meeting",
                True,
                _("The commune accepted the meeting: %(reason)s")
                % {"reason": plan.quorum_override_reason},
            )
        ]
    profile = plan.round.profile
    result = meeting_result(meeting, profile)
    checks = [
        Check(
            "quorum",
            result.quorate,
            (
                _("Quorum reached: %(pct)s%% of households represented (more than %(min)s%%).")
                if result.quorate
                else _(
                    "No quorum: %(pct)s%% of households represented; more than %(min)s%% "
                    "is needed (or the commune leader accepts the meeting with a reason)."
                )
            )
            % {
                "pct": _pct(result.households_pct),
                "min": _threshold(profile.quorum_households_pct),
            },
        ),
        Check(
            "approval",
            result.approved,
            (
                _("Approved: %(pct)s%% of participants agreed (more than %(min)s%%).")
                if result.approved
                else _(
                    "Not approved: %(pct)s%% of participants agreed; more than %(min)s%% is needed."
                )
            )
            % {"pct": _pct(result.agree_pct), "min": _threshold(profile.quorum_agreement_pct)},
        ),
    ]
    return checks


def _pct(value: object) -> str:
    """A share as every page shows it (the ``pct`` filter: one decimal, 77,8 and 74,0), without
    its sign, which the message places; a share that cannot be computed is 0."""
    return pct(value).removesuffix("%") or "0"


def _threshold(value: object) -> str:
    """A threshold of the profile as configured: 50, or 50,5 (the ``compact`` filter)."""
    return compact(value) or "0"


def plan_ready_to_submit(plan: VillagePlan) -> None:
    """Raise with every failing check when the plan cannot be submitted yet."""
    failing = [c for c in plan_checks(plan) if not c.ok]
    if failing:
        raise ApplicationError(
            "plan_not_ready",
            _("The plan cannot be submitted yet:") + "\n" + "\n".join(c.message for c in failing),
        )
