"""PRA outputs of a village plan (F2): the writes and their refusals, the photos (re-encoded by
``kehoach.core.images``), the reads scoped by the user and the pages.

Messages are compared with ``gettext`` of their English msgid: the suite runs in Vietnamese,
and whatever the catalogue says is what the user reads.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image, PngImagePlugin

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry
from kehoach.catalog import defaults
from kehoach.catalog.models import PraTool
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PraOutput, PraPhoto, Problem, SwotEntry, VillagePlan
from kehoach.plans.services.findings import problem_create, swot_save
from kehoach.plans.services.pra import (
    PHOTOS_MAX,
    pra_output_create,
    pra_output_delete,
    pra_output_get_for_user,
    pra_output_update,
    pra_photo_add,
    pra_photo_remove,
)
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year + 1


@pytest.fixture
def tools() -> dict[str, PraTool]:
    made = {}
    for seed in defaults.PRA_TOOLS[:4] + defaults.PRA_TOOLS[10:13]:
        made[seed["code"]] = PraTool.objects.create(**seed)
    return made


@pytest.fixture
def plan() -> VillagePlan:
    return f.village_plan(year=YEAR)


@pytest.fixture
def planner(plan: VillagePlan) -> Any:
    return commune_planner(plan.village.parent)


@pytest.fixture
def editor(plan: VillagePlan) -> Any:
    return user_with_role(Role.VILLAGE_EDITOR, plan.village)


def _data(tool: PraTool, **overrides: Any) -> dict[str, Any]:
    return {
        "tool": tool,
        "held_on": TODAY,
        "facilitators": "Tổ kế hoạch thôn, cán bộ xã Nguyễn Thị Hoa",
        "participants_women": 12,
        "participants_men": 9,
        "findings": "Đường xóm Trên lầy lội mùa mưa\nThiếu nước tưới vụ hè thu",
        **overrides,
    }


def _findings(actor: Any, plan: VillagePlan) -> tuple[SwotEntry, Problem]:
    sector = f.sector()
    entry = swot_save(
        actor=actor,
        plan=plan,
        sector=sector,
        strengths="Đất rộng",
        weaknesses="Đường xấu",
        opportunities="",
        threats="",
        implication="",
    )
    problem = problem_create(
        actor=actor,
        plan=plan,
        data={"sector": sector, "problem": "Đường xóm Trên lầy lội", "solutions": []},
    )
    return entry, problem


def _messages(exc: pytest.ExceptionInfo[Any]) -> dict[str, str]:
    errors = exc.value.errors if isinstance(exc.value, ApplicationErrors) else [exc.value]
    return {str(e.where.field): e.message for e in errors}


# --- services --------------------------------------------------------------------------------


def test_an_output_is_recorded_with_the_findings_it_supports_and_audited(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    entry, problem = _findings(planner, plan)

    output = pra_output_create(
        actor=planner,
        plan=plan,
        data=_data(
            tools["PRA-01"],
            findings="  Đường xóm Trên lầy lội  \n",
            supports_swot=[entry],
            supports_problems=[problem.pk],
        ),
    )

    output.refresh_from_db()
    assert output.tool.name == "Đi lát cắt"
    assert output.findings == "Đường xóm Trên lầy lội"
    assert output.participants_total == 21
    assert list(output.supports_swot.all()) == [entry]
    assert list(output.supports_problems.all()) == [problem]
    audit = AuditEntry.objects.get(
        subject_label=PraOutput._meta.label_lower, subject_id=str(output.pk), operation="create"
    )
    assert audit.plan_uid == plan.uid
    assert audit.after["supports_problems"] == ["Đường xóm Trên lầy lội"]


def test_an_output_needs_a_tool_a_date_and_findings(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    with pytest.raises(ApplicationError) as exc:
        pra_output_create(
            actor=planner,
            plan=plan,
            data={"tool": None, "held_on": None, "findings": "  ", "participants_women": -1},
        )

    found = _messages(exc)
    assert set(found) == {"tool", "held_on", "findings", "participants_women"}
    assert found["findings"] == gettext("%(field)s: %(problem)s") % {
        "field": gettext("findings").capitalize(),
        "problem": gettext("write what the tool showed."),
    }
    assert not PraOutput.objects.exists()


def test_a_date_in_the_future_or_before_the_year_before_the_plan_is_refused(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    tomorrow = TODAY + datetime.timedelta(days=1)
    with pytest.raises(ApplicationError) as exc:
        pra_output_create(actor=planner, plan=plan, data=_data(tools["PRA-02"], held_on=tomorrow))
    assert _messages(exc)["held_on"].endswith(
        gettext("%(date)s is in the future; enter the day the tool was used.")
        % {"date": tomorrow.strftime("%d/%m/%Y")}
    )

    too_early = datetime.date(YEAR - 2, 12, 31)
    with pytest.raises(ApplicationError) as exc:
        pra_output_create(actor=planner, plan=plan, data=_data(tools["PRA-02"], held_on=too_early))
    assert "31/12/" in _messages(exc)["held_on"]

    first_allowed = datetime.date(YEAR - 1, 1, 1)
    output = pra_output_create(
        actor=planner, plan=plan, data=_data(tools["PRA-02"], held_on=first_allowed)
    )
    assert output.held_on == first_allowed


def test_a_retired_tool_is_refused(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    PraTool.objects.filter(code="PRA-03").update(is_active=False)
    tool = PraTool.objects.get(code="PRA-03")

    with pytest.raises(ApplicationError) as exc:
        pra_output_create(actor=planner, plan=plan, data=_data(tool))

    assert _messages(exc)["tool"].endswith(
        gettext("“%(tool)s” is no longer in use; choose another tool.") % {"tool": "Lịch sử thôn"}
    )


def test_counts_above_their_bound_are_refused(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    with pytest.raises(ApplicationError) as exc:
        pra_output_create(
            actor=planner, plan=plan, data=_data(tools["PRA-01"], participants_men=10**12)
        )

    assert set(_messages(exc)) == {"participants_men"}
    assert not PraOutput.objects.exists()


def test_findings_of_another_plan_are_refused(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    other = f.village_plan(VillageFactory.create(parent=hai_lang(), name="Thôn Khác"), year=YEAR)
    entry, _problem = _findings(planner, other)

    with pytest.raises(ApplicationError) as exc:
        pra_output_create(
            actor=planner, plan=plan, data=_data(tools["PRA-01"], supports_swot=[entry])
        )

    assert exc.value.code == "finding_not_in_plan"
    assert exc.value.where.field == "supports_swot"
    assert not PraOutput.objects.exists()


def test_update_checks_the_version_and_keeps_what_is_not_given(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    output = pra_output_create(actor=planner, plan=plan, data=_data(tools["PRA-11"]))

    saved = pra_output_update(
        actor=planner, output=output, data={"participants_women": 30}, expected_version=1
    )
    assert (saved.version, saved.participants_women, saved.participants_men) == (2, 30, 9)

    with pytest.raises(ApplicationError) as exc:
        pra_output_update(actor=planner, output=output, data={"findings": "x"}, expected_version=1)
    assert exc.value.code == "conflict"
    output.refresh_from_db()
    assert output.findings.startswith("Đường xóm Trên")


def test_a_submitted_plan_cannot_change(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    output = pra_output_create(actor=planner, plan=plan, data=_data(tools["PRA-01"]))
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)

    with pytest.raises(ApplicationError) as exc:
        pra_output_create(actor=planner, plan=plan, data=_data(tools["PRA-02"]))
    assert exc.value.code == "plan_locked"
    with pytest.raises(ApplicationError):
        pra_output_delete(actor=planner, output=output)
    assert PraOutput.objects.count() == 1


def test_someone_without_the_village_sees_nothing(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    output = pra_output_create(actor=planner, plan=plan, data=_data(tools["PRA-01"]))
    stranger = user_with_role(
        Role.VILLAGE_EDITOR, VillageFactory.create(parent=hai_lang(), name="Thôn Xa")
    )

    with pytest.raises(NotFoundError):
        pra_output_create(actor=stranger, plan=plan, data=_data(tools["PRA-02"]))
    with pytest.raises(NotFoundError):
        pra_output_get_for_user(user=stranger, plan_uid=plan.uid, uid=output.uid)
    assert pra_output_get_for_user(user=planner, plan_uid=plan.uid, uid=output.uid) == output


# --- photos ----------------------------------------------------------------------------------


def _png_with_metadata() -> bytes:
    image = Image.new("RGBA", (900, 600), (200, 30, 30, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 16.75N 107.18E")
    info.add_text("Author", "Nguyễn Văn A")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (16.0, 45.0, 10.5)}
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif.tobytes())
    return out.getvalue()


def test_an_uploaded_png_is_kept_re_encoded_without_its_metadata(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    output = pra_output_create(actor=planner, plan=plan, data=_data(tools["PRA-02"]))
    upload = SimpleUploadedFile("so-do-tai-nguyen.png", _png_with_metadata(), "image/png")

    photo = pra_photo_add(actor=planner, output=output, upload=upload, caption="Sơ đồ")

    with photo.image.open("rb") as handle:
        stored = handle.read()
    assert stored[:3] == b"\xff\xd8\xff"  # a JPEG, whatever was sent
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert (image.width, image.height) == (900, 600)
    assert not image.getexif()
    assert b"GPS 16.75N" not in stored and "Nguyễn".encode() not in stored
    assert "comment" not in image.info and "icc_profile" not in image.info
    assert photo.original_name == "so-do-tai-nguyen.png"
    assert Path(settings.PRIVATE_MEDIA_ROOT, photo.thumbnail.name).exists()
    assert AuditEntry.objects.filter(subject_id=str(photo.pk), operation="create").exists()


def test_a_file_that_is_not_an_image_is_refused_in_vietnamese(
    plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    output = pra_output_create(actor=planner, plan=plan, data=_data(tools["PRA-02"]))
    upload = SimpleUploadedFile("ban-do.jpg", b"<html><script>alert(1)</script></html>")

    with pytest.raises(ApplicationError) as exc:
        pra_photo_add(actor=planner, output=output, upload=upload)

    assert exc.value.code == "not_a_photo"
    assert exc.value.where.field == "image"
    assert exc.value.message == gettext(
        "Photo: the file is not a photo (its content is not a JPEG, PNG or WebP image, "
        "whatever its name). Choose the photo file itself."
    )
    assert exc.value.message.startswith("Ảnh:")  # the catalogue is Vietnamese
    assert not PraPhoto.objects.exists()


def test_the_photo_count_is_bounded_and_a_photo_can_be_removed(
    plan: VillagePlan,
    planner: Any,
    tools: dict[str, PraTool],
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert PHOTOS_MAX == 20
    monkeypatch.setattr("kehoach.plans.services.pra.PHOTOS_MAX", 1)
    output = pra_output_create(actor=planner, plan=plan, data=_data(tools["PRA-02"]))
    photo = pra_photo_add(
        actor=planner,
        output=output,
        upload=SimpleUploadedFile("a.png", _png_with_metadata()),
    )

    with pytest.raises(ApplicationError) as exc:
        pra_photo_add(
            actor=planner, output=output, upload=SimpleUploadedFile("b.png", _png_with_metadata())
        )
    assert exc.value.code == "too_many_photos"

    path = Path(settings.PRIVATE_MEDIA_ROOT, photo.image.name)
    with pytest.raises(NotFoundError):
        stranger = user_with_role(
            Role.VILLAGE_EDITOR, VillageFactory.create(parent=hai_lang(), name="Thôn Xa")
        )
        pra_photo_remove(actor=stranger, photo=photo)
    assert PraPhoto.objects.count() == 1
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        pra_photo_remove(actor=planner, photo=photo)
    assert not PraPhoto.objects.exists()
    assert AuditEntry.objects.filter(subject_id=str(photo.pk), operation="delete").exists()
    assert not path.exists()  # the files go once the removal is committed


# --- pages -----------------------------------------------------------------------------------


def test_the_pra_page_lists_outputs_in_bounded_queries(
    client: Client,
    plan: VillagePlan,
    planner: Any,
    tools: dict[str, PraTool],
    django_assert_max_num_queries: Any,
) -> None:
    entry, problem = _findings(planner, plan)
    for code in ("PRA-01", "PRA-02", "PRA-11"):
        output = pra_output_create(
            actor=planner,
            plan=plan,
            data=_data(tools[code], supports_swot=[entry], supports_problems=[problem]),
        )
        pra_photo_add(
            actor=planner, output=output, upload=SimpleUploadedFile("a.png", _png_with_metadata())
        )
    client.force_login(planner)

    with django_assert_max_num_queries(40):
        response = client.get(reverse("plans:pra", kwargs={"uid": plan.uid}))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Đi lát cắt" in page and "Xếp hạng giàu nghèo" in page
    assert page.count('class="card"') == 3
    assert gettext("General information") in page  # the tool select grouped by theme


def test_a_form_posted_from_the_page_saves_and_a_bad_one_is_shown_again(
    client: Client, plan: VillagePlan, editor: Any, tools: dict[str, PraTool]
) -> None:
    client.force_login(editor)
    url = reverse("plans:pra_create", kwargs={"uid": plan.uid})
    good = {
        "tool": "PRA-04",
        "held_on": TODAY.strftime("%d/%m/%Y"),
        "facilitators": "Trưởng thôn",
        "participants_women": "1.200",
        "participants_men": "8",
        "findings": "Mùa mưa từ tháng 9",
    }

    response = client.post(url, good)
    assert response.status_code == 302
    output = PraOutput.objects.get()
    assert (output.tool.code, output.participants_women) == ("PRA-04", 1200)

    response = client.post(url, {**good, "held_on": "31/02/2026", "findings": ""})
    assert response.status_code == 400
    assert PraOutput.objects.count() == 1

    response = client.post(
        reverse("plans:pra_edit", kwargs={"uid": plan.uid, "output_uid": output.uid}),
        {**good, "version": "0"},
    )
    assert response.status_code == 409

    delete = reverse("plans:pra_delete", kwargs={"uid": plan.uid, "output_uid": output.uid})
    assert client.get(delete).status_code == 200  # the confirmation
    assert PraOutput.objects.count() == 1
    assert client.post(delete, {"version": str(output.version)}).status_code == 302
    assert not PraOutput.objects.exists()


def test_another_villages_editor_gets_404_and_the_public_the_login(
    client: Client, plan: VillagePlan, planner: Any, tools: dict[str, PraTool]
) -> None:
    output = pra_output_create(actor=planner, plan=plan, data=_data(tools["PRA-02"]))
    photo = pra_photo_add(
        actor=planner, output=output, upload=SimpleUploadedFile("a.png", _png_with_metadata())
    )
    page = reverse("plans:pra", kwargs={"uid": plan.uid})
    image = reverse("plans:pra_photo", kwargs={"uid": plan.uid, "photo_uid": photo.uid})
    thumbnail = reverse("plans:pra_thumbnail", kwargs={"uid": plan.uid, "photo_uid": photo.uid})

    response = client.get(image)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))

    client.force_login(
        user_with_role(
            Role.VILLAGE_EDITOR, VillageFactory.create(parent=hai_lang(), name="Thôn Xa")
        )
    )
    for url in (page, image, thumbnail):
        assert client.get(url).status_code == 404
    remove = reverse("plans:pra_photo_remove", kwargs={"uid": plan.uid, "photo_uid": photo.uid})
    assert client.post(remove).status_code == 404
    assert PraPhoto.objects.count() == 1

    client.force_login(planner)
    response = client.get(thumbnail)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"  # type: ignore[attr-defined]
