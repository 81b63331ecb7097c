"""Units are read-only in the admin: they change through load_units, load_legacy_units and the
commune planner's village pages, which keep codes, paths, sort keys and history consistent."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AdministrativeUnit, UnitNameChange, UnitSuccession


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "level", "valid_from", "valid_to", "source"]
    list_filter = ["level", "kind", "source"]
    search_fields = ["code", "name", "search_name"]
    ordering = ["level", "sort_key"]
    list_select_related = ["parent"]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(ReadOnlyAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_date", "decision"]
    list_filter = ["kind"]
    list_select_related = ["predecessor", "successor"]


@admin.register(UnitNameChange)
class UnitNameChangeAdmin(ReadOnlyAdmin):
    list_display = ["unit", "old_name", "new_name", "effective_date"]
    list_select_related = ["unit"]
