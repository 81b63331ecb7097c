"""The re-encoding of an uploaded photo (``encode_photo``): recognised by Pillow with only the
JPEG, PNG and WebP decoders, its pixels counted from the header before anything is decoded,
decoded whole, turned upright, flattened onto white, moved into sRGB, reduced and written as a
new JPEG without any metadata, with its thumbnail."""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from kehoach.core.errors import ApplicationError
from kehoach.core.images.limits import (
    ALLOWED_FORMATS,
    JPEG_QUALITY,
    PHOTO_LONG_SIDE,
    THUMBNAIL_LONG_SIDE,
    THUMBNAIL_QUALITY,
    image_error,
    max_pixels,
)
from kehoach.core.numbers import format_number_vi

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
            raise image_error(
                "photo_type",
                _(
                    "Photo: the file is a %(kind)s file, which is not accepted. Send the photo "
                    "as JPEG, PNG or WebP."
                )
                % {"kind": kind},
            ) from exc
        raise image_error(
            "not_a_photo",
            _(
                "Photo: the file is not a photo (its content is not a JPEG, PNG or WebP image, "
                "whatever its name). Choose the photo file itself."
            ),
        ) from exc


def _too_many_pixels(image: Image.Image | None) -> ApplicationError:
    limit = format_number_vi(max_pixels() / 1_000_000, 1).removesuffix(",0")
    if image is None:
        return image_error(
            "photo_pixels",
            _("Photo: the image is larger than %(limit)s megapixels; reduce it and send it again.")
            % {"limit": limit},
        )
    return image_error(
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
            raise image_error(
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
