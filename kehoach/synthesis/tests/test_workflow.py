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
from django.utils.translation import gettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.approvals.models import (
    AuditEntry,
    Comment,
    ImmutableError,
    Notification,
    StatusChange,
    Version,
)
from kehoach.approvals.services import comment_add
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import CommuneFactory, ProvinceFactory, hai_lang
from kehoach.plans.models import ProposalLine, VillagePlan

from ..choices import CommunePlanStatus, Decision
from ..models import CommuneLine, CommunePlan
from ..services.envelope import envelope_line_update
from ..services.funding import allocation_run, line_decide
from ..services.lines import (
    commune_line_create,
    commune_line_remove,
    commune_line_update,
    commune_plan_synthesise,
    lines_merge,
)
from ..services.workflow import (
    commune_plan_approve,
    commune_plan_transition,
    latest_version,
    version_amendment_reason,
    village_feedback,
)
from ..versions import funding_parts, versions_diff
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


def _evaluation_written(planner: Any, plan: CommunePlan) -> None:
    """The evaluation of the year (monitoring, F15) that the "evaluate" step waits for."""
    from kehoach.monitoring.services.evaluation import plan_evaluation_save

    plan_evaluation_save(
        actor=planner,
        plan=plan,
        data={
            "evaluated_on": datetime.date(2026, 12, 2),
            "results": "Hoàn thành các công trình được bố trí vốn.",
        },
    )


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
    commune_plan_transition(actor=planner, plan=plan, action="start")
    with pytest.raises(ApplicationError) as caught:  # the year's evaluation comes first
        commune_plan_transition(actor=planner, plan=plan, action="evaluate")
    assert caught.value.code == "evaluation_missing"
    _evaluation_written(planner, plan)
    commune_plan_transition(actor=planner, plan=plan, action="evaluate")
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
    assert note.url == f"/cdp/{plan.uid}/approval/"
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
    response = client.post(
        f"/cdp/{plan.uid}/lines/{line.uid}/edit/",
        {"text-activity": "Đổi tên qua trang", "text-expenditure_type": "investment"},
        follow=True,
    )
    assert response.status_code == 200
    refused = [str(m) for m in response.context["messages"]]
    assert refused == [
        gettext(
            "The commune plan is “%(status)s” and cannot be changed. A change after "
            "approval is made as an amendment."
        )
        % {"status": gettext("Approved")}
    ]
    admin = user_with_role(Role.ADMIN, None, username="quantri.test")
    client.force_login(admin)
    response = client.post(
        f"/admin/approvals/version/{version.pk}/change/", {"resolution_number": "SỬA"}
    )
    assert response.status_code == 403
    assert client.post(f"/admin/approvals/version/{version.pk}/delete/").status_code == 403
    stored = Version.objects.get(pk=version.pk)
    assert (stored.data, stored.resolution_number) == (frozen, "25/NQ-HĐND")
    line.refresh_from_db()
    assert line.activity != "Đổi tên qua trang"


TRAINING = "Tập huấn kỹ thuật nuôi bò sinh sản"
HALL = "Sửa chữa nhà văn hóa xã"


def _own_line(world: dict[str, Any], activity: str, total: str, given: str) -> CommuneLine:
    """A line proposed by a commune organisation (R14), decided by hand without funding."""
    data = {
        **f.pf.line_data(sector=f.agriculture(), activity=activity),
        **f.money_line(total, given),
        "organisation": "Hội Nông dân xã",
    }
    line = commune_line_create(actor=world["planner"], plan=world["plan"], data=data)
    return line_decide(
        actor=world["planner"], line=line, decision=Decision.DEFERRED, reason="Để năm sau"
    )


