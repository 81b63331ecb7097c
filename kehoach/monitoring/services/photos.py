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
"""

from __future__ import annotations

import contextlib
import io
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import snapshot
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.numbers import format_number_vi
from kehoach.core.text import nfc

from ..choices import PhotoStage
from ..models import ProgressPhoto, ProgressReport
from .common import record, require_work

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

_OTHER_KINDS: list[tuple[int, bytes, str]] = [
    (0, b"GIF87a", "GIF"),
    (0, b"GIF89a", "GIF"),
    (0, b"%PDF", "PDF"),
    (0, b"BM", "BMP"),
    (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"),
    (4, b"ftypheic", "HEIC"),
    (4, b"ftypheix", "HEIC"),
    (4, b"ftyphevc", "HEIC"),
    (4, b"ftypmif1", "HEIF"),
    (4, b"ftypmsf1", "HEIF"),
    (4, b"ftypavif", "AVIF"),
    (0, b"PK\x03\x04", "ZIP/Office"),
]
"""Files people send instead of a photo, recognised by their first bytes only to say what they
are in the message; none of them is ever decoded."""


def max_bytes() -> int:
    return int(getattr(settings, "KEHOACH_PHOTO_MAX_BYTES", PHOTO_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "KEHOACH_PHOTO_MAX_PIXELS", PHOTO_MAX_PIXELS))


def size_text(size: int) -> str:
    """A file size as people say it: "12,3 MB", "850 KB"."""
    if size >= 1024 * 1024:
        text = format_number_vi(size / (1024 * 1024), 1)
        return (text[:-2] if text.endswith(",0") else text) + " MB"
    return format_number_vi(max(1, round(size / 1024)), 0) + " KB"


def _image_error(code: str, text: str) -> ApplicationError:
    return ApplicationError(code, text, Where(field="image"))


@dataclass(frozen=True)
class Encoded:
    """A photo as kehoach re-encoded it, ready to store."""

    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _other_kind(head: bytes) -> str | None:
    for offset, magic, kind in _OTHER_KINDS:
        if head[offset : offset + len(magic)] == magic:
            return kind
    return None


_STRICT = threading.Lock()


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """Decode with truncated files refused. WeasyPrint, once imported (documents), sets Pillow's
    process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES``, with which an incomplete upload would load
    with its missing part painted grey; a photo must decode whole. The flag is set back after,
    under a lock (WeasyPrint only draws kehoach's own complete images)."""
    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _open(upload: IO[bytes]) -> Image.Image:
    """The image, opened (header read, nothing decoded) by one of the allowed decoders."""
    head = upload.read(16)
    upload.seek(0)
    try:
        return Image.open(upload, formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(None) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        kind = _other_kind(head)
        if kind is not None:
            raise _image_error(
                "photo_type",
                _(
                    "Photo: the file is a %(kind)s file, which is not accepted. Send the photo "
                    "as JPEG, PNG or WebP."
                )
                % {"kind": kind},
            ) from exc
        raise _image_error(
            "not_a_photo",
            _(
                "Photo: the file is not a photo (its content is not a JPEG, PNG or WebP image, "
                "whatever its name). Choose the photo file itself."
            ),
        ) from exc


def _too_many_pixels(image: Image.Image | None) -> ApplicationError:
    limit = format_number_vi(max_pixels() / 1_000_000, 1).removesuffix(",0")
    if image is None:
        return _image_error(
            "photo_pixels",
            _("Photo: the image is larger than %(limit)s megapixels; reduce it and send it again.")
            % {"limit": limit},
        )
    return _image_error(
        "photo_pixels",
        _(
            "Photo: the image is %(width)s × %(height)s pixels, more than %(limit)s megapixels; "
            "reduce it and send it again."
        )
        % {
            "width": format_number_vi(image.width, 0),
            "height": format_number_vi(image.height, 0),
            "limit": limit,
        },
    )


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels only: transparency laid on white; grey, 16-bit and palettes converted."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc: Any) -> Image.Image | None:
    """The pixels moved from the photo's colour profile (Display P3 of recent phones, Adobe
    RGB of cameras, the CMYK of a print file) into sRGB, so that the stored file needs no
    profile; None when there is no usable profile."""
    if not isinstance(icc, bytes) or not icc or image.mode not in ("RGB", "CMYK"):
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, profile, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


def _pixels(image: Image.Image, icc: Any) -> Image.Image:
    """Upright RGB pixels in sRGB, nothing else of the file."""
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode == "CMYK":
        return _to_srgb(upright, icc) or upright.convert("RGB")
    flat = _flatten(upright)
    if upright.mode in ("RGB", "RGBA", "RGBX"):
        return _to_srgb(flat, icc) or flat
    return flat


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.info = {}  # nothing of the upload's metadata (Pillow writes a JPEG comment from info)
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


_RESIZED_AS_IS = ("RGB", "RGBA", "L", "LA", "CMYK")
"""Modes Pillow resizes well as they are (transparency included); a palette or 16-bit image is
converted before it is reduced."""


def encode_photo(upload: IO[bytes]) -> Encoded:
    """Check an uploaded file is a photo within the limits and re-encode it (see the module's
    docstring); raises ``ApplicationError`` on the ``image`` field otherwise."""
    source = _open(upload)
    with source:
        if source.width * source.height > max_pixels():
            raise _too_many_pixels(source)
        scale = PHOTO_LONG_SIDE / max(source.width, source.height, 1)
        if source.format == "JPEG" and scale < 1:
            # Let the JPEG decoder skip what is not kept (at ½, ¼ or ⅛ of the size).
            source.draft(None, (round(source.width * scale), round(source.height * scale)))
        try:
            with _strict_decoding():
                source.load()
            if source.mode in _RESIZED_AS_IS:
                # Reduce first: every later step then works on at most 2560 × 2560 pixels.
                source.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE), Image.Resampling.LANCZOS)
            pixels = _pixels(source, source.info.get("icc_profile"))
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels(source) from exc
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError) as exc:
            raise _image_error(
                "photo_damaged",
                _(
                    "Photo: the file is damaged or incomplete and cannot be read. Copy it from "
                    "the camera or phone again and send it."
                ),
            ) from exc
    pixels.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE), Image.Resampling.LANCZOS)
    small = pixels.copy()
    small.thumbnail((THUMBNAIL_LONG_SIDE, THUMBNAIL_LONG_SIDE), Image.Resampling.LANCZOS)
    return Encoded(
        image=_jpeg(pixels, JPEG_QUALITY),
        thumbnail=_jpeg(small, THUMBNAIL_QUALITY),
        width=pixels.width,
        height=pixels.height,
    )


