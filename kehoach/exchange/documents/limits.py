"""How many documents one user may have rendered (decision D44): at most
``KEHOACH_RENDERS_AT_ONCE`` renders in progress and ``KEHOACH_RENDERS_PER_MINUTE`` started in
the last minute. A PDF costs seconds of CPU; without a limit one reader asking again and again
(or a script) keeps the server's workers busy for everyone.

The counts are rows of ``DocumentRender`` in the database, so every process (gunicorn workers
share no memory) sees the same ones. The check and the new row are one transaction that first
locks the user's row (PostgreSQL; on SQLite the write transaction is the lock), so two requests
of one user at the same moment cannot both pass. A render whose process died (killed worker)
never finishes its row: after ``KEHOACH_RENDER_ABANDONED_AFTER`` seconds it no longer counts as
in progress.

A kept document (``kept.py``) is served without any of this: only rendering is limited.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import DocumentRender

WINDOW = datetime.timedelta(minutes=1)
BUSY_RETRY_SECONDS = 10
"""What a user whose render is in progress is told to wait: about as long as the longest
document (the commune plan PDF of a large commune) takes."""


def renders_per_minute() -> int:
    return max(1, int(settings.KEHOACH_RENDERS_PER_MINUTE))


def renders_at_once() -> int:
    return max(1, int(settings.KEHOACH_RENDERS_AT_ONCE))


def abandoned_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=max(1, int(settings.KEHOACH_RENDER_ABANDONED_AFTER)))


@dataclass
class RenderLimited(Exception):
    """Over the limit: how many seconds to wait, and why (``busy``: a render of the user is in
    progress; ``rate``: too many renders in the last minute)."""

    seconds: int
    reason: str

    def message(self) -> str:
        if self.reason == "busy":
            first = _("Another document you asked for is still being prepared.")
        else:
            count = renders_per_minute()
            first = ngettext(
                "You have asked for %(count)s document to be prepared in the last minute, the "
                "most the server prepares for one person.",
                "You have asked for %(count)s documents to be prepared in the last minute, the "
                "most the server prepares for one person.",
                count,
            ) % {"count": count}
        wait = ngettext(
            "Wait %(seconds)s second, then download this document again.",
            "Wait %(seconds)s seconds, then download this document again.",
            self.seconds,
        ) % {"seconds": self.seconds}
        return f"{first} {wait}"


def _seconds(delta: datetime.timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def render_start(*, user: Any, kind: str) -> DocumentRender:
    """Count a render for the user, or raise ``RenderLimited`` if it would go over a limit."""
    with transaction.atomic():
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values("pk"))
        now = timezone.now()
        oldest = now - max(WINDOW, abandoned_after())
        DocumentRender.objects.filter(user=user, started_at__lt=oldest).delete()
        rows = list(
            DocumentRender.objects.filter(user=user).values_list("started_at", "finished_at")
        )
        waits: list[tuple[int, str]] = []
        busy = sorted(
            started
            for started, finished in rows
            if finished is None and started > now - abandoned_after()
        )
        if len(busy) >= renders_at_once():
            given_up = busy[0] + abandoned_after() - now
            waits.append((min(BUSY_RETRY_SECONDS, _seconds(given_up)), "busy"))
        recent = sorted((started for started, _finished in rows if started > now - WINDOW))
        if len(recent) >= renders_per_minute():
            # the render that has to leave the window for one more to fit
            frees = recent[len(recent) - renders_per_minute()] + WINDOW - now
            waits.append((_seconds(frees), "rate"))
        if waits:
            seconds, reason = max(waits)
            raise RenderLimited(seconds=seconds, reason=reason)
        return DocumentRender.objects.create(user=user, kind=kind, started_at=now)


def render_finish(render: DocumentRender) -> None:
    DocumentRender.objects.filter(pk=render.pk).update(finished_at=timezone.now())


@contextmanager
def render_slot(*, user: Any, kind: str) -> Iterator[DocumentRender]:
    """Hold one of the user's renders while the body renders; ``RenderLimited`` on entry when
    the user is over a limit."""
    render = render_start(user=user, kind=kind)
    try:
        yield render
    finally:
        render_finish(render)
