"""F11: what its modules share — the form's fields, its lists, a change read from a row
and who may make it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kehoach.catalog.choices import FundingKind
from kehoach.catalog.models import FundingSource
from kehoach.core.errors import ApplicationError, Where
from kehoach.geo.models import AdministrativeUnit
from kehoach.synthesis.choices import EnvelopeOrigin, Firmness
from kehoach.synthesis.models import CommunePlan, EnvelopeLine
from kehoach.synthesis.permissions import may_edit_line
from kehoach.synthesis.services.envelope import PROVINCE_KINDS

from ... import choices as lists
from ..base import ReadingBase

FORM = "F11"
FORM_FIELDS = [
    "source",
    "sector",
    "content",
    "activity_keywords",
    "expenditure_type",
    "amount_mvnd",
    "counterpart_share_pct",
    "firmness",
    "notes",
]


def _lists(plan: CommunePlan, origin: str | None) -> dict[str, lists.Choices]:
    year = plan.round.plan_year
    sources = (
        FundingSource.objects.active_for_year(year)
        .filter(is_external=True)
        .exclude(kind=FundingKind.COMMUNITY)
    )
    if origin == EnvelopeOrigin.COMMUNE:
        sources = sources.exclude(kind__in=PROVINCE_KINDS)
    return {
        "envelope_sources": lists.sources(year, queryset=sources),
        "sectors": lists.sectors(),
        "expenditure": lists.expenditure(),
        "firmness": lists.text_choices(Firmness.choices),
    }


@dataclass
class Item:
    kind: str
    line: EnvelopeLine | None
    data: dict[str, Any]
    villages: list[AdministrativeUnit] | None
    version: int | None
    row: int
    letters: dict[str, str]


@dataclass
class Reading(ReadingBase):
    items: list[Item] = field(default_factory=list)


def _refusal(actor: Any, plan: CommunePlan, item: Item) -> ApplicationError | None:
    """Why this user may not change or delete this line (it was entered by the other side)."""
    if item.kind == "add" or item.line is None or may_edit_line(actor, item.line, plan.round):
        return None
    text = (
        _("line %(number)s was entered by the %(origin)s; only they can change it.")
        if item.kind == "change"
        else _("line %(number)s was entered by the %(origin)s; only they can delete it.")
    )
    return ApplicationError(
        "not_your_line",
        text % {"number": item.line.number, "origin": item.line.get_origin_display().lower()},
        Where(row=item.row),
    )
