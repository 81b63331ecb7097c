"""Users and their roles on administrative units (design.md §1)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel

from .choices import Role


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


UNITLESS_ROLES = (Role.ADMIN, Role.NATIONAL_OFFICER)
"""Roles held on the whole country: no unit (the national officer only reads, issue 16)."""


class RoleAssignment(TimeStampedModel):
    """One role of one user on one unit. The unit is null only for the system administrator
    and the national officer (a ministry or national programme), who read the whole country."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"], name="accounts_role_unique_per_unit"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(unit__isnull=True),
                name="accounts_role_unique_without_unit",
            ),
            models.CheckConstraint(
                condition=Q(role__in=UNITLESS_ROLES) | Q(unit__isnull=False),
                name="accounts_role_unit_required",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.NATIONAL_OFFICER) | Q(unit__isnull=True),
                name="accounts_national_role_without_unit",
            ),
        ]

    def __str__(self) -> str:
        where = self.unit.name if self.unit_id and self.unit else "—"
        return f"{self.user} · {self.get_role_display()} · {where}"
