from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from kehoach.core.errors import ApplicationError
from kehoach.geo.choices import Kind, Level, Source, SuccessionKind
from kehoach.geo.loaders import (
    OfficialRecord,
    official_records,
    units_load_legacy_csv,
    units_load_official,
)
from kehoach.geo.models import (
    AdministrativeUnit,
    AdministrativeUnitQuerySet,
    UnitNameChange,
    UnitSuccession,
)
from kehoach.geo.selectors import unit_subtree
from kehoach.geo.tests.factories import VillageFactory

pytestmark = pytest.mark.django_db

EXAMPLE_CSV = Path(settings.BASE_DIR) / "examples" / "legacy-units-quang-tri.csv"


def _official() -> AdministrativeUnitQuerySet:
    return AdministrativeUnit.objects.filter(source=Source.OFFICIAL)


def test_load_official_units_from_the_package() -> None:
    result = units_load_official()

    assert result.created == 34 + 3321
    assert _official().filter(level=Level.PROVINCE).count() == 34
    assert _official().filter(level=Level.COMMUNE).count() == 3321
    quang_tri = AdministrativeUnit.objects.get(code="44")
    assert quang_tri.name == "Quảng Trị"
    assert quang_tri.kind == Kind.PROVINCE
    hai_lang = AdministrativeUnit.objects.get(code="19702")
    assert hai_lang.name == "Xã Hải Lăng"
    assert hai_lang.parent == quang_tri
    assert hai_lang.path == "44/19702/"
    dong_hoi = AdministrativeUnit.objects.get(code="18880")
    assert (dong_hoi.name, dong_hoi.kind, dong_hoi.parent_id) == (
        "Phường Đồng Hới",
        Kind.WARD,
        quang_tri.pk,
    )
    assert AdministrativeUnit.objects.get(code="01").kind == Kind.CENTRAL_CITY
    assert _official().filter(parent=quang_tri).count() == 78
    assert _official().filter(kind=Kind.SPECIAL_ZONE).count() == 13


def test_reloading_changes_nothing() -> None:
    units_load_official()
    before = list(_official().values_list("code", "name", "path", "updated_at"))

    again = units_load_official()

    assert (again.created, again.renamed, again.ended, again.unchanged) == (0, 0, 0, 3355)
    assert list(_official().values_list("code", "name", "path", "updated_at")) == before


def test_package_update_adds_renames_ends_and_moves_without_deleting() -> None:
    records = official_records()
    units_load_official(records)
    village = VillageFactory.create(parent=AdministrativeUnit.objects.get(code="19702"))
    updated = [r for r in records if r.code != "19702"]
    updated = [
        OfficialRecord(r.code, "Phường Đồng Hới Mới", r.kind, r.parent_code)
        if r.code == "18880"
        else r
        for r in updated
    ]
    # a commune listed under another province, and a brand-new commune
    moving = next(
        r.code for r in records if r.parent_code == "44" and r.code not in {"19702", "18880"}
    )
    updated = [
        OfficialRecord(r.code, r.name, r.kind, "46") if r.code == moving else r for r in updated
    ]
    updated.append(OfficialRecord("99999", "Xã Thử Nghiệm", Kind.COMMUNE, "44"))

    result = units_load_official(updated, today=datetime.date(2026, 1, 1), version="test")

    assert (result.created, result.renamed, result.moved, result.ended) == (1, 1, 1, 1)
    ended = AdministrativeUnit.objects.get(code="19702")
    assert ended.valid_to == datetime.date(2026, 1, 1)
    assert "test" in ended.end_reason
    village.refresh_from_db()
    assert village.parent == ended  # nothing that refers to it is lost
    renamed = AdministrativeUnit.objects.get(code="18880")
    assert renamed.search_name == "phuong dong hoi moi"
    assert UnitNameChange.objects.get(unit=renamed).old_name == "Phường Đồng Hới"
    assert AdministrativeUnit.objects.get(code=moving).path == f"46/{moving}/"
    assert AdministrativeUnit.objects.get(code="99999").path == "44/99999/"

    # the package lists the commune again: it becomes current again
    again = units_load_official(records, today=datetime.date(2026, 2, 1), version="test2")
    assert again.reopened == 1
    assert AdministrativeUnit.objects.get(code="19702").valid_to is None


def test_legacy_csv_maps_district_and_old_communes_to_successors() -> None:
    units_load_official()

    result = units_load_legacy_csv(EXAMPLE_CSV.read_text(encoding="utf-8"))

    assert result.created == 5
    district = AdministrativeUnit.objects.get(code="H470")
    assert (district.level, district.kind, district.name) == (
        Level.DISTRICT,
        Kind.DISTRICT,
        "Huyện Hải Lăng",
    )
    assert district.parent == AdministrativeUnit.objects.get(code="T45")
    assert district.valid_to == datetime.date(2025, 6, 30)
    old_communes = AdministrativeUnit.objects.filter(parent=district).order_by("code")
    assert [c.name for c in old_communes] == ["Thị trấn Diên Sanh", "Xã Hải An"]
    hai_lang = AdministrativeUnit.objects.get(code="19702")
    links = UnitSuccession.objects.filter(successor=hai_lang).order_by("predecessor__code")
    assert [link.predecessor.code for link in links] == ["X19702", "X19705"]
    assert {link.kind for link in links} == {SuccessionKind.MERGED}
    assert links[0].effective_date == datetime.date(2025, 7, 1)
    assert set(
        unit_subtree(AdministrativeUnit.objects.get(code="T45")).values_list("code", flat=True)
    ) == {
        "T45",
        "H470",
        "X19702",
        "X19705",
    }
    # the old Quảng Bình and Quảng Trị both continue in the new Quảng Trị
    assert set(
        UnitSuccession.objects.filter(successor__code="44").values_list(
            "predecessor__code", flat=True
        )
    ) == {"T44", "T45"}

    again = units_load_legacy_csv(EXAMPLE_CSV.read_text(encoding="utf-8"))
    assert (again.created, again.successions) == (0, 0)


def test_legacy_csv_with_errors_saves_nothing_and_names_each_row() -> None:
    units_load_official()
    text = (
        "level,code,name,kind,parent_code,valid_from,valid_to,successor_codes,decision\n"
        "tinh,45,Tỉnh Quảng Trị,,,,30/06/2025,44,\n"
        "huyen,470,Huyện Hải Lăng,,45,,31/02/2025,,\n"
        "xa,19705,Xã Hải An,,999,,,19702,\n"
        "lang,1,Xóm,,,,,,\n"
        "xa,19706,Xã Hải Ba,,470,,,88888,\n"
    )

    with pytest.raises(ApplicationError) as caught:
        units_load_legacy_csv(text)

    message = caught.value.message
    assert "Dòng 3, cột valid_to" in message and "31/02/2025" in message
    assert "Dòng 4: không có đơn vị cấp trên “999” trong tệp." in message
    assert "Dòng 5: cấp “lang” không hợp lệ" in message
    assert "Dòng 6: đơn vị kế thừa “88888” không phải là đơn vị chính thức hiện hành" in message
    assert not AdministrativeUnit.objects.filter(source=Source.LEGACY).exists()


def test_legacy_csv_without_required_columns() -> None:
    with pytest.raises(ApplicationError) as caught:
        units_load_legacy_csv("ma,ten\n1,Một\n")
    assert caught.value.code == "csv_columns_missing"
