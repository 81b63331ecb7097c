"""Status history and the audit trail shared by every plan document.

Both tables only grow: rows are written by services (``workflow.transition_apply`` and
``audit.audit_record``) and never changed; the admin shows them read-only. ``plan_uid`` is the
public identifier of the plan a row belongs to, so a plan's whole history (its own changes and
those of its lines, meeting, findings…) is one indexed query.

Append-only is enforced in the model: ``save`` of an existing row, ``delete``, and the
queryset's ``update``, ``bulk_update`` and ``delete`` raise ``ImmutableError`` (a comment may
only be marked resolved, a version only published). Who acted is kept twice: the link to the
user, which protects the user from deletion (deactivate instead), and the user's name and user
name as they were at the time, written when the row is created (by ``save`` and by
``bulk_create``), so the history reads the same even if the account is renamed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehoach.core.channel import Via, current_via


class ImmutableError(Exception):
    """Raised on an attempt to change what the rules keep unchanged (history, approved
    versions)."""


def person_names(user: Any) -> tuple[str, str]:
    """(display name, user name) of ``user`` as they are now; ("", "") for no user."""
    if user is None or getattr(user, "pk", None) is None:
        return "", ""
    username = str(user.get_username())
    name = str(getattr(user, "full_name", "") or "").strip() or username
    return name[:150], username[:150]


def person_label(name: str, username: str) -> str:
    """The name with the user name, "Nguyễn Văn An (xa.hailang)", or whichever is known."""
    if name and username and name != username:
        return f"{name} ({username})"
    return name or username


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Rows are only ever added: bulk writes fill in who acted, bulk changes are refused."""

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        for obj in objs:
            obj.keep_names()
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        raise ImmutableError(_("History cannot be changed."))

    def bulk_update(self, objs: Iterable[Any], fields: Any, batch_size: Any = None) -> int:
        raise ImmutableError(_("History cannot be changed."))

    def delete(self) -> Any:
        raise ImmutableError(_("History cannot be deleted."))


AppendOnlyManager = models.Manager.from_queryset(AppendOnlyQuerySet)

_USER_FK: dict[str, Any] = {
    "to": settings.AUTH_USER_MODEL,
    "null": True,
    # A user who has acted cannot be deleted (the admin lists why); deactivate them instead.
    "on_delete": models.PROTECT,
    "related_name": "+",
}


class _AppendOnly(models.Model):
    """A row written once. ``PERSON`` names the foreign key to the user who acted, whose
    names are copied into ``<PERSON>_name`` and ``<PERSON>_username`` on creation."""

    PERSON: ClassVar[str] = "actor"
    MUTABLE: ClassVar[tuple[str, ...]] = ()
    CHANGE_MESSAGE: ClassVar[Any] = _("History cannot be changed.")
    DELETE_MESSAGE: ClassVar[Any] = _("History cannot be deleted.")

    objects = AppendOnlyManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Create the row (keeping who acted); a stored row may change only in ``MUTABLE``."""
        if self.pk is None:
            self.keep_names()
        else:
            frozen = self.frozen_fields()
            columns = [field.attname for field in self._meta.concrete_fields]
            stored = type(self)._base_manager.filter(pk=self.pk).values(*columns).first()
            if stored is None:
                raise ImmutableError(self.CHANGE_MESSAGE)
            current = {name: getattr(self, name) for name in frozen}
            if any(stored[name] != current[name] for name in frozen):
                raise ImmutableError(self.CHANGE_MESSAGE)
            self._check_change(stored)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError(self.DELETE_MESSAGE)

    def keep_names(self) -> None:
        """Copy the acting user's names onto the row (only while it is being created)."""
        if self.pk is not None or getattr(self, f"{self.PERSON}_name"):
            return
        if getattr(self, f"{self.PERSON}_id") is None:
            return
        name, username = person_names(getattr(self, self.PERSON))
        setattr(self, f"{self.PERSON}_name", name)
        setattr(self, f"{self.PERSON}_username", username)

    @property
    def who(self) -> str:
        """Who acted, as kept on the row ("" when nobody: a system action)."""
        return person_label(
            getattr(self, f"{self.PERSON}_name"), getattr(self, f"{self.PERSON}_username")
        )

    @classmethod
    def frozen_fields(cls) -> list[str]:
        """Every stored column except the primary key and those that may still change."""
        return [
            field.attname
            for field in cls._meta.concrete_fields
            if not field.primary_key and field.name not in cls.MUTABLE
        ]

    def _check_change(self, stored: dict[str, Any]) -> None:
        """A row with nothing mutable is never saved again; a model with mutable fields may
        check how they change (``stored`` holds the row's stored values)."""
        if not self.MUTABLE:
            raise ImmutableError(self.CHANGE_MESSAGE)


