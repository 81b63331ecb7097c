"""A plan's history as people read it: status changes and data changes merged by time, newest
first, with fields named as the user knows them and who acted as kept on each row (the name at
the time, even if the account was later renamed or deactivated). Village plans and commune
plans share it."""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, StatusChange

EXTRA_LABELS: dict[str, Any] = {
    "funding": _("Funding by envelope line"),
    "reason": _("Reason"),
}
"""Keys of an audit row that are not fields of the model."""


def _field(model_label: str, name: str) -> Any:
    try:
        return apps.get_model(model_label)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def field_label(model_label: str, name: str) -> str:
    """The field's name as the user knows it ("Tổng kinh phí" for total_cost_mvnd)."""
    field = _field(model_label, name)
    if field is None:
        return str(EXTRA_LABELS.get(name, name))
    return str(getattr(field, "verbose_name", name)).capitalize()


def _choice_value(model_label: str, name: str, value: Any) -> Any:
    """A stored code of a field with choices as its label ("funded" → "Có vốn")."""
    field = _field(model_label, name)
    choices = dict(getattr(field, "flatchoices", None) or [])
    if isinstance(value, str) and value in choices and value != "":
        return choices[value]
    return display_value(value)


def display_value(value: Any) -> Any:
    """A stored before/after value as a person reads it: dates as dd/mm/yyyy, times as
    hh:mm dd/mm/yyyy, amounts by envelope line as "1. NTP26: 500; 2. NS-X: 100"; None
    when empty (the page shows "—")."""
    if value is None or value == "" or value == {} or value == []:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(f"{key}: {display_value(item) or '—'}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(display_value(item) or "—") for item in value)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        if "T" in value:
            moment = parse_datetime(value)
            if moment is not None:
                if timezone.is_aware(moment):
                    moment = timezone.localtime(moment)
                return moment.strftime("%H:%M %d/%m/%Y")
        elif len(value) == 10:
            day = parse_date(value)
            if day is not None:
                return day.strftime("%d/%m/%Y")
    return value


def plan_history(
    plan_uid: uuid.UUID, status_labels: dict[str, Any], *, limit: int | None = None
) -> list[tuple[str, Any, Any]]:
    """``(kind, at, event)`` for every status change ("status") and data change ("data") of
    the plan; status events get ``from_label``/``to_label``, data events ``changes``; every
    event has ``who`` (kept on the row, no query to the users)."""
    changes = StatusChange.objects.filter(plan_uid=plan_uid)
    entries = AuditEntry.objects.filter(plan_uid=plan_uid)
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
                (
                    field_label(event.subject_label, name),
                    _choice_value(event.subject_label, name, before),
                    _choice_value(event.subject_label, name, after),
                )
                for name, before, after in event.changed_fields()
            ]
    return events
