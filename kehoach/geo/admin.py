from __future__ import annotations

from django.contrib import admin

from .models import AdministrativeUnit, UnitNameChange, UnitSuccession


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin[AdministrativeUnit]):
    list_display = ["code", "name", "kind", "level", "valid_from", "valid_to", "source"]
    list_filter = ["level", "kind", "source"]
    search_fields = ["code", "name", "search_name"]
    readonly_fields = ["path", "source", "official_code"]
    raw_id_fields = ["parent"]
    ordering = ["level", "sort_key"]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin[UnitSuccession]):
    list_display = ["predecessor", "successor", "kind", "effective_date", "decision"]
    list_filter = ["kind"]
    raw_id_fields = ["predecessor", "successor"]


@admin.register(UnitNameChange)
class UnitNameChangeAdmin(admin.ModelAdmin[UnitNameChange]):
    list_display = ["unit", "old_name", "new_name", "effective_date"]
    raw_id_fields = ["unit", "changed_by"]
