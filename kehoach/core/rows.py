"""Inserting many rows of database-ready values without model instances (issue 14: the writers'
fast path for a workbook's thousands of new lines and their history rows).

The values must already be what the database driver takes for each column (a model field's
``get_db_prep_save`` gives it for a constant; a kept value may be stored in that form). SQLite
runs one prepared statement over every row (``executemany`` is a loop in C there); PostgreSQL
takes them by ``COPY … FROM STDIN`` (in text form: a decimal, a date or JSON given as text is
read as the column's type), within the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper


def insert_rows(
    connection: BaseDatabaseWrapper,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """``INSERT INTO table (columns)`` every row of ``rows`` (each a value per column)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)
