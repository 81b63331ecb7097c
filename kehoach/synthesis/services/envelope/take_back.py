"""Taking back the funding of commune lines drawn from envelope lines that changed or were
deleted: they return to "not decided", marked for review, so no envelope is exceeded (R16)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ...choices import Decision, DecisionOrigin, Review
from ...models import CommuneLine, EnvelopeLine, LineFunding
from ...summaries import summaries_refresh
from ..decisions import DECISION_AUDIT, decisions_audit


def take_back_funding(actor: Any, lines: list[tuple[EnvelopeLine, str]]) -> int:
    """Return the commune lines funded from these envelope lines to "not decided", marked for
    review with the note of the first envelope line that funded them; the plan's history gets
    one row per commune line with its decision and funding before and after."""
    if not lines:
        return 0
    why = {line.pk: note for line, note in reversed(lines)}
    order = {line.pk: index for index, (line, _note) in enumerate(lines)}
    funded: dict[int, CommuneLine] = {}
    note: dict[int, tuple[int, str]] = {}
    rows = (
        LineFunding.objects.filter(envelope_line__in=list(why))
        .select_related("line__plan")
        .order_by("line_id")
    )
    for row in rows:
        funded.setdefault(row.line_id, row.line)
        rank = order[row.envelope_line_id]
        if row.line_id not in note or rank < note[row.line_id][0]:
            note[row.line_id] = (rank, why[row.envelope_line_id])
    if not funded:
        return 0
    locked = list(
        CommuneLine.objects.filter(pk__in=list(funded))
        .select_for_update(of=("self",))
        .select_related("plan")
        .order_by("pk")
    )
    audit = decisions_audit(actor, locked, [*DECISION_AUDIT, "review", "review_note"])
    LineFunding.objects.filter(line__in=locked).delete()
    now = timezone.now()
    for commune_line in locked:
        commune_line.decision = Decision.PENDING
        commune_line.decision_origin = DecisionOrigin.NONE
        commune_line.decision_reason = ""
        commune_line.decision_code = ""
        commune_line.decision_params = {}
        commune_line.review = Review.CHANGED
        commune_line.review_note = note[commune_line.pk][1]
        commune_line.version += 1
        commune_line.updated_at = now
    CommuneLine.objects.bulk_update(
        locked,
        [
            "decision",
            "decision_origin",
            "decision_reason",
            "decision_code",
            "decision_params",
            "review",
            "review_note",
            "version",
            "updated_at",
        ],
    )
    audit()
    summaries_refresh(locked[0].plan)
    return len(locked)
