"""The commune's five-year plan as a document (Kế hoạch phát triển kinh tế – xã hội 5 năm
2026–2030 của xã …, issue 18 item 6), in the structure of an official five-year plan:

- cover: national heading, the People's Committee of the commune, the council's resolution;
- part I, bases and evaluation: the legal bases and what the plan is built from (villages,
  activities, decisions), from the data;
- part II, objectives and tasks: the activities in the plan by sector with their quantity and
  cost in each year of the period and in total;
- part III, the resource frame: each programme's frame per year against the support the funded
  lines ask of it (the rule of ``midterm.selectors_commune.frame_grid``, R16, on the snapshot);
- part IV, organisation of the implementation (standard text, signed);
- annex: the activities by village with the commune's decision and its reason.

Everything the plan decides comes from one snapshot: the approved version's
(``approvals.Version.data``, made by ``midterm.services.commune_workflow.plan_snapshot``), so
the document of a version never changes, or the plan as it is now for a draft, marked "DỰ THẢO"
on every page. The formatters are the yearly document's (``pdf``, ``word``). A fixed number of
queries whatever the number of lines (the province, the programmes' and sectors' names).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kehoach.approvals.models import Version
from kehoach.catalog.models import FundingSource
from kehoach.core.numbers import format_date_vi, format_number_vi
from kehoach.core.text import name_sort_key
from kehoach.geo.choices import Level
from kehoach.geo.selectors import unit_ancestors
from kehoach.midterm.models import MediumTermCommunePlan
from kehoach.midterm.services.commune_workflow import plan_snapshot
from kehoach.synthesis.choices import Decision

from . import texts
from .common import ZERO, decimal, decision_label, number
from .model import Column, Cover, Document, Part, Signature, Table

IN_PLAN = (Decision.FUNDED, Decision.UNFUNDED)
"""The decisions that keep a line in the five-year plan (with or without funding)."""
THOUSANDTH = Decimal("0.001")
TEMPLATE = "five_year_plan.html"


def line_total(line: dict[str, Any]) -> Decimal:
    """A snapshot line's cost over the period: the sum of its years (R1)."""
    return sum((decimal(y["cost_mvnd"]) for y in line.get("years", [])), ZERO)


def line_years(line: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(y["year"]): y for y in line.get("years", [])}


def support_by_year(line: dict[str, Any]) -> dict[int, Decimal]:
    """The external support a snapshot line asks each year: its years' costs in the proportion
    of support to the whole (``selectors_commune._support_by_year`` on the live lines)."""
    years = line_years(line)
    whole = line_total(line)
    support = decimal(line.get("external_support_mvnd"))
    if not whole:
        return dict.fromkeys(years, ZERO)
    return {
        year: (decimal(item["cost_mvnd"]) * support / whole).quantize(
            THOUSANDTH, rounding=ROUND_HALF_UP
        )
        for year, item in years.items()
    }


def _sources(line: dict[str, Any]) -> list[dict[str, Any]]:
    """The village activities a snapshot line still comes from (not withdrawn)."""
    return [s for s in line.get("sources", []) if not s.get("withdrawn")]


def villages_of(line: dict[str, Any]) -> str:
    return ", ".join(sorted({s["village_name"] for s in _sources(line)}, key=name_sort_key))


