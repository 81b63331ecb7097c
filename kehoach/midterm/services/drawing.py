"""Drawing a yearly village plan from the village's five-year plan (issue 18, item 4).

When a village opens its yearly plan, the year's activities of its five-year plan are offered
(``selectors_drawing.offered_years``). ``draw_from_medium_term`` copies exactly the chosen years
into the yearly plan, through the one writer of proposal lines
(``plans.services.lines.writer.lines_apply``), so that each new line passes this year's rules
like a line typed today, and keeps the link to the year it came from
(``MediumTermLineYear.drawn_line``, as a carried line keeps its ``origin``):

- the activity's values (sector, activity, location, unit, source, beneficiaries, how it is
  carried out, notes), the year's quantity and cost;
- the contribution and the external support split pro rata of the activity's (the
  contribution rounded to the thousand đồng, the support the rest), so that R1 holds exactly;
- months January to December of the plan year, priority left for the village to set (the
  ranking, F5, gets a row for each drawn line to score: ``ranking_items_apply``);
- a proposed source no longer in use in the plan year is left empty, with a note (as
  carry-over does).

Refused, nothing saved, each with a message naming the activity: a year already drawn into a
live line, a dropped year, a year of another plan year or another village, an activity deleted
or changed since the page was read, a five-year plan that may not be drawn from; and a yearly
plan that may not be edited. A year whose drawn line was deleted may be drawn again.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, can_see, has_permission
from kehoach.approvals.audit import audit_bulk, audit_entry
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.core.reasons import Reason
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.permissions import can_edit_lines
from kehoach.plans.services.common import require_editable
from kehoach.plans.services.findings.ranking import RankingChanges, ranking_items_apply
from kehoach.plans.services.lines.fields import DEFAULTS
from kehoach.plans.services.lines.writer import LineChange, lines_apply

from ..choices import YearStatus
from ..models import MediumTermLineYear
from ..selectors_drawing import drawable_plan

THOUSAND_DONG = Decimal("0.001")
"""Money is in million VND with three decimals: the contribution is rounded to this."""

MAX_CHOSEN = 500
"""At most this many years drawn at once (a five-year plan has far fewer a year)."""


def can_draw(user: Any, plan: VillagePlan) -> Reason | None:
    """The user may draw activities of the five-year plan into ``plan`` now (the same answer
    as adding proposals)."""
    return can_edit_lines(user, plan)


@dataclass
class Drawn:
    """The new lines, in the five-year plan's order, and the notes the user must act on."""

    lines: list[ProposalLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def split_cost(line_year: MediumTermLineYear) -> tuple[Decimal, Decimal]:
    """The year's contribution and external support: the year's cost split in the proportion
    of the activity's contribution and support; the contribution rounded to the thousand đồng,
    the support the rest, so that they add up to the year's cost exactly (R1)."""
    line = line_year.line
    cost = line_year.cost_mvnd
    whole = line.contribution_mvnd + line.external_support_mvnd
    if whole <= 0:
        return Decimal(0), cost
    contribution = (cost * line.contribution_mvnd / whole).quantize(
        THOUSAND_DONG, rounding=ROUND_HALF_UP
    )
    contribution = min(max(contribution, Decimal(0)), cost)
    return contribution, cost - contribution


def line_values(line_year: MediumTermLineYear, year: int) -> tuple[dict[str, Any], list[str]]:
    """The values of the yearly plan's line drawn from ``line_year`` and the notes of what was
    adjusted (a source no longer in use left empty)."""
    line = line_year.line
    contribution, support = split_cost(line_year)
    notes: list[str] = []
    source = line.proposed_source
    if source is not None and not source.is_active_for_year(year):
        notes.append(
            _(
                "“%(activity)s”: the proposed source “%(source)s” is not in use in %(year)s, so "
                "the activity is drawn without a source; choose another one."
            )
            % {"activity": line.activity, "source": source.code, "year": year}
        )
        source = None
    values = {
        **DEFAULTS,
        "sector": line.sector,
        "activity": line.activity,
        "location": line.location,
        "unit": line.unit,
        "quantity": line_year.quantity,
        "start_month": datetime.date(year, 1, 1),
        "end_month": datetime.date(year, 12, 1),
        "total_cost_mvnd": line_year.cost_mvnd,
        "contribution_mvnd": contribution,
        "external_support_mvnd": support,
        "proposed_source": source,
        "beneficiary_households": line.beneficiary_households,
        "beneficiary_poor": line.beneficiary_poor,
        "beneficiary_em": line.beneficiary_em,
        "implementation_mode": line.implementation_mode,
        "priority": None,
        "notes": line.notes,
    }
    return values, notes


def _refusal(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, Where(field="years"))


def _problems(
    user: Any,
    plan: VillagePlan,
    chosen: list[MediumTermLineYear],
    expected: Mapping[int, int] | None,
) -> list[ApplicationError]:
    """Why each chosen year may not be drawn into ``plan`` (nothing: every one may)."""
    year = plan.round.plan_year
    source = drawable_plan(plan.village, year)
    problems: list[ApplicationError] = []
    for item in chosen:
        line = item.line
        five_year = line.plan
        named = {"activity": line.activity, "year": item.year, "plan_year": year}
        if five_year.village_id != plan.village_id:
            if not can_see(user, five_year.village):
                raise NotFoundError()
            problems.append(
                _refusal(
                    "drawn_other_village",
                    _(
                        "“%(activity)s” is an activity of the five-year plan of %(other)s, not "
                        "of %(village)s; choose among this village's activities."
                    )
                    % {**named, "other": five_year.village.name, "village": plan.village.name},
                )
            )
            continue
        if line.deleted_at is not None:
            problems.append(
                _refusal(
                    "drawn_deleted",
                    _(
                        "“%(activity)s” was deleted from the five-year plan; reload the page "
                        "and choose again."
                    )
                    % named,
                )
            )
            continue
        if item.year != year:
            problems.append(
                _refusal(
                    "drawn_other_year",
                    _(
                        "“%(activity)s”: its year %(year)s of the five-year plan cannot be "
                        "drawn into the %(plan_year)s plan; choose the activities of "
                        "%(plan_year)s."
                    )
                    % named,
                )
            )
            continue
        if source is None or five_year.pk != source.pk:
            problems.append(
                _refusal(
                    "drawn_plan_not_drawable",
                    _(
                        "“%(activity)s”: its five-year plan is not in the commune's approved "
                        "five-year plan; only an approved five-year plan can be drawn from."
                    )
                    % named,
                )
            )
            continue
        if expected is not None and item.pk in expected and expected[item.pk] != line.version:
            problems.append(
                _refusal(
                    "conflict",
                    _(
                        "“%(activity)s” was changed in the five-year plan after you opened the "
                        "page; nothing was drawn. Reload the page to see it as it is now, then "
                        "choose again."
                    )
                    % named,
                )
            )
            continue
        if item.status == YearStatus.DROPPED:
            problems.append(
                _refusal(
                    "drawn_dropped",
                    _(
                        "“%(activity)s” was dropped from %(year)s in the five-year plan "
                        "(%(reason)s); it cannot be drawn. Set it back to planned in the "
                        "five-year plan first if it is needed."
                    )
                    % {**named, "reason": item.dropped_reason},
                )
            )
            continue
        drawn = item.drawn_line
        if drawn is not None and drawn.deleted_at is None:
            problems.append(
                _refusal(
                    "drawn_already",
                    _(
                        "“%(activity)s” of %(year)s is already in this year's plan as line "
                        "%(number)s; it is not drawn twice."
                    )
                    % {**named, "number": drawn.number},
                )
            )
    return problems


def _ids(line_year_ids: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for value in line_year_ids:
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise NotFoundError() from exc
        if number not in ids:
            ids.append(number)
    return ids


@transaction.atomic
def draw_from_medium_term(
    user: Any,
    plan: VillagePlan,
    line_year_ids: Iterable[Any],
    *,
    expected: Mapping[int, int] | None = None,
) -> Drawn:
    """Copy the chosen years of the five-year plan into ``plan``, each once, keeping the link
    (see the module's description); all or nothing. ``expected``: the version of each chosen
    year's activity as the page showed it (by year id), checked under the lock."""
    require_editable(user, plan)  # locks the yearly plan's row, reads its status under it
    ids = _ids(line_year_ids)
    if not ids:
        raise ApplicationError(
            "nothing_chosen",
            _("Choose at least one activity of the five-year plan to draw into this year's plan."),
            Where(field="years"),
        )
    if len(ids) > MAX_CHOSEN:
        raise ApplicationError(
            "too_many",
            _("At most %(max)s activities can be drawn at once.") % {"max": MAX_CHOSEN},
            Where(field="years"),
        )
    rows = (
        MediumTermLineYear.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related(
            "line__plan__village",
            "line__sector",
            "line__unit",
            "line__proposed_source",
            "drawn_line",
        )
    )
    found = {row.pk: row for row in rows}
    if len(found) != len(ids):
        raise NotFoundError()
    chosen = sorted(found.values(), key=lambda y: (y.line.plan_id, y.line.number, y.year))
    problems = _problems(user, plan, chosen, expected)
    if problems:
        raise ApplicationErrors(problems)
    year = plan.round.plan_year
    done = Drawn()
    changes = []
    for item in chosen:
        values, notes = line_values(item, year)
        changes.append(LineChange(data=values))
        done.notes.extend(notes)
    applied = lines_apply(actor=user, plan=plan, changes=changes)
    done.lines = applied.added
    entries = []
    for item, line in zip(chosen, done.lines, strict=True):
        before = {"drawn_line": str(item.drawn_line) if item.drawn_line is not None else None}
        item.drawn_line = line
        after = {"drawn_line": str(line), "village_plan": str(plan)}
        for plan_uid in (plan.uid, item.line.plan.uid):
            entries.append(
                audit_entry(
                    actor=user,
                    plan_uid=plan_uid,
                    obj=item,
                    operation="update",
                    before=before,
                    after=after,
                )
            )
    MediumTermLineYear.objects.bulk_update(chosen, ["drawn_line"])
    audit_bulk(entries)
    ranking_items_apply(
        actor=user,
        plan=plan,
        changes=RankingChanges(
            adds=[{"label": line.activity, "line": line.pk, "scores": None} for line in done.lines]
        ),
    )
    return done


@transaction.atomic
def link_drawn_line(user: Any, line_year: MediumTermLineYear, line: ProposalLine) -> None:
    """Say that ``line``, already in the yearly plan of the same village and year, is this year
    of the five-year activity: a line typed or imported before the year was drawn, or a plan
    made before the five-year plan was. Only the link is written (the yearly plan may be
    submitted or approved already: its content does not change); refused, with a message
    naming the activity, for another village or year, a deleted line, a dropped year, a year
    already drawn into a live line or a line already linked to another year."""
    plan = line.plan
    if not has_permission(user, Action.EDIT_PLAN, plan.village):
        raise NotFoundError()
    item = (
        MediumTermLineYear.objects.select_for_update(of=("self",))
        .select_related("line__plan", "drawn_line")
        .get(pk=line_year.pk)
    )
    named = {"activity": item.line.activity, "year": item.year, "number": line.number}
    refusal: str | None = None
    if item.line.plan.village_id != plan.village_id or item.year != plan.round.plan_year:
        refusal = _(
            "Line %(number)s is not of the village and year of “%(activity)s” (%(year)s); "
            "choose a line of that village's %(year)s plan."
        )
    elif line.deleted_at is not None or item.line.deleted_at is not None:
        refusal = _("Line %(number)s or “%(activity)s” was deleted; reload the page.")
    elif item.status == YearStatus.DROPPED:
        refusal = _(
            "“%(activity)s” was dropped from %(year)s in the five-year plan; set it back to "
            "planned first."
        )
    elif item.drawn_line is not None and item.drawn_line.deleted_at is None:
        refusal = _("“%(activity)s” of %(year)s is already linked to a line of this year's plan.")
    elif MediumTermLineYear.objects.filter(drawn_line=line).exclude(pk=item.pk).exists():
        refusal = _("Line %(number)s is already linked to another activity of the five-year plan.")
    if refusal is not None:
        raise _refusal("link_refused", refusal % named)
    before = {"drawn_line": str(item.drawn_line) if item.drawn_line is not None else None}
    item.drawn_line = line
    item.save(update_fields=["drawn_line"])
    after = {"drawn_line": str(line), "village_plan": str(plan)}
    audit_bulk(
        [
            audit_entry(
                actor=user, plan_uid=uid, obj=item, operation="update", before=before, after=after
            )
            for uid in (plan.uid, item.line.plan.uid)
        ]
    )
