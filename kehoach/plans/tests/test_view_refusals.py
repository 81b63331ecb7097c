"""How the village-plan pages answer a refusal now that ``core.refusals`` maps errors in one
place (issue 14): a refused POST goes back to the page the form was on with the reason; the GET
of an edit form on a locked plan opens the tab with the reason; forms put a service's problems
next to their inputs (``core.forms.ServiceErrorsMixin`` with the plans' own mapping).

Messages are compared with ``gettext`` of their English msgid, computed here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from kehoach.accounts.tests.factories import commune_planner
from kehoach.core.errors import ApplicationErrors, Where
from kehoach.core.validation import Problem
from kehoach.plans.choices import PlanStatus
from kehoach.plans.forms_findings import ProblemForm
from kehoach.plans.forms_info import BasicInfoForm, date_name, ethnic_formset, source_name
from kehoach.plans.models import Problem as ProblemRow
from kehoach.plans.models import VillagePlan
from kehoach.plans.services.attendance import attendee_add
from kehoach.plans.services.findings import problem_create
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.tests import factories as f
from kehoach.plans.tests.test_workflow import MEETING
from kehoach.plans.views.common import plan_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan() -> VillagePlan:
    return f.village_plan()


@pytest.fixture
def planner(plan: VillagePlan) -> Any:
    return commune_planner(plan.village.parent)


@pytest.fixture
def client_planner(client: Client, planner: Any) -> Client:
    client.force_login(planner)
    return client


def _lock(plan: VillagePlan) -> None:
    plan.status = PlanStatus.SUBMITTED
    plan.save()


def _locked_message(plan: VillagePlan) -> str:
    return gettext(
        "The plan of %(village)s is “%(status)s” and cannot be changed. "
        "Ask the commune to return it if something must be corrected."
    ) % {"village": plan.village.name, "status": plan.get_status_display()}


def _shown(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _problem(planner: Any, plan: VillagePlan) -> ProblemRow:
    return problem_create(
        actor=planner,
        plan=plan,
        data={"sector": f.sector(), "problem": "Đường lầy lội", "causes": "Đường đất"},
    )


# --- refused POSTs: back where the user was, with the reason ----------------------------------


def test_a_delete_on_a_locked_plan_goes_back_with_the_reason(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    problem = _problem(planner, plan)
    _lock(plan)
    page = reverse("plans:findings", args=[plan.uid])
    response = client_planner.post(
        reverse("plans:findings_problem_delete", args=[plan.uid, problem.pk]),
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert response.status_code == 302
    assert response["Location"] == page
    assert _shown(response) == [_locked_message(plan)]
    assert ProblemRow.objects.filter(pk=problem.pk).exists()


def test_a_delete_on_a_draft_is_done_and_said(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    problem = _problem(planner, plan)
    response = client_planner.post(
        reverse("plans:findings_problem_delete", args=[plan.uid, problem.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:findings", args=[plan.uid])
    assert _shown(response) == [gettext("The problem is deleted.")]
    assert not ProblemRow.objects.filter(pk=problem.pk).exists()


def test_a_form_posted_to_a_locked_plan_goes_back_with_the_reason(
    client_planner: Client, plan: VillagePlan
) -> None:
    _lock(plan)
    page = reverse("plans:ranking", args=[plan.uid])
    response = client_planner.post(
        reverse("plans:ranking_create", args=[plan.uid]),
        {"label": "Đường liên thôn"},
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert response.status_code == 302
    assert response["Location"] == page
    assert _shown(response) == [_locked_message(plan)]


def test_copying_last_year_refused_goes_back_with_the_reason(
    client_planner: Client, plan: VillagePlan
) -> None:
    _lock(plan)
    page = reverse("plans:info", args=[plan.uid])
    response = client_planner.post(
        reverse("plans:info_copy_previous", args=[plan.uid]),
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert response.status_code == 302
    assert response["Location"] == page
    assert _shown(response) == [_locked_message(plan)]


# --- the edit form of a locked plan: the tab, with the reason ---------------------------------


def test_opening_an_edit_form_of_a_locked_plan_shows_the_tab_with_the_reason(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    problem = _problem(planner, plan)
    edit = reverse("plans:findings_problem_edit", args=[plan.uid, problem.pk])
    assert client_planner.get(edit).status_code == 200  # a draft: the form

    _lock(plan)
    response = client_planner.get(edit)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:findings", args=[plan.uid])
    assert _shown(response) == [_locked_message(plan)]


def test_an_attendee_of_a_locked_plan_cannot_be_opened_for_editing(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    meeting_save(actor=planner, plan=plan, data=MEETING)
    person = attendee_add(
        actor=planner, plan=plan, data={"full_name": "Nguyễn Thị Hoa", "sex": "female"}
    )
    url = reverse("plans:attendee_edit", args=[plan.uid, person.pk])
    response = client_planner.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'name="edit-full_name"' in response.content.decode()

    _lock(plan)
    response = client_planner.get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'name="edit-full_name"' not in html
    assert _locked_message(plan).split("“")[0] in html


def test_the_tab_context_carries_the_permission_answer(
    rf: Any, plan: VillagePlan, planner: Any
) -> None:
    request = rf.get("/")
    request.user = planner
    for tab in ("info", "findings", "ranking", "meeting", "proposals"):
        context = plan_context(request, plan, tab)
        assert context["edit_refusal"] is None and context["can_edit"]
    _lock(plan)
    for tab in ("info", "findings", "ranking", "meeting", "proposals"):
        context = plan_context(request, plan, tab)
        assert context["edit_refusal"].code == "plan_locked"
        assert context["may_edit"] and not context["can_edit"]


# --- forms: a service's problems next to their inputs -----------------------------------------


def test_basic_info_form_puts_each_problem_where_it_belongs() -> None:
    formset = ethnic_formset(
        data={
            "ethnic-TOTAL_FORMS": "2",
            "ethnic-INITIAL_FORMS": "0",
            "ethnic-0-name": "Kinh",
            "ethnic-1-name": "Vân Kiều",
        }
    )
    form = BasicInfoForm({}, ethnic=formset)
    assert form.is_valid() and formset.is_valid()
    problems = [
        Problem("a", "Hàng 2.", Where(field="ethnic_groups", row=2, column="households")),
        Problem("b", "Cả bảng.", Where(field="ethnic_groups")),
        Problem("c", "Nguồn.", Where(field="buffalo", column="source")),
        Problem("d", "Ngày.", Where(field="ethnic_groups", column="date")),
        Problem("e", "Dân số.", Where(field="population")),
    ]
    form.add_service_error(ApplicationErrors([p.as_error() for p in problems]))
    assert formset.forms[1].errors == {"households": ["Hàng 2."]}
    assert not formset.forms[0].errors
    assert form.table_errors == ["Cả bảng."]
    assert form.errors[source_name("buffalo")] == ["Nguồn."]
    assert form.errors[date_name("ethnic_groups")] == ["Ngày."]
    assert form.errors["population"] == ["Dân số."]


def test_basic_info_form_leaves_warnings_out() -> None:
    empty = {"ethnic-TOTAL_FORMS": "0", "ethnic-INITIAL_FORMS": "0"}
    form = BasicInfoForm({}, ethnic=ethnic_formset(data=empty))
    assert form.is_valid()
    form.add_service_error(
        [
            Problem("w", "Chú ý.", Where(field="population"), severity="warning"),
            Problem("w", "Bảng.", Where(field="ethnic_groups"), severity="warning"),
        ]
    )
    assert form.is_valid() and form.table_errors == []


def test_problem_form_puts_a_solution_problem_on_its_row(plan: VillagePlan) -> None:
    data = {
        "problem": "Đường lầy lội",
        "solutions-TOTAL_FORMS": "2",
        "solutions-INITIAL_FORMS": "0",
        "solutions-0-text": "Bê tông hóa",
        "solutions-1-text": "Làm rãnh",
    }
    form = ProblemForm(data, plan=plan)
    assert form.is_valid()
    form.add_service_error(
        [
            Problem("s", "Giải pháp 2.", Where(field="solutions", row=2)),
            Problem("w", "Chú ý.", Where(field="solutions", row=1), severity="warning"),
            Problem("p", "Vấn đề.", Where(field="problem")),
            Problem("x", "Ngoài.", Where(field="solutions", row=9)),
        ]
    )
    assert form.solution_forms.forms[1].errors == {"text": ["Giải pháp 2."]}
    assert not form.solution_forms.forms[0].errors
    assert form.errors["problem"] == ["Vấn đề."]
    assert form.non_field_errors() == ["Ngoài."]
