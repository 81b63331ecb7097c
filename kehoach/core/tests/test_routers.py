"""The read-replica router (kehoach/core/routers.py).

Without a replica (the suite's settings) every query goes to `default`, inside
``reading_replica()`` too. With one, the cases marked ``replica`` run under
config.settings.test_replica, where `replica` is Django's test mirror of `default` (a second
connection to the same test database): the suite starts them in a second pytest
(``test_the_replica_cases_pass_under_the_replica_settings``). They are transactional tests: what
`default` commits, the replica's connection sees, as a real replica does (a little later).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehoach.accounts.models import RoleAssignment, User
from kehoach.catalog.models import Sector
from kehoach.core.routers import REPLICA, ReplicaRouter, read_alias, reading_replica

HAS_REPLICA = REPLICA in settings.DATABASES
replica_only = pytest.mark.skipif(not HAS_REPLICA, reason="runs under config.settings.test_replica")
BOTH = [DEFAULT_DB_ALIAS, REPLICA]


def _sector(code: str) -> Sector:
    return Sector.objects.create(code=code, name=f"Lĩnh vực {code}", sort_order=99)


# --- without a replica ---------------------------------------------------------------------------


@pytest.mark.skipif(HAS_REPLICA, reason="the suite's settings have no replica")
@pytest.mark.django_db
def test_without_a_replica_every_read_goes_to_default() -> None:
    router = ReplicaRouter()
    with reading_replica():
        assert read_alias(Sector) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Sector) == DEFAULT_DB_ALIAS
        assert Sector.objects.all().db == DEFAULT_DB_ALIAS
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as queries:
            list(Sector.objects.all())
    assert len(queries) == 1


def test_the_router_lets_no_migration_reach_the_replica() -> None:
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "catalog") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "catalog") is None


def test_the_decorator_passes_the_answer_through_and_leaves_the_block() -> None:
    seen: list[bool] = []

    @reading_replica()
    def view(request: HttpRequest) -> HttpResponse:
        from kehoach.core import routers

        seen.append(routers._reading.get())
        return HttpResponse("ok")

    from kehoach.core import routers

    assert view(HttpRequest()).content == b"ok"
    assert view(HttpRequest()).content == b"ok"  # the same decorator, called again
    assert seen == [True, True]
    assert routers._reading.get() is False


def test_the_chunks_of_a_streamed_answer_are_made_inside_the_block() -> None:
    from kehoach.core import routers

    def chunks() -> Iterator[bytes]:
        yield b"a" if routers._reading.get() else b"-"
        yield b"b" if routers._reading.get() else b"-"

    @reading_replica()
    def streamed(request: HttpRequest) -> StreamingHttpResponse:
        return StreamingHttpResponse(chunks())

    response = streamed(HttpRequest())
    assert routers._reading.get() is False  # between the view and the server's iteration
    assert b"".join(response.streaming_content) == b"ab"  # type: ignore[arg-type]
    assert routers._reading.get() is False
    unwrapped = StreamingHttpResponse(chunks())
    assert b"".join(unwrapped.streaming_content) == b"--"  # type: ignore[arg-type]


# --- with a replica (Django's test mirror) -------------------------------------------------------


@replica_only
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_read_through_the_replica_sees_what_default_committed() -> None:
    sector = _sector("RPL1")
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
        reading_replica(),
    ):
        found = Sector.objects.filter(code="RPL1")
        assert found.db == REPLICA
        assert [x.pk for x in found] == [sector.pk]
    assert len(on_replica) == 1
    assert "RPL1" in on_replica[0]["sql"]
    assert len(on_default) == 0


@replica_only
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_outside_the_block_reads_go_to_default() -> None:
    _sector("RPL2")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert Sector.objects.filter(code="RPL2").db == DEFAULT_DB_ALIAS
        assert Sector.objects.filter(code="RPL2").count() == 1
    assert len(on_replica) == 0


@replica_only
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_write_never_goes_to_the_replica() -> None:
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, reading_replica():
        sector = _sector("RPL3")
        sector.name = "Đổi tên"
        sector.save()
        Sector.objects.filter(pk=sector.pk).update(sort_order=98)
        Sector.objects.get_or_create(code="RPL4", defaults={"name": "Mới", "sort_order": 97})
        Sector.objects.bulk_create([Sector(code="RPL6", name="Thêm", sort_order=96)])
    assert on_replica.captured_queries == []
    assert Sector.objects.get(code="RPL3").sort_order == 98


@replica_only
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_inside_a_transaction_go_to_default() -> None:
    _sector("RPL5")
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        reading_replica(),
        transaction.atomic(),
    ):
        assert Sector.objects.filter(code="RPL5").db == DEFAULT_DB_ALIAS
        assert Sector.objects.select_for_update().filter(code="RPL5").count() == 1
        assert Sector.objects.filter(code="RPL5").count() == 1
    assert on_replica.captured_queries == []


@replica_only
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_session_users_and_their_roles_are_read_from_default() -> None:
    with reading_replica():
        assert read_alias(Sector) == REPLICA
        for model in (Session, User, RoleAssignment):
            assert model.objects.all().db == DEFAULT_DB_ALIAS, model


def _queries_of(client: Client, url: str) -> tuple[Any, list[str], list[str]]:
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
    ):
        response: Any = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    response.body = body
    return response, [q["sql"] for q in on_replica], [q["sql"] for q in on_default]


@replica_only
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_portal_roll_up_and_open_data_read_from_the_replica(client: Client) -> None:
    from kehoach.monitoring.tests.factories import followed_plan
    from kehoach.synthesis.tests.factories import province_officer

    world = followed_plan()
    commune = world["commune"]
    for url in ["/cong-khai/", "/cong-khai/tinh/44/", f"/cong-khai/xa/{commune.code}/"]:
        response, on_replica, on_default = _queries_of(client, url)
        assert response.status_code == 200, url
        assert on_replica, url
        assert on_default == [], url  # anonymous: no session, no user
    response, on_replica, on_default = _queries_of(
        client, f"/cong-khai/du-lieu/{commune.code}/2027/ke-hoach.csv"
    )
    assert response.status_code == 200
    assert "Bê tông hóa đường xóm Trên" in response.body.decode()
    assert on_replica  # the unit and its published years; the file is built (written) on default

    client.force_login(province_officer(commune.parent))
    response, on_replica, on_default = _queries_of(client, "/units/44/rollup/2027/")
    assert response.status_code == 200
    assert commune.name in response.content.decode()
    # the roll-up reads the summaries (lines, money, the villages' priority-1 proposals)
    assert any("synthesis_linesummary" in sql for sql in on_replica)
    assert any("synthesis_plansummary" in sql for sql in on_replica)
    assert on_default  # the session, the user and their roles
    assert not any("synthesis_" in sql for sql in on_default)


@replica_only
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_page_without_the_decorator_reads_from_default(client: Client) -> None:
    from kehoach.monitoring.tests.factories import followed_plan

    world = followed_plan()
    client.force_login(world["planner"])
    response, on_replica, on_default = _queries_of(client, "/")
    assert response.status_code == 200
    assert on_replica == []
    assert on_default


# --- the suite starts the replica cases ----------------------------------------------------------

REPLICA_CASES = 7


@pytest.mark.skipif(HAS_REPLICA, reason="this is the run it would start")
def test_the_replica_cases_pass_under_the_replica_settings() -> None:
    root = Path(settings.BASE_DIR)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "--ds=config.settings.test_replica",
            str(Path(__file__).relative_to(root)),
        ],
        cwd=root,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed is not None, done.stdout[-2000:]
    # the replica cases, plus the ones that hold with any settings
    assert int(passed.group(1)) == REPLICA_CASES + 3, done.stdout[-2000:]
