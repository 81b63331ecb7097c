"""Administrators edit reference data here; every save goes through ``catalog_normalise``.

Codes are stable identifiers (workbooks, the API and other apps use them), so they can be
set when an entry is created and are read-only afterwards. Retire an entry by unticking
"active" rather than deleting it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import FundingSource, Indicator, ProcessProfile, Sector, UnitOfMeasure
from .policy import KEYS
from .services import CatalogObject, catalog_normalise


class CatalogAdminMixin:
    """Read-only code once saved; names normalised on save."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if obj is not None and obj.pk is not None and "code" not in readonly:
            readonly.append("code")
        return readonly

    def save_model(self, request: HttpRequest, obj: CatalogObject, form: Any, change: bool) -> None:
        catalog_normalise(obj)
        super().save_model(request, obj, form, change)  # type: ignore[misc]


@admin.register(Sector)
class SectorAdmin(CatalogAdminMixin, admin.ModelAdmin[Sector]):
    list_display = [
        "code",
        "name",
        "name_en",
        "ntm_criteria",
        "default_expenditure",
        "sort_order",
        "is_active",
    ]
    list_display_links = ["code", "name"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["default_expenditure", "is_active"]
    search_fields = ["code", "name", "name_en"]
    fields = [
        "code",
        "name",
        "name_en",
        "description",
        "ntm_criteria",
        "default_expenditure",
        "sort_order",
        "is_active",
    ]


@admin.register(FundingSource)
class FundingSourceAdmin(CatalogAdminMixin, admin.ModelAdmin[FundingSource]):
    list_display = [
        "code",
        "name",
        "kind",
        "parent",
        "valid_from_year",
        "valid_to_year",
        "counterpart_share_pct",
        "is_external",
        "is_active",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["kind", "is_active", "is_external"]
    search_fields = ["code", "name", "name_en", "notes"]
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "kind", "parent"]}),
        (_("Validity"), {"fields": ["valid_from_year", "valid_to_year", "is_active"]}),
        (_("Rules"), {"fields": ["counterpart_share_pct", "is_external"]}),
        (None, {"fields": ["sort_order", "notes"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FundingSource]:
        return super().get_queryset(request).select_related("parent")


@admin.register(UnitOfMeasure)
class UnitOfMeasureAdmin(CatalogAdminMixin, admin.ModelAdmin[UnitOfMeasure]):
    list_display = ["code", "name", "name_en", "aliases", "sort_order", "is_active"]
    list_display_links = ["code", "name"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_en", "aliases"]
    fields = ["code", "name", "name_en", "aliases", "sort_order", "is_active"]


@admin.register(Indicator)
class IndicatorAdmin(CatalogAdminMixin, admin.ModelAdmin[Indicator]):
    list_display = [
        "code",
        "name",
        "unit",
        "group",
        "higher_is_better",
        "decimals",
        "sort_order",
        "is_active",
    ]
    list_display_links = ["code", "name"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["group", "is_active", "higher_is_better"]
    search_fields = ["code", "name", "name_en", "unit", "description"]
    fields = [
        "code",
        "name",
        "name_en",
        "group",
        "unit",
        "higher_is_better",
        "decimals",
        "description",
        "sort_order",
        "is_active",
    ]


@admin.register(ProcessProfile)
class ProcessProfileAdmin(CatalogAdminMixin, admin.ModelAdmin[ProcessProfile]):
    list_display = [
        "code",
        "name",
        "province_code",
        "programme",
        "is_default",
        "min_priority_activities_per_sector",
        "max_priority_activities_per_sector",
        "is_active",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["is_default", "is_active", "priority_bound_applies_to", "programme"]
    search_fields = ["code", "name", "province_code", "programme__code", "programme__name"]
    autocomplete_fields = ["programme"]
    fieldsets = [
        (None, {"fields": ["code", "name", "description", "is_active", "sort_order"]}),
        (_("Applies to"), {"fields": ["is_default", "province_code", "programme"]}),
        (
            _("Village plan priorities"),
            {
                "fields": [
                    "min_priority",
                    "max_priority",
                    "min_priority_activities_per_sector",
                    "max_priority_activities_per_sector",
                    "priority_bound_applies_to",
                    "unique_ranks_within_sector",
                ]
            },
        ),
        (_("Village meeting"), {"fields": ["quorum_households_pct", "quorum_agreement_pct"]}),
        (_("Criteria"), {"fields": ["ranking_criteria", "scoring_criteria"]}),
        (_("Other"), {"fields": ["money_decimals", "extra"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcessProfile]:
        return super().get_queryset(request).select_related("programme")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """``extra`` says which parameters it may hold; ``ProcessProfile.clean`` refuses a
        wrong one with the key, what is wrong and what is allowed (``catalog.policy``)."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "extra" and field is not None:
            field.help_text = _(
                "Optional parameters as JSON, for example %(example)s. Known parameters: %(keys)s."
            ) % {"example": '{"supervision_min_members": 7}', "keys": ", ".join(KEYS)}
        return field
