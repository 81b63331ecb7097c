"""Part I of the commune plan document (how the plan of the year before was carried out, from
monitoring's evaluation) and the supervision boards of part V.

Part I reads ``monitoring.services.evaluation.evaluation_summary`` of the commune's plan of the
previous plan year: works planned against achieved (latest progress reports), money by source,
targets achieved, and the commune's evaluation texts. Six queries whatever the number of works.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.core.numbers import format_date_vi, format_number_vi
from kehoach.monitoring.models import BoardMember, SupervisionBoard
from kehoach.monitoring.services.evaluation import evaluation_summary
from kehoach.monitoring.services.supervision import members_in_order
from kehoach.synthesis.models import CommunePlan

from .model import Column, Part, Table


def previous_plan(plan: CommunePlan) -> CommunePlan | None:
    round_ = plan.round
    return (
        CommunePlan.objects.filter(
            round__commune_id=round_.commune_id, round__plan_year=round_.plan_year - 1
        )
        .select_related("round")
        .first()
    )


def evaluation_part(part: Part, plan: CommunePlan, decimals: int) -> None:
    """Fill part I from the evaluation of the previous year's plan, or say there is none."""
    year = plan.round.plan_year - 1
    previous = previous_plan(plan)
    if previous is None:
        part.paragraph(
            _(
                "There is no commune plan for %(year)s in the system, so this evaluation has no "
                "data."
            )
            % {"year": year}
        )
        return
    summary = evaluation_summary(previous)
    totals = summary.totals
    money = lambda value: format_number_vi(value, decimals)  # noqa: E731
    part.heading(_("1. Works and activities carried out"), 3)
    part.paragraph(
        ngettext(
            "The %(year)s plan had %(works)s funded work: %(completed)s completed, %(ongoing)s "
            "ongoing, %(not_started)s not started, %(suspended)s suspended and %(cancelled)s "
            "cancelled.",
            "The %(year)s plan had %(works)s funded works: %(completed)s completed, "
            "%(ongoing)s ongoing, %(not_started)s not started, %(suspended)s suspended and "
            "%(cancelled)s cancelled.",
            totals.works,
        )
        % {
            "year": year,
            "works": totals.works,
            "completed": totals.completed,
            "ongoing": totals.ongoing,
            "not_started": totals.not_started,
            "suspended": totals.suspended,
            "cancelled": totals.cancelled,
        }
    )
    works = Table(
        [
            Column(_("No."), "int", 0.5),
            Column(_("Work"), width=3),
            Column(_("Unit"), width=0.8),
            Column(_("Planned"), "qty", 0.9),
            Column(_("Done"), "qty", 0.9),
            Column(_("Done (%)"), "pct", 0.8),
            Column(_("Status"), width=1.2),
            Column(_("Approved support"), "money"),
            Column(_("Disbursed"), "money"),
            Column(_("Contribution realised"), "money"),
            Column(_("Reasons for the difference from the plan"), width=2.4),
        ],
        title=_("Works of the %(year)s plan, planned against achieved (form F15)") % {"year": year},
        wide=True,
        empty=_("The %(year)s plan had no funded works.") % {"year": year},
    )
    for row in summary.rows:
        evaluation = row.evaluation
        works.add(
            row.line.number,
            row.line.activity,
            row.line.unit.name,
            row.line.quantity,
            row.quantity_done,
            row.percent_done,
            row.status_label,
            row.approved_mvnd,
            row.disbursed_mvnd,
            row.contribution_realised_mvnd,
            evaluation.deviation_reason if evaluation else "",
        )
    if summary.rows:
        works.add(
            None,
            _("Total"),
            "",
            None,
            None,
            None,
            "",
            totals.approved_mvnd,
            totals.disbursed_mvnd,
            totals.contribution_realised_mvnd,
            "",
            style="total",
        )
    part.table(works)
    part.heading(_("2. Funding mobilised by source"), 3)
    part.paragraph(
        _(
            "Support disbursed: %(disbursed)s of %(approved)s million VND approved; community "
            "contribution realised: %(realised)s of %(promised)s million VND promised."
        )
        % {
            "disbursed": money(totals.disbursed_mvnd),
            "approved": money(totals.approved_mvnd),
            "realised": money(totals.contribution_realised_mvnd),
            "promised": money(totals.contribution_promised_mvnd),
        }
    )
    sources = Table(
        [
            Column(_("Source"), width=3),
            Column(_("Approved"), "money"),
            Column(_("Disbursed"), "money"),
            Column(_("Disbursed (%)"), "pct"),
        ],
    )
    for source in totals.by_source:
        sources.add(
            f"{source.code} – {source.name}",
            source.approved_mvnd,
            source.disbursed_mvnd,
            source.percent,
        )
    if totals.by_source:
        part.table(sources)
    part.heading(_("3. Socio-economic targets achieved"), 3)
    targets = Table(
        [
            Column(_("Indicator"), width=3.5),
            Column(_("Unit"), width=1.2),
            Column(_("Plan %(year)s") % {"year": year}, "qty"),
            Column(_("Achieved"), "qty"),
            Column(_("Of the plan (%)"), "pct"),
            Column(_("Reached"), width=0.9),
        ],
        empty=_("No target of the %(year)s plan has a value achieved yet.") % {"year": year},
    )
    for target in summary.targets:
        met = target.met
        targets.add(
            target.indicator.name,
            target.indicator.unit,
            target.planned,
            target.achieved,
            target.percent,
            "" if met is None else (_("yes") if met else _("no")),
        )
    part.table(targets)
    part.heading(_("4. Assessment of the year"), 3)
    if summary.evaluation is None:
        part.paragraph(
            _("The evaluation of the %(year)s plan has not been written yet.") % {"year": year}
        )
        return
    part.paragraph(_("Evaluated on %(date)s.") % {"date": format_date_vi(summary.evaluated_on)})
    for title, text in (
        (_("Results achieved"), summary.results),
        (_("Shortcomings and their causes"), summary.shortcomings),
        (_("Lessons"), summary.lessons),
    ):
        if text.strip():
            part.heading(title, 4)
            part.paragraphs(text)


def boards_table(plan: CommunePlan, line_uids: list[str]) -> Table | None:
    """The community investment supervision boards of the plan's works (F17), if any; two
    queries."""
    if not line_uids:
        return None
    boards = list(
        SupervisionBoard.objects.filter(line__plan=plan, line__uid__in=line_uids)
        .select_related("line")
        .prefetch_related(
            Prefetch("members", queryset=BoardMember.objects.select_related("village"))
        )
        .order_by("line__number")
    )
    if not boards:
        return None
    table = Table(
        [
            Column(_("Work"), width=2.4),
            Column(_("Established on"), width=1),
            Column(_("Decision"), width=1.4),
            Column(_("Members"), width=3.6),
        ],
        title=_("Community investment supervision boards (form F17)"),
    )
    for board in boards:
        members = [m for m in members_in_order(list(board.members.all())) if m.left_on is None]
        names = "; ".join(f"{m.full_name} ({m.get_role_display()})" for m in members)
        established = format_date_vi(board.established_on)
        if board.dissolved_on:
            established += " – " + format_date_vi(board.dissolved_on)
        table.add(
            f"{board.line.number}. {board.line.activity}",
            established,
            board.decision_ref,
            names,
        )
    return table


def supervision_arrangements(part: Part, plan: CommunePlan, line_uids: list[str]) -> None:
    table = boards_table(plan, line_uids)
    if table is not None:
        part.table(table)
