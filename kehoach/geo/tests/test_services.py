from __future__ import annotations

import datetime
import unicodedata

import pytest
from django.utils import translation

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.choices import Kind, Source, SuccessionKind
from kehoach.geo.models import AdministrativeUnit, UnitNameChange, UnitSuccession
from kehoach.geo.services import (
    village_create,
    village_end,
    village_rename,
    village_restore,
    villages_import_csv,
    villages_merge,
    villages_merge_undo,
)
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang

pytestmark = pytest.mark.django_db

JULY_2025 = datetime.date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def test_create_numbers_villages_within_the_commune_and_normalises_names() -> None:
    commune = hai_lang()
    planner = commune_planner(commune)
    nfd = unicodedata.normalize("NFD", "  Thôn   Diên Sanh ")

    first = village_create(actor=planner, commune=commune, name=nfd)
    second = village_create(actor=planner, commune=commune, name="Bản Pa Tầng", kind=Kind.HAMLET)

    assert first.name == "Thôn Diên Sanh"
    assert unicodedata.is_normalized("NFC", first.name)
    assert (first.code, second.code) == ("19702-001", "19702-002")
    assert first.path == "44/19702/19702-001/"
    assert first.source == Source.LOCAL
    assert first.search_name == "thon dien sanh"


def test_duplicate_name_is_refused_whatever_the_diacritics() -> None:
    commune = hai_lang()
    planner = commune_planner(commune)
    village_create(actor=planner, commune=commune, name="Thôn Diên Sanh")

    with pytest.raises(ApplicationError) as caught:
        village_create(actor=planner, commune=commune, name="thon dien sanh")

    assert caught.value.code == "village_name_taken"
    assert caught.value.where.field == "name"
    assert caught.value.message == ("Xã Hải Lăng đã có thôn tên “Thôn Diên Sanh” (mã 19702-001).")


def test_empty_name_is_refused_with_a_message_on_the_field() -> None:
    commune = hai_lang()
    with pytest.raises(ApplicationError) as caught:
        village_create(actor=commune_planner(commune), commune=commune, name="   ")
    assert caught.value.where.field == "name"
    assert caught.value.message == "Hãy nhập tên thôn."


@pytest.mark.parametrize(
    "role",
    [Role.VILLAGE_EDITOR, Role.COMMUNE_APPROVER, Role.PROVINCE_OFFICER, Role.DONOR_VIEWER],
)
def test_only_commune_planners_manage_villages(role: str) -> None:
    commune = hai_lang()
    user = user_with_role(role, commune)
    with pytest.raises(NotFoundError):
        village_create(actor=user, commune=commune, name="Thôn Mới")
    assert not AdministrativeUnit.objects.filter(name="Thôn Mới").exists()


def test_planner_of_another_commune_gets_not_found() -> None:
    commune = hai_lang()
    other_planner = commune_planner(dong_hoi())
    village = VillageFactory.create(parent=commune, name="Thôn Mỹ Chánh")

    with pytest.raises(NotFoundError):
        village_create(actor=other_planner, commune=commune, name="Thôn Mới")
    with pytest.raises(NotFoundError):
        village_rename(actor=other_planner, village=village, new_name="Thôn Khác")
    with pytest.raises(NotFoundError):
        village_end(actor=other_planner, village=village, reason="x")
    village.refresh_from_db()
    assert (village.name, village.valid_to) == ("Thôn Mỹ Chánh", None)


def test_rename_keeps_the_code_and_records_the_old_name() -> None:
    commune = hai_lang()
    planner = commune_planner(commune)
    village = village_create(actor=planner, commune=commune, name="Thôn 1")

    village_rename(
        actor=planner,
        village=village,
        new_name="Thôn Trường Phước",
        effective_date=datetime.date(2026, 1, 1),
        decision="NQ 05/NQ-HĐND",
    )

    village.refresh_from_db()
    assert (village.code, village.name, village.search_name) == (
        "19702-001",
        "Thôn Trường Phước",
        "thon truong phuoc",
    )
    change = UnitNameChange.objects.get(unit=village)
    assert (change.old_name, change.new_name, change.changed_by) == (
        "Thôn 1",
        "Thôn Trường Phước",
        planner,
    )


def test_end_needs_a_reason_and_can_be_undone() -> None:
    commune = hai_lang()
    planner = commune_planner(commune)
    village = village_create(
        actor=planner, commune=commune, name="Thôn Hội Kỳ", valid_from=datetime.date(2025, 7, 1)
    )

    with pytest.raises(ApplicationError) as caught:
        village_end(actor=planner, village=village, reason="")
    assert caught.value.where.field == "reason"
    with pytest.raises(ApplicationError) as caught:
        village_end(actor=planner, village=village, reason="x", valid_to=datetime.date(2025, 1, 1))
    assert caught.value.message == (
        "Ngày kết thúc 01/01/2025 trước ngày thôn bắt đầu (01/07/2025)."
    )

    village_end(
        actor=planner,
        village=village,
        reason="Giải thể theo NQ 12",
        valid_to=datetime.date(2026, 3, 1),
    )
    village.refresh_from_db()
    assert village.valid_to == datetime.date(2026, 3, 1)
    with pytest.raises(ApplicationError):
        village_rename(actor=planner, village=village, new_name="Thôn Khác")

    village_restore(actor=planner, village=village)
    village.refresh_from_db()
    assert (village.valid_to, village.end_reason) == (None, "")


