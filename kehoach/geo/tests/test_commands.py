from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from kehoach.accounts.tests.factories import commune_planner
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import hai_lang

pytestmark = pytest.mark.django_db


def test_load_units_prints_a_vietnamese_summary_and_is_idempotent() -> None:
    out = StringIO()
    call_command("load_units", stdout=out)
    call_command("load_units", stdout=out)
    first, second = out.getvalue().strip().splitlines()
    assert "3355 mới" in first
    assert "0 mới" in second and "3355 không đổi" in second


def test_load_legacy_units_refuses_a_bad_file_and_loads_the_example(tmp_path: Path) -> None:
    call_command("load_units", stdout=StringIO())
    bad = tmp_path / "bad.csv"
    bad.write_text("level,code,name\nxa,abc,Xã Lạ\n", encoding="utf-8")
    with pytest.raises(CommandError, match="chưa nạp gì"):
        call_command("load_legacy_units", str(bad))

    out = StringIO()
    call_command(
        "load_legacy_units",
        str(Path(settings.BASE_DIR) / "examples" / "legacy-units-quang-tri.csv"),
        stdout=out,
    )
    assert "5 mới" in out.getvalue()


def test_load_villages_from_a_file(tmp_path: Path) -> None:
    hai_lang()
    source = tmp_path / "thon.csv"
    source.write_text("Tên thôn,Loại\nThôn Diên Sanh,thôn\nBản Chân Rò,bản\n", encoding="utf-8")
    out = StringIO()
    call_command("load_villages", "19702", str(source), stdout=out)
    assert "thêm 2 thôn" in out.getvalue()
    with pytest.raises(CommandError, match="Không có xã mã 99999"):
        call_command("load_villages", "99999", str(source))


def test_import_page_lists_every_wrong_row_and_adds_nothing() -> None:
    commune = hai_lang()
    client = Client()
    client.force_login(commune_planner(commune))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "thon.csv", "Tên thôn,Loại\nThôn A,thôn\n,thôn\nThôn B,xóm\n".encode(), "text/csv"
    )
    response = client.post(reverse("geo:villages_import", args=["19702"]), {"file": upload})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Dòng 3: tên thôn bị trống." in html
    assert "Dòng 4: loại “xóm” không hợp lệ" in html
    assert not AdministrativeUnit.objects.filter(parent=commune).exists()

    good = SimpleUploadedFile("thon.csv", "Tên thôn\nThôn A\nThôn B\n".encode(), "text/csv")
    response = client.post(
        reverse("geo:villages_import", args=["19702"]), {"file": good}, follow=True
    )
    assert "Đã thêm 2 thôn" in response.content.decode()
