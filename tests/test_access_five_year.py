"""The access matrix of the pages issue 18 added (five-year plans, the commune's five-year plan,
drawing, comparison, PRA, the F7 workbook and the documents): a visitor is sent to log in, a
planner of another commune and an editor of another village get the same 404 as a missing page,
the commune's planner reads every page and a village's editor reads its village's pages."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.catalog import defaults
from kehoach.catalog.models import PraTool
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.midterm.models import MediumTermCommuneLine, MediumTermCommunePlan, MediumTermSource
from kehoach.midterm.tests import drawing_factories as m
from kehoach.plans.models import PraOutput
from kehoach.plans.tests import factories as f
from kehoach.synthesis.choices import Decision

pytestmark = pytest.mark.django_db

VILLAGE_PAGES = [
    ("midterm:plan", "five_year"),
    ("midterm:history", "five_year"),
    ("midterm:progress_village", "five_year"),
    ("exchange:f7_download", "five_year"),
    ("plans:pra", "yearly"),
    ("plans:pra_edit", "yearly", "output"),
    ("exchange:village_pra_annex", "yearly", "pdf"),
]
COMMUNE_PAGES = [
    ("midterm:period_create", "code"),
    ("midterm:period", "round"),
    ("midterm:commune_plans", "code"),
    ("midterm:commune_plan", "round"),
    ("midterm:commune_history", "round"),
    ("midterm:progress_commune", "round"),
    ("midterm:commune_feedback", "five_year"),
    ("exchange:five_year_document", "round", "pdf"),
]
WRITES = [
    ("midterm:draw", "yearly"),
    ("midterm:year_status", "five_year", "line", "2027"),
    ("midterm:commune_synthesise", "round"),
    ("midterm:commune_decide", "round", "commune_line"),
    ("midterm:commune_approve", "round"),
    ("plans:pra_create", "yearly"),
]


@pytest.fixture
def world() -> dict[str, Any]:
    commune = hai_lang()
    village = VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    five_year = m.medium_plan(village)
    line = m.activity(five_year)
    plan = MediumTermCommunePlan.objects.get(round=five_year.round)
    commune_line = MediumTermCommuneLine.objects.create(
        plan=plan,
        number=1,
        sector=line.sector,
        activity=line.activity,
        unit=line.unit,
        decision=Decision.FUNDED,
    )
    MediumTermSource.objects.create(line=commune_line, village_line=line)
    yearly = f.village_plan(village, year=2027)
    tool = PraTool.objects.create(**defaults.PRA_TOOLS[0])
    output = PraOutput.objects.create(
        plan=yearly,
        tool=tool,
        held_on=datetime.date(2026, 5, 10),
        participants_women=12,
        participants_men=9,
        findings="Đường xóm Trên lầy lội mùa mưa",
    )
    return {
        "commune": commune,
        "village": village,
        "code": commune.code,
        "round": five_year.round.uid,
        "five_year": five_year.uid,
        "line": line.uid,
        "commune_line": commune_line.uid,
        "yearly": yearly.uid,
        "output": output.uid,
        "pdf": "pdf",
        "2027": 2027,
    }


def _url(world: dict[str, Any], name: str, *keys: Any) -> str:
    return reverse(name, args=[world[key] for key in keys])


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("page", VILLAGE_PAGES + COMMUNE_PAGES, ids=lambda p: p[0])
def test_every_page_sends_a_visitor_to_log_in_and_hides_from_another_commune(
    world: dict[str, Any], page: tuple[Any, ...]
) -> None:
    url = _url(world, *page)
    visitor = _client().get(url)
    assert visitor.status_code == 302 and "/accounts/login/" in visitor["Location"]
    outsider = _client(commune_planner(dong_hoi()))
    assert outsider.get(url).status_code == 404
    assert _client(commune_planner(world["commune"])).get(url).status_code == 200


@pytest.mark.parametrize("page", VILLAGE_PAGES, ids=lambda p: p[0])
def test_a_village_page_is_read_by_its_editor_and_hidden_from_another_village(
    world: dict[str, Any], page: tuple[Any, ...]
) -> None:
    url = _url(world, *page)
    own = user_with_role(Role.VILLAGE_EDITOR, world["village"])
    assert _client(own).get(url).status_code == 200
    other = VillageFactory.create(parent=world["commune"], name="Thôn Mai Đàn")
    assert _client(user_with_role(Role.VILLAGE_EDITOR, other)).get(url).status_code == 404


@pytest.mark.parametrize("write", WRITES, ids=lambda p: p[0])
def test_every_write_refuses_a_visitor_and_another_commune_and_changes_nothing(
    world: dict[str, Any], write: tuple[Any, ...]
) -> None:
    url = _url(world, *write)
    visitor = _client().post(url, {})
    assert visitor.status_code == 302 and "/accounts/login/" in visitor["Location"]
    assert _client(commune_planner(dong_hoi())).post(url, {}).status_code == 404
    other = VillageFactory.create(parent=world["commune"], name="Thôn Mai Đàn")
    editor = _client(user_with_role(Role.VILLAGE_EDITOR, other))
    assert editor.post(url, {}).status_code == 404
    assert MediumTermCommuneLine.objects.get(uid=world["commune_line"]).version == 1
