"""Commune scoring (F10), the scores: each line's score with its breakdown, the commune's
rank; the planner's inputs (scores for the criteria only people can judge, rank changes with a
reason) are written by ``writers``.

The criteria and their weights come from the round's process profile (``scoring_criteria``).
Each criterion gives 0–5 points; the score is the weighted mean, 0–5. Five criteria are
computed from the lines (codes of the default profile):

- ``village_priority``: priority 1 of the village's scale gives 5 points, the lowest priority
  gives 5 / (number of levels); a line that is not a village priority gives 0;
- ``villages_proposing``: one point per proposing village, at most 5;
- ``beneficiaries``: up to 2.5 points for the number of beneficiary households (relative to the
  line of the plan with the most) and up to 2.5 for the share of poor or ethnic-minority
  households among them (the larger of the two shares);
- ``cost_per_beneficiary``: 5 points for the lowest cost per beneficiary household of the plan,
  less in proportion for dearer lines; 0 without beneficiaries;
- ``community_contribution``: 5 points for the line with the largest contribution share of the
  plan, less in proportion.

Every other criterion (new-rural criterion, urgency and safety, readiness, operation and
maintenance, and any a province adds) is scored 0–5 by the commune planner on the line.

Rank: by score (highest first), then village priority, then line number. A rank set by hand
moves the line to that position; it needs a reason, and both are recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from kehoach.catalog.models import bilingual_name
from kehoach.core.numbers import format_number_vi

from ...choices import LineState
from ...models import CommuneLine, CommunePlan, LineSource
from ..common import money_text

AUTO = ("village_priority", "villages_proposing", "beneficiaries", "cost_per_beneficiary",
        "community_contribution")  # fmt: skip
FIVE = Decimal(5)
TWO = Decimal("0.01")


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    weight: Decimal
    automatic: bool


@dataclass
class Point:
    criterion: Criterion
    points: Decimal
    basis: str


@dataclass
class LineScore:
    line: CommuneLine
    score: Decimal
    points: list[Point] = field(default_factory=list)
    computed_rank: int = 0
    rank: int = 0


def criteria_of(plan: CommunePlan, language: str | None = None) -> list[Criterion]:
    result = []
    for item in plan.round.profile.scoring_criteria or []:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            continue
        try:
            weight = Decimal(str(item.get("weight", 0)))
        except InvalidOperation:
            weight = Decimal(0)
        result.append(
            Criterion(
                code=item["code"],
                name=bilingual_name(
                    str(item.get("name") or item["code"]), str(item.get("name_en") or ""), language
                ),
                weight=weight,
                automatic=item["code"] in AUTO,
            )
        )
    return result


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def _pct(value: Decimal) -> str:
    return format_number_vi(value * 100, 0) + "%"


def _villages(line: CommuneLine) -> int:
    if line.organisation:
        return 0
    return len({s.village_line.plan.village_id for s in line.sources.all() if not s.withdrawn})


def _auto(
    code: str, line: CommuneLine, plan_max: dict[str, Decimal], levels: tuple[int, int]
) -> Point | None:
    lowest, highest = levels
    if code == "village_priority":
        p = line.village_priority
        if p is None:
            return Point(
                Criterion(code, "", Decimal(0), True), Decimal(0), _("not a village priority")
            )
        span = Decimal(highest - lowest + 1)
        points = FIVE * Decimal(highest - p + 1) / span
        return Point(
            Criterion(code, "", Decimal(0), True), points, _("village priority %(p)s") % {"p": p}
        )
    if code == "villages_proposing":
        n = _villages(line)
        basis = (
            _("proposed by %(org)s") % {"org": line.organisation}
            if line.organisation
            else (_("%(n)s village(s)") % {"n": n})
        )
        return Point(Criterion(code, "", Decimal(0), True), Decimal(min(n, 5)), basis)
    households = Decimal(line.beneficiary_households)
    if code == "beneficiaries":
        if not households:
            return Point(
                Criterion(code, "", Decimal(0), True), Decimal(0), _("no beneficiaries given")
            )
        most = plan_max["households"] or Decimal(1)
        share = max(Decimal(line.beneficiary_poor), Decimal(line.beneficiary_em)) / households
        points = Decimal("2.5") * households / most + Decimal("2.5") * min(share, Decimal(1))
        return Point(
            Criterion(code, "", Decimal(0), True),
            points,
            _("%(hh)s households, %(share)s poor or ethnic minority")
            % {"hh": format_number_vi(households), "share": _pct(share)},
        )
    if code == "cost_per_beneficiary":
        if not households:
            return Point(
                Criterion(code, "", Decimal(0), True), Decimal(0), _("no beneficiaries given")
            )
        cost = Decimal(line.total_cost_mvnd) / households
        cheapest = plan_max["cheapest"]
        points = FIVE * cheapest / cost if cost > 0 else FIVE
        return Point(
            Criterion(code, "", Decimal(0), True),
            points,
            _("%(cost)s million per household")
            % {"cost": money_text(cost.quantize(Decimal("0.001")))},
        )
    if code == "community_contribution":
        total = Decimal(line.total_cost_mvnd)
        share = Decimal(line.contribution_mvnd) / total if total else Decimal(0)
        best = plan_max["share"]
        points = FIVE * share / best if best else Decimal(0)
        return Point(
            Criterion(code, "", Decimal(0), True),
            points,
            _("community gives %(share)s") % {"share": _pct(share)},
        )
    return None


def _plan_max(lines: list[CommuneLine]) -> dict[str, Decimal]:
    households = [Decimal(x.beneficiary_households) for x in lines if x.beneficiary_households]
    costs = [
        Decimal(x.total_cost_mvnd) / Decimal(x.beneficiary_households)
        for x in lines
        if x.beneficiary_households and x.total_cost_mvnd > 0
    ]
    shares = [
        Decimal(x.contribution_mvnd) / Decimal(x.total_cost_mvnd)
        for x in lines
        if x.total_cost_mvnd > 0
    ]
    return {
        "households": max(households, default=Decimal(0)),
        "cheapest": min(costs, default=Decimal(0)),
        "share": max(shares, default=Decimal(0)),
    }


SCORED_FIELDS = (
    "plan", "number", "state", "organisation", "village_priority", "beneficiary_households",
    "beneficiary_poor", "beneficiary_em", "total_cost_mvnd", "contribution_mvnd",
    "manual_scores", "rank_override", "version",
)  # fmt: skip
"""What ``line_scores`` reads of a line."""


def lines_for_scoring(plan: CommunePlan) -> list[CommuneLine]:
    """The plan's active lines with only what ``line_scores`` reads (and their sources'
    villages), in two queries: the scoring grid answers every saved cell with every rank, so
    this read is on the path of each keystroke that leaves a cell."""
    sources = LineSource.objects.select_related("village_line__plan").only(
        "line", "withdrawn", "village_line__plan__village"
    )
    return list(
        plan.lines.filter(state=LineState.ACTIVE)
        .only(*SCORED_FIELDS)
        .prefetch_related(Prefetch("sources", queryset=sources))
        .order_by("number")
    )


def line_scores(plan: CommunePlan, lines: list[CommuneLine]) -> dict[int, LineScore]:
    """Score and rank every line given (the plan's active lines, sources prefetched)."""
    criteria = criteria_of(plan)
    profile = plan.round.profile
    levels = (profile.min_priority, profile.max_priority)
    maxima = _plan_max(lines)
    weights = sum((c.weight for c in criteria), Decimal(0)) or Decimal(1)
    result: dict[int, LineScore] = {}
    for line in lines:
        points: list[Point] = []
        total = Decimal(0)
        for criterion in criteria:
            point = _auto(criterion.code, line, maxima, levels) if criterion.automatic else None
            if point is None:
                value = (line.manual_scores or {}).get(criterion.code)
                given = Decimal(str(value)) if value is not None else Decimal(0)
                point = Point(
                    criterion,
                    given,
                    _("scored by the commune") if value is not None else _("not scored yet"),
                )
            point = Point(criterion, min(max(point.points, Decimal(0)), FIVE), point.basis)
            point.points = _q(point.points)
            points.append(point)
            total += criterion.weight * point.points
        result[line.pk] = LineScore(line=line, score=_q(total / weights), points=points)
    _rank(result)
    return result


def _rank(scores: dict[int, LineScore]) -> None:
    ordered = sorted(
        scores.values(),
        key=lambda s: (-s.score, s.line.village_priority or 99, s.line.number),
    )
    for position, item in enumerate(ordered, start=1):
        item.computed_rank = position
    moved = sorted(
        (s for s in ordered if s.line.rank_override),
        key=lambda s: (s.line.rank_override or 0, s.line.number),
    )
    final = [s for s in ordered if not s.line.rank_override]
    for item in moved:
        final.insert(min((item.line.rank_override or 1) - 1, len(final)), item)
    for position, item in enumerate(final, start=1):
        item.rank = position
