"""The synthesis of the commune's five-year plan from the villages' submitted F7 plans, and
the synthesis again when they change (as the yearly synthesis, F9, R12).

The first time, every activity of a submitted five-year village plan becomes one commune line
(its values and years copied, the activity its source with share 1). Again later: activities
added since become new lines; sources whose activity was deleted, or whose plan was returned,
are marked withdrawn (a line left without a live source is "withdrawn by the village"); an
activity that comes back un-withdraws its sources. An activity the village changed since the
commune took it (its version is not the source's ``taken_version``: a plan returned, corrected
and sent again) puts its line back to "not decided yet" with a note of what changed
(``review_note``); a line made of that activity alone takes the new values and years, a merged
line or a split part keeps the commune's values for the planner to adjust. The commune's merges,
splits and other decisions are kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_bulk, audit_entry, snapshot
from kehoach.approvals.models import AuditEntry, StatusChange
from kehoach.core import bounds
from kehoach.core.numbers import format_number_vi
from kehoach.plans.choices import PlanStatus
from kehoach.synthesis.choices import Decision, LineState

from ..models import (
    ACTIVITY_FIELDS,
    MediumTermCommuneLine,
    MediumTermCommuneLineYear,
    MediumTermCommunePlan,
    MediumTermLine,
    MediumTermLineYear,
    MediumTermRound,
    MediumTermSource,
)
from .commune import LINE_AUDIT, commune_plan_for, require_editable

STATE_AUDIT = ["state"]
CHANGE_AUDIT = [*LINE_AUDIT, "decision", "decision_reason", "review_note"]


@dataclass
class SynthesisReport:
    plans: int = 0
    not_submitted: list[str] = field(default_factory=list)
    new: int = 0
    withdrawn: int = 0
    back: int = 0
    changed: int = 0
    unchanged: int = 0


def activity_values(source: Any) -> dict[str, Any]:
    """The F7 values of an activity (or a commune line), by their stored column names."""
    names = [getattr(MediumTermLine._meta.get_field(n), "attname", n) for n in ACTIVITY_FIELDS]
    return {name: getattr(source, name) for name in names}


def next_number(plan: MediumTermCommunePlan) -> int:
    return (plan.lines.aggregate(m=Max("number"))["m"] or 0) + 1


def submitted_activities(round_: MediumTermRound) -> list[MediumTermLine]:
    """The alive activities of the period's submitted village plans, with their years."""
    return list(
        MediumTermLine.objects.alive()
        .filter(plan__round=round_, plan__status=PlanStatus.SUBMITTED)
        .select_related("plan__village", "sector", "unit", "proposed_source")
        .prefetch_related(Prefetch("years", queryset=MediumTermLineYear.objects.order_by("year")))
        .order_by("sector__sort_order", "sector__code", "plan__village__sort_key", "number")
    )


@transaction.atomic
def commune_plan_synthesise(*, actor: Any, round_: MediumTermRound) -> SynthesisReport:
    """Build or update the commune's five-year plan from every submitted village plan."""
    plan = require_editable(actor, commune_plan_for(round_))
    report = SynthesisReport()
    village_plans = list(round_.plans.select_related("village").order_by("village__sort_key"))
    report.plans = sum(1 for p in village_plans if p.status == PlanStatus.SUBMITTED)
    report.not_submitted = [
        p.village.name for p in village_plans if p.status != PlanStatus.SUBMITTED
    ]
    activities = submitted_activities(round_)
    present = {activity.pk for activity in activities}
    links: dict[int, list[MediumTermSource]] = defaultdict(list)
    for source in MediumTermSource.objects.filter(line__plan=plan):
        links[source.village_line_id].append(source)

    number = next_number(plan)
    created: list[MediumTermCommuneLine] = []
    years: list[MediumTermCommuneLineYear] = []
    sources: list[MediumTermSource] = []
    dirty: list[MediumTermSource] = []
    changes: list[tuple[MediumTermSource, MediumTermLine]] = []
    touched: set[int] = set()
    for activity in activities:
        found = links.get(activity.pk)
        if not found:
            line = MediumTermCommuneLine(plan=plan, number=number, **activity_values(activity))
            line.sector, line.unit = activity.sector, activity.unit
            line.proposed_source = activity.proposed_source
            created.append(line)
            years.extend(
                MediumTermCommuneLineYear(
                    line=line, year=item.year, quantity=item.quantity, cost_mvnd=item.cost_mvnd
                )
                for item in activity.years.all()
            )
            sources.append(
                MediumTermSource(line=line, village_line=activity, taken_version=activity.version)
            )
            number += 1
            report.new += 1
            continue
        again = [source for source in found if source.withdrawn]
        for source in again:
            source.withdrawn = False
            dirty.append(source)
            touched.add(source.line_id)
        edited = [s for s in found if s.taken_version != activity.version]
        for source in edited:
            source.taken_version = activity.version
            if source not in dirty:
                dirty.append(source)
            changes.append((source, activity))
        report.back += bool(again)
        report.changed += bool(edited) and not again
        report.unchanged += not again and not edited
    for village_line_id, found in links.items():
        if village_line_id in present:
            continue
        newly = [source for source in found if not source.withdrawn]
        for source in newly:
            source.withdrawn = True
            dirty.append(source)
            touched.add(source.line_id)
        report.withdrawn += bool(newly)

    now = timezone.now()
    MediumTermCommuneLine.objects.bulk_create(created, batch_size=500)
    for item in years:
        item.line_id = item.line.pk
    for source in sources:
        source.line_id = source.line.pk
    MediumTermCommuneLineYear.objects.bulk_create(years, batch_size=500)
    MediumTermSource.objects.bulk_create(sources, batch_size=500)
    MediumTermSource.objects.bulk_update(dirty, ["withdrawn", "taken_version"], batch_size=500)
    entries = [
        audit_entry(
            actor=actor,
            plan_uid=plan.uid,
            obj=line,
            operation=AuditEntry.Operation.CREATE,
            after=snapshot(line, LINE_AUDIT),
        )
        for line in created
    ]
    entries.extend(_settle(actor, plan, touched))
    entries.extend(_take_changes(actor, plan, changes))
    audit_bulk(entries)
    plan.synthesised_at = now
    plan.version += 1
    plan.save(update_fields=["synthesised_at", "version", "updated_at"])
    StatusChange.objects.create(
        plan_uid=plan.uid,
        subject_label=MediumTermCommunePlan._meta.label_lower,
        action="synthesise",
        from_state=plan.status,
        to_state=plan.status,
        actor=actor if getattr(actor, "pk", None) else None,
        comment=_(
            "Synthesis of %(plans)s five-year village plans: %(new)s new, %(changed)s changed "
            "by the village, %(withdrawn)s withdrawn, %(back)s sent again, %(unchanged)s "
            "unchanged."
        )
        % {
            "plans": report.plans,
            "new": report.new,
            "changed": report.changed,
            "withdrawn": report.withdrawn,
            "back": report.back,
            "unchanged": report.unchanged,
        },
    )
    return report


