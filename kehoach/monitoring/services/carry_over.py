"""Unfinished works flow into next year's round (issue 7, item 5).

``plans`` offers last year's unfunded and deferred proposals when a village opens its new plan;
it must not import ``monitoring``, so this module registers a *carry-over source* with it at
start-up (``MonitoringConfig.ready`` → ``plans.services.carry_over.register_carry_over_source``).

The source adds the village proposals behind a funded work of last year's commune plan that was
started and not finished: the work (a funded line in the plan, of a plan that was published)
has a latest progress report that says ongoing, suspended or cancelled (``OFFERED``). A funded
work that has not started (its latest report says so, or nothing was reported) is not offered:
it belongs to last year's plan, which funds it, and carrying it over would ask for its money a
second time. A completed work is not offered either. The village line is found through
``synthesis.LineSource`` (a commune line ← the village lines it was made from; a withdrawn
source does not count). A village line that went into several works (a split) is offered if
any of them is unfinished, with a note for each. The note says how far the work got, e.g.
"work in progress, 40% done"; the carried line keeps its ``origin`` link like every carried
line.
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


OFFERED = (ProgressStatus.ONGOING, ProgressStatus.SUSPENDED, ProgressStatus.CANCELLED)
"""The latest report of a funded work that brings its proposal back next year: started and not
finished, or stopped. Not started (or never reported) and completed works are not offered."""


def unfinished_note(line: CommuneLine, report: ProgressReport) -> str:
    """Why the village is offered the proposal behind a work started and not finished
    (``line`` is the commune line, ``report`` its latest report, one of ``OFFERED``): how far
    the work got, and the reason given for a suspended or cancelled work."""
    percent = percent_done(line, report)
    done = {"percent": _percent_text(percent)} if percent is not None else None
    if report.status == ProgressStatus.SUSPENDED:
        note = _("work suspended, %(percent)s%% done") % done if done else _("work suspended")
    elif report.status == ProgressStatus.CANCELLED:
        note = _("work cancelled, %(percent)s%% done") % done if done else _("work cancelled")
    else:
        note = _("work in progress, %(percent)s%% done") % done if done else _("work in progress")
    if report.status in NEEDS_REASON and report.status_reason:
        note += f" ({report.status_reason})"
    return note


def unfinished_village_lines(previous: VillagePlan) -> dict[int, str]:
    """The carry-over source: ``{village proposal line id: note}`` for the lines of
    ``previous`` behind a funded work of its round's commune plan that was started and not
    finished (``OFFERED``). Three queries (commune plan, published version, sources with their
    latest reports)."""
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
        if report is None or report.status not in OFFERED:
            continue  # not started (or never reported): last year's plan funds it; or done
        notes[source.village_line_id].append(unfinished_note(source.line, report))
    return {line_id: "; ".join(texts) for line_id, texts in notes.items()}
