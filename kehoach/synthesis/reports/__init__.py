"""Report generators of the commune plan: the financial plan by source (F12) and the province
roll-ups (F18). Each class knows its rows; formatters (the HTML pages now, the workbooks and
documents later) render them (style.md §10). Roll-ups are a fixed number of aggregate queries
over the province's subtree, whatever the number of communes.
"""

from .finance import (
    ContributionParts,
    FinanceRow,
    FinancialPlan,
    SourceCheck,
    contribution_parts,
    financial_plan,
    line_contribution_parts,
)
from .programme import ProgrammeRollup, ProgrammeRow, programme_rollup
from .rollup import CommuneRow, Rollup, province_rollup, rollup_years

__all__ = [
    "CommuneRow",
    "ContributionParts",
    "FinanceRow",
    "FinancialPlan",
    "ProgrammeRollup",
    "ProgrammeRow",
    "Rollup",
    "SourceCheck",
    "contribution_parts",
    "financial_plan",
    "line_contribution_parts",
    "programme_rollup",
    "province_rollup",
    "rollup_years",
]
