"""The checks of an uploaded file before anything of it is decoded (given, not empty, within
the size limit) and the name it had."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.images.limits import image_error, max_bytes
from kehoach.core.numbers import format_number_vi
from kehoach.core.text import nfc


def size_text(size: int) -> str:
    """A file size as people say it: "12,3 MB", "850 KB"."""
    if size >= 1024 * 1024:
        text = format_number_vi(size / (1024 * 1024), 1)
        return (text[:-2] if text.endswith(",0") else text) + " MB"
    return format_number_vi(max(1, round(size / 1024)), 0) + " KB"


def check_upload(upload: Any) -> None:
    """A file is given, not empty and within the size limit (before anything is read)."""
    if upload is None:
        raise image_error("photo_required", _("Photo: choose the photo file to send."))
    size = getattr(upload, "size", None)
    if size is None:
        size = len(upload.read())
        upload.seek(0)
    if size == 0:
        raise image_error(
            "photo_empty", _("Photo: the file is empty; choose the photo file again.")
        )
    if size > max_bytes():
        raise image_error(
            "photo_too_large",
            _(
                "Photo: the file is %(size)s, larger than the %(limit)s allowed. Send a smaller "
                "photo (most phones can share a photo at a reduced size)."
            )
            % {"size": size_text(size), "limit": size_text(max_bytes())},
        )


def original_name(upload: Any) -> str:
    """The name the file had, NFC, without any folder or control characters, ≤ 255."""
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return nfc(name)[:255]
