"""The money of a round: its envelope (F11) and the decisions of an allocation by priority
against it, with the funding of each funded line."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from kehoach.plans.models import PlanningRound, ProposalLine
from kehoach.synthesis.choices import Decision, DecisionOrigin, EnvelopeOrigin, Firmness
from kehoach.synthesis.models import CommuneLine, Envelope, EnvelopeLine, LineFunding

from ..content import DECISION_REASONS
from ..write import make
from .common import MILLI, ONE, SYNTHESISED, Run, aware, before, new_uid
from .tables import Tables


def envelope_of(
    run: Run,
    t: Tables,
    round_: PlanningRound,
    rng: random.Random,
    lines: list[ProposalLine],
    stage: int,
) -> tuple[Envelope, list[EnvelopeLine]]:
    """F11: between 45 and 75 % of the support the villages ask for, from the national target
    programme (or the province when the programme is not in use that year), the province and
    the commune's own budget."""
    sources = run.catalog.sources
    year = round_.plan_year
    envelope = make(Envelope, uid=new_uid(rng), round=round_)
    t.envelopes.append(envelope)
    asked = sum((line.external_support_mvnd for line in lines), Decimal(0))
    total = (asked * rng.randint(45, 75) / 100).quantize(ONE, ROUND_DOWN)
    programme = sources["NTP26"] if sources["NTP26"].is_active_for_year(year) else sources["LG"]
    parts = [
        (programme, EnvelopeOrigin.PROVINCE, Firmness.INDICATIVE, Decimal("0.5")),
        (sources["NS-T"], EnvelopeOrigin.PROVINCE, Firmness.NOTIFIED, Decimal("0.25")),
        (sources["NS-X"], EnvelopeOrigin.COMMUNE, Firmness.NOTIFIED, Decimal("0.25")),
    ]
    pots = []
    for number, (source, origin, firmness, part) in enumerate(parts, start=1):
        pot = make(
            EnvelopeLine,
            uid=new_uid(rng),
            envelope=envelope,
            number=number,
            origin=origin,
            source=source,
            amount_mvnd=(total * part).quantize(ONE, ROUND_DOWN).quantize(MILLI),
            firmness=firmness,
            content=f"Hỗ trợ thực hiện kế hoạch phát triển kinh tế - xã hội năm {year}",
        )
        pots.append(pot)
    t.envelope_lines.extend(pots)
    if stage >= SYNTHESISED or rng.random() < 0.5:
        envelope.published_at = aware(before(datetime.date(year - 1, 7, 1), run.today))
        envelope.published_by = run.user
        t.envelopes_to_publish.append((envelope, pots))
    return envelope, pots


def allocate(
    run: Run,
    t: Tables,
    rng: random.Random,
    lines: list[CommuneLine],
    pots: list[EnvelopeLine],
    year: int,
) -> dict[int, list[LineFunding]]:
    """Decisions by priority: each line, best priority first, is funded from the first
    envelope line that still holds its whole support; otherwise it stays in the plan unfunded
    (priority 1 or 2) or is deferred to the next year."""
    left = {id(pot): pot.amount_mvnd for pot in pots}
    funding: dict[int, list[LineFunding]] = defaultdict(list)
    decided_at = aware(before(datetime.date(year - 1, 11, 5), run.today))
    for line in sorted(lines, key=lambda x: (x.village_priority or 9, x.number)):
        need = line.external_support_mvnd
        pot = next((p for p in pots if left[id(p)] >= need), None) if need else None
        if need == 0 or pot is not None:
            line.decision = Decision.FUNDED
            if pot is not None:
                left[id(pot)] -= need
                row = make(LineFunding, line=line, envelope_line=pot, amount_mvnd=need)
                t.funding.append(row)
                funding[id(line)].append(row)
        elif (line.village_priority or 9) <= 2:
            line.decision = Decision.UNFUNDED
        else:
            line.decision = Decision.DEFERRED
        line.decision_origin = DecisionOrigin.ALLOCATION
        line.decision_reason = rng.choice(DECISION_REASONS[line.decision])
        line.decided_by = run.user
        line.decided_at = decided_at
    return funding
