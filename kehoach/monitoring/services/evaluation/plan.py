"""The evaluation of the year (F15 b) and the values achieved of the plan's targets (F16).

Each write has a check-only twin (``plan_evaluation_check``, ``target_achievements_check``):
the same checks, writing nothing and locking nothing — what the API's dry run answers. The
values achieved have no version column: their version is a fingerprint of what is saved
(``achievements_version``), checked again under the plan's lock."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
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


def _year_planned(
    actor: Any,
    plan: CommunePlan,
    data: dict[str, Any],
    expected_version: int | None,
    today: datetime.date | None,
    *,
    lock: bool,
) -> tuple[CommunePlan, dict[str, Any], PlanEvaluation | None]:
    """Every check of ``plan_evaluation_save``: the plan, the clean values, the evaluation
    saved now (None) at the version the user opened."""
    plan = locked_plan(actor, plan, lock=lock)
    values, problems = clean_plan_evaluation(today or timezone.localdate(), data)
    raise_errors(problems)
    current = PlanEvaluation.objects.filter(plan=plan).first()
    check_version(
        current.version if current else 0, expected_version, what=_("the evaluation of the year")
    )
    return plan, values, current


def plan_evaluation_check(
    *,
    actor: Any,
    plan: CommunePlan,
    data: dict[str, Any],
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> dict[str, int]:
    """What ``plan_evaluation_save`` would answer, writing and locking nothing: whether it
    would create or change the evaluation, or the same refusal."""
    _plan, values, current = _year_planned(actor, plan, data, expected_version, today, lock=False)
    changes = current is not None and any(getattr(current, k) != v for k, v in values.items())
    return {"created": int(current is None), "updated": int(changes)}


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
    plan, values, current = _year_planned(actor, plan, data, expected_version, today, lock=True)
    by = actor if getattr(actor, "pk", None) else None
    if current is None:
        current = PlanEvaluation.objects.create(plan=plan, evaluated_by=by, **values)
        record(actor, plan, current, "create", PLAN_FIELDS)
        return current
    before = snapshot(current, PLAN_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    if snapshot(current, PLAN_FIELDS) != before:
        current.version += 1
        current.evaluated_by_id = getattr(by, "pk", None)
        current.save()
        record(actor, plan, current, "update", PLAN_FIELDS, before=before)
    return current


def achievements_version(plan: CommunePlan) -> int:
    """The version of the plan's values achieved: a fingerprint of every one saved (indicator,
    value, notes), 0 while there is none — any save or removal changes it."""
    saved = sorted(
        TargetAchievement.objects.filter(target__plan=plan).values_list(
            "target__indicator__code", "achieved", "notes"
        )
    )
    if not saved:
        return 0
    text = "\n".join(
        f"{code}\t{Decimal(value).normalize()}\t{notes}" for code, value, notes in saved
    )
    return int(hashlib.sha256(text.encode()).hexdigest()[:13], 16) or 1


@dataclass(frozen=True)
class _Achieved:
    target: TargetValue
    current: TargetAchievement | None
    achieved: Decimal | None
    notes: str

    @property
    def operation(self) -> str | None:
        """What saving it does: "create", "update", "delete" or nothing (None)."""
        if self.achieved is None:
            return "delete" if self.current is not None else None
        if self.current is None:
            return "create"
        if (self.current.achieved, self.current.notes) != (self.achieved, self.notes):
            return "update"
        return None


def _achievements_planned(
    actor: Any,
    plan: CommunePlan,
    rows: dict[str, dict[str, Any]],
    expected_version: int | None,
    *,
    lock: bool,
) -> tuple[CommunePlan, list[_Achieved]]:
    """Every check of ``target_achievements_save``: the plan and each row with what it does."""
    plan = locked_plan(actor, plan, lock=lock)
    targets = {
        t.indicator.code: t
        for t in TargetValue.objects.filter(plan=plan).select_related("indicator", "achievement")
    }
    cleaned, problems = clean_target_achievements(targets, rows)
    raise_errors(problems)
    check_version(
        achievements_version(plan), expected_version, what=_("the values achieved of the targets")
    )
    return plan, [
        _Achieved(targets[code], getattr(targets[code], "achievement", None), achieved, notes)
        for code, (achieved, notes) in cleaned.items()
    ]


def target_achievements_check(
    *,
    actor: Any,
    plan: CommunePlan,
    rows: dict[str, dict[str, Any]],
    expected_version: int | None = None,
) -> dict[str, int]:
    """What ``target_achievements_save`` would answer, writing and locking nothing: how many
    values it would create, change and remove, or the same refusal."""
    _plan, planned = _achievements_planned(actor, plan, rows, expected_version, lock=False)
    done = [p.operation for p in planned]
    return {
        "created": done.count("create"),
        "updated": done.count("update"),
        "deleted": done.count("delete"),
    }


@transaction.atomic
def target_achievements_save(
    *,
    actor: Any,
    plan: CommunePlan,
    rows: dict[str, dict[str, Any]],
    expected_version: int | None = None,
) -> int:
    """Save the value achieved of each target of the plan (``rows[indicator code]`` with
    ``achieved`` — a number or Vietnamese text — and ``notes``), all or nothing; an emptied row
    removes the value. Codes of indicators the plan has no target for are ignored.
    ``expected_version`` is the ``achievements_version`` the user read (None: not checked).
    Returns how many rows changed."""
    plan, planned = _achievements_planned(actor, plan, rows, expected_version, lock=True)
    changed = 0
    for item in planned:
        operation, current, achieved = item.operation, item.current, item.achieved
        if operation is None:
            continue
        changed += 1
        if achieved is None:  # removed
            assert current is not None
            before = snapshot(current, TARGET_FIELDS)
            record(actor, plan, current, "delete", TARGET_FIELDS, before=before)
            current.delete()
        elif current is None:
            current = TargetAchievement.objects.create(
                target=item.target, achieved=achieved, notes=item.notes
            )
            record(actor, plan, current, "create", TARGET_FIELDS)
        else:
            before = snapshot(current, TARGET_FIELDS)
            current.achieved, current.notes = achieved, item.notes
            current.save()
            record(actor, plan, current, "update", TARGET_FIELDS, before=before)
    return changed
