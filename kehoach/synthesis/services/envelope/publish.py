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

from ...models import CommunePlan, Envelope, EnvelopeLine
from ...permissions import may_publish_envelope
from ...selectors import published_row
from ..common import commune_plan_for, ensure_draft, envelope_for, lock, money_text


def _lines(envelope: Envelope | None) -> list[EnvelopeLine]:
    """The envelope's lines a publication copies (refused when there are none)."""
    lines = (
        list(
            envelope.lines.alive()
            .select_related("source", "sector")
            .prefetch_related("area_villages")
            .order_by("number")
        )
        if envelope is not None and envelope.pk is not None
        else []
    )
    if not lines:
        raise ApplicationError(
            "envelope_empty",
            _("The envelope has no lines yet; add the money expected from each source first."),
        )
    return lines


def envelope_publish_check(*, actor: Any, round_: PlanningRound) -> dict[str, int]:
    """What ``envelope_publish`` would refuse, raised the same way, without writing, creating
    or locking anything (a dry run); answers how many lines it would publish."""
    if not may_publish_envelope(actor, round_):
        raise NotFoundError()
    plan = CommunePlan.objects.filter(round=round_).first()
    if plan is not None:
        ensure_draft(plan)
    return {"published_lines": len(_lines(Envelope.objects.filter(round=round_).first()))}


@transaction.atomic
def envelope_publish(*, actor: Any, round_: PlanningRound) -> Envelope:
    """Publish the envelope as it is now to every village plan of the round (R19)."""
    if not may_publish_envelope(actor, round_):
        raise NotFoundError()
    plan = lock(commune_plan_for(round_))
    ensure_draft(plan)
    envelope = envelope_for(round_)
    lines = _lines(envelope)
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
