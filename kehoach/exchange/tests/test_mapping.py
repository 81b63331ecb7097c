"""The mapping page: a workbook in a programme's own layout whose columns kehoach cannot place
is refused with the way to the page; the page shows each column of the file with its header,
samples and the guess; the officer's choice checks the file again (a field chosen twice is
refused on the page); a saved layout reads the next file of that shape by itself; “always read
… as …” in one click; another user's or commune's upload is a 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
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

from .helpers import FIRST_ROW, column_letter, opened, plan_with_lines, post_workbook, saved
from .helpers import logged_in as _client
from .old_workbook import HEADERS, KEYS, LINES, foreign

pytestmark = pytest.mark.django_db
# the ``setup`` fixture (a plan with lines, its planner signed in) is in conftest.py


def _upload(client: Client, plan: VillagePlan, data: bytes, name: str = "cu.xlsx") -> Any:
    return post_workbook(client, plan, data, name)


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
    # the officer's choices are kept on the page, the message beside the second column
    _assert_kept(page, _choice(twice))
    beside = re.search(r'<ul class="errorlist" id="col-3-errors">.*?</ul>', page, re.S)
    assert beside is not None and "được chọn cho cả cột B và cột D" in beside.group(0)
    assert 'id="col-1-errors"' not in page


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


# --- every refusal keeps the officer's choices -----------------------------------------------


def _selected(page: str, name: str) -> str:
    """The value selected in the drop-down ``name`` of the page ("" for none)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, name
    chosen = re.findall(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen[0] if chosen else ""


def _own_choice(**changes: str) -> dict[str, str]:
    """The right columns, except “Nơi làm” read as the notes: not the engine's guess, so a
    page that guessed again instead of keeping the choice shows another field."""
    keys = [*KEYS]
    keys[3] = "notes"
    for position, key in changes.items():
        keys[int(position[1:])] = key
    return _choice(keys)


def _assert_kept(page: str, posted: dict[str, str]) -> None:
    for name, value in posted.items():
        if name.startswith("col-"):
            assert _selected(page, name) == value, name


def _refused_again(
    setup: dict[str, Any],
    record: ImportRecord,
    posted: dict[str, str],
    shown: dict[str, str] | None = None,
) -> str:
    """Post the choice; it is refused on the page, which shows ``shown`` (by default what was
    posted) in the drop-downs."""
    response = setup["client"].post(_columns_url(record), posted)
    assert response.status_code == 400
    assert ImportRecord.objects.latest("id").pk == record.pk  # no new check
    page: str = response.content.decode()
    _assert_kept(page, posted if shown is None else shown)
    return page


def _accepted(setup: dict[str, Any], record: ImportRecord, posted: dict[str, str]) -> None:
    response = setup["client"].post(_columns_url(record), posted)
    new = ImportRecord.objects.latest("id")
    assert new.pk != record.pk
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:import", args=[new.uid])


def test_the_choice_kept_is_not_the_engines_guess(setup: dict[str, Any]) -> None:
    record = _refused(setup)
    page = setup["client"].get(_columns_url(record)).content.decode()
    assert _selected(page, "col-3") != _own_choice()["col-3"]
    assert _selected(page, "col-4") == _own_choice()["col-4"]  # “ĐVT”: guessed, and kept


def test_a_layout_without_a_name_is_refused_with_every_choice_kept(
    setup: dict[str, Any],
) -> None:
    record = _refused(setup)
    programme = f.source()
    posted = {
        **_own_choice(),
        "save": "1",
        "name": "  ",
        "programme": programme.code,
        "profile_only": "1",
    }
    page = _refused_again(setup, record, posted)
    errors = re.search(r'<ul class="errorlist" id="map-name-errors">.*?</ul>', page, re.S)
    assert errors is not None and "Hãy đặt tên cho cách ghép cột" in errors.group(0)
    assert 'aria-invalid="true"' in page
    assert re.search(r'id="map-save" checked', page) and re.search(
        r'id="map-profile" checked', page
    )
    assert _selected(page, "programme") == programme.code
    assert not Layout.objects.exists()

    _accepted(setup, record, {**posted, "name": "Biểu thôn"})
    assert Layout.objects.get().name == "Biểu thôn"


def test_a_layout_name_already_taken_is_refused_with_the_name_kept(
    setup: dict[str, Any],
) -> None:
    record = _refused(setup)
    spec = {"columns": [{"key": "activity", "header": "Việc cần làm", "required": True}]}
    target = village_target("F6", setup["plan"])
    first = layout_save(
        actor=setup["planner"], form="F6", name="Biểu CTMTQG thôn 2027", spec=spec, target=target
    )
    posted = {**_own_choice(), "save": "1", "name": "biểu ctmtqg  THÔN 2027"}
    page = _refused_again(setup, record, posted)
    errors = re.search(r'<ul class="errorlist" id="map-name-errors">.*?</ul>', page, re.S)
    assert errors is not None
    assert "Đã có cách ghép cột tên “biểu ctmtqg THÔN 2027” cho biểu F6" in errors.group(0)
    assert 'value="biểu ctmtqg  THÔN 2027"' in page  # as typed
    assert Layout.objects.count() == 1

    Layout.objects.filter(pk=first.pk).update(is_active=False)  # a retired layout's name is free
    _accepted(setup, record, posted)
    assert Layout.objects.count() == 2


def test_a_needed_field_not_chosen_is_refused_with_every_choice_kept(
    setup: dict[str, Any],
) -> None:
    record = _refused(setup)
    posted = _own_choice(c1="")  # the activity read from no column
    page = _refused_again(setup, record, posted)
    label = {o.key: o.label for o in field_options(layout_for("F6"))}["activity"]
    assert f"Hãy chọn cột chứa “{label}”" in page
    assert 'id="mapping-errors"' in page
    # a total is computed from its parts: not choosing its column is no refusal
    _accepted(setup, record, _own_choice(c8=""))


def test_a_page_opened_before_the_fields_changed_is_refused_with_the_choices_kept(
    setup: dict[str, Any],
) -> None:
    record = _refused(setup)
    now = [o.key for o in field_options(layout_for("F6"))]
    before = [now[1], now[0], *now[2:]]  # the page listed the first two fields swapped
    place = {key: str(n) for n, key in enumerate(before, start=1)}
    keys = [*KEYS]
    keys[3] = "notes"
    stale = {f"col-{i}": place[key] for i, key in enumerate(keys)}
    assert stale != _own_choice()  # the places posted are not those of now
    # each column shows the field the officer chose, at its place in the list of now
    current = _own_choice()
    page = _refused_again(setup, record, {**stale, "fields": ",".join(before)}, current)
    errors = re.search(r'<ul class="errorlist" id="fields-errors">.*?</ul>', page, re.S)
    assert errors is not None and "Các trường của biểu đã thay đổi" in errors.group(0)
    assert f'name="fields" value="{",".join(now)}"' in page

    _accepted(setup, record, {**current, "fields": ",".join(now)})


def test_an_unknown_programme_is_refused_beside_its_list(setup: dict[str, Any]) -> None:
    record = _refused(setup)
    posted = {**_own_choice(), "save": "1", "name": "Biểu thôn", "programme": "KHONG-CO"}
    page = _refused_again(setup, record, posted)
    errors = re.search(r'<ul class="errorlist" id="map-programme-errors">.*?</ul>', page, re.S)
    assert errors is not None and "Hãy chọn một chương trình trong danh sách" in errors.group(0)
    assert 'value="Biểu thôn"' in page
    assert not Layout.objects.exists()

    _accepted(setup, record, {**posted, "programme": ""})
    assert Layout.objects.get().programme is None


def test_layout_save_makes_unique_codes_and_asks_who_may(setup: dict[str, Any]) -> None:
    plan, planner = setup["plan"], setup["planner"]
    target = village_target("F6", plan)
    spec = {"columns": [{"key": "activity", "header": "Việc cần làm", "required": True}]}
    one = layout_save(actor=planner, form="F6", name="Biểu xã", spec=spec, target=target)
    two = layout_save(actor=planner, form="F6", name="Biểu xá", spec=spec, target=target)
    assert (one.code, two.code) == ("F6-BIEU-XA-1", "F6-BIEU-XA-2")
    with pytest.raises(ApplicationError) as taken:  # case and spaces aside, the same name
        layout_save(actor=planner, form="F6", name=" biểu  XÃ ", spec=spec, target=target)
    assert taken.value.code == "layout_name_taken"
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