def test_an_amendment_is_a_new_version_with_a_readable_diff(
    world: dict[str, Any], client: Client
) -> None:
    """Worked example (million VND). Version 1: the merged road 1,100 (contribution 200,
    support 900, funded NTP26 900), the school 400 (50, 350, not funded) and the farmers'
    training 100 (30, 70, deferred). The amendment funds the school from the provincial budget
    (350), moves the road, drops the training and adds the hall 200 (50, 150, deferred)."""
    planner, approver = world["planner"], world["approver"]
    training = _own_line(world, TRAINING, "100", "30")
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
    commune_line_remove(actor=planner, line=training)
    _own_line(world, HALL, "200", "50")
    # until v2 is published the villages still see v1
    assert latest_version(plan, published=True) == first
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(
        actor=approver, plan=plan, data={**RESOLUTION, "resolution_number": "30/NQ-HĐND"}
    )
    second = Version.objects.get(plan_uid=plan.uid, number=2)
    assert second.is_amendment
    assert second.data["amendment_reason"] == "Tỉnh bổ sung vốn cho trường học"
    diff = versions_diff(first.data, second.data)
    assert [(c.line["activity"], D(c.line["total"]), D(c.line["support"])) for c in diff.added] == [
        (HALL, D("200"), D("150"))
    ]
    assert [(c.line["activity"], D(c.line["total"]), c.line["uid"]) for c in diff.removed] == [
        (TRAINING, D("100"), str(training.uid))
    ]
    changes = {c.new["activity"]: c.fields for c in diff.changed}  # type: ignore[index]
    assert set(changes) == {"Sửa phòng học mẫu giáo", ROAD}
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
    assert diff.totals == {
        "total": (D("1600"), D("1700")),
        "contribution": (D("280"), D("300")),
        "support": (D("1320"), D("1400")),
        "funded": (D("900"), D("1250")),
    }
    client.force_login(approver)
    page = client.get(f"/cdp/{plan.uid}/diff/?old=1&new=2")
    assert page.status_code == 200
    html = page.content.decode()
    added = html[
        html.index('id="diff-added"') : html.index("</table>", html.index('id="diff-added"'))
    ]
    removed_at = html.index('id="diff-removed"')
    removed = html[removed_at : html.index("</table>", removed_at)]
    assert HALL in added and "200,0" in added
    assert TRAINING in removed and "100,0" in removed
    assert "1.600,0" in html and "1.700,0" in html and "1.250,0" in html


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
    client.post(f"/cdp/{plan.uid}/do/submit/", {"confirm": "1"})
    client.force_login(world["approver"])
    response = client.post(
        f"/cdp/{plan.uid}/approval/",
        {
            "resolution_number": "25/NQ-HĐND",
            "resolution_date": "01/12/2026",
            "signer": "Lê Văn Sơn",
            "scan": SimpleUploadedFile("nq.pdf", PDF, content_type="application/pdf"),
            "confirm": "on",
        },
        follow=True,
    )
    assert "Kế hoạch xã đã được phê duyệt." in response.content.decode()
    scan = client.get(f"/cdp/{plan.uid}/versions/1/scan/")
    assert scan["Content-Disposition"].startswith("attachment;")
    assert scan["X-Content-Type-Options"] == "nosniff"
    client.post(f"/cdp/{plan.uid}/do/publish/", {"confirm": "1"})
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


# --- optional steps of a profile: the commune conference, the district review -----------------


def _steps(world: dict[str, Any], *steps: str) -> None:
    profile = world["plan"].round.profile
    profile.extra = {**(profile.extra or {}), "commune_plan_steps": list(steps)}
    profile.save()


def _code(call: Any) -> str:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.code


