"""The commune plan's "evaluate" step waits for the evaluation of the year (F15), registered
with ``kehoach.synthesis.services.workflow`` at start-up (``MonitoringConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError
from kehoach.synthesis.models import CommunePlan

from .models import PlanEvaluation


def evaluation_written(plan: CommunePlan, action: str) -> None:
    if action == "evaluate" and not PlanEvaluation.objects.filter(plan=plan).exists():
        raise ApplicationError(
            "evaluation_missing",
            _(
                "The year cannot be marked as evaluated yet: write the evaluation of the year "
                "(results, shortcomings, lessons) on the Evaluation tab first."
            ),
        )
