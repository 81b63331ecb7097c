"""The values of a proposal line as the services name them: the fields in the F6 form's order,
those the history records, the defaults of an empty cell or field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...choices import ImplementationMode
from ...line_values import MONEY_FIELDS as LINE_MONEY_FIELDS
from ...line_values import PROPOSAL_LINE_FIELDS
from ...models import ProposalLine

LINE_FIELDS = list(PROPOSAL_LINE_FIELDS)
"""The values of a proposal, in the F6 form's order (derived from ``plans.line_values``)."""
AUDIT_FIELDS = ["number", *LINE_FIELDS]
MONEY_FIELDS = list(LINE_MONEY_FIELDS)
MODES = frozenset(ImplementationMode.values)
NON_NEGATIVE_FIELDS = [*MONEY_FIELDS, "contribution_labour_days", "contribution_land_m2"]
DEFAULTS: dict[str, Any] = {
    "location": "",
    "contribution_mvnd": Decimal(0),
    "contribution_cash_mvnd": Decimal(0),
    "contribution_labour_days": Decimal(0),
    "contribution_labour_mvnd": Decimal(0),
    "contribution_materials_mvnd": Decimal(0),
    "contribution_land_m2": Decimal(0),
    "external_support_mvnd": Decimal(0),
    "proposed_source": None,
    "beneficiary_households": 0,
    "beneficiary_poor": 0,
    "beneficiary_em": 0,
    "implementation_mode": ImplementationMode.COMMUNITY,
    "priority": None,
    "notes": "",
}


def field_label(name: str) -> str:
    field = ProposalLine._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def line_values(line: ProposalLine) -> dict[str, Any]:
    """A saved line's values, by the names of ``LINE_FIELDS``."""
    return {name: getattr(line, name) for name in LINE_FIELDS}
