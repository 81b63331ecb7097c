"""What an F7 upload changes (a five-year village plan), who may change it now and the
fingerprint that tells whether the plan changed between the check and the confirmation."""

from __future__ import annotations

from typing import Any

from kehoach.midterm.models import MediumTermLine, MediumTermLineYear, MediumTermPlan
from kehoach.midterm.permissions import can_edit_plan

from ...services import Target, fingerprint_of
from .common import FORM
from .reading import apply, read


def may_apply(actor: Any, plan: MediumTermPlan) -> None:
    """The actor may edit the plan's village and the plan is still a draft (its status read
    again: a plan submitted since the page was opened is refused with its message; the writer
    checks again under the plan row's lock)."""
    status = MediumTermPlan.objects.filter(pk=plan.pk).values_list("status", flat=True).first()
    if status is not None:
        plan.status = status
    refusal = can_edit_plan(actor, plan)
    if refusal is not None:
        refusal.raise_error()


def midterm_target(plan: MediumTermPlan) -> Target:
    def fingerprint() -> str:
        rows: list[Any] = [plan.round.first_year, plan.round.last_year]
        rows += list(MediumTermPlan.objects.filter(pk=plan.pk).values_list("status"))
        rows += list(
            MediumTermLine.objects.filter(plan=plan)
            .order_by("pk")
            .values_list("uid", "version", "deleted_at")
        )
        rows += list(
            MediumTermLineYear.objects.filter(line__plan=plan)
            .order_by("pk")
            .values_list(
                "pk",
                "line_id",
                "year",
                "quantity",
                "cost_mvnd",
                "status",
                "dropped_reason",
                "drawn_line_id",
            )
        )
        return fingerprint_of(rows)

    return Target(
        form=FORM,
        obj=plan,
        plan_uid=plan.uid,
        may_apply=lambda actor: may_apply(actor, plan),
        read=lambda upload, layouts, actor: read(plan, upload, layouts, actor),
        apply=lambda actor, reading: apply(actor, plan, reading),
        fingerprint=fingerprint,
    )
