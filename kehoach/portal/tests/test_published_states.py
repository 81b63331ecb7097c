"""What is published in each unit, kept by the publications (``synthesis.PublishedState``):
a publication writes the commune's and every unit above it, for the year and for all years; a
reader finds it in one query and counts it when it is missing; a bulk writer that forgets the
states of a province never leaves a stale one."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.tests.factories import hai_lang, quang_tri
from kehoach.monitoring.scale import ScaleOptions, generate
from kehoach.synthesis.models import PublishedState
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.summaries import (
    EVERY_YEAR,
    published_state,
    published_states_forget,
)
from kehoach.synthesis.summaries.published import published_state_count

from .factories import RESOLUTION, plan_in_state

pytestmark = pytest.mark.django_db


def _kept(code: str, year: int) -> tuple[str, Any]:
    return PublishedState.objects.values_list("versions", "changed_at").get(
        unit_code=code, year=year
    )


def _counted(unit: Any, year: int) -> tuple[str, Any]:
    return published_state_count(unit.path, year)


def test_a_publication_keeps_the_state_of_its_commune_and_every_unit_above() -> None:
    commune = hai_lang()
    world = plan_in_state(commune, "approved")
    assert not PublishedState.objects.exists()  # approving publishes nothing
    commune_plan_transition(actor=world["planner"], plan=world["plan"], action="publish")
    units = [commune, quang_tri()]
    assert commune.parent == quang_tri()  # a commune of the 2025 reform: province, commune
    for unit in units:
        for year in (2027, EVERY_YEAR):
            kept = _kept(unit.code, year)
            assert kept == _counted(unit, year) and kept[0], (unit.code, year)
    first = _kept(commune.code, 2027)
    # an amendment approved but not published changes nothing; its publication does
    plan = world["plan"]
    commune_plan_transition(actor=world["planner"], plan=plan, action="amend", comment="Sửa")
    plan.refresh_from_db()
    commune_plan_transition(actor=world["planner"], plan=plan, action="submit")
    commune_plan_approve(
        actor=world["approver"], plan=plan, data={**RESOLUTION, "resolution_number": "31/NQ"}
    )
    assert _kept(commune.code, 2027) == first
    commune_plan_transition(actor=world["planner"], plan=plan, action="publish")
    assert _kept(commune.code, 2027) != first
    assert _kept(commune.code, 2027) == _counted(commune, 2027)
    assert _kept(quang_tri().code, EVERY_YEAR) == _counted(quang_tri(), EVERY_YEAR)


def test_a_reader_counts_a_missing_state_once_then_reads_one_query(
    django_assert_num_queries: Any,
) -> None:
    commune = hai_lang()
    plan_in_state(commune, "published")
    PublishedState.objects.all().delete()
    with django_assert_num_queries(3):  # the row, the count, the row stored
        state = published_state(commune, 2027)
    assert state == _counted(commune, 2027) and state[0]
    with django_assert_num_queries(1):
        assert published_state(commune, 2027) == state
    # nothing published that year: an empty state, kept too
    assert published_state(commune, 2031) == ("", None)
    assert _kept(commune.code, 2031) == ("", None)


def test_a_bulk_writer_forgets_the_states_of_its_province_so_none_is_stale() -> None:
    catalog_load_defaults()
    province = quang_tri()
    commune = hai_lang()
    assert published_state(province, 2027) == ("", None)  # kept: nothing published yet
    generate(
        ScaleOptions(
            provinces=("44",),
            villages_per_commune=2,
            lines_per_plan=3,
            years=(2027,),
            synthesised=1.0,
            approved=1.0,
            published=1.0,
            progress=0.0,
        ),
        today=datetime.date(2026, 12, 6),
    )
    state = published_state(province, 2027)
    assert state[0] and state == _counted(province, 2027)
    assert published_state(commune, EVERY_YEAR) == _counted(commune, EVERY_YEAR)
    published_states_forget(commune)
    assert not PublishedState.objects.filter(unit_code__in=[commune.code, province.code]).exists()
