"""Publishing the envelope as it is to every village plan of the round (R19)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.models import StatusChange
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.plans.models import PlanningRound

from ...models import Envelope
from ...permissions import may_publish_envelope
from ...selectors import published_row
from ..common import commune_plan_for, ensure_draft, envelope_for, lock, money_text


@transaction.atomic
def envelope_publish(*, actor: Any, round_: PlanningRound) -> Envelope:
    """Publish the envelope as it is now to every village plan of the round (R19)."""
    if not may_publish_envelope(actor, round_):
        raise NotFoundError()
    plan = lock(commune_plan_for(round_))
    ensure_draft(plan)
    envelope = envelope_for(round_)
    lines = list(
        envelope.lines.alive()
        .select_related("source", "sector")
        .prefetch_related("area_villages")
        .order_by("number")
    )
    if not lines:
        raise ApplicationError(
            "envelope_empty",
            _("The envelope has no lines yet; add the money expected from each source first."),
        )
    envelope.published_lines = [published_row(line) for line in lines]
    envelope.published_at = timezone.now()
    envelope.published_by = actor if getattr(actor, "pk", None) else None
    envelope.save()
    StatusChange.objects.create(
        plan_uid=plan.uid,
        subject_label=Envelope._meta.label_lower,
        action="publish",
        from_state="",
        to_state="published",
        actor=envelope.published_by,
        comment=_("%(count)s lines, %(total)s million VND")
        % {
            "count": len(lines),
            "total": money_text(sum((x.amount_mvnd for x in lines), Decimal(0))),
        },
    )
    return envelope
