"""The admin site answers only to system administrators, through the one permission module."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .permissions import is_system_admin


def gate_admin_site(site: AdminSite) -> None:
    site.site_header = _("kehoach administration")
    site.site_title = _("kehoach administration")
    site.index_title = _("Reference data, users and roles")

    def has_permission(request: HttpRequest) -> bool:
        return bool(request.user.is_active and is_system_admin(request.user))

    site.has_permission = has_permission  # type: ignore[method-assign]
