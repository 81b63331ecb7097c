"""The commune plan document (Kế hoạch phát triển kinh tế – xã hội năm X+1 của xã, domain.md
§7.1): cover, legal bases, part I evaluation of the current year, part II basic information and
situation, part III targets and activities, part IV financial plan by source against the
envelope, part V implementation and supervision, annexes (village proposals F6, meeting
participation F8, synthesis F9, activities not funded with their reasons).

What the plan decides — lines, amounts, decisions, reasons, funding, envelope, targets — comes
from one snapshot: an approved version's (``approvals.Version.data``), so the document of a
version never changes, or the plan as it is now (``plan_snapshot``) for a draft, marked as such
on every page. A fixed number of queries whatever the number of lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kehoach.approvals.models import Version
from kehoach.core.numbers import format_date_vi, format_number_vi, percent
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.versions import active_lines, plan_snapshot

from . import texts
from .common import (
    ZERO,
    contribution_parts,
    decimal,
    funded,
)
from .implementation import evaluation_part, supervision_arrangements
from .model import Cover, Document, Part, Signature
from .situation import basic_info_tables, participation_table, problems_table, swot_table
from .tables import (
    activities_table,
    envelope_table,
    finance_table,
    not_funded_table,
    proposals_table,
    synthesis_table,
    targets_table,
)


class CommunePlanDocument:
    """The rows of the commune plan document; ``document()`` hands them to the formatters."""

    def __init__(self, plan: CommunePlan, version: Version | None = None) -> None:
        self.plan = plan
        self.version = version
        self.draft = version is None
        self.data: dict[str, Any] = version.data if version is not None else plan_snapshot(plan)
        self.round = plan.round
        self.profile = self.round.profile
        self.decimals = int(self.profile.money_decimals)
        self.year = int(self.data.get("year") or self.round.plan_year)
        self.commune = str(self.data.get("commune_name") or self.round.commune.name)
        self.province = texts.province_label(str(self.data.get("province_name") or ""))
        self.lines = active_lines(self.data)
        self.funded_lines = [x for x in self.lines if x["decision"] == Decision.FUNDED]

    # --- helpers ---------------------------------------------------------------------------

    @property
    def values(self) -> dict[str, Any]:
        """The names as written inside a sentence ("của xã Hải Lăng, tỉnh Quảng Trị")."""
        return {
            "year": self.year,
            "previous_year": self.year - 1,
            "commune": texts.in_sentence(self.commune),
            "province": texts.in_sentence(self.province),
        }

    def money(self, value: Decimal) -> str:
        return format_number_vi(value, self.decimals)

    def sources(self) -> list[tuple[str, str]]:
        """(code, name) of every source in the envelope or the funding, in envelope order."""
        found: dict[str, str] = {}
        for row in sorted(self.data.get("envelope", []), key=lambda r: r.get("number") or 0):
            found.setdefault(row["source_code"], row["source"])
        for line in self.lines:
            for item in line.get("funding", []):
                found.setdefault(item["source"], item.get("source_name") or item["source"])
        return list(found.items())

    # --- the document ----------------------------------------------------------------------

    def document(self) -> Document:
        parts = [
            self.legal_bases(),
            self.part_one(),
            self.part_two(),
            self.part_three(),
            self.part_four(),
            self.part_five(),
            self.annexes(),
        ]
        return Document(
            cover=self.cover(),
            parts=parts,
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
                reason = str(self.data.get("amendment_reason") or "")
                if reason:
                    notes.append(_("Reason for the amendment: %(reason)s") % {"reason": reason})
            day = version.resolution_date
        else:
            approval = _(
                "Draft printed on %(date)s for discussion; not approved by the People's Council"
            ) % {"date": format_date_vi(timezone.localdate())}
            day = None
        return Cover(
            authority=_("PEOPLE'S COMMITTEE"),
            authority_unit=self.commune.upper(),
            reference=_("No.: ……/KH-UBND"),
            title=texts.with_year(
                _("SOCIO-ECONOMIC DEVELOPMENT PLAN FOR %(year)s") % {"year": self.year},
                self.year,
            ),
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

    def legal_bases(self) -> Part:
        part = Part(_("Legal bases"), new_page=True)
        bases = texts.legal_bases(self.profile, self.values)
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
        part.bullets(texts.as_list_items(bases))
        part.paragraph(
            _(
                "The People's Committee of %(commune)s issues the socio-economic development "
                "plan for %(year)s as follows."
            )
            % self.values
        )
        return part

    def part_one(self) -> Part:
        part = Part(
            _("Part I. Evaluation of the implementation of the %(year)s plan")
            % {"year": self.year - 1},
        )
        evaluation_part(part, self.plan, self.decimals)
        part.new_page = not part.is_short()  # one sentence when there is nothing to evaluate
        return part

    def part_two(self) -> Part:
        part = Part(_("Part II. Basic information and situation of the commune"), new_page=True)
        part.heading(_("1. Basic information"), 3)
        for table in basic_info_tables(self.round):
            part.table(table)
        part.heading(_("2. Situation analysis"), 3)
        part.table(swot_table(self.round))
        part.table(problems_table(self.round))
        return part

    # --- part III ---------------------------------------------------------------------------

    def part_three(self) -> Part:
        part = Part(_("Part III. Plan for %(year)s") % {"year": self.year}, new_page=True)
        part.heading(_("1. Objectives"), 3)
        total = sum((decimal(x["total"]) for x in self.funded_lines), ZERO)
        given = sum((decimal(x["contribution"]) for x in self.funded_lines), ZERO)
        support = sum((funded(x) for x in self.funded_lines), ZERO)
        villages = {s["village"] for x in self.funded_lines for s in x.get("sources", [])}
        part.paragraph(
            ngettext(
                "In %(year)s the commune carries out %(n)s work or activity funded in this plan "
                "(%(villages)s), for a total cost of %(total)s million VND: %(support)s million "
                "VND of support from the funding sources and %(given)s million VND contributed "
                "by the community.",
                "In %(year)s the commune carries out %(n)s works and activities funded in this "
                "plan (%(villages)s), for a total cost of %(total)s million VND: %(support)s "
                "million VND of support from the funding sources and %(given)s million VND "
                "contributed by the community.",
                len(self.funded_lines),
            )
            % {
                "year": self.year,
                "n": len(self.funded_lines),
                "villages": ngettext("in %(n)s village", "in %(n)s villages", len(villages))
                % {"n": len(villages)},
                "total": self.money(total),
                "support": self.money(support),
                "given": self.money(given),
            }
        )
        part.heading(_("2. Socio-economic targets"), 3)
        part.table(targets_table(self.data, self.year))
        part.heading(_("3. Works and activities by sector"), 3)
        part.table(activities_table(self.funded_lines))
        return part

    # --- part IV ----------------------------------------------------------------------------

    def part_four(self) -> Part:
        part = Part(_("Part IV. Financial plan by funding source"), new_page=True)
        sources = self.sources()
        total = sum((decimal(x["total"]) for x in self.funded_lines), ZERO)
        given = sum((contribution_parts(x).total for x in self.funded_lines), ZERO)
        support = sum((funded(x) for x in self.funded_lines), ZERO)
        share = percent(given, total)
        amounts = {
            "total": self.money(total),
            "support": self.money(support),
            "given": self.money(given),
        }
        if share is None:  # nothing funded, no share of a cost to give
            part.paragraph(
                _(
                    "The funded works cost %(total)s million VND: %(support)s million VND from "
                    "the funding sources and %(given)s million VND contributed by the community "
                    "in cash, labour, materials and land."
                )
                % amounts
            )
        else:
            part.paragraph(
                _(
                    "The funded works cost %(total)s million VND: %(support)s million VND from "
                    "the funding sources and %(given)s million VND contributed by the community "
                    "(%(share)s of the cost) in cash, labour, materials and land."
                )
                % {**amounts, "share": format_number_vi(share, 1) + "%"}
            )
        waiting = [x for x in self.lines if x["decision"] in (Decision.UNFUNDED, Decision.PENDING)]
        if waiting:
            asked = sum((decimal(x["support"]) for x in waiting), ZERO)
            part.paragraph(
                ngettext(
                    "In the plan without funding: %(n)s activity, %(amount)s million VND of "
                    "support requested (annex 4).",
                    "In the plan without funding: %(n)s activities, %(amount)s million VND of "
                    "support requested (annex 4).",
                    len(waiting),
                )
                % {"n": len(waiting), "amount": self.money(asked)}
            )
        part.table(envelope_table(self.data, self.lines, sources))
        part.table(finance_table(self.funded_lines, sources))
        return part

    def part_five(self) -> Part:
        part = Part(
            _("Part V. Implementation, monitoring and supervision"), new_page=True, signed=True
        )
        for paragraph in texts.implementation(self.profile, self.values):
            part.paragraph(paragraph)
        supervision_arrangements(part, self.plan, [x["uid"] for x in self.funded_lines])
        return part

    # --- annexes ----------------------------------------------------------------------------

    def annexes(self) -> Part:
        part = Part(_("Annexes"), new_page=True)
        part.table(proposals_table(self.lines))
        participation = participation_table(self.round)
        participation.title = _("Annex 2. Participation in the village meetings (form F8)")
        part.table(participation)
        part.table(synthesis_table(self.lines))
        part.table(not_funded_table(self.lines))
        return part


def commune_document_filename(plan: CommunePlan, version: Version | None, suffix: str) -> str:
    """ASCII: ke-hoach-xa-19702-2027.pdf, …-v2.pdf for an amendment, …-du-thao.pdf."""
    stem = f"ke-hoach-xa-{plan.round.commune.code}-{plan.round.plan_year}"
    if version is None:
        stem += "-du-thao"
    elif version.number > 1:
        stem += f"-v{version.number}"
    return f"{stem}.{suffix}"
