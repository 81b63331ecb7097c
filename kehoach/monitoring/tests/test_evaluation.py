"""The evaluation of the year (F15, F16 achieved): achieved figures computed from the latest
reports; each rule of a work's evaluation with the field it names and nothing saved; the year's
evaluation and the targets achieved; versions, audit, who may write; the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import AuditEntry
from kehoach.catalog.models import Indicator
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import dong_hoi
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineFunding, TargetValue
from kehoach.synthesis.services.workflow import commune_plan_transition

from ..models import LineEvaluation, PlanEvaluation, TargetAchievement
from ..services.evaluation import (
    evaluation_summary,
    line_evaluation_save,
    plan_evaluation_save,
    target_achievements_save,
)
from ..services.progress import progress_report_create
from .factories import followed_plan, report_data

pytestmark = pytest.mark.django_db
D = Decimal

GOOD = {
    "deviation_reason": "",
    "beneficiary_opinion": "satisfied",
    "opinion_notes": "Bà con đi lại thuận tiện, xe tải nhỏ vào được thôn",
    "operation_maintenance": "Tổ tự quản thôn Diên Sanh bảo dưỡng, kinh phí từ quỹ thôn",
    "lesson": "Huy động ngày công sớm giúp thi công đúng tiến độ",
}
SCHOOL_EVALUATION = {
    "deviation_reason": "Mưa kéo dài tháng 10, 11 nên thi công chậm",
    "beneficiary_opinion": "partly",
    "opinion_notes": "Phụ huynh mong hoàn thành trước Tết",
    "operation_maintenance": "",
    "lesson": "",
}


def _followed(world: dict[str, Any]) -> dict[str, Any]:
    """The road completed (480 of 500 disbursed), the school 60% done (200 of 350)."""
    progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(
            status="completed", quantity_done=D("1.5"), actual_finish=datetime.date(2026, 11, 28)
        ),
        disbursed={world["ntp"]: D(480)},
    )
    progress_report_create(
        actor=world["planner"],
        line=world["school"],
        data=report_data(quantity_done=D("0.6"), contribution_labour_mvnd=D(5)),
        disbursed={world["budget"]: D(200)},
    )
    return world


@pytest.fixture
def world() -> dict[str, Any]:
    return _followed(followed_plan())


def _targets(plan: CommunePlan) -> dict[str, TargetValue]:
    poverty = Indicator.objects.create(
        code="HO-NGHEO",
        name="Tỷ lệ hộ nghèo",
        unit="%",
        group="general",
        decimals=1,
        higher_is_better=False,
    )
    roads = Indicator.objects.create(
        code="DUONG-BT",
        name="Đường giao thông nông thôn được cứng hóa",
        unit="km",
        group="infrastructure",
        decimals=1,
    )
    return {
        "HO-NGHEO": TargetValue.objects.create(
            plan=plan, indicator=poverty, plan_current=D("3.5"), plan_next=D("3.0")
        ),
        "DUONG-BT": TargetValue.objects.create(
            plan=plan, indicator=roads, plan_current=D(10), plan_next=D(12)
        ),
    }


def _more_works(world: dict[str, Any], count: int) -> None:
    """``count`` more funded works like the road (test data written directly), each reported."""
    road = world["road"]
    for n in range(count):
        values = {
            f.name: getattr(road, f.name)
            for f in CommuneLine._meta.concrete_fields
            if f.name not in ("id", "uid", "number", "activity", "created_at", "updated_at")
        }
        line = CommuneLine.objects.create(
            **values, number=100 + n, activity=f"Đường nội đồng số {n + 1}"
        )
        LineFunding.objects.create(line=line, envelope_line=world["ntp"], amount_mvnd=D(10))
        progress_report_create(
            actor=world["planner"],
            line=line,
            data=report_data(contribution_cash_mvnd=D(1), contribution_labour_mvnd=D(1)),
            disbursed={world["ntp"]: D(5)},
        )


def _field_error(model: Any, name: str, problem: str) -> str:
    label = str(model._meta.get_field(name).verbose_name).capitalize()
    return gettext("%(field)s: %(problem)s") % {"field": label, "problem": problem}


def _fields(error: ApplicationErrors) -> set[str]:
    return {e.where.field or "" for e in error.errors}


# --- what was achieved ------------------------------------------------------------------------


def test_the_summary_computes_plan_against_achieved_in_a_fixed_number_of_queries(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    plan = world["plan"]
    _targets(plan)
    with django_assert_num_queries(6):
        summary = evaluation_summary(plan)
        road, school = summary.rows
        totals = summary.totals
        targets = [(t.indicator.code, t.planned, t.achieved) for t in summary.targets]
    assert (road.line, school.line) == (world["road"], world["school"])
    assert (road.percent_done, road.status, road.completed) == (D("100.0"), "completed", True)
    assert (road.approved_mvnd, road.disbursed_mvnd, road.disbursed_percent) == (
        D(500),
        D(480),
        D("96.0"),
    )
    assert [(s.code, s.approved_mvnd, s.disbursed_mvnd) for s in road.sources] == [
        ("NTP26", D(500), D(480))
    ]
    assert (road.contribution_promised_mvnd, road.contribution_realised_mvnd) == (D(100), D(35))
    assert (school.quantity_done, school.percent_done, school.status) == (
        D("0.6"),
        D("60.0"),
        "ongoing",
    )
    assert school.contribution_realised_mvnd == D(25)  # cash 20 + labour 5
    assert not road.needs_reason and school.needs_reason
    assert road.missing == ["operation_maintenance"]
    assert school.missing == ["deviation_reason"]
    assert (totals.works, totals.completed, totals.ongoing, totals.not_started) == (2, 1, 1, 0)
    assert (totals.suspended, totals.cancelled, totals.evaluated) == (0, 0, 0)
    assert (totals.approved_mvnd, totals.disbursed_mvnd, totals.disbursed_percent) == (
        D(850),
        D(680),
        D("80.0"),
    )
    assert (totals.contribution_promised_mvnd, totals.contribution_realised_mvnd) == (
        D(150),
        D(60),
    )
    assert totals.contribution_percent == D("40.0")
    assert [(s.code, s.approved_mvnd, s.disbursed_mvnd) for s in totals.by_source] == [
        ("NS-X", D(350), D(200)),
        ("NTP26", D(500), D(480)),
    ]
    assert summary.evaluation is None and summary.results == ""
    # the table's order: general targets before infrastructure
    assert targets == [("HO-NGHEO", D("3.0"), None), ("DUONG-BT", D(12), None)]

    _more_works(world, 3)
    with django_assert_num_queries(6):
        assert evaluation_summary(plan).totals.works == 5


def test_a_work_without_a_report_counts_as_not_started() -> None:
    world = followed_plan()
    summary = evaluation_summary(world["plan"])
    assert [row.status for row in summary.rows] == ["not_started", "not_started"]
    assert summary.totals.not_started == 2
    assert all(row.needs_reason and row.percent_done == 0 for row in summary.rows)
    assert summary.totals.disbursed_mvnd == 0


# --- a work's evaluation ----------------------------------------------------------------------


def test_a_work_is_evaluated_and_audited(world: dict[str, Any]) -> None:
    evaluation = line_evaluation_save(
        actor=world["planner"], line=world["road"], data=GOOD, expected_version=0
    )
    assert (evaluation.version, evaluation.evaluated_by) == (1, world["planner"])
    assert evaluation.beneficiary_opinion == "satisfied"
    entry = AuditEntry.objects.get(
        subject_label="monitoring.lineevaluation", subject_id=str(evaluation.pk)
    )
    assert entry.plan_uid == world["plan"].uid and entry.operation == "create"
    assert entry.after["operation_maintenance"] == GOOD["operation_maintenance"]
    school = line_evaluation_save(
        actor=world["planner"], line=world["school"], data=SCHOOL_EVALUATION
    )
    assert school.deviation_reason == SCHOOL_EVALUATION["deviation_reason"]
    assert evaluation_summary(world["plan"]).totals.evaluated == 2


def test_a_work_not_completed_needs_the_reasons(world: dict[str, Any]) -> None:
    with translation.override("vi"), pytest.raises(ApplicationErrors) as caught:
        line_evaluation_save(
            actor=world["planner"],
            line=world["school"],
            data={**SCHOOL_EVALUATION, "deviation_reason": "  "},
        )
        state = gettext("%(status)s, %(percent)s%% done") % {
            "status": gettext("Ongoing").lower(),
            "percent": "60",
        }
        problem = gettext(
            "the work is not completed (%(state)s); say why it differs from the plan."
        ) % {"state": state}
        assert [e.message for e in caught.value.errors] == [
            _field_error(LineEvaluation, "deviation_reason", problem)
        ]
    assert _fields(caught.value) == {"deviation_reason"}
    assert not LineEvaluation.objects.exists()
    assert not AuditEntry.objects.filter(subject_label="monitoring.lineevaluation").exists()


def test_a_completed_work_short_of_the_plan_needs_the_reasons_and_its_upkeep(
    world: dict[str, Any],
) -> None:
    progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(
            reported_on=datetime.date(2026, 12, 1),
            status="completed",
            quantity_done=D("1.2"),
            actual_finish=datetime.date(2026, 12, 1),
        ),
        disbursed={world["ntp"]: D(480)},
    )
    with translation.override("vi"), pytest.raises(ApplicationErrors) as caught:
        line_evaluation_save(
            actor=world["planner"],
            line=world["road"],
            data={**GOOD, "operation_maintenance": ""},
        )
        assert caught.value.errors[0].message == _field_error(
            LineEvaluation,
            "deviation_reason",
            gettext("%(done)s of the %(planned)s %(unit)s planned were done; say why.")
            % {"done": "1,2", "planned": "1,5", "unit": "km"},
        )
    assert _fields(caught.value) == {"deviation_reason", "operation_maintenance"}
    assert not LineEvaluation.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"operation_maintenance": ""}, "operation_maintenance"),
        ({"beneficiary_opinion": "not_satisfied", "opinion_notes": ""}, "opinion_notes"),
        ({"beneficiary_opinion": "partly", "opinion_notes": ""}, "opinion_notes"),
        ({"beneficiary_opinion": "happy"}, "beneficiary_opinion"),
    ],
)
def test_each_rule_refuses_with_the_field_named(
    world: dict[str, Any], overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ApplicationErrors) as caught:
        line_evaluation_save(actor=world["planner"], line=world["road"], data={**GOOD, **overrides})
    assert _fields(caught.value) == {field}
    assert not LineEvaluation.objects.exists()


def test_a_satisfied_opinion_without_notes_and_not_asked_are_accepted(
    world: dict[str, Any],
) -> None:
    saved = line_evaluation_save(
        actor=world["planner"],
        line=world["road"],
        data={**GOOD, "beneficiary_opinion": "", "opinion_notes": ""},
    )
    assert saved.beneficiary_opinion == "not_asked"


def test_a_change_bumps_the_version_and_a_stale_one_is_refused(world: dict[str, Any]) -> None:
    first = line_evaluation_save(actor=world["planner"], line=world["road"], data=GOOD)
    same = line_evaluation_save(
        actor=world["planner"], line=world["road"], data=GOOD, expected_version=1
    )
    assert same.version == 1  # nothing changed: no new version, no audit row
    changed = line_evaluation_save(
        actor=world["planner"],
        line=world["road"],
        data={**GOOD, "lesson": "Cần cắm biển hạn chế tải trọng"},
        expected_version=1,
    )
    assert changed.version == 2
    entries = AuditEntry.objects.filter(
        subject_label="monitoring.lineevaluation", subject_id=str(first.pk)
    ).order_by("id")
    assert [e.operation for e in entries] == ["create", "update"]
    assert entries[1].before["lesson"] == GOOD["lesson"]
    with pytest.raises(ApplicationError) as caught:
        line_evaluation_save(
            actor=world["planner"],
            line=world["road"],
            data={**GOOD, "lesson": "Ghi đè"},
            expected_version=1,
        )
    assert caught.value.code == "conflict"
    assert LineEvaluation.objects.get().lesson == "Cần cắm biển hạn chế tải trọng"
    # someone evaluated the school after this user opened the empty form
    line_evaluation_save(actor=world["planner"], line=world["school"], data=SCHOOL_EVALUATION)
    with pytest.raises(ApplicationError) as caught:
        line_evaluation_save(
            actor=world["planner"],
            line=world["school"],
            data=SCHOOL_EVALUATION,
            expected_version=0,
        )
    assert caught.value.code == "conflict"


def test_only_the_communes_planner_evaluates_funded_works_of_a_published_plan(
    world: dict[str, Any],
) -> None:
    for actor in (commune_planner(dong_hoi()), world["approver"]):
        with pytest.raises(NotFoundError):
            line_evaluation_save(actor=actor, line=world["road"], data=GOOD)
    with pytest.raises(ApplicationError) as caught:
        line_evaluation_save(actor=world["planner"], line=world["farm"], data=GOOD)
    assert caught.value.code == "not_a_work"
    assert not LineEvaluation.objects.exists()


def test_a_plan_not_published_or_closed_is_not_evaluated() -> None:
    world = followed_plan(publish=False)
    with pytest.raises(ApplicationError) as caught:
        line_evaluation_save(actor=world["planner"], line=world["road"], data=GOOD)
    assert caught.value.code == "not_published"
    world = _followed(followed_plan(dong_hoi()))
    CommunePlan.objects.filter(pk=world["plan"].pk).update(status=CommunePlanStatus.CLOSED)
    with pytest.raises(ApplicationError) as caught:
        plan_evaluation_save(
            actor=world["planner"],
            plan=world["plan"],
            data={"evaluated_on": datetime.date(2026, 12, 1), "results": "Hoàn thành 1/2"},
        )
    assert caught.value.code == "plan_closed"
    assert not PlanEvaluation.objects.exists()


# --- the year ---------------------------------------------------------------------------------

YEAR = {
    "evaluated_on": datetime.date(2026, 12, 1),
    "results": "Hoàn thành 1/2 công trình; giải ngân 680/850 triệu đồng (80%).",
    "shortcomings": "Phòng học mẫu giáo chậm tiến độ do mưa kéo dài.",
    "lessons": "Khởi công sớm trước mùa mưa.",
}


def test_the_year_is_evaluated_in_implementation_and_after_the_evaluate_step(
    world: dict[str, Any],
) -> None:
    plan = commune_plan_transition(actor=world["planner"], plan=world["plan"], action="start")
    assert plan.status == CommunePlanStatus.IN_IMPLEMENTATION
    saved = plan_evaluation_save(actor=world["planner"], plan=plan, data=YEAR, expected_version=0)
    assert (saved.version, saved.evaluated_by, saved.results) == (
        1,
        world["planner"],
        YEAR["results"],
    )
    assert AuditEntry.objects.get(subject_label="monitoring.planevaluation").plan_uid == plan.uid
    plan = commune_plan_transition(actor=world["planner"], plan=plan, action="evaluate")
    changed = plan_evaluation_save(
        actor=world["planner"],
        plan=plan,
        data={**YEAR, "lessons": "Khởi công trước tháng 9."},
        expected_version=1,
    )
    assert changed.version == 2
    summary = evaluation_summary(plan)
    assert (summary.evaluated_on, summary.lessons) == (
        YEAR["evaluated_on"],
        "Khởi công trước tháng 9.",
    )
    with pytest.raises(ApplicationError) as caught:
        plan_evaluation_save(actor=world["planner"], plan=plan, data=YEAR, expected_version=1)
    assert caught.value.code == "conflict"


def test_the_year_needs_a_date_not_in_the_future_and_its_results(world: dict[str, Any]) -> None:
    with translation.override("vi"), pytest.raises(ApplicationErrors) as caught:
        plan_evaluation_save(
            actor=world["planner"],
            plan=world["plan"],
            data={**YEAR, "evaluated_on": datetime.date(2099, 1, 1), "results": ""},
        )
        assert caught.value.errors[0].message == _field_error(
            PlanEvaluation,
            "evaluated_on",
            gettext("%(date)s is in the future.") % {"date": "01/01/2099"},
        )
    assert _fields(caught.value) == {"evaluated_on", "results"}
    with pytest.raises(ApplicationErrors) as caught:
        plan_evaluation_save(
            actor=world["planner"], plan=world["plan"], data={**YEAR, "evaluated_on": None}
        )
    assert _fields(caught.value) == {"evaluated_on"}
    for actor in (commune_planner(dong_hoi()), world["approver"]):
        with pytest.raises(NotFoundError):
            plan_evaluation_save(actor=actor, plan=world["plan"], data=YEAR)
    assert not PlanEvaluation.objects.exists()


# --- targets achieved (F16) -------------------------------------------------------------------


def test_targets_achieved_are_saved_and_compared_with_the_plan(world: dict[str, Any]) -> None:
    plan = world["plan"]
    targets = _targets(plan)
    changed = target_achievements_save(
        actor=world["planner"],
        plan=plan,
        rows={
            "HO-NGHEO": {"achieved": "3,2", "notes": "Theo kết quả rà soát cuối năm"},
            "DUONG-BT": {"achieved": D("12.5"), "notes": ""},
            "KHONG-CO": {"achieved": "1"},  # not a target of the plan: ignored
        },
    )
    assert changed == 2
    rows = {t.indicator.code: t for t in evaluation_summary(plan).targets}
    assert (rows["HO-NGHEO"].achieved, rows["HO-NGHEO"].percent, rows["HO-NGHEO"].met) == (
        D("3.2"),
        D("106.7"),
        False,  # the poverty rate should fall to 3,0 or below
    )
    assert (rows["DUONG-BT"].percent, rows["DUONG-BT"].met) == (D("104.2"), True)
    assert rows["HO-NGHEO"].notes == "Theo kết quả rà soát cuối năm"
    assert AuditEntry.objects.filter(subject_label="monitoring.targetachievement").count() == 2

    # unchanged rows change nothing; an emptied row removes its value
    assert (
        target_achievements_save(
            actor=world["planner"],
            plan=plan,
            rows={"DUONG-BT": {"achieved": "12,5"}, "HO-NGHEO": {"achieved": "", "notes": ""}},
        )
        == 1
    )
    assert not TargetAchievement.objects.filter(target=targets["HO-NGHEO"]).exists()
    assert AuditEntry.objects.filter(
        subject_label="monitoring.targetachievement", operation="delete"
    ).exists()


def test_a_bad_achieved_value_is_named_and_nothing_saved(world: dict[str, Any]) -> None:
    _targets(world["plan"])
    with pytest.raises(ApplicationErrors) as caught:
        target_achievements_save(
            actor=world["planner"],
            plan=world["plan"],
            rows={
                "HO-NGHEO": {"achieved": "ba phẩy hai"},
                "DUONG-BT": {"achieved": "-1"},
            },
        )
    assert _fields(caught.value) == {"HO-NGHEO__achieved", "DUONG-BT__achieved"}
    assert all(e.message.startswith(("Tỷ lệ hộ nghèo", "Đường giao")) for e in caught.value.errors)
    with pytest.raises(ApplicationErrors) as caught:
        target_achievements_save(
            actor=world["planner"],
            plan=world["plan"],
            rows={"HO-NGHEO": {"achieved": "", "notes": "Chưa có số liệu"}},
        )
    assert caught.value.code == "achieved_required"
    assert not TargetAchievement.objects.exists()
    with pytest.raises(NotFoundError):
        target_achievements_save(
            actor=commune_planner(dong_hoi()),
            plan=world["plan"],
            rows={"HO-NGHEO": {"achieved": "3"}},
        )


# --- the pages --------------------------------------------------------------------------------


def _url(world: dict[str, Any], name: str = "monitoring:evaluation") -> str:
    return reverse(name, args=[world["plan"].uid])


def test_the_evaluation_page_lists_the_works_in_a_bounded_number_of_queries(
    client: Client, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    _targets(world["plan"])
    client.force_login(world["planner"])
    client.get(_url(world))  # warm the session and caches
    with django_assert_max_num_queries(20):
        response = client.get(_url(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bê tông hóa đường xóm Trên" in html and "Sửa phòng học mẫu giáo" in html
    assert "Tập huấn chăn nuôi" not in html  # unfunded: not a work
    assert 'id="year-form"' in html and 'id="targets-form"' in html
    assert "Tỷ lệ hộ nghèo" in html
    assert "680,0" in html and "850,0" in html  # disbursed against approved
    # three more works (reported) cost no more queries
    _more_works(world, 3)
    with django_assert_max_num_queries(20):
        response = client.get(_url(world))
    assert response.content.decode().count("Đường nội đồng số") == 3


def test_another_communes_user_gets_404_and_a_reader_no_form(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(commune_planner(dong_hoi()))
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world, "monitoring:evaluation_year"), {}).status_code == 404
    client.force_login(world["approver"])
    response = client.get(_url(world))
    assert response.status_code == 200
    assert 'id="year-form"' not in response.content.decode()
    data = {"evaluated_on": "01/12/2026", "results": "Hoàn thành", "version": "0"}
    assert client.post(_url(world, "monitoring:evaluation_year"), data).status_code == 404
    bad = {"evaluated_on": "31/02/2026", "results": "", "version": "0"}  # no form errors shown
    assert client.post(_url(world, "monitoring:evaluation_year"), bad).status_code == 404
    assert client.post(_url(world, "monitoring:evaluation_targets"), {}).status_code == 404
    assert not PlanEvaluation.objects.exists()


def test_the_year_is_written_on_the_page(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["planner"])
    url = _url(world, "monitoring:evaluation_year")
    with translation.override("vi"):
        response = client.post(url, {"evaluated_on": "01/12/2026", "results": "", "version": "0"})
        assert response.status_code == 400
        assert gettext("write what the year achieved against the plan.") in (
            response.content.decode()
        )
    assert not PlanEvaluation.objects.exists()
    response = client.post(
        url,
        {
            "evaluated_on": "01/12/2026",
            "results": YEAR["results"],
            "shortcomings": YEAR["shortcomings"],
            "lessons": "",
            "version": "0",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url(world) + "#year"
    assert PlanEvaluation.objects.get().evaluated_on == datetime.date(2026, 12, 1)
    html = client.get(_url(world)).content.decode()
    assert "01/12/2026" in html and "Phòng học mẫu giáo chậm tiến độ" in html


def test_the_targets_achieved_are_entered_on_the_page(
    client: Client, world: dict[str, Any]
) -> None:
    _targets(world["plan"])
    client.force_login(world["planner"])
    url = _url(world, "monitoring:evaluation_targets")
    response = client.post(url, {"HO-NGHEO__achieved": "ba", "DUONG-BT__achieved": "12,5"})
    assert response.status_code == 400
    assert not TargetAchievement.objects.exists()
    response = client.post(url, {"HO-NGHEO__achieved": "2,9", "DUONG-BT__achieved": "12,5"})
    assert response.status_code == 302
    html = client.get(_url(world)).content.decode()
    assert "96,7" in html  # 2,9 of the 3,0 planned (the rate fell below the plan: met)
    assert "104,2" in html


def test_a_work_is_evaluated_from_its_page(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["planner"])
    work_url = reverse("monitoring:work", args=[world["plan"].uid, world["school"].uid])
    html = client.get(work_url).content.decode()
    assert 'id="work-evaluation-form"' in html and 'id="work-plan-achieved"' in html
    url = reverse("monitoring:work_evaluation", args=[world["plan"].uid, world["school"].uid])
    assert 'id="work-evaluation-form"' in client.get(url).content.decode()  # the form alone
    response = client.post(url, {**SCHOOL_EVALUATION, "deviation_reason": "", "version": "0"})
    assert response.status_code == 400
    assert 'id="work-evaluation-form"' in response.content.decode()
    assert not LineEvaluation.objects.exists()
    response = client.post(url, {**SCHOOL_EVALUATION, "version": "0"})
    assert response.status_code == 302
    assert response["Location"] == work_url + "#evaluation"
    html = client.get(work_url).content.decode()
    assert "Mưa kéo dài tháng 10, 11" in html
    # a stale form is refused with the conflict message, the saved values kept
    response = client.post(url, {**SCHOOL_EVALUATION, "lesson": "Khác", "version": "0"})
    assert response.status_code == 400
    assert LineEvaluation.objects.get().lesson == ""


def test_the_work_section_is_for_funded_works_and_read_only_for_readers(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["planner"])
    farm = reverse("monitoring:work", args=[world["plan"].uid, world["farm"].uid])
    assert 'id="evaluation"' not in client.get(farm).content.decode()
    client.force_login(world["approver"])
    road = reverse("monitoring:work", args=[world["plan"].uid, world["road"].uid])
    html = client.get(road).content.decode()
    assert 'id="evaluation"' in html and 'id="work-evaluation-form"' not in html
    url = reverse("monitoring:work_evaluation", args=[world["plan"].uid, world["road"].uid])
    assert client.post(url, {**GOOD, "version": "0"}).status_code == 404
    client.force_login(commune_planner(dong_hoi()))
    assert client.get(url).status_code == 404
    assert not LineEvaluation.objects.exists()
