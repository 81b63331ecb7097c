"""The attendance list of the village meeting (F8): add, change and remove people, each change
audited with before and after and shown in the plan's history; the page edits it in place."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.choices import PlanStatus, PovertyStatus
from kehoach.plans.models import Attendee, VillageMeeting, VillagePlan, is_ethnic_minority
from kehoach.plans.services.attendance import (
    attendance_summary,
    attendee_add,
    attendee_delete,
    attendee_update,
)
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.tests import factories as f
from kehoach.plans.tests.test_workflow import MEETING

pytestmark = pytest.mark.django_db

HOA = {
    "full_name": "  Nguyễn   Thị Hoa ",
    "sex": "female",
    "ethnicity": "Vân Kiều",
    "poverty_status": "poor",
    "household": "Hộ ông Nguyễn Văn Tư",
}


@pytest.fixture
def plan() -> Any:
    return f.village_plan()


@pytest.fixture
def planner(plan: Any) -> Any:
    return commune_planner(plan.village.parent)


@pytest.fixture
def meeting(plan: Any, planner: Any) -> VillageMeeting:
    return meeting_save(actor=planner, plan=plan, data=MEETING)


def _entries(plan: Any) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(plan_uid=plan.uid, subject_label="plans.attendee").order_by("id")
    )


# --- services ---------------------------------------------------------------------------------


def test_add_change_and_remove_a_person_each_audited_with_before_and_after(
    plan: Any, planner: Any, meeting: VillageMeeting
) -> None:
    person = attendee_add(actor=planner, plan=plan, data=HOA)
    assert (person.full_name, person.meeting, person.version) == ("Nguyễn Thị Hoa", meeting, 1)
    assert person.is_ethnic_minority and person.is_poor_or_near_poor

    changed = attendee_update(
        actor=planner,
        attendee=person,
        data={"poverty_status": "near_poor", "household": ""},
        expected_version=1,
    )
    assert (changed.poverty_status, changed.household, changed.version) == ("near_poor", "", 2)
    attendee_delete(actor=planner, attendee=changed)
    assert not Attendee.objects.exists()

    created, updated, deleted = _entries(plan)
    assert (created.operation, created.actor, created.before) == ("create", planner, {})
    assert created.after == {**HOA, "full_name": "Nguyễn Thị Hoa"}
    assert created.subject_repr == gettext("Attendance list: %(name)s") % {"name": "Nguyễn Thị Hoa"}
    assert updated.operation == "update"
    assert (updated.before["poverty_status"], updated.after["poverty_status"]) == (
        "poor",
        "near_poor",
    )
    assert (updated.before["household"], updated.after["household"]) == (
        "Hộ ông Nguyễn Văn Tư",
        "",
    )
    assert (deleted.operation, deleted.before["poverty_status"], deleted.after) == (
        "delete",
        "near_poor",
        {},
    )


def test_a_save_that_changes_nothing_writes_no_history(
    plan: Any, planner: Any, meeting: VillageMeeting
) -> None:
    person = attendee_add(actor=planner, plan=plan, data=HOA)
    attendee_update(actor=planner, attendee=person, data=HOA, expected_version=1)
    person.refresh_from_db()
    assert person.version == 1
    assert [e.operation for e in _entries(plan)] == ["create"]


def test_a_person_needs_a_name_and_a_sex_and_nothing_is_saved_otherwise(
    plan: Any, planner: Any, meeting: VillageMeeting
) -> None:
    with pytest.raises(ApplicationErrors) as caught:
        attendee_add(
            actor=planner,
            plan=plan,
            data={"full_name": " ", "sex": "", "poverty_status": "rich"},
        )
    by_field = {e.where.field: e.message for e in caught.value.errors}
    assert by_field == {
        "full_name": gettext("%(field)s: %(problem)s")
        % {"field": "Họ và tên", "problem": gettext("enter the person's full name.")},
        "sex": gettext("%(field)s: %(problem)s")
        % {"field": "Giới tính", "problem": gettext("choose female or male.")},
        "poverty_status": gettext("%(field)s: %(problem)s")
        % {"field": "Loại hộ", "problem": gettext("choose poor, near-poor or other household.")},
    }
    assert not Attendee.objects.exists()
    assert not _entries(plan)


def test_the_meeting_must_be_recorded_first(plan: Any, planner: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        attendee_add(actor=planner, plan=plan, data=HOA)
    assert caught.value.code == "meeting_missing"
    assert caught.value.message == gettext(
        "Record the village meeting first, then add the people who attended."
    )


def test_a_row_changed_by_someone_else_is_a_conflict_not_an_overwrite(
    plan: Any, planner: Any, meeting: VillageMeeting
) -> None:
    person = attendee_add(actor=planner, plan=plan, data=HOA)
    colleague = commune_planner(plan.village.parent, username="dongnghiep")
    attendee_update(
        actor=colleague, attendee=person, data={"ethnicity": "Kinh"}, expected_version=1
    )
    with pytest.raises(ApplicationError) as caught:
        attendee_update(
            actor=planner,
            attendee=person,
            data={"household": "Hộ bà Lê Thị Na"},
            expected_version=1,
        )
    assert caught.value.code == "conflict"
    person.refresh_from_db()
    assert (person.ethnicity, person.household) == ("Kinh", "Hộ ông Nguyễn Văn Tư")


def test_a_submitted_plan_and_another_commune_cannot_touch_the_list(
    plan: Any, planner: Any, meeting: VillageMeeting
) -> None:
    person = attendee_add(actor=planner, plan=plan, data=HOA)
    other_village = VillageFactory.create(parent=hai_lang(), name="Thôn Mỹ Chánh")
    with pytest.raises(NotFoundError):
        attendee_add(actor=user_with_role(Role.VILLAGE_EDITOR, other_village), plan=plan, data=HOA)
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    for call in (
        lambda: attendee_add(actor=planner, plan=plan, data=HOA),
        lambda: attendee_update(
            actor=planner, attendee=person, data={"sex": "male"}, expected_version=1
        ),
        lambda: attendee_delete(actor=planner, attendee=person),
    ):
        with pytest.raises(ApplicationError) as caught:
            call()
        assert caught.value.code == "plan_locked"
    assert list(Attendee.objects.values_list("full_name", "sex")) == [("Nguyễn Thị Hoa", "female")]


def test_replacing_the_list_from_a_workbook_records_who_left_and_who_came(
    plan: Any, planner: Any, meeting: VillageMeeting
) -> None:
    attendee_add(actor=planner, plan=plan, data=HOA)
    attendee_add(actor=planner, plan=plan, data={"full_name": "Trần Văn Bình", "sex": "male"})
    meeting_save(
        actor=planner,
        plan=plan,
        data=MEETING,
        attendees=[
            {**HOA, "full_name": "Nguyễn Thị Hoa"},  # unchanged: no history
            {"full_name": "Lê Thị Na", "sex": "female", "poverty_status": "near_poor"},
            {"full_name": "", "sex": "male"},  # an empty row of the sheet
        ],
    )
    assert sorted(a.full_name for a in meeting.attendees.all()) == ["Lê Thị Na", "Nguyễn Thị Hoa"]
    changes = [
        (e.operation, e.before.get("full_name") or e.after.get("full_name")) for e in _entries(plan)
    ]
    assert changes[2:] == [("delete", "Trần Văn Bình"), ("create", "Lê Thị Na")]


def test_a_bad_row_of_a_workbook_names_its_row_and_changes_nothing(
    plan: Any, planner: Any, meeting: VillageMeeting
) -> None:
    attendee_add(actor=planner, plan=plan, data=HOA)
    with pytest.raises(ApplicationErrors) as caught:
        meeting_save(
            actor=planner,
            plan=plan,
            data=MEETING,
            attendees=[{"full_name": "Lê Thị Na", "sex": "female"}, {"full_name": "X", "sex": "?"}],
        )
    assert [e.message for e in caught.value.errors] == [
        gettext("Attendance list, row %(row)s, %(field)s: %(problem)s")
        % {"row": 2, "field": "Giới tính", "problem": gettext("choose female or male.")}
    ]
    assert [a.full_name for a in Attendee.objects.all()] == ["Nguyễn Thị Hoa"]


def test_the_list_counts_beside_the_recorded_counts(
    plan: Any, planner: Any, meeting: VillageMeeting
) -> None:
    attendee_add(actor=planner, plan=plan, data=HOA)
    attendee_add(
        actor=planner,
        plan=plan,
        data={
            "full_name": "Trần Văn Bình",
            "sex": "male",
            "ethnicity": "Kinh",
            "household": "hộ ông nguyễn văn tư",
        },
    )
    summary = attendance_summary(meeting, list(meeting.attendees.all()))
    assert (summary.people, summary.women, summary.poor, summary.em, summary.households) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert [(c.recorded, c.listed, c.differs) for c in summary.comparisons] == [
        (70, 2, True),
        (28, 1, True),
        (9, 1, True),
        (0, 1, True),
        (62, 1, True),
    ]


@pytest.mark.parametrize(
    ("ethnicity", "minority"),
    [
        ("Vân Kiều", True),
        ("Pa Kô", True),
        ("Hoa", True),
        ("Kinh", False),
        ("người Kinh", False),
        ("Việt", False),
        ("", False),
    ],
)
def test_every_group_but_the_kinh_is_an_ethnic_minority(ethnicity: str, minority: bool) -> None:
    assert is_ethnic_minority(ethnicity) is minority


# --- the meeting tab --------------------------------------------------------------------------


@pytest.fixture
def client_planner(client: Client, planner: Any) -> Client:
    client.force_login(planner)
    return client


def _post_person(**values: str) -> dict[str, str]:
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "sex": "female",
        "ethnicity": "Vân Kiều",
        "poverty_status": "poor",
        "household": "",
    }
    data.update(values)
    return {f"attendee-{key}": value for key, value in data.items()}


def test_the_meeting_tab_adds_edits_and_removes_people_in_place(
    client_planner: Client, plan: Any, meeting: VillageMeeting
) -> None:
    page = client_planner.get(reverse("plans:meeting", args=[plan.uid])).content.decode()
    assert 'id="attendance"' in page
    assert reverse("plans:attendee_create", args=[plan.uid]) in page

    response = client_planner.post(
        reverse("plans:attendee_create", args=[plan.uid]), _post_person(), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section id="attendance"')  # the section alone, swapped in place
    assert "Nguyễn Thị Hoa" in html
    person = Attendee.objects.get()

    edit = reverse("plans:attendee_edit", args=[plan.uid, person.pk])
    html = client_planner.get(edit, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="edit-full_name"' in html and 'value="Nguyễn Thị Hoa"' in html
    response = client_planner.post(
        edit,
        {
            "edit-full_name": "Nguyễn Thị Hoà",
            "edit-sex": "female",
            "edit-ethnicity": "Vân Kiều",
            "edit-poverty_status": "near_poor",
            "edit-household": "",
            "edit-version": "1",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.full_name, person.poverty_status) == ("Nguyễn Thị Hoà", "near_poor")

    response = client_planner.post(
        reverse("plans:attendee_delete", args=[plan.uid, person.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert not Attendee.objects.exists()

    history = client_planner.get(reverse("plans:history", args=[plan.uid])).content.decode()
    assert history.count("Nguyễn Thị Hoà") >= 2  # changed, then removed
    assert str(PovertyStatus.NEAR_POOR.label) in history  # the change, as people read it


def test_a_refused_person_shows_the_message_in_the_form_and_saves_nothing(
    client_planner: Client, plan: Any, meeting: VillageMeeting
) -> None:
    url = reverse("plans:attendee_create", args=[plan.uid])
    response = client_planner.post(url, _post_person(sex=""), HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps the section with the message in it
    expected = gettext("%(field)s: %(problem)s") % {
        "field": "Giới tính",
        "problem": gettext("choose female or male."),
    }
    assert expected in response.content.decode()
    response = client_planner.post(url, _post_person(sex=""))  # without htmx: the whole page
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not Attendee.objects.exists()

    response = client_planner.post(url, _post_person())
    assert response.status_code == 302
    assert response["Location"].endswith("#attendance")


def test_a_stale_edit_is_a_conflict(
    client_planner: Client, plan: Any, planner: Any, meeting: Any
) -> None:
    person = attendee_add(actor=planner, plan=plan, data=HOA)
    Attendee.objects.filter(pk=person.pk).update(version=2, ethnicity="Kinh")
    response = client_planner.post(
        reverse("plans:attendee_edit", args=[plan.uid, person.pk]),
        {"edit-full_name": "Nguyễn Thị Hoa", "edit-sex": "female", "edit-version": "1"},
    )
    assert response.status_code == 409
    person.refresh_from_db()
    assert person.ethnicity == "Kinh"


def test_without_a_meeting_the_tab_says_to_record_it_first(
    client_planner: Client, plan: Any
) -> None:
    html = client_planner.get(reverse("plans:meeting", args=[plan.uid])).content.decode()
    assert gettext("Record the village meeting first, then add the people who attended.") in html
    assert reverse("plans:attendee_create", args=[plan.uid]) not in html


def test_another_villages_editor_gets_404_and_a_locked_plan_shows_no_controls(
    client: Client, plan: Any, planner: Any, meeting: VillageMeeting
) -> None:
    person = attendee_add(actor=planner, plan=plan, data=HOA)
    other_village = VillageFactory.create(parent=hai_lang(), name="Thôn Mỹ Chánh")
    client.force_login(user_with_role(Role.VILLAGE_EDITOR, other_village))
    assert (
        client.post(reverse("plans:attendee_create", args=[plan.uid]), _post_person()).status_code
        == 404
    )
    assert (
        client.post(reverse("plans:attendee_delete", args=[plan.uid, person.pk])).status_code == 404
    )
    assert Attendee.objects.count() == 1

    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    client.force_login(planner)
    html = client.get(reverse("plans:meeting", args=[plan.uid])).content.decode()
    assert "Nguyễn Thị Hoa" in html
    assert reverse("plans:attendee_delete", args=[plan.uid, person.pk]) not in html
    response = client.post(reverse("plans:attendee_delete", args=[plan.uid, person.pk]))
    assert response.status_code == 400
    assert Attendee.objects.count() == 1
