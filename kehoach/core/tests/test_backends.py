"""kehoach's SQLite backend: reading a stored decimal never raises; writes begin IMMEDIATE."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum

from kehoach.core.backends.sqlite3.operations import stored_decimal
from kehoach.plans.models import ProposalLine
from kehoach.plans.tests import factories as f

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's numeric refuses these values"
)


@contextmanager
def _checks_off() -> Iterator[None]:
    """Write as an older release or another program could have: without check constraints."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def _stored_line(**raw: str) -> ProposalLine:
    """A line whose columns ``raw`` (SQL literals) were written with raw SQL, past the ORM."""
    line = f.line(f.village_plan())
    table = ProposalLine._meta.db_table
    assignments = ", ".join(f'"{column}" = {literal}' for column, literal in raw.items())
    with _checks_off(), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET {assignments} WHERE id = %s', [line.pk])
    return line


@pytest.mark.django_db
def test_settings_use_the_backend_with_immediate_writes_and_a_busy_timeout() -> None:
    db = settings.DATABASES["default"]
    if connection.vendor != "sqlite":
        assert db["ENGINE"] == "django.db.backends.postgresql"
        return
    assert db["ENGINE"] == "kehoach.core.backends.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert 5 <= db["OPTIONS"]["timeout"] <= 30
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == db["OPTIONS"]["timeout"] * 1000


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_an_atomic_block_holds_the_write_lock_from_its_start() -> None:
    """BEGIN IMMEDIATE: a transaction that has only read already keeps other writers out, so
    it never has to upgrade to a writer later (the upgrade fails at once, without waiting)."""
    with transaction.atomic():
        ProposalLine.objects.count()
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # free again once the block has ended
        other.rollback()
    finally:
        other.close()


@sqlite_only
@pytest.mark.django_db
def test_a_number_too_large_for_its_column_is_read_exactly() -> None:
    # quantity is max_digits=14, decimal_places=3: 1e20 cannot be quantized to 0.001.
    line = _stored_line(quantity="1e20", contribution_labour_days="1e300")

    stored = ProposalLine.objects.get(pk=line.pk)

    assert stored.quantity == Decimal("1E+20")
    assert stored.contribution_labour_days == Decimal("1E+300")
    assert ProposalLine.objects.filter(pk=line.pk).values_list("quantity", flat=True)[0] == Decimal(
        "1E+20"
    )


@sqlite_only
@pytest.mark.django_db
def test_a_value_that_fits_is_still_quantized_to_the_columns_places() -> None:
    line = _stored_line(quantity="1.2", total_cost_mvnd="0.1")
    stored = ProposalLine.objects.get(pk=line.pk)
    assert str(stored.quantity) == "1.200"
    assert str(stored.total_cost_mvnd) == "0.100"


@sqlite_only
@pytest.mark.django_db
def test_non_finite_and_unreadable_values_come_back_as_nan_or_infinity() -> None:
    # 9e999 overflows to an infinite REAL; NaN and junk stay text in a NUMERIC column.
    line = _stored_line(
        quantity="9e999",
        total_cost_mvnd="-9e999",
        contribution_labour_days="'NaN'",
        contribution_land_m2="'không biết'",
        external_support_mvnd="'sNaN'",
    )

    stored = ProposalLine.objects.get(pk=line.pk)

    assert stored.quantity == Decimal("Infinity")
    assert stored.total_cost_mvnd == Decimal("-Infinity")
    assert stored.contribution_labour_days.is_qnan()
    assert stored.contribution_land_m2.is_qnan()
    assert stored.external_support_mvnd.is_qnan()  # a signalling NaN would raise when compared
    total = ProposalLine.objects.filter(pk=line.pk).aggregate(total=Sum("quantity"))["total"]
    assert total == Decimal("Infinity")


@sqlite_only
@pytest.mark.django_db
def test_django_s_own_converter_raises_on_the_same_row() -> None:
    """The defect this backend removes: without it, every read of the row raises."""
    from django.db.backends.sqlite3.operations import DatabaseOperations

    line = _stored_line(quantity="1e20")
    field = ProposalLine._meta.get_field("quantity")
    converter = DatabaseOperations(connection).get_decimalfield_converter(
        field.get_col(ProposalLine._meta.db_table)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT quantity FROM "{ProposalLine._meta.db_table}" WHERE id = %s', [line.pk]
        )
        value = cursor.fetchone()[0]
    with pytest.raises(Exception) as raised:
        converter(value, field.get_col(ProposalLine._meta.db_table), connection)
    assert raised.type.__name__ == "InvalidOperation"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, "12"),
        (0.1, "0.100000000000000"),
        (1e20, "1.00000000000000E+20"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (float("nan"), "NaN"),
        ("12.50", "12.50"),
        (" 7 ", "7"),
        ("NaN", "NaN"),
        ("sNaN", "NaN"),
        ("abc", "NaN"),
        ("", "NaN"),
        (b"3.5", "3.5"),
    ],
)
def test_stored_decimal_reads_what_sqlite_can_hold(value: Any, expected: str) -> None:
    assert str(stored_decimal(value)) == expected


def test_the_driver_hands_over_the_values_these_tests_store() -> None:
    """What SQLite itself returns for the literals used above (no Django in between)."""
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE t (d decimal)")
        db.execute("INSERT INTO t VALUES (1e20), (9e999), ('NaN'), ('không biết')")
        values = [row[0] for row in db.execute("SELECT d FROM t ORDER BY rowid")]
    assert values == [1e20, float("inf"), "NaN", "không biết"]