def by_sector(lines: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Lines grouped by sector (by the sector's code), each group in line-number order."""
    groups: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for line in sorted(lines, key=lambda x: (str(x["sector"]), int(x["number"]))):
        groups.setdefault(line["sector"], (line["sector_name"], []))[1].append(line)
    return list(groups.values())


class FiveYearPlanDocument:
    """The rows of the five-year plan document; ``document()`` hands them to the formatters."""

    def __init__(self, plan: MediumTermCommunePlan, version: Version | None = None) -> None:
        self.plan = plan
        self.version = version
        self.draft = version is None
        self.data: dict[str, Any] = version.data if version is not None else plan_snapshot(plan)
        self.round = plan.round
        self.profile = self.round.profile
        self.decimals = int(self.profile.money_decimals)
        self.first_year = int(self.data.get("first_year") or self.round.first_year)
        self.last_year = int(self.data.get("last_year") or self.round.last_year)
        self.years = list(range(self.first_year, self.last_year + 1))
        commune = self.round.commune
        self.commune = str(commune.name)
        province = next((u for u in unit_ancestors(commune) if u.level == Level.PROVINCE), None)
        self.province = texts.province_label(str(province.name)) if province else ""
        self.lines: list[dict[str, Any]] = list(self.data.get("lines", []))
        self.in_plan = [x for x in self.lines if x["decision"] in IN_PLAN]
        self.funded = [x for x in self.lines if x["decision"] == Decision.FUNDED]
        codes = {x["source"] for x in self.data.get("frame", [])} | {
            x["proposed_source"] for x in self.lines if x.get("proposed_source")
        }
        self.source_names: dict[str, str] = dict(
            FundingSource.objects.filter(code__in=codes).values_list("code", "name")
        )

    # --- helpers ---------------------------------------------------------------------------

    @property
    def period(self) -> str:
        return f"{self.first_year}–{self.last_year}"

    @property
    def values(self) -> dict[str, Any]:
        return {
            "first": self.first_year,
            "last": self.last_year,
            "period": self.period,
            "commune": texts.in_sentence(self.commune),
            "province": texts.in_sentence(self.province),
        }

    def money(self, value: Decimal) -> str:
        return format_number_vi(value, self.decimals)

    def source_label(self, code: str) -> str:
        name = self.source_names.get(code)
        return f"{code} – {name}" if name else code

    # --- the document ----------------------------------------------------------------------

    def document(self) -> Document:
        return Document(
            cover=self.cover(),
            parts=[
                self.part_one(),
                self.part_two(),
                self.part_three(),
                self.part_four(),
                self.annex(),
            ],
            signature=self.signature(),
            decimals=self.decimals,
            language=get_language() or "vi",
            page_label=_("Page"),
        )

    def cover(self) -> Cover:
        version = self.version
        notes = []
        if version is not None:
            approval = _(
                "Approved by Resolution No. %(number)s of %(date)s of the People's Council "
                "of %(commune)s"
            ) % {
                "number": version.resolution_number,
                "date": format_date_vi(version.resolution_date),
                "commune": self.values["commune"],
            }
            if version.is_amendment:
                notes.append(_("Amendment – version %(number)s") % {"number": version.number})
            day = version.resolution_date
        else:
            approval = _(
                "Draft printed on %(date)s for discussion; not approved by the People's Council"
            ) % {"date": format_date_vi(timezone.localdate())}
            day = None
        title = _("FIVE-YEAR SOCIO-ECONOMIC DEVELOPMENT PLAN %(period)s") % {"period": self.period}
        return Cover(
            authority=_("PEOPLE'S COMMITTEE"),
            authority_unit=self.commune.upper(),
            reference=_("No.: ……/KH-UBND"),
            title=texts.with_year(title, self.period),
            subtitle=_("of %(commune)s, %(province)s") % self.values,
            approval=approval,
            place_date=texts.place_date(self.commune, day),
            draft=self.draft,
            draft_label=_("DRAFT"),
            notes=notes,
        )

    def signature(self) -> Signature:
        return Signature(
            on_behalf=_("ON BEHALF OF THE PEOPLE'S COMMITTEE"),
            title=_("CHAIRPERSON"),
            recipients_title=_("Recipients:"),
            recipients=[
                _("The People's Council of the commune;"),
                _("The People's Committee of %(province)s (Department of Finance);") % self.values,
                _("The villages of the commune;"),
                _("Archive."),
            ],
        )

    # --- part I -----------------------------------------------------------------------------

    def legal_bases(self) -> list[str]:
        bases = [
            _("Pursuant to the Law on the Organisation of Local Government;"),
            _("Pursuant to the Law on Public Investment;"),
            _("Pursuant to the Law on Implementing Democracy at the Grassroots;"),
            _(
                "Pursuant to the guidance of the People's Committee of %(province)s on "
                "preparing the five-year socio-economic development plans %(period)s;"
            )
            % self.values,
            _(
                "Pursuant to the five-year development plans of the villages adopted at the "
                "village meetings."
            ),
        ]
        if self.version is not None:
            bases.append(
                _(
                    "Pursuant to Resolution No. %(number)s of %(date)s of the People's Council "
                    "of %(commune)s approving the plan;"
                )
                % {
                    "number": self.version.resolution_number,
                    "date": format_date_vi(self.version.resolution_date),
                    "commune": self.values["commune"],
                }
            )
        return texts.as_list_items(bases)

    def part_one(self) -> Part:
        part = Part(_("I. Bases and evaluation"), new_page=True)
        part.bullets(self.legal_bases())
        villages = sorted(
            {s["village_name"] for x in self.lines for s in _sources(x)}, key=name_sort_key
        )
        activities = {s["village_line"] for x in self.lines for s in _sources(x)}
        part.paragraph(
            ngettext(
                "The plan is built from the five-year plans of %(n)s village (%(names)s), "
                "which proposed %(activities)s activities for the period %(period)s.",
                "The plan is built from the five-year plans of %(n)s villages (%(names)s), "
                "which proposed %(activities)s activities for the period %(period)s.",
                len(villages),
            )
            % {
                "n": len(villages),
                "names": ", ".join(villages),
                "activities": len(activities),
                "period": self.period,
            }
        )
        counts: dict[str, int] = defaultdict(int)
        for line in self.lines:
            counts[line["decision"]] += 1
        decided = "; ".join(
            f"{decision_label(d)}: {counts[d]}" for d, _label in Decision.choices if counts[d]
        )
        part.paragraph(
            ngettext(
                "After synthesis the commune examined %(n)s line (%(decided)s).",
                "After synthesis the commune examined %(n)s lines (%(decided)s).",
                len(self.lines),
            )
            % {"n": len(self.lines), "decided": decided or "–"}
        )
        part.paragraph(
            _(
                "The People's Committee of %(commune)s issues the five-year socio-economic "
                "development plan %(period)s as follows."
            )
            % self.values
        )
        return part

    # --- part II ----------------------------------------------------------------------------

    def part_two(self) -> Part:
        part = Part(_("II. Objectives and tasks"), new_page=True)
        total = sum((line_total(x) for x in self.in_plan), ZERO)
        funded = sum((line_total(x) for x in self.funded), ZERO)
        part.paragraph(
            ngettext(
                "In the period %(period)s the commune plans %(n)s investment activity for a "
                "total cost of %(total)s million VND, of which %(funded)s million VND within "
                "the resource frame.",
                "In the period %(period)s the commune plans %(n)s investment activities for a "
                "total cost of %(total)s million VND, of which %(funded)s million VND within "
                "the resource frame.",
                len(self.in_plan),
            )
            % {
                "period": self.period,
                "n": len(self.in_plan),
                "total": self.money(total),
                "funded": self.money(funded),
            }
        )
        part.table(self.activities_table())
        return part

    def activities_table(self) -> Table:
        """The lines in the plan by sector: quantity and cost in each year, and in total."""
        per_year: list[Column] = []
        for year in self.years:
            per_year.append(Column(_("Qty %(year)s") % {"year": year}, "qty", 0.7, True))
            per_year.append(Column(_("Cost %(year)s") % {"year": year}, "money", 0.85, True))
        table = Table(
            [
                Column(_("No."), "int", 0.45),
                Column(_("Activity"), width=2.2),
                Column(_("Village"), width=1.1),
                Column(_("Unit"), width=0.7),
                *per_year,
                Column(_("Total quantity"), "qty", 0.75),
                Column(_("Total cost"), "money", 0.9),
                Column(_("Funding"), width=1.0),
            ],
            title=_("Investment activities by sector, per year (million VND)"),
            wide=True,
            empty=_("No activity is in the plan."),
        )
        size = 2 * len(self.years) + 2
        grand = [ZERO] * size
        for sector_name, group in by_sector(self.in_plan):
            table.group(sector_name)
            sub = [ZERO] * size
            for line in group:
                years = line_years(line)
                values: list[Decimal] = []
                for year in self.years:
                    item = years.get(year)
                    values.append(number(item["quantity"]) or ZERO if item else ZERO)
                    values.append(decimal(item["cost_mvnd"]) if item else ZERO)
                quantity = sum((number(y["quantity"]) or ZERO for y in years.values()), ZERO)
                values += [quantity, line_total(line)]
                sub = [a + b for a, b in zip(sub, values, strict=True)]
                table.add(
                    line["number"],
                    line["activity"],
                    villages_of(line),
                    line.get("unit", ""),
                    *values,
                    decision_label(line["decision"]),
                )
            sub_row = self._costs_only(sub)
            table.add(None, _("Subtotal"), "", "", *sub_row, "", style="subtotal")
            grand = [a + b for a, b in zip(grand, sub, strict=True)]
        if self.in_plan:
            table.add(None, _("Total"), "", "", *self._costs_only(grand), "", style="total")
        return table

    @staticmethod
    def _costs_only(values: list[Decimal]) -> list[Decimal | None]:
        """A subtotal row: quantities of different units do not add up, costs do."""
        return [None if index % 2 == 0 else value for index, value in enumerate(values)]

    # --- part III ---------------------------------------------------------------------------

    def part_three(self) -> Part:
        part = Part(_("III. Resource frame"), new_page=True)
        part.paragraph(
            _(
                "The resource frame gives what each programme is expected to provide to the "
                "commune in each year of the period; the funded lines of the plan must stay "
                "within it (their support, spread over the years in proportion to their "
                "costs)."
            )
        )
        part.table(self.frame_table())
        return part

    def frame_table(self) -> Table:
        """Per programme: the frame of each year, the support the funded lines ask of it and
        what is left; lines without a programme and the totals after."""
        index = {year: i for i, year in enumerate(self.years)}
        frame: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(self.years))
        asked: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(self.years))
        for item in self.data.get("frame", []):
            year = int(item["year"])
            if year in index:
                frame[item["source"]][index[year]] += decimal(item["amount_mvnd"])
        for line in self.funded:
            code = line.get("proposed_source") or ""
            for year, amount in support_by_year(line).items():
                if year in index:
                    asked[code][index[year]] += amount
        table = Table(
            [
                Column(_("Programme"), width=2.2),
                Column(_("Item"), width=1.6),
                *[Column(str(year), "money") for year in self.years],
                Column(_("Total"), "money"),
            ],
            title=_("Resource frame by programme and year against the funded lines (million VND)"),
            wide=len(self.years) > 5,
            empty=_("The plan has no resource frame and no funded line."),
        )

        def row(label: str, item: str, cells: list[Decimal], style: str = "") -> None:
            table.add(label, item, *cells, sum(cells, ZERO), style=style)  # type: ignore[arg-type]

        totals = {"frame": [ZERO] * len(self.years), "asked": [ZERO] * len(self.years)}
        for code in sorted(set(frame) | {c for c in asked if c}):
            given, used = frame[code], asked[code]
            table.group(self.source_label(code))
            row("", _("Frame"), given)
            row("", _("Funded lines"), used)
            row("", _("Left"), [a - b for a, b in zip(given, used, strict=True)], "subtotal")
            totals["frame"] = [a + b for a, b in zip(totals["frame"], given, strict=True)]
            totals["asked"] = [a + b for a, b in zip(totals["asked"], used, strict=True)]
        if "" in asked:
            table.group(_("Lines without a proposed programme"))
            row("", _("Funded lines"), asked[""])
            totals["asked"] = [a + b for a, b in zip(totals["asked"], asked[""], strict=True)]
        if table.rows:
            row(_("Total"), _("Frame"), totals["frame"], "total")
            row(_("Total"), _("Funded lines"), totals["asked"], "total")
        return table

    # --- part IV and the annex --------------------------------------------------------------

    def part_four(self) -> Part:
        part = Part(_("IV. Organisation of the implementation"), new_page=True, signed=True)
        for paragraph in [
            _(
                "The People's Committee of %(commune)s directs the implementation of the plan: "
                "each year the villages draw the activities of that year into their yearly "
                "plans, and the commune's yearly plan funds them within the resource frame."
            )
            % self.values,
            _(
                "The village heads and the village planning groups review the five-year plan "
                "at the yearly village meeting, mobilise the community contribution and keep "
                "the villagers informed of progress."
            ),
            _(
                "The commune's sectors and mass organisations carry out the activities of "
                "their field and bring in the programmes and projects they manage."
            ),
            _(
                "The commune Fatherland Front and the community investment supervision boards "
                "supervise the works; residents may send their comments to the village head "
                "or the People's Committee of the commune."
            ),
            _(
                "Progress is followed every year against this plan; the plan is reviewed at "
                "mid-term and evaluated at the end of %(last)s. A change of the plan is an "
                "amendment approved by the People's Council."
            )
            % self.values,
        ]:
            part.paragraph(paragraph)
        return part

    def annex(self) -> Part:
        part = Part(_("Annex"), new_page=True)
        table = Table(
            [
                Column(_("No."), "int", 0.5),
                Column(_("Activity"), width=3),
                Column(_("Sector"), width=1.5),
                Column(_("Years"), width=1.1),
                Column(_("Total cost"), "money"),
                Column(_("Decision of the commune"), width=1.4),
                Column(_("Reason"), width=2.4),
            ],
            title=_("Annex. Activities by village with the decision of the commune (million VND)"),
            wide=True,
            empty=_("The plan has no lines."),
        )
        villages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in self.lines:
            for name in {s["village_name"] for s in _sources(line)}:
                villages[name].append(line)
        for village in sorted(villages, key=name_sort_key):
            table.group(village)
            for line in sorted(villages[village], key=lambda x: int(x["number"])):
                years = sorted(line_years(line))
                table.add(
                    line["number"],
                    line["activity"],
                    line["sector_name"],
                    f"{years[0]}–{years[-1]}" if len(years) > 1 else ", ".join(map(str, years)),
                    line_total(line),
                    decision_label(line["decision"]),
                    line.get("decision_reason", ""),
                )
        part.table(table)
        return part


def five_year_document_filename(
    plan: MediumTermCommunePlan, version: Version | None, suffix: str
) -> str:
    """ASCII: ke-hoach-5-nam-xa-19702-2026-2030.pdf, …-v2.pdf for an amendment, …-du-thao.pdf."""
    round_ = plan.round
    stem = f"ke-hoach-5-nam-xa-{round_.commune.code}-{round_.first_year}-{round_.last_year}"
    if version is None:
        stem += "-du-thao"
    elif version.number > 1:
        stem += f"-v{version.number}"
    return f"{stem}.{suffix}"
