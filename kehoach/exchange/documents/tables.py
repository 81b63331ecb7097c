"""The tables of the commune plan document, each from a plan snapshot's lines (or its targets
and envelope): targets (F16), works by sector, financial plan (F12) and envelope, village
proposals (F6), synthesis (F9), activities not funded with their reasons (F13 basis)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.catalog.choices import IndicatorGroup
from kehoach.catalog.models import Indicator
from kehoach.core.numbers import percent
from kehoach.core.text import name_sort_key
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.versions import OUTCOME_ORDER

from .common import (
    ZERO,
    by_sector,
    contribution_parts,
    decimal,
    decision_label,
    funded,
    funding_by_source,
    number,
    period_text,
    villages_of,
)
from .model import Column, Table

NOT_FUNDED_ORDER = [
    Decision.UNFUNDED,
    Decision.DEFERRED,
    Decision.REJECTED,
    Decision.MERGED,
    Decision.PENDING,
]


def targets_table(data: dict[str, Any], year: int) -> Table:
    """F16: the snapshot's targets by indicator group, with the comparisons computed (R27);
    one query for the groups."""
    table = Table(
        [
            Column(_("Indicator"), width=3.4),
            Column(_("Unit"), width=1.2),
            Column(_("Actual %(year)s") % {"year": year - 2}, "qty"),
            Column(_("Plan %(year)s") % {"year": year - 1}, "qty"),
            Column(_("Estimate %(year)s") % {"year": year - 1}, "qty"),
            Column(_("Estimate against plan (%)"), "pct"),
            Column(_("Plan %(year)s") % {"year": year}, "qty"),
            Column(
                _("%(next)s against %(current)s (%%)") % {"next": year, "current": year - 1},
                "pct",
            ),
        ],
        title=_("Socio-economic targets (form F16)"),
        wide=True,
        empty=_("No target was set."),
    )
    rows = data.get("targets", [])
    catalog: dict[str, dict[str, Any]] = {
        i["code"]: dict(i)
        for i in Indicator.objects.filter(code__in=[r["code"] for r in rows]).values(
            "code", "group", "sort_order"
        )
    }
    order = list(IndicatorGroup.values)
    labels = dict(IndicatorGroup.choices)

    def key(row: dict[str, Any]) -> tuple[int, int, str]:
        found: dict[str, Any] = catalog.get(row["code"], {})
        group = str(found.get("group", ""))
        position = order.index(group) if group in order else len(order)
        return position, int(found.get("sort_order") or 0), row["code"]

    current = None
    for row in sorted(rows, key=key):
        group = str(catalog.get(row["code"], {}).get("group", ""))
        if group != current:
            current = group
            table.group(str(labels.get(group, _("Other targets"))))
        values = {
            n: number(row.get(n))
            for n in ("actual_previous", "plan_current", "estimate_current", "plan_next")
        }
        table.add(
            row["name"],
            row["unit"],
            values["actual_previous"],
            values["plan_current"],
            values["estimate_current"],
            percent(values["estimate_current"], values["plan_current"]),
            values["plan_next"],
            percent(values["plan_next"], values["estimate_current"]),
        )
    return table


def activities_table(funded_lines: list[dict[str, Any]]) -> Table:
    """Part III: the funded works by sector with their villages, amounts and sources."""
    table = Table(
        [
            Column(_("No."), "int", 0.5),
            Column(_("Activity"), width=3),
            Column(_("Village"), width=1.6),
            Column(_("Location"), width=1.3),
            Column(_("Unit"), width=0.8),
            Column(_("Quantity"), "qty", 0.8),
            Column(_("Period"), width=1.4),
            Column(_("Total cost"), "money"),
            Column(_("Contribution"), "money"),
            Column(_("Support"), "money"),
            Column(_("Sources"), width=1.1),
        ],
        title=_("Works and activities of the plan by sector (million VND)"),
        wide=True,
        empty=_("No activity is funded in the plan."),
    )
    grand = [ZERO, ZERO, ZERO]
    for sector_name, group in by_sector(funded_lines):
        table.group(sector_name)
        sub = [ZERO, ZERO, ZERO]
        for line in group:
            amounts = [decimal(line["total"]), decimal(line["contribution"]), funded(line)]
            sub = [a + b for a, b in zip(sub, amounts, strict=True)]
            table.add(
                line["number"],
                line["activity"],
                villages_of(line),
                line.get("location", ""),
                line.get("unit", ""),
                number(line.get("quantity")),
                period_text(line["start"], line["end"]),
                *amounts,
                ", ".join(funding_by_source(line)),
            )
        table.add(None, _("Subtotal"), "", "", "", None, "", *sub, "", style="subtotal")
        grand = [a + b for a, b in zip(grand, sub, strict=True)]
    if funded_lines:
        table.add(None, _("Total"), "", "", "", None, "", *grand, "", style="total")
    return table


def finance_table(funded_lines: list[dict[str, Any]], sources: list[tuple[str, str]]) -> Table:
    """F12: each funded work's cost by source and the community's contribution by kind."""
    codes = [code for code, _name in sources]
    table = Table(
        [
            Column(_("No."), "int", 0.5),
            Column(_("Activity"), width=3),
            Column(_("Total cost"), "money"),
            *[Column(code, "money", blank_zero=True) for code in codes],
            Column(_("Cash"), "money", blank_zero=True),
            Column(_("Labour"), "money", blank_zero=True),
            Column(_("Materials and land"), "money", blank_zero=True),
            Column(_("Not broken down"), "money", blank_zero=True),
            Column(_("Community contribution"), "money"),
        ],
        title=_("Financial plan by funding source (form F12, million VND)"),
        wide=True,
        empty=_("No activity is funded in the plan."),
        note=_("Sources: %(sources)s.")
        % {"sources": "; ".join(f"{code} – {name}" for code, name in sources)}
        if sources
        else "",
    )
    width = 1 + len(codes) + 5

    def amounts(line: dict[str, Any]) -> list[Decimal]:
        by_source = funding_by_source(line)
        parts = contribution_parts(line)
        return [
            decimal(line["total"]),
            *[by_source.get(code, ZERO) for code in codes],
            parts.cash,
            parts.labour,
            parts.materials,
            parts.unsplit,
            parts.total,
        ]

    grand = [ZERO] * width
    for sector_name, group in by_sector(funded_lines):
        table.group(sector_name)
        sub = [ZERO] * width
        for line in group:
            values = amounts(line)
            sub = [a + b for a, b in zip(sub, values, strict=True)]
            table.add(line["number"], line["activity"], *values)
        table.add(None, _("Subtotal"), *sub, style="subtotal")
        grand = [a + b for a, b in zip(grand, sub, strict=True)]
    if funded_lines:
        table.add(None, _("Total"), *grand, style="total")
    return table


def envelope_table(
    data: dict[str, Any], lines: list[dict[str, Any]], sources: list[tuple[str, str]]
) -> Table:
    """Each source of the envelope against what the plan uses of it (R18)."""
    envelope: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in data.get("envelope", []):
        envelope[row["source_code"]] += decimal(row["amount_mvnd"])
    used: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        for code, amount in funding_by_source(line).items():
            used[code] += amount
    table = Table(
        [
            Column(_("Source"), width=3),
            Column(_("Envelope"), "money"),
            Column(_("In the plan"), "money"),
            Column(_("Left"), "money"),
            Column(_("Check"), width=1.8),
        ],
        title=_("Each source against its envelope (million VND)"),
        empty=_("No envelope lines."),
    )
    for code, name in sources:
        left = envelope[code] - used[code]
        table.add(
            f"{code} – {name}",
            envelope[code],
            used[code],
            left,
            _("within the envelope") if left >= 0 else _("over the envelope"),
        )
    if sources:
        total_env = sum(envelope.values(), ZERO)
        total_used = sum(used.values(), ZERO)
        table.add(_("Total"), total_env, total_used, total_env - total_used, "", style="total")
    return table


def proposals_table(lines: list[dict[str, Any]]) -> Table:
    """Annex 1: every village proposal the plan is built from (F6), as kept in the
    snapshot (a proposal split into parts is one row), with what the commune decided."""
    table = Table(
        [
            Column(_("No."), "int", 0.5),
            Column(_("Proposal of the village"), width=3),
            Column(_("Sector"), width=1.6),
            Column(_("Priority"), "int", 0.7),
            Column(_("Total cost"), "money"),
            Column(_("Contribution"), "money"),
            Column(_("Support requested"), "money"),
            Column(_("Decision of the commune"), width=1.5),
        ],
        title=_("Annex 1. Proposals of the villages (form F6, million VND)"),
        wide=True,
        empty=_("No village proposal is in the plan."),
    )
    proposals: dict[str, dict[str, Any]] = {}
    for line in lines:
        for source in line.get("sources", []):
            item = proposals.setdefault(
                source["village_line"],
                {
                    "village": source["village_name"],
                    "number": source["number"],
                    "activity": source["activity"],
                    "sector": line["sector_name"],
                    "priority": source.get("priority"),
                    "total": ZERO,
                    "contribution": ZERO,
                    "support": ZERO,
                    "decision": None,
                },
            )
            for name in ("total", "contribution", "support"):
                item[name] += decimal(source.get(name))
            decision = line["decision"]
            if decision in OUTCOME_ORDER and (
                item["decision"] is None
                or OUTCOME_ORDER.index(decision) < OUTCOME_ORDER.index(item["decision"])
            ):
                item["decision"] = decision
    villages: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in proposals.values():
        villages[item["village"]].append(item)
    for village in sorted(villages, key=name_sort_key):
        table.group(village)
        items = sorted(villages[village], key=lambda i: i["number"])
        for item in items:
            table.add(
                item["number"],
                item["activity"],
                item["sector"],
                item["priority"],
                item["total"],
                item["contribution"],
                item["support"],
                decision_label(item["decision"] or Decision.PENDING),
            )
        table.add(
            None,
            _("Subtotal"),
            "",
            None,
            *[sum((i[n] for i in items), ZERO) for n in ("total", "contribution", "support")],
            "",
            style="subtotal",
        )
    return table


def synthesis_table(lines: list[dict[str, Any]]) -> Table:
    """Annex 3: the commune synthesis (F9), every line of the plan with its decision."""
    table = Table(
        [
            Column(_("No."), "int", 0.5),
            Column(_("Activity"), width=2.8),
            Column(_("Village"), width=1.6),
            Column(_("Village priority"), "int", 0.7),
            Column(_("Total cost"), "money"),
            Column(_("Contribution"), "money"),
            Column(_("Support requested"), "money"),
            Column(_("Decision of the commune"), width=1.4),
            Column(_("Reason"), width=2.2),
        ],
        title=_("Annex 3. Synthesis of the village proposals (form F9, million VND)"),
        wide=True,
        empty=_("The plan has no lines."),
    )
    grand = [ZERO, ZERO, ZERO]
    for sector_name, group in by_sector(lines):
        table.group(sector_name)
        sub = [ZERO, ZERO, ZERO]
        for line in group:
            amounts = [
                decimal(line["total"]),
                decimal(line["contribution"]),
                decimal(line["support"]),
            ]
            sub = [a + b for a, b in zip(sub, amounts, strict=True)]
            table.add(
                line["number"],
                line["activity"],
                villages_of(line),
                line.get("village_priority"),
                *amounts,
                decision_label(line["decision"]),
                line.get("decision_reason", ""),
            )
        table.add(None, _("Subtotal"), "", None, *sub, "", "", style="subtotal")
        grand = [a + b for a, b in zip(grand, sub, strict=True)]
    if lines:
        table.add(None, _("Total"), "", None, *grand, "", "", style="total")
    return table


def not_funded_table(lines: list[dict[str, Any]]) -> Table:
    """Annex 4: activities in the plan without funding, deferred or rejected, with the
    reasons the villages are given (F13)."""
    table = Table(
        [
            Column(_("No."), "int", 0.5),
            Column(_("Activity"), width=2.8),
            Column(_("Sector"), width=1.5),
            Column(_("Village"), width=1.6),
            Column(_("Support requested"), "money"),
            Column(_("Reason"), width=3),
        ],
        title=_(
            "Annex 4. Activities not funded, deferred or rejected, with the reasons (million VND)"
        ),
        wide=True,
        empty=_("Every activity of the plan is funded."),
    )
    for decision in NOT_FUNDED_ORDER:
        group = sorted((x for x in lines if x["decision"] == decision), key=lambda x: x["number"])
        if not group:
            continue
        table.group(decision_label(decision))
        for line in group:
            table.add(
                line["number"],
                line["activity"],
                line["sector_name"],
                villages_of(line),
                decimal(line["support"]),
                line.get("decision_reason", ""),
            )
        table.add(
            None,
            _("Subtotal"),
            "",
            "",
            sum((decimal(x["support"]) for x in group), ZERO),
            "",
            style="subtotal",
        )
    return table
