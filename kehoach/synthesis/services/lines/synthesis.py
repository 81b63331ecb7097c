"""The commune synthesis (F9): building the commune plan from the submitted village plans and
building it again when they change.

Re-synthesis. Each source keeps a fingerprint of its village line as last taken. Running the
synthesis again adds lines for new village lines (marked "new"), recomputes lines whose village
lines changed (marked "changed", their decision back to "not decided" and their funding taken
back), and marks lines whose village lines were deleted or whose plan is no longer submitted as
"withdrawn". Lines whose sources did not change keep their decision and funding.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_record, snapshot
from kehoach.approvals.models import StatusChange
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, ProposalLine

from ...choices import LineState, Review
from ...models import CommuneLine, CommunePlan, LineSource
from ...selectors import line_sources
from ...summaries import summaries_refresh
from ..common import bump, commune_plan_for, require_editable
from .fields import AUDIT_FIELDS
from .inserts import insert_synthesised
from .values import (
    changed_labels,
    fingerprint,
    line_from_village,
    next_number,
    recompute,
    reset_decision,
)


@dataclass
class SynthesisReport:
    plans: int = 0
    not_submitted: list[str] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    withdrawn: int = 0
    unchanged: int = 0


@transaction.atomic
def commune_plan_synthesise(*, actor: Any, round_: PlanningRound) -> SynthesisReport:
    """Build or update the commune plan from every submitted village plan of the round."""
    plan = require_editable(actor, commune_plan_for(round_))
    first_time = plan.synthesised_at is None
    report = SynthesisReport()
    village_plans = list(round_.plans.select_related("village").order_by("village__sort_key"))
    submitted = [p for p in village_plans if p.status == PlanStatus.SUBMITTED]
    report.plans = len(submitted)
    report.not_submitted = [
        p.village.name for p in village_plans if p.status != PlanStatus.SUBMITTED
    ]
    vlines = list(
        ProposalLine.objects.alive()
        .filter(plan__in=submitted)
        .select_related("plan__village", "sector", "unit", "proposed_source")
        .order_by("sector__sort_order", "sector__code", "plan__village__sort_key", "number")
    )
    present = {vline.pk for vline in vlines}
    links: dict[int, list[LineSource]] = defaultdict(list)
    for source in LineSource.objects.filter(line__plan=plan).select_related("line"):
        links[source.village_line_id].append(source)

    touched: dict[int, CommuneLine] = {}
    notes: dict[int, list[str]] = defaultdict(list)
    number = next_number(plan)
    created: list[CommuneLine] = []
    new_sources: list[LineSource] = []
    dirty: list[LineSource] = []  # sources changed or withdrawn: one bulk update (issue 16)
    for vline in vlines:
        print_ = fingerprint(vline)
        found = links.get(vline.pk)
        if not found:
            line = line_from_village(plan, number, vline)
            # the relations the history's snapshot reads, already loaded: no query per line
            line.sector, line.unit = vline.sector, vline.unit
            line.proposed_source = vline.proposed_source
            line.review = Review.NONE if first_time else Review.NEW
            line.review_note = (
                ""
                if first_time
                else _("New proposal of %(village)s.") % {"village": vline.plan.village.name}
            )
            new_sources.append(LineSource(line=line, village_line=vline, fingerprint=print_))
            created.append(line)
            number += 1
            report.new += 1
            continue
        changed = False
        for source in found:
            if source.fingerprint != print_ or source.withdrawn:
                what = changed_labels(source.fingerprint, print_)
                if source.withdrawn:
                    what.insert(0, _("proposal sent again"))
                source.fingerprint = print_
                source.withdrawn = False
                dirty.append(source)
                touched[source.line_id] = source.line
                notes[source.line_id].append(
                    _("%(village)s changed: %(fields)s.")
                    % {"village": vline.plan.village.name, "fields": ", ".join(what)}
                )
                changed = True
        if changed:
            report.changed += 1
        else:
            report.unchanged += 1
    for village_line_id, sources in links.items():
        if village_line_id in present:
            continue
        newly = [source for source in sources if not source.withdrawn]
        for source in newly:
            source.withdrawn = True
            dirty.append(source)
            touched[source.line_id] = source.line
            notes[source.line_id].append(_("A village withdrew its proposal."))
        report.withdrawn += bool(newly)

    # a fixed number of writes whatever the number of village lines (issue 16)
    insert_synthesised(
        actor=actor, plan=plan, lines=created, sources=new_sources, now=timezone.now()
    )
    LineSource.objects.bulk_update(dirty, ["fingerprint", "withdrawn"], batch_size=500)
    _settle(actor, plan, touched, notes)
    plan.synthesised_at = timezone.now()
    plan.synthesised_by = actor if getattr(actor, "pk", None) else None
    plan.save(update_fields=["synthesised_at", "synthesised_by", "updated_at"])
    bump(plan)
    StatusChange.objects.create(
        plan_uid=plan.uid,
        subject_label=CommunePlan._meta.label_lower,
        action="synthesise",
        from_state=plan.status,
        to_state=plan.status,
        actor=plan.synthesised_by,
        comment=_(
            "Synthesis of %(plans)s village plans: %(new)s new, %(changed)s changed, "
            "%(withdrawn)s withdrawn, %(unchanged)s unchanged."
        )
        % {
            "plans": report.plans,
            "new": report.new,
            "changed": report.changed,
            "withdrawn": report.withdrawn,
            "unchanged": report.unchanged,
        },
    )
    summaries_refresh(plan)
    return report


def _settle(
    actor: Any, plan: CommunePlan, touched: dict[int, CommuneLine], notes: dict[int, list[str]]
) -> None:
    """Recompute the lines whose sources changed and mark them for review."""
    if not touched:
        return
    lines = {
        line.pk: line
        for line in CommuneLine.objects.filter(pk__in=touched).select_related("split_from")
    }
    befores = {pk: snapshot(line, AUDIT_FIELDS) for pk, line in lines.items()}
    recompute(lines.values())
    sources = line_sources(lines.values())
    for pk, line in lines.items():
        line.refresh_from_db()
        live = [s for s in sources.get(pk, []) if not s.withdrawn]
        note = " ".join(notes.get(pk, []))
        if not live and line.state == LineState.ACTIVE:
            line.state = LineState.WITHDRAWN
            reset_decision(line, note, Review.WITHDRAWN)
        elif live and line.state == LineState.WITHDRAWN:
            line.state = LineState.ACTIVE
            reset_decision(line, note, Review.CHANGED)
        elif line.state == LineState.ACTIVE:
            reset_decision(line, note, Review.CHANGED)
        else:
            line.review_note = note
        line.version += 1
        line.save()
        for part in line.parts.filter(state=LineState.ACTIVE):
            _reset_and_record(actor, plan, part, note)
        merged = line.merged_into
        while merged is not None and merged.state == LineState.ACTIVE:
            _reset_and_record(actor, plan, merged, note)
            merged = merged.merged_into
        audit_record(
            actor=actor,
            plan_uid=plan.uid,
            obj=line,
            operation="update",
            before=befores[pk],
            after=snapshot(line, AUDIT_FIELDS),
        )


def _reset_and_record(actor: Any, plan: CommunePlan, line: CommuneLine, note: str) -> None:
    """A split part or a merged line whose source changed: its decision is reset for review,
    and the history says so."""
    before = snapshot(line, AUDIT_FIELDS)
    reset_decision(line, note, Review.CHANGED)
    line.version += 1
    line.save()
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=line,
        operation="update",
        before=before,
        after=snapshot(line, AUDIT_FIELDS),
    )
