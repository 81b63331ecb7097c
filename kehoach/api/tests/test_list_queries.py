"""Query counts bounded on every list endpoint and independent of page size (issue 17).

Every GET list operation (one with a ``cursor`` parameter) is read from the schema
drf-spectacular generates, as the access matrix does, so a new list endpoint is covered at
once. On a world where every list has more than a page of 5 items, with what its items refer
to (catalogue entries, origins, aliases, village plans, versions), a page of 5 and a page of 50
must take the same number of queries, at most ``BOUND``. A list the world cannot fill (or one
whose address names an object the test does not know) fails with a message saying what to
add to ``build_world`` or ``OBJECTS``.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from functools import cache as memoize
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import Version
from kehoach.catalog.models import Sector
from kehoach.catalog.services import catalog_load_defaults
from kehoach.catalog.tests.factories import ProcessProfileFactory
from kehoach.geo.tests.factories import CommuneFactory, hai_lang, quang_tri
from kehoach.monitoring.models import ProgressReport
from kehoach.monitoring.tests.factories import report_data
from kehoach.plans.models import Problem, ProposalLine, SwotEntry, VillagePlan
from kehoach.portal.tests.factories import plan_in_state
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 50
BOUND = 12
"""The most queries a page of any list may take (authentication, the throttle, the scope,
the page and what its items refer to)."""

MANY = 12  # villages with plans in Hải Lăng, lines of the fullest village plan
PUBLISHED = 6  # communes with a published plan


@dataclasses.dataclass
class World:
    village_plan: VillagePlan  # the one with the most lines
    commune_plan: CommunePlan  # the one with the most lines (and villages)
    published_plan: CommunePlan  # the one with the most versions
    work: CommuneLine  # a line of it with the most progress reports


def build_world() -> World:
    catalog_load_defaults()  # sectors, sources with their aliases, units of measure
    for n in range(MANY):  # h17l: process profiles besides the default one
        ProcessProfileFactory.create(code=f"QT-{n}")
    province, commune = quang_tri(), hai_lang()
    villages = sf.villages(commune, [f"Thôn Số {n}" for n in range(1, MANY + 1)])
    full = sf.submitted_plan(
        villages[0],
        [sf.money_line("100", "10", activity=f"Việc {n}") for n in range(MANY)],
    )
    for village in villages[1:]:
        sf.submitted_plan(village, [sf.money_line("50", "5", activity=f"Việc của {village}")])
    sectors = list(Sector.objects.order_by("code")[:MANY])
    assert len(sectors) == MANY
    SwotEntry.objects.bulk_create(  # F3, one per sector, and F4 problems of the full plan
        SwotEntry(plan=full, sector=sector, strengths="Đất tốt") for sector in sectors
    )
    Problem.objects.bulk_create(
        Problem(plan=full, sector=sector, problem=f"Khó khăn {n}")
        for n, sector in enumerate(sectors)
    )
    round_ = sf.round_of(commune)
    commune_plan_synthesise(actor=sf.planner(commune), round_=round_)
    for n in range(MANY):
        sf.envelope_line(round_, sf.commune_budget(), str(100 + n))
    published = []
    for n in range(PUBLISHED):
        other = CommuneFactory.create(parent=province, name=f"Xã Công Bố {n}")
        published.append(plan_in_state(other, "published", village_names=[f"Thôn Công Bố {n}"]))
    plan = published[0]["plan"]
    version = Version.objects.get(plan_uid=plan.uid)
    for number in range(2, MANY + 1):  # the versions of amendments, as approval writes them
        version.pk = None
        version.number = number
        version.is_amendment = True
        version.save()
    work = published[0]["line"]
    for n in range(MANY):  # a work's reports, the last one the latest
        ProgressReport.objects.create(
            line=work,
            reporter=published[0]["planner"],
            reporter_name="Người báo cáo",
            is_latest=n == MANY - 1,
            **report_data(reported_on=datetime.date(2026, 11, 1) + datetime.timedelta(days=n)),
        )
    return World(
        village_plan=full,
        commune_plan=sf.commune_plan_for(round_),
        published_plan=plan,
        work=work,
    )


OBJECTS: dict[str, Callable[[World], dict[str, str]]] = {
    "/api/v1/commune-plans/{uid}/versions/": lambda w: {"uid": str(w.published_plan.uid)},
    "/api/v1/commune-plans/{uid}/lines/{line_uid}/progress-reports/": lambda w: {
        "uid": str(w.published_plan.uid),
        "line_uid": str(w.work.uid),
    },
    "village-plans": lambda w: {"uid": str(w.village_plan.uid)},
    "commune-plans": lambda w: {"uid": str(w.commune_plan.uid)},
    "rounds": lambda w: {"uid": str(w.commune_plan.round.uid)},
}
"""The object whose items a list below it shows (its path parameters), by its address or else
by the first segment of its address."""


@memoize
def list_operations() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(path, path parameters) of every GET operation with a ``cursor`` parameter."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        params = [*item.get("parameters", []), *operation.get("parameters", [])]
        if not any(p["in"] == "query" and p["name"] == "cursor" for p in params):
            continue
        found.append((path, tuple(p["name"] for p in params if p["in"] == "path")))
    return tuple(sorted(found))


def test_the_schema_has_the_lists_this_test_is_about() -> None:
    paths = {path for path, _params in list_operations()}
    assert {
        "/api/v1/units/",
        "/api/v1/catalog/sectors/",
        "/api/v1/village-plans/",
        "/api/v1/village-plans/{uid}/lines/",
        "/api/v1/commune-plans/",
        "/api/v1/commune-plans/{uid}/lines/",
    } <= paths
    assert "/api/v1/units/{code}/" not in paths  # one object is no list


def address(path: str, params: tuple[str, ...], world: World) -> str:
    if not params:
        return path
    found = OBJECTS.get(path) or OBJECTS.get(path.removeprefix("/api/v1/").split("/")[0])
    values = found(world) if found is not None else {}
    assert set(values) == set(params), (
        f"{path}: add to OBJECTS which object of the world this list is below ({params})"
    )
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def counted(client: APIClient, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(queries.captured_queries), response.json()


def test_every_list_takes_as_many_queries_for_5_items_as_for_50() -> None:
    world = build_world()
    national = user_with_role(Role.NATIONAL_OFFICER, None)
    secret = token_create(user=national, name="Đếm truy vấn", scope="read", expires_at=None)[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.get("/api/v1/me/")  # the token's last use written once, before anything is counted
    problems = []
    checked = 0
    for path, params in list_operations():
        cache.clear()  # fresh throttle counts; nothing of one list kept for the next
        url = address(path, params, world)
        client.get(f"{url}?page_size={SMALL}")  # anything read once per process, read now
        small, small_body = counted(client, f"{url}?page_size={SMALL}")
        large, large_body = counted(client, f"{url}?page_size={LARGE}")
        if len(small_body["results"]) < SMALL or len(large_body["results"]) <= SMALL:
            problems.append(
                f"{path}: the world has {len(large_body['results'])} items for it; add to "
                f"build_world until it has more than {SMALL}"
            )
            continue
        checked += 1
        if small != large:
            problems.append(f"{path}: {small} queries for {SMALL} items, {large} for more")
        if large > BOUND:
            problems.append(f"{path}: {large} queries (at most {BOUND})")
        # the next page is bounded alike
        cursor, _body = counted(client, small_body["next"])
        if cursor != small:
            problems.append(f"{path}: {cursor} queries for the next page, {small} for the first")
    assert not problems, "\n".join(problems)
    assert checked == len(list_operations())


def test_a_list_with_a_query_per_item_would_be_caught() -> None:
    """The comparison above can fail: reading each line's origin one by one differs between a
    page of 5 and a page of 50."""
    world = build_world()
    lines = ProposalLine.objects.filter(plan=world.village_plan).order_by("number")

    def per_item(size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            for line in lines[:size]:
                _ = line.sector.code  # not selected with the line: one query each
        return len(queries.captured_queries)

    assert per_item(SMALL) != per_item(LARGE)
