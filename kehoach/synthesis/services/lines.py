"""The commune synthesis (F9): building the commune plan from the submitted village plans,
commune-level proposals (R14), merging, splitting and undoing.

Traceability (R12). Every commune line built from villages has ``LineSource`` rows, one per
village line, with the share of it that the line carries (1, or the part's share after a
split). Amounts, quantities and beneficiaries are never typed at the commune for those lines:
they are the sum over the sources times their share, so commune totals equal the village plans
(R13). A merged line's sources are the union of the merged lines' sources; the merged lines are
kept (state "merged") so that the merge can be undone; the same for a split line and its parts.

Re-synthesis. Each source keeps a fingerprint of its village line as last taken. Running the
synthesis again adds lines for new village lines (marked "new"), recomputes lines whose village
lines changed (marked "changed", their decision back to "not decided" and their funding taken
back), and marks lines whose village lines were deleted or whose plan is no longer submitted as
"withdrawn". Lines whose sources did not change keep their decision and funding.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_record, snapshot
from kehoach.approvals.models import AuditEntry, StatusChange
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.core.text import nfc
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, ProposalLine
from kehoach.plans.services.lines import field_label, validate_line

from ..choices import Decision, DecisionOrigin, LineState, Review
from ..models import CommuneLine, CommunePlan, LineFunding, LineSource, SynthesisOperation
from .common import bump, commune_plan_for, money, money_text, record, require_editable

SOURCE_FIELDS = [
    "sector",
    "activity",
    "location",
    "unit",
    "quantity",
    "start_month",
    "end_month",
    "total_cost_mvnd",
    "contribution_mvnd",
    "contribution_cash_mvnd",
    "contribution_labour_days",
    "contribution_labour_mvnd",
    "contribution_materials_mvnd",
    "contribution_land_m2",
    "external_support_mvnd",
    "proposed_source",
    "beneficiary_households",
    "beneficiary_poor",
    "beneficiary_em",
    "implementation_mode",
    "priority",
]
"""What a commune line takes from a village line; a change to any of them is a change."""

AMOUNT_FIELDS = [
    "quantity",
    "total_cost_mvnd",
    "contribution_mvnd",
    "contribution_cash_mvnd",
    "contribution_labour_days",
    "contribution_labour_mvnd",
    "contribution_materials_mvnd",
    "contribution_land_m2",
    "external_support_mvnd",
]
COUNT_FIELDS = ["beneficiary_households", "beneficiary_poor", "beneficiary_em"]
TEXT_FIELDS = ["activity", "location", "expenditure_type", "notes"]
"""What the commune may change on a line built from villages."""
OWN_FIELDS = [
    "sector",
    "activity",
    "location",
    "unit",
    "quantity",
    "start_month",
    "end_month",
    "total_cost_mvnd",
    "contribution_mvnd",
    "contribution_cash_mvnd",
    "contribution_labour_days",
    "contribution_labour_mvnd",
    "contribution_materials_mvnd",
    "contribution_land_m2",
    "external_support_mvnd",
    "proposed_source",
    "beneficiary_households",
    "beneficiary_poor",
    "beneficiary_em",
    "implementation_mode",
    "notes",
]
"""The fields of a commune sector's or organisation's own line (R14), checked like F6."""
AUDIT_FIELDS = [
    "number",
    "state",
    "organisation",
    *OWN_FIELDS,
    "village_priority",
    "expenditure_type",
    "decision",
    "decision_reason",
]
DECISION_FIELDS = [
    "decision",
    "decision_origin",
    "decision_reason",
    "decision_code",
    "decision_params",
]


def fingerprint(line: ProposalLine) -> dict[str, Any]:
    """The village line's values that flow into the commune plan, as JSON (ids for links)."""
    data: dict[str, Any] = {}
    for name in SOURCE_FIELDS:
        value = getattr(
            line, f"{name}_id" if name in ("sector", "unit", "proposed_source") else name
        )
        if isinstance(value, Decimal):
            value = str(value.normalize()) if value else "0"
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = value
    return data


