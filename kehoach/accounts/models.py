"""Users and their roles on administrative units (design.md §1)."""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


class ApiTokenScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self, now: datetime.datetime | None = None) -> ApiTokenQuerySet:
        """Tokens that still work: not revoked, not expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal access token for the API (issue 17): the secret is shown once when it is
    created; only its SHA-256 digest is kept, with its first characters (``prefix``) to find the
    row and to show in the list. ``uid`` names it in URLs (never the primary key)."""

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=16, choices=ApiTokenScope.choices)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API access token")
        verbose_name_plural = _("API access tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=ApiTokenScope.values), name="accounts_apitoken_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def state(self, now: datetime.datetime | None = None) -> str:
        """``revoked``, ``expired`` or ``active``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"

    def get_state_display(self) -> str:
        return str(
            {"revoked": _("Revoked"), "expired": _("Expired"), "active": _("Active")}[self.state()]
        )