def check_upload(upload: Any) -> None:
    """A file is given, not empty and within the size limit (before anything is read)."""
    if upload is None:
        raise _image_error("photo_required", _("Photo: choose the photo file to send."))
    size = getattr(upload, "size", None)
    if size is None:
        size = len(upload.read())
        upload.seek(0)
    if size == 0:
        raise _image_error(
            "photo_empty", _("Photo: the file is empty; choose the photo file again.")
        )
    if size > max_bytes():
        raise _image_error(
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
    line = require_work(actor, report.line, Action.REPORT_PROGRESS)
    stage = _clean_stage(stage)
    text = _clean_caption(caption)
    check_upload(upload)
    encoded = encode_photo(upload)
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


@transaction.atomic
def photo_remove(*, actor: Any, photo: ProgressPhoto) -> None:
    """Remove a photo (a wrong one is easily sent): whoever may report on the work may, the
    removal is audited with what the photo was, and its files are deleted once the removal is
    committed."""
    current = (
        ProgressPhoto.objects.select_related("report__line").filter(pk=photo.pk).first()
        if photo.pk
        else None
    )
    if current is None:
        raise NotFoundError()
    line = require_work(actor, current.report.line, Action.REPORT_PROGRESS)
    if not ProgressPhoto.objects.filter(pk=current.pk).exists():
        raise NotFoundError()  # removed meanwhile by someone else (removals wait on the lock)
    before = snapshot(current, PHOTO_FIELDS)
    record(actor, line.plan, current, "delete", PHOTO_FIELDS, before=before)
    storage = current.image.storage
    names = [current.image.name, current.thumbnail.name]
    current.delete()
    transaction.on_commit(lambda: _delete_files(storage, names))
