"""The limits of a photo: size, pixels, long sides, JPEG qualities, caption length, and the
shape of a refusal of the uploaded file (on the ``image`` field)."""

from __future__ import annotations

from django.conf import settings

from kehoach.core.errors import ApplicationError, Where

PHOTO_MAX_BYTES = 10 * 1024 * 1024
"""Default size limit of an uploaded file (``settings.KEHOACH_PHOTO_MAX_BYTES`` overrides)."""
PHOTO_MAX_PIXELS = 40_000_000
"""Default limit of width × height (``settings.KEHOACH_PHOTO_MAX_PIXELS`` overrides): a
40-megapixel photo is more than any phone takes; beyond it is a bomb or a scan of a poster."""
PHOTO_LONG_SIDE = 2560
THUMBNAIL_LONG_SIDE = 480
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
CAPTION_MAX = 300

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
STORED_CONTENT_TYPE = "image/jpeg"
STORED_EXTENSION = "jpg"


def max_bytes() -> int:
    return int(getattr(settings, "KEHOACH_PHOTO_MAX_BYTES", PHOTO_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "KEHOACH_PHOTO_MAX_PIXELS", PHOTO_MAX_PIXELS))


def image_error(code: str, text: str) -> ApplicationError:
    return ApplicationError(code, text, Where(field="image"))