def _changed_labels(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    labels = []
    for name in SOURCE_FIELDS:
        if old.get(name) != new.get(name):
            field_ = ProposalLine._meta.get_field(name)
            labels.append(str(getattr(field_, "verbose_name", name)))
    return labels


# --- values of a line from its sources ------------------------------------------------------


def _apportion(total: Decimal, shares: list[Decimal], places: str) -> list[Decimal]:
    """Split ``total`` by ``shares`` (summing to 1) rounded down to ``places``; the last part
    takes what rounding left, so the parts add up to the total exactly."""
    quantum = Decimal(places)
    parts = [(total * s).quantize(quantum, rounding=ROUND_DOWN) for s in shares[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def _aggregate(sources: list[LineSource]) -> dict[str, Any]:
    """Sum of the live sources' values (each at share 1), for an unsplit line."""
    live = [s for s in sources if not s.withdrawn]
    values: dict[str, Any] = {}
    for name in AMOUNT_FIELDS:
        values[name] = sum((Decimal(getattr(s.village_line, name)) for s in live), Decimal(0))
    for name in COUNT_FIELDS:
        values[name] = sum(int(getattr(s.village_line, name)) for s in live)
    if live:
        first = live[0].village_line
        values["start_month"] = min(s.village_line.start_month for s in live)
        values["end_month"] = max(s.village_line.end_month for s in live)
        priorities = [s.village_line.priority for s in live if s.village_line.priority]
        values["village_priority"] = min(priorities) if priorities else None
        proposed = {s.village_line.proposed_source_id for s in live}
        values["proposed_source_id"] = first.proposed_source_id if len(proposed) == 1 else None
        values["implementation_mode"] = first.implementation_mode
        values["sector_id"] = first.sector_id
        values["unit_id"] = first.unit_id
    return values


def _apply_values(line: CommuneLine, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(line, name, value)


def require_within_bounds(line: CommuneLine, fields: Iterable[str] | None = None) -> None:
    """Refuse a line whose values (typed, or summed from its villages by a merge or a
    re-synthesis) fall outside their bounds, naming the line and the field."""

    def error(name: str, code: str, text: str) -> ApplicationError:
        return ApplicationError(
            code,
            _("Line %(number)s, %(field)s: %(problem)s")
            % {"number": line.number, "field": field_label(name), "problem": text},
            Where(field=name),
            detail=text,
        )

    names = list(fields) if fields is not None else [*AMOUNT_FIELDS, *COUNT_FIELDS, *TEXT_FIELDS]
    errors = bounds.errors_for(CommuneLine, {n: getattr(line, n) for n in names}, error)
    if errors:
        raise ApplicationErrors(errors)


def _sources_of(lines: Iterable[CommuneLine]) -> dict[int, list[LineSource]]:
    ids = [line.pk for line in lines]
    found: dict[int, list[LineSource]] = defaultdict(list)
    for source in (
        LineSource.objects.filter(line_id__in=ids)
        .select_related("village_line")
        .order_by("village_line__plan__village__sort_key", "village_line__number", "id")
    ):
        found[source.line_id].append(source)
    return found


def recompute(lines: Iterable[CommuneLine]) -> None:
    """Set the amounts of these lines (built from villages) from their sources; parts of a
    split line are apportioned from their parent so that they add up to it exactly."""
    todo = {line.pk: line for line in lines}
    parents: dict[int, CommuneLine] = {}
    for line in list(todo.values()):
        if line.split_from_id is not None:
            parent = todo.get(line.split_from_id) or line.split_from
            assert parent is not None
            parents[parent.pk] = parent
    for parent in parents.values():
        todo.setdefault(parent.pk, parent)
    sources = _sources_of(todo.values())
    for line in todo.values():
        if line.split_from_id is None and not line.organisation:
            _apply_values(line, _aggregate(sources.get(line.pk, [])))
            require_within_bounds(line)
            line.save()
    for parent in parents.values():
        _apportion_parts(parent)


def _apportion_parts(parent: CommuneLine) -> None:
    parts = list(parent.parts.exclude(state=LineState.REMOVED).order_by("number"))
    if not parts:
        return
    shares = [part.share for part in parts]
    columns: dict[str, list[Any]] = {}
    for name in AMOUNT_FIELDS:
        places = "0.1" if name in ("contribution_labour_days", "contribution_land_m2") else "0.001"
        columns[name] = _apportion(Decimal(getattr(parent, name)), shares, places)
    for name in COUNT_FIELDS:
        counts = _apportion(Decimal(getattr(parent, name)), shares, "1")
        columns[name] = [int(c) for c in counts]
    for index, part in enumerate(parts):
        for name, values in columns.items():
            setattr(part, name, values[index])
        for name in (
            "sector_id",
            "unit_id",
            "start_month",
            "end_month",
            "village_priority",
            "proposed_source_id",
            "implementation_mode",
        ):
            setattr(part, name, getattr(parent, name))
        part.save()


# --- synthesis ------------------------------------------------------------------------------


@dataclass
class SynthesisReport:
    plans: int = 0
    not_submitted: list[str] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    withdrawn: int = 0
    unchanged: int = 0


def _next_number(plan: CommunePlan) -> int:
    return (plan.lines.aggregate(m=Max("number"))["m"] or 0) + 1


def _reset_decision(line: CommuneLine, note: str, review: str) -> None:
    """Back to "not decided", funding taken back, marked for review with ``note``."""
    previous = line.get_decision_display() if line.decision != Decision.PENDING else ""
    LineFunding.objects.filter(line=line).delete()
    line.decision = Decision.PENDING
    line.decision_origin = DecisionOrigin.NONE
    line.decision_reason = ""
    line.decision_code = ""
    line.decision_params = {}
    line.review = review
    line.review_note = note
    if previous:
        line.review_note = _("%(note)s Decision before: %(decision)s.") % {
            "note": note,
            "decision": previous,
        }


def _line_from_village(plan: CommunePlan, number: int, vline: ProposalLine) -> CommuneLine:
    line = _copy_of_village(plan, number, vline)
    require_within_bounds(line)  # a village line stored before the bounds existed
    return line


def _copy_of_village(plan: CommunePlan, number: int, vline: ProposalLine) -> CommuneLine:
    return CommuneLine(
        plan=plan,
        number=number,
        sector_id=vline.sector_id,
        activity=vline.activity,
        location=vline.location or vline.plan.village.name,
        unit_id=vline.unit_id,
        quantity=vline.quantity,
        start_month=vline.start_month,
        end_month=vline.end_month,
        total_cost_mvnd=vline.total_cost_mvnd,
        contribution_mvnd=vline.contribution_mvnd,
        contribution_cash_mvnd=vline.contribution_cash_mvnd,
        contribution_labour_days=vline.contribution_labour_days,
        contribution_labour_mvnd=vline.contribution_labour_mvnd,
        contribution_materials_mvnd=vline.contribution_materials_mvnd,
        contribution_land_m2=vline.contribution_land_m2,
        external_support_mvnd=vline.external_support_mvnd,
        proposed_source_id=vline.proposed_source_id,
        beneficiary_households=vline.beneficiary_households,
        beneficiary_poor=vline.beneficiary_poor,
        beneficiary_em=vline.beneficiary_em,
        implementation_mode=vline.implementation_mode,
        village_priority=vline.priority,
        expenditure_type=vline.sector.default_expenditure,
        notes=vline.notes,
    )


@transaction.atomic
def commune_plan_synthesise(*, actor: Any, round_: PlanningRound) -> SynthesisReport:
    """Build or update the commune plan from every submitted village plan of the round."""
    plan = require_editable(actor, commune_plan_for(round_))
    first_time = plan.synthesised_at is None
    report = SynthesisReport()
    village_plans = list(round_.plans.select_related("village").order_by("village__sort_key"))
    submitted = [p for p in village_plans if p.status == PlanStatus.SUBMITTED]
    report.plans = len(submitted)
    report.not_submitted = [
        p.village.name for p in village_plans if p.status != PlanStatus.SUBMITTED
    ]
    vlines = list(
        ProposalLine.objects.alive()
        .filter(plan__in=submitted)
        .select_related("plan__village", "sector")
        .order_by("sector__sort_order", "sector__code", "plan__village__sort_key", "number")
    )
    present = {vline.pk for vline in vlines}
    links: dict[int, list[LineSource]] = defaultdict(list)
    for source in LineSource.objects.filter(line__plan=plan).select_related("line"):
        links[source.village_line_id].append(source)

    touched: dict[int, CommuneLine] = {}
    notes: dict[int, list[str]] = defaultdict(list)
    number = _next_number(plan)
    created: list[CommuneLine] = []
    for vline in vlines:
        print_ = fingerprint(vline)
        found = links.get(vline.pk)
        if not found:
            line = _line_from_village(plan, number, vline)
            line.review = Review.NONE if first_time else Review.NEW
            line.review_note = (
                ""
                if first_time
                else _("New proposal of %(village)s.") % {"village": vline.plan.village.name}
            )
            line.save()
            LineSource.objects.create(line=line, village_line=vline, fingerprint=print_)
            created.append(line)
            number += 1
            report.new += 1
            continue
        changed = False
        for source in found:
            if source.fingerprint != print_ or source.withdrawn:
                what = _changed_labels(source.fingerprint, print_)
                if source.withdrawn:
                    what.insert(0, _("proposal sent again"))
                source.fingerprint = print_
                source.withdrawn = False
                source.save(update_fields=["fingerprint", "withdrawn"])
                touched[source.line_id] = source.line
                notes[source.line_id].append(
                    _("%(village)s changed: %(fields)s.")
                    % {"village": vline.plan.village.name, "fields": ", ".join(what)}
                )
                changed = True
        if changed:
            report.changed += 1
        else:
            report.unchanged += 1
    for village_line_id, sources in links.items():
        if village_line_id in present:
            continue
        newly = [source for source in sources if not source.withdrawn]
        for source in newly:
            source.withdrawn = True
            source.save(update_fields=["withdrawn"])
            touched[source.line_id] = source.line
            notes[source.line_id].append(_("A village withdrew its proposal."))
        report.withdrawn += bool(newly)

    _settle(actor, plan, touched, notes)
    _record_created(actor, plan, created)
    plan.synthesised_at = timezone.now()
    plan.synthesised_by = actor if getattr(actor, "pk", None) else None
    plan.save(update_fields=["synthesised_at", "synthesised_by", "updated_at"])
    bump(plan)
    StatusChange.objects.create(
        plan_uid=plan.uid,
        subject_label=CommunePlan._meta.label_lower,
        action="synthesise",
        from_state=plan.status,
        to_state=plan.status,
        actor=plan.synthesised_by,
        comment=_(
            "Synthesis of %(plans)s village plans: %(new)s new, %(changed)s changed, "
            "%(withdrawn)s withdrawn, %(unchanged)s unchanged."
        )
        % {
            "plans": report.plans,
            "new": report.new,
            "changed": report.changed,
            "withdrawn": report.withdrawn,
            "unchanged": report.unchanged,
        },
    )
    return report


def _settle(
    actor: Any, plan: CommunePlan, touched: dict[int, CommuneLine], notes: dict[int, list[str]]
) -> None:
    """Recompute the lines whose sources changed and mark them for review."""
    if not touched:
        return
    lines = {
        line.pk: line
        for line in CommuneLine.objects.filter(pk__in=touched).select_related("split_from")
    }
    befores = {pk: snapshot(line, AUDIT_FIELDS) for pk, line in lines.items()}
    recompute(lines.values())
    sources = _sources_of(lines.values())
    for pk, line in lines.items():
        line.refresh_from_db()
        live = [s for s in sources.get(pk, []) if not s.withdrawn]
        note = " ".join(notes.get(pk, []))
        if not live and line.state == LineState.ACTIVE:
            line.state = LineState.WITHDRAWN
            _reset_decision(line, note, Review.WITHDRAWN)
        elif live and line.state == LineState.WITHDRAWN:
            line.state = LineState.ACTIVE
            _reset_decision(line, note, Review.CHANGED)
        elif line.state == LineState.ACTIVE:
            _reset_decision(line, note, Review.CHANGED)
        else:
            line.review_note = note
        line.version += 1
        line.save()
        for part in line.parts.filter(state=LineState.ACTIVE):
            _reset_and_record(actor, plan, part, note)
        merged = line.merged_into
        while merged is not None and merged.state == LineState.ACTIVE:
            _reset_and_record(actor, plan, merged, note)
            merged = merged.merged_into
        audit_record(
            actor=actor,
            plan_uid=plan.uid,
            obj=line,
            operation="update",
            before=befores[pk],
            after=snapshot(line, AUDIT_FIELDS),
        )


def _reset_and_record(actor: Any, plan: CommunePlan, line: CommuneLine, note: str) -> None:
    """A split part or a merged line whose source changed: its decision is reset for review,
    and the history says so."""
    before = snapshot(line, AUDIT_FIELDS)
    _reset_decision(line, note, Review.CHANGED)
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


def _record_created(actor: Any, plan: CommunePlan, lines: list[CommuneLine]) -> None:
    who = actor if getattr(actor, "pk", None) else None
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                plan_uid=plan.uid,
                subject_label=CommuneLine._meta.label_lower,
                subject_id=str(line.pk),
                subject_repr=str(line)[:300],
                operation="create",
                actor=who,
                before={},
                after=snapshot(line, AUDIT_FIELDS),
            )
            for line in lines
        ]
    )


# --- commune sectors' and organisations' own lines (R14) --------------------------------------


def _own_values(round_: PlanningRound, number: int, data: dict[str, Any]) -> dict[str, Any]:
    values = validate_line(round_, number, {**data, "priority": data.get("priority")})
    organisation = nfc(data.get("organisation") or "")
    too_long = bounds.errors_for(
        CommuneLine,
        {"organisation": organisation},
        lambda name, code, text: ApplicationError(
            code,
            _("Line %(number)s, Proposed by: %(problem)s") % {"number": number, "problem": text},
            Where(field=name),
            detail=text,
        ),
    )
    if too_long:
        raise ApplicationErrors(too_long)
    if not organisation:
        raise ApplicationErrors(
            [
                ApplicationError(
                    "organisation_required",
                    _(
                        "Line %(number)s, Proposed by: write the commune sector or "
                        "organisation that proposes it, for example Hội Phụ nữ xã."
                    )
                    % {"number": number},
                    Where(field="organisation"),
                )
            ]
        )
    result = {k: values[k] for k in OWN_FIELDS}
    result["organisation"] = organisation
    result["village_priority"] = values.get("priority")
    return result


@transaction.atomic
def commune_line_create(*, actor: Any, plan: CommunePlan, data: dict[str, Any]) -> CommuneLine:
    """A line proposed by a commune sector or mass organisation (R14), checked like F6."""
    plan = require_editable(actor, plan)
    number = _next_number(plan)
    values = _own_values(plan.round, number, data)
    sector = values["sector"]
    line = CommuneLine(plan=plan, number=number, **values)
    line.expenditure_type = data.get("expenditure_type") or sector.default_expenditure
    line.save()
    bump(plan)
    record(actor, plan, line, "create", AUDIT_FIELDS)
    return line


def _line_locked(line: CommuneLine) -> CommuneLine:
    return (
        CommuneLine.objects.select_for_update(of=("self",))
        .select_related("plan__round__profile", "sector", "unit")
        .get(pk=line.pk)
    )


def _check_version(current: CommuneLine, expected: int | None) -> None:
    if expected is not None and current.version != expected:
        raise ApplicationError(
            "conflict",
            _(
                "Line %(number)s was changed by someone else after you opened it. Nothing was "
                "saved; reload the page and make your change again."
            )
            % {"number": current.number},
        )


@transaction.atomic
def commune_line_update(
    *, actor: Any, line: CommuneLine, data: dict[str, Any], expected_version: int | None = None
) -> CommuneLine:
    """Change a line: its name, location, expenditure type and notes; a commune-level line
    (R14) also its amounts, checked like F6. Amounts of lines built from villages come from
    the villages and cannot be typed here."""
    plan = require_editable(actor, line.plan)
    current = _line_locked(line)
    _check_version(current, expected_version)
    before = snapshot(current, AUDIT_FIELDS)
    if current.organisation:
        merged = {**{f: getattr(current, f) for f in OWN_FIELDS}, **data}
        merged.setdefault("organisation", current.organisation)
        merged.setdefault("priority", current.village_priority)
        values = _own_values(plan.round, current.number, merged)
        money_changed = any(values[f] != getattr(current, f) for f in OWN_FIELDS)
        _apply_values(current, values)
    else:
        money_changed = False
        for name in ("activity", "location", "notes"):
            if name in data:
                setattr(current, name, nfc(data[name] or ""))
        require_within_bounds(current, ("activity", "location", "notes"))
        if not current.activity:
            raise ApplicationErrors(
                [
                    ApplicationError(
                        "activity_required",
                        _("Line %(number)s, Activity: enter the activity.")
                        % {"number": current.number},
                        Where(field="activity"),
                    )
                ]
            )
    if data.get("expenditure_type"):
        money_changed = money_changed or data["expenditure_type"] != current.expenditure_type
        current.expenditure_type = data["expenditure_type"]
    if money_changed and current.decision == Decision.FUNDED:
        _reset_decision(current, _("The line was changed; allocate again."), Review.CHANGED)
    current.version += 1
    current.save()
    if current.parts.exists():
        _apportion_parts(current)
    bump(plan)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=current,
        operation="update",
        before=before,
        after=snapshot(current, AUDIT_FIELDS),
    )
    return current


