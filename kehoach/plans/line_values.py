"""The values of a line of a plan, declared once (issue 14, item 3).

A village proposal (``ProposalLine``, F6) and a line of the commune synthesis
(``synthesis.CommuneLine``, F9) carry the same values: what is done, where, how much, who pays
what, who benefits. ``LineValues`` holds those fields, their bounds (read by
``kehoach.core.bounds``: each child still gets its own ``<table>_bounds`` constraint through
``@bounded``) and the constraints both share. Each child keeps what is its own: its plan and
number, ``ProposalLine.priority`` (the village's priority; the commune line keeps the best of
its villages' as ``village_priority``), ``ProposalLine.location`` (200 characters, the commune
line's 300), the checks only a village line has.

The field lists are derived from it: ``LINE_VALUE_FIELDS`` (the order of the F6 form),
``line_values(obj)`` and ``copy_line_values(source, target)``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehoach.core import bounds

from .choices import ImplementationMode

MONEY: dict[str, Any] = {
    "max_digits": 14,
    "decimal_places": 3,
    "validators": bounds.MONEY_MVND.validators(),
}
HOUSEHOLDS: dict[str, Any] = {"validators": bounds.HOUSEHOLDS.validators()}

__all__ = [
    "AMOUNT_FIELDS",
    "COUNT_FIELDS",
    "LINE_VALUE_FIELDS",
    "MONEY_FIELDS",
    "PROPOSAL_LINE_FIELDS",
    "LineValues",
    "copy_line_values",
    "line_values",
]


class LineValues(models.Model):
    """What a line of a plan says, whoever made it (village or commune)."""

    sector = models.ForeignKey(
        "catalog.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.CharField(_("activity"), max_length=300)
    location = models.CharField(_("location"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "catalog.UnitOfMeasure",
        verbose_name=_("unit of measure"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=bounds.QUANTITY.validators()
    )
    start_month = models.DateField(_("start"))
    end_month = models.DateField(_("end"))
    total_cost_mvnd = models.DecimalField(_("total cost"), **MONEY)
    contribution_mvnd = models.DecimalField(_("village contribution"), default=Decimal(0), **MONEY)
    contribution_cash_mvnd = models.DecimalField(_("of which cash"), default=Decimal(0), **MONEY)
    contribution_labour_days = models.DecimalField(
        _("labour days"),
        default=Decimal(0),
        max_digits=12,
        decimal_places=1,
        validators=bounds.LABOUR_DAYS.validators(),
    )
    contribution_labour_mvnd = models.DecimalField(
        _("of which labour"), default=Decimal(0), **MONEY
    )
    contribution_materials_mvnd = models.DecimalField(
        _("of which materials and land"), default=Decimal(0), **MONEY
    )
    contribution_land_m2 = models.DecimalField(
        _("land donated"),
        default=Decimal(0),
        max_digits=12,
        decimal_places=1,
        validators=bounds.LAND_M2.validators(),
    )
    external_support_mvnd = models.DecimalField(
        _("external support requested"), default=Decimal(0), **MONEY
    )
    proposed_source = models.ForeignKey(
        "catalog.FundingSource",
        verbose_name=_("proposed source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    beneficiary_households = models.PositiveIntegerField(
        _("beneficiary households"), default=0, **HOUSEHOLDS
    )
    beneficiary_poor = models.PositiveIntegerField(_("of which poor"), default=0, **HOUSEHOLDS)
    beneficiary_em = models.PositiveIntegerField(
        _("of which ethnic minority"), default=0, **HOUSEHOLDS
    )
    implementation_mode = models.CharField(
        _("implementation"),
        max_length=16,
        choices=ImplementationMode.choices,
        default=ImplementationMode.COMMUNITY,
    )
    notes = models.TextField(_("notes"), blank=True, max_length=bounds.NOTE_TEXT)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(total_cost_mvnd__gte=0)
                & Q(contribution_mvnd__gte=0)
                & Q(contribution_cash_mvnd__gte=0)
                & Q(contribution_labour_mvnd__gte=0)
                & Q(contribution_labour_days__gte=0)
                & Q(contribution_materials_mvnd__gte=0)
                & Q(contribution_land_m2__gte=0)
                & Q(external_support_mvnd__gte=0),
                name="%(app_label)s_%(class)s_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(start_month__lte=F("end_month")),
                name="%(app_label)s_%(class)s_start_before_end",
            ),
        ]


def _field_names() -> list[str]:
    return [f.name for f in LineValues._meta.local_fields]


LINE_VALUE_FIELDS: list[str] = _field_names()
"""The values both kinds of line carry, in the order of the F6 form (which puts the village's
``priority`` before ``notes``: see ``PROPOSAL_LINE_FIELDS``)."""

PROPOSAL_LINE_FIELDS: list[str] = [*LINE_VALUE_FIELDS[:-1], "priority", LINE_VALUE_FIELDS[-1]]
"""The values of a village proposal as the F6 form orders them (``LINE_VALUE_FIELDS`` and the
village's priority)."""

MONEY_FIELDS: list[str] = [n for n in LINE_VALUE_FIELDS if n.endswith("_mvnd")]
"""The amounts in million VND."""
AMOUNT_FIELDS: list[str] = [
    "quantity",
    *(n for n in LINE_VALUE_FIELDS if n.endswith(("_mvnd", "_days", "_m2"))),
]
"""What adds up when lines are merged and divides when a line is split."""
COUNT_FIELDS: list[str] = [n for n in LINE_VALUE_FIELDS if n.startswith("beneficiary_")]
"""Households that add up (and divide) like the amounts, rounded to whole households."""


_ATTNAMES: dict[str, str] = {f.name: f.attname for f in LineValues._meta.local_fields}


def line_values(obj: Any, fields: list[str] | None = None) -> dict[str, Any]:
    """The line values of ``obj`` (a village or a commune line), field name → value; a
    relation as its object (read through the cache or the database like any attribute)."""
    return {name: getattr(obj, name) for name in fields or LINE_VALUE_FIELDS}


def copy_line_values(source: Any, target: Any, fields: list[str] | None = None) -> Any:
    """Copy the line values of ``source`` onto ``target`` (relations by id: no query) and
    return ``target``. The caller saves."""
    for name in fields or LINE_VALUE_FIELDS:
        attname = _ATTNAMES.get(name, name)
        setattr(target, attname, getattr(source, attname))
    return target