def test_a_profile_with_the_commune_conference_agrees_before_submitting(
    world: dict[str, Any],
) -> None:
    plan, planner, approver = world["plan"], world["planner"], world["approver"]
    _steps(world, "conference")
    assert _code(lambda: commune_plan_transition(actor=planner, plan=plan, action="submit")) == (
        "transition_invalid"
    )
    assert _code(lambda: commune_plan_transition(actor=planner, plan=plan, action="agree")) == (
        "comment_required"
    )
    for actor in (approver, world["editor"]):
        with pytest.raises(NotFoundError):
            commune_plan_transition(actor=actor, plan=plan, action="agree", comment="Hội nghị")
    assert _status(plan) == CommunePlanStatus.DRAFT
    commune_plan_transition(
        actor=planner, plan=plan, action="agree", comment="Hội nghị xã ngày 20/11/2026 thống nhất"
    )
    assert _status(plan) == CommunePlanStatus.CONFERENCE
    assert _code(lambda: commune_line_update(actor=planner, line=plan.lines.first(), data={})) == (
        "commune_plan_locked"
    )
    assert _code(lambda: commune_plan_transition(actor=planner, plan=plan, action="reopen")) == (
        "comment_required"
    )
    with pytest.raises(NotFoundError):
        commune_plan_transition(actor=approver, plan=plan, action="reopen", comment="Sửa")
    commune_plan_transition(actor=planner, plan=plan, action="reopen", comment="Sửa số liệu")
    assert _status(plan) == CommunePlanStatus.DRAFT
    commune_plan_transition(actor=planner, plan=plan, action="agree", comment="Họp lại")
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    assert _status(plan) == CommunePlanStatus.SUBMITTED
    assert _code(
        lambda: commune_plan_transition(actor=planner, plan=plan, action="reopen", comment="x")
    ) == ("transition_invalid")
    changes = StatusChange.objects.filter(plan_uid=plan.uid).exclude(action="synthesise")
    assert [(c.action, c.from_state, c.to_state) for c in changes] == [
        ("agree", "draft", "conference"),
        ("reopen", "conference", "draft"),
        ("agree", "draft", "conference"),
        ("submit", "conference", "submitted"),
    ]


def test_a_profile_with_the_district_review_needs_it_before_approval(
    world: dict[str, Any],
) -> None:
    plan, planner, approver = world["plan"], world["planner"], world["approver"]
    _steps(world, "district_review")
    province = world["commune"].parent
    district = user_with_role(Role.DISTRICT_OFFICER, province, username="huyen.test")
    elsewhere = user_with_role(
        Role.DISTRICT_OFFICER, ProvinceFactory.create(name="Tỉnh Khác"), username="huyen.khac"
    )
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    assert _code(lambda: commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)) == (
        "transition_invalid"
    )
    for actor in (planner, approver, elsewhere):
        with pytest.raises(NotFoundError):
            commune_plan_transition(actor=actor, plan=plan, action="review", comment="Đạt")
    assert _code(lambda: commune_plan_transition(actor=district, plan=plan, action="review")) == (
        "comment_required"
    )
    assert _status(plan) == CommunePlanStatus.SUBMITTED
    commune_plan_transition(actor=district, plan=plan, action="review", comment="Phù hợp")
    assert _status(plan) == CommunePlanStatus.DISTRICT_REVIEWED
    with pytest.raises(NotFoundError):
        commune_plan_approve(actor=district, plan=plan, data=RESOLUTION)
    commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    assert _status(plan) == CommunePlanStatus.APPROVED
    review = StatusChange.objects.get(plan_uid=plan.uid, action="review")
    assert (review.actor_username, review.comment) == ("huyen.test", "Phù hợp")


def test_the_district_reviewed_plan_may_still_be_returned(world: dict[str, Any]) -> None:
    plan = world["plan"]
    _steps(world, "district_review")
    district = user_with_role(Role.DISTRICT_OFFICER, world["commune"].parent)
    commune_plan_transition(actor=world["planner"], plan=plan, action="submit")
    commune_plan_transition(actor=district, plan=plan, action="review", comment="Cần sửa")
    commune_plan_transition(
        actor=world["approver"], plan=plan, action="return", comment="Theo ý kiến huyện"
    )
    assert _status(plan) == CommunePlanStatus.RETURNED


# --- wrong role, wrong unit -------------------------------------------------------------------


