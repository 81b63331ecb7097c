"""Status history and the audit trail shared by every plan document.

Both tables only grow: rows are written by services (``workflow.transition_apply`` and
``audit.audit_record``) and never changed; the admin shows them read-only. ``plan_uid`` is the
public identifier of the plan a row belongs to, so a plan's whole history (its own changes and
those of its lines, meeting, findings…) is one indexed query.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusChange(models.Model):
    plan_uid = models.UUIDField(_("plan"), db_index=True)
    subject_label = models.CharField(_("document"), max_length=64)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=32)
    to_state = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.from_state} → {self.to_state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError(_("History cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError(_("History cannot be deleted."))


class AuditEntry(models.Model):
    class Operation(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        RESTORE = "restore", _("restored")

    plan_uid = models.UUIDField(_("plan"), db_index=True)
    subject_label = models.CharField(_("what"), max_length=64)
    subject_id = models.CharField(_("record"), max_length=64)
    subject_repr = models.CharField(_("description"), max_length=300)
    operation = models.CharField(_("operation"), max_length=16, choices=Operation.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.subject_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError(_("History cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError(_("History cannot be deleted."))

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs."""
        keys = list(dict.fromkeys([*self.before.keys(), *self.after.keys()]))
        return [
            (k, self.before.get(k), self.after.get(k))
            for k in keys
            if self.before.get(k) != self.after.get(k)
        ]


class Comment(models.Model):
    """A comment on a plan or on one of its lines, in threads (``parent``). Returning a plan
    for revision needs one; the planner marks a comment resolved when it has been dealt with."""

    plan_uid = models.UUIDField(_("plan"), db_index=True)
    line_uid = models.UUIDField(_("line"), null=True, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.body[:80]


class Notification(models.Model):
    """A message inside the application for one user, with a link to what it is about."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="approvals_notif_user_read")]

    def __str__(self) -> str:
        return self.text


def scan_path(instance: Version, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"resolutions/{instance.plan_uid}/v{instance.number}.{suffix}"


class Version(models.Model):
    """An approved version of a plan: an immutable snapshot of its lines, amounts, decisions
    and envelope, with the resolution that approved it (R23). A change after approval is an
    amendment: the plan becomes a draft of the next version, with its own approval."""

    plan_uid = models.UUIDField(_("plan"), db_index=True)
    subject_label = models.CharField(_("document"), max_length=64)
    number = models.PositiveIntegerField(_("version"))
    is_amendment = models.BooleanField(_("amendment"), default=False)
    resolution_number = models.CharField(_("resolution number"), max_length=100)
    resolution_date = models.DateField(_("resolution date"))
    signer = models.CharField(_("signed by"), max_length=200)
    scan = models.FileField(_("scanned resolution"), upload_to=scan_path, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    data = models.JSONField(_("snapshot"), default=dict)

    class Meta:
        verbose_name = _("approved version")
        verbose_name_plural = _("approved versions")
        ordering = ["plan_uid", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan_uid", "number"], name="approvals_version_unique"),
        ]

    def __str__(self) -> str:
        return f"v{self.number} · {self.resolution_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A version is written once; afterwards only its publication date may be set."""
        if self.pk is not None:
            stored = Version.objects.filter(pk=self.pk).values(*FROZEN_VERSION_FIELDS).first()
            current = {name: getattr(self, name) for name in FROZEN_VERSION_FIELDS}
            if stored is not None and {k: stored[k] for k in current} != current:
                raise ImmutableError(_("An approved version cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError(_("An approved version cannot be deleted."))


FROZEN_VERSION_FIELDS = [
    "plan_uid",
    "number",
    "resolution_number",
    "resolution_date",
    "signer",
    "scan",
    "data",
]


class ImmutableError(Exception):
    """Raised on an attempt to change what the rules keep unchanged (approved versions)."""
