"""Freeze of the village plans a commune plan was made from (R23), registered with
``kehoach.plans.services.guards`` at start-up (``SynthesisConfig.ready``).

Once the commune plan of a round has left the commune's hands — agreed at the conference,
submitted for approval, reviewed, approved, published, in implementation … — the village plans
it was made from must not change behind it:

- a submitted village plan cannot be returned to the village, and a returned one cannot be
  reopened;
- a draft village plan whose proposals are (not withdrawn) sources of the commune plan cannot
  be changed.

The change goes through an amendment of the commune plan (điều chỉnh kế hoạch) instead: starting
one makes the commune plan a draft again (its next version), and then village plans can be
returned, reopened and changed as before. A commune plan returned for revision by the approver
(``returned``) is back with the commune too, so village plans may be returned then as well.
Village plans of a round without a commune plan are never refused.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError
from kehoach.plans.models import VillagePlan
from kehoach.plans.services.guards import EDIT, RETURN, REVISE

from .choices import CommunePlanStatus
from .models import CommunePlan, LineSource

OPEN_STATES = (CommunePlanStatus.DRAFT, CommunePlanStatus.RETURNED)
"""States of a commune plan in which its village plans may still be returned and changed."""


def village_plan_guard(plan: VillagePlan, operation: str) -> None:
    commune_plan = (
        CommunePlan.objects.filter(round_id=plan.round_id)
        .only("id", "status", "round_id", "version_number", "is_amendment")
        .first()
    )
    if commune_plan is None or commune_plan.status in OPEN_STATES:
        return
    values = {
        "village": plan.village.name,
        "year": plan.round.plan_year,
        "status": commune_plan.get_status_display(),
    }
    if operation == EDIT:
        in_commune_plan = LineSource.objects.filter(
            line__plan=commune_plan, village_line__plan=plan, withdrawn=False
        ).exists()
        if not in_commune_plan:
            return
        message = _(
            "The plan of %(village)s cannot be changed: its proposals are in the commune plan "
            "%(year)s, which is “%(status)s”."
        )
    elif operation == RETURN:
        message = _(
            "The plan of %(village)s cannot be returned: the commune plan %(year)s is “%(status)s”."
        )
    elif operation == REVISE:
        message = _(
            "The plan of %(village)s cannot be reopened: the commune plan %(year)s is “%(status)s”."
        )
    else:  # pragma: no cover - check_plan_guards only passes the operations above
        return
    raise ApplicationError(
        "commune_plan_frozen",
        (message % values)
        + " "
        + _(
            "Changes now go through an amendment of the commune plan: the commune starts "
            "one on the commune plan page, then the village plan can be returned and changed."
        ),
    )
