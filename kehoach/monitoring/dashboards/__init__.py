"""Implementation dashboards (issue 7, item 6): where the followed works of one commune plan, or
of every commune plan of a year under a province or a former district, stand.

``ImplementationReport`` is the report generator (style.md §10): it knows the rows — physical
progress (works by status, average % done) by sector, source and programme, money approved
against disbursed by source, programme and sector, community contribution realised against
promised, the delayed works and, for a province, one row per commune — and the pages
(``views/dashboards.py`` with ``charts.py``) format them.

Every figure comes from a fixed number of aggregate queries (``values(...).annotate(Sum(...))``)
whatever the number of communes, works and reports:

- the works are the funded lines in the plan (``selectors.works_of``) of commune plans
  that have a published version (``selectors.is_monitored``), written here as SQL;
- a work's position is its latest report (``ProgressReport.is_latest``, one per work), joined
  to the work; a work without a report counts as not started, with nothing done or given;
- a work is delayed when its planned end (the last day of its end month) is before today and
  it is neither completed nor cancelled (``selectors.is_delayed``).

The queries group by commune × sector × status (works), source × status (works again, through
the sources that fund them) and commune × sector × source (money); Python only adds those few
groups up into the tables. The support approved is read from the summaries of the commune
plans' lines (``synthesis.LineSummary``, issue 16: the rows with a source of the funded lines),
kept by every writer of lines and funding; the progress is not summarised, since a work's
position depends on its latest report, its line (quantity, planned end, funding: changed by
an amendment) and today's date (delayed), so the works are read with their latest report.

Physical progress by source or programme counts a work under *each* source (programme) that
funds it, whatever the share of its money, not weighted by amount: "of the works this source
helps pay for, how many are done and how far along are they". A work funded by two sources
is in both rows, so the rows add up to more than the total; a work funded by two envelope
lines of one source (or by two components of one programme) counts once in that row; a work
without approved support (all from the community) is under no source.

The package: ``rows`` (what a dashboard shows, the aggregate expressions), ``report`` (the
generator and the plans it follows).
"""

from .followed import monitored_plans, published, years_followed
from .report import ImplementationReport
from .rows import (
    DELAYED_SHOWN,
    CommuneRow,
    Contribution,
    Dashboard,
    DelayedWork,
    Figures,
    SourceRow,
)

__all__ = [
    "DELAYED_SHOWN",
    "CommuneRow",
    "Contribution",
    "Dashboard",
    "DelayedWork",
    "Figures",
    "ImplementationReport",
    "SourceRow",
    "monitored_plans",
    "published",
    "years_followed",
]
