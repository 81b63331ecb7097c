"""Commune plans in every state, made through the real services, each with activities whose names
and amounts exist only in that plan — so a test can assert that they appear nowhere public.

``followed_plan()`` (monitoring) gives the published 2027 plan of Xã Hải Lăng: the road and the
school funded, the farmers' training not funded.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image

from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import CommuneFactory, quang_tri
from kehoach.monitoring.models import ProgressPhoto, ProgressReport
from kehoach.monitoring.tests.factories import RESOLUTION, followed_plan, report_data
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import VillagePlan
from kehoach.plans.tests import factories as pf
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

D = Decimal
SECRET = "Xây cầu treo bản Khe Sanh chưa công bố"
SECRET_COST = "777.7"
SECRET_SHOWN = "777,7"
SECRET_REASON = "Lý do chỉ có trong bản nháp"
STATES = ("draft", "submitted", "returned", "approved")

__all__ = [
    "RESOLUTION",
    "SECRET",
    "SECRET_COST",
    "SECRET_REASON",
    "SECRET_SHOWN",
    "STATES",
    "followed_plan",
    "jpeg",
    "photo_of",
    "plan_in_state",
    "report_data",
    "trieu_phong",
]


def trieu_phong() -> AdministrativeUnit:
    return CommuneFactory.create(code="19705", name="Xã Triệu Phong", parent=quang_tri())


def _village_plan(village: AdministrativeUnit, year: int, lines: list[dict[str, Any]]) -> None:
    plan = pf.village_plan(village, year=year)
    for overrides in lines:
        pf.line(
            plan,
            start_month=datetime.date(year, 3, 1),
            end_month=datetime.date(year, 9, 1),
            **overrides,
        )
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)


def plan_in_state(
    commune: AdministrativeUnit, state: str, *, year: int = 2027, village_names: Any = None
) -> dict[str, Any]:
    """A commune plan of ``year`` in ``state`` (draft, submitted, returned, approved or
    published) whose one village proposes ``SECRET`` (cost ``SECRET_COST``), funded from the
    commune budget with the reason ``SECRET_REASON``."""
    (village,) = sf.villages(commune, village_names or ["Thôn Khe Sanh"])
    _village_plan(
        village, year, [sf.money_line(SECRET_COST, "77.7", sector=sf.transport(), activity=SECRET)]
    )
    round_ = pf.round_for(commune, year)
    planner = sf.planner(commune)
    approver = sf.approver(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    budget = sf.envelope_line(round_, sf.commune_budget(), "700", origin="commune")
    line = plan.lines.get()
    line_decide(
        actor=planner,
        line=line,
        decision=Decision.FUNDED,
        reason=SECRET_REASON,
        funding={budget: D(700)},
    )
    steps = {
        "draft": [],
        "submitted": ["submit"],
        "returned": ["submit", "return"],
        "approved": ["submit", "approve"],
        "published": ["submit", "approve", "publish"],
    }[state]
    for action in steps:
        if action == "approve":
            commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
        elif action == "return":
            commune_plan_transition(
                actor=approver, plan=plan, action="return", comment="Cần bổ sung thuyết minh"
            )
        else:
            commune_plan_transition(actor=planner, plan=plan, action=action)
    plan.refresh_from_db()
    assert plan.status == state
    return {
        "commune": commune,
        "plan": plan,
        "planner": planner,
        "approver": approver,
        "village": village,
        "line": CommuneLine.objects.get(pk=line.pk),
    }


def jpeg(width: int = 32, height: int = 24, colour: str = "#2a7") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()


def photo_of(report: ProgressReport, stage: str = "before", caption: str = "") -> ProgressPhoto:
    """A photo as kehoach keeps it (re-encoded JPEG and thumbnail in private storage), written
    directly: the tests are about who may see it, not about the upload."""
    photo = ProgressPhoto(report=report, stage=stage, caption=caption)
    content = jpeg()
    photo.image.save("x.jpg", ContentFile(content), save=False)
    photo.thumbnail.save("x-nho.jpg", ContentFile(jpeg(16, 12)), save=False)
    photo.width, photo.height, photo.size = 32, 24, len(content)
    photo.save()
    return photo


def report_on(line: CommuneLine, **overrides: Any) -> ProgressReport:
    """A latest report written directly (for lines the progress service refuses: the point of
    the test is that the portal does not show it)."""
    ProgressReport.objects.filter(line=line, is_latest=True).update(is_latest=False)
    data = report_data(**overrides)
    return ProgressReport.objects.create(line=line, reporter_name="Thử", is_latest=True, **data)


def refresh(plan: CommunePlan) -> CommunePlan:
    plan.refresh_from_db()
    return plan
