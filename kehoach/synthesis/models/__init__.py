"""The commune side of a planning round: the resource envelope (F11), the commune plan and its
lines (F9) with links to the village lines they came from (R12), scores (F10), allocation
runs and the funding of each line (R16–R18), and the targets table (F16).

Amounts are Decimal million VND (``*_mvnd``). A commune line's amounts are derived from its
sources (village lines, times the share the line carries of each), so commune totals always
equal the village plans (R13); only lines that the commune's sectors and mass organisations
propose themselves (R14) carry their own amounts. Every write goes through ``services``.

One module per part: ``envelope`` (F11), ``plan`` (the commune plan), ``lines`` (F9: lines,
their sources and their funding), ``operations`` (merges and splits), ``allocation`` (runs),
``targets`` (F16) and ``summaries`` (the lines' totals that roll-ups read and the ranks the
plan page shows, issue 16), with the number fields' arguments in ``fields``; every model is
importable from ``kehoach.synthesis.models``.
"""

from __future__ import annotations

# The models register in the order they had when they were one module.
# isort: off
from .envelope import Envelope, EnvelopeLine, EnvelopeLineQuerySet
from .plan import CommunePlan
from .lines import CommuneLine, CommuneLineQuerySet, LineFunding, LineSource
from .operations import SynthesisOperation
from .allocation import AllocationResult, AllocationRun
from .targets import TargetValue
from .summaries import LineSummary, PlanRanks, PlanSummary, PublishedState

# isort: on

__all__ = [
    "AllocationResult",
    "AllocationRun",
    "CommuneLine",
    "CommuneLineQuerySet",
    "CommunePlan",
    "Envelope",
    "EnvelopeLine",
    "EnvelopeLineQuerySet",
    "LineFunding",
    "LineSource",
    "LineSummary",
    "PlanRanks",
    "PlanSummary",
    "PublishedState",
    "SynthesisOperation",
    "TargetValue",
]
