"""Part II of the commune plan document (basic information of the commune summed from its
villages' F1, the villages side by side, SWOT and problems by sector) and annex 2 (the village
meetings, F8). Each table is one query over the round, whatever the number of villages.

These read the village plans of the round as they are: the snapshot of an approved version
keeps the plan's lines, not the villages' analysis. The village plans are frozen while the
commune plan is beyond draft (decision D29), so what is printed is what the commune approved.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kehoach.core.numbers import percent
from kehoach.core.text import name_sort_key
from kehoach.plans.models import (
    BasicInfo,
    EthnicGroup,
    PlanningRound,
    Problem,
    SwotEntry,
    VillageMeeting,
)
from kehoach.plans.selectors import commune_participation
from kehoach.plans.services.info import F1_GROUPS, F1_ROWS, PERCENTAGES

from .model import Column, Table

NOT_ADDED = {"road_length_km", "income_per_capita_mvnd", "food_shortage_months"}
"""F1 numbers that mean nothing summed over villages (the income is averaged by population)."""


def _village(info: Any) -> str:
    return str(info.plan.village.name)


def basic_info_tables(round_: PlanningRound) -> list[Table]:
    """The commune's F1 summed over its villages, the villages side by side, the ethnic
    groups; three queries."""
    infos = sorted(
        BasicInfo.objects.filter(plan__round=round_).select_related("plan__village"),
        key=lambda i: name_sort_key(_village(i)),
    )
    villages = round_.plans.count()
    summary = Table(
        [
            Column(_("Indicator"), width=4),
            Column(_("Unit"), width=1.4),
            Column(_("Commune"), "qty", 1.2),
            Column(_("Share (%)"), "pct", 1),
        ],
        title=_("Basic information of the commune (sum of the villages' form F1)"),
        empty=_("No village has entered its basic information (form F1)."),
    )
    if infos:
        summary.add(
            _("Villages with basic information"),
            pgettext("unit", "villages"),
            f"{len(infos)}/{villages}",
            None,
        )
        entered = {
            row.field
            for row in F1_ROWS
            if any(getattr(i, row.field) not in (None, "") for i in infos)
        }
        sums = {
            row.field: sum(
                (
                    Decimal(getattr(i, row.field))
                    for i in infos
                    if getattr(i, row.field) is not None
                ),
                Decimal(0),
            )
            for row in F1_ROWS
            if row.kind in ("count", "decimal")
            and row.field not in NOT_ADDED
            and row.field in entered
        }
        for group in F1_GROUPS:
            rows = [r for r in F1_ROWS if r.group == group.key]
            shown: list[tuple[str, str, Any, Decimal | None]] = []
            for row in rows:
                if row.kind in ("count", "decimal") and row.field in sums:
                    share = None
                    if row.percent:
                        part, whole = PERCENTAGES[row.percent]
                        share = percent(sums.get(part), sums.get(whole))
                    shown.append((str(row.label), str(row.unit), sums[row.field], share))
                elif row.kind in ("yes_no", "flag") and row.field in entered:
                    count = sum(1 for i in infos if getattr(i, row.field) is True)
                    if row.kind == "flag" and not count:
                        continue
                    shown.append(
                        (
                            str(row.label),
                            pgettext("unit", "villages"),
                            count,
                            percent(count, len(infos)),
                        )
                    )
                elif row.field == "income_per_capita_mvnd":
                    pairs = [
                        (i.income_per_capita_mvnd, i.population)
                        for i in infos
                        if i.income_per_capita_mvnd is not None and i.population
                    ]
                    people = sum((p for _i, p in pairs), 0)
                    if people:
                        average = sum((v * p for v, p in pairs), Decimal(0)) / people
                        shown.append(
                            (
                                _("Average income per person (weighted by population)"),
                                str(row.unit),
                                average.quantize(Decimal("0.1")),
                                None,
                            )
                        )
            if shown:
                summary.group(str(group.heading))
                for cells in shown:
                    summary.add(*cells)
    side = Table(
        [
            Column(_("Village"), width=2.4),
            Column(_("Households"), "int"),
            Column(_("Population"), "int"),
            Column(_("Poor households (%)"), "pct"),
            Column(_("Near-poor households (%)"), "pct"),
            Column(_("Ethnic-minority households (%)"), "pct"),
            Column(_("Income per person (million VND/year)"), "qty", 1.2),
        ],
        title=_("The villages side by side"),
    )
    for info in infos:
        side.add(
            _village(info),
            info.total_households,
            info.population,
            percent(info.poor_households, info.total_households),
            percent(info.near_poor_households, info.total_households),
            percent(info.em_households, info.total_households),
            info.income_per_capita_mvnd,
        )
    groups = (
        EthnicGroup.objects.filter(info__plan__round=round_)
        .values("name")
        .annotate(households=Sum("households"), persons=Sum("persons"))
        .order_by("-persons", "name")
    )
    ethnic = Table(
        [
            Column(_("Ethnic group"), width=3),
            Column(_("Households"), "int"),
            Column(_("Persons"), "int"),
        ],
        title=_("Households and persons by ethnic group"),
    )
    for item in groups:
        ethnic.add(item["name"], item["households"], item["persons"])
    tables = [summary]
    if infos:
        tables.append(side)
    if ethnic.rows:
        tables.append(ethnic)
    return tables


def swot_table(round_: PlanningRound) -> Table:
    """F3 of every village, by sector; one query."""
    table = Table(
        [
            Column(_("Village"), width=1.4),
            Column(_("Strengths"), width=2),
            Column(_("Weaknesses"), width=2),
            Column(_("Opportunities"), width=2),
            Column(_("Threats"), width=2),
            Column(_("What it means for the plan"), width=2),
        ],
        title=_("Strengths, weaknesses, opportunities and threats by sector (form F3)"),
        wide=True,
        empty=_("No SWOT analysis was recorded by the villages."),
    )
    entries = sorted(
        SwotEntry.objects.filter(plan__round=round_).select_related("sector", "plan__village"),
        key=lambda e: (e.sector.sort_order, e.sector.code, name_sort_key(e.plan.village.name)),
    )
    current = None
    for entry in entries:
        if entry.sector_id != current:
            current = entry.sector_id
            table.group(entry.sector.name)
        table.add(
            entry.plan.village.name,
            entry.strengths,
            entry.weaknesses,
            entry.opportunities,
            entry.threats,
            entry.implication,
        )
    return table


def problems_table(round_: PlanningRound) -> Table:
    """F4 of every village (problems, causes, who is affected), by sector; one query."""
    table = Table(
        [
            Column(_("Village"), width=1.4),
            Column(_("Problem"), width=3),
            Column(_("Causes"), width=3),
            Column(_("Households affected"), "int", 1),
            Column(_("of which poor"), "int", 0.9),
            Column(_("Priority"), "int", 0.8),
        ],
        title=_("Main problems and their causes by sector (form F4)"),
        wide=True,
        empty=_("No problem analysis was recorded by the villages."),
    )
    problems = sorted(
        Problem.objects.filter(plan__round=round_).select_related("sector", "plan__village"),
        key=lambda p: (
            p.sector.sort_order,
            p.sector.code,
            name_sort_key(p.plan.village.name),
            p.priority or 99,
            p.pk,
        ),
    )
    current = None
    for problem in problems:
        if problem.sector_id != current:
            current = problem.sector_id
            table.group(problem.sector.name)
        causes = "; ".join(c.strip() for c in problem.causes.splitlines() if c.strip())
        table.add(
            problem.plan.village.name,
            problem.problem,
            causes,
            problem.affected_households,
            problem.affected_poor,
            problem.priority,
        )
    return table


def participation_table(round_: PlanningRound) -> Table:
    """F8: each village meeting and the commune's totals (R10); two queries."""
    table = Table(
        [
            Column(_("Village"), width=2),
            Column(_("Date"), width=1.1),
            Column(_("Households in the village"), "int"),
            Column(_("Households represented"), "int"),
            Column("%", "pct", 0.8),
            Column(_("Participants"), "int"),
            Column(_("Women"), "int", 0.8),
            Column("%", "pct", 0.8),
            Column(_("Poor or near-poor"), "int", 0.9),
            Column(_("Ethnic minority"), "int", 0.9),
            Column(_("Agree"), "int", 0.8),
            Column(_("Disagree"), "int", 0.8),
            Column(_("Abstain"), "int", 0.8),
        ],
        title=_("Participation in the village meetings (form F8)"),
        wide=True,
        empty=_("No village meeting was recorded."),
    )
    meetings = sorted(
        VillageMeeting.objects.filter(plan__round=round_).select_related("plan__village"),
        key=lambda m: name_sort_key(m.plan.village.name),
    )
    for m in meetings:
        table.add(
            m.plan.village.name,
            m.held_on,
            m.households_total,
            m.households_represented,
            percent(m.households_represented, m.households_total),
            m.participants_total,
            m.participants_women,
            percent(m.participants_women, m.participants_total),
            m.participants_poor,
            m.participants_em,
            m.votes_agree,
            m.votes_disagree,
            m.votes_abstain,
        )
    if meetings:
        totals: dict[str, Any] = defaultdict(lambda: None, commune_participation(round_))
        table.add(
            _("Commune"),
            "",
            totals["households"],
            totals["represented"],
            totals["households_pct"],
            totals["participants"],
            totals["women"],
            totals["women_pct"],
            totals["poor"],
            totals["em"],
            sum(m.votes_agree for m in meetings),
            sum(m.votes_disagree for m in meetings),
            sum(m.votes_abstain for m in meetings),
            style="total",
        )
    return table
