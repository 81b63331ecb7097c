"""History, approved versions and comments are read-only everywhere, the admin included: no
add, change or delete permission even for a superuser (the models refuse as well)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Comment, StatusChange, Version


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("by"))
    def who(self, obj: Any) -> str:
        return str(obj.who or "—")


@admin.register(StatusChange)
class StatusChangeAdmin(_ReadOnly):
    list_display = ["at", "subject_label", "from_state", "to_state", "who"]
    list_filter = ["subject_label", "to_state"]
    search_fields = ["plan_uid", "comment", "actor_name", "actor_username"]


@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnly):
    list_display = ["at", "operation", "subject_repr", "who"]
    list_filter = ["operation", "subject_label"]
    search_fields = ["plan_uid", "subject_repr", "actor_name", "actor_username"]


@admin.register(Version)
class VersionAdmin(_ReadOnly):
    list_display = [
        "plan_uid",
        "number",
        "resolution_number",
        "resolution_date",
        "approved_at",
        "who",
    ]
    search_fields = ["plan_uid", "resolution_number"]


@admin.register(Comment)
class CommentAdmin(_ReadOnly):
    list_display = ["at", "who", "plan_uid", "line_uid", "resolved_at"]
    search_fields = ["plan_uid", "body", "author_name", "author_username"]
