"""Factories that keep the unit tree consistent: a village's path runs through its commune."""

from __future__ import annotations

import datetime
from typing import Any

import factory

from kehoach.core.text import fold, name_sort_key
from kehoach.geo.choices import Kind, Level, Source
from kehoach.geo.models import PATH_SEPARATOR, AdministrativeUnit


class UnitFactory(factory.django.DjangoModelFactory[AdministrativeUnit]):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code",)

    source = Source.OFFICIAL
    valid_from = datetime.date(2025, 7, 1)

    @classmethod
    def _create(cls, model_class: type[AdministrativeUnit], *args: Any, **kwargs: Any) -> Any:
        parent = kwargs.get("parent")
        code = kwargs["code"]
        kwargs.setdefault("official_code", code if kwargs.get("source") != Source.LOCAL else "")
        kwargs["path"] = f"{parent.path if parent else ''}{code}{PATH_SEPARATOR}"
        kwargs["sort_key"] = name_sort_key(kwargs["name"])
        kwargs["search_name"] = fold(kwargs["name"])
        return super()._create(model_class, *args, **kwargs)


class ProvinceFactory(UnitFactory):
    code = factory.Sequence(lambda n: f"{60 + n % 39:02d}")
    name = factory.Sequence(lambda n: f"Tỉnh Thử {n}")
    kind = Kind.PROVINCE
    level = Level.PROVINCE
    parent = None


class CommuneFactory(UnitFactory):
    code = factory.Sequence(lambda n: f"{90000 + n:05d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    kind = Kind.COMMUNE
    level = Level.COMMUNE
    parent = factory.SubFactory(ProvinceFactory)


class VillageFactory(UnitFactory):
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}-{n + 1:03d}")
    name = factory.Sequence(lambda n: f"Thôn Thử {n}")
    kind = Kind.VILLAGE
    level = Level.VILLAGE
    source = Source.LOCAL
    parent = factory.SubFactory(CommuneFactory)


def quang_tri() -> AdministrativeUnit:
    return ProvinceFactory.create(code="44", name="Quảng Trị")


def hai_lang() -> AdministrativeUnit:
    return CommuneFactory.create(code="19702", name="Xã Hải Lăng", parent=quang_tri())


def dong_hoi() -> AdministrativeUnit:
    return CommuneFactory.create(
        code="18880", name="Phường Đồng Hới", kind=Kind.WARD, parent=quang_tri()
    )
