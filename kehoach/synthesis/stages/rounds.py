"""A commune's rounds seen by its planning officer (village plans, deadlines, the steps of the
commune plan) and by its leader (commune plans a step of theirs may move, meetings waiting for
acceptance). A fixed number of grouped queries for any number of communes, villages and plans."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from kehoach.approvals.models import Version
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, VillageMeeting, VillagePlan
from kehoach.plans.services.meeting import MeetingResult, meeting_result

from ..choices import CommunePlanStatus as S
from ..choices import Decision, LineState
from ..guards import OPEN_STATES
from ..models import CommuneLine, CommunePlan, Envelope
from ..services.workflow import CONFERENCE, DISTRICT_REVIEW, steps_of
from .common import (
    APPROVED_OR_LATER,
    FOLLOWED,
    SUBMITTED_OR_LATER,
    Due,
    due,
)
from .villages import VillagePlanRow, plan_rows, with_line_counts


@dataclass
class Step:
    """One step of the commune plan in its round: done, or the next one to do (the page that
    shows it adds its label and link)."""

    code: str
    done: bool
    current: bool = False
    label: str = ""
    url: str = ""


@dataclass
class RoundProgress:
    round: PlanningRound
    commune_plan: CommunePlan | None
    envelope_published: bool
    rows: list[VillagePlanRow]
    missing: list[AdministrativeUnit]
    counts: dict[str, int]
    dues: list[Due]
    steps: list[Step]
    lines_active: int = 0
    lines_decided: int = 0
    sent_since_synthesis: int = 0

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if s.current), None)

    @property
    def villages(self) -> int:
        return len(self.rows) + len(self.missing)

    @property
    def returned(self) -> bool:
        return self.commune_plan is not None and self.commune_plan.status == S.RETURNED


@dataclass
class CommuneRounds:
    """A commune of the user: its rounds in preparation, those being carried out, and whether
    next year's round is still to be opened."""

    commune: AdministrativeUnit
    preparing: list[RoundProgress] = field(default_factory=list)
    followed: list[PlanningRound] = field(default_factory=list)
    next_year: int | None = None


def _steps(
    plan: CommunePlan | None, round_: PlanningRound, envelope: bool, decided: bool
) -> list[Step]:
    status = plan.status if plan else None
    optional = steps_of(round_.profile)
    steps = [
        Step("envelope", envelope),
        Step("synthesis", bool(plan and plan.synthesised_at)),
        Step("allocation", decided),
    ]
    if CONFERENCE in optional:
        steps.append(Step("conference", status in SUBMITTED_OR_LATER | {S.CONFERENCE}))
    steps.append(Step("submit", status in SUBMITTED_OR_LATER))
    if DISTRICT_REVIEW in optional:
        steps.append(Step("district_review", status in APPROVED_OR_LATER | {S.DISTRICT_REVIEWED}))
    steps += [Step("approve", status in APPROVED_OR_LATER), Step("publish", status in FOLLOWED)]
    for step in steps:
        if not step.done:
            step.current = True
            break
    return steps


