"""Photos of a work: stored re-encoded with a thumbnail and without metadata; every bad file
refused with its Vietnamese message and nothing stored; who may add, see and remove; the
headers a photo is served with; the work page's queries do not grow with its photos."""

from __future__ import annotations

import io
import struct
import unicodedata
import zlib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import dong_hoi

from ..models import ProgressPhoto, ProgressReport
from ..services.photos import photo_add, photo_remove
from ..services.progress import progress_report_create
from .factories import followed_plan, report_data

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


# --- files ---------------------------------------------------------------------------------


def jpeg(
    size: tuple[int, int] = (3000, 2000),
    *,
    gps: bool = True,
    orientation: int | None = None,
    noise: bool = False,
    quality: int = 85,
) -> bytes:
    """A JPEG as a phone makes it: camera make, GPS position, a comment."""
    image = (
        Image.effect_noise(size, 80).convert("RGB")
        if noise
        else Image.new("RGB", size, (120, 140, 90))
    )
    exif = Image.Exif()
    exif[0x010F] = "Samsung"
    exif[0x0110] = "Galaxy A15"
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (16.0, 45.0, 10.5), 3: "E", 4: (107.0, 11.0, 3.2)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"Hai Lang 16.75N", quality=quality)
    return out.getvalue()


def png(size: tuple[int, int] = (800, 600), *, transparent: bool = True) -> bytes:
    image = Image.new("RGBA", size, (200, 30, 30, 255))
    if transparent:
        for x in range(size[0] // 2):
            for y in range(10):
                image.putpixel((x, y), (0, 0, 0, 0))
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (16.0, 45.0, 10.5), 3: "E", 4: (107.0, 11.0, 3.2)}
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif.tobytes())
    return out.getvalue()


