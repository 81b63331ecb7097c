"""Status history and the audit trail shared by every plan document.

Both tables only grow: rows are written by services (``workflow.transition_apply`` and
``audit.audit_record``) and never changed; the admin shows them read-only. ``plan_uid`` is the
public identifier of the plan a row belongs to, so a plan's whole history (its own changes and
those of its lines, meeting, findings…) is one indexed query.
"""

from __future__ import annotations

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

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs."""
        keys = list(dict.fromkeys([*self.before.keys(), *self.after.keys()]))
        return [
            (k, self.before.get(k), self.after.get(k))
            for k in keys
            if self.before.get(k) != self.after.get(k)
        ]
