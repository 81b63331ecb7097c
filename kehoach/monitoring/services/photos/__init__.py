"""Photos of a work (F14: before, during, after), attached to a progress report.

An uploaded file is never kept as it came. The rules, each refusal naming the ``image`` field
(or ``stage``, ``caption``):

- a file is given, not empty, and not larger than ``KEHOACH_PHOTO_MAX_BYTES`` (10 MB);
- its content is a JPEG, PNG or WebP image, recognised by Pillow opening it with only those
  three decoders (never by the file name or the type the browser claims): an HTML page or a
  script renamed ``.jpg`` is "not a photo"; a GIF, TIFF, BMP, HEIC or PDF is named as such;
- it has at most ``KEHOACH_PHOTO_MAX_PIXELS`` pixels (40 megapixels), checked from the header
  before anything is decoded, so a small file that would unpack into gigabytes (a
  "decompression bomb") is refused; Pillow's own bomb check stays on behind it;
- it decodes completely (a truncated or damaged file is refused).

Then it is re-encoded by Pillow: turned upright by its EXIF orientation, flattened onto white
if it has transparency, its colours moved into sRGB by its colour profile (if any), reduced to
at most ``PHOTO_LONG_SIDE`` pixels on its long side and written as a new JPEG that carries no
metadata at all (no EXIF, GPS, camera, XMP, colour profile or comment). A JPEG thumbnail of
``THUMBNAIL_LONG_SIDE`` pixels is written beside it. Every stored photo is therefore a JPEG:
one format that every browser, Word document and PDF of the exchange app can show, whatever
was sent (docs/decisions.md).

Who may add or remove a photo: whoever may report progress on the work
(``Action.REPORT_PROGRESS`` on its commune), while the work is followed (``require_work``).

One module per job: ``kehoach.core.images.limits`` (the limits and the refusal's shape, shared
with the PRA photos of the plans app), ``kehoach.core.images.upload`` (the checks before decoding),
``kehoach.core.images.encoding`` (``encode_photo``) and ``writers`` (``photo_add``,
``photo_remove`` and their check-only twins); every name is importable from
``kehoach.monitoring.services.photos``.
"""

from __future__ import annotations

from kehoach.core.images.encoding import Encoded, encode_photo
from kehoach.core.images.limits import (
    ALLOWED_FORMATS,
    CAPTION_MAX,
    JPEG_QUALITY,
    PHOTO_LONG_SIDE,
    PHOTO_MAX_BYTES,
    PHOTO_MAX_PIXELS,
    STORED_CONTENT_TYPE,
    STORED_EXTENSION,
    THUMBNAIL_LONG_SIDE,
    THUMBNAIL_QUALITY,
    max_bytes,
    max_pixels,
)
from kehoach.core.images.upload import check_upload, original_name, size_text

from .writers import PHOTO_FIELDS, photo_add, photo_check, photo_remove, photo_remove_check

__all__ = [
    "ALLOWED_FORMATS",
    "CAPTION_MAX",
    "JPEG_QUALITY",
    "PHOTO_FIELDS",
    "PHOTO_LONG_SIDE",
    "PHOTO_MAX_BYTES",
    "PHOTO_MAX_PIXELS",
    "STORED_CONTENT_TYPE",
    "STORED_EXTENSION",
    "THUMBNAIL_LONG_SIDE",
    "THUMBNAIL_QUALITY",
    "Encoded",
    "check_upload",
    "encode_photo",
    "max_bytes",
    "max_pixels",
    "original_name",
    "photo_add",
    "photo_check",
    "photo_remove",
    "photo_remove_check",
    "size_text",
]