def _to(world: dict[str, Any], state: str) -> CommunePlan:
    """Bring the plan to ``state`` along the default path."""
    plan, planner, approver = world["plan"], world["planner"], world["approver"]
    path = {
        "returned": [("submit", planner), ("return", approver)],
        "approved": [("submit", planner), ("approve", approver)],
        "published": [("submit", planner), ("approve", approver), ("publish", planner)],
        "in_implementation": [
            ("submit", planner), ("approve", approver), ("publish", planner), ("start", planner)],
        "evaluated": [
            ("submit", planner), ("approve", approver), ("publish", planner), ("start", planner),
            ("evaluate", planner)],
    }[state]  # fmt: skip
    for action, actor in path:
        if action == "evaluate":
            _evaluation_written(planner, plan)
        if action == "approve":
            commune_plan_approve(actor=actor, plan=plan, data=RESOLUTION)
        else:
            commune_plan_transition(actor=actor, plan=plan, action=action, comment="Ý kiến")
    plan.refresh_from_db()
    assert plan.status == state
    return plan


@pytest.mark.parametrize(
    ("state", "action", "allowed", "refused"),
    [
        ("approved", "publish", "planner", ["editor", "district", "stranger_planner"]),
        ("approved", "publish", "approver", ["stranger_approver"]),
        ("published", "start", "planner", ["approver", "editor", "stranger_planner"]),
        ("in_implementation", "evaluate", "planner", ["approver", "stranger_planner"]),
        ("evaluated", "close", "approver", ["planner", "editor", "stranger_approver"]),
        ("returned", "revise", "planner", ["approver", "editor", "stranger_planner"]),
        ("approved", "amend", "planner", ["approver", "district", "stranger_planner"]),
        ("published", "amend", "planner", ["approver", "stranger_planner"]),
        ("in_implementation", "amend", "planner", ["approver", "stranger_planner"]),
    ],
)
def test_each_later_transition_needs_its_role_on_this_commune(
    world: dict[str, Any], state: str, action: str, allowed: str, refused: list[str]
) -> None:
    other = CommuneFactory.create(name="Xã Khác", parent=world["commune"].parent)
    people = {
        **world,
        "district": user_with_role(Role.DISTRICT_OFFICER, world["commune"].parent),
        "stranger_planner": f.planner(other, username="xa.khac"),
        "stranger_approver": f.approver(other, username="lanhdao.khac"),
    }
    plan = _to(world, state)
    if action == "evaluate":
        _evaluation_written(world["planner"], plan)
    before = StatusChange.objects.count()
    for name in refused:
        with pytest.raises(NotFoundError):
            commune_plan_transition(actor=people[name], plan=plan, action=action, comment="Vì")
    assert _status(plan) == state
    assert StatusChange.objects.count() == before
    commune_plan_transition(actor=people[allowed], plan=plan, action=action, comment="Vì")
    assert StatusChange.objects.filter(plan_uid=plan.uid).last().action == action  # type: ignore[union-attr]
    assert _status(plan) != state


def test_another_communes_user_gets_404_on_every_approval_page(
    world: dict[str, Any], client: Client
) -> None:
    plan = world["plan"]
    other = CommuneFactory.create(name="Xã Khác", parent=world["commune"].parent)
    for stranger in (f.planner(other, username="xa.khac"), f.approver(other, username="ld.khac")):
        client.force_login(stranger)
        assert client.get(f"/cdp/{plan.uid}/approval/").status_code == 404
        assert client.post(f"/cdp/{plan.uid}/approval/", RESOLUTION).status_code == 404
        for action in ("submit", "return", "publish", "agree", "nonsense"):
            assert client.post(f"/cdp/{plan.uid}/do/{action}/").status_code == 404
        assert client.get(f"/cdp/{plan.uid}/diff/").status_code == 404
        assert client.get(f"/cdp/{plan.uid}/diff/?old=1&new=current").status_code == 404
        assert client.post(f"/cdp/{plan.uid}/comments/", {"body": "Xin chào"}).status_code == 404
    assert _status(plan) == CommunePlanStatus.DRAFT
    assert not StatusChange.objects.filter(plan_uid=plan.uid).exclude(action="synthesise").exists()
    assert not Comment.objects.exists()


