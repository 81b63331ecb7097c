"""The portal's reads: always the latest *published* version, never a newer one being prepared;
units only where something is published; a province's files read in batches with a fixed number
of queries per batch; the shape of a snapshot (``tables``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.core.errors import NotFoundError
from kehoach.geo.choices import Level
from kehoach.geo.tests.factories import CommuneFactory, quang_tri
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition

from .. import opendata, selectors
from ..tables import month_text, plan_tables
from .factories import RESOLUTION, followed_plan, plan_in_state, trieu_phong

pytestmark = pytest.mark.django_db

D = Decimal


def test_the_latest_published_version_not_a_newer_one_being_prepared() -> None:
    world = followed_plan()
    plan, planner = world["plan"], world["planner"]
    commune_plan_transition(actor=planner, plan=plan, action="amend", comment="Bổ sung")
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=world["approver"], plan=plan, data=RESOLUTION)
    assert [v.number for v in selectors.latest_published_versions()] == [1]
    assert selectors.published_plan("19702", 2027).version.number == 1
    with pytest.raises(NotFoundError):
        selectors.published_plan("19702", 2027, 2)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    assert [v.number for v in selectors.latest_published_versions()] == [2]
    published = selectors.published_plan("19702", 2027)
    assert (published.version.number, [v.number for v in published.versions]) == (2, [1, 2])
    assert not selectors.published_plan("19702", 2027, 1).is_latest


def test_units_appear_only_with_a_published_plan() -> None:
    followed_plan()
    plan_in_state(trieu_phong(), "approved")
    assert [u.code for u in selectors.communes_with_published_plans()] == ["19702"]
    assert [u.code for u in selectors.provinces_with_published_plans()] == ["44"]
    assert selectors.published_years(quang_tri()) == [2027]
    with pytest.raises(NotFoundError):
        selectors.public_unit("19705", [Level.COMMUNE])
    unit = selectors.public_unit("19702", [Level.COMMUNE])
    assert selectors.province_of(unit) == quang_tri()


def test_a_province_is_read_in_batches_with_a_fixed_number_of_queries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    followed_plan()

    def count(dataset: str) -> int:
        scope = opendata.Scope(quang_tri(), 2027)
        with CaptureQueriesContext(connection) as captured:
            rows = list(opendata.DATASETS[dataset].rows(scope))
        assert rows
        return len(captured)

    one = {name: count(name) for name in opendata.DATASETS}
    for code, name in [("19707", "Xã Hải An"), ("19708", "Xã Hải Đông")]:
        followed_plan(CommuneFactory.create(code=code, name=name, parent=quang_tri()))
    assert {name: count(name) for name in opendata.DATASETS} == one
    monkeypatch.setattr(selectors, "BATCH", 1)
    per_batch = {name: count(name) for name in opendata.DATASETS}
    # three batches of one plan: the queries of a batch, three times
    assert all(per_batch[name] > one[name] for name in one)
    monkeypatch.setattr(selectors, "BATCH", 2)
    assert all(count(name) < per_batch[name] for name in one)


def test_a_village_without_proposals_in_the_plan_has_no_feedback() -> None:
    followed_plan()
    published = selectors.published_plan("19702", 2027)
    with pytest.raises(NotFoundError):
        selectors.village_feedback(published, "19702-999")


def _line(number: int, sector: str, order: int, funding: list[Any], **extra: Any) -> Any:
    return {
        "uid": f"u{number}",
        "number": number,
        "state": "active",
        "sector": sector,
        "sector_name": sector,
        "sector_order": order,
        "activity": f"A{number}",
        "total": "100",
        "contribution": "10",
        "support": "90",
        "decision": "funded" if funding else "deferred",
        "decision_reason": "",
        "start": "2027-01",
        "end": "2027-12",
        "funding": funding,
        "sources": [],
        **extra,
    }


def test_the_tables_of_a_snapshot() -> None:
    data = {
        "lines": [
            _line(2, "B", 20, [{"source": "X", "source_name": "Nguồn X", "amount": "40"}]),
            _line(1, "A", 10, []),
            _line(3, "B", 20, [{"source": "Y", "source_name": "Nguồn Y", "amount": "50.5"}]),
            {**_line(4, "A", 10, []), "state": "merged"},
        ],
        "envelope": [
            {"source_code": "X", "source": "Nguồn X", "amount_mvnd": "100"},
            {"source_code": "X", "source": "Nguồn X", "amount_mvnd": "20"},
            {"source_code": "Z", "source": "Nguồn Z", "amount_mvnd": "5"},
        ],
    }
    tables = plan_tables(data)
    assert [(g.code, [x.data["number"] for x in g.lines]) for g in tables.groups] == [
        ("A", [1]),
        ("B", [2, 3]),
    ]
    assert (tables.sums.total, tables.sums.funded) == (D(300), D("90.5"))
    assert [(s.code, s.envelope, s.approved, s.remaining) for s in tables.sources] == [
        ("X", D(120), D(40), D(80)),
        ("Z", D(5), D(0), D(5)),
        ("Y", None, D("50.5"), None),
    ]
    assert tables.source_sums == (D(125), D("90.5"))
    assert month_text("2027-03") == "03/2027"
