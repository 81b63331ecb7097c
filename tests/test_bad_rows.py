"""A value stored before the bounds existed (kehoach.core.bounds) never breaks a plan: the
pages that show the row open, the row can be corrected or deleted, and the workbooks and
exports that include it still download. On SQLite such a row can be absurd (a quantity of
1e20, 1e300 labour days, 10¹² households, a 32.767-character activity with a NUL): SQLite stores
whatever it is given. PostgreSQL's columns refuse those, so there the row is one that fits its
column but not its bound (5 billion units, 5 million households)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.exchange.tests.helpers import plan_with_lines
from kehoach.plans.models import ProposalLine
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db

TABLE = ProposalLine._meta.db_table

if connection.vendor == "sqlite":
    BAD = {
        "quantity": "1e20",
        "contribution_labour_days": "1e300",
        "beneficiary_households": "1000000000000",
        "activity": "'Đường' || char(0) || '" + "x" * 32_760 + "'",
    }
else:
    BAD = {
        "quantity": "5000000000",
        "contribution_labour_days": "50000000",
        "beneficiary_households": "5000000",
        "notes": "'" + "x" * 5_000 + "'",
    }


def _store_bad_values(line: ProposalLine) -> None:
    """Write the values straight into the table, the database as it was before the migration
    that added the bounds (the constraint set aside for the test; the new code runs against an
    old database until the rows are corrected and the migration is applied)."""
    assignments = ", ".join(f"{column} = {value}" for column, value in BAD.items())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger before ALTER
            cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_bounds")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"UPDATE {TABLE} SET {assignments} WHERE id = %s", [line.pk])


@pytest.fixture
def setup(client: Client) -> Iterator[dict[str, Any]]:
    plan, planner = plan_with_lines()
    bad = ProposalLine.objects.get(plan=plan, number=1)
    _store_bad_values(bad)
    client.force_login(planner)
    yield {"plan": plan, "planner": planner, "bad": bad, "client": client}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def test_the_plan_and_its_pages_open_and_show_the_bad_row(setup: dict[str, Any]) -> None:
    client, plan = setup["client"], setup["plan"]
    for name in ("plans:plan", "plans:ranking", "plans:findings", "plans:history"):
        response = client.get(reverse(name, args=[plan.uid]))
        assert response.status_code == 200, name
    page = client.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert "Xây dựng nhà văn hóa thôn" in page  # the good line is there too
    response = client.get(reverse("exchange:village_download", args=[plan.uid, "F6"]))
    assert response.status_code == 200
    row = client.get(reverse("plans:line_row", args=[plan.uid, setup["bad"].uid]))
    assert row.status_code == 200


def test_the_bad_row_can_be_corrected(setup: dict[str, Any]) -> None:
    client, plan, bad = setup["client"], setup["plan"], setup["bad"]
    url = reverse("plans:line_edit", args=[plan.uid, bad.uid])
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    form = {
        "sector": str(f.sector().pk),
        "activity": "Bê tông hóa đường thôn",
        "location": "Xóm Trên",
        "unit": str(f.unit().pk),
        "quantity": "1,2",
        "start_month": "03/2027",
        "end_month": "06/2027",
        "total_cost_mvnd": "100",
        "contribution_mvnd": "30",
        "contribution_cash_mvnd": "10",
        "contribution_labour_days": "200",
        "contribution_labour_mvnd": "20",
        "contribution_materials_mvnd": "",
        "contribution_land_m2": "",
        "external_support_mvnd": "70",
        "proposed_source": "",
        "beneficiary_households": "80",
        "beneficiary_poor": "12",
        "beneficiary_em": "",
        "implementation_mode": "community",
        "priority": "1",
        "notes": "",
        "version": str(bad.version),
    }
    response = client.post(url, form, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    bad.refresh_from_db()
    assert (bad.quantity, bad.beneficiary_households) == (Decimal("1.2"), 80)
    assert bad.activity == "Bê tông hóa đường thôn"


def test_the_bad_row_can_be_deleted_and_uploads_still_work(setup: dict[str, Any]) -> None:
    client, plan, bad = setup["client"], setup["plan"], setup["bad"]
    response = client.post(
        reverse("plans:line_delete", args=[plan.uid, bad.uid]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert not ProposalLine.objects.alive().filter(pk=bad.pk).exists()
    workbook = client.get(reverse("exchange:village_download", args=[plan.uid, "F6"])).content
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("exchange:village_upload", args=[plan.uid, "F6"]),
        {"file": SimpleUploadedFile("F6.xlsx", workbook)},
    )
    assert response.status_code == 302


def test_a_later_upload_refuses_cleanly_while_the_bad_row_is_there(setup: dict[str, Any]) -> None:
    client, plan = setup["client"], setup["plan"]
    workbook = client.get(reverse("exchange:village_download", args=[plan.uid, "F6"])).content
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("exchange:village_upload", args=[plan.uid, "F6"]),
        {"file": SimpleUploadedFile("F6.xlsx", workbook)},
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200


def test_the_province_export_includes_the_row_without_failing(setup: dict[str, Any]) -> None:
    plan = setup["plan"]
    province = plan.round.commune.parent
    while province.parent is not None:
        province = province.parent
    officer = user_with_role(Role.PROVINCE_OFFICER, province)
    client = Client()
    client.force_login(officer)
    response = client.get(
        reverse("exchange:province_proposals", args=[province.code, plan.round.plan_year])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"  # type: ignore[attr-defined]
    commune = Client()
    commune.force_login(commune_planner(plan.village.parent))
    assert commune.get(reverse("plans:round", args=[plan.round.uid])).status_code == 200