def _decided(plan_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Active lines and those with a decision and a reason (R22), per commune plan."""
    if not plan_ids:
        return {}
    undecided = Q(decision=Decision.PENDING) | Q(decision_reason__regex=r"^\s*$")
    rows = (
        CommuneLine.objects.filter(plan_id__in=plan_ids, state=LineState.ACTIVE)
        .values("plan_id")
        .annotate(total=Count("id"), undecided=Count("id", filter=undecided))
        .order_by()
    )
    return {r["plan_id"]: (r["total"], r["total"] - r["undecided"]) for r in rows}


def _progress(
    round_: PlanningRound,
    plans: list[VillagePlan],
    villages: list[AdministrativeUnit],
    commune_plan: CommunePlan | None,
    envelope: bool,
    lines: tuple[int, int],
    today: datetime.date,
) -> RoundProgress:
    rows = plan_rows(plans, {round_.pk: commune_plan} if commune_plan else {}, today)
    have = {p.village_id for p in plans}
    missing = [v for v in villages if v.pk not in have]
    counts = Counter(
        "not_started" if p.status == PlanStatus.DRAFT and not p.n_lines else p.status  # type: ignore[attr-defined]
        for p in plans
    )
    counts["missing"] = len(missing)
    status = commune_plan.status if commune_plan else None
    waiting = counts["not_started"] + counts[PlanStatus.DRAFT] + counts[PlanStatus.RETURNED]
    amendment = bool(commune_plan and commune_plan.is_amendment)
    dues = [
        due(kind, day, today=today, done=done or amendment)
        for kind, day, done in (
            ("proposals", round_.proposals_due, waiting + len(missing) == 0),
            ("synthesis", round_.synthesis_due, status in SUBMITTED_OR_LATER),
            ("approval", round_.approval_due, status in APPROVED_OR_LATER),
        )
    ]
    synthesised = commune_plan.synthesised_at if commune_plan else None
    return RoundProgress(
        round=round_,
        commune_plan=commune_plan,
        envelope_published=envelope,
        rows=rows,
        missing=missing,
        counts=dict(counts),
        dues=[d for d in dues if d is not None],
        steps=_steps(commune_plan, round_, envelope, lines[0] > 0 and lines[0] == lines[1]),
        lines_active=lines[0],
        lines_decided=lines[1],
        sent_since_synthesis=sum(
            1
            for p in plans
            if p.status == PlanStatus.SUBMITTED
            and p.submitted_at
            and (synthesised is None or p.submitted_at > synthesised)
        ),
    )


def commune_rounds(
    communes: list[AdministrativeUnit], *, today: datetime.date
) -> list[CommuneRounds]:
    """Each commune's rounds in preparation with their village plans, deadlines and the steps
    of the commune plan; rounds being carried out; next year's round if still missing. Five
    queries for any number of communes, villages and plans."""
    if not communes:
        return []
    published = Version.objects.filter(plan_uid=OuterRef("commune_plan__uid"))
    rounds = list(
        PlanningRound.objects.filter(commune__in=communes)
        .select_related("commune", "profile", "commune_plan")
        .annotate(
            has_published=Exists(published.filter(published_at__isnull=False)),
            envelope_published=Exists(
                Envelope.objects.filter(round=OuterRef("pk"), published_at__isnull=False)
            ),
        )
        .order_by("-plan_year")
    )
    preparing = []
    for round_ in rounds:
        plan = getattr(round_, "commune_plan", None)
        if plan is not None:
            plan.has_published = round_.has_published
        if plan is None or plan.status not in FOLLOWED | {S.CLOSED}:
            preparing.append(round_)
    plans_by_round: dict[int, list[VillagePlan]] = {}
    if preparing:
        for village_plan in (
            with_line_counts(VillagePlan.objects.filter(round__in=preparing))
            .select_related("village", "round")
            .order_by("village__sort_key", "village__code")
        ):
            plans_by_round.setdefault(village_plan.round_id, []).append(village_plan)
    villages_by_commune: dict[int, list[AdministrativeUnit]] = {}
    if preparing:
        for village in AdministrativeUnit.objects.filter(
            parent__in={r.commune_id for r in preparing}, level=Level.VILLAGE
        ).current():
            villages_by_commune.setdefault(village.parent_id or 0, []).append(village)
    decided = _decided(
        [r.commune_plan.pk for r in preparing if getattr(r, "commune_plan", None) is not None]
    )
    by_commune = {c.pk: CommuneRounds(commune=c) for c in communes}
    for round_ in rounds:
        entry = by_commune[round_.commune_id]
        plan = getattr(round_, "commune_plan", None)
        if round_ in preparing:
            entry.preparing.append(
                _progress(
                    round_,
                    plans_by_round.get(round_.pk, []),
                    villages_by_commune.get(round_.commune_id, []),
                    plan,
                    round_.envelope_published,
                    decided.get(plan.pk, (0, 0)) if plan else (0, 0),
                    today,
                )
            )
        elif plan is not None and plan.status in FOLLOWED:
            entry.followed.append(round_)
    for entry in by_commune.values():
        next_year = today.year + 1
        if entry.commune.valid_to is None and not any(
            r.plan_year >= next_year for r in rounds if r.commune_id == entry.commune.pk
        ):
            entry.next_year = next_year
    return [by_commune[c.pk] for c in communes]


# --- what waits for the commune leader ----------------------------------------------------


def commune_plans_of(communes: list[AdministrativeUnit]) -> list[CommunePlan]:
    """The commune plans of these communes that are not closed, newest plan year first."""
    if not communes:
        return []
    return list(
        CommunePlan.objects.filter(round__commune__in=communes)
        .exclude(status=S.CLOSED)
        .select_related("round", "round__commune", "round__profile")
        .order_by("-round__plan_year", "round__commune__sort_key")
    )


@dataclass
class MeetingToAccept:
    plan: VillagePlan
    result: MeetingResult


def meetings_short_of_quorum(communes: list[AdministrativeUnit]) -> list[MeetingToAccept]:
    """Draft village plans whose recorded meeting falls short of the quorum or the approval
    (R9) and that nobody has accepted yet, in rounds still open to the villages: the commune
    leader may accept them with a reason (``plans.services.workflow.plan_accept_meeting``)."""
    if not communes:
        return []
    open_round = Q(plan__round__commune_plan__isnull=True) | Q(
        plan__round__commune_plan__status__in=OPEN_STATES
    )
    meetings = (
        VillageMeeting.objects.filter(
            open_round,
            plan__round__commune__in=communes,
            plan__status=PlanStatus.DRAFT,
            plan__quorum_override_reason="",
        )
        .select_related("plan", "plan__village", "plan__round", "plan__round__profile")
        .order_by("-plan__round__plan_year", "plan__village__sort_key")
    )
    found = []
    for meeting in meetings:
        result = meeting_result(meeting, meeting.plan.round.profile)
        if not (result.quorate and result.approved):
            found.append(MeetingToAccept(plan=meeting.plan, result=result))
    return found
