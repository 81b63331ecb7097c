"""The annex of a village plan with its PRA outputs (F2): "Phụ lục: Kết quả công cụ PRA", in PDF
(its text read back with pdftotext, as the other document tests do) and in DOCX.

The Vietnamese is asserted as the user reads it. The download is offered on the village plan
page (the documents to print) to whoever sees the plan."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document as open_docx
from PIL import Image

from kehoach.accounts.tests.factories import commune_planner
from kehoach.catalog import defaults
from kehoach.catalog.models import PraTool
from kehoach.geo.tests.factories import VillageFactory, dong_hoi
from kehoach.plans.models import VillagePlan
from kehoach.plans.services.findings import problem_create
from kehoach.plans.services.pra import pra_output_create, pra_photo_add
from kehoach.plans.tests import factories as pf

from ..documents.village import PraAnnex
from .test_documents import pdf_text

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 60)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def plan_with_pra() -> VillagePlan:
    plan = pf.village_plan(year=timezone.localdate().year + 1)
    planner = commune_planner(plan.village.parent)
    tools = {seed["code"]: PraTool.objects.create(**seed) for seed in defaults.PRA_TOOLS}
    problem = problem_create(
        actor=planner,
        plan=plan,
        data={"sector": pf.sector(), "problem": "Đường xóm Trên lầy lội", "solutions": []},
    )
    output = pra_output_create(
        actor=planner,
        plan=plan,
        data={
            "tool": tools["PRA-01"],
            "held_on": timezone.localdate(),
            "facilitators": "Tổ kế hoạch thôn",
            "participants_women": 14,
            "participants_men": 11,
            "findings": "Đường xóm Trên lầy lội mùa mưa",
            "supports_problems": [problem],
        },
    )
    pra_photo_add(
        actor=planner,
        output=output,
        upload=SimpleUploadedFile("lat-cat.png", _png()),
        caption="Sơ đồ lát cắt",
    )
    pra_output_create(
        actor=planner,
        plan=plan,
        data={
            "tool": tools["PRA-11"],
            "held_on": timezone.localdate(),
            "participants_women": 8,
            "participants_men": 7,
            "findings": "32 hộ nghèo, chủ yếu thiếu đất sản xuất",
        },
    )
    return plan


def test_the_pdf_annex_lists_each_pra_output_in_vietnamese(
    plan_with_pra: VillagePlan, tmp_path: Path
) -> None:
    with translation.override("vi"):
        annex = PraAnnex(plan_with_pra)
        data = annex.pdf()

    text = pdf_text(data)
    assert data.startswith(b"%PDF")
    assert "PHỤ LỤC: KẾT QUẢ CÔNG CỤ PRA" in text  # the heading is set in capitals
    assert "Số người tham gia: 14 nữ, 11 nam" in text
    assert "1. Đi lát cắt" in text and "2. Xếp hạng giàu nghèo" in text
    assert "Đường xóm Trên lầy lội mùa mưa" in text
    assert "32 hộ nghèo, chủ yếu thiếu đất sản xuất" in text
    assert "Tổ kế hoạch thôn" in text
    assert "14 nữ, 11 nam" in text
    assert "Vấn đề: Đường xóm Trên lầy lội" in text
    assert "Sơ đồ lát cắt" in text
    path = tmp_path / "annex.pdf"
    path.write_bytes(data)
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True
    ).stdout.decode()
    assert len(images.strip().splitlines()) - 2 == 1  # the one thumbnail, under its heading


def test_the_docx_annex_has_the_same_outputs_and_the_thumbnail(plan_with_pra: VillagePlan) -> None:
    with translation.override("vi"):
        data = PraAnnex(plan_with_pra).docx()

    document = open_docx(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Phụ lục: Kết quả công cụ PRA" in text
    assert "1. Đi lát cắt" in text and "2. Xếp hạng giàu nghèo" in text
    assert "14 nữ, 11 nam" in text
    assert len(document.inline_shapes) == 1


def test_a_plan_without_pra_outputs_says_so(tmp_path: Path) -> None:
    plan: Any = pf.village_plan(year=timezone.localdate().year + 1)
    with translation.override("vi"):
        annex = PraAnnex(plan)
        text = pdf_text(annex.pdf())

    assert annex.rows() == []
    assert "Chưa ghi nhận kết quả công cụ PRA nào cho kế hoạch này." in text


def test_the_annex_is_downloaded_from_the_village_plan_page_by_who_sees_the_plan(
    plan_with_pra: VillagePlan, client: Any
) -> None:
    url = reverse("exchange:village_pra_annex", args=[plan_with_pra.uid, "pdf"])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(commune_planner(plan_with_pra.village.parent))
    page = client.get(reverse("plans:plan", args=[plan_with_pra.uid])).content.decode()
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Đường xóm Trên lầy lội" in pdf_text(response.content)
    word = client.get(reverse("exchange:village_pra_annex", args=[plan_with_pra.uid, "docx"]))
    assert word.status_code == 200
    assert client.get(url.replace(".pdf", ".exe")).status_code == 404
    other = VillageFactory.create(parent=dong_hoi(), name="Thôn Khác")
    client.force_login(commune_planner(other.parent))
    assert client.get(url).status_code == 404