def webp(size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 60, 200)).save(out, "WEBP")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 128, 0)).save(out, "GIF")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small, valid-looking PNG whose header claims huge dimensions (a decompression bomb
    needs nothing more to be dangerous: the pixels are made only when it is decoded)."""
    data = bytearray(png((8, 8), transparent=False))
    ihdr = bytearray(data[16:29])
    ihdr[0:8] = struct.pack(">II", width, height)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)))
    return bytes(data)


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(content: bytes, name: str = "anh.jpg", content_type: str = "image/jpeg") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files() -> set[str]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "photos"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def opened(field: Any) -> Image.Image:
    with field.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


# --- the world -----------------------------------------------------------------------------


@pytest.fixture
def world() -> dict[str, Any]:
    world = followed_plan()
    world["report"] = progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(),
        disbursed={world["ntp"]: Decimal(250)},
    )
    return world


def _add(world: dict[str, Any], content: bytes | None = None, **kwargs: Any) -> ProgressPhoto:
    options: dict[str, Any] = {
        "actor": world["planner"],
        "report": world["report"],
        "stage": "during",
        "upload": upload(jpeg((800, 600)) if content is None else content),
        "caption": "Đổ bê tông đoạn 200 m đầu",
    }
    options.update(kwargs)
    return photo_add(**options)


# --- stored re-encoded ---------------------------------------------------------------------


def test_a_jpeg_is_stored_re_encoded_small_upright_and_without_metadata(
    world: dict[str, Any],
) -> None:
    content = jpeg((3000, 2000))
    sent = Image.open(io.BytesIO(content))
    assert sent.getexif().get_ifd(GPS_IFD) and sent.info["comment"], "the phone's metadata"
    name = unicodedata.normalize("NFD", "  Ảnh đường xóm Trên.jpg ")
    photo = _add(world, upload=upload(content, name=name))
    photo.refresh_from_db()
    assert (photo.width, photo.height) == (2560, 1707)
    assert photo.content_type == "image/jpeg" and photo.extension == "jpg"
    assert photo.original_name == "Ảnh đường xóm Trên.jpg"
    assert unicodedata.is_normalized("NFC", photo.original_name)
    assert photo.uploaded_by == world["planner"]
    assert photo.image.name == f"photos/{photo.uid}.jpg"
    assert photo.thumbnail.name == f"photos/{photo.uid}-nho.jpg"
    assert photo.size == photo.image.size

    image = opened(photo.image)
    assert image.format == "JPEG" and image.size == (2560, 1707)
    assert not image.getexif(), "no EXIF at all: no camera, no GPS"
    assert "exif" not in image.info and "comment" not in image.info
    assert "icc_profile" not in image.info and "xmp" not in image.info
    thumbnail = opened(photo.thumbnail)
    assert thumbnail.format == "JPEG" and thumbnail.size == (480, 320)
    assert not thumbnail.getexif()

    entry = AuditEntry.objects.get(subject_label="monitoring.progressphoto")
    assert entry.operation == "create" and entry.plan_uid == world["plan"].uid
    assert entry.after["stage"] == "during" and entry.after["width"] == 2560


def test_the_exif_orientation_is_applied(world: dict[str, Any]) -> None:
    photo = _add(world, jpeg((400, 200), orientation=6))
    assert (photo.width, photo.height) == (200, 400)
    assert opened(photo.image).size == (200, 400)


@pytest.mark.parametrize(
    ("content", "name", "size"),
    [
        (png((800, 600)), "so-do.png", (800, 600)),
        (webp((640, 480)), "anh.webp", (640, 480)),
    ],
)
def test_png_and_webp_are_stored_as_jpeg_with_a_thumbnail_and_no_metadata(
    world: dict[str, Any], content: bytes, name: str, size: tuple[int, int]
) -> None:
    photo = _add(world, upload=upload(content, name=name, content_type="image/png"))
    image = opened(photo.image)
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == size
    assert not image.getexif() and "exif" not in image.info
    assert photo.image.name.endswith(".jpg") and (photo.width, photo.height) == size
    thumbnail = opened(photo.thumbnail)
    assert thumbnail.format == "JPEG" and max(thumbnail.size) == 480


def test_transparency_is_laid_on_white(world: dict[str, Any]) -> None:
    photo = _add(world, png((800, 600)))
    red, green, blue = opened(photo.image).getpixel((10, 2))  # type: ignore[misc]
    assert min(red, green, blue) > 240


# --- refused -------------------------------------------------------------------------------


def _message(msgid: str, **values: Any) -> str:
    with translation.override("vi"):
        return gettext(msgid) % values if values else gettext(msgid)


NOT_A_PHOTO = (
    "Photo: the file is not a photo (its content is not a JPEG, PNG or WebP image, whatever "
    "its name). Choose the photo file itself."
)
OTHER_TYPE = (
    "Photo: the file is a %(kind)s file, which is not accepted. Send the photo as JPEG, PNG or "
    "WebP."
)
TOO_MANY_PIXELS = (
    "Photo: the image is %(width)s × %(height)s pixels, more than %(limit)s megapixels; reduce "
    "it and send it again."
)
BOMB = "Photo: the image is larger than %(limit)s megapixels; reduce it and send it again."
DAMAGED = (
    "Photo: the file is damaged or incomplete and cannot be read. Copy it from the camera or "
    "phone again and send it."
)
TOO_LARGE = (
    "Photo: the file is %(size)s, larger than the %(limit)s allowed. Send a smaller photo (most "
    "phones can share a photo at a reduced size)."
)


def _refused(world: dict[str, Any], **kwargs: Any) -> ApplicationError:
    files = stored_files()
    with translation.override("vi"), pytest.raises(ApplicationError) as caught:
        _add(world, **kwargs)
    assert not ProgressPhoto.objects.exists()
    assert not AuditEntry.objects.filter(subject_label="monitoring.progressphoto").exists()
    assert stored_files() == files
    return caught.value


TRUNCATED = jpeg((600, 400), noise=True)


@pytest.mark.parametrize(
    ("content", "name", "code", "message", "values"),
    [
        (HTML, "anh-cong-trinh.jpg", "not_a_photo", NOT_A_PHOTO, {}),
        (b"#!/bin/sh\nrm -rf /\n", "anh.jpg", "not_a_photo", NOT_A_PHOTO, {}),
        (PDF, "bien-ban.jpg", "photo_type", OTHER_TYPE, {"kind": "PDF"}),
        (gif(), "anh.gif", "photo_type", OTHER_TYPE, {"kind": "GIF"}),
        (TRUNCATED[: len(TRUNCATED) // 2], "anh.jpg", "photo_damaged", DAMAGED, {}),
    ],
    ids=["html-renamed-jpg", "script", "pdf", "gif", "truncated"],
)
def test_a_file_that_is_not_an_allowed_photo_is_refused(
    world: dict[str, Any],
    content: bytes,
    name: str,
    code: str,
    message: str,
    values: dict[str, str],
) -> None:
    error = _refused(world, upload=upload(content, name=name, content_type="image/jpeg"))
    assert (error.code, error.where.field) == (code, "image")
    assert error.message == _message(message, **values)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(world: dict[str, Any]) -> None:
    error = _refused(world, content=png_claiming(8000, 6000))
    assert error.code == "photo_pixels" and error.where.field == "image"
    assert error.message == _message(TOO_MANY_PIXELS, width="8.000", height="6.000", limit="40")


def test_a_bomb_beyond_pillows_own_limit_is_refused_too(world: dict[str, Any]) -> None:
    error = _refused(world, content=png_claiming(50_000, 50_000))
    assert error.code == "photo_pixels"
    assert error.message == _message(BOMB, limit="40")


def test_the_pixel_limit_is_a_setting(world: dict[str, Any], settings: Any) -> None:
    settings.KEHOACH_PHOTO_MAX_PIXELS = 100_000
    error = _refused(world, content=jpeg((400, 300)))
    assert error.message == _message(TOO_MANY_PIXELS, width="400", height="300", limit="0,1")
    assert _add(world, jpeg((300, 300))).width == 300


def test_a_file_above_the_size_limit_is_refused(world: dict[str, Any], settings: Any) -> None:
    settings.KEHOACH_PHOTO_MAX_BYTES = 20 * 1024
    content = jpeg((600, 400), noise=True, quality=95)
    assert len(content) > 20 * 1024
    error = _refused(world, content=content)
    assert error.code == "photo_too_large" and error.where.field == "image"
    size = f"{round(len(content) / 1024)} KB"
    assert error.message == _message(TOO_LARGE, size=size, limit="20 KB")


def test_the_default_size_limit_is_10_mb(world: dict[str, Any]) -> None:
    content = b"\xff\xd8\xff\xe0" + b"\0" * (10 * 1024 * 1024)
    error = _refused(world, content=content)
    assert error.message == _message(TOO_LARGE, size="10 MB", limit="10 MB")


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"upload": None}, "image", "photo_required"),
        ({"upload": SimpleUploadedFile("anh.jpg", b"")}, "image", "photo_empty"),
        ({"stage": "midway"}, "stage", "photo_stage"),
        ({"caption": "Đoạn đường " * 40}, "caption", "caption_long"),
    ],
    ids=["no-file", "empty", "stage", "caption"],
)
def test_each_other_rule_names_its_field(
    world: dict[str, Any], kwargs: dict[str, Any], field: str, code: str
) -> None:
    error = _refused(world, **kwargs)
    assert (error.code, error.where.field) == (code, field)
    assert error.message


def test_the_messages_are_vietnamese(world: dict[str, Any]) -> None:
    error = _refused(world, upload=None)
    assert error.message == _message("Photo: choose the photo file to send.")
    error = _refused(world, stage="midway")
    assert error.message == _message("Stage: choose before, during or after the works.")


# --- who may -------------------------------------------------------------------------------


def test_another_communes_planner_cannot_add_or_remove(world: dict[str, Any]) -> None:
    other = commune_planner(dong_hoi())
    with pytest.raises(NotFoundError):
        _add(world, actor=other)
    assert not ProgressPhoto.objects.exists()
    photo = _add(world)
    with pytest.raises(NotFoundError):
        photo_remove(actor=other, photo=photo)
    assert ProgressPhoto.objects.filter(pk=photo.pk).exists()


def test_a_donor_viewer_cannot_add(world: dict[str, Any]) -> None:
    donor = user_with_role(Role.DONOR_VIEWER, world["commune"])
    with pytest.raises(NotFoundError):
        _add(world, actor=donor)
    assert not ProgressPhoto.objects.exists()


def test_an_unfunded_line_takes_no_photo(world: dict[str, Any]) -> None:
    report = ProgressReport.objects.create(
        line=world["farm"], reported_on=world["report"].reported_on, quantity_done=0
    )
    with pytest.raises(ApplicationError) as caught:
        _add(world, report=report)
    assert caught.value.code == "not_a_work"


# --- removal -------------------------------------------------------------------------------


def test_removing_deletes_the_row_then_the_files_after_commit(
    world: dict[str, Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    photo = _add(world)
    image, thumbnail = Path(photo.image.path), Path(photo.thumbnail.path)
    pk = photo.pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo_remove(actor=world["planner"], photo=photo)
    assert not ProgressPhoto.objects.filter(pk=pk).exists()
    assert image.exists() and thumbnail.exists(), "kept until the removal is committed"
    for callback in callbacks:
        callback()
    assert not image.exists() and not thumbnail.exists()
    entry = AuditEntry.objects.get(subject_label="monitoring.progressphoto", operation="delete")
    assert entry.subject_id == str(pk) and entry.actor == world["planner"]
    assert entry.before["caption"] == "Đổ bê tông đoạn 200 m đầu"
    with pytest.raises(NotFoundError):
        photo_remove(actor=world["planner"], photo=photo)


# --- views ---------------------------------------------------------------------------------


def _work_url(world: dict[str, Any], line: str = "road") -> str:
    return reverse("monitoring:work", args=[world["plan"].uid, world[line].uid])


def _add_url(world: dict[str, Any]) -> str:
    return reverse("monitoring:photo_add", args=[world["plan"].uid, world["road"].uid])


def _photo_urls(world: dict[str, Any], photo: ProgressPhoto) -> dict[str, str]:
    args = [world["plan"].uid, photo.uid]
    return {
        name: reverse(f"monitoring:{name}", args=args)
        for name in ("photo", "photo_thumbnail", "photo_remove")
    }


def _post_photo(client: Client, world: dict[str, Any], content: bytes, name: str) -> Any:
    return client.post(
        _add_url(world),
        {
            "report": str(world["report"].uid),
            "stage": "before",
            "caption": "Mặt đường trước khi làm",
            "image": upload(content, name=name),
        },
    )


@pytest.fixture
def planner_client(client: Client, world: dict[str, Any]) -> Client:
    client.force_login(world["planner"])
    return client


def test_the_planner_adds_a_photo_on_the_work_page(
    planner_client: Client, world: dict[str, Any]
) -> None:
    page = planner_client.get(_work_url(world))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="photo-form"' in body and 'enctype="multipart/form-data"' in body
    response = _post_photo(planner_client, world, jpeg((1200, 900)), "mat-duong.jpg")
    assert response.status_code == 302
    assert response["Location"] == _work_url(world) + "#photos"
    photo = ProgressPhoto.objects.get()
    assert (photo.stage, photo.caption, photo.report) == (
        "before",
        "Mặt đường trước khi làm",
        world["report"],
    )
    body = planner_client.get(_work_url(world)).content.decode()
    urls = _photo_urls(world, photo)
    assert f'href="{urls["photo"]}"' in body
    assert f'src="{urls["photo_thumbnail"]}"' in body
    assert 'alt="Mặt đường trước khi làm"' in body
    assert f'action="{urls["photo_remove"]}"' in body


def test_a_photo_without_caption_has_alt_text_from_stage_and_date(
    planner_client: Client, world: dict[str, Any]
) -> None:
    _add(world, caption="")
    body = planner_client.get(_work_url(world)).content.decode()
    with translation.override("vi"):
        alt = gettext("%(stage)s — photo of %(date)s") % {
            "stage": gettext("During the works"),
            "date": "30/11/2026",
        }
    assert f'alt="{escape(alt)}"' in body


def test_an_html_file_renamed_jpg_is_refused_on_the_page(
    planner_client: Client, world: dict[str, Any]
) -> None:
    files = stored_files()
    response = _post_photo(planner_client, world, HTML, "anh-dep.jpg")
    assert response.status_code == 400
    body = response.content.decode()
    assert escape(_message(NOT_A_PHOTO)) in body
    assert 'id="photo-form"' in body and 'id="report-form"' in body
    assert "<script>alert" not in body
    assert not ProgressPhoto.objects.exists() and stored_files() == files


def test_a_work_without_report_asks_for_one_first(
    planner_client: Client, world: dict[str, Any]
) -> None:
    body = planner_client.get(_work_url(world, "school")).content.decode()
    assert 'id="photos-report-first"' in body and 'id="photo-form"' not in body


def test_a_photo_is_served_as_an_image_only(planner_client: Client, world: dict[str, Any]) -> None:
    photo = _add(world, upload=upload(jpeg((1200, 900)), name='Ảnh đường "xóm" Trên.jpg'))
    urls = _photo_urls(world, photo)
    for name, size in (("photo", (1200, 900)), ("photo_thumbnail", (480, 360))):
        response = planner_client.get(urls[name])
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        )
        assert response["Cache-Control"].startswith("private, max-age=")
        suffix = "-nho" if name == "photo_thumbnail" else ""
        assert response["Content-Disposition"] == (
            f'inline; filename="anh-duong-xom-tren{suffix}.jpg"'
        )
        data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert data.startswith(b"\xff\xd8\xff")
        assert Image.open(io.BytesIO(data)).size == size


def test_anonymous_users_are_sent_to_log_in(client: Client, world: dict[str, Any]) -> None:
    photo = _add(world)
    for url in _photo_urls(world, photo).values():
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_another_commune_gets_404_everywhere(client: Client, world: dict[str, Any]) -> None:
    photo = _add(world)
    client.force_login(commune_planner(dong_hoi()))
    urls = _photo_urls(world, photo)
    assert client.get(urls["photo"]).status_code == 404
    assert client.get(urls["photo_thumbnail"]).status_code == 404
    assert client.post(urls["photo_remove"]).status_code == 404
    assert _post_photo(client, world, jpeg((300, 200)), "a.jpg").status_code == 404
    assert list(ProgressPhoto.objects.all()) == [photo]


def test_a_photo_is_found_only_under_its_own_plan(client: Client, world: dict[str, Any]) -> None:
    photo = _add(world)
    other = followed_plan(dong_hoi())
    client.force_login(other["planner"])
    for name in ("photo", "photo_thumbnail", "photo_remove"):
        url = reverse(f"monitoring:{name}", args=[other["plan"].uid, photo.uid])
        response = client.post(url) if name == "photo_remove" else client.get(url)
        assert response.status_code == 404
    assert ProgressPhoto.objects.filter(pk=photo.pk).exists()


def test_a_donor_viewer_sees_the_photos_but_cannot_add_or_remove(
    client: Client, world: dict[str, Any]
) -> None:
    photo = _add(world)
    client.force_login(user_with_role(Role.DONOR_VIEWER, world["commune"]))
    body = client.get(_work_url(world)).content.decode()
    urls = _photo_urls(world, photo)
    assert f'src="{urls["photo_thumbnail"]}"' in body
    assert 'id="photo-form"' not in body and urls["photo_remove"] not in body
    assert client.get(urls["photo"]).status_code == 200
    assert _post_photo(client, world, jpeg((300, 200)), "a.jpg").status_code == 404
    assert client.post(urls["photo_remove"]).status_code == 404
    assert list(ProgressPhoto.objects.all()) == [photo]


def test_the_planner_removes_a_photo(
    planner_client: Client,
    world: dict[str, Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    photo = _add(world)
    image = Path(photo.image.path)
    url = _photo_urls(world, photo)["photo_remove"]
    assert planner_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = planner_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == _work_url(world) + "#photos"
    assert not ProgressPhoto.objects.exists() and not image.exists()
    assert AuditEntry.objects.filter(
        subject_label="monitoring.progressphoto", operation="delete"
    ).exists()


TINY = jpeg((64, 48))


def _page_queries(client: Client, world: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_work_url(world))
    assert response.status_code == 200
    return len(queries)


def test_the_work_page_queries_do_not_grow_with_photos(
    planner_client: Client, world: dict[str, Any]
) -> None:
    for stage in ("before", "during", "after"):
        _add(world, TINY, stage=stage)
    few = _page_queries(planner_client, world)
    second = progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(reported_on=world["report"].reported_on, quantity_done=1),
        disbursed={world["ntp"]: Decimal(400)},
    )
    for i in range(15):
        _add(world, TINY, stage=("before", "during", "after")[i % 3], report=second)
    many = _page_queries(planner_client, world)
    assert many == few
    assert many <= 40
    body = planner_client.get(_work_url(world)).content.decode()
    assert body.count('loading="lazy"') == 18


def test_a_truncated_photo_is_refused_even_after_weasyprint_is_loaded(
    world: dict[str, Any],
) -> None:
    import weasyprint  # noqa: F401 - sets Pillow's LOAD_TRUNCATED_IMAGES for the process
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    whole = jpeg((800, 600), noise=True)
    error = _refused(world, content=whole[: len(whole) // 2])
    assert error.code == "photo_damaged"
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # set back for WeasyPrint
