"""Merging the same work proposed by several villages into one five-year line, splitting a line
into parts, and undoing the last of them (R12), as in the yearly synthesis.

A merge sums the lines' amounts, beneficiaries and years, and unites their sources; the merged
lines are kept (state "merged") with their decisions saved in the operation, so that the merge
can be undone. A split divides every amount, every year's quantity and cost and the
beneficiaries by the parts' shares (adding to 1): each part but the last is rounded down to
the stored precision and the last takes what is left, so the parts add up to the line exactly.
Each part's values are checked with the village activity's own rules (``line_problems``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import snapshot
from kehoach.approvals.models import StatusChange
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.text import nfc
from kehoach.synthesis.choices import Decision, LineState

from ..models import (
    MediumTermCommuneLine,
    MediumTermCommuneLineYear,
    MediumTermCommunePlan,
    MediumTermOperation,
    MediumTermSource,
)
from .commune import (
    DECISION_AUDIT,
    LINE_AUDIT,
    check_version,
    lines_locked,
    record,
    require_editable,
)
from .commune_synthesis import activity_values, next_number
from .lines import YearValues, line_problems

SIX = Decimal("0.000001")
AMOUNTS = ("contribution_mvnd", "external_support_mvnd")
COUNTS = ("beneficiary_households", "beneficiary_poor", "beneficiary_em")


def refuse(code: str, message: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(code, message, Where(field=field))


def apportion(total: Decimal, shares: list[Decimal], places: str) -> list[Decimal]:
    """``total`` split by ``shares`` (adding to 1), each part rounded down to ``places`` but
    the last, which takes what is left: the parts add up to ``total`` exactly."""
    quantum = Decimal(places)
    parts = [(total * share).quantize(quantum, rounding=ROUND_DOWN) for share in shares[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def _years_of(lines: list[MediumTermCommuneLine]) -> dict[int, list[MediumTermCommuneLineYear]]:
    found: dict[int, list[MediumTermCommuneLineYear]] = defaultdict(list)
    for item in MediumTermCommuneLineYear.objects.filter(line__in=lines).order_by("year"):
        found[item.line_id].append(item)
    return found


def _checked(plan: MediumTermCommunePlan, number: int, values: dict[str, Any], years: Any) -> None:
    """The values of a merged line or a part, checked with the rules of a village activity
    (bounds, beneficiaries, the years' costs = contribution + support): a thin adapter over
    ``services.lines.line_problems``."""
    given = {
        **{k: v for k, v in values.items() if not k.endswith("_id")},
        "sector": values["sector"],
        "unit": values["unit"],
        "proposed_source": values.get("proposed_source"),
    }
    _clean, _years, problems = line_problems(
        plan.round,
        number,
        given,
        {year: YearValues(q, c) for year, (q, c) in years.items()},
    )
    found = [p.as_error() for p in problems if p.is_error]
    if found:
        raise ApplicationErrors(found)


def _decision_state(line: MediumTermCommuneLine) -> dict[str, str]:
    return {"decision": line.decision, "decision_reason": line.decision_reason}


def _merge_refusals(chosen: list[MediumTermCommuneLine]) -> None:
    if len(chosen) < 2:
        raise refuse("merge_too_few", _("Tick at least two lines to merge."))
    for line in chosen:
        if line.state != LineState.ACTIVE:
            raise refuse(
                "merge_not_active",
                _("Line %(number)s is “%(state)s” and cannot be merged.")
                % {"number": line.number, "state": line.get_state_display()},
            )
        if line.split_from_id is not None:
            raise refuse(
                "merge_split_line",
                _("Line %(number)s is part of a split; undo the split before merging it.")
                % {"number": line.number},
            )
    first = chosen[0]
    for line in chosen[1:]:
        if line.sector_id != first.sector_id:
            raise refuse(
                "merge_sector",
                _(
                    "Lines %(a)s and %(b)s are in different sectors (%(sa)s, %(sb)s); only the "
                    "same work can be merged."
                )
                % {
                    "a": first.number,
                    "b": line.number,
                    "sa": first.sector.name,
                    "sb": line.sector.name,
                },
            )
        if line.unit_id != first.unit_id:
            raise refuse(
                "merge_unit",
                _(
                    "Lines %(a)s and %(b)s are measured in different units (%(ua)s, %(ub)s); "
                    "only the same work can be merged."
                )
                % {
                    "a": first.number,
                    "b": line.number,
                    "ua": first.unit.name,
                    "ub": line.unit.name,
                },
            )


def _expected(expected_versions: Mapping[Any, int] | None, line: MediumTermCommuneLine) -> Any:
    if not expected_versions:
        return None
    for key in (line.uid, str(line.uid), line.pk):
        if key in expected_versions:
            return expected_versions[key]
    return None


@transaction.atomic
def commune_lines_merge(
    *,
    actor: Any,
    plan: MediumTermCommunePlan,
    lines: list[MediumTermCommuneLine],
    activity: str = "",
    location: str = "",
    expected_versions: Mapping[Any, int] | None = None,
) -> MediumTermCommuneLine:
    """Merge lines of the same sector and unit into one: amounts, beneficiaries and years
    summed, sources united. ``expected_versions`` (line uid or pk → version read) is checked
    under the lock."""
    plan = require_editable(actor, plan)
    chosen = lines_locked(plan, sorted({line.pk for line in lines}))
    for line in chosen:
        check_version(line, _expected(expected_versions, line))
    _merge_refusals(chosen)
    first = chosen[0]
    values = activity_values(first)
    values["activity"] = nfc(activity).strip() or first.activity
    values["location"] = nfc(location).strip() or ", ".join(
        dict.fromkeys(x.location for x in chosen if x.location)
    )
    for name in AMOUNTS:
        values[name] = sum((getattr(x, name) for x in chosen), Decimal(0))
    for name in COUNTS:
        values[name] = sum(getattr(x, name) for x in chosen)
    proposed = {x.proposed_source_id for x in chosen}
    values["proposed_source_id"] = first.proposed_source_id if len(proposed) == 1 else None
    values["notes"] = "\n".join(x.notes for x in chosen if x.notes)[:2000]
    years: dict[int, tuple[Decimal, Decimal]] = {}
    for items in _years_of(chosen).values():
        for item in items:
            quantity, cost = years.get(item.year, (Decimal(0), Decimal(0)))
            years[item.year] = (quantity + item.quantity, cost + item.cost_mvnd)
    number = next_number(plan)
    _checked(
        plan,
        number,
        {
            **values,
            "sector": first.sector,
            "unit": first.unit,
            "proposed_source": first.proposed_source if len(proposed) == 1 else None,
        },
        years,
    )
    merged = MediumTermCommuneLine.objects.create(plan=plan, number=number, **values)
    MediumTermCommuneLineYear.objects.bulk_create(
        MediumTermCommuneLineYear(line=merged, year=year, quantity=q, cost_mvnd=c)
        for year, (q, c) in sorted(years.items())
    )
    shares: dict[int, Decimal] = {}
    withdrawn: dict[int, bool] = {}
    for source in MediumTermSource.objects.filter(line__in=chosen):
        shares[source.village_line_id] = min(
            Decimal(1), shares.get(source.village_line_id, Decimal(0)) + source.share
        )
        withdrawn[source.village_line_id] = (
            withdrawn.get(source.village_line_id, True) and source.withdrawn
        )
    MediumTermSource.objects.bulk_create(
        MediumTermSource(line=merged, village_line_id=vid, share=share, withdrawn=withdrawn[vid])
        for vid, share in shares.items()
    )
    restore = {str(line.pk): _decision_state(line) for line in chosen}
    for line in chosen:
        before = snapshot(line, LINE_AUDIT)
        line.state = LineState.MERGED
        line.merged_into = merged
        line.decision = Decision.MERGED
        line.decision_reason = _("Merged into line %(number)s (%(activity)s).") % {
            "number": merged.number,
            "activity": merged.activity,
        }
        line.version += 1
        line.save()
        record(actor, plan, line, "update", before=before)
    MediumTermOperation.objects.create(
        plan=plan,
        kind=MediumTermOperation.Kind.MERGE,
        line=merged,
        restore={"lines": restore},
        actor=actor if getattr(actor, "pk", None) else None,
    )
    record(actor, plan, merged, "create")
    return merged


@dataclass
class Part:
    activity: str
    location: str
    share: Decimal | None


def _split_refusals(current: MediumTermCommuneLine, parts: list[Part]) -> list[Decimal]:
    """The parts' shares, or why ``current`` cannot be split into ``parts``."""
    if current.state != LineState.ACTIVE:
        raise refuse(
            "split_not_active",
            _("Line %(number)s is “%(state)s” and cannot be split.")
            % {"number": current.number, "state": current.get_state_display()},
        )
    if current.split_from_id is not None:
        raise refuse(
            "split_part",
            _("Line %(number)s is already a part of a split; undo that split first.")
            % {"number": current.number},
        )
    if len(parts) < 2:
        raise refuse("split_too_few", _("Give at least two parts."))
    errors: list[ApplicationError] = []
    shares: list[Decimal] = []
    for index, part in enumerate(parts, start=1):
        if not nfc(part.activity or "").strip():
            errors.append(
                refuse(
                    "part_activity",
                    _("Part %(n)s: enter the activity.") % {"n": index},
                    f"activity_{index}",
                )
            )
        try:
            share = Decimal(part.share) if part.share is not None else Decimal(0)
        except (InvalidOperation, ValueError, TypeError):
            share = Decimal(0)
        if not share.is_finite() or share <= 0 or share >= 1 or share != share.quantize(SIX):
            errors.append(
                refuse(
                    "part_share",
                    _(
                        "Part %(n)s: the share must be more than 0 and less than 100%% "
                        "(at most four decimals of a percent)."
                    )
                    % {"n": index},
                    f"share_{index}",
                )
            )
        shares.append(share)
    if not errors and sum(shares, Decimal(0)) != 1:
        errors.append(
            refuse(
                "parts_sum",
                _("The parts' shares add up to %(given)s%%; they must add up to 100%%.")
                % {"given": str((sum(shares, Decimal(0)) * 100).normalize())},
            )
        )
    if errors:
        raise ApplicationErrors(errors)
    return shares


@transaction.atomic
def commune_line_split(
    *,
    actor: Any,
    line: MediumTermCommuneLine,
    parts: list[Part],
    expected_version: int | None = None,
) -> list[MediumTermCommuneLine]:
    """Split a line into parts (by village, by phase …) with shares adding to 1: every amount,
    every year and the beneficiaries divided so that the parts add up to the line exactly."""
    plan = require_editable(actor, line.plan)
    (current,) = lines_locked(plan, [line.pk])
    check_version(current, expected_version)
    shares = _split_refusals(current, parts)
    values = activity_values(current)
    columns: dict[str, list[Any]] = {}
    for name in AMOUNTS:
        columns[name] = apportion(getattr(current, name), shares, "0.001")
    for name in COUNTS:
        columns[name] = [int(c) for c in apportion(Decimal(getattr(current, name)), shares, "1")]
    years = _years_of([current]).get(current.pk, [])
    quantities = {y.year: apportion(y.quantity, shares, "0.001") for y in years}
    costs = {y.year: apportion(y.cost_mvnd, shares, "0.001") for y in years}
    # the years' costs of each part = its contribution + support (R1): each part's cost is
    # divided between contribution and support as the line's is, the last part takes the rest
    whole = current.contribution_mvnd + current.external_support_mvnd
    ratio = current.contribution_mvnd / whole if whole else Decimal(0)
    for index in range(len(shares) - 1):
        part_cost = sum((costs[y.year][index] for y in years), Decimal(0))
        contribution = (part_cost * ratio).quantize(Decimal("0.001"), rounding=ROUND_DOWN)
        columns["contribution_mvnd"][index] = contribution
        columns["external_support_mvnd"][index] = part_cost - contribution
    last = len(shares) - 1
    for name in AMOUNTS:
        others = sum((columns[name][i] for i in range(last)), Decimal(0))
        columns[name][last] = getattr(current, name) - others
    number = next_number(plan)
    made: list[tuple[dict[str, Any], dict[int, tuple[Decimal, Decimal]]]] = []
    for index, part in enumerate(parts):
        part_values = {**values, **{name: columns[name][index] for name in columns}}
        part_values["activity"] = nfc(part.activity).strip()
        part_values["location"] = nfc(part.location or "").strip() or current.location
        part_years = {y.year: (quantities[y.year][index], costs[y.year][index]) for y in years}
        _checked(
            plan,
            number + index,
            {
                **part_values,
                "sector": current.sector,
                "unit": current.unit,
                "proposed_source": current.proposed_source,
            },
            part_years,
        )
        made.append((part_values, part_years))
    before = snapshot(current, LINE_AUDIT)
    restore = _decision_state(current)
    current.state = LineState.SPLIT
    current.decision = Decision.PENDING
    current.decision_reason = ""
    current.version += 1
    current.save()
    record(actor, plan, current, "update", before=before)
    sources = list(MediumTermSource.objects.filter(line=current))
    created: list[MediumTermCommuneLine] = []
    for index, (part_values, part_years) in enumerate(made):
        child = MediumTermCommuneLine.objects.create(
            plan=plan,
            number=number + index,
            split_from=current,
            share=shares[index],
            **part_values,
        )
        MediumTermCommuneLineYear.objects.bulk_create(
            MediumTermCommuneLineYear(line=child, year=year, quantity=q, cost_mvnd=c)
            for year, (q, c) in sorted(part_years.items())
        )
        MediumTermSource.objects.bulk_create(
            MediumTermSource(
                line=child,
                village_line_id=source.village_line_id,
                share=max(SIX, (source.share * shares[index]).quantize(SIX)),
                withdrawn=source.withdrawn,
            )
            for source in sources
        )
        record(actor, plan, child, "create")
        created.append(child)
    MediumTermOperation.objects.create(
        plan=plan,
        kind=MediumTermOperation.Kind.SPLIT,
        line=current,
        restore={"lines": {str(current.pk): restore}},
        actor=actor if getattr(actor, "pk", None) else None,
    )
    return created


def last_operation(plan: MediumTermCommunePlan) -> MediumTermOperation | None:
    """The last merge or split of the plan not undone: what "undo" undoes."""
    return (
        MediumTermOperation.objects.filter(plan=plan, undone_at__isnull=True)
        .select_related("line")
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def commune_operation_undo(
    *,
    actor: Any,
    plan: MediumTermCommunePlan,
    operation: MediumTermOperation | None = None,
    expected_version: int | None = None,
) -> MediumTermOperation:
    """Undo the plan's last merge or split: the merged lines come back with the decisions they
    had and the merged line is removed, or the parts are removed and the line comes back with
    its decision. ``operation`` (when given) must be that last one; ``expected_version`` is
    the version read of its line (the merged line, or the split one)."""
    plan = require_editable(actor, plan)
    op = (
        MediumTermOperation.objects.select_for_update()
        .filter(plan=plan, undone_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    if op is None:
        raise refuse("undo_nothing", _("There is no merge or split left to undo."))
    if operation is not None and operation.pk != op.pk:
        raise refuse(
            "undo_not_last",
            _("Only the last merge or split can be undone; undo the later ones first."),
        )
    (line,) = lines_locked(plan, [op.line_id])
    check_version(line, expected_version)
    saved = (op.restore or {}).get("lines", {})
    if op.kind == MediumTermOperation.Kind.MERGE:
        gone = [line]
        back = list(
            MediumTermCommuneLine.objects.select_for_update(of=("self",)).filter(merged_into=line)
        )
    else:
        gone = list(
            MediumTermCommuneLine.objects.select_for_update(of=("self",)).filter(
                split_from=line, state__in=[LineState.ACTIVE, LineState.WITHDRAWN]
            )
        )
        back = [line]
    for old in gone:
        before = snapshot(old, LINE_AUDIT)
        old.state = LineState.REMOVED
        old.decision = Decision.PENDING
        old.decision_reason = ""
        old.version += 1
        old.save()
        record(actor, plan, old, "delete", before=before)
    live = set(
        MediumTermSource.objects.filter(line__in=back, withdrawn=False).values_list(
            "line_id", flat=True
        )
    )
    for old in back:
        before = snapshot(old, LINE_AUDIT)
        state = saved.get(str(old.pk), {})
        old.state = LineState.ACTIVE if old.pk in live else LineState.WITHDRAWN
        old.merged_into = None
        old.decision = state.get("decision") or Decision.PENDING
        old.decision_reason = state.get("decision_reason", "")
        old.version += 1
        old.save()
        record(actor, plan, old, "restore", before=before)
    op.undone_at = timezone.now()
    op.save(update_fields=["undone_at", "updated_at"])
    if op.kind == MediumTermOperation.Kind.MERGE:
        what = _(
            "Undo merging lines: line %(number)s (%(activity)s) is taken out and lines "
            "%(lines)s are back."
        ) % {
            "number": line.number,
            "activity": line.activity,
            "lines": ", ".join(str(x.number) for x in sorted(back, key=lambda x: x.number)),
        }
    else:
        what = _("Undo splitting the line: line %(number)s (%(activity)s) is whole again.") % {
            "number": line.number,
            "activity": line.activity,
        }
    StatusChange.objects.create(
        plan_uid=plan.uid,
        subject_label=MediumTermCommunePlan._meta.label_lower,
        action="undo_merge" if op.kind == MediumTermOperation.Kind.MERGE else "undo_split",
        from_state=plan.status,
        to_state=plan.status,
        actor=actor if getattr(actor, "pk", None) else None,
        comment=what,
    )
    return op


__all__ = [
    "DECISION_AUDIT",
    "Part",
    "apportion",
    "commune_line_split",
    "commune_lines_merge",
    "commune_operation_undo",
    "last_operation",
]
