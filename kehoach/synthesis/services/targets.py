"""The socio-economic targets table of a commune plan (F16).

One row per active indicator of the catalog: the actual value of the year before the current
one, the plan and the estimate of the current year, the plan of the plan year. The two
comparisons of the form (estimate against plan of the current year, plan year against the
current estimate, in %) are computed, never typed (R27).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.approvals.audit import snapshot
from kehoach.catalog.models import Indicator
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.numbers import ParseError, parse_decimal_vi, percent
from kehoach.core.text import nfc

from ..models import CommunePlan, TargetValue
from .common import record, require_editable

VALUE_FIELDS = ["actual_previous", "plan_current", "estimate_current", "plan_next"]
AUDIT_FIELDS = ["indicator", *VALUE_FIELDS, "notes"]


@dataclass
class TargetRow:
    indicator: Indicator
    value: TargetValue | None

    def get(self, name: str) -> Decimal | None:
        return getattr(self.value, name) if self.value else None

    @property
    def estimate_vs_plan_pct(self) -> Decimal | None:
        return percent(self.get("estimate_current"), self.get("plan_current"))

    @property
    def next_vs_estimate_pct(self) -> Decimal | None:
        return percent(self.get("plan_next"), self.get("estimate_current"))


def targets_table(plan: CommunePlan) -> list[TargetRow]:
    """Every active indicator (catalog order) with the plan's values, in two queries."""
    values = {v.indicator_id: v for v in TargetValue.objects.filter(plan=plan)}
    indicators = Indicator.objects.filter(is_active=True) | Indicator.objects.filter(
        pk__in=list(values)
    )
    return [TargetRow(indicator=i, value=values.get(i.pk)) for i in indicators.distinct()]


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


@transaction.atomic
def targets_save(*, actor: Any, plan: CommunePlan, rows: dict[str, dict[str, Any]]) -> int:
    """Save the values typed for each indicator (``rows[indicator code][field]``), all or
    nothing; returns how many rows changed."""
    plan = require_editable(actor, plan)
    indicators = {i.code: i for i in Indicator.objects.all()}
    existing = {v.indicator_id: v for v in TargetValue.objects.filter(plan=plan)}
    errors: list[ApplicationError] = []
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
                errors.append(
                    ApplicationError(
                        "target_invalid",
                        _("%(indicator)s, %(column)s: %(problem)s")
                        % {"indicator": indicator.name, "column": label, "problem": exc.message},
                        Where(field=f"{code}__{name}"),
                    )
                )
        cleaned[code] = values
    if errors:
        raise ApplicationErrors(errors)
    changed = 0
    for code, values in cleaned.items():
        indicator = indicators[code]
        current = existing.get(indicator.pk)
        empty = all(values[n] is None for n in VALUE_FIELDS) and not values["notes"]
        if current is None:
            if empty:
                continue
            current = TargetValue.objects.create(plan=plan, indicator=indicator, **values)
            record(actor, plan, current, "create", AUDIT_FIELDS)
            changed += 1
            continue
        before = snapshot(current, AUDIT_FIELDS)
        for name, value in values.items():
            setattr(current, name, value)
        if snapshot(current, AUDIT_FIELDS) != before:
            current.save()
            record(actor, plan, current, "update", AUDIT_FIELDS, before=before)
            changed += 1
    return changed