class StatusChange(_AppendOnly):
    plan_uid = models.UUIDField(_("plan"), db_index=True)
    subject_label = models.CharField(_("document"), max_length=64)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=32)
    to_state = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(verbose_name=_("by"), **_USER_FK)
    actor_name = models.CharField(_("by (name at the time)"), max_length=150, blank=True)
    actor_username = models.CharField(_("by (user name)"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    via = models.CharField(
        _("through"), max_length=8, blank=True, choices=Via.choices, default=current_via
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.from_state} → {self.to_state}"


class AuditEntry(_AppendOnly):
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
    actor = models.ForeignKey(verbose_name=_("by"), **_USER_FK)
    actor_name = models.CharField(_("by (name at the time)"), max_length=150, blank=True)
    actor_username = models.CharField(_("by (user name)"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    via = models.CharField(
        _("through"), max_length=8, blank=True, choices=Via.choices, default=current_via
    )

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


class Comment(_AppendOnly):
    """A comment on a plan or on one of its lines, in threads (``parent``). Returning a plan
    for revision needs one; the planner marks a comment resolved when it has been dealt with.
    What was written, by whom and when never changes; only the resolved mark may."""

    PERSON = "author"
    MUTABLE = ("resolved_at", "resolved_by")
    CHANGE_MESSAGE = _("A comment cannot be changed; write a reply instead.")
    DELETE_MESSAGE = _("A comment cannot be deleted.")

    plan_uid = models.UUIDField(_("plan"), db_index=True)
    line_uid = models.UUIDField(_("line"), null=True, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(verbose_name=_("by"), **_USER_FK)
    author_name = models.CharField(_("by (name at the time)"), max_length=150, blank=True)
    author_username = models.CharField(_("by (user name)"), max_length=150, blank=True)
    body = models.TextField(_("comment"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(verbose_name=_("resolved by"), blank=True, **_USER_FK)

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


class Version(_AppendOnly):
    """An approved version of a plan: an immutable snapshot of its lines, amounts, decisions
    and envelope, with the resolution that approved it (R23). A change after approval is an
    amendment: the plan becomes a draft of the next version, with its own approval. Once
    written, only the publication date may be set, once."""

    PERSON = "approved_by"
    MUTABLE = ("published_at",)
    CHANGE_MESSAGE = _("An approved version cannot be changed.")
    DELETE_MESSAGE = _("An approved version cannot be deleted.")

    plan_uid = models.UUIDField(_("plan"), db_index=True)
    subject_label = models.CharField(_("document"), max_length=64)
    number = models.PositiveIntegerField(_("version"))
    is_amendment = models.BooleanField(_("amendment"), default=False)
    resolution_number = models.CharField(_("resolution number"), max_length=100)
    resolution_date = models.DateField(_("resolution date"))
    signer = models.CharField(_("signed by"), max_length=200)
    scan = models.FileField(_("scanned resolution"), upload_to=scan_path, blank=True)
    approved_by = models.ForeignKey(verbose_name=_("approved by"), **_USER_FK)
    approved_by_name = models.CharField(
        _("approved by (name at the time)"), max_length=150, blank=True
    )
    approved_by_username = models.CharField(
        _("approved by (user name)"), max_length=150, blank=True
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

    def _check_change(self, stored: dict[str, Any]) -> None:
        """Published once: the date cannot be changed or taken back afterwards."""
        previous = stored["published_at"]
        if previous is not None and previous != self.published_at:
            raise ImmutableError(self.CHANGE_MESSAGE)


FROZEN_VERSION_FIELDS = Version.frozen_fields()
"""Every column of an approved version except its id and its publication date."""
