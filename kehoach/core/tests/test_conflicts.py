"""ConcurrentWriteMiddleware: a lock or serialization failure, and only that, becomes the 409
conflict message (the races themselves run in tests/test_concurrency.py)."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from pathlib import Path
from typing import Any

import psycopg.errors
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, IntegrityError, OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory

from kehoach.core.conflicts import ConcurrentWriteMiddleware, is_write_conflict

MESSAGE = (
    "Người khác đã lưu dữ liệu này sau khi bạn mở. Thay đổi của bạn chưa được lưu; hãy tải "
    "lại trang để xem các giá trị đã lưu, rồi sửa lại."
)


def _wrapped(django_type: type[DatabaseError], driver_error: BaseException) -> DatabaseError:
    """The error as Django raises it: its own type, the driver's error as the cause."""
    try:
        raise django_type(*driver_error.args) from driver_error
    except DatabaseError as exc:
        return exc


def _sqlite_lock_error(tmp_path: Path) -> sqlite3.OperationalError:
    """A real "database is locked": a second writer while the first holds the lock."""
    path = tmp_path / "locked.sqlite3"
    first = sqlite3.connect(path, isolation_level=None)
    second = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        first.execute("CREATE TABLE t (x)")
        first.execute("BEGIN IMMEDIATE")
        first.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.OperationalError) as raised:
            second.execute("BEGIN IMMEDIATE")
        return raised.value
    finally:
        first.close()
        second.close()


def _sqlite_error(sql: str) -> sqlite3.Error:
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE t (x UNIQUE)")
        db.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.Error) as raised:
            db.execute(sql)
    return raised.value


def test_sqlite_lock_failures_are_conflicts(tmp_path: Path) -> None:
    locked = _sqlite_lock_error(tmp_path)
    assert str(locked) == "database is locked"
    assert is_write_conflict(_wrapped(OperationalError, locked))
    # Without the driver's error (raised by other code), the message alone says it.
    assert is_write_conflict(OperationalError("database is locked"))
    assert is_write_conflict(OperationalError("database table is locked: plans_proposalline"))


def test_other_sqlite_failures_are_not(tmp_path: Path) -> None:
    no_table = _sqlite_error("SELECT * FROM missing")
    duplicate = _sqlite_error("INSERT INTO t VALUES (1)")
    assert not is_write_conflict(_wrapped(OperationalError, no_table))
    assert not is_write_conflict(_wrapped(IntegrityError, duplicate))
    assert not is_write_conflict(OperationalError("disk I/O error"))
    assert not is_write_conflict(ValueError("database is locked"))
    # The driver's error code wins over a message that looks like a lock.
    try:
        raise OperationalError("database is locked") from no_table
    except OperationalError as misleading:
        assert not is_write_conflict(misleading)


@pytest.mark.parametrize(
    "driver_error",
    [
        psycopg.errors.SerializationFailure("could not serialize access"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.LockNotAvailable("could not obtain lock on row"),
    ],
)
def test_postgresql_lock_and_serialization_failures_are_conflicts(driver_error: Any) -> None:
    assert is_write_conflict(_wrapped(OperationalError, driver_error))
    assert is_write_conflict(_wrapped(DatabaseError, driver_error))


@pytest.mark.parametrize(
    ("django_type", "driver_error"),
    [
        (IntegrityError, psycopg.errors.UniqueViolation("duplicate key")),
        (OperationalError, psycopg.errors.QueryCanceled("canceling statement due to timeout")),
        (OperationalError, psycopg.errors.AdminShutdown("terminating connection")),
        # The words of an SQLite lock in a PostgreSQL error do not make it one.
        (OperationalError, psycopg.errors.QueryCanceled("database is locked")),
    ],
)
def test_other_postgresql_failures_are_not(
    django_type: type[DatabaseError], driver_error: Any
) -> None:
    assert not is_write_conflict(_wrapped(django_type, driver_error))


def _middleware() -> ConcurrentWriteMiddleware:
    return ConcurrentWriteMiddleware(lambda request: HttpResponse("never called"))


@pytest.mark.django_db
def test_a_lock_failure_becomes_a_409_page_with_a_way_back(
    rf: RequestFactory, caplog: pytest.LogCaptureFixture
) -> None:
    request = rf.post(
        "/plans/x/lines/y/",
        HTTP_REFERER="http://testserver/plans/x/lines/y/",
    )
    request.user = AnonymousUser()

    with caplog.at_level(logging.WARNING, logger="kehoach.core.conflicts"):
        response = _middleware().process_exception(request, OperationalError("database is locked"))

    assert response is not None and response.status_code == 409
    page = response.content.decode()
    assert "<!doctype html>" in page and "Đã được người khác thay đổi" in page
    assert MESSAGE in page
    assert '<a class="btn" href="/plans/x/lines/y/">Tải lại trang</a>' in page
    assert "HX-Retarget" not in response
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "WARNING",
            "Concurrent write refused (409) on POST /plans/x/lines/y/: "
            "OperationalError: database is locked",
        )
    ]


@pytest.mark.django_db
def test_the_way_back_never_leads_to_another_site(rf: RequestFactory) -> None:
    request = rf.post("/imports/x/confirm/", HTTP_REFERER="https://evil.example/phish")
    request.user = AnonymousUser()
    response = _middleware().process_exception(request, OperationalError("database is locked"))
    assert response is not None
    assert "evil.example" not in response.content.decode()
    assert '<a class="btn" href="/">' in response.content.decode()


@pytest.mark.django_db
def test_an_htmx_request_gets_a_fragment_put_at_the_top_of_the_page(rf: RequestFactory) -> None:
    request = rf.post(
        "/plans/x/lines/y/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/plans/x/",
        HTTP_REFERER="http://testserver/other/",
    )
    request.user = AnonymousUser()
    cause = psycopg.errors.SerializationFailure("could not serialize access")

    response = _middleware().process_exception(request, _wrapped(OperationalError, cause))

    assert response is not None and response.status_code == 409
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reswap"] == "afterbegin show:top"
    assert response.content.decode() == (
        f'<p class="msg error write-conflict" role="alert">{MESSAGE} '
        '<a href="/plans/x/">Tải lại trang</a></p>\n'
    )


def test_any_other_error_is_left_to_django(rf: RequestFactory) -> None:
    request = rf.post("/")
    for error in (
        OperationalError("no such table: plans_proposalline"),
        IntegrityError("UNIQUE constraint failed"),
        ZeroDivisionError(),
    ):
        assert _middleware().process_exception(request, error) is None


@pytest.mark.django_db
def test_pages_let_htmx_show_a_409(client: Client) -> None:
    """htmx swaps no 4xx by default: base.html's htmx-config makes 409 the exception, ahead of
    the rule that drops every other 4xx/5xx."""
    page = client.get("/accounts/login/").content.decode()
    found = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert found is not None
    rules = json.loads(found.group(1))["responseHandling"]
    codes = [rule["code"] for rule in rules]
    assert rules[codes.index("409")]["swap"] is True
    assert codes.index("409") < codes.index("[45]..")
    assert rules[codes.index("[23]..")]["swap"] is True
    assert page.count('name="htmx-config"') == 1  # htmx reads the first one only
