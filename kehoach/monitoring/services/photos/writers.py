"""Adding and removing a photo of a progress report (the writes): whoever may report progress
on the work (``Action.REPORT_PROGRESS`` on its commune), while the work is followed
(``require_work``); each change is audited in the commune plan's history."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import snapshot
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.images.encoding import Encoded, encode_photo
from kehoach.core.images.limits import CAPTION_MAX, STORED_CONTENT_TYPE, STORED_EXTENSION
from kehoach.core.images.upload import check_upload, original_name
from kehoach.core.text import nfc

from ...choices import PhotoStage
from ...models import ProgressPhoto, ProgressReport
from ..common import record, require_work

PHOTO_FIELDS = [
    "report",
    "stage",
    "caption",
    "content_type",
    "width",
    "height",
    "size",
    "original_name",
]


def _clean_stage(stage: Any) -> str:
    if stage not in PhotoStage.values:
        raise ApplicationError(
            "photo_stage",
            _("Stage: choose before, during or after the works."),
            Where(field="stage"),
        )
    return str(stage)


def _clean_caption(caption: Any) -> str:
    text = nfc(str(caption or ""))
    if len(text) > CAPTION_MAX:
        raise ApplicationError(
            "caption_long",
            _("Caption: at most %(max)s characters (now %(count)s).")
            % {"max": CAPTION_MAX, "count": len(text)},
            Where(field="caption"),
        )
    return text


def _checked(
    actor: Any, report: ProgressReport, stage: Any, upload: Any, caption: Any, *, lock: bool
) -> tuple[Any, str, str, Encoded]:
    """Every check of ``photo_add`` (who may, the work, the stage, the caption, the file and
    its decoding), shared with ``photo_check``: the work, the clean stage and caption and the
    re-encoded photo (in memory), or the ``ApplicationError``."""
    line = require_work(actor, report.line, Action.REPORT_PROGRESS, lock=lock)
    stage = _clean_stage(stage)
    text = _clean_caption(caption)
    check_upload(upload)
    return line, stage, text, encode_photo(upload)


def photo_check(
    *, actor: Any, report: ProgressReport, stage: str, upload: Any, caption: str = ""
) -> dict[str, int]:
    """What ``photo_add`` would answer, by its own checks, storing nothing, writing nothing and
    locking nothing (a dry run of the API): ``{"added": 1}`` or the same refusal."""
    _checked(actor, report, stage, upload, caption, lock=False)
    return {"added": 1}


@transaction.atomic
def photo_add(
    *,
    actor: Any,
    report: ProgressReport,
    stage: str,
    upload: Any,
    caption: str = "",
) -> ProgressPhoto:
    """Attach a photo to a progress report of a work: checked, re-encoded, stored privately
    with its thumbnail, audited in the commune plan's history."""
    line, stage, text, encoded = _checked(actor, report, stage, upload, caption, lock=True)
    photo = ProgressPhoto(
        report=report,
        stage=stage,
        caption=text,
        extension=STORED_EXTENSION,
        content_type=STORED_CONTENT_TYPE,
        width=encoded.width,
        height=encoded.height,
        size=len(encoded.image),
        original_name=original_name(upload),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    photo.image.save(f"{photo.uid}.{STORED_EXTENSION}", ContentFile(encoded.image), save=False)
    try:
        photo.thumbnail.save(f"{photo.uid}-nho.jpg", ContentFile(encoded.thumbnail), save=False)
        photo.save()
        record(actor, line.plan, photo, "create", PHOTO_FIELDS)
    except BaseException:
        _delete_files(photo.image.storage, [photo.image.name, photo.thumbnail.name])
        raise
    # Should an outer transaction roll back, the files would stay unreferenced: none of our
    # callers wraps this in a larger transaction.
    return photo


def _delete_files(storage: Any, names: list[str | None]) -> None:
    for name in names:
        if name:
            storage.delete(name)


def _removable(actor: Any, photo: ProgressPhoto, *, lock: bool) -> tuple[ProgressPhoto, Any]:
    """Every check of ``photo_remove`` (the photo still there, who may, the work followed),
    shared with ``photo_remove_check``: the photo as saved and its work."""
    current = (
        ProgressPhoto.objects.select_related("report__line").filter(pk=photo.pk).first()
        if photo.pk
        else None
    )
    if current is None:
        raise NotFoundError()
    line = require_work(actor, current.report.line, Action.REPORT_PROGRESS, lock=lock)
    return current, line


def photo_remove_check(*, actor: Any, photo: ProgressPhoto) -> dict[str, int]:
    """What ``photo_remove`` would answer, by its own checks, removing nothing and locking
    nothing (a dry run of the API): ``{"removed": 1}`` or the same refusal."""
    _removable(actor, photo, lock=False)
    return {"removed": 1}


@transaction.atomic
def photo_remove(*, actor: Any, photo: ProgressPhoto) -> None:
    """Remove a photo (a wrong one is easily sent): whoever may report on the work may, the
    removal is audited with what the photo was, and its files are deleted once the removal is
    committed."""
    current, line = _removable(actor, photo, lock=True)
    if not ProgressPhoto.objects.filter(pk=current.pk).exists():
        raise NotFoundError()  # removed meanwhile by someone else (removals wait on the lock)
    before = snapshot(current, PHOTO_FIELDS)
    record(actor, line.plan, current, "delete", PHOTO_FIELDS, before=before)
    storage = current.image.storage
    names = [current.image.name, current.thumbnail.name]
    current.delete()
    transaction.on_commit(lambda: _delete_files(storage, names))