def _settle(actor: Any, plan: MediumTermCommunePlan, touched: set[int]) -> list[Any]:
    """A line in the plan left without a live source is withdrawn by the village; a withdrawn
    line whose source came back is in the plan again (its decision kept). The lines' audit
    rows, not yet written."""
    if not touched:
        return []
    live = set(
        MediumTermSource.objects.filter(line_id__in=touched, withdrawn=False).values_list(
            "line_id", flat=True
        )
    )
    changed: list[MediumTermCommuneLine] = []
    entries = []
    for line in MediumTermCommuneLine.objects.select_for_update(of=("self",)).filter(
        pk__in=touched, state__in=[LineState.ACTIVE, LineState.WITHDRAWN]
    ):
        target = LineState.ACTIVE if line.pk in live else LineState.WITHDRAWN
        if line.state == target:
            continue
        before = snapshot(line, STATE_AUDIT)
        line.state = target
        line.version += 1
        changed.append(line)
        entries.append(
            audit_entry(
                actor=actor,
                plan_uid=plan.uid,
                obj=line,
                operation=AuditEntry.Operation.UPDATE,
                before=before,
                after=snapshot(line, STATE_AUDIT),
            )
        )
    MediumTermCommuneLine.objects.bulk_update(changed, ["state", "version"])
    return entries


def _change_note(activity: MediumTermLine) -> str:
    return _(
        "%(village)s changed its activity “%(activity)s” after the synthesis (total cost now "
        "%(total)s million VND); check the line and decide again."
    ) % {
        "village": activity.plan.village.name,
        "activity": activity.activity,
        "total": format_number_vi(
            sum((item.cost_mvnd for item in activity.years.all()), Decimal(0)), 1
        ),
    }


def _take_changes(
    actor: Any,
    plan: MediumTermCommunePlan,
    changes: list[tuple[MediumTermSource, MediumTermLine]],
) -> list[Any]:
    """The lines whose village activity changed: decided again (see the module's description).
    Their audit rows, not yet written."""
    if not changes:
        return []
    ids = {source.line_id for source, _activity in changes}
    lines = {
        line.pk: line
        for line in MediumTermCommuneLine.objects.select_for_update(of=("self",)).filter(pk__in=ids)
    }
    counts = dict(
        MediumTermSource.objects.filter(line_id__in=ids)
        .values("line_id")
        .annotate(n=Count("id"))
        .values_list("line_id", "n")
    )
    entries = []
    for source, activity in changes:
        line = lines[source.line_id]
        before = snapshot(line, CHANGE_AUDIT)
        alone = (
            counts.get(line.pk) == 1
            and line.split_from_id is None
            and line.state == LineState.ACTIVE
            and source.share == 1
        )
        if alone:
            for name, value in activity_values(activity).items():
                setattr(line, name, value)
            line.years.all().delete()
            MediumTermCommuneLineYear.objects.bulk_create(
                MediumTermCommuneLineYear(
                    line=line, year=item.year, quantity=item.quantity, cost_mvnd=item.cost_mvnd
                )
                for item in activity.years.all()
            )
        if line.state == LineState.ACTIVE:
            line.decision, line.decision_reason = Decision.PENDING, ""
        note = _change_note(activity)
        line.review_note = f"{line.review_note} {note}".strip()[: bounds.LONG_TEXT]
        line.version += 1
        line.save()
        entries.append(
            audit_entry(
                actor=actor,
                plan_uid=plan.uid,
                obj=line,
                operation=AuditEntry.Operation.UPDATE,
                before=before,
                after=snapshot(line, CHANGE_AUDIT),
            )
        )
    return entries
