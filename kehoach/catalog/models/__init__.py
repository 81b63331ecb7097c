"""Reference data every plan refers to: sectors, funding sources, units, indicators, profiles.

Each row has a stable public ``code`` (used by workbooks, the API and other apps) and
Vietnamese ``name`` with an optional English ``name_en``. Rows are seeded by
``manage.py load_catalog`` and edited by administrators; retired rows are deactivated, not
deleted, because plans keep pointing at them.

One module per job: ``common`` (codes, validators, names), ``reference`` (sectors, funding
sources, units of measure, indicators), ``profile`` (process profiles and their criteria),
``pra`` (the PRA tools of F2).
The names are re-exported here; migrations refer to ``kehoach.catalog.models.<name>``.
"""

from __future__ import annotations

from .alias import ALIAS_MODELS, ALIAS_TARGET_FIELDS, ALIAS_TEXT_MAX, Alias
from .common import (
    NTM_CRITERIA_COUNT,
    PERCENT_VALIDATORS,
    bilingual_name,
    parse_comma_list,
    validate_code,
    validate_ntm_criteria,
    validate_province_code,
    validate_unit_code,
)
from .pra import PraTool, PraToolQuerySet
from .profile import ProcessProfile, criteria_error_messages, validate_criteria
from .reference import (
    INDICATOR_GROUP_ORDER,
    FundingSource,
    FundingSourceQuerySet,
    Indicator,
    IndicatorQuerySet,
    Sector,
    SectorQuerySet,
    UnitOfMeasure,
    UnitOfMeasureQuerySet,
)

__all__ = [
    "ALIAS_MODELS",
    "ALIAS_TARGET_FIELDS",
    "ALIAS_TEXT_MAX",
    "INDICATOR_GROUP_ORDER",
    "NTM_CRITERIA_COUNT",
    "PERCENT_VALIDATORS",
    "Alias",
    "FundingSource",
    "FundingSourceQuerySet",
    "Indicator",
    "IndicatorQuerySet",
    "PraTool",
    "PraToolQuerySet",
    "ProcessProfile",
    "Sector",
    "SectorQuerySet",
    "UnitOfMeasure",
    "UnitOfMeasureQuerySet",
    "bilingual_name",
    "criteria_error_messages",
    "parse_comma_list",
    "validate_code",
    "validate_criteria",
    "validate_ntm_criteria",
    "validate_province_code",
    "validate_unit_code",
]
