"""Through which door a write came: the pages (and the commands) or the API. The API runs each
request inside ``written_via(Via.API)``; the history rows written meanwhile keep it
(``approvals.models``: ``via``), so a plan's history says which changes came from another
system. Nothing else reads it: a rule never depends on the door."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models
from django.utils.translation import gettext_lazy as _


class Via(models.TextChoices):
    PAGE = "", _("page")
    API = "api", _("API")


_VIA: contextvars.ContextVar[str] = contextvars.ContextVar("kehoach_write_via", default="")


def current_via() -> str:
    """The door of the writes made now ("" for the pages and commands)."""
    return _VIA.get()


@contextmanager
def written_via(via: str) -> Iterator[None]:
    """Every history row written inside the block says it came through ``via``."""
    token = _VIA.set(via)
    try:
        yield
    finally:
        _VIA.reset(token)
