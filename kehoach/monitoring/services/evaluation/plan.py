"""The evaluation of the year (F15 b) and the values achieved of the plan's targets (F16)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import snapshot
from kehoach.core.validation import raise_errors
from kehoach.plans.services.common import check_version
from kehoach.synthesis.models import CommunePlan, TargetValue

from ...models import PlanEvaluation, TargetAchievement
from ...validators.evaluation import (
    PLAN_FIELDS,
    TARGET_FIELDS,
    clean_plan_evaluation,
    clean_target_achievements,
)
from ..common import record
from .common import locked_plan


@transaction.atomic
def plan_evaluation_save(
    *,
    actor: Any,
    plan: CommunePlan,
    data: dict[str, Any],
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> PlanEvaluation:
    """Write the evaluation of the year (F15 b): date, results, shortcomings and their causes,
    lessons. ``expected_version`` as for ``line_evaluation_save``."""
    plan = locked_plan(actor, plan)
    values, problems = clean_plan_evaluation(today or timezone.localdate(), data)
    raise_errors(problems)
    by = actor if getattr(actor, "pk", None) else None
    current = PlanEvaluation.objects.filter(plan=plan).first()
    if current is None:
        check_version(0, expected_version, what=_("the evaluation of the year"))
        current = PlanEvaluation.objects.create(plan=plan, evaluated_by=by, **values)
        record(actor, plan, current, "create", PLAN_FIELDS)
        return current
    check_version(current.version, expected_version, what=_("the evaluation of the year"))
    before = snapshot(current, PLAN_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    if snapshot(current, PLAN_FIELDS) != before:
        current.version += 1
        current.evaluated_by_id = getattr(by, "pk", None)
        current.save()
        record(actor, plan, current, "update", PLAN_FIELDS, before=before)
    return current


@transaction.atomic
def target_achievements_save(
    *, actor: Any, plan: CommunePlan, rows: dict[str, dict[str, Any]]
) -> int:
    """Save the value achieved of each target of the plan (``rows[indicator code]`` with
    ``achieved`` — a number or Vietnamese text — and ``notes``), all or nothing; an emptied row
    removes the value. Codes of indicators the plan has no target for are ignored. Returns how
    many rows changed."""
    plan = locked_plan(actor, plan)
    targets = {
        t.indicator.code: t
        for t in TargetValue.objects.filter(plan=plan).select_related("indicator", "achievement")
    }
    cleaned, problems = clean_target_achievements(targets, rows)
    raise_errors(problems)
    changed = 0
    for code, (achieved, notes) in cleaned.items():
        target = targets[code]
        current: TargetAchievement | None = getattr(target, "achievement", None)
        if achieved is None:
            if current is not None:
                before = snapshot(current, TARGET_FIELDS)
                record(actor, plan, current, "delete", TARGET_FIELDS, before=before)
                current.delete()
                changed += 1
            continue
        if current is None:
            current = TargetAchievement.objects.create(
                target=target, achieved=achieved, notes=notes
            )
            record(actor, plan, current, "create", TARGET_FIELDS)
            changed += 1
            continue
        if (current.achieved, current.notes) != (achieved, notes):
            before = snapshot(current, TARGET_FIELDS)
            current.achieved, current.notes = achieved, notes
            current.save()
            record(actor, plan, current, "update", TARGET_FIELDS, before=before)
            changed += 1
    return changed
