"""Read replicas: the reads of read-only pages go to the `replica` database when one is
configured (``DATABASE_REPLICA_URL``, config/settings/base.py); everything else goes to
`default`.

A view (or a job) that only reads opts in with ``reading_replica()``, a context manager that is
also a decorator. Inside it, a query goes to the replica unless

- it is a write (``db_for_write`` is always `default`; so are ``select_for_update``,
  ``get_or_create`` and every other query Django makes "for write");
- it runs inside a transaction on `default` (``transaction.atomic``): what a transaction reads,
  it must read where it writes;
- its model is one of those that decide who the user is and what they may do (the session,
  users and their roles, permissions, the lockout records of django-axes): a role withdrawn a
  second ago must not still open a page because the replica lags behind; or a background job,
  which a page creates and then reads back.

Outside ``reading_replica()``, and always when no replica is configured, every query goes to
`default`: a page is moved to the replica on purpose, never by accident.

A replica lags behind the primary by a little. The pages sent to it read published versions
(portal, open data, which never change) or totals a reader accepts a few seconds old (roll-ups,
the province export). A view must not write and then read back what it wrote inside
``reading_replica()`` outside a transaction.

A streamed answer (``StreamingHttpResponse``) is produced after the view has returned: the
decorator wraps its chunks so that their queries go to the replica too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar, Token
from functools import wraps
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import FileResponse, StreamingHttpResponse

REPLICA = "replica"
"""The alias of the read replica in settings.DATABASES (present only when configured)."""

PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "accounts", "axes", "contenttypes", "admin", "jobs", "django_tasks_db"}
)
"""Who the user is and what they may do is always read from the primary; so are background jobs,
which a page starts and reads back at once."""

_reading: ContextVar[bool] = ContextVar("kehoach_reading_replica", default=False)

F = TypeVar("F", bound=Callable[..., Any])


def replica_configured() -> bool:
    return REPLICA in connections


def _in_transaction() -> bool:
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


def read_alias(model: type[Model] | None = None) -> str:
    """Where a read of ``model`` goes now."""
    if (
        _reading.get()
        and replica_configured()
        and not (model is not None and model._meta.app_label in PRIMARY_ONLY_APPS)
        and not _in_transaction()
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads inside ``reading_replica()`` to the replica, the rest to
    the primary; migrations only on the primary (the replica copies it)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_alias(model)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True  # the same data: a replica's row may point at a primary's
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


class reading_replica:
    """Send the reads of the block (or of the decorated view, including the chunks of a streamed
    answer) to the replica, when there is one."""

    def __init__(self) -> None:
        self._tokens: list[Token[bool]] = []

    def __enter__(self) -> reading_replica:
        self._tokens.append(_reading.set(True))
        return self

    def __exit__(self, *exc: object) -> None:
        _reading.reset(self._tokens.pop())

    def __call__(self, func: F) -> F:
        @wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with reading_replica():  # a fresh one per call: views run in many threads
                result = func(*args, **kwargs)
            if (
                isinstance(result, StreamingHttpResponse)
                and not isinstance(result, FileResponse)  # a file: read already, sendfile
                and not result.is_async
            ):
                chunks = cast(Iterable[Any], result.streaming_content)
                result.streaming_content = _on_replica(chunks)
            return result

        return inner  # type: ignore[return-value]


def _on_replica(chunks: Iterable[Any]) -> Iterator[Any]:
    """Each chunk of a streamed answer produced with its reads on the replica (the context of
    the view is gone by the time the server iterates)."""
    iterator = iter(chunks)
    while True:
        with reading_replica():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk
