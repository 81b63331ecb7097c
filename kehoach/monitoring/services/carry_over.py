"""Unfinished works flow into next year's round (issue 7, item 5).

``plans`` offers last year's unfunded and deferred proposals when a village opens its new plan;
it must not import ``monitoring``, so this module registers a *carry-over source* with it at
start-up (``MonitoringConfig.ready`` → ``plans.services.carry_over.register_carry_over_source``).

The source adds the village proposals behind a funded work of last year's commune plan that was
not completed: the work (a funded line in the plan, of a plan that was published) has no
progress report at all, or its latest report says not started, ongoing, suspended or cancelled
(``choices.UNFINISHED``). The village line is found through ``synthesis.LineSource`` (a commune
line ← the village lines it was made from; a withdrawn source does not count). A village line
that went into several works (a split) is offered if any of them is unfinished, with a note for
each. The note says how far the work got, e.g. "not completed: 60% done, status “Ongoing”";
the carried line keeps its ``origin`` link like every carried line.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from kehoach.core.numbers import format_number_vi
from kehoach.plans.models import VillagePlan
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineSource

from ..choices import NEEDS_REASON, ProgressStatus
from ..models import ProgressReport
from .common import is_monitored
from .progress import percent_done


def _percent_text(value: Decimal) -> str:
    text = format_number_vi(value, 1)
    return text[:-2] if text.endswith(",0") else text


def unfinished_note(line: CommuneLine, report: ProgressReport | None) -> str:
    """What the village is told about an unfinished work (``line`` is the commune line)."""
    if report is None:
        return _("not completed: no progress was reported")
    status = str(ProgressStatus(report.status).label).lower()
    percent = percent_done(line, report)
    if percent is None:
        note = _("not completed: status “%(status)s”") % {"status": status}
    else:
        note = _("not completed: %(percent)s%% done, status “%(status)s”") % {
            "percent": _percent_text(percent),
            "status": status,
        }
    if report.status in NEEDS_REASON and report.status_reason:
        note += f" ({report.status_reason})"
    return note


def unfinished_village_lines(previous: VillagePlan) -> dict[int, str]:
    """The carry-over source: ``{village proposal line id: note}`` for the lines of
    ``previous`` behind a funded work of its round's commune plan that was not completed.
    Three queries (commune plan, published version, sources with their latest reports)."""
    commune_plan = CommunePlan.objects.filter(round_id=previous.round_id).first()
    if commune_plan is None or not is_monitored(commune_plan):
        return {}
    sources = (
        LineSource.objects.filter(
            village_line__plan=previous,
            village_line__deleted_at__isnull=True,
            withdrawn=False,
            line__plan=commune_plan,
            line__state=LineState.ACTIVE,
            line__decision=Decision.FUNDED,
        )
        .select_related("line")
        .prefetch_related(
            Prefetch(
                "line__progress_reports",
                queryset=ProgressReport.objects.filter(is_latest=True),
                to_attr="latest_reports",
            )
        )
        .order_by("line__number")
    )
    notes: dict[int, list[str]] = defaultdict(list)
    for source in sources:
        reports = source.line.latest_reports  # type: ignore[attr-defined]
        report = reports[0] if reports else None
        if report is not None and report.status == ProgressStatus.COMPLETED:
            continue
        notes[source.village_line_id].append(unfinished_note(source.line, report))
    return {line_id: "; ".join(texts) for line_id, texts in notes.items()}
