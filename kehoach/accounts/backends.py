"""Django's model permissions (used by the admin) answered by the one permission module:
a system administrator may change reference data, users and roles; nobody else may."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from .permissions import is_system_admin


class RolePermissionBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return is_system_admin(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return is_system_admin(user_obj)
