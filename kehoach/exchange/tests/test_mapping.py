"""The mapping page: a workbook in a programme's own layout whose columns kehoach cannot place
is refused with the way to the page; the page shows each column of the file with its header,
samples and the guess; the officer's choice checks the file again (a field chosen twice is
refused on the page); a saved layout reads the next file of that shape by itself; “always read
… as …” in one click; another user's or commune's upload is a 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.exchange.forms import f6
from kehoach.exchange.layouts import layout_for, layouts_for_form
from kehoach.exchange.mapping import SHOWN_COLUMNS, field_options, layout_save
from kehoach.exchange.models import ImportRecord, Layout
from kehoach.exchange.targets import village_target
from kehoach.geo.tests.factories import VillageFactory, dong_hoi
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.tests import factories as f

from .helpers import FIRST_ROW, column_letter, opened, plan_with_lines, saved
from .old_workbook import HEADERS, KEYS, LINES, foreign

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setup() -> dict[str, Any]:
    plan, planner = plan_with_lines()
    return {"plan": plan, "planner": planner, "client": _client(planner)}


def _upload(client: Client, plan: VillagePlan, data: bytes, name: str = "cu.xlsx") -> Any:
    url = reverse("exchange:village_upload", args=[plan.uid, "F6"])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def _refused(setup: dict[str, Any]) -> ImportRecord:
    _upload(setup["client"], setup["plan"], foreign())
    record = ImportRecord.objects.latest("id")
    assert record.result == ImportRecord.Result.REFUSED
    return record


def _choice(keys: list[str] | None = None) -> dict[str, str]:
    """The drop-downs posted: column i read as keys[i] (the field's place in the layout)."""
    values = {o.key: o.value for o in field_options(layout_for("F6"))}
    return {f"col-{i}": values[key] if key else "" for i, key in enumerate(keys or KEYS)}


def _columns_url(record: ImportRecord) -> str:
    return reverse("exchange:import_columns", args=[record.uid])


def test_a_foreign_workbook_is_refused_with_the_way_to_the_mapping_page(
    setup: dict[str, Any],
) -> None:
    record = _refused(setup)
    assert [e["code"] for e in record.errors] == ["columns_missing"]
    page = setup["client"].get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert "Ghép cột của tệp này" in page
    assert _columns_url(record) in page


def test_a_refusal_of_another_kind_offers_no_mapping_page(setup: dict[str, Any]) -> None:
    book = opened(f6.export(setup["plan"]))
    book["F6"][f"F{FIRST_ROW}"] = "hai"  # a quantity in words: a wrong cell, not columns
    _upload(setup["client"], setup["plan"], saved(book))
    record = ImportRecord.objects.latest("id")
    assert record.result == ImportRecord.Result.REFUSED
    assert "columns_missing" not in {e.get("code") for e in record.errors}
    page = setup["client"].get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert _columns_url(record) not in page


def test_the_mapping_page_shows_columns_samples_and_guesses(setup: dict[str, Any]) -> None:
    record = _refused(setup)
    response = setup["client"].get(_columns_url(record))
    assert response.status_code == 200
    page = response.content.decode()
    for header in HEADERS:
        assert header in page
    assert "Bê tông ngõ xóm Đông" in page and "Nạo vét kênh mương nội đồng" in page
    assert page.count('<select name="col-') == len(HEADERS)
    assert "— Không đọc cột này —" in page
    # "ĐVT" is a header every programme writes: found for sure, preselected
    unit = re.search(r'<tr id="map-E"[^>]*>.*?</tr>', page, re.S)
    assert unit is not None
    value = {o.key: o.value for o in field_options(layout_for("F6"))}["unit"]
    assert f'<option value="{value}" selected>' in unit.group(0)
    assert "chắc chắn" in unit.group(0) and "map-unsure" not in unit.group(0)
    # the activity: nothing sure, highlighted, and listed as needed at the top
    activity = re.search(r'<tr id="map-B"[^>]*>.*?</tr>', page, re.S)
    assert activity is not None and "map-unsure" in activity.group(0)
    assert 'id="mapping-missing"' in page


def test_the_columns_chosen_check_the_file_again_to_the_preview(setup: dict[str, Any]) -> None:
    client, plan = setup["client"], setup["plan"]
    record = _refused(setup)
    response = client.post(_columns_url(record), _choice())
    new = ImportRecord.objects.latest("id")
    assert new.pk != record.pk
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:import", args=[new.uid])
    assert new.result == ImportRecord.Result.PREVIEWED, new.errors
    assert new.summary["counts"] == {"add": 2, "change": 0, "remove": 0}
    page = client.get(response["Location"]).content.decode()
    assert "Bê tông ngõ xóm Đông" in page and "Cánh đồng Bàu" in page
    assert not Layout.objects.exists()  # nothing saved unless asked

    client.post(reverse("exchange:import_confirm", args=[new.uid]))
    added = ProposalLine.objects.get(plan=plan, activity="Bê tông ngõ xóm Đông")
    assert (added.location, added.total_cost_mvnd, added.external_support_mvnd) == (
        "Xóm Đông",
        300,
        200,
    )


def test_a_field_chosen_twice_is_refused_on_the_page(setup: dict[str, Any]) -> None:
    record = _refused(setup)
    twice = [*KEYS]
    twice[3] = "activity"  # "Nơi làm" read as the activity too
    response = setup["client"].post(_columns_url(record), _choice(twice))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="mapping-errors"' in page
    assert "được chọn cho cả cột B và cột D" in page
    assert ImportRecord.objects.latest("id").pk == record.pk  # no new check
    # the officer's choices are kept on the page
    assert re.search(r'<select name="col-3"[^>]*>.*?selected', page, re.S)


def test_a_saved_layout_reads_the_next_file_by_itself(setup: dict[str, Any]) -> None:
    client, plan = setup["client"], setup["plan"]
    record = _refused(setup)
    programme = f.source()
    response = client.post(
        _columns_url(record),
        {
            **_choice(),
            "save": "1",
            "name": "Biểu CTMTQG thôn 2027",
            "programme": programme.code,
            "profile_only": "1",
        },
    )
    layout = Layout.objects.get()
    assert layout.code == "F6-BIEU-CTMTQG-THON-1"
    assert (layout.name, layout.form, layout.created_by) == (
        "Biểu CTMTQG thôn 2027",
        "F6",
        setup["planner"],
    )
    assert (layout.programme, layout.profile) == (programme, plan.round.profile)
    first = ImportRecord.objects.latest("id")
    assert response["Location"] == reverse("exchange:import", args=[first.uid])
    assert (first.result, first.layout) == (ImportRecord.Result.PREVIEWED, layout.code)
    assert layout.code in [x.code for x in layouts_for_form("F6", profile=plan.round.profile)]

    # the second file of that shape: straight to the preview, no mapping page
    again = foreign([[1, "Lát gạch sân nhà văn hóa", "Hạ tầng: giao thông", "Xóm Tây", "km",
                      0.1, "05/2027", "07/2027", 80, 30, 50]])  # fmt: skip
    response = _upload(client, plan, again, "cu-lan-2.xlsx")
    second = ImportRecord.objects.latest("id")
    assert response["Location"] == reverse("exchange:import", args=[second.uid])
    assert (second.result, second.layout) == (ImportRecord.Result.PREVIEWED, layout.code)
    assert second.summary["counts"]["add"] == 1


def test_without_the_saved_layout_the_next_file_is_refused_again(
    setup: dict[str, Any],
) -> None:
    record = _refused(setup)
    setup["client"].post(_columns_url(record), _choice())  # checked, not saved
    _upload(setup["client"], setup["plan"], foreign(), "cu-lan-2.xlsx")
    assert ImportRecord.objects.latest("id").result == ImportRecord.Result.REFUSED


def test_saving_a_layout_needs_a_name(setup: dict[str, Any]) -> None:
    record = _refused(setup)
    response = setup["client"].post(
        _columns_url(record), {**_choice(), "save": "1", "name": "  "}, follow=True
    )
    assert "Hãy đặt tên cho cách ghép cột" in response.content.decode()
    assert not Layout.objects.exists()
    assert ImportRecord.objects.latest("id").pk == record.pk


def test_layout_save_makes_unique_codes_and_asks_who_may(setup: dict[str, Any]) -> None:
    plan, planner = setup["plan"], setup["planner"]
    target = village_target("F6", plan)
    spec = {"columns": [{"key": "activity", "header": "Việc cần làm", "required": True}]}
    one = layout_save(actor=planner, form="F6", name="Biểu xã", spec=spec, target=target)
    two = layout_save(actor=planner, form="F6", name="Biểu xã", spec=spec, target=target)
    assert (one.code, two.code) == ("F6-BIEU-XA-1", "F6-BIEU-XA-2")
    assert two.spec["code"] == "F6-BIEU-XA-2" and two.spec["form"] == "F6"
    with pytest.raises(ApplicationError) as long_name:
        layout_save(actor=planner, form="F6", name="x" * 201, spec=spec, target=target)
    assert long_name.value.code == "layout_name_long"
    with pytest.raises(ApplicationError) as bad:
        layout_save(actor=planner, form="F6", name="Hỏng", spec={"columns": [{}]}, target=target)
    assert bad.value.code == "layout_invalid"
    outsider = commune_planner(dong_hoi())
    with pytest.raises(NotFoundError):
        layout_save(actor=outsider, form="F6", name="Biểu lạ", spec=spec, target=target)
    with pytest.raises(NotFoundError):  # no plan to import into, and not an administrator
        layout_save(actor=planner, form="F6", name="Biểu lạ", spec=spec)
    assert Layout.objects.count() == 2


def test_another_users_or_communes_upload_is_a_404(setup: dict[str, Any]) -> None:
    record = _refused(setup)
    colleague = commune_planner(setup["plan"].village.parent, username="dong.nghiep")
    outsider = commune_planner(dong_hoi(), username="xa.khac")
    for user in (colleague, outsider):
        client = _client(user)
        assert client.get(_columns_url(record)).status_code == 404
        assert client.post(_columns_url(record), _choice()).status_code == 404
        alias = reverse("exchange:import_alias", args=[record.uid])
        assert client.post(alias, {"list": "sources", "text": "x", "value": "1"}).status_code == 404
    assert ImportRecord.objects.count() == 1


def test_a_file_no_longer_kept_is_a_message_not_an_error_page(setup: dict[str, Any]) -> None:
    record = _refused(setup)
    record.file.storage.delete(record.file.name)
    response = setup["client"].get(_columns_url(record), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("exchange:import", args=[record.uid])
    assert "Tệp của lần tải lên này không còn được lưu" in response.content.decode()


def test_a_plan_that_cannot_change_now_says_why(setup: dict[str, Any]) -> None:
    record = _refused(setup)
    VillagePlan.objects.filter(pk=setup["plan"].pk).update(status="submitted")
    response = setup["client"].get(_columns_url(record), follow=True)
    assert response.redirect_chain[-1][0] == reverse("exchange:import", args=[record.uid])
    assert response.context["messages"]
    assert ImportRecord.objects.count() == 1


def test_the_mapping_page_queries_are_bounded(
    setup: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    record = _refused(setup)
    for n in range(5):
        f.source(code=f"SRC{n}", name=f"Nguồn {n}")
    with django_assert_max_num_queries(20):
        response = setup["client"].get(_columns_url(record))
    assert response.status_code == 200


def test_a_hostile_sheet_of_200_columns_keeps_the_page_small(setup: dict[str, Any]) -> None:
    headers = [
        *HEADERS,
        *(f"Cột thêm số {n} có tiêu đề rất dài để làm to trang" for n in range(189)),
    ]
    lines = [[*line, *(f"giá trị dài {n} " * 4 for n in range(189))] for line in LINES]
    _upload(setup["client"], setup["plan"], foreign(lines, headers))
    record = ImportRecord.objects.latest("id")
    response = setup["client"].get(_columns_url(record))
    assert response.status_code == 200
    assert len(response.content) < 100 * 1024
    page = response.content.decode()
    assert page.count('<select name="col-') == SHOWN_COLUMNS
    assert f"Tệp còn {200 - SHOWN_COLUMNS} cột nữa" in page


# --- "always read … as …" -----------------------------------------------------------------


def _unknown_source(setup: dict[str, Any], text: str = "Vốn CT 135 cũ") -> ImportRecord:
    book = opened(f6.export(setup["plan"]))
    ws = book["F6"]
    column = column_letter(book, "Nguồn vốn đề xuất")
    ws[f"{column}{FIRST_ROW}"] = text
    ws[f"{column}{FIRST_ROW + 1}"] = text
    _upload(setup["client"], setup["plan"], saved(book))
    record = ImportRecord.objects.latest("id")
    assert record.result == ImportRecord.Result.REFUSED
    return record


def test_always_read_a_name_as_an_entry_in_one_click(setup: dict[str, Any]) -> None:
    client = setup["client"]
    target = f.source(code="P135", name="Chương trình 135")
    record = _unknown_source(setup)
    assert {e.get("list") for e in record.errors} == {"sources"}
    page = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert page.count("Luôn đọc “Vốn CT 135 cũ” là") == 1  # two cells, one form
    assert f'<option value="{target.pk}">' in page

    response = client.post(
        reverse("exchange:import_alias", args=[record.uid]),
        {"list": "sources", "text": "Vốn CT 135 cũ", "value": str(target.pk)},
    )
    new = ImportRecord.objects.latest("id")
    assert response["Location"] == reverse("exchange:import", args=[new.uid])
    assert new.result == ImportRecord.Result.PREVIEWED, new.errors


def test_a_user_who_may_not_add_names_gets_no_form(setup: dict[str, Any]) -> None:
    plan = setup["plan"]
    editor = user_with_role(Role.VILLAGE_EDITOR, plan.village, username="to.ke.hoach")
    setup["client"] = client = _client(editor)
    f.source(code="P135", name="Chương trình 135")
    record = _unknown_source(setup)
    page = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert "Luôn đọc" not in page
    response = client.post(
        reverse("exchange:import_alias", args=[record.uid]),
        {"list": "sources", "text": "Vốn CT 135 cũ", "value": "1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("exchange:import", args=[record.uid])
    assert ImportRecord.objects.latest("id").pk == record.pk


def test_the_preview_folds_a_long_list_of_skipped_rows(setup: dict[str, Any]) -> None:
    record = ImportRecord.objects.create(
        form="F6",
        plan_uid=setup["plan"].uid,
        target_uid=setup["plan"].uid,
        actor=setup["planner"],
        filename="x.xlsx",
        result=ImportRecord.Result.PREVIEWED,
        summary={
            "changes": [],
            "more": 0,
            "counts": {"add": 0, "change": 0, "remove": 0},
            "skipped": [[n, "dòng trống"] for n in range(5, 17)],
            "unread": [["D", "Ghi chú khác"]],
        },
    )
    page = setup["client"].get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert '<details id="import-skipped">' in page and "Dòng 16: dòng trống" in page
    assert "D “Ghi chú khác”" in page and _columns_url(record) in page
    record.summary = {**record.summary, "skipped": [[5, "dòng trống"]], "unread": []}
    record.save()
    page = setup["client"].get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert '<details id="import-skipped">' not in page and "Dòng 5: dòng trống" in page
    assert _columns_url(record) not in page


def test_a_village_of_another_commune_cannot_reach_the_page() -> None:
    plan = f.village_plan(VillageFactory.create(parent=dong_hoi(), name="Thôn Khác"))
    other, _planner = plan_with_lines()
    record = ImportRecord.objects.create(
        form="F6",
        plan_uid=plan.uid,
        target_uid=plan.uid,
        actor=commune_planner(other.village.parent, username="la"),
        filename="x.xlsx",
        result=ImportRecord.Result.REFUSED,
    )
    client = _client(record.actor)
    assert client.get(_columns_url(record)).status_code == 404
