"""The socio-economic targets table of a commune plan (F16).

One row per active indicator of the catalog: the actual value of the year before the current
one, the plan and the estimate of the current year, the plan of the plan year. The two
comparisons of the form (estimate against plan of the current year, plan year against the
current estimate, in %) are computed, never typed (R27).

``validate_targets`` is pure (the indicators are given); ``targets_apply`` writes the rows that
changed in one transaction, in bulk, with one audit row each; ``targets_save`` is the page's
call to it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_bulk, audit_entry, snapshot
from kehoach.approvals.models import AuditEntry
from kehoach.catalog.models import Indicator
from kehoach.core import bounds
from kehoach.core.errors import Where
from kehoach.core.numbers import ParseError, parse_decimal_vi
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, raise_errors

from ..models import CommunePlan, TargetValue
from ..selectors import TargetRow, targets_table
from .common import ensure_draft, require, require_editable

__all__ = [
    "AUDIT_FIELDS",
    "VALUE_FIELDS",
    "TargetRow",
    "clean_targets",
    "targets_apply",
    "targets_check",
    "targets_save",
    "targets_table",
    "validate_targets",
]

VALUE_FIELDS = ["actual_previous", "plan_current", "estimate_current", "plan_next"]
AUDIT_FIELDS = ["indicator", *VALUE_FIELDS, "notes"]


def _parse(indicator: Indicator, name: str, raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    value = raw if isinstance(raw, Decimal) else parse_decimal_vi(str(raw))
    if value is None:
        return None
    problem = bounds.number_problem(bounds.limits_of(TargetValue, name), value)
    if problem is not None:
        raise ParseError(problem[0], problem[1])
    if value < 0 and indicator.unit.strip() in ("%", "hộ", "người", "km", "ha"):
        raise ParseError("negative", _("the value cannot be negative."))
    return value


def clean_targets(
    indicators: dict[str, Indicator], rows: dict[str, dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """The clean values typed for each indicator (``rows[indicator code][field]``; unknown
    codes ignored) and the problems, pure: ``indicators`` maps the codes to the catalog."""
    problems: list[Problem] = []
    cleaned: dict[str, dict[str, Any]] = {}
    for code, data in rows.items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        values: dict[str, Any] = {"notes": nfc(str(data.get("notes") or ""))[:300]}
        for name in VALUE_FIELDS:
            try:
                values[name] = _parse(indicator, name, data.get(name))
            except ParseError as exc:
                label = getattr(TargetValue._meta.get_field(name), "verbose_name", name)
                problems.append(
                    Problem(
                        "target_invalid",
                        _("%(indicator)s, %(column)s: %(problem)s")
                        % {"indicator": indicator.name, "column": label, "problem": exc.message},
                        Where(field=f"{code}__{name}"),
                    )
                )
        cleaned[code] = values
    return cleaned, problems


def validate_targets(
    indicators: dict[str, Indicator], rows: dict[str, dict[str, Any]]
) -> list[Problem]:
    return clean_targets(indicators, rows)[1]


def _prepare(
    plan: CommunePlan, changes: dict[str, dict[str, Any]]
) -> tuple[list[TargetValue], list[tuple[TargetValue, dict[str, Any]]]]:
    """The rows ``changes`` would add and those it would change (with their values before),
    set but not saved; the problems raised, all at once. Shared by the writer and its check."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    cleaned, problems = clean_targets(indicators, changes)
    raise_errors(problems)
    existing = {v.indicator_id: v for v in TargetValue.objects.filter(plan=plan)}
    added: list[TargetValue] = []
    updated: list[tuple[TargetValue, dict[str, Any]]] = []
    now = timezone.now()
    for code, values in cleaned.items():
        indicator = indicators[code]
        current = existing.get(indicator.pk)
        if current is None:
            if all(values[n] is None for n in VALUE_FIELDS) and not values["notes"]:
                continue
            added.append(TargetValue(plan=plan, indicator=indicator, **values))
            continue
        before = snapshot(current, AUDIT_FIELDS)
        for name, value in values.items():
            setattr(current, name, value)
        if snapshot(current, AUDIT_FIELDS) != before:
            current.updated_at = now
            updated.append((current, before))
    return added, updated


def targets_check(
    *, actor: Any, plan: CommunePlan, changes: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """What ``targets_apply`` would do (``{"added": n, "changed": n}``) or the problems it
    would raise — the same checks (permission, draft, values) — writing and locking nothing."""
    require(actor, Action.EDIT_COMMUNE_PLAN, plan.round)
    ensure_draft(plan)
    added, updated = _prepare(plan, changes)
    return {"added": len(added), "changed": len(updated)}


@transaction.atomic
def targets_apply(*, actor: Any, plan: CommunePlan, changes: dict[str, dict[str, Any]]) -> int:
    """Write the values of each indicator (``changes[indicator code][field]``), all or nothing:
    new rows in one insert, changed rows in one update, one audit row per row written; rows
    left empty are not created. Returns how many rows changed."""
    plan = require_editable(actor, plan)
    added, updated = _prepare(plan, changes)
    TargetValue.objects.bulk_create(added)
    if updated:
        TargetValue.objects.bulk_update(
            [row for row, _before in updated], [*VALUE_FIELDS, "notes", "updated_at"]
        )
    audit_bulk(
        [
            *(
                audit_entry(
                    actor=actor,
                    plan_uid=plan.uid,
                    obj=row,
                    operation=AuditEntry.Operation.CREATE,
                    after=snapshot(row, AUDIT_FIELDS),
                )
                for row in added
            ),
            *(
                audit_entry(
                    actor=actor,
                    plan_uid=plan.uid,
                    obj=row,
                    operation=AuditEntry.Operation.UPDATE,
                    before=before,
                    after=snapshot(row, AUDIT_FIELDS),
                )
                for row, before in updated
            ),
        ]
    )
    return len(added) + len(updated)


def targets_save(*, actor: Any, plan: CommunePlan, rows: dict[str, dict[str, Any]]) -> int:
    """Save the values typed for each indicator (``rows[indicator code][field]``), all or
    nothing; returns how many rows changed."""
    return targets_apply(actor=actor, plan=plan, changes=rows)
