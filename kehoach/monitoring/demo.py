"""The demo of a year in implementation: Xã Hải Lăng's plan of 2026, made and followed through
the real services, so that monitoring, dashboards, the evaluation and the public portal have
something to show while the 2027 round is being planned.

The 2026 round is planned like the 2027 one (the village plans of ``kehoach.plans.demo``, the
demo envelope), synthesised, allocated, approved with a council resolution, published and
started; then each funded work gets its progress to date — most completed, some ongoing,
one not started and one suspended — with the money disbursed and the contribution given, a
photo before and after on two works, a supervision board with its visit, and the commune's
evaluation of the year. Dates stop at today, so nothing is reported in the future.

Only for demo data (``KEHOACH_DEMO``); the texts are data in Vietnamese. Idempotent: a round
whose commune plan was already published is left as it is.
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from kehoach.accounts.models import User
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.demo import demo_planner_for, demo_village_plans
from kehoach.plans.models import PlanningRound
from kehoach.plans.services.rounds import round_create
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState
from kehoach.synthesis.demo import demo_envelope
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.services.common import commune_plan_for
from kehoach.synthesis.services.funding import allocation_run, line_decide
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition

from .choices import MemberOrganisation, MemberRole, Opinion, PhotoStage, ProgressStatus
from .models import ProgressReport
from .services.evaluation import line_evaluation_save, plan_evaluation_save
from .services.photos import photo_add
from .services.progress import funding_of, progress_report_create
from .services.supervision import board_establish, member_add, visit_record

COMMUNE = "19702"
YEAR = 2026
APPROVER = "lanhdao.hailang"
RESOLUTION = {
    "resolution_number": "18/NQ-HĐND",
    "resolution_date": datetime.date(2025, 12, 18),
    "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
}
MEMBERS = [
    ("Nguyễn Văn Hải", MemberRole.HEAD, MemberOrganisation.FRONT),
    ("Trần Thị Thu", MemberRole.DEPUTY, MemberOrganisation.INSPECTORATE),
    ("Lê Văn Tâm", MemberRole.MEMBER, MemberOrganisation.RESIDENT),
    ("Phạm Thị Lan", MemberRole.MEMBER, MemberOrganisation.RESIDENT),
    ("Hoàng Văn Nam", MemberRole.MEMBER, MemberOrganisation.MASS_ORGANISATION),
]


def _user(username: str) -> Any:
    user = User.objects.filter(username=username, is_active=True).first()
    return user or User(username="demo", is_superuser=True, is_active=True)


def _photo(stage: str, seed: int) -> SimpleUploadedFile:
    """A picture of a work site in flat colours (a demo has no camera)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1200, 800), (150, 190, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 480, 1200, 800), fill=(110, 150, 80))
    road = (120, 110, 100) if stage == PhotoStage.BEFORE else (170, 170, 170)
    draw.polygon([(420, 800), (780, 800), (640, 480), (560, 480)], fill=road)
    for _ in range(6):
        x = rng.randrange(0, 1100)
        draw.ellipse((x, 380, x + 90, 480), fill=(40, 110, 50))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(f"cong-trinh-{stage}.jpg", out.getvalue(), content_type="image/jpeg")


def _round(commune: AdministrativeUnit, actor: Any) -> PlanningRound:
    round_ = PlanningRound.objects.filter(commune=commune, plan_year=YEAR).first()
    if round_ is None:
        round_ = round_create(actor=actor, commune=commune, plan_year=YEAR)
    demo_village_plans(actor=actor, round_=round_)
    demo_envelope(round_)
    return round_


def _approve_and_publish(plan: CommunePlan, planner: Any, approver: Any) -> None:
    commune_plan_synthesise(actor=planner, round_=plan.round)
    allocation_run(actor=planner, plan=plan)
    for line in CommuneLine.objects.filter(
        plan=plan, state=LineState.ACTIVE, decision=Decision.PENDING
    ):
        line_decide(
            actor=planner,
            line=line,
            decision=Decision.DEFERRED,
            reason="Chưa đủ điều kiện thực hiện trong năm 2026; xem xét năm sau.",
        )
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    commune_plan_transition(actor=planner, plan=plan, action="start")


def _position(line: CommuneLine, index: int, today: datetime.date) -> dict[str, Any]:
    """Where the demo says the work stands: one suspended, one not started, a few ongoing, the
    rest completed a few weeks after their planned end (never after today)."""
    start = min(line.start_month + datetime.timedelta(days=9), today)
    finish = min(line.end_month + datetime.timedelta(days=24), today)
    share = Decimal(1)
    status = ProgressStatus.COMPLETED
    reason = ""
    if index == 1:
        status, share, reason = (
            ProgressStatus.SUSPENDED,
            Decimal("0.35"),
            "Tạm dừng do mưa lũ tháng 10/2026; chờ nước rút để thi công tiếp.",
        )
    elif index == 3:
        status, share = ProgressStatus.NOT_STARTED, Decimal(0)
    elif index % 3 == 2 or finish >= today:
        status, share = ProgressStatus.ONGOING, Decimal("0.6")
    return {
        "reported_on": min(datetime.date(YEAR, 11, 25), today),
        "quantity_done": (line.quantity * share).quantize(Decimal("0.001")),
        "status": status,
        "status_reason": reason,
        "actual_start": None if status == ProgressStatus.NOT_STARTED else start,
        "actual_finish": finish if status == ProgressStatus.COMPLETED else None,
        "contribution_cash_mvnd": (line.contribution_cash_mvnd * share).quantize(Decimal("0.1")),
        "contribution_labour_days": (line.contribution_labour_days * share).quantize(Decimal(1)),
        "contribution_labour_mvnd": (line.contribution_labour_mvnd * share).quantize(
            Decimal("0.1")
        ),
        "contribution_materials_mvnd": (line.contribution_materials_mvnd * share).quantize(
            Decimal("0.1")
        ),
        "contribution_land_m2": line.contribution_land_m2 if share else Decimal(0),
        "problems": "Giá vật liệu tăng so với dự toán." if index % 4 == 0 else "",
        "excess_reason": "",
    }


