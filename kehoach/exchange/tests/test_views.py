"""The workbook pages: download, upload, preview, confirm, cancel, the error copy; who may do
what (another commune's user gets the same 404 as for nothing); the plan's history; the
province-wide export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.exchange.forms import f6
from kehoach.exchange.models import ImportRecord
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, quang_tri
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.tests import factories as f

from .helpers import FIRST_ROW, XLSX, opened, plan_with_lines, saved
from .helpers import logged_in as _client

pytestmark = pytest.mark.django_db
# the ``setup`` fixture (a plan with lines, its planner signed in) is in conftest.py


def _post(client: Client, plan: VillagePlan, data: bytes, name: str = "bieu.xlsx") -> Any:
    url = reverse("exchange:village_upload", args=[plan.uid, "F6"])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def _changed(plan: VillagePlan) -> bytes:
    book = opened(f6.export(plan))
    book["F6"][f"C{FIRST_ROW}"] = "Đường bê tông trục chính"
    return saved(book)


def test_the_plan_page_offers_the_workbooks(setup: dict[str, Any]) -> None:
    html = setup["client"].get(reverse("plans:plan", args=[setup["plan"].uid])).content.decode()
    assert "Biểu Excel" in html
    for form in ("F1", "F6", "F8"):
        assert reverse("exchange:village_download", args=[setup["plan"].uid, form]) in html
    assert 'enctype="multipart/form-data"' in html


def test_download_gives_an_xlsx_with_a_vietnamese_name(setup: dict[str, Any]) -> None:
    plan = setup["plan"]
    response = setup["client"].get(reverse("exchange:village_download", args=[plan.uid, "F6"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert f'filename="F6-{plan.village.code}-2027.xlsx"' in response["Content-Disposition"]
    assert opened(response.content)["F6"][f"C{FIRST_ROW}"].value == "Bê tông hóa đường thôn"
    blank = setup["client"].get(
        reverse("exchange:village_download", args=[plan.uid, "F6"]) + "?blank=1"
    )
    assert opened(blank.content)["F6"][f"C{FIRST_ROW}"].value is None


def test_upload_preview_then_confirm(setup: dict[str, Any]) -> None:
    client, plan = setup["client"], setup["plan"]
    response = _post(client, plan, _changed(plan))
    record = ImportRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:import", args=[record.uid])
    page = client.get(response["Location"]).content.decode()
    assert "Những gì sẽ thay đổi" in page
    assert "Đường bê tông trục chính" in page
    assert "Xác nhận: lưu các thay đổi này" in page
    assert ProposalLine.objects.get(plan=plan, number=1).activity == "Bê tông hóa đường thôn"

    response = client.post(reverse("exchange:import_confirm", args=[record.uid]))
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan", args=[plan.uid])
    assert ProposalLine.objects.get(plan=plan, number=1).activity == "Đường bê tông trục chính"
    page = client.get(response["Location"]).content.decode()
    assert "Đã áp dụng biểu: thêm 0, sửa 1, xóa 0." in page


def test_cancel_changes_nothing(setup: dict[str, Any]) -> None:
    client, plan = setup["client"], setup["plan"]
    _post(client, plan, _changed(plan))
    record = ImportRecord.objects.get()
    client.post(reverse("exchange:import_cancel", args=[record.uid]))
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.CANCELLED
    assert ProposalLine.objects.get(plan=plan, number=1).activity == "Bê tông hóa đường thôn"
    response = client.post(reverse("exchange:import_confirm", args=[record.uid]))
    assert response.status_code == 404


def test_a_refused_upload_lists_the_cells_and_gives_the_marked_copy(
    setup: dict[str, Any],
) -> None:
    client, plan = setup["client"], setup["plan"]
    book = opened(f6.export(plan))
    book["F6"][f"I{FIRST_ROW}"] = "một trăm"
    _post(client, plan, saved(book), "de-xuat.xlsx")
    record = ImportRecord.objects.get()
    page = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert "Tệp không được chấp nhận: có 1 lỗi" in page
    assert f"I{FIRST_ROW}" in page and "một trăm" in page
    assert "confirm-import" not in page
    response = client.get(reverse("exchange:import_errors", args=[record.uid]))
    assert response.status_code == 200
    assert 'filename="de-xuat-loi.xlsx"' in response["Content-Disposition"]
    assert opened(response.content)["F6"][f"I{FIRST_ROW}"].comment is not None


def test_a_hostile_file_gets_a_message_and_nothing_changes(setup: dict[str, Any]) -> None:
    client, plan = setup["client"], setup["plan"]
    _post(client, plan, b"<script>alert(1)</script>", "bieu.xlsx")
    record = ImportRecord.objects.get()
    page = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert "không phải tệp Excel hay LibreOffice" in page
    assert "<script>alert(1)" not in page


def test_uploads_are_in_the_plan_history(setup: dict[str, Any]) -> None:
    client, plan = setup["client"], setup["plan"]
    _post(client, plan, _changed(plan))
    client.post(reverse("exchange:import_confirm", args=[ImportRecord.objects.get().uid]))
    page = client.get(reverse("plans:history", args=[plan.uid])).content.decode()
    assert "đã được kiểm tra, chờ xác nhận" in page
    assert "đã được áp dụng: thêm 0, sửa 1, xóa 0" in page


def test_the_uploaded_file_is_kept_out_of_reach_of_urls(setup: dict[str, Any]) -> None:
    from django.conf import settings

    client, plan = setup["client"], setup["plan"]
    _post(client, plan, _changed(plan))
    record = ImportRecord.objects.get()
    path = record.file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))


def test_another_communes_planner_gets_404_everywhere(setup: dict[str, Any]) -> None:
    plan = setup["plan"]
    _post(setup["client"], plan, _changed(plan))
    record = ImportRecord.objects.get()
    stranger = _client(commune_planner(dong_hoi()))
    for url in (
        reverse("exchange:village_download", args=[plan.uid, "F6"]),
        reverse("exchange:import", args=[record.uid]),
        reverse("exchange:import_errors", args=[record.uid]),
    ):
        assert stranger.get(url).status_code == 404, url
    for url in (
        reverse("exchange:village_upload", args=[plan.uid, "F6"]),
        reverse("exchange:import_confirm", args=[record.uid]),
        reverse("exchange:import_cancel", args=[record.uid]),
    ):
        assert stranger.post(url).status_code == 404, url
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.PREVIEWED


def test_a_colleague_cannot_confirm_someone_elses_upload(setup: dict[str, Any]) -> None:
    plan = setup["plan"]
    _post(setup["client"], plan, _changed(plan))
    record = ImportRecord.objects.get()
    colleague = _client(commune_planner(plan.village.parent))
    assert colleague.post(reverse("exchange:import_confirm", args=[record.uid])).status_code == 404


def test_a_reader_may_download_but_not_upload(setup: dict[str, Any]) -> None:
    plan = setup["plan"]
    donor = _client(user_with_role(Role.DONOR_VIEWER, plan.village.parent))
    assert donor.get(reverse("exchange:village_download", args=[plan.uid, "F6"])).status_code == 200
    page = donor.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert reverse("exchange:village_upload", args=[plan.uid, "F6"]) not in page
    assert _post(donor, plan, _changed(plan)).status_code == 404
    assert not ImportRecord.objects.exists()


def test_a_submitted_plan_refuses_uploads(setup: dict[str, Any]) -> None:
    plan = setup["plan"]
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    response = _post(setup["client"], plan, _changed(plan))
    assert response.status_code == 302
    assert not ProposalLine.objects.filter(activity="Đường bê tông trục chính").exists()


def test_unknown_forms_and_layouts_are_404(setup: dict[str, Any]) -> None:
    client, plan = setup["client"], setup["plan"]
    assert (
        client.get(reverse("exchange:village_download", args=[plan.uid, "F9"])).status_code == 404
    )
    url = reverse("exchange:village_download", args=[plan.uid, "F6"])
    assert client.get(url + "?layout=KHONG-CO").status_code == 404
    assert client.get(url + "?layout=F11-CHUAN").status_code == 404
    alternative = client.get(url + "?layout=F6-CHIA-SE")
    assert opened(alternative.content)["F6"]["A11"].value == "TT"


# --- province-wide export ---------------------------------------------------------------------


def test_the_province_export_holds_every_proposal_of_its_communes() -> None:
    first, _planner = plan_with_lines()
    other = f.village_plan(VillageFactory.create(parent=dong_hoi(), name="Tổ dân phố 1"))
    f.line(other, activity="Lát gạch ngõ")
    officer = _client(user_with_role(Role.PROVINCE_OFFICER, quang_tri()))
    page = officer.get(reverse("geo:unit", args=["44"])).content.decode()
    url = reverse("exchange:province_proposals", args=["44", 2027])
    assert url in page
    response = officer.get(url)
    assert response.status_code == 200
    data = response.getvalue()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    header = sheet[4]
    assert header[:4] == ["Mã xã", "Xã/phường/đặc khu", "Mã thôn", "Thôn/tổ dân phố"]
    rows = sheet[5:]
    assert len(rows) == 3
    assert {r[6] for r in rows} == {
        "Bê tông hóa đường thôn",
        "Xây dựng nhà văn hóa thôn",
        "Lát gạch ngõ",
    }
    assert first.village.parent is not None
    assert {r[1] for r in rows} == {first.village.parent.name, "Phường Đồng Hới"}


def test_the_province_export_is_not_for_a_commune_user() -> None:
    _plan, planner = plan_with_lines()
    url = reverse("exchange:province_proposals", args=["44", 2027])
    assert _client(planner).get(url).status_code == 404
    officer = _client(user_with_role(Role.PROVINCE_OFFICER, quang_tri()))
    assert officer.get(reverse("exchange:province_proposals", args=["44", 2031])).status_code == 404


def test_the_workbook_panel_keeps_its_queries_bounded(setup: dict[str, Any]) -> None:
    client, plan = setup["client"], setup["plan"]
    url = reverse("plans:plan", args=[plan.uid])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        _post(client, plan, _changed(plan), f"bieu-{n}.xlsx")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) <= len(few) + 1  # the recent uploads are one query, however many
