"""Approval of the commune plan (R20–R23): each transition with its positive and negative cases,
the resolution, publication and feedback (F13), immutable versions, amendments and their diff,
comments and notifications."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.approvals.models import Comment, ImmutableError, Notification, StatusChange, Version
from kehoach.approvals.services import comment_add
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import CommuneFactory, hai_lang
from kehoach.plans.models import ProposalLine

from ..choices import CommunePlanStatus, Decision
from ..models import CommuneLine, CommunePlan
from ..services.funding import allocation_run, line_decide
from ..services.lines import commune_line_update, commune_plan_synthesise, lines_merge
from ..services.workflow import (
    commune_plan_approve,
    commune_plan_transition,
    latest_version,
    village_feedback,
)
from ..versions import versions_diff
from . import factories as f

D = Decimal
ROAD = "Bê tông hóa đường liên thôn Diên Sanh – Mỹ Chánh"
RESOLUTION = {
    "resolution_number": "25/NQ-HĐND",
    "resolution_date": datetime.date(2026, 12, 1),
    "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _world() -> dict[str, Any]:
    commune = hai_lang()
    a, b = f.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = f.transport(), f.education()
    plan_a = f.submitted_plan(
        a,
        [
            f.money_line("600", "100", sector=road, activity=ROAD),
            f.money_line("400", "50", sector=school, activity="Sửa phòng học mẫu giáo"),
        ],
    )
    f.submitted_plan(b, [f.money_line("500", "100", sector=road, activity=ROAD)])
    round_ = f.round_of(commune)
    planner = f.planner(commune, username="xa.test")
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = f.commune_plan_for(round_)
    lines_merge(actor=planner, plan=plan, lines=list(plan.lines.filter(activity=ROAD)))
    f.envelope_line(round_, f.ntp(), "900", sector_=road)
    f.envelope_line(round_, f.commune_budget(), "100")
    allocation_run(actor=planner, plan=plan)
    return {
        "commune": commune,
        "plan": plan,
        "planner": planner,
        "approver": f.approver(commune, username="lanhdao.test"),
        "editor": user_with_role(Role.VILLAGE_EDITOR, a, username="thon.test"),
        "village_plan": plan_a,
    }


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return _world()


def _status(plan: CommunePlan) -> str:
    plan.refresh_from_db()
    return plan.status


def _approved(world: dict[str, Any]) -> CommunePlan:
    plan = world["plan"]
    commune_plan_transition(actor=world["planner"], plan=plan, action="submit")
    commune_plan_approve(actor=world["approver"], plan=plan, data=RESOLUTION)
    plan.refresh_from_db()
    return plan


def test_the_whole_path_from_draft_to_closed(world: dict[str, Any]) -> None:
    plan, planner, approver = world["plan"], world["planner"], world["approver"]
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    assert _status(plan) == CommunePlanStatus.SUBMITTED
    commune_plan_approve(
        actor=approver,
        plan=plan,
        data=RESOLUTION,
        scan=SimpleUploadedFile("nq.pdf", PDF, content_type="application/pdf"),
    )
    assert _status(plan) == CommunePlanStatus.APPROVED
    version = Version.objects.get(plan_uid=plan.uid)
    assert (version.number, version.resolution_number, version.signer) == (
        1,
        "25/NQ-HĐND",
        "Lê Văn Sơn, Chủ tịch HĐND xã",
    )
    assert version.scan.name.endswith("v1.pdf")
    assert len([x for x in version.data["lines"] if x["state"] == "active"]) == 2
    assert version.data["envelope"][0]["source_code"] == "NTP26"
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    assert _status(plan) == CommunePlanStatus.PUBLISHED
    version.refresh_from_db()
    assert version.published_at is not None
    outcomes = dict(ProposalLine.objects.values_list("activity", "outcome"))
    assert set(outcomes.values()) <= {"funded", "unfunded"} and "pending" not in outcomes.values()
    for action in ("start", "evaluate"):
        commune_plan_transition(actor=planner, plan=plan, action=action)
    commune_plan_transition(actor=approver, plan=plan, action="close")
    assert _status(plan) == CommunePlanStatus.CLOSED
    assert [c.action for c in StatusChange.objects.filter(plan_uid=plan.uid, action__in=[
        "submit", "approve", "publish", "start", "evaluate", "close"])] == [
        "submit", "approve", "publish", "start", "evaluate", "close"]  # fmt: skip
    approval = StatusChange.objects.get(plan_uid=plan.uid, action="approve")
    assert approval.comment == (
        "Nghị quyết 25/NQ-HĐND ngày 01/12/2026, người ký: Lê Văn Sơn, Chủ tịch HĐND xã"
    )
    assert approval.actor == approver


def test_each_transition_refuses_the_wrong_role_unit_and_state(world: dict[str, Any]) -> None:
    plan, planner, approver = world["plan"], world["planner"], world["approver"]
    stranger = f.approver(CommuneFactory.create(name="Xã Khác", parent=world["commune"].parent))
    with pytest.raises(NotFoundError):
        commune_plan_transition(actor=approver, plan=plan, action="submit")
    with pytest.raises(NotFoundError):
        commune_plan_transition(actor=world["editor"], plan=plan, action="submit")
    with pytest.raises(ApplicationError) as caught:
        commune_plan_transition(actor=planner, plan=plan, action="publish")
    assert caught.value.message == (
        "Không thể thực hiện thao tác này lúc này: tài liệu đang ở trạng thái “Dự thảo”."
    )
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    for actor in (planner, stranger):
        with pytest.raises(NotFoundError):
            commune_plan_approve(actor=actor, plan=plan, data=RESOLUTION)
    with pytest.raises(NotFoundError):
        commune_plan_transition(actor=stranger, plan=plan, action="return", comment="Sửa")
    assert _status(plan) == CommunePlanStatus.SUBMITTED
    assert not Version.objects.exists()


def test_return_needs_a_comment_here_or_on_a_line(world: dict[str, Any]) -> None:
    plan, planner, approver = world["plan"], world["planner"], world["approver"]
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    with pytest.raises(ApplicationError) as caught:
        commune_plan_transition(actor=approver, plan=plan, action="return")
    assert caught.value.message == (
        "Hãy ghi ý kiến nói rõ cần sửa gì, ở đây hoặc ở các dòng liên quan, trước khi trả lại "
        "kế hoạch."
    )
    line = plan.lines.active().get(sector__code="GD")
    comment_add(
        actor=approver, plan_uid=plan.uid, line_uid=line.uid, body="Bổ sung số hộ hưởng lợi"
    )
    commune_plan_transition(actor=approver, plan=plan, action="return")
    assert _status(plan) == CommunePlanStatus.RETURNED
    note = Notification.objects.get(user=planner)
    assert note.text == "Kế hoạch xã năm 2027 của Xã Hải Lăng đã bị trả lại"
    assert note.url == f"/cdp/{plan.uid}/"
    commune_plan_transition(actor=planner, plan=plan, action="revise")
    assert _status(plan) == CommunePlanStatus.DRAFT


def test_submit_and_publish_list_the_lines_without_a_decision_or_reason(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    school = plan.lines.active().get(sector__code="GD")
    CommuneLine.objects.filter(pk=school.pk).update(decision=Decision.PENDING, decision_reason="")
    with pytest.raises(ApplicationError) as caught:
        commune_plan_transition(actor=planner, plan=plan, action="submit")
    assert caught.value.message == (
        "Chưa trình được kế hoạch: mọi dòng phải có quyết định và lý do. "
        f"dòng {school.number} (Sửa phòng học mẫu giáo): chưa có quyết định."
    )
    line_decide(actor=planner, line=school, decision=Decision.DEFERRED, reason="Năm sau")
    approved = _approved(world)
    CommuneLine.objects.filter(pk=school.pk).update(decision_reason=" ")
    with pytest.raises(ApplicationError) as caught:
        commune_plan_transition(actor=planner, plan=approved, action="publish")
    assert caught.value.message == (
        "Chưa công bố được kế hoạch: mọi dòng phải có quyết định và lý do. "
        f"dòng {school.number} (Sửa phòng học mẫu giáo): chưa có lý do."
    )
    assert _status(plan) == CommunePlanStatus.APPROVED
    assert latest_version(plan, published=True) is None


@pytest.mark.parametrize(
    ("data", "scan", "messages"),
    [
        (
            {"resolution_number": "", "resolution_date": None, "signer": ""},
            None,
            [
                "Số nghị quyết: hãy ghi số nghị quyết của HĐND xã, ví dụ 12/NQ-HĐND.",
                "Ngày nghị quyết: hãy ghi ngày theo dạng dd/mm/yyyy.",
                "Người ký: hãy ghi người ký nghị quyết.",
            ],
        ),
        (
            {**RESOLUTION, "resolution_date": datetime.date(2099, 1, 1)},
            None,
            ["Ngày nghị quyết: 01/01/2099 là ngày trong tương lai."],
        ),
        (
            RESOLUTION,
            SimpleUploadedFile("nq.pdf", b"<html><script>alert(1)</script>", "application/pdf"),
            ["Bản chụp nghị quyết phải là tệp PDF, JPEG hoặc PNG."],
        ),
    ],
)
def test_approval_needs_a_real_resolution(
    world: dict[str, Any], data: dict[str, Any], scan: Any, messages: list[str]
) -> None:
    plan = world["plan"]
    commune_plan_transition(actor=world["planner"], plan=plan, action="submit")
    with pytest.raises(ApplicationError) as caught:
        commune_plan_approve(actor=world["approver"], plan=plan, data=data, scan=scan)
    errors = getattr(caught.value, "errors", [caught.value])
    assert [e.message for e in errors] == messages
    assert _status(plan) == CommunePlanStatus.SUBMITTED
    assert not Version.objects.exists()


def test_the_approved_version_never_changes(world: dict[str, Any], client: Client) -> None:
    plan = _approved(world)
    version = Version.objects.get(plan_uid=plan.uid)
    frozen = version.data
    line = plan.lines.active().order_by("number")[0]
    with pytest.raises(ApplicationError) as caught:
        commune_line_update(actor=world["planner"], line=line, data={"activity": "Đổi tên"})
    assert caught.value.code == "commune_plan_locked"
    with pytest.raises(ApplicationError):
        line_decide(actor=world["planner"], line=line, decision="rejected", reason="Thử")
    with pytest.raises(ImmutableError):
        version.data = {"lines": []}
        version.save()
    with pytest.raises(ImmutableError):
        Version.objects.get(pk=version.pk).delete()
    client.force_login(world["planner"])
    client.post(
        f"/cdp/{plan.uid}/lines/{line.uid}/edit/",
        {"text-activity": "Đổi tên qua trang", "text-expenditure_type": "investment"},
    )
    admin = user_with_role(Role.ADMIN, None, username="quantri.test")
    client.force_login(admin)
    response = client.post(
        f"/admin/approvals/version/{version.pk}/change/", {"resolution_number": "SỬA"}
    )
    assert response.status_code == 403
    stored = Version.objects.get(pk=version.pk)
    assert (stored.data, stored.resolution_number) == (frozen, "25/NQ-HĐND")
    line.refresh_from_db()
    assert line.activity != "Đổi tên qua trang"


def test_an_amendment_is_a_new_version_with_a_readable_diff(world: dict[str, Any]) -> None:
    planner, approver = world["planner"], world["approver"]
    plan = _approved(world)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    first = Version.objects.get(plan_uid=plan.uid)
    with pytest.raises(ApplicationError):
        commune_plan_transition(actor=planner, plan=plan, action="amend")
    commune_plan_transition(
        actor=planner, plan=plan, action="amend", comment="Tỉnh bổ sung vốn cho trường học"
    )
    plan.refresh_from_db()
    assert (plan.status, plan.version_number, plan.is_amendment) == ("draft", 2, True)
    school = plan.lines.active().get(sector__code="GD")
    road = plan.lines.active().get(activity=ROAD)
    extra = f.envelope_line(plan.round, f.source("NS-T", "provincial_budget"), "350")
    line_decide(
        actor=planner,
        line=school,
        decision=Decision.FUNDED,
        reason="Tỉnh bổ sung 350 triệu",
        funding={extra: D("350")},
    )
    commune_line_update(actor=planner, line=road, data={"location": "Liên thôn"})
    # until v2 is published the villages still see v1
    assert latest_version(plan, published=True) == first
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(
        actor=approver, plan=plan, data={**RESOLUTION, "resolution_number": "30/NQ-HĐND"}
    )
    second = Version.objects.get(plan_uid=plan.uid, number=2)
    assert second.is_amendment
    diff = versions_diff(first.data, second.data)
    assert (diff.added, diff.removed) == ([], [])
    changes = {c.new["activity"]: c.fields for c in diff.changed}  # type: ignore[index]
    assert changes["Sửa phòng học mẫu giáo"] == [
        ("decision", "unfunded", "funded"),
        (
            "decision_reason",
            first_reason(first, "Sửa phòng học mẫu giáo"),
            "Tỉnh bổ sung 350 triệu",
        ),
        ("funding:NS-T", D(0), D("350")),
    ]
    assert changes[ROAD] == [("location", "Xóm Trên", "Liên thôn")]
    assert diff.totals["funded"][1] - diff.totals["funded"][0] == D("350")
    assert diff.totals["total"][0] == diff.totals["total"][1] == D("1500")


def first_reason(version: Version, activity: str) -> str:
    return next(x for x in version.data["lines"] if x["activity"] == activity)["decision_reason"]


def test_publishing_tells_each_village_the_fate_of_its_proposals(world: dict[str, Any]) -> None:
    plan = _approved(world)
    commune_plan_transition(actor=world["planner"], plan=plan, action="publish")
    version, fates, _commune_plan = village_feedback(world["village_plan"])
    assert version is not None
    assert [(x.number, x.activity) for x in fates] == [
        (1, ROAD),
        (2, "Sửa phòng học mẫu giáo"),
    ]
    road, school = fates
    assert road.shared_with == ["Thôn Mỹ Chánh"]
    assert road.contribution == D("100")
    assert road.decision == "funded" and road.line["decision_reason"].startswith("Được bố trí vốn")
    assert school.decision == "unfunded" and "Vượt khung vốn" in school.line["decision_reason"]
    note = Notification.objects.get(user=world["editor"])
    assert note.url == f"/plans/{world['village_plan'].uid}/feedback/"
    assert "Thôn Diên Sanh" in note.text


def test_comment_threads_hang_replies_off_the_first_comment(world: dict[str, Any]) -> None:
    plan, approver, planner = world["plan"], world["approver"], world["planner"]
    line = plan.lines.active().order_by("number")[0]
    first = comment_add(actor=approver, plan_uid=plan.uid, line_uid=line.uid, body="Xem lại giá")
    reply = comment_add(actor=planner, plan_uid=plan.uid, body="Đã sửa", parent=first)
    again = comment_add(actor=approver, plan_uid=plan.uid, body="Đồng ý", parent=reply)
    assert reply.parent == first and again.parent == first
    assert again.line_uid == line.uid
    with pytest.raises(ApplicationError) as caught:
        comment_add(actor=approver, plan_uid=plan.uid, body="   ")
    assert caught.value.message == "Hãy viết nội dung ý kiến trước."
    assert Comment.objects.count() == 3


def test_the_pages_of_approval_and_feedback(world: dict[str, Any], client: Client) -> None:
    plan = world["plan"]
    feedback_url = f"/plans/{world['village_plan'].uid}/feedback/"
    client.force_login(world["editor"])
    assert client.get(f"/cdp/{plan.uid}/approval/").status_code == 404
    assert client.get(feedback_url).status_code == 404
    client.force_login(world["planner"])
    page = client.get(f"/cdp/{plan.uid}/approval/").content.decode()
    assert "Trình phê duyệt" in page and "Phê duyệt (nghị quyết HĐND xã)" not in page
    client.post(f"/cdp/{plan.uid}/do/submit/")
    client.force_login(world["approver"])
    response = client.post(
        f"/cdp/{plan.uid}/approval/",
        {
            "resolution_number": "25/NQ-HĐND",
            "resolution_date": "01/12/2026",
            "signer": "Lê Văn Sơn",
            "scan": SimpleUploadedFile("nq.pdf", PDF, content_type="application/pdf"),
        },
        follow=True,
    )
    assert "Kế hoạch xã đã được phê duyệt." in response.content.decode()
    scan = client.get(f"/cdp/{plan.uid}/versions/1/scan/")
    assert scan["Content-Disposition"].startswith("attachment;")
    assert scan["X-Content-Type-Options"] == "nosniff"
    client.post(f"/cdp/{plan.uid}/do/publish/")
    diff = client.get(f"/cdp/{plan.uid}/diff/?old=1&new=current")
    assert diff.status_code == 200 and "Không có dòng nào khác nhau." in diff.content.decode()
    client.force_login(world["editor"])
    page = client.get(feedback_url).content.decode()
    assert "Kết quả các đề xuất của Thôn Diên Sanh trong kế hoạch xã năm 2027 (F13)" in page
    assert "chung một công trình với Thôn Mỹ Chánh" in page
    plan_page = client.get(f"/plans/{world['village_plan'].uid}/").content.decode()
    assert "Kế hoạch xã năm 2027 đã được công bố" in plan_page
    assert client.get("/notifications/").status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite has none)"
)
def test_two_approvers_at_the_same_moment_approve_once() -> None:
    built = _world()
    plan = built["plan"]
    commune_plan_transition(actor=built["planner"], plan=plan, action="submit")
    second = f.approver(built["commune"], username="phochutich.test")
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def approve(actor: Any) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            commune_plan_approve(
                actor=actor, plan=CommunePlan.objects.get(pk=plan.pk), data=RESOLUTION
            )
            results.append("ok")
        except ApplicationError as exc:
            results.append(exc.message)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in (built["approver"], second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(
        [
            "ok",
            "Không thể thực hiện thao tác này lúc này: tài liệu đang ở trạng thái “Đã phê duyệt”.",
        ]
    )
    assert Version.objects.filter(plan_uid=plan.uid).count() == 1
    assert StatusChange.objects.filter(plan_uid=plan.uid, action="approve").count() == 1