def test_the_planner_cannot_approve_through_the_page(world: dict[str, Any], client: Client) -> None:
    plan = world["plan"]
    commune_plan_transition(actor=world["planner"], plan=plan, action="submit")
    client.force_login(world["planner"])
    data = {"resolution_number": "1/NQ", "resolution_date": "01/12/2026", "signer": "A"}
    assert client.post(f"/cdp/{plan.uid}/approval/", data).status_code == 404
    assert client.post(f"/cdp/{plan.uid}/do/approve/").status_code == 302
    assert _status(plan) == CommunePlanStatus.SUBMITTED


def test_a_version_that_already_exists_is_not_approved_again(world: dict[str, Any]) -> None:
    plan = world["plan"]
    commune_plan_transition(actor=world["planner"], plan=plan, action="submit")
    Version.objects.create(
        plan_uid=plan.uid,
        subject_label="synthesis.communeplan",
        number=1,
        resolution_number="1/NQ-HĐND",
        resolution_date=datetime.date(2026, 11, 1),
        signer="A",
        data={},
    )
    assert _code(
        lambda: commune_plan_approve(actor=world["approver"], plan=plan, data=RESOLUTION)
    ) == ("version_exists")
    assert _status(plan) == CommunePlanStatus.SUBMITTED
    assert Version.objects.get(plan_uid=plan.uid).resolution_number == "1/NQ-HĐND"
    assert not StatusChange.objects.filter(plan_uid=plan.uid, action="approve").exists()


# --- the difference page ----------------------------------------------------------------------


def test_the_diff_of_an_unknown_version_is_not_found(world: dict[str, Any], client: Client) -> None:
    plan = _approved(world)
    client.force_login(world["planner"])
    assert client.get(f"/cdp/{plan.uid}/diff/?old=1&new=current").status_code == 200
    for query in ("old=abc", "old=1&new=abc", "old=7", "old=%D9%A1", "old=-1", "old=1" + "0" * 30):
        assert client.get(f"/cdp/{plan.uid}/diff/?{query}").status_code == 404, query


# --- notifications ----------------------------------------------------------------------------


def _notes(user: Any) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("text", "url"))


def test_submitting_approving_and_amending_tell_the_people_concerned(
    world: dict[str, Any],
) -> None:
    plan, planner, approver = world["plan"], world["planner"], world["approver"]
    second_planner = f.planner(world["commune"], username="xa.phó")
    other = CommuneFactory.create(name="Xã Khác", parent=world["commune"].parent)
    outsider = f.approver(other, username="ld.khac")
    values = {"commune": "Xã Hải Lăng", "year": 2027}
    url = f"/cdp/{plan.uid}/approval/"
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    assert _notes(approver) == [
        (gettext("Commune plan %(year)s of %(commune)s submitted for approval") % values, url)
    ]
    assert _notes(planner) == [] and _notes(second_planner) == []
    commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    approved = (gettext("The commune plan %(year)s of %(commune)s was approved") % values, url)
    assert _notes(planner) == [approved] and _notes(second_planner) == [approved]
    assert len(_notes(approver)) == 1  # not told of their own approval
    commune_plan_transition(actor=planner, plan=plan, action="amend", comment="Bổ sung vốn")
    assert _notes(approver)[-1] == (
        gettext("An amendment of the commune plan %(year)s of %(commune)s was started") % values,
        url,
    )
    assert _notes(planner) == [approved]
    assert _notes(world["editor"]) == [] and _notes(outsider) == []


# --- history of every data change -------------------------------------------------------------


