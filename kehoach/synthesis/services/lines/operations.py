"""Merging the same work proposed by several villages into one line, splitting a line into
parts, and undoing either (R12). The merged lines are kept (state "merged") so that the merge
can be undone; the same for a split line and its parts. A merged line's sources are the union
of the merged lines' sources; each part carries its share of the line's sources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_record, snapshot
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.core.text import nfc

from ...choices import Decision, DecisionOrigin, LineState
from ...models import CommuneLine, CommunePlan, LineFunding, LineSource, SynthesisOperation
from ...selectors import line_sources
from ...summaries import summaries_refresh
from ..common import (
    bump,
    check_version,
    ensure_draft,
    money,
    money_text,
    record,
    require,
    require_editable,
)
from .fields import AUDIT_FIELDS, DECISION_FIELDS
from .values import apportion_parts, line_locked, next_number, recompute


def refuse(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message)


def _decision_state(line: CommuneLine) -> dict[str, Any]:
    return {
        **{name: getattr(line, name) for name in DECISION_FIELDS},
        "funding": {str(f.envelope_line_id): str(f.amount_mvnd) for f in line.funding.all()},
    }


def _merge_refusals(chosen: list[CommuneLine], ids: list[int]) -> None:
    """Why ``chosen`` (the lines named by ``ids``) cannot be merged: the merge's checks,
    shared by ``lines_merge`` and ``lines_merge_check``."""
    if len(chosen) != len(ids):
        raise NotFoundError()
    if len(chosen) < 2:
        raise refuse("merge_too_few", _("Tick at least two lines to merge."))
    for line in chosen:
        if line.state != LineState.ACTIVE:
            raise refuse(
                "merge_not_active",
                _("Line %(number)s is “%(state)s” and cannot be merged.")
                % {"number": line.number, "state": line.get_state_display()},
            )
        if line.organisation:
            raise refuse(
                "merge_commune_line",
                _(
                    "Line %(number)s was proposed by %(organisation)s, not by a village; only "
                    "villages' proposals can be merged."
                )
                % {"number": line.number, "organisation": line.organisation},
            )
        if line.split_from_id is not None or line.parts.exists():
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


def expected_of(expected_versions: Mapping[Any, int] | None, line: CommuneLine) -> int | None:
    """The version ``expected_versions`` gives for ``line`` (keyed by its uid, as a UUID or
    text, or by its pk); None when none is given (any version)."""
    if not expected_versions:
        return None
    for key in (line.uid, str(line.uid), line.pk):
        if key in expected_versions:
            return expected_versions[key]
    return None


def _check_versions(chosen: list[CommuneLine], expected: Mapping[Any, int] | None) -> None:
    """Refuse (the stale error, code "conflict") when a line was saved since the version the
    caller read — checked on the rows read under the lock."""
    for line in chosen:
        check_version(line, expected_of(expected, line))


def _editable(actor: Any, plan: CommunePlan) -> CommunePlan:
    """``require_editable`` without the lock (a dry run)."""
    require(actor, Action.EDIT_COMMUNE_PLAN, plan.round)
    ensure_draft(plan)
    return plan


def lines_merge_check(
    *,
    actor: Any,
    plan: CommunePlan,
    lines: list[CommuneLine],
    expected_versions: Mapping[Any, int] | None = None,
) -> None:
    """What ``lines_merge`` would refuse, without writing or locking (a dry run)."""
    plan = _editable(actor, plan)
    ids = sorted({line.pk for line in lines})
    chosen = list(
        CommuneLine.objects.filter(plan=plan, pk__in=ids)
        .select_related("sector", "unit")
        .order_by("number")
    )
    _check_versions(chosen, expected_versions)
    _merge_refusals(chosen, ids)


@transaction.atomic
def lines_merge(
    *,
    actor: Any,
    plan: CommunePlan,
    lines: list[CommuneLine],
    activity: str = "",
    location: str = "",
    expected_versions: Mapping[Any, int] | None = None,
) -> CommuneLine:
    """Merge the same work proposed by several villages into one line: amounts and
    beneficiaries summed, sources and villages listed (R12). ``expected_versions`` (line uid
    or pk → the version the caller read; None: any) is checked under the lock."""
    plan = require_editable(actor, plan)
    ids = sorted({line.pk for line in lines})
    chosen = list(
        CommuneLine.objects.select_for_update(of=("self",))
        .filter(plan=plan, pk__in=ids)
        .select_related("sector", "unit")
        .order_by("number")
    )
    _check_versions(chosen, expected_versions)
    _merge_refusals(chosen, ids)
    first = chosen[0]
    sources = line_sources(chosen)
    number = next_number(plan)
    merged = CommuneLine(
        plan=plan,
        number=number,
        sector_id=first.sector_id,
        activity=nfc(activity) or first.activity,
        location=nfc(location)
        or ", ".join(dict.fromkeys(x.location for x in chosen if x.location)),
        unit_id=first.unit_id,
        quantity=first.quantity,
        start_month=first.start_month,
        end_month=first.end_month,
        total_cost_mvnd=Decimal(0),
        expenditure_type=first.expenditure_type,
        manual_scores=first.manual_scores,
        notes="\n".join(x.notes for x in chosen if x.notes),
    )
    merged.save()
    seen: set[int] = set()
    for line in chosen:
        for source in sources.get(line.pk, []):
            if source.village_line_id in seen:
                continue
            seen.add(source.village_line_id)
            LineSource.objects.create(
                line=merged,
                village_line_id=source.village_line_id,
                fingerprint=source.fingerprint,
                withdrawn=source.withdrawn,
            )
    recompute([merged])
    merged.refresh_from_db()
    for line in chosen:
        before = snapshot(line, AUDIT_FIELDS)
        line.restore = _decision_state(line)
        LineFunding.objects.filter(line=line).delete()
        line.state = LineState.MERGED
        line.merged_into = merged
        line.decision = Decision.MERGED
        line.decision_origin = DecisionOrigin.MERGE
        line.decision_code = "merged"
        line.decision_params = {"into": merged.number}
        line.decision_reason = _("Merged into line %(number)s (%(activity)s).") % {
            "number": merged.number,
            "activity": merged.activity,
        }
        line.version += 1
        line.save()
        audit_record(
            actor=actor,
            plan_uid=plan.uid,
            obj=line,
            operation="update",
            before=before,
            after=snapshot(line, AUDIT_FIELDS),
        )
    SynthesisOperation.objects.create(
        plan=plan,
        kind=SynthesisOperation.Kind.MERGE,
        line=merged,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    bump(plan)
    record(actor, plan, merged, "create", AUDIT_FIELDS)
    summaries_refresh(plan)
    return merged


@dataclass
class Part:
    activity: str
    location: str
    total_cost_mvnd: Decimal


def _split_refusals(current: CommuneLine, parts: list[Part]) -> None:
    """Why ``current`` cannot be split into ``parts``: the split's checks, shared by
    ``line_split`` and ``line_split_check``."""
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
    total = current.total_cost_mvnd
    errors: list[ApplicationError] = []
    for index, part in enumerate(parts, start=1):
        if not nfc(part.activity):
            errors.append(
                ApplicationError(
                    "part_activity",
                    _("Part %(n)s: enter the activity.") % {"n": index},
                    Where(field=f"activity_{index}"),
                )
            )
        if part.total_cost_mvnd is None or Decimal(part.total_cost_mvnd) <= 0:
            errors.append(
                ApplicationError(
                    "part_cost",
                    _("Part %(n)s: the cost must be greater than 0.") % {"n": index},
                    Where(field=f"cost_{index}"),
                )
            )
    if not errors:
        given = sum((money(Decimal(p.total_cost_mvnd)) for p in parts), Decimal(0))
        if given != total:
            errors.append(
                ApplicationError(
                    "parts_sum",
                    _(
                        "The parts' costs add up to %(given)s million VND but the line costs "
                        "%(total)s million VND; they must be equal."
                    )
                    % {"given": money_text(given), "total": money_text(total)},
                )
            )
    if errors:
        raise ApplicationErrors(errors)


def line_split_check(
    *, actor: Any, line: CommuneLine, parts: list[Part], expected_version: int | None = None
) -> None:
    """What ``line_split`` would refuse, without writing or locking (a dry run)."""
    _editable(actor, line.plan)
    current = CommuneLine.objects.get(pk=line.pk)
    check_version(current, expected_version)
    _split_refusals(current, parts)


@transaction.atomic
def line_split(
    *, actor: Any, line: CommuneLine, parts: list[Part], expected_version: int | None = None
) -> list[CommuneLine]:
    """Split a line into parts (for instance by phase or by village); each part carries the
    share of the cost the planner gives it, and every amount is apportioned the same way.
    ``expected_version`` (the line's version the caller read; None: any) is checked under the
    lock."""
    plan = require_editable(actor, line.plan)
    current = line_locked(line)
    check_version(current, expected_version)
    _split_refusals(current, parts)
    total = current.total_cost_mvnd
    shares = [Decimal(p.total_cost_mvnd) / total for p in parts]
    shares = [s.quantize(Decimal("0.000001")) for s in shares[:-1]]
    shares.append(Decimal(1) - sum(shares, Decimal(0)))
    before = snapshot(current, AUDIT_FIELDS)
    current.restore = _decision_state(current)
    LineFunding.objects.filter(line=current).delete()
    current.state = LineState.SPLIT
    current.decision = Decision.PENDING
    current.decision_origin = DecisionOrigin.NONE
    current.decision_reason = ""
    current.version += 1
    current.save()
    sources = line_sources([current]).get(current.pk, [])
    number = next_number(plan)
    created: list[CommuneLine] = []
    for index, (part, share) in enumerate(zip(parts, shares, strict=True)):
        child = CommuneLine(
            plan=plan,
            number=number + index,
            split_from=current,
            share=share,
            organisation=current.organisation,
            sector_id=current.sector_id,
            activity=nfc(part.activity),
            location=nfc(part.location) or current.location,
            unit_id=current.unit_id,
            quantity=current.quantity,
            start_month=current.start_month,
            end_month=current.end_month,
            total_cost_mvnd=Decimal(0),
            expenditure_type=current.expenditure_type,
            manual_scores=current.manual_scores,
            notes=current.notes,
        )
        child.save()
        for source in sources:
            LineSource.objects.create(
                line=child,
                village_line_id=source.village_line_id,
                share=share,
                fingerprint=source.fingerprint,
                withdrawn=source.withdrawn,
            )
        created.append(child)
    apportion_parts(current)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=current,
        operation="update",
        before=before,
        after=snapshot(current, AUDIT_FIELDS),
    )
    for child in created:
        child.refresh_from_db()
        record(actor, plan, child, "create", AUDIT_FIELDS)
    SynthesisOperation.objects.create(
        plan=plan,
        kind=SynthesisOperation.Kind.SPLIT,
        line=current,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    bump(plan)
    summaries_refresh(plan)
    return created
