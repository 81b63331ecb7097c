"""Planning rounds and village plans (VDP): basic information F1, PRA outputs F2, findings
F3/F4, ranking F5, proposals F6, meeting F8.

Amounts are Decimal million VND (``*_mvnd``). Percentages are never stored: they are computed
from their numerator and denominator (R27). Every write goes through ``services``.

One module per part of the plan: ``rounds`` (rounds and village plans), ``info`` (F1),
``findings`` (F3–F5), ``meeting`` (F8), ``lines`` (F6) and ``pra`` (F2), with the number
fields' arguments in ``fields``; every model is importable from ``kehoach.plans.models``.
"""

from __future__ import annotations

# The models register in the order they had when they were one module.
# isort: off
from .rounds import PlanningRound, VillagePlan
from .info import BasicInfo, EthnicGroup
from .findings import Problem, RankingItem, Solution, SwotEntry
from .meeting import Attendee, VillageMeeting, is_ethnic_minority
from .lines import ProposalLine, ProposalLineQuerySet
from .pra import PraOutput, PraPhoto

# isort: on

__all__ = [
    "Attendee",
    "BasicInfo",
    "EthnicGroup",
    "PlanningRound",
    "PraOutput",
    "PraPhoto",
    "Problem",
    "ProposalLine",
    "ProposalLineQuerySet",
    "RankingItem",
    "Solution",
    "SwotEntry",
    "VillageMeeting",
    "VillagePlan",
    "is_ethnic_minority",
]