def test_comments_and_their_resolution_show_on_the_plans_history_page(
    world: dict[str, Any], client: Client
) -> None:
    plan, approver, planner = world["plan"], world["approver"], world["planner"]
    line = plan.lines.active().order_by("number")[0]
    client.force_login(approver)
    client.post(f"/cdp/{plan.uid}/comments/", {"body": "Bổ sung bản vẽ", "line": str(line.uid)})
    comment = Comment.objects.get()
    client.force_login(planner)
    client.post(f"/cdp/{plan.uid}/comments/{comment.pk}/resolve/", {"resolved": "1"})
    entries = AuditEntry.objects.filter(plan_uid=plan.uid, subject_label="approvals.comment")
    assert [(e.operation, e.actor) for e in entries] == [("create", approver), ("update", planner)]
    page = client.get(f"/cdp/{plan.uid}/history/").content.decode()
    assert "Bổ sung bản vẽ" in page
    assert f"{approver.full_name} ({approver.username})" in page
    assert f"{planner.full_name} ({planner.username})" in page


def test_publishing_records_each_proposals_outcome_in_the_village_plans_history(
    world: dict[str, Any], client: Client
) -> None:
    plan = _approved(world)
    commune_plan_transition(actor=world["approver"], plan=plan, action="publish")
    village_plan = world["village_plan"]
    entries = {
        e.subject_repr: e
        for e in AuditEntry.objects.filter(
            plan_uid=village_plan.uid, subject_label="plans.proposalline"
        )
    }
    road = entries[f"1. {ROAD}"]
    school = entries["2. Sửa phòng học mẫu giáo"]
    assert (road.before, road.after, road.actor) == (
        {"outcome": "pending"},
        {"outcome": "funded"},
        world["approver"],
    )
    assert (school.before, school.after) == ({"outcome": "pending"}, {"outcome": "unfunded"})
    assert (
        AuditEntry.objects.filter(subject_label="plans.proposalline", operation="update").count()
        == 3
    )
    client.force_login(world["planner"])
    page = client.get(f"/plans/{village_plan.uid}/history/").content.decode()
    assert f"{gettext('Not decided yet')} → {gettext('Included and funded')}" in page
    assert f"{world['approver'].full_name} ({world['approver'].username})" in page