def test_merge_into_an_existing_village_and_undo() -> None:
    commune = hai_lang()
    planner = commune_planner(commune)
    a = village_create(actor=planner, commune=commune, name="Thôn Câu Nhi", valid_from=JULY_2025)
    b = village_create(actor=planner, commune=commune, name="Thôn Văn Quỹ", valid_from=JULY_2025)
    c = village_create(actor=planner, commune=commune, name="Thôn Trà Lộc", valid_from=JULY_2025)

    target = villages_merge(
        actor=planner, villages=[a, b, c], into=a, effective_date=datetime.date(2026, 1, 1)
    )

    assert target == a
    b.refresh_from_db()
    assert b.valid_to == datetime.date(2025, 12, 31)
    assert set(
        UnitSuccession.objects.filter(successor=a).values_list("predecessor__code", flat=True)
    ) == {
        b.code,
        c.code,
    }
    assert UnitSuccession.objects.filter(kind=SuccessionKind.MERGED).count() == 2
    with pytest.raises(ApplicationError) as caught:
        village_restore(actor=planner, village=b)
    assert caught.value.code == "village_merged"

    restored = villages_merge_undo(actor=planner, target=a)

    assert {v.code for v in restored} == {b.code, c.code}
    assert AdministrativeUnit.objects.filter(parent=commune, valid_to__isnull=True).count() == 3
    assert not UnitSuccession.objects.exists()


def test_merge_into_a_new_village() -> None:
    commune = hai_lang()
    planner = commune_planner(commune)
    a = village_create(actor=planner, commune=commune, name="Thôn Xuân Lộc", valid_from=JULY_2025)
    b = village_create(actor=planner, commune=commune, name="Thôn Thượng Xá", valid_from=JULY_2025)

    with pytest.raises(ApplicationError) as caught:
        villages_merge(actor=planner, villages=[a], new_name="X")
    assert caught.value.code == "merge_needs_two"
    with pytest.raises(ApplicationError) as caught:
        villages_merge(
            actor=planner, villages=[a, b], new_name="X", effective_date=datetime.date(2025, 1, 1)
        )
    assert caught.value.where.field == "effective_date"

    new = villages_merge(
        actor=planner,
        villages=[a, b],
        new_name="Thôn Xuân Thượng",
        effective_date=datetime.date(2026, 1, 1),
        decision="NQ 07/NQ-HĐND xã",
    )

    assert new.name == "Thôn Xuân Thượng"
    assert new.valid_from == datetime.date(2026, 1, 1)
    assert {s.predecessor for s in new.predecessions.all()} == {a, b}

    villages_merge_undo(actor=planner, target=new)
    new.refresh_from_db()
    assert new.valid_to is not None  # kept, never deleted
    assert (
        AdministrativeUnit.objects.filter(pk__in=[a.pk, b.pk], valid_to__isnull=True).count() == 2
    )


def test_csv_import_adds_new_villages_and_leaves_existing_ones() -> None:
    commune = hai_lang()
    planner = commune_planner(commune)
    village_create(actor=planner, commune=commune, name="Thôn Diên Sanh")
    content = (
        "Tên thôn;Loại;Từ ngày\n"
        "Thôn Diên Sanh;thôn;\n"
        "Bản Chân Rò;bản;01/07/2025\n"
        "Tổ dân phố 3;tổ dân phố;\n"
        "\n"
    ).encode("utf-8-sig")

    result = villages_import_csv(actor=planner, commune=commune, content=content)

    assert [v.name for v in result.created] == ["Bản Chân Rò", "Tổ dân phố 3"]
    assert result.unchanged == ["Thôn Diên Sanh"]
    ban = AdministrativeUnit.objects.get(name="Bản Chân Rò")
    assert (ban.kind, ban.valid_from) == (Kind.HAMLET, datetime.date(2025, 7, 1))
    assert AdministrativeUnit.objects.get(name="Tổ dân phố 3").kind == Kind.RESIDENTIAL_GROUP


def test_csv_import_with_a_bad_row_adds_nothing() -> None:
    commune = hai_lang()
    planner = commune_planner(commune)
    content = (
        "Tên thôn,Loại,Từ ngày\nThôn A,thôn,\n,thôn,\nThôn B,xóm,\nThôn C,,32/01/2026\nthôn a,,\n"
    )

    with pytest.raises(ApplicationError) as caught:
        villages_import_csv(actor=planner, commune=commune, content=content)

    lines = caught.value.message.splitlines()
    assert lines[0] == "Dòng 3: tên thôn bị trống."
    assert lines[1].startswith("Dòng 4: loại “xóm” không hợp lệ")
    assert lines[2].startswith("Dòng 5: “32/01/2026”")
    assert lines[3] == "Dòng 6: “thôn a” đã có ở dòng 2."
    assert not AdministrativeUnit.objects.filter(parent=commune).exists()


def test_csv_import_refuses_a_file_that_is_not_utf8() -> None:
    commune = hai_lang()
    with pytest.raises(ApplicationError) as caught:
        villages_import_csv(
            actor=commune_planner(commune),
            commune=commune,
            content="Tên thôn\nThôn Đông\n".encode("cp1258"),
        )
    assert caught.value.code == "csv_encoding"


def test_names_that_differ_by_diacritics_are_different_villages() -> None:
    commune = hai_lang()
    planner = commune_planner(commune)
    village_create(actor=planner, commune=commune, name="Thôn Hà")

    village_create(actor=planner, commune=commune, name="Thôn Hạ")

    with pytest.raises(ApplicationError):
        village_create(actor=planner, commune=commune, name="THÔN HẠ")
    with pytest.raises(ApplicationError):
        village_create(actor=planner, commune=commune, name="Thon Ha")
