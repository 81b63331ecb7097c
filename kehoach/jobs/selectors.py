"""Reads of background jobs: a person sees only the jobs they asked for (staff see all)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kehoach.core.errors import NotFoundError

from .choices import FINISHED
from .models import Job

RECENT = 30


def jobs_visible_to(*, user: Any) -> QuerySet[Job]:
    if not user.is_authenticated:
        return Job.objects.none()
    if user.is_staff:
        return Job.objects.all()
    return Job.objects.filter(actor=user)


def jobs_recent_of(*, user: Any, limit: int = RECENT) -> list[Job]:
    """The person's own last jobs ("Công việc của tôi"), newest first, in one query."""
    if not user.is_authenticated:
        return []
    return list(
        Job.objects.filter(actor=user).select_related("unit").order_by("-created_at")[:limit]
    )


def job_get_for_user(*, user: Any, uid: Any) -> Job:
    """A job of the user (any job for staff); a missing one and another person's are the same
    ``NotFoundError`` (404)."""
    job = jobs_visible_to(user=user).select_related("unit").filter(uid=uid).first()
    if job is None:
        raise NotFoundError()
    return job


def job_unfinished_of(*, user: Any, task: str, params: dict[str, Any]) -> Job | None:
    """The person's own job of ``task`` with exactly these ``params`` that is still waiting or
    running, or None: a page that starts heavy work sends the person to it instead of starting
    the same work twice (a second click, a second tab). Lock what the job is about first when
    two requests at once must not both start one (``exchange.tasks.import_confirm_start``)."""
    if not getattr(user, "pk", None):
        return None
    return (
        Job.objects.filter(actor_id=user.pk, task=task, params=params)
        .exclude(status__in=FINISHED)
        .order_by("created_at", "pk")
        .first()
    )