@transaction.atomic
def commune_line_remove(*, actor: Any, line: CommuneLine) -> CommuneLine:
    """Remove a commune-level line (R14); lines from villages are removed by the villages."""
    plan = require_editable(actor, line.plan)
    current = _line_locked(line)
    if not current.organisation or current.state != LineState.ACTIVE:
        raise ApplicationError(
            "line_not_removable",
            _(
                "Line %(number)s comes from the villages' proposals and cannot be removed here. "
                "Decide on it (for example reject it, with a reason) or return the village plan."
            )
            % {"number": current.number},
        )
    before = snapshot(current, AUDIT_FIELDS)
    LineFunding.objects.filter(line=current).delete()
    current.state = LineState.REMOVED
    current.version += 1
    current.save()
    bump(plan)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=current,
        operation="delete",
        before=before,
    )
    return current


@transaction.atomic
def commune_line_restore(*, actor: Any, line: CommuneLine) -> CommuneLine:
    plan = require_editable(actor, line.plan)
    current = _line_locked(line)
    if current.organisation and current.state == LineState.REMOVED:
        current.state = LineState.ACTIVE
        current.decision = Decision.PENDING
        current.version += 1
        current.save()
        bump(plan)
        record(actor, plan, current, "restore", AUDIT_FIELDS)
    return current


