"""F14: what its modules share — the columns, the statuses, the envelope lines that fund the
works, a report's values for comparing, who may apply."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.monitoring.choices import ProgressStatus
from kehoach.monitoring.models import ProgressReport
from kehoach.monitoring.services.common import require_monitor
from kehoach.synthesis.models import CommunePlan, EnvelopeLine

from ... import choices as lists
from ...layouts import Column, FormLayout
from ..base import (
    source_columns,
)

FORM = "F14"
DATES = ["reported_on", "actual_start", "actual_finish"]
NUMBERS = [
    "quantity_done",
    "contribution_cash_mvnd",
    "contribution_labour_days",
    "contribution_labour_mvnd",
    "contribution_materials_mvnd",
    "contribution_land_m2",
]
TEXTS = ["status_reason", "problems", "excess_reason"]
REPORTED = [*DATES, *NUMBERS, "status", *TEXTS]
"""The report's own values in the workbook (the money by source apart)."""


def may_apply(actor: Any, plan: CommunePlan) -> None:
    """Reporting progress: the commune's planner, on a published plan that is not closed."""
    require_monitor(actor, plan, Action.REPORT_PROGRESS)


STATUS_ALIASES_FILE = Path(__file__).resolve().parent / "statuses.json"


@cache
def status_aliases() -> dict[str, tuple[str, ...]]:
    """``statuses.json``: status code → the other ways officers write it ("Đang thi công",
    "Chưa triển khai"), folded."""
    data = json.loads(STATUS_ALIASES_FILE.read_text(encoding="utf-8"))
    return {
        code: tuple(k for k in (lists.key_of(t) for t in texts) if k)
        for code, texts in data.items()
        if not code.startswith("_")
    }


def _statuses() -> lists.Choices:
    """The statuses with their Vietnamese names (the workbook is Vietnamese); the English
    names, the codes and the ways officers write them (``statuses.json``, matched after every
    status's own names) are read too."""
    with translation.override("vi"):
        names = [(s.value, str(s.label)) for s in ProgressStatus]
    with translation.override("en"):
        english = {s.value: str(s.label) for s in ProgressStatus}
    aliases = status_aliases()
    entries = []
    for value, label in names:
        keys = {lists.key_of(label), lists.key_of(english[value]), lists.key_of(value)}
        own = tuple(k for k in keys if k)
        others = tuple(k for k in aliases.get(value, ()) if k not in keys)
        entries.append(lists.Entry(label, value, own, aliases=others))
    return lists.Choices(entries)


def _envelope(works: list[Any]) -> list[EnvelopeLine]:
    """The envelope lines that fund at least one work: one money column each."""
    ids = {f.envelope_line_id for work in works for f in work.funding.all()}
    return list(
        EnvelopeLine.objects.filter(pk__in=ids)
        .select_related("source", "sector")
        .order_by("number", "pk")
    )


def _money_key(envelope_line: EnvelopeLine) -> str:
    """The column of an envelope line: the field name ``validate_report`` uses for it."""
    return f"disbursed_{envelope_line.uid}"


def _columns(layout: FormLayout, envelope: list[EnvelopeLine]) -> list[Column]:
    return source_columns(layout, envelope, _money_key)


def _fingerprint_of_envelope(envelope: list[EnvelopeLine]) -> str:
    return ",".join(f"{e.uid}:{e.number}" for e in envelope)


def _state(values: dict[str, Any], envelope: list[EnvelopeLine]) -> dict[str, Any]:
    """What a row (or a report) says, normalised for comparing: empty numbers are 0, empty
    texts "", each envelope line's money (0 when none)."""
    state: dict[str, Any] = {}
    for name in DATES:
        state[name] = values.get(name)
    for name in NUMBERS:
        state[name] = Decimal(values.get(name) or 0)
    state["status"] = values.get("status") or None
    for name in TEXTS:
        state[name] = values.get(name) or ""
    for env in envelope:
        state[_money_key(env)] = Decimal(values.get(_money_key(env)) or 0)
    return state


def _report_values(report: ProgressReport | None, envelope: list[EnvelopeLine]) -> dict[str, Any]:
    if report is None:
        return {}
    values: dict[str, Any] = {name: getattr(report, name) for name in REPORTED}
    by_id = {d.envelope_line_id: d.amount_mvnd for d in report.disbursements.all()}
    for env in envelope:
        if env.pk in by_id:
            values[_money_key(env)] = by_id[env.pk]
    return values


def _who(report: ProgressReport) -> str:
    return report.reporter_name or _("someone")