def _follow(plan: CommunePlan, planner: Any, today: datetime.date) -> int:
    works = list(
        CommuneLine.objects.filter(plan=plan, state=LineState.ACTIVE, decision=Decision.FUNDED)
        .select_related("unit", "sector")
        .order_by("number")
    )
    for index, line in enumerate(works):
        data = _position(line, index, today)
        share = (data["quantity_done"] / line.quantity) if line.quantity else Decimal(0)
        disbursed = {e: (a * share).quantize(Decimal("0.1")) for e, a in funding_of(line).items()}
        report = progress_report_create(actor=planner, line=line, data=data, disbursed=disbursed)
        if index in (0, 2):
            for stage in (PhotoStage.BEFORE, PhotoStage.AFTER):
                photo_add(
                    actor=planner,
                    report=report,
                    stage=stage,
                    upload=_photo(stage, line.number * 10 + (stage == PhotoStage.AFTER)),
                    caption=f"{line.activity} – {PhotoStage(stage).label.lower()}",
                )
    return len(works)


def _supervise(plan: CommunePlan, planner: Any, today: datetime.date) -> None:
    report = (
        ProgressReport.objects.filter(line__plan=plan, is_latest=True)
        .exclude(actual_start=None)
        .select_related("line")
        .order_by("line__number")
        .first()
    )
    if report is None or report.actual_start is None:
        return
    line = report.line
    village = AdministrativeUnit.objects.filter(parent=plan.round.commune).order_by("code").first()
    established = report.actual_start - datetime.timedelta(days=5)
    board = board_establish(
        actor=planner,
        line=line,
        data={
            "established_on": established,
            "decision_ref": f"05/QĐ-BTT ngày {established:%d/%m/%Y}",
        },
    )
    for name, role, organisation in MEMBERS:
        member_add(
            actor=planner,
            board=board,
            data={
                "full_name": name,
                "role": role,
                "organisation": organisation,
                "village": village,
                "no_conflict": True,
            },
        )
    visit_record(
        actor=planner,
        board=board,
        data={
            "visited_on": min(report.actual_start + datetime.timedelta(days=20), today),
            "items_checked": "Chủng loại xi măng, cát, đá; chiều dày lớp bê tông; mặt cắt theo "
            "thiết kế.",
            "findings": "Vật liệu đúng chủng loại; một đoạn 20 m dày 14 cm, thiếu 2 cm so với "
            "thiết kế.",
            "recommendations": "Đơn vị thi công đổ bù đoạn thiếu trước khi nghiệm thu.",
            "follow_up": "Ban kiểm tra lại đoạn đổ bù.",
        },
    )


def _evaluate(plan: CommunePlan, planner: Any, today: datetime.date) -> None:
    for report in ProgressReport.objects.filter(line__plan=plan, is_latest=True).select_related(
        "line"
    ):
        completed = report.status == ProgressStatus.COMPLETED
        line_evaluation_save(
            actor=planner,
            line=report.line,
            data={
                "deviation_reason": ""
                if completed
                else report.status_reason or "Khởi công chậm do chờ giải phóng mặt bằng.",
                "beneficiary_opinion": Opinion.SATISFIED if completed else Opinion.NOT_ASKED,
                "opinion_notes": "",
                "operation_maintenance": "Tổ tự quản thôn quản lý, bảo dưỡng; kinh phí từ quỹ "
                "thôn và ngân sách xã."
                if completed
                else "",
                "lesson": "",
            },
        )
    plan_evaluation_save(
        actor=planner,
        plan=plan,
        data={
            "evaluated_on": today,
            "results": "Phần lớn công trình được bố trí vốn đã hoàn thành đúng hoặc chậm không "
            "quá một tháng; người dân đóng góp đủ ngày công như đã cam kết.",
            "shortcomings": "Một công trình tạm dừng do mưa lũ; giá vật liệu tăng làm một số "
            "công trình phải điều chỉnh khối lượng.",
            "lessons": "Thống nhất sớm với người dân về mặt bằng trước khi khởi công; dự phòng "
            "thời gian cho mùa mưa.",
        },
    )


@transaction.atomic
def demo_implementation() -> dict[str, int]:
    """Plan, approve, publish and follow Xã Hải Lăng's 2026 plan; returns the works followed
    (0 when the commune is missing or its 2026 plan was published already)."""
    commune = AdministrativeUnit.objects.filter(code=COMMUNE).first()
    if commune is None:
        return {"works": 0}
    planner = demo_planner_for(commune)
    round_ = _round(commune, planner)
    plan = commune_plan_for(round_)
    if plan.status != CommunePlanStatus.DRAFT or plan.version_number > 1:
        return {"works": 0}
    today = timezone.localdate()
    _approve_and_publish(plan, planner, _user(APPROVER))
    works = _follow(plan, planner, today)
    _supervise(plan, planner, today)
    _evaluate(plan, planner, today)
    return {"works": works}
