"""What the workbook tests share: a plan with lines, its planner, opening and saving workbooks,
and uploading one through the services exactly as the view does."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kehoach.accounts.tests.factories import commune_planner
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.services import import_apply, import_check
from kehoach.exchange.targets import commune_target, village_target
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.tests import factories as f

FIRST_ROW = 14
"""The first data row of an exported form (title block, two header rows, column numbers)."""


def plan_with_lines() -> tuple[VillagePlan, Any]:
    plan = f.village_plan()
    f.line(plan)
    f.line(
        plan,
        activity="Xây dựng nhà văn hóa thôn",
        unit=f.unit("cong-trinh", "công trình"),
        quantity=1,
        total_cost_mvnd=500,
        contribution_mvnd=100,
        contribution_cash_mvnd=100,
        contribution_labour_days=0,
        contribution_labour_mvnd=0,
        external_support_mvnd=400,
        priority=2,
    )
    return plan, commune_planner(plan.village.parent)


def opened(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(
    plan: Any, actor: Any, data: bytes, filename: str = "bieu.xlsx", form: str = "F6"
) -> ImportRecord:
    target = village_target(form, plan) if isinstance(plan, VillagePlan) else None
    if target is None:
        target = commune_target(form, plan)
    return import_check(actor=actor, target=target, data=data, filename=filename)


def confirm(plan: Any, actor: Any, record: ImportRecord) -> ImportRecord:
    form = record.form
    target = village_target(form, plan) if isinstance(plan, VillagePlan) else None
    if target is None:
        target = commune_target(form, plan)
    return import_apply(actor=actor, target=target, record=record)


def lines_state(plan: VillagePlan) -> list[tuple[Any, ...]]:
    """Everything of a plan's lines, to show that a refused upload changed nothing."""
    return list(
        ProposalLine.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("number", "activity", "total_cost_mvnd", "version", "deleted_at")
    )


def column_letter(book: Workbook, header: str, sheet: str = "F6") -> str:
    """The letter of the column whose header (either header row) is ``header``."""
    ws = book[sheet]
    for row in (FIRST_ROW - 3, FIRST_ROW - 2):
        for cell in ws[row]:
            if cell.value == header:
                return str(cell.column_letter)
    raise KeyError(header)


def libreoffice_convert(data: bytes, suffix: str, target: str) -> bytes:
    """Open ``data`` in LibreOffice (headless; it recalculates every formula) and save it as
    ``target`` ("xlsx", "xls", "ods")."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / f"bieu.{suffix}"
        source.write_bytes(data)
        out = folder / "out"
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--norestore",
                "--nolockcheck",
                f"-env:UserInstallation=file://{folder}/profile",
                "--convert-to",
                target,
                "--outdir",
                str(out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (out / f"bieu.{target}").read_bytes()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def logged_in(user: Any) -> Client:
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def web_setup() -> dict[str, Any]:
    """A village plan with two lines, its commune's planner and a client signed in as them
    (the ``setup`` fixture of the page tests, ``conftest.py``)."""
    plan, planner = plan_with_lines()
    return {"plan": plan, "planner": planner, "client": logged_in(planner)}


def post_workbook(
    client: Client, plan: VillagePlan, data: bytes, name: str = "bieu.xlsx", form: str = "F6"
) -> Any:
    """Upload ``data`` as ``name`` on the plan's page, as the browser does."""
    url = reverse("exchange:village_upload", args=[plan.uid, form])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})
