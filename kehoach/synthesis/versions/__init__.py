"""Snapshots of a commune plan (R23), the difference between two of them, and what each
village learns from one (F13).

A snapshot is plain JSON: the plan's heading, its lines (active ones, and merged and split ones
so that every village line can be followed), their amounts, decisions, reasons and funding, the
village lines each comes from, the envelope as published and the targets. It is what an
approved version keeps for ever (``approvals.Version.data``); the feedback to the villages and
the public pages read it, never the live plan, so that an amendment in preparation shows nowhere
until it is approved and published.

Shares of a merged line (F13). A commune line built from several village lines (a merge, or
a split part carrying shares of them) is funded as one work. Each village is told its own part
of every funding source: the source's amount divided between the village lines in proportion to
the external support each asked for within the line (the same sums the merge added up); a line
that asked for no support is divided in proportion to cost. Parts are rounded down to 0.001
million VND and the last village line of the line takes what rounding left, so the parts add up
to the line's funding exactly.
"""

from .diff import DIFF_FIELDS, Diff, LineChange, active_lines, field_label, versions_diff
from .fates import (
    OUTCOME_ORDER,
    Fate,
    dropped_fates,
    funding_parts,
    village_fates,
    village_line_outcomes,
    village_lines_in,
)
from .published import (
    dropped_reason,
    latest_version,
    version_amendment_reason,
    version_fates,
    village_feedback,
)
from .snapshot import SNAPSHOT_STATES, amendment_reason, plan_snapshot

__all__ = [
    "DIFF_FIELDS",
    "OUTCOME_ORDER",
    "SNAPSHOT_STATES",
    "Diff",
    "Fate",
    "LineChange",
    "active_lines",
    "amendment_reason",
    "dropped_fates",
    "dropped_reason",
    "field_label",
    "funding_parts",
    "latest_version",
    "plan_snapshot",
    "version_amendment_reason",
    "version_fates",
    "versions_diff",
    "village_fates",
    "village_feedback",
    "village_line_outcomes",
    "village_lines_in",
]
