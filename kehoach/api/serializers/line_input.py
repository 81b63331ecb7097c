"""A proposal line (F6) as a client writes it: the columns of ``ProposalLineOutput`` that the
form has, catalogue entries by code. The serializer only reads the JSON into values (texts,
numbers, dates); every rule — required values, bounds, months, amounts, the catalogue's entries
in use — is the line's validator's (``plans.services.lines``), the same the pages and the
workbooks go through."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.plans.line_values import PROPOSAL_LINE_FIELDS
from kehoach.plans.models import ProposalLine

from .plans import CATALOG_CODES

CATALOG_MODELS: dict[str, type[models.Model]] = {
    "sector": Sector,
    "unit": UnitOfMeasure,
    "proposed_source": FundingSource,
}
FIELD_NAMES = {name: api for name, (api, _help) in CATALOG_CODES.items()}
"""The service's name of a field → the API's (for the problems' ``where.field``)."""


def _field_for(model_field: Any) -> serializers.Field:
    help_text = str(model_field.verbose_name).capitalize()
    common: dict[str, Any] = {"required": False, "help_text": help_text}
    if isinstance(model_field, models.DecimalField):
        return serializers.DecimalField(
            max_digits=None, decimal_places=None, allow_null=True, coerce_to_string=True, **common
        )
    if isinstance(model_field, models.IntegerField):
        return serializers.IntegerField(allow_null=True, **common)
    if isinstance(model_field, models.DateField):
        return serializers.DateField(allow_null=True, **common)
    return serializers.CharField(allow_blank=True, allow_null=True, trim_whitespace=False, **common)


class ProposalLineInput(serializers.Serializer[Any]):
    """The values of a proposal line to add or change; a change sends only what changes."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = {}
        for name in PROPOSAL_LINE_FIELDS:
            if name in CATALOG_CODES:
                api_name, help_text = CATALOG_CODES[name]
                fields[api_name] = serializers.CharField(
                    required=False, allow_null=True, allow_blank=True, help_text=help_text
                )
            else:
                fields[name] = _field_for(ProposalLine._meta.get_field(name))
        return fields


def line_data(values: dict[str, Any], codes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The service's values from a validated ``ProposalLineInput``: each catalogue code as
    its entry (a code not in the catalogue stays a text, which the validator refuses in the
    catalogue's words), ``codes`` read once per request by ``catalog_entries``."""
    data: dict[str, Any] = {}
    for name in PROPOSAL_LINE_FIELDS:
        api_name = FIELD_NAMES.get(name, name)
        if api_name not in values:
            continue
        value = values[api_name]
        if name in CATALOG_MODELS:
            data[name] = codes[name].get(value, value) if value not in (None, "") else None
        else:
            data[name] = value
    return data


def catalog_entries(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The catalogue entries the items name by code, in one query per catalogue."""
    found: dict[str, dict[str, Any]] = {}
    for name, model in CATALOG_MODELS.items():
        wanted = {item[FIELD_NAMES[name]] for item in items if item.get(FIELD_NAMES[name])}
        rows = model._default_manager.filter(code__in=wanted) if wanted else []
        found[name] = {row.code: row for row in rows}  # type: ignore[attr-defined]
    return found
