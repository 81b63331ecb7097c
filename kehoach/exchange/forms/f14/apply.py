"""F14: applying a checked workbook — one new report per changed work, by the batch writer; the
confirmation gives it the reports the check kept (``keep``/``restore``/``write``) without
reading the workbook again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kehoach.monitoring.services.progress import ReportChange, progress_reports_apply
from kehoach.synthesis.models import CommuneLine, CommunePlan, EnvelopeLine

from .. import kept as keeping
from .reading import Reading

KEPT_VERSION = 1


def apply(actor: Any, plan: CommunePlan, reading: Reading) -> dict[str, int]:
    """One new report per changed work, all in one transaction, or none: the changes kept
    from the check, written by ``progress_reports_apply`` with the real actor."""
    return write(
        actor,
        plan,
        [ReportChange(item.line, item.data, item.disbursed) for item in reading.items],
    )


def keep(reading: Reading) -> dict[str, Any]:
    """The new reports as JSON: ``[work pk, values, [[envelope line pk, amount]…]]`` each."""
    return {
        "v": KEPT_VERSION,
        "items": [
            [
                item.line.pk,
                keeping.dump(item.data),
                [[env.pk, str(amount)] for env, amount in item.disbursed.items()],
            ]
            for item in reading.items
        ],
    }


def restore(plan: CommunePlan, kept: dict[str, Any]) -> list[ReportChange]:
    """The kept reports as the writer's changes: the envelope lines they name read at once
    (one deleted since refuses the confirmation); the writer locks each work."""
    kept = keeping.opened(kept, KEPT_VERSION)
    ids = {env_pk for _pk, _values, money in kept["items"] for env_pk, _amount in money}
    envelope = EnvelopeLine.objects.select_related("source", "sector").in_bulk(ids) if ids else {}
    if len(envelope) != len(ids):
        raise keeping.gone()
    loader = keeping.Loader()
    return [
        ReportChange(
            CommuneLine(pk=pk, plan=plan),
            loader.load(values),
            {envelope[env_pk]: Decimal(amount) for env_pk, amount in money},
        )
        for pk, values, money in kept["items"]
    ]


def write(actor: Any, plan: CommunePlan, changes: list[ReportChange]) -> dict[str, int]:
    """The new reports at once with the real user (the writer judges each against its work
    as it is under its lock)."""
    progress_reports_apply(actor=actor, target=plan, changes=changes)
    return {"added": len(changes), "changed": 0, "deleted": 0}
