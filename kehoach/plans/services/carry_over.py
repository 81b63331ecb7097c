"""Carry-over: last year's unfunded, deferred or unfinished proposals brought into this year's
plan.

What is offered, and only that, each with why: the lines of the village's previous plan whose
outcome is unfunded ("not funded in 2026") or deferred ("deferred to the next year";
``CARRY_OVER_OUTCOMES``), and the lines that registered *sources* add with their note.
``plans`` knows nothing of implementation; ``monitoring`` registers a source at start-up
(``register_carry_over_source``) that adds the proposals behind funded works that were started
and not finished ("work in progress, 40% done"). A funded work that has not started is not
offered: it belongs to last year's plan, which funds it. A line already carried into this plan
is not offered again. Nothing is chosen in advance, and exactly the chosen lines are copied.

A carried line is a new line of this year's plan, so it must pass the rules of this year
(``validate_line``: R1, R2, R5, R6 and the proposed source) like a line typed today. Its months
move to the new plan year and its priority is left for the village to set again. What last year
allowed and this year does not is handled the way a commune officer expects, never silently:

- the proposed source is no longer in use in the new year (a programme that ended): the line is
  carried without a source and the user is told, line by line, to choose another one;
- anything else fails (a sector or unit taken out of the catalogue, amounts that do not add up):
  the line cannot be carried; the carry-over page shows why before anything is chosen, and a
  carry-over that includes it is refused with that message, nothing saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where

from ..choices import CARRY_OVER_OUTCOMES, LineOutcome
from ..models import ProposalLine, VillagePlan
from .common import record_create, require_editable
from .lines import AUDIT_FIELDS, LINE_FIELDS, field_label, validate_line


def previous_plan(plan: VillagePlan) -> VillagePlan | None:
    """The same village's plan in the commune's latest earlier round."""
    return (
        VillagePlan.objects.filter(
            village=plan.village,
            round__commune=plan.round.commune,
            round__plan_year__lt=plan.round.plan_year,
        )
        .select_related("round")
        .order_by("-round__plan_year")
        .first()
    )


CarryOverSource = Callable[[VillagePlan], dict[int, str]]
"""``source(previous_plan) -> {proposal line id: note}``: more lines of ``previous_plan`` to
offer, each with a note saying why (shown on the carry-over page and after carrying)."""

_sources: list[CarryOverSource] = []


def register_carry_over_source(source: CarryOverSource) -> None:
    """Add a source of lines to offer (once: registering the same function again does
    nothing)."""
    if source not in _sources:
        _sources.append(source)


def unregister_carry_over_source(source: CarryOverSource) -> None:
    """Remove a source (for tests)."""
    if source in _sources:
        _sources.remove(source)


UNFUNDED = "unfunded"
DEFERRED = "deferred"
UNFINISHED = "unfinished"


@dataclass(frozen=True)
class Offer:
    """A line of the previous plan that may be carried over, and why: its ``kind`` (unfunded,
    deferred, or unfinished: added by a source) and the ``reason`` said to the user."""

    line: ProposalLine
    kind: str
    reason: str


def _outcome_reason(line: ProposalLine, year: int) -> tuple[str, str]:
    if line.outcome == LineOutcome.DEFERRED:
        return DEFERRED, _("deferred to the next year")
    return UNFUNDED, _("not funded in %(year)s") % {"year": year}


def carry_over_offers(plan: VillagePlan) -> list[Offer]:
    """Lines of the previous plan to offer, each with why: unfunded or deferred (its outcome),
    or the note of the source that added it; no line twice, none already carried into
    ``plan``."""
    before = previous_plan(plan)
    if before is None:
        return []
    year = before.round.plan_year
    notes: dict[int, str] = {}
    for source in list(_sources):
        for line_id, note in source(before).items():
            notes[line_id] = "; ".join(x for x in (notes.get(line_id, ""), note) if x)
    taken = set(
        ProposalLine.objects.alive()
        .filter(plan=plan, origin__isnull=False)
        .values_list("origin_id", flat=True)
    )
    lines = (
        ProposalLine.objects.alive()
        .filter(Q(outcome__in=CARRY_OVER_OUTCOMES) | Q(pk__in=list(notes)), plan=before)
        .select_related("sector", "unit", "proposed_source", "plan__round")
        .order_by("number")
    )
    offers = []
    for line in lines:
        if line.pk in taken:
            continue
        if line.outcome in CARRY_OVER_OUTCOMES:
            kind, reason = _outcome_reason(line, year)
        else:
            kind, reason = UNFINISHED, notes.get(line.pk, "")
        offers.append(Offer(line=line, kind=kind, reason=reason))
    return offers


def carry_over_candidates(plan: VillagePlan) -> list[ProposalLine]:
    """Lines of the previous plan that were not funded, were deferred or that a registered
    source offers (unfinished works), not yet carried over."""
    return [offer.line for offer in carry_over_offers(plan)]


@dataclass
class Candidate:
    """A line of last year's plan as it would be carried into ``plan``: the ``values`` of the
    new line, what was adjusted (``notes``) and, if it cannot be carried, why (``problems``)."""

    line: ProposalLine
    reason: str = ""
    """Why the line is offered ("not funded in 2026", "work in progress, 40% done")."""
    kind: str = UNFUNDED
    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class CarriedOver:
    lines: list[ProposalLine]
    notes: list[str]


def _move_month(day: datetime.date, year: int) -> datetime.date:
    return day.replace(year=year, day=1)


def _lead(old: ProposalLine) -> dict[str, Any]:
    return {"number": old.number, "year": old.plan.round.plan_year, "activity": old.activity}


def _problem(old: ProposalLine, error: ApplicationError) -> str:
    """The rule's problem said for a line of last year's plan."""
    name = error.where.field or ""
    if error.code == "sector_invalid" and old.sector_id:
        text = _("the sector “%(sector)s” is no longer in use.") % {"sector": old.sector.name}
    elif error.code == "unit_invalid" and old.unit_id:
        text = _("the unit “%(unit)s” is no longer in use.") % {"unit": old.unit.name}
    else:
        text = getattr(error, "detail", "") or error.message
    if name in LINE_FIELDS:
        where = _("Line %(number)s of the %(year)s plan (“%(activity)s”), %(field)s:") % {
            **_lead(old),
            "field": field_label(name),
        }
    else:
        where = _("Line %(number)s of the %(year)s plan (“%(activity)s”):") % _lead(old)
    return " ".join(
        [
            where,
            text,
            _("It cannot be carried over; add it again as a new proposal if it is still needed."),
        ]
    )


def _prepare(plan: VillagePlan, offer: Offer) -> Candidate:
    year = plan.round.plan_year
    old = offer.line
    candidate = Candidate(line=old, reason=offer.reason, kind=offer.kind)
    values = {name: getattr(old, name) for name in LINE_FIELDS}
    values["start_month"] = _move_month(old.start_month, year)
    values["end_month"] = _move_month(old.end_month, year)
    if values["end_month"] < values["start_month"]:
        values["end_month"] = values["start_month"].replace(month=12)
    values["priority"] = None
    source = values["proposed_source"]
    if source is not None and not source.is_active_for_year(year):
        values["proposed_source"] = None
        candidate.notes.append(
            _(
                "Line %(number)s of the %(year)s plan (“%(activity)s”): the proposed source "
                "“%(source)s” is not in use in %(new_year)s, so the line is carried over "
                "without a source; choose another one."
            )
            % {**_lead(old), "source": source.code, "new_year": year}
        )
    try:
        candidate.values = validate_line(plan.round, old.number, values)
    except ApplicationErrors as exc:
        candidate.problems = [_problem(old, error) for error in exc.errors]
    return candidate


def carry_over_preview(plan: VillagePlan) -> list[Candidate]:
    """Every candidate line with what carrying it over would do (shown before choosing)."""
    return [_prepare(plan, offer) for offer in carry_over_offers(plan)]


def _chosen(actor: Any, plan: VillagePlan, line_uids: list[str]) -> list[Candidate]:
    """The checks of a carry-over, shared by ``carry_over`` and ``carry_over_check``: the
    actor may edit the draft plan (locked when inside ``carry_over``'s transaction), at least
    one line is chosen, each is offered (else not found) and each passes this year's rules
    (else every problem, nothing saved); the chosen candidates in last year's order."""
    require_editable(actor, plan)  # locks the plan row and reads its status under the lock
    if not line_uids:
        raise ApplicationError("nothing_chosen", _("Choose at least one proposal to carry over."))
    offers = {str(offer.line.uid): offer for offer in carry_over_offers(plan)}
    wanted = {str(uid) for uid in line_uids}
    if wanted - set(offers):
        raise NotFoundError()
    chosen = [_prepare(plan, offer) for uid, offer in offers.items() if uid in wanted]
    refused = [
        ApplicationError("carry_over_refused", problem, Where(field="lines"))
        for candidate in chosen
        for problem in candidate.problems
    ]
    if refused:
        raise ApplicationErrors(refused)
    return chosen


def carry_over_check(*, actor: Any, plan: VillagePlan, line_uids: list[str]) -> list[Candidate]:
    """What ``carry_over`` would do with these lines, checked by the same rules, writing and
    locking nothing (the API's dry run): the candidates it would copy, with their notes; the
    same errors it would raise."""
    return _chosen(actor, plan, line_uids)


@transaction.atomic
def carry_over(*, actor: Any, plan: VillagePlan, line_uids: list[str]) -> CarriedOver:
    """Copy the chosen lines into ``plan``, keeping the link to where each came from, each
    checked by the rules of the new plan year (see the module's description). Exactly the
    chosen lines, each once, in the order of last year's plan. All or nothing: if one chosen
    line cannot be carried, nothing is saved and the error names it. Returns the new lines and
    the notes the user must act on: an unfinished work (its quantity and cost are last year's,
    to be set to what remains) and what was adjusted (a source left empty)."""
    chosen = _chosen(actor, plan, line_uids)
    number = ProposalLine.objects.filter(plan=plan).aggregate(m=Max("number"))["m"] or 0
    created = []
    notes: list[str] = []
    for candidate in chosen:
        number += 1
        line = ProposalLine.objects.create(
            plan=plan, number=number, origin=candidate.line, **candidate.values
        )
        record_create(actor, plan, line, [*AUDIT_FIELDS, "origin"])
        created.append(line)
        if candidate.kind == UNFINISHED:
            notes.append(
                _(
                    "Line %(number)s of the %(year)s plan (“%(activity)s”): %(note)s. "
                    "Set its quantity and cost to what remains to be done."
                )
                % {**_lead(candidate.line), "note": candidate.reason}
            )
        notes.extend(candidate.notes)
    return CarriedOver(lines=created, notes=notes)
