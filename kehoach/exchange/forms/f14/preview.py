"""F14: what a changed row becomes in the preview."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.numbers import format_number_vi
from kehoach.monitoring.choices import ProgressStatus
from kehoach.monitoring.models import ProgressReport
from kehoach.monitoring.services.progress import field_label
from kehoach.synthesis.models import EnvelopeLine
from kehoach.synthesis.services.common import money_text

from ..base import (
    Change,
)
from .common import NUMBERS, REPORTED, TEXTS, _money_key, _report_values, _state


def _header_of(name: str, envelope: list[EnvelopeLine]) -> str:
    for env in envelope:
        if name == _money_key(env):
            return f"{env.number}. {env.source.code}"
    if name in REPORTED:
        return field_label(name)
    return ""


def _number(value: Any) -> str:
    text = format_number_vi(Decimal(value or 0), 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _shown(name: str, value: Any, work: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if name == "status":
        return str(ProgressStatus(value).label)
    if name == "quantity_done":
        return f"{_number(value)} {work.unit.name}"
    if name.endswith("_mvnd") or name.startswith("disbursed_"):
        return money_text(Decimal(value))
    if isinstance(value, Decimal):
        return _number(value)
    return str(value)


def _change(
    work: Any,
    current: ProgressReport | None,
    values: dict[str, Any],
    envelope: list[EnvelopeLine],
    number: int,
) -> Change:
    """What the new report changes from the latest: status, quantity, money, the rest."""
    old = _state(_report_values(current, envelope), envelope)
    new = _state(values, envelope)
    if current is None:
        old = dict.fromkeys(old)
    order = [
        "reported_on",
        "status",
        "quantity_done",
        *(_money_key(e) for e in envelope),
        *[n for n in NUMBERS if n != "quantity_done"],
        "actual_start",
        "actual_finish",
        *TEXTS,
    ]
    fields = []
    for name in order:
        a, b = old.get(name), new.get(name)
        if current is not None and a == b:
            continue
        if current is None and (b is None or b == "" or (isinstance(b, Decimal) and not b)):
            continue
        label = _header_of(name, envelope)
        if name.startswith("disbursed_"):
            label = _("Disbursed from %(source)s") % {"source": label}
        fields.append((label, _shown(name, a, work), _shown(name, b, work)))
    return Change("add", number, f"{work.number}. {work.activity}", fields)
