"""The commune plan of a round: one line per submitted proposal and its trace
(``LineSource``), the allocation, the approved version with its snapshot, the publication (the
outcome of every proposal) and the progress of the funded works."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from kehoach.approvals.models import Version
from kehoach.plans.choices import LineOutcome
from kehoach.plans.models import PlanningRound, ProposalLine
from kehoach.synthesis.choices import CommunePlanStatus, Decision
from kehoach.synthesis.models import (
    CommuneLine,
    CommunePlan,
    Envelope,
    EnvelopeLine,
    LineFunding,
    LineSource,
)
from kehoach.synthesis.services.lines.values import fingerprint

from ..content import person
from ..snapshot import memory_snapshot
from ..write import make
from .common import (
    APPROVED,
    COMMUNE_PLAN_LABEL,
    PUBLISHED,
    SYNTHESISED,
    Run,
    aware,
    before,
    new_uid,
    status_change,
)
from .funding import allocate
from .progress import progress
from .tables import Tables

_WHOLE = Decimal("1.000000")
"""A share as its column gives it back (six places)."""


def commune_plan(
    run: Run,
    t: Tables,
    round_: PlanningRound,
    rng: random.Random,
    vlines: list[ProposalLine],
    stage: int,
    envelope: Envelope,
    pots: list[EnvelopeLine],
) -> None:
    user, year = run.user, round_.plan_year
    status = {
        SYNTHESISED: CommunePlanStatus.DRAFT,
        APPROVED: CommunePlanStatus.APPROVED,
        PUBLISHED: CommunePlanStatus.PUBLISHED,
    }[stage]
    plan = make(
        CommunePlan,
        uid=new_uid(rng),
        round=round_,
        status=status,
        synthesised_at=aware(before(datetime.date(year - 1, 10, 10), run.today)),
        synthesised_by=user,
        submitted_at=(
            aware(before(datetime.date(year - 1, 11, 20), run.today)) if stage >= APPROVED else None
        ),
    )
    t.commune_plans.append(plan)
    t.history.append(
        status_change(user, plan.uid, COMMUNE_PLAN_LABEL, "synthesise", "draft", "draft")
    )
    if stage >= APPROVED:
        t.history.append(
            status_change(user, plan.uid, COMMUNE_PLAN_LABEL, "submit", "draft", "submitted")
        )
        t.history.append(
            status_change(user, plan.uid, COMMUNE_PLAN_LABEL, "approve", "submitted", "approved")
        )
    if stage >= PUBLISHED:
        t.history.append(
            status_change(user, plan.uid, COMMUNE_PLAN_LABEL, "publish", "approved", "published")
        )
    ordered = sorted(
        vlines,
        key=lambda v: (v.sector.sort_order, v.sector.code, v.plan.village.sort_key, v.number),
    )
    lines = []
    sources = []
    for number, vline in enumerate(ordered, start=1):
        values = vline.__dict__
        line = make(
            CommuneLine,
            uid=new_uid(rng),
            plan=plan,
            number=number,
            share=_WHOLE,
            village_priority=vline.priority,
            expenditure_type=vline.sector.default_expenditure,
            sector=vline.sector,
            unit=vline.unit,
            proposed_source=vline.proposed_source,
            **{name: values[name] for name in _VALUE_ATTNAMES},
        )
        lines.append(line)
        sources.append(
            make(
                LineSource,
                line=line,
                village_line=vline,
                share=_WHOLE,
                fingerprint=fingerprint(vline),
            )
        )
    t.commune_lines.extend(lines)
    t.sources.extend(sources)
    funding: dict[int, list[LineFunding]] = {}
    if stage >= APPROVED or rng.random() < 0.5:
        funding = allocate(run, t, rng, lines, pots, year)
    if stage >= APPROVED:
        data = memory_snapshot(plan, list(zip(lines, sources, strict=True)), funding, pots)
        t.versions.append(_version(run, rng, plan, data, published=stage >= PUBLISHED))
    if stage >= PUBLISHED:
        for source in sources:
            source.village_line.outcome = _OUTCOMES[source.line.decision]
        if year <= run.today.year and lines:
            progress(run, t, rng, lines, funding)


_VALUE_ATTNAMES = [
    f.attname
    for f in ProposalLine._meta.concrete_fields
    if f.name
    in {
        "activity",
        "location",
        "quantity",
        "start_month",
        "end_month",
        "total_cost_mvnd",
        "contribution_mvnd",
        "contribution_cash_mvnd",
        "contribution_labour_days",
        "contribution_labour_mvnd",
        "contribution_materials_mvnd",
        "contribution_land_m2",
        "external_support_mvnd",
        "beneficiary_households",
        "beneficiary_poor",
        "beneficiary_em",
        "implementation_mode",
        "notes",
    }
]


_OUTCOMES: dict[str, str] = {
    Decision.FUNDED: LineOutcome.FUNDED,
    Decision.UNFUNDED: LineOutcome.UNFUNDED,
    Decision.DEFERRED: LineOutcome.DEFERRED,
    Decision.PENDING: LineOutcome.PENDING,
}


def _version(
    run: Run, rng: random.Random, plan: CommunePlan, data: dict[str, Any], *, published: bool
) -> Version:
    """Version 1, approved by the commune council's resolution in December of the year before
    (never after today), published five days later when the stage says so."""
    year = plan.round.plan_year
    resolution_date = before(datetime.date(year - 1, 12, rng.randint(1, 20)), run.today)
    return make(
        Version,
        plan_uid=plan.uid,
        subject_label=COMMUNE_PLAN_LABEL,
        number=1,
        is_amendment=False,
        resolution_number=f"{rng.randint(10, 60)}/NQ-HĐND",
        resolution_date=resolution_date,
        signer=f"{person(rng, woman=rng.random() < 0.3)}, Chủ tịch HĐND xã",
        approved_by=run.user,
        published_at=(
            aware(before(resolution_date + datetime.timedelta(days=5), run.today))
            if published
            else None
        ),
        data=data,
    )
