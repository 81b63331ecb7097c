"""Which object each form's workbook reads and changes, who may change it, and the
fingerprint that tells whether it changed between the check and the confirmation."""

from __future__ import annotations

from typing import Any

from kehoach.midterm.selectors import plan_get_for_user as midterm_plan_get_for_user
from kehoach.monitoring.models import ProgressReport
from kehoach.plans.models import Attendee, BasicInfo, ProposalLine, VillageMeeting, VillagePlan
from kehoach.plans.services.common import require_editable
from kehoach.synthesis.models import CommuneLine, CommunePlan, EnvelopeLine, LineFunding
from kehoach.synthesis.services.common import require_editable as require_commune_plan_editable

from .forms import f1, f6, f7, f8, f9, f10, f11, f12, f14
from .forms.f7.target import midterm_target
from .services import Target, fingerprint_of

VILLAGE_FORMS = ("F1", "F6", "F8")
COMMUNE_FORMS = ("F9", "F10", "F11", "F12", "F14")
MIDTERM_FORMS = ("F7",)
"""The forms of a five-year village plan (``forms.f7``: its target, download and upload)."""
BLANK_FORMS = ("F6", "F11")
"""The forms that are lists of lines and can also be downloaded empty, to add lines."""
MODULES: dict[str, Any] = {
    "F1": f1,
    "F6": f6,
    "F7": f7,
    "F8": f8,
    "F9": f9,
    "F10": f10,
    "F11": f11,
    "F12": f12,
    "F14": f14,
}


def village_target(form: str, plan: VillagePlan) -> Target:
    module = MODULES[form]

    def fingerprint() -> str:
        rows: list[Any] = [plan.status]
        if form == "F6":
            rows += list(
                ProposalLine.objects.alive()
                .filter(plan=plan)
                .order_by("pk")
                .values_list("uid", "version")
            )
        elif form == "F1":
            rows += list(BasicInfo.objects.filter(plan=plan).values_list("version"))
        else:
            rows += list(VillageMeeting.objects.filter(plan=plan).values_list("version"))
            rows += list(
                Attendee.objects.filter(meeting__plan=plan)
                .order_by("pk")
                .values_list("pk", "version")
            )
        return fingerprint_of(rows)

    return Target(
        form=form,
        obj=plan,
        plan_uid=plan.uid,
        may_apply=lambda actor: require_editable(actor, plan),
        read=lambda upload, layouts, actor: module.read(plan, upload, layouts, actor),
        apply=lambda actor, reading: module.apply(actor, plan, reading),
        fingerprint=fingerprint,
        **_kept(module, plan),
    )


def _kept(module: Any, plan: Any) -> dict[str, Any]:
    """``keep``, ``restore`` and ``write`` of a form that keeps the changes its check found
    (F6 so far); a form without them is read and checked again at the confirmation."""
    if not hasattr(module, "keep"):
        return {}
    return {
        "keep": module.keep,
        "restore": lambda kept: module.restore(plan, kept),
        "write": lambda actor, changes: module.write(actor, plan, changes),
    }


def commune_target(form: str, plan: CommunePlan) -> Target:
    module = MODULES[form]

    def fingerprint() -> str:
        rows: list[Any] = [plan.status, plan.data_version]
        rows += list(
            CommuneLine.objects.filter(plan=plan).order_by("pk").values_list("uid", "version")
        )
        rows += list(
            EnvelopeLine.objects.filter(envelope__round=plan.round)
            .order_by("pk")
            .values_list("uid", "version", "deleted_at")
        )
        rows += list(
            LineFunding.objects.filter(line__plan=plan)
            .order_by("pk")
            .values_list("line_id", "envelope_line_id", "amount_mvnd")
        )
        if form == "F14":  # a report made on the web meanwhile changes the works' position
            rows += list(
                ProgressReport.objects.filter(line__plan=plan, is_latest=True)
                .order_by("pk")
                .values_list("pk", "uid", "line_id", "reported_on")
            )
        return fingerprint_of(rows)

    def may_apply(actor: Any) -> None:
        if form in ("F11", "F14"):
            module.may_apply(actor, plan)
        else:
            require_commune_plan_editable(actor, plan)

    return Target(
        form=form,
        obj=plan,
        plan_uid=plan.uid,
        may_apply=may_apply,
        read=lambda upload, layouts, actor: module.read(plan, upload, layouts, actor),
        apply=lambda actor, reading: module.apply(actor, plan, reading),
        fingerprint=fingerprint,
        **_kept(module, plan),
    )


def midterm_target_for(*, user: Any, uid: Any) -> Target:
    """The target of an F7 upload: the five-year plan looked up for ``user`` (NotFoundError
    when it is gone or not visible)."""
    return midterm_target(midterm_plan_get_for_user(user=user, uid=uid))
