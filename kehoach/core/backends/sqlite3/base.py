"""Django's SQLite backend, with the operations of ``operations.py``.

Settings point ``ENGINE`` here when ``DATABASE_URL`` is SQLite; everything else (write
transactions as ``BEGIN IMMEDIATE``, the busy timeout) is Django's own, set through ``OPTIONS``.
"""

from __future__ import annotations

from django.db.backends.sqlite3 import base

from .operations import DatabaseOperations


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