@transaction.atomic
def line_mark_reviewed(*, actor: Any, line: CommuneLine) -> CommuneLine:
    plan = require_editable(actor, line.plan)
    current = _line_locked(line)
    if current.review:
        before = snapshot(current, ["review", "review_note"])
        current.review = Review.NONE
        current.version += 1
        current.save(update_fields=["review", "version", "updated_at"])
        record(actor, plan, current, "update", ["review", "review_note"], before=before)
    return current


# --- merge, split, undo -----------------------------------------------------------------------


def _refuse(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message)


def _decision_state(line: CommuneLine) -> dict[str, Any]:
    return {
        **{name: getattr(line, name) for name in DECISION_FIELDS},
        "funding": {str(f.envelope_line_id): str(f.amount_mvnd) for f in line.funding.all()},
    }


@transaction.atomic
def lines_merge(
    *,
    actor: Any,
    plan: CommunePlan,
    lines: list[CommuneLine],
    activity: str = "",
    location: str = "",
) -> CommuneLine:
    """Merge the same work proposed by several villages into one line: amounts and
    beneficiaries summed, sources and villages listed (R12)."""
    plan = require_editable(actor, plan)
    ids = sorted({line.pk for line in lines})
    chosen = list(
        CommuneLine.objects.select_for_update(of=("self",))
        .filter(plan=plan, pk__in=ids)
        .select_related("sector", "unit")
        .order_by("number")
    )
    if len(chosen) != len(ids):
        raise NotFoundError()
    if len(chosen) < 2:
        raise _refuse("merge_too_few", _("Tick at least two lines to merge."))
    for line in chosen:
        if line.state != LineState.ACTIVE:
            raise _refuse(
                "merge_not_active",
                _("Line %(number)s is “%(state)s” and cannot be merged.")
                % {"number": line.number, "state": line.get_state_display()},
            )
        if line.organisation:
            raise _refuse(
                "merge_commune_line",
                _(
                    "Line %(number)s was proposed by %(organisation)s, not by a village; only "
                    "villages' proposals can be merged."
                )
                % {"number": line.number, "organisation": line.organisation},
            )
        if line.split_from_id is not None or line.parts.exists():
            raise _refuse(
                "merge_split_line",
                _("Line %(number)s is part of a split; undo the split before merging it.")
                % {"number": line.number},
            )
    first = chosen[0]
    for line in chosen[1:]:
        if line.sector_id != first.sector_id:
            raise _refuse(
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
            raise _refuse(
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
    sources = _sources_of(chosen)
    number = _next_number(plan)
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
    return merged


@dataclass
class Part:
    activity: str
    location: str
    total_cost_mvnd: Decimal


@transaction.atomic
def line_split(*, actor: Any, line: CommuneLine, parts: list[Part]) -> list[CommuneLine]:
    """Split a line into parts (for instance by phase or by village); each part carries the
    share of the cost the planner gives it, and every amount is apportioned the same way."""
    plan = require_editable(actor, line.plan)
    current = _line_locked(line)
    if current.state != LineState.ACTIVE:
        raise _refuse(
            "split_not_active",
            _("Line %(number)s is “%(state)s” and cannot be split.")
            % {"number": current.number, "state": current.get_state_display()},
        )
    if current.split_from_id is not None:
        raise _refuse(
            "split_part",
            _("Line %(number)s is already a part of a split; undo that split first.")
            % {"number": current.number},
        )
    if len(parts) < 2:
        raise _refuse("split_too_few", _("Give at least two parts."))
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
    sources = _sources_of([current]).get(current.pk, [])
    number = _next_number(plan)
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
    _apportion_parts(current)
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
    return created


def _restore_decision(line: CommuneLine) -> None:
    """Put back the decision and funding a line had before a merge or split, if the envelope
    still has room for that funding; otherwise the line waits for the next allocation."""
    from .envelope import envelope_use

    saved = line.restore or {}
    for name in DECISION_FIELDS:
        default: Any = {} if name == "decision_params" else ""
        setattr(line, name, saved.get(name, default))
    if not saved.get("decision"):
        line.decision = Decision.PENDING
    funding = saved.get("funding") or {}
    if line.decision == Decision.FUNDED:
        left = {row["line"].pk: row["left"] for row in envelope_use(line.plan.round.envelope)}
        fits = all(
            int(key) in left and left[int(key)] >= Decimal(amount)
            for key, amount in funding.items()
        )
        if fits:
            for key, amount in funding.items():
                LineFunding.objects.create(
                    line=line, envelope_line_id=int(key), amount_mvnd=Decimal(amount)
                )
        else:
            _reset_decision(
                line,
                _("The envelope no longer has room for the funding this line had."),
                Review.CHANGED,
            )
    line.restore = {}


@transaction.atomic
def operation_undo(*, actor: Any, operation: SynthesisOperation) -> SynthesisOperation:
    """Undo a merge (the merged lines come back, the merged line is removed) or a split (the
    parts are removed, the line comes back)."""
    plan = require_editable(actor, operation.plan)
    op = SynthesisOperation.objects.select_for_update().get(pk=operation.pk)
    if op.undone_at is not None:
        raise _refuse("undo_done", _("This has already been undone."))
    line = _line_locked(op.line)
    if op.kind == SynthesisOperation.Kind.MERGE:
        if line.state != LineState.ACTIVE or line.parts.exists():
            raise _refuse(
                "undo_merge_blocked",
                _("Line %(number)s has been merged or split again since; undo that first.")
                % {"number": line.number},
            )
        before = snapshot(line, AUDIT_FIELDS)
        LineFunding.objects.filter(line=line).delete()
        line.state = LineState.REMOVED
        line.decision = Decision.PENDING
        line.version += 1
        line.save()
        audit_record(actor=actor, plan_uid=plan.uid, obj=line, operation="delete", before=before)
        back: list[int] = []
        for old in CommuneLine.objects.filter(merged_into=line).select_for_update(of=("self",)):
            back.append(old.number)
            before = snapshot(old, AUDIT_FIELDS)
            old.state = LineState.ACTIVE
            old.merged_into = None
            _restore_decision(old)
            old.version += 1
            old.save()
            audit_record(
                actor=actor,
                plan_uid=plan.uid,
                obj=old,
                operation="restore",
                before=before,
                after=snapshot(old, AUDIT_FIELDS),
            )
    else:
        parts = list(line.parts.exclude(state=LineState.REMOVED).select_for_update(of=("self",)))
        if line.state != LineState.SPLIT or any(p.state != LineState.ACTIVE for p in parts):
            raise _refuse(
                "undo_split_blocked",
                _("A part of line %(number)s has been merged since; undo that first.")
                % {"number": line.number},
            )
        for part in parts:
            before = snapshot(part, AUDIT_FIELDS)
            LineFunding.objects.filter(line=part).delete()
            part.state = LineState.REMOVED
            part.version += 1
            part.save()
            audit_record(
                actor=actor, plan_uid=plan.uid, obj=part, operation="delete", before=before
            )
        before = snapshot(line, AUDIT_FIELDS)
        line.state = LineState.ACTIVE
        _restore_decision(line)
        line.version += 1
        line.save()
        audit_record(
            actor=actor,
            plan_uid=plan.uid,
            obj=line,
            operation="restore",
            before=before,
            after=snapshot(line, AUDIT_FIELDS),
        )
    op.undone_at = timezone.now()
    op.save(update_fields=["undone_at", "updated_at"])
    bump(plan)
    # the history names the undo as the buttons and messages do
    if op.kind == SynthesisOperation.Kind.MERGE:
        what = _(
            "Undo merging lines: line %(number)s (%(activity)s) is taken out and lines "
            "%(lines)s are back."
        ) % {
            "number": line.number,
            "activity": line.activity,
            "lines": ", ".join(str(n) for n in sorted(back)),
        }
    else:
        what = _("Undo splitting the line: line %(number)s (%(activity)s) is whole again.") % {
            "number": line.number,
            "activity": line.activity,
        }
    StatusChange.objects.create(
        plan_uid=plan.uid,
        subject_label=CommunePlan._meta.label_lower,
        action="undo_merge" if op.kind == SynthesisOperation.Kind.MERGE else "undo_split",
        from_state=plan.status,
        to_state=plan.status,
        actor=actor if getattr(actor, "pk", None) else None,
        comment=what,
    )
    return op


def lines_with_sources(
    plan: CommunePlan, *, states: Iterable[str] = (LineState.ACTIVE,)
) -> list[CommuneLine]:
    """The plan's lines in these states with their sources, villages and funding, in a fixed
    number of queries whatever the number of lines."""
    return list(
        plan.lines.filter(state__in=list(states))
        .select_related("sector", "unit", "proposed_source")
        .prefetch_related(
            Prefetch(
                "sources",
                queryset=LineSource.objects.select_related("village_line__plan__village").order_by(
                    "village_line__plan__village__sort_key", "village_line__number"
                ),
            ),
            Prefetch(
                "funding",
                queryset=LineFunding.objects.select_related("envelope_line__source"),
            ),
        )
        .order_by("sector__sort_order", "sector__code", "number")
    )
