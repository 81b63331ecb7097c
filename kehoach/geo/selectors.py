"""Reads of administrative units, scoped by the user at the source."""

from __future__ import annotations

from typing import Any, cast

from kehoach.core import access
from kehoach.core.errors import NotFoundError
from kehoach.core.text import fold

from .choices import Level
from .models import PATH_SEPARATOR, AdministrativeUnit, AdministrativeUnitQuerySet


def units_visible_to(user: Any) -> AdministrativeUnitQuerySet:
    """Every unit the user may see (the permission module's answer, through ``core.access``)."""
    return cast(AdministrativeUnitQuerySet, access.units_visible_to(user))


def unit_subtree(
    unit: AdministrativeUnit, *, include_self: bool = True
) -> AdministrativeUnitQuerySet:
    """The unit and everything below it, in one query."""
    qs = AdministrativeUnit.objects.filter(path__startswith=unit.path)
    if not include_self:
        qs = qs.exclude(pk=unit.pk)
    return qs


def unit_ancestors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The units above this one, from the province down, in one query."""
    codes = unit.ancestor_codes()
    if not codes:
        return []
    by_code = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def unit_get_for_user(*, user: Any, code: str) -> AdministrativeUnit:
    """A unit the user may see, or NotFoundError — the same for missing and forbidden."""
    unit = units_visible_to(user).filter(code=code).first()
    if unit is None:
        raise NotFoundError()
    return unit


def units_search(qs: AdministrativeUnitQuerySet, query: str) -> AdministrativeUnitQuerySet:
    """Diacritic-insensitive search: "hai lang" finds "Xã Hải Lăng", "duong" finds "Đường"."""
    folded = fold(query)
    if not folded:
        return qs
    for word in folded.split(" "):
        qs = qs.filter(search_name__contains=word)
    return qs


def communes_of(
    province: AdministrativeUnit, *, user: Any, query: str = ""
) -> AdministrativeUnitQuerySet:
    qs = units_visible_to(user).filter(parent=province, level=Level.COMMUNE).current()
    return units_search(qs, query).in_vietnamese_order()


def villages_of(
    commune: AdministrativeUnit, *, user: Any, query: str = "", include_ended: bool = False
) -> AdministrativeUnitQuerySet:
    qs = units_visible_to(user).filter(parent=commune, level=Level.VILLAGE)
    if not include_ended:
        qs = qs.current()
    return units_search(qs, query).in_vietnamese_order()


def path_for(parent: AdministrativeUnit | None, code: str) -> str:
    prefix = parent.path if parent is not None else ""
    return f"{prefix}{code}{PATH_SEPARATOR}"


def units_visible_to_children(unit: AdministrativeUnit, *, user: Any) -> AdministrativeUnitQuerySet:
    """The units directly below ``unit`` that the user may see: the current ones, or all of
    them when ``unit`` itself has ended (a former district lists its former communes)."""
    qs = units_visible_to(user).filter(parent=unit)
    return qs.current() if unit.valid_to is None else qs