def test_a_change_of_source_with_the_same_decision_is_in_the_history(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    school = plan.lines.active().get(sector__code="GD")
    province = f.envelope_line(plan.round, f.source("NS-T", "provincial_budget"), "350")
    donor = f.envelope_line(plan.round, f.source("ODA", "oda"), "350")
    for envelope_line in (province, donor):
        line_decide(
            actor=planner,
            line=school,
            decision=Decision.FUNDED,
            reason="Ưu tiên trường học",
            funding={envelope_line: D("350")},
        )
    last = AuditEntry.objects.filter(plan_uid=plan.uid, subject_id=str(school.pk)).latest("id")
    assert last.changed_fields() == [
        ("funding", {f"{province.number}. NS-T": "350"}, {f"{donor.number}. ODA": "350"})
    ]
    assert last.before["decision"] == last.after["decision"] == "funded"


def test_the_allocation_records_the_funding_of_each_line(world: dict[str, Any]) -> None:
    plan = world["plan"]
    road = plan.lines.active().get(activity=ROAD)
    entry = AuditEntry.objects.filter(plan_uid=plan.uid, subject_id=str(road.pk)).latest("id")
    assert entry.before["funding"] == {}
    assert entry.after["funding"] == {"1. NTP26": "900"}
    assert entry.after["decision"] == "funded"


def test_an_envelope_change_that_takes_funding_back_records_each_line(
    world: dict[str, Any],
) -> None:
    plan = world["plan"]
    road = plan.lines.active().get(activity=ROAD)
    officer = f.province_officer(world["commune"].parent, username="so.taichinh")
    ntp = plan.round.envelope.lines.get(number=1)
    last = AuditEntry.objects.latest("id").pk
    _line, taken = envelope_line_update(actor=officer, line=ntp, data={"amount_mvnd": D("800")})
    assert taken == 1
    new = AuditEntry.objects.filter(plan_uid=plan.uid, id__gt=last)
    assert sorted(e.subject_label for e in new) == [
        "synthesis.communeline",
        "synthesis.envelopeline",
    ]
    entry = new.get(subject_label="synthesis.communeline")
    assert entry.subject_id == str(road.pk)
    assert (entry.actor, entry.before["decision"], entry.after["decision"]) == (
        officer,
        "funded",
        "pending",
    )
    assert (entry.before["funding"], entry.after["funding"]) == ({"1. NTP26": "900"}, {})
    assert entry.after["review"] == "changed" and "NTP26" in entry.after["review_note"]


# --- feedback: each village's share of a merged line, proposals dropped by an amendment -------


def test_each_village_reads_its_own_share_of_a_merged_lines_funding(
    world: dict[str, Any], client: Client
) -> None:
    """The road asked 500 of support from Diên Sanh (600 − 100) and 400 from Mỹ Chánh
    (500 − 100); funded NTP26 900 as one work, each village is told its part."""
    plan = _approved(world)
    commune_plan_transition(actor=world["planner"], plan=plan, action="publish")
    _version, fates, _plan = village_feedback(world["village_plan"])
    road = fates[0]
    assert [(x["source"], x["amount"]) for x in road.funding] == [("NTP26", D("500"))]
    assert road.funded_total == D("500")
    assert [(x["source"], x["amount"]) for x in road.line["funding"]] == [("NTP26", "900.000")]
    other = VillagePlan.objects.get(village__name="Thôn Mỹ Chánh")
    _version, [their_road], _plan = village_feedback(other)
    assert [(x["source"], x["amount"]) for x in their_road.funding] == [("NTP26", D("400"))]
    client.force_login(world["editor"])
    page = client.get(f"/plans/{world['village_plan'].uid}/feedback/").content.decode()
    row = page[page.index(ROAD) : page.index("</tr>", page.index(ROAD))]
    assert "NTP26 500,0" in row and "NTP26 900,0" in row


def test_funding_is_divided_by_support_asked_and_adds_up_exactly() -> None:
    line = {
        "funding": [{"source": "NTP26", "amount": "100"}, {"source": "NS-X", "amount": "10"}],
        "sources": [
            {"village_line": "a", "support": "1", "total": "5"},
            {"village_line": "b", "support": "1", "total": "5"},
            {"village_line": "c", "support": "1", "total": "90"},
        ],
    }
    parts = funding_parts(line)
    assert [x["amount"] for x in parts["a"]] == [D("33.333"), D("3.333")]
    assert [x["amount"] for x in parts["c"]] == [D("33.334"), D("3.334")]
    assert sum(parts[k][0]["amount"] for k in "abc") == D("100")
    # no support asked at all: by cost
    for source in line["sources"]:
        source["support"] = "0"
    parts = funding_parts(line)
    assert [parts[k][0]["amount"] for k in "abc"] == [D("5"), D("5"), D("90")]


def test_a_proposal_dropped_by_an_amendment_is_rejected_with_its_reason(
    world: dict[str, Any], client: Client
) -> None:
    """Mỹ Chánh takes its plan back during the amendment: its share of the road leaves the
    commune plan, and when the amendment is published its proposal is rejected, with the
    amendment's reason, in its history and in its feedback."""
    planner, approver = world["planner"], world["approver"]
    plan = _approved(world)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    theirs = ProposalLine.objects.get(plan__village__name="Thôn Mỹ Chánh")
    assert theirs.outcome == "funded"
    commune_plan_transition(
        actor=planner, plan=plan, action="amend", comment="Thôn Mỹ Chánh rút đề xuất đường"
    )
    VillagePlan.objects.filter(pk=theirs.plan_id).update(status="draft")
    commune_plan_synthesise(actor=planner, round_=plan.round)
    allocation_run(actor=planner, plan=plan)
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=approver, plan=plan, data={**RESOLUTION, "resolution_number": "31"})
    theirs.refresh_from_db()
    assert theirs.outcome == "funded"  # approved, not yet published: unchanged
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    theirs.refresh_from_db()
    assert theirs.outcome == "rejected"
    reason = gettext("Taken out of the plan by amendment %(number)s: %(reason)s") % {
        "number": 2,
        "reason": "Thôn Mỹ Chánh rút đề xuất đường",
    }
    entry = AuditEntry.objects.filter(plan_uid=theirs.plan.uid).latest("id")
    assert (entry.before, entry.after, entry.actor) == (
        {"outcome": "funded"},
        {"outcome": "rejected", "reason": reason},
        planner,
    )
    ours = ProposalLine.objects.get(plan=world["village_plan"], activity=ROAD)
    assert ours.outcome == "funded"
    _version, fates, _plan = village_feedback(VillagePlan.objects.get(pk=theirs.plan_id))
    assert [(x.activity, x.decision, x.line["decision_reason"], x.dropped) for x in fates] == [
        (ROAD, "rejected", reason, True)
    ]
    _version, fates, _plan = village_feedback(world["village_plan"])
    assert [x.dropped for x in fates] == [False, False]
    assert fates[0].funded_total == D(fates[0].line["support"]) == D("500")
    assert not fates[0].shared_with


