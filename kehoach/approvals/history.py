"""A plan's history as people read it: status changes and data changes merged by time, newest
first, with fields named as the user knows them. Village plans and commune plans share it."""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from .models import AuditEntry, StatusChange


def field_label(model_label: str, name: str) -> str:
    """The field's name as the user knows it ("Tổng kinh phí" for total_cost_mvnd)."""
    try:
        field = apps.get_model(model_label)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name
    return str(getattr(field, "verbose_name", name)).capitalize()


def plan_history(
    plan_uid: uuid.UUID, status_labels: dict[str, Any], *, limit: int | None = None
) -> list[tuple[str, Any, Any]]:
    """``(kind, at, event)`` for every status change ("status") and data change ("data") of
    the plan; status events get ``from_label``/``to_label``, data events ``changes``."""
    changes = StatusChange.objects.filter(plan_uid=plan_uid).select_related("actor")
    entries = AuditEntry.objects.filter(plan_uid=plan_uid).select_related("actor")
    if limit is not None:
        changes = changes.order_by("-at", "-id")[:limit]
        entries = entries.order_by("-at", "-id")[:limit]
    events: list[tuple[str, Any, Any]] = sorted(
        [("status", c.at, c) for c in changes] + [("data", e.at, e) for e in entries],
        key=lambda event: (event[1], event[2].pk),
        reverse=True,
    )
    if limit is not None:
        events = events[:limit]
    for kind, _at, event in events:
        if kind == "status":
            event.from_label = status_labels.get(event.from_state, event.from_state)
            event.to_label = status_labels.get(event.to_state, event.to_state)
        else:
            event.changes = [
                (field_label(event.subject_label, name), before, after)
                for name, before, after in event.changed_fields()
            ]
    return events
