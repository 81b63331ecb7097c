"""The rules of one envelope line, pure: no actor, no write, no lock (issue 14).

``clean_envelope_line`` gives the clean values, the villages chosen and the problems found;
``validate_envelope_line`` only the problems. The page, the F11 workbook's check and the batch
writer ask the same function, so a preview and a save never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kehoach.catalog.choices import ExpenditureType, FundingKind
from kehoach.catalog.models import FundingSource, Sector
from kehoach.core import bounds
from kehoach.core.errors import NotFoundError, Where
from kehoach.core.text import nfc
from kehoach.core.validation import Problem
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import PlanningRound

from ...choices import AreaScope, EnvelopeOrigin, Firmness, VillageFlag
from ...models import EnvelopeLine
from ..common import money
from ..eligibility import keywords

FIELDS = [
    "source",
    "sector",
    "expenditure_type",
    "content",
    "activity_keywords",
    "amount_mvnd",
    "firmness",
    "counterpart_share_pct",
    "area_scope",
    "area_flags",
    "notes",
]
AUDIT_FIELDS = ["number", "origin", *FIELDS]
FUNDING_FIELDS = [
    "source",
    "sector",
    "expenditure_type",
    "activity_keywords",
    "amount_mvnd",
    "counterpart_share_pct",
    "area_scope",
    "area_flags",
]
"""Fields whose change takes back the funding drawn from the line; the eligible activities only
when they match differently (retyping "duong" as "đường" keeps the funding)."""

PROVINCE_KINDS = frozenset(
    {
        FundingKind.PROVINCIAL_BUDGET,
        FundingKind.NATIONAL_TARGET_PROGRAMME,
        FundingKind.PROGRAMME,
    }
)
"""Money that only the province enters for a commune [I]: provincial budget and programmes.
The commune enters its own budget, donors' and enterprises' money, credit and other sources."""


@dataclass(frozen=True)
class EnvelopeLineContext:
    """What judging one envelope line needs: the round (its year and commune), the line's
    number (for the messages) and its origin (province or commune)."""

    round_: PlanningRound
    number: int
    origin: str


def _label(name: str) -> str:
    field = EnvelopeLine._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _problem(number: int, field: str, code: str, text: str) -> Problem:
    return Problem(
        code,
        _("Envelope line %(number)s, %(field)s: %(problem)s")
        % {"number": number, "field": _label(field), "problem": text},
        Where(field=field),
    )


def clean_envelope_line(
    context: EnvelopeLineContext, data: dict[str, Any]
) -> tuple[dict[str, Any], list[AdministrativeUnit], list[Problem]]:
    """The clean values of one envelope line (``data["area_villages"]``: the villages ticked),
    the eligible villages and the problems. A village outside the commune is refused as not
    found (only a forged request names one)."""
    round_, number, origin = context.round_, context.number, context.origin
    problems: list[Problem] = []
    values: dict[str, Any] = {
        "sector": None,
        "expenditure_type": "",
        "content": "",
        "activity_keywords": "",
        "firmness": Firmness.INDICATIVE,
        "counterpart_share_pct": None,
        "area_scope": AreaScope.ALL,
        "area_flags": [],
        "notes": "",
        **data,
    }
    villages = values.pop("area_villages", None)
    year = round_.plan_year
    values["content"] = "\n".join(nfc(x) for x in str(values["content"] or "").splitlines()).strip()
    values["notes"] = nfc(values.get("notes") or "")
    out_of_bounds = bounds.errors_for(
        EnvelopeLine,
        values,
        lambda field, code, text: _problem(number, field, code, text),
        ("amount_mvnd", "content", "notes", "activity_keywords"),
    )
    if out_of_bounds:
        return values, [], out_of_bounds
    source = values.get("source")
    if not isinstance(source, FundingSource):
        problems.append(
            _problem(number, "source", "source_required", _("choose a programme or source."))
        )
    elif not source.is_active_for_year(year):
        problems.append(
            _problem(
                number,
                "source",
                "source_inactive",
                _("the source “%(source)s” is not in use in %(year)s; choose another.")
                % {"source": source.code, "year": year},
            )
        )
    elif source.kind == FundingKind.COMMUNITY or not source.is_external:
        problems.append(
            _problem(
                number,
                "source",
                "source_is_contribution",
                _(
                    "the community's contribution is written on each proposal, not in the "
                    "envelope; choose a source of external support."
                ),
            )
        )
    elif origin == EnvelopeOrigin.COMMUNE and source.kind in PROVINCE_KINDS:
        problems.append(
            _problem(
                number,
                "source",
                "source_for_province",
                _(
                    "“%(source)s” is money the province notifies; the provincial finance "
                    "department enters it. The commune enters its own budget and other sources."
                )
                % {"source": source.code},
            )
        )
    sector = values.get("sector")
    if sector is not None and (not isinstance(sector, Sector) or not sector.is_active):
        problems.append(
            _problem(number, "sector", "sector_invalid", _("choose a sector from the list."))
        )
    if values["expenditure_type"] not in ("", *ExpenditureType.values):
        problems.append(
            _problem(number, "expenditure_type", "type_invalid", _("choose a type from the list."))
        )
    if values["firmness"] not in Firmness.values:
        problems.append(
            _problem(number, "firmness", "firmness_invalid", _("choose a firmness from the list."))
        )
    amount = values.get("amount_mvnd")
    if amount is None:
        problems.append(_problem(number, "amount_mvnd", "amount_required", _("enter the amount.")))
    elif Decimal(amount) < 0:
        problems.append(
            _problem(number, "amount_mvnd", "amount_negative", _("the amount cannot be negative."))
        )
    else:
        values["amount_mvnd"] = money(Decimal(amount))
    share = values.get("counterpart_share_pct")
    if share is not None:
        try:
            share = Decimal(share)
        except (InvalidOperation, TypeError, ValueError):
            share = Decimal(-1)
        if not share.is_finite() or not Decimal(0) <= share <= Decimal(100):
            problems.append(
                _problem(
                    number,
                    "counterpart_share_pct",
                    "share_range",
                    _("enter a percentage from 0 to 100, or leave it empty."),
                )
            )
        values["counterpart_share_pct"] = share
    scope = values.get("area_scope")
    chosen: list[AdministrativeUnit] = []
    if scope not in AreaScope.values:
        problems.append(
            _problem(number, "area_scope", "scope_invalid", _("choose an area from the list."))
        )
    elif scope == AreaScope.LISTED:
        chosen = list(villages or [])
        if not chosen:
            problems.append(
                _problem(
                    number,
                    "area_villages",
                    "villages_required",
                    _("tick the villages where this money may be spent."),
                )
            )
        elif any(v.parent_id != round_.commune_id for v in chosen):
            raise NotFoundError()
    elif scope == AreaScope.FLAGGED:
        flags = [f for f in (values.get("area_flags") or []) if f in VillageFlag.values]
        if not flags:
            problems.append(
                _problem(
                    number,
                    "area_flags",
                    "flags_required",
                    _("tick at least one kind of village this money is for."),
                )
            )
        values["area_flags"] = sorted(set(flags))
    if scope != AreaScope.FLAGGED:
        values["area_flags"] = []
    values["activity_keywords"] = ", ".join(keywords(values.get("activity_keywords") or ""))
    return {k: values.get(k) for k in FIELDS}, chosen, problems


def validate_envelope_line(context: EnvelopeLineContext, data: dict[str, Any]) -> list[Problem]:
    """The problems of one envelope line (``data["area_villages"]``: the villages ticked)."""
    return clean_envelope_line(context, data)[2]
