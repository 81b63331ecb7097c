"""Administrators add a programme's workbook layout here (as JSON, checked on save); the
uploads and the kept documents are listed read-only (their files are opened only through the
import and download pages, which check who asks)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kehoach.core.errors import ApplicationError

from .layouts import KINDS, parse_layout, shipped_layouts
from .models import HeaderSynonym, ImportRecord, Layout, RenderedDocument


class LayoutForm(forms.ModelForm[Layout]):
    class Meta:
        model = Layout
        fields = ["code", "form", "name", "profile", "programme", "spec", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        spec = data.get("spec")
        code = str(data.get("code") or getattr(self.instance, "code", "") or "")
        if code and code in shipped_layouts():
            self.add_error("code", _("This code belongs to a layout shipped with kehoach."))
        if not isinstance(spec, dict):
            self.add_error("spec", _("The layout must be a JSON object with its “columns”."))
            return data
        if not spec.get("columns"):
            self.add_error("spec", _("The layout has no columns."))
            return data
        try:
            parse_layout(spec, code=code, form=data.get("form") or "")
        except ApplicationError as exc:
            self.add_error("spec", exc.message)
        keys = [c.get("key") for c in spec["columns"] if isinstance(c, dict)]
        if len(keys) != len(set(keys)):
            self.add_error("spec", _("Two columns have the same key."))
        kinds = {c.get("kind", "text") for c in spec["columns"] if isinstance(c, dict)}
        if not kinds <= KINDS:
            unknown = ", ".join(sorted(str(k) for k in kinds - KINDS))
            self.add_error("spec", _("Unknown column kinds: %(kinds)s.") % {"kinds": unknown})
        return data


@admin.register(Layout)
class LayoutAdmin(admin.ModelAdmin[Layout]):
    form = LayoutForm
    list_display = ["code", "form", "name", "profile", "programme", "is_active"]
    list_filter = ["form", "is_active"]
    list_select_related = ["profile", "programme"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj is not None and obj.pk else []


class HeaderSynonymForm(forms.ModelForm[HeaderSynonym]):
    class Meta:
        model = HeaderSynonym
        fields = ["form", "key", "text", "is_active"]
        help_texts = {
            "key": _(
                "The field the header names, as the layouts call it: total_cost_mvnd (total "
                "cost), contribution_cash_mvnd (people's contribution in cash), "
                "external_support_mvnd (support asked for), sector, activity, unit, quantity, "
                "start_month, end_month, proposed_source, priority, notes …"
            ),
        }

    def clean_key(self) -> str:
        key = str(self.cleaned_data.get("key") or "").strip()
        known = {c.get("key") for spec in shipped_layouts().values() for c in spec["columns"]}
        if key not in known:
            self.add_error("key", _("No layout has a field “%(key)s”.") % {"key": key})
        return key


@admin.register(HeaderSynonym)
class HeaderSynonymAdmin(admin.ModelAdmin[HeaderSynonym]):
    """Other ways programmes' workbooks title a column; kehoach then reads those workbooks
    with no mapping page. The shipped synonyms are in ``exchange/synonyms.json``."""

    form = HeaderSynonymForm
    list_display = ["text", "key", "form", "is_active", "created_by"]
    list_filter = ["form", "is_active"]
    list_select_related = ["created_by"]
    search_fields = ["text", "key"]

    def save_model(self, request: HttpRequest, obj: HeaderSynonym, form: Any, change: bool) -> None:
        if not change and obj.created_by_id is None:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin[ImportRecord]):
    list_display = ["created_at", "form", "filename", "actor", "result"]
    list_filter = ["form", "result"]
    search_fields = ["filename", "plan_uid"]
    exclude = ["file", "kept"]

    def get_queryset(self, request: HttpRequest) -> Any:
        # the kept changes of a 20,000-line workbook are not for a list (nor shown)
        return super().get_queryset(request).defer("kept")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RenderedDocument)
class RenderedDocumentAdmin(admin.ModelAdmin[RenderedDocument]):
    list_display = ["updated_at", "kind", "version", "format", "language", "size", "render_ms"]
    list_filter = ["kind", "format", "language"]
    list_select_related = ["version"]
    search_fields = ["subject_uid", "fingerprint"]
    exclude = ["file"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
