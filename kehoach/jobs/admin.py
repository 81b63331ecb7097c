from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "actor", "status", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["label", "actor__username"]
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
