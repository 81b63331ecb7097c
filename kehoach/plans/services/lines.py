"""Proposals of a village plan (F6) and the rules each line must satisfy.

The rules live here and only here: the web forms call these functions now, the Excel importer
and the API will call them later. Each refusal names the line and the field (R1, R2, R5, R6,
proposed source).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_record, snapshot
from kehoach.approvals.models import AuditEntry
from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.numbers import format_number_vi
from kehoach.core.text import nfc

from ..choices import ImplementationMode
from ..models import PlanningRound, ProposalLine, VillagePlan
from .common import record_create, record_update, require_editable

LINE_FIELDS = [
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
    "notes",
]
AUDIT_FIELDS = ["number", *LINE_FIELDS]
MONEY_FIELDS = [
    "total_cost_mvnd",
    "contribution_mvnd",
    "contribution_cash_mvnd",
    "contribution_labour_mvnd",
    "contribution_materials_mvnd",
    "external_support_mvnd",
]
MODES = frozenset(ImplementationMode.values)
NON_NEGATIVE_FIELDS = [*MONEY_FIELDS, "contribution_labour_days", "contribution_land_m2"]
DEFAULTS: dict[str, Any] = {
    "location": "",
    "contribution_mvnd": Decimal(0),
    "contribution_cash_mvnd": Decimal(0),
    "contribution_labour_days": Decimal(0),
    "contribution_labour_mvnd": Decimal(0),
    "contribution_materials_mvnd": Decimal(0),
    "contribution_land_m2": Decimal(0),
    "external_support_mvnd": Decimal(0),
    "proposed_source": None,
    "beneficiary_households": 0,
    "beneficiary_poor": 0,
    "beneficiary_em": 0,
    "implementation_mode": ImplementationMode.COMMUNITY,
    "priority": None,
    "notes": "",
}


def field_label(name: str) -> str:
    field = ProposalLine._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _money(value: Decimal | None) -> str:
    return format_number_vi(value or Decimal(0), 3).rstrip("0").rstrip(",")


def _error(number: int, field: str, code: str, text: str) -> ApplicationError:
    message = _("Line %(number)s, %(field)s: %(problem)s") % {
        "number": number,
        "field": field_label(field),
        "problem": text,
    }
    return ApplicationError(code, message, Where(field=field), detail=text)


def validate_line(round_: PlanningRound, number: int, data: dict[str, Any]) -> dict[str, Any]:
    """Check one line of a plan of ``round_`` against R1, R2, R5, R6 and the proposed source;
    return the clean values. Village proposals and the commune's own lines (R14) share it.

    Raises ``ApplicationErrors`` listing every problem of the line."""
    values = {**DEFAULTS, **data}
    for name, default in DEFAULTS.items():  # an emptied cell or field takes the default
        if values[name] is None and default is not None:
            values[name] = default
    errors: list[ApplicationError] = []
    profile = round_.profile
    year = round_.plan_year

    for text_field in ("activity", "location", "notes"):
        values[text_field] = nfc(values.get(text_field) or "")
    # Every value within its bound first: a number that is not finite or out of this world
    # would make the rules below meaningless (or raise).
    out_of_bounds = bounds.errors_for(
        ProposalLine,
        values,
        lambda field, code, text: _error(number, field, code, text),
        LINE_FIELDS,
    )
    if out_of_bounds:
        raise ApplicationErrors(out_of_bounds)
    if not values["activity"]:
        errors.append(_error(number, "activity", "activity_required", _("enter the activity.")))

    sector = values.get("sector")
    if not isinstance(sector, Sector) or not sector.is_active:
        errors.append(
            _error(number, "sector", "sector_invalid", _("choose a sector from the list."))
        )

    # R6 — quantity and unit
    unit = values.get("unit")
    if not isinstance(unit, UnitOfMeasure) or not unit.is_active:
        errors.append(_error(number, "unit", "unit_invalid", _("choose a unit from the list.")))
    quantity = values.get("quantity")
    if quantity is None or Decimal(quantity) <= 0:
        errors.append(
            _error(
                number,
                "quantity",
                "quantity_not_positive",
                _("the quantity must be greater than 0."),
            )
        )

    # R5 — months inside the plan year, start before end
    start, end = values.get("start_month"), values.get("end_month")
    for field, month in (("start_month", start), ("end_month", end)):
        if not isinstance(month, datetime.date):
            errors.append(_error(number, field, "month_required", _("enter the month as mm/yyyy.")))
        elif month.year != year:
            errors.append(
                _error(
                    number,
                    field,
                    "month_outside_year",
                    _("%(month)s is outside the plan year %(year)s.")
                    % {"month": month.strftime("%m/%Y"), "year": year},
                )
            )
    if isinstance(start, datetime.date) and isinstance(end, datetime.date):
        values["start_month"], values["end_month"] = start.replace(day=1), end.replace(day=1)
        if start.replace(day=1) > end.replace(day=1):
            errors.append(
                _error(
                    number,
                    "end_month",
                    "end_before_start",
                    _("the end (%(end)s) is before the start (%(start)s).")
                    % {"end": end.strftime("%m/%Y"), "start": start.strftime("%m/%Y")},
                )
            )

    # R1 — amounts not negative, cost identity, contribution split
    negative = False
    for field in NON_NEGATIVE_FIELDS:
        amount = values.get(field)
        if amount is None:
            values[field] = Decimal(0)
        elif Decimal(amount) < 0:
            negative = True
            errors.append(
                _error(number, field, "amount_negative", _("the amount cannot be negative."))
            )
    if values.get("total_cost_mvnd") is None:
        errors.append(
            _error(number, "total_cost_mvnd", "total_required", _("enter the total cost."))
        )
    elif not negative:
        total = Decimal(values["total_cost_mvnd"])
        contribution = Decimal(values["contribution_mvnd"])
        support = Decimal(values["external_support_mvnd"])
        if total != contribution + support:
            errors.append(
                _error(
                    number,
                    "total_cost_mvnd",
                    "cost_identity",
                    _(
                        "the total cost (%(total)s) must equal the village contribution "
                        "(%(contribution)s) plus the external support requested (%(support)s), "
                        "that is %(sum)s million VND."
                    )
                    % {
                        "total": _money(total),
                        "contribution": _money(contribution),
                        "support": _money(support),
                        "sum": _money(contribution + support),
                    },
                )
            )
        parts = [
            Decimal(values[f])
            for f in (
                "contribution_cash_mvnd",
                "contribution_labour_mvnd",
                "contribution_materials_mvnd",
            )
        ]
        if any(parts) and sum(parts) != contribution:
            errors.append(
                _error(
                    number,
                    "contribution_mvnd",
                    "contribution_split",
                    _(
                        "the village contribution (%(contribution)s) must equal cash "
                        "(%(cash)s) + labour (%(labour)s) + materials and land (%(materials)s), "
                        "that is %(sum)s million VND."
                    )
                    % {
                        "contribution": _money(contribution),
                        "cash": _money(parts[0]),
                        "labour": _money(parts[1]),
                        "materials": _money(parts[2]),
                        "sum": _money(sum(parts, Decimal(0))),
                    },
                )
            )

    # R2 — priority domain
    priority = values.get("priority")
    if priority is not None and not (profile.min_priority <= int(priority) <= profile.max_priority):
        errors.append(
            _error(
                number,
                "priority",
                "priority_out_of_range",
                _(
                    "the priority must be a whole number from %(min)s to %(max)s, or empty "
                    "for a line that is not a priority."
                )
                % {"min": profile.min_priority, "max": profile.max_priority},
            )
        )

    # Proposed source: exists and is active for the plan year
    source = values.get("proposed_source")
    if source is not None and (
        not isinstance(source, FundingSource) or not source.is_active_for_year(year)
    ):
        errors.append(
            _error(
                number,
                "proposed_source",
                "source_inactive",
                _("the source “%(source)s” is not in use in %(year)s; choose another.")
                % {"source": getattr(source, "code", source), "year": year},
            )
        )

    households = int(values.get("beneficiary_households") or 0)
    for field in ("beneficiary_poor", "beneficiary_em"):
        if int(values.get(field) or 0) > households:
            errors.append(
                _error(
                    number,
                    field,
                    "beneficiaries_part",
                    _("this cannot be more than the beneficiary households (%(households)s).")
                    % {"households": households},
                )
            )
    if values.get("implementation_mode") not in MODES:
        errors.append(
            _error(
                number,
                "implementation_mode",
                "mode_invalid",
                _("choose how the activity is carried out."),
            )
        )
    if errors:
        raise ApplicationErrors(errors)
    return {k: values[k] for k in LINE_FIELDS}


def _lock(plan: VillagePlan) -> VillagePlan:
    return (
        VillagePlan.objects.select_for_update()
        .select_related("round__profile", "village")
        .get(pk=plan.pk)
    )


@transaction.atomic
def proposal_line_create(*, actor: Any, plan: VillagePlan, data: dict[str, Any]) -> ProposalLine:
    require_editable(actor, plan)
    plan = _lock(plan)
    require_editable(actor, plan)
    highest = ProposalLine.objects.filter(plan=plan).aggregate(m=Max("number"))["m"] or 0
    values = validate_line(plan.round, highest + 1, data)
    line = ProposalLine.objects.create(plan=plan, number=highest + 1, **values)
    record_create(actor, plan, line, AUDIT_FIELDS)
    return line


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


@transaction.atomic
def proposal_line_update(
    *, actor: Any, line: ProposalLine, data: dict[str, Any], expected_version: int
) -> ProposalLine:
    """Change a line. If someone saved it after ``expected_version``, refuse and show both values
    of every field that differs; nothing is overwritten silently."""
    plan = line.plan
    require_editable(actor, plan)
    plan = _lock(plan)
    require_editable(actor, plan)
    current = ProposalLine.objects.select_for_update().get(pk=line.pk)
    if current.deleted_at is not None:
        raise ApplicationError(
            "line_deleted",
            _("Line %(number)s was deleted by someone else; restore it first.")
            % {"number": current.number},
        )
    if current.version != expected_version:
        differences = []
        for field in LINE_FIELDS:
            if field not in data:
                continue
            saved, yours = getattr(current, field), data[field]
            if isinstance(saved, Decimal) and yours is not None:
                same = saved == Decimal(yours)
            else:
                same = saved == yours or (saved in (None, "") and yours in (None, ""))
            if not same:
                differences.append(
                    Difference(field, field_label(field), _shown(saved), _shown(yours))
                )
        raise ConflictError(
            _(
                "Line %(number)s was changed by someone else after you opened it. Nothing was "
                "saved. Compare the values below, then save again if yours are right."
            )
            % {"number": current.number},
            differences,
            current,
        )
    values = validate_line(
        plan.round, current.number, {**{f: getattr(current, f) for f in LINE_FIELDS}, **data}
    )
    before = _snapshot(current)
    for field, value in values.items():
        setattr(current, field, value)
    current.version += 1
    current.save()
    record_update(actor, plan, current, before, AUDIT_FIELDS)
    return current


def _snapshot(line: ProposalLine) -> dict[str, Any]:
    return snapshot(line, AUDIT_FIELDS)


@transaction.atomic
def proposal_line_delete(*, actor: Any, line: ProposalLine) -> ProposalLine:
    """Delete a line so that it can be restored (undo): it is marked, not removed."""
    require_editable(actor, line.plan)
    current = ProposalLine.objects.select_for_update().get(pk=line.pk)
    if current.deleted_at is None:
        current.deleted_at = timezone.now()
        current.version += 1
        current.save(update_fields=["deleted_at", "version", "updated_at"])
        audit_record(
            actor=actor,
            plan_uid=line.plan.uid,
            obj=current,
            operation="delete",
            before=_snapshot(current),
        )
    return current


@transaction.atomic
def proposal_line_restore(*, actor: Any, line: ProposalLine) -> ProposalLine:
    require_editable(actor, line.plan)
    current = ProposalLine.objects.select_for_update().get(pk=line.pk)
    if current.deleted_at is not None:
        current.deleted_at = None
        current.version += 1
        current.save(update_fields=["deleted_at", "version", "updated_at"])
        audit_record(
            actor=actor,
            plan_uid=line.plan.uid,
            obj=current,
            operation="restore",
            after=_snapshot(current),
        )
    return current


@dataclass
class LineChange:
    """One line of a workbook for ``proposal_lines_import``: new (``line`` is None), changed
    (``line`` and the ``version`` the workbook was made from), or deleted (``delete``)."""

    data: dict[str, Any]
    line: ProposalLine | None = None
    version: int | None = None
    delete: bool = False
    where: Any = None


@transaction.atomic
def proposal_lines_import(
    *, actor: Any, plan: VillagePlan, changes: list[LineChange]
) -> dict[str, int]:
    """Apply many changes to a plan's proposals at once (a workbook), all or nothing: every
    line is checked by ``validate_line`` exactly as in the web form, a line changed by someone
    since the workbook was made is a conflict, and nothing is written unless all pass. Writes in
    bulk, with one audit row per line. Returns the counts added, changed and deleted."""
    require_editable(actor, plan)
    plan = _lock(plan)
    require_editable(actor, plan)
    errors: list[ApplicationError] = []
    current = {
        line.pk: line
        for line in ProposalLine.objects.select_for_update(of=("self",))
        .filter(plan=plan, pk__in=[c.line.pk for c in changes if c.line is not None])
        .select_related("sector", "unit", "proposed_source")
    }
    highest = ProposalLine.objects.filter(plan=plan).aggregate(m=Max("number"))["m"] or 0
    adds: list[ProposalLine] = []
    updates: list[tuple[ProposalLine, dict[str, Any]]] = []
    deletes: list[ProposalLine] = []
    for change in changes:
        line = current.get(change.line.pk) if change.line is not None else None
        if change.line is not None and (line is None or line.deleted_at is not None):
            errors.append(
                ApplicationError(
                    "line_gone",
                    _("Line %(number)s no longer exists in the plan; download the form again.")
                    % {"number": change.line.number},
                    change.where or Where(),
                )
            )
            continue
        if line is not None and change.version is not None and line.version != change.version:
            errors.append(
                ApplicationError(
                    "conflict",
                    _(
                        "Line %(number)s was changed in kehoach after the form was downloaded; "
                        "download the form again and make your changes there."
                    )
                    % {"number": line.number},
                    change.where or Where(),
                )
            )
            continue
        if change.delete and line is not None:
            deletes.append(line)
            continue
        number = line.number if line is not None else highest + len(adds) + 1
        base = {f: getattr(line, f) for f in LINE_FIELDS} if line is not None else {}
        try:
            values = validate_line(plan.round, number, {**base, **change.data})
        except ApplicationErrors as exc:
            for item in exc.errors:
                item.where = change.where or item.where
                errors.append(item)
            continue
        if line is None:
            adds.append(ProposalLine(plan=plan, number=number, **values))
        else:
            updates.append((line, values))
    if errors:
        raise ApplicationErrors(errors)
    now = timezone.now()
    entries: list[AuditEntry] = []
    who = actor if getattr(actor, "pk", None) else None
    created = ProposalLine.objects.bulk_create(adds)
    for line in created:
        entries.append(_entry(plan, line, "create", who, after=_snapshot(line)))
    changed = []
    for line, values in updates:
        before = _snapshot(line)
        for field, value in values.items():
            setattr(line, field, value)
        after = _snapshot(line)
        if before == after:
            continue
        line.version += 1
        line.updated_at = now
        changed.append(line)
        entries.append(_entry(plan, line, "update", who, before=before, after=after))
    ProposalLine.objects.bulk_update(changed, [*LINE_FIELDS, "version", "updated_at"])
    for line in deletes:
        line.deleted_at = now
        line.version += 1
        entries.append(_entry(plan, line, "delete", who, before=_snapshot(line)))
    ProposalLine.objects.bulk_update(deletes, ["deleted_at", "version"])
    AuditEntry.objects.bulk_create(entries)
    return {"added": len(created), "changed": len(changed), "deleted": len(deletes)}


def _entry(
    plan: VillagePlan,
    line: ProposalLine,
    operation: str,
    who: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry(
        plan_uid=plan.uid,
        subject_label=ProposalLine._meta.label_lower,
        subject_id=str(line.pk),
        subject_repr=str(line)[:300],
        operation=operation,
        actor=who,
        before=before or {},
        after=after or {},
    )
