"""Writes of the approvals app shared by village and commune plans: comments on a plan or a
line (threaded), in-application notifications, approved versions (immutable snapshots)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.text import nfc

from .audit import audit_record, snapshot
from .models import AuditEntry, Comment, Notification, Version

SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_TYPES = {
    b"%PDF": "pdf",
    b"\xff\xd8\xff": "jpg",
    b"\x89PNG\r\n\x1a\n": "png",
}
"""Scanned resolutions: PDF, JPEG or PNG, recognised by their first bytes (not the name)."""


def _text(body: str) -> str:
    lines = [nfc(line) for line in (body or "").splitlines()]
    return "\n".join(lines).strip()


COMMENT_AUDIT = ["body", "line_uid", "parent"]
RESOLVED_AUDIT = ["resolved_at", "resolved_by"]


@transaction.atomic
def comment_add(
    *,
    actor: Any,
    plan_uid: uuid.UUID,
    body: str,
    line_uid: uuid.UUID | None = None,
    parent: Comment | None = None,
) -> Comment:
    """Add a comment on the plan or one of its lines, or a reply in a thread; the plan's
    history records it. The caller has checked that the actor may comment on this plan."""
    text = _text(body)
    if not text:
        raise ApplicationError("comment_empty", _("Write the comment first."), Where(field="body"))
    if len(text) > 4000:
        raise ApplicationError(
            "comment_long",
            _("A comment may have at most 4,000 characters."),
            Where(field="body"),
        )
    if parent is not None:
        if parent.plan_uid != plan_uid:
            raise NotFoundError()
        while parent.parent is not None:  # replies hang off the first comment of a thread
            parent = parent.parent
        line_uid = parent.line_uid
    comment = Comment.objects.create(
        plan_uid=plan_uid,
        line_uid=line_uid,
        parent=parent,
        author=actor if getattr(actor, "pk", None) else None,
        body=text,
    )
    audit_record(
        actor=actor,
        plan_uid=plan_uid,
        obj=comment,
        operation=AuditEntry.Operation.CREATE,
        after=snapshot(comment, COMMENT_AUDIT),
    )
    return comment


@transaction.atomic
def comment_resolve(*, actor: Any, comment: Comment, resolved: bool = True) -> Comment:
    """Mark a thread resolved (or open it again); the plan's history records who and when.
    Marking it as it already is changes nothing."""
    thread = comment if comment.parent_id is None else comment.parent
    assert thread is not None
    thread = Comment.objects.select_for_update().get(pk=thread.pk)
    if (thread.resolved_at is not None) == resolved:
        return thread
    before = snapshot(thread, RESOLVED_AUDIT)
    thread.resolved_at = timezone.now() if resolved else None
    thread.resolved_by = actor if resolved and getattr(actor, "pk", None) else None
    thread.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        plan_uid=thread.plan_uid,
        obj=thread,
        operation=AuditEntry.Operation.UPDATE,
        before=before,
        after=snapshot(thread, RESOLVED_AUDIT),
    )
    return thread


def comments_of(plan_uid: uuid.UUID) -> list[Comment]:
    """The plan's threads (first comments) with their replies, oldest first; the authors'
    names are kept on the comments (no query to the users)."""
    threads: list[Comment] = []
    replies: dict[int, list[Comment]] = {}
    for comment in Comment.objects.filter(plan_uid=plan_uid):
        if comment.parent_id is None:
            threads.append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
    for thread in threads:
        thread.thread_replies = replies.get(thread.pk, [])  # type: ignore[attr-defined]
    return threads


def notify(users: Iterable[Any], text: str, url: str, *, skip: Any = None) -> int:
    """Tell these users (once each, not ``skip`` — the one who acted) with a link."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk is None or user.pk in seen or not user.is_active:
            continue
        if skip is not None and user.pk == getattr(skip, "pk", None):
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, text=text[:300], url=url[:300]))
    Notification.objects.bulk_create(rows)
    return len(rows)


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def check_scan(upload: UploadedFile | None) -> None:
    """A scanned resolution must be a PDF, JPEG or PNG of at most 10 MB."""
    if upload is None:
        return
    if upload.size is not None and upload.size > SCAN_MAX_BYTES:
        raise ApplicationError(
            "scan_too_large",
            _("The scanned resolution is larger than 10 MB; scan it again at a lower resolution."),
            Where(field="scan"),
        )
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in SCAN_TYPES):
        raise ApplicationError(
            "scan_type",
            _("The scanned resolution must be a PDF, JPEG or PNG file."),
            Where(field="scan"),
        )


def version_create(
    *,
    actor: Any,
    plan_uid: uuid.UUID,
    subject_label: str,
    number: int,
    is_amendment: bool,
    resolution_number: str,
    resolution_date: Any,
    signer: str,
    scan: UploadedFile | None,
    data: dict[str, Any],
) -> Version:
    """Store an approved version once; it can never be changed afterwards.

    The number is the plan's own version number (amendments add one), which the snapshot in
    ``data`` also carries. If a version with that number is already stored, something is
    inconsistent: approving again under another number would make the resolution, the
    snapshot and the plan disagree, so it is refused (the caller's transaction rolls back)."""
    if Version.objects.filter(plan_uid=plan_uid, number=number).exists():
        raise ApplicationError(
            "version_exists",
            _(
                "Version %(number)s of this plan is already approved and cannot be approved "
                "again. Start an amendment to make a new version."
            )
            % {"number": number},
        )
    version = Version(
        plan_uid=plan_uid,
        subject_label=subject_label,
        number=number,
        is_amendment=is_amendment,
        resolution_number=resolution_number,
        resolution_date=resolution_date,
        signer=signer,
        approved_by=actor if getattr(actor, "pk", None) else None,
        data=data,
    )
    if scan is not None:
        version.scan.save(scan.name or "scan", scan, save=False)
    version.save()
    return version


def version_mark_published(version: Version) -> Version:
    if version.published_at is None:
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
    return version
