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

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.catalog.choices import PriorityBoundScope
from kehoach.core.errors import ApplicationError, ApplicationErrors
from kehoach.core.templatetags.vn import compact, pct

from ..models import ProposalLine, VillageMeeting, VillagePlan
from .lines import LINE_FIELDS, validate_line
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
    profile = plan.round.profile
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
    checks.extend(_line_checks(plan, lines))

    by_sector: dict[int, list[ProposalLine]] = defaultdict(list)
    for line in lines:
        by_sector[line.sector_id].append(line)
    low, high = (
        profile.min_priority_activities_per_sector,
        profile.max_priority_activities_per_sector,
    )
    for sector_lines in sorted(by_sector.values(), key=lambda ls: ls[0].sector.sort_order):
        sector = sector_lines[0].sector
        if profile.priority_bound_applies_to == PriorityBoundScope.ALL_LINES:
            counted = sector_lines
        else:
            counted = [line for line in sector_lines if line.priority is not None]
        count = len(counted)
        ok = low <= count <= high
        if ok:
            message = _(
                "%(sector)s: %(count)s priority activities (between %(min)s and %(max)s)."
            ) % {"sector": sector.name, "count": count, "min": low, "max": high}
        else:
            message = _(
                "%(sector)s has %(count)s priority activities; it must have between %(min)s "
                "and %(max)s. Change the priority of some lines."
            ) % {"sector": sector.name, "count": count, "min": low, "max": high}
        checks.append(Check(f"priority_count:{sector.code}", ok, message))

        if profile.unique_ranks_within_sector:
            seen: dict[int, list[int]] = defaultdict(list)
            for line in sector_lines:
                if line.priority is not None:
                    seen[line.priority].append(line.number)
            for rank, numbers in sorted(seen.items()):
                if len(numbers) > 1:
                    checks.append(
                        Check(
                            f"unique_rank:{sector.code}:{rank}",
                            False,
                            _(
                                "%(sector)s: priority %(rank)s is given to lines %(lines)s; "
                                "each priority may be used only once in a sector."
                            )
                            % {
                                "sector": sector.name,
                                "rank": rank,
                                "lines": ", ".join(str(n) for n in numbers),
                            },
                        )
                    )

    if meeting is _UNKNOWN:
        meeting = VillageMeeting.objects.filter(plan=plan).first()
    checks.extend(_meeting_checks(plan, meeting if isinstance(meeting, VillageMeeting) else None))
    return checks


def _line_checks(plan: VillagePlan, lines: list[ProposalLine]) -> list[Check]:
    """Each line against its own rules, again: one failing check per line and field, with the
    message of the rule ("Line 3, Proposed source: …")."""
    checks: list[Check] = []
    for line in lines:
        try:
            validate_line(plan.round, line.number, {f: getattr(line, f) for f in LINE_FIELDS})
        except ApplicationErrors as exc:
            for error in exc.errors:
                checks.append(
                    Check(f"line:{line.number}:{error.where.field or ''}", False, error.message)
                )
    return checks


def _meeting_checks(plan: VillagePlan, meeting: VillageMeeting | None) -> list[Check]:
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
