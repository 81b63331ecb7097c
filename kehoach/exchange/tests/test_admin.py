"""Layouts are data: an administrator adds a programme's layout in the admin (checked on save),
and workbooks in that shape import into the same data; uploads are read-only in the admin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kehoach.exchange.forms import f6
from kehoach.exchange.layouts import layout_for
from kehoach.exchange.models import ImportRecord, Layout
from kehoach.plans.models import ProposalLine

from .helpers import FIRST_ROW, confirm, opened, plan_with_lines, saved, upload

pytestmark = pytest.mark.django_db

SHORT = {
    "title": "DANH MỤC NHU CẦU CỦA THÔN NĂM {year}",
    "columns": [
        {"key": "activity", "header": "Nhu cầu", "width": 40, "kind": "text", "required": True},
        {"key": "sector", "header": "Ngành", "kind": "choice", "list": "sectors", "required": True},
        {"key": "unit", "header": "ĐVT", "kind": "choice", "list": "units", "required": True},
        {"key": "quantity", "header": "Số lượng", "kind": "decimal", "required": True},
        {"key": "start_month", "header": "Bắt đầu", "kind": "month", "required": True},
        {"key": "end_month", "header": "Kết thúc", "kind": "month", "required": True},
        {"key": "total_cost_mvnd", "header": "Kinh phí (triệu)", "kind": "money", "total": True},
        {"key": "external_support_mvnd", "header": "Xin hỗ trợ (triệu)", "kind": "money"},
        {"key": "contribution_mvnd", "header": "Dân góp (triệu)", "kind": "money"},
    ],
}


@pytest.fixture
def admin_client_() -> Client:
    user = get_user_model().objects.create_superuser("quantri", "qt@example.org", "x" * 12)
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, code: str, spec: Any) -> Any:
    return client.post(
        reverse("admin:exchange_layout_add"),
        {
            "code": code,
            "form": "F6",
            "name": "Mẫu của dự án",
            "spec": json.dumps(spec),
            "is_active": "on",
        },
    )


def test_an_administrator_adds_a_layout_and_it_is_checked(admin_client_: Client) -> None:
    bad = {**SHORT, "columns": [*SHORT["columns"], {"key": "x", "header": "X", "kind": "photo"}]}
    response = _post(admin_client_, "F6-DU-AN", bad)
    assert response.status_code == 200
    assert "photo" in response.content.decode()
    response = _post(admin_client_, "F6-CHUAN", SHORT)
    assert "mẫu biểu có sẵn" in response.content.decode()
    assert not Layout.objects.exists()
    response = _post(admin_client_, "F6-DU-AN", SHORT)
    assert response.status_code == 302
    assert Layout.objects.get().code == "F6-DU-AN"


def test_a_layout_added_as_data_imports_into_the_same_lines() -> None:
    Layout.objects.create(code="F6-DU-AN", form="F6", name="Mẫu của dự án", spec=SHORT)
    plan, planner = plan_with_lines()
    profile = plan.round.profile
    profile.extra = {**(profile.extra or {}), "layouts": {"F6": "F6-DU-AN"}}
    profile.save()
    assert layout_for("F6", profile).code == "F6-DU-AN"
    book = opened(f6.export(plan, blank=True))
    ws = book["F6"]
    assert [c.value for c in ws[FIRST_ROW - 3]][:3] == ["Nhu cầu", "Ngành", "ĐVT"]
    values = ["Làm cầu tràn", "Hạ tầng: giao thông", "km", 1, "03/2027", "05/2027", 90, 60, 30]
    for col, value in enumerate(values, start=1):
        ws.cell(row=FIRST_ROW, column=col, value=value)
    record = upload(plan, planner, saved(book))
    assert record.result == "previewed", record.errors
    assert record.summary["layout"] == "F6-DU-AN"
    confirm(plan, planner, record)
    line = ProposalLine.objects.get(plan=plan, activity="Làm cầu tràn")
    assert (line.total_cost_mvnd, line.contribution_mvnd, line.external_support_mvnd) == (
        90,
        30,
        60,
    )


def test_uploads_are_read_only_in_the_admin(admin_client_: Client) -> None:
    plan, planner = plan_with_lines()
    record = upload(plan, planner, f6.export(plan))
    change = reverse("admin:exchange_importrecord_change", args=[record.pk])
    assert admin_client_.get(change).status_code == 200
    assert admin_client_.post(change, {"result": "applied"}).status_code == 403
    delete = reverse("admin:exchange_importrecord_delete", args=[record.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    assert ImportRecord.objects.get().result == ImportRecord.Result.PREVIEWED
