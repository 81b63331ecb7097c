"""Administrators edit reference data here; every save goes through ``catalog_normalise``.

Codes are stable identifiers (workbooks, the API and other apps use them), so they can be
set when an entry is created and are read-only afterwards. Retire an entry by unticking
"active" rather than deleting it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kehoach.core.errors import ApplicationError

from .choices import AliasKind
from .models import (
    ALIAS_TARGET_FIELDS,
    Alias,
    FundingSource,
    Indicator,
    PraTool,
    ProcessProfile,
    Sector,
    UnitOfMeasure,
)
from .names import name_key
from .policy import KEYS
from .services import CatalogObject, alias_normalise, alias_validate, catalog_normalise

# --- aliases ----------------------------------------------------------------------------------


class AliasForm(forms.ModelForm[Alias]):
    """Checks an alias as ``alias_add`` does: not empty, not another entry's name."""

    fixed_kind: str | None = None

    class Meta:
        model = Alias
        fields = ["kind", "sector", "source", "unit", "text"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = self.fixed_kind or data.get("kind")
        if not kind or not data.get("text"):
            return data
        target = data.get(ALIAS_TARGET_FIELDS[kind])
        if target is None:
            self.add_error(None, _("Choose the entry this name stands for."))
            return data
        for other in set(ALIAS_TARGET_FIELDS.values()) - {ALIAS_TARGET_FIELDS[kind]}:
            if data.get(other) is not None:
                self.add_error(other, _("Leave this empty for a name of this kind."))
        try:
            text, key = alias_validate(kind, target, data["text"])
        except ApplicationError as exc:
            self.add_error("text", exc.message)
            return data
        same = Alias.objects.filter(kind=kind, key=key).exclude(pk=self.instance.pk)
        if same.exists():
            self.add_error("text", _("This entry already has this name."))
        self.instance.kind = kind
        self.instance.key = key
        data["text"] = text
        return data


def _alias_inline(kind: str, field: str) -> type[admin.TabularInline[Alias, Any]]:
    form_class = type(f"{kind.title()}AliasForm", (AliasForm,), {"fixed_kind": kind})

    class Inline(admin.TabularInline[Alias, Any]):
        model = Alias
        form = form_class
        fk_name = field
        fields = ["text", "created_by", "created_at"]
        readonly_fields = ["created_by", "created_at"]
        extra = 1
        verbose_name = _("other name")
        verbose_name_plural = _("Other names (as people write them in workbooks)")

    return Inline


SectorAliasInline = _alias_inline(AliasKind.SECTOR, "sector")
SourceAliasInline = _alias_inline(AliasKind.SOURCE, "source")
UnitAliasInline = _alias_inline(AliasKind.UNIT, "unit")


class AliasInlinesMixin:
    """Saves the aliases typed on an entry's page with their kind, key and author."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Alias:
            super().save_formset(request, form, formset, change)  # type: ignore[misc]
            return
        for alias in formset.save(commit=False):
            alias_normalise(alias)
            if alias.pk is None:
                alias.created_by = request.user
            alias.save()
        for alias in formset.deleted_objects:
            alias.delete()


@admin.register(Alias)
class AliasAdmin(admin.ModelAdmin[Alias]):
    form = AliasForm
    list_display = ["text", "kind", "target_display", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["text", "key", "sector__name", "source__name", "unit__name"]
    search_help_text = _("Search by the name as written, without diacritics if you like.")
    autocomplete_fields = ["sector", "source", "unit"]
    readonly_fields = ["key", "created_by", "created_at"]
    fields = ["kind", "sector", "source", "unit", "text", "key", "created_by", "created_at"]
    list_select_related = ["sector", "source", "unit", "created_by"]

    @admin.display(description=_("stands for"))
    def target_display(self, obj: Alias) -> str:
        return str(obj.target)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Alias], search_term: str
    ) -> tuple[QuerySet[Alias], bool]:
        folded = name_key(search_term)
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if folded:
            results = results | queryset.filter(key__contains=folded)
        return results, duplicates

    def save_model(self, request: HttpRequest, obj: Alias, form: Any, change: bool) -> None:
        alias_normalise(obj)
        if obj.pk is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


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
class SectorAdmin(AliasInlinesMixin, CatalogAdminMixin, admin.ModelAdmin[Sector]):
    inlines = [SectorAliasInline]
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
class FundingSourceAdmin(AliasInlinesMixin, CatalogAdminMixin, admin.ModelAdmin[FundingSource]):
    inlines = [SourceAliasInline]
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
class UnitOfMeasureAdmin(AliasInlinesMixin, CatalogAdminMixin, admin.ModelAdmin[UnitOfMeasure]):
    inlines = [UnitAliasInline]
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


@admin.register(PraTool)
class PraToolAdmin(CatalogAdminMixin, admin.ModelAdmin[PraTool]):
    list_display = ["code", "name", "name_en", "theme", "sort_order", "is_active"]
    list_display_links = ["code", "name"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["theme", "is_active"]
    search_fields = ["code", "name", "name_en"]
    fields = ["code", "name", "name_en", "theme", "sort_order", "is_active"]


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
        (_("Five-year plan"), {"fields": ["medium_term_start_year", "medium_term_years"]}),
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