# --- where a form sends the user back ---------------------------------------------------------

OFFSITE = [
    "//evil.example/",
    "https://evil.example/cdp/",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
]


@pytest.mark.parametrize("target", OFFSITE)
def test_a_next_field_never_sends_the_user_to_another_site(
    world: dict[str, Any], client: Client, target: str
) -> None:
    plan = world["plan"]
    approval = f"/cdp/{plan.uid}/approval/"
    client.force_login(world["approver"])
    response = client.post(f"/cdp/{plan.uid}/comments/", {"body": "Xem lại", "next": target})
    assert (response.status_code, response["Location"]) == (302, approval)
    comment = Comment.objects.get()
    response = client.post(
        f"/cdp/{plan.uid}/comments/{comment.pk}/resolve/", {"resolved": "1", "next": target}
    )
    assert (response.status_code, response["Location"]) == (302, approval)
    # a refused action goes back to where the user came from, if that is this site
    response = client.post(f"/cdp/{plan.uid}/do/return/", {"next": target, "comment": "x"})
    assert (response.status_code, response["Location"]) == (302, "/")
    response = client.post(f"/cdp/{plan.uid}/do/return/", {"comment": "x"}, HTTP_REFERER=target)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_a_next_field_on_this_site_is_followed(world: dict[str, Any], client: Client) -> None:
    plan = world["plan"]
    line = plan.lines.active().order_by("number")[0]
    here = f"/cdp/{plan.uid}/lines/{line.uid}/?tab=1#comments"
    client.force_login(world["approver"])
    response = client.post(f"/cdp/{plan.uid}/comments/", {"body": "Xem lại", "next": here})
    assert response["Location"] == here
    response = client.post(
        f"/cdp/{plan.uid}/do/return/",
        {"comment": "x"},
        HTTP_REFERER=f"http://testserver/cdp/{plan.uid}/approval/?a=1",
    )
    assert response["Location"] == f"/cdp/{plan.uid}/approval/?a=1"


def test_the_reason_of_an_amendment_approved_before_it_was_kept_in_the_snapshot(
    world: dict[str, Any],
) -> None:
    plan = world["plan"]
    for number, comment in ((2, "Bổ sung vốn tỉnh"), (3, "Thôn rút đề xuất")):
        StatusChange.objects.create(
            plan_uid=plan.uid,
            subject_label="synthesis.communeplan",
            action="amend",
            from_state="published",
            to_state="draft",
            comment=comment,
        )
        Version.objects.create(
            plan_uid=plan.uid,
            subject_label="synthesis.communeplan",
            number=number,
            is_amendment=True,
            resolution_number=f"{number}/NQ",
            resolution_date=datetime.date(2026, 12, number),
            signer="A",
            data={"lines": []},
        )
    reasons = [version_amendment_reason(v) for v in Version.objects.filter(plan_uid=plan.uid)]
    assert reasons == ["Bổ sung vốn tỉnh", "Thôn rút đề xuất"]
