"""The two sheets of a village: the feedback notice of the commune's decisions (F13), read at
the village meeting, and the A0 poster of the village plan for the cultural house (domain.md
§7.2).

The feedback sheet reads the latest published version of the commune plan
(``synthesis.services.workflow.village_feedback``): each proposal's fate, its part of the
funding by source, the contribution the village proposed, the period and the reason.
``FeedbackSheets`` puts the sheets of every village of a published version in one PDF, each
village on its own pages (numbered per village), for the commune to print at once. The poster
shows the
village's own proposals by sector and priority; once the commune plan is published, each line's
status in it. ``PraAnnex`` is the annex of the village plan with the PRA outputs (F2) and
their photos, as PDF and DOCX.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kehoach.approvals.models import Version
from kehoach.core.errors import NotFoundError
from kehoach.core.numbers import format_date_vi, format_number_vi
from kehoach.plans.choices import ImplementationMode
from kehoach.plans.models import VillageMeeting, VillagePlan
from kehoach.plans.selectors import lines_by_sector, plan_lines
from kehoach.plans.services.pra import pra_outputs_of
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.versions import (
    OUTCOME_ORDER,
    Fate,
    latest_version,
    version_fates,
    village_feedback,
)

from . import texts
from .common import ZERO, decimal, decision_label, number, period_text
from .model import Column, Table, number_text
from .pdf import css_string, refuse_fetch, sheet_html, sheet_pdf, sheets_pdf, table_context


def _place_and_parents(plan: VillagePlan) -> tuple[str, str]:
    commune = plan.round.commune
    province = commune.parent.name if commune.parent else ""
    return commune.name, texts.province_label(province)


class FeedbackSheet:
    """F13 for one village plan: NotFoundError while no version of the commune plan is
    published. ``feedback`` (a published version and the village's fates in it) is read from
    the database when not given."""

    def __init__(
        self, plan: VillagePlan, feedback: tuple[Version, list[Fate]] | None = None
    ) -> None:
        if feedback is None:
            version, fates, _commune_plan = village_feedback(plan)
        else:
            version, fates = feedback
        if version is None:
            raise NotFoundError()
        self.plan = plan
        self.version = version
        self.fates: list[Fate] = fates
        self.decimals = int(plan.round.profile.money_decimals)

    def money(self, value: Decimal) -> str:
        return format_number_vi(value, self.decimals)

    def table(self) -> Table:
        """One row per proposal, with the commune's reason and the village's next step in a
        line across the table under it (a column of its own made every row tall)."""
        modes = dict(ImplementationMode.choices)
        table = Table(
            [
                Column(_("No."), "int", 0.45),
                Column(_("Proposal of the village"), width=3.4),
                Column(_("Decision of the commune"), width=1.6),
                Column(_("Quantity"), width=1.1),
                Column(_("Approved support"), "money", 1.1),
                Column(_("Sources"), width=1.6),
                Column(_("Proposed contribution of the village"), "money", 1.1),
                Column(_("Period"), width=1.3),
                Column(_("Carried out by"), width=1.4),
            ],
            empty=_("No proposal of this village is in the commune plan."),
            detail_label=_("Reason and next step"),
        )
        support, given, proposed = ZERO, ZERO, ZERO
        for fate in self.fates:
            line = fate.line
            is_funded = fate.decision == Decision.FUNDED
            amount = number_text(number(line.get("quantity")), "qty")
            quantity = f"{amount} {line.get('unit', '')}".strip()
            activity = fate.activity
            if fate.shared_with:
                activity += "\n" + _("one work with %(villages)s (commune line %(number)s)") % {
                    "villages": ", ".join(texts.in_sentence(name) for name in fate.shared_with),
                    "number": line["number"],
                }
                quantity += " " + _("(whole work)")
            sources = "\n".join(
                f"{item['source']}: {self.money(decimal(item['amount']))}" for item in fate.funding
            )
            reason = str(line.get("decision_reason") or "").strip()
            step = texts.next_step(fate.decision)
            table.add(
                fate.number,
                activity,
                decision_label(fate.decision),
                quantity,
                fate.funded_total if is_funded else None,
                sources,
                fate.proposed_contribution,
                period_text(line["start"], line["end"]) if is_funded else "",
                str(modes.get(line.get("implementation_mode") or "", "")) if is_funded else "",
                detail=" ".join(_sentence(x) for x in (reason, step) if x),
            )
            if is_funded:
                support += fate.funded_total
                given += fate.contribution
            proposed += fate.proposed_contribution or ZERO
        if self.fates:
            table.add(None, _("Total"), "", "", support, "", proposed, "", "", style="total")
        self.support, self.given = support, given
        return table

    def context(self) -> dict[str, Any]:
        plan, version = self.plan, self.version
        commune, province = _place_and_parents(plan)
        village = plan.village.name
        published = version.published_at.date() if version.published_at else None
        table = self.table()
        funded = sum(1 for f in self.fates if f.decision == Decision.FUNDED)
        values = {
            "commune": texts.in_sentence(commune),
            "village": texts.in_sentence(village),
            "year": plan.round.plan_year,
            "number": version.resolution_number,
            "date": format_date_vi(version.resolution_date),
            "published": format_date_vi(published),
        }
        intro = (
            _(
                "The socio-economic development plan of %(commune)s for %(year)s was approved by "
                "Resolution No. %(number)s of %(date)s of the People's Council of the commune and "
                "published on %(published)s. The People's Committee of the commune informs "
                "%(village)s of its decision on each proposal of the village."
            )
            % values
        )
        if version.is_amendment:
            intro += " " + _("This notice follows version %(n)s of the plan (an amendment).") % {
                "n": version.number
            }
        summary = ngettext(
            "%(funded)s of the %(n)s proposal is funded: %(support)s million VND of support; "
            "the village contributes %(given)s million VND.",
            "%(funded)s of the %(n)s proposals are funded: %(support)s million VND of support; "
            "the village contributes %(given)s million VND.",
            len(self.fates),
        ) % {
            "funded": funded,
            "n": len(self.fates),
            "support": self.money(self.support),
            "given": self.money(self.given),
        }
        return {
            "language": get_language() or "vi",
            "title": _("NOTICE"),
            "subtitle": _(
                "Result of the approval of the %(year)s plan and the commune's decisions on the "
                "proposals of %(village)s"
            )
            % values,
            "addressee": _("To: the head and the people of %(village)s") % values,
            "intro": intro,
            "summary": summary,
            "closing": _(
                "Please read this notice at the village meeting and post it at the cultural "
                "house. Questions and comments may be sent to the People's Committee of the "
                "commune."
            ),
            "shares_note": _(
                "Amounts in million VND. For a work shared with other villages, the support "
                "shown is the village's part of it, in proportion to the support each village "
                "asked for."
            )
            + " "
            + _(
                "The proposed contribution is what the village offered for its own part of the "
                "work; for a proposal without funding it is given only if the work is funded "
                "later."
            ),
            "table": table_context(table, self.decimals),
            "authority": _("PEOPLE'S COMMITTEE"),
            "authority_unit": commune.upper(),
            "reference": _("No.: ……/TB-UBND"),
            "nation": texts.national_heading(),
            "place_date": texts.place_date(commune, published),
            "province": province,
            "prepared_by": _("Prepared by"),
            "on_behalf": _("ON BEHALF OF THE PEOPLE'S COMMITTEE"),
            "signer_title": _("CHAIRPERSON"),
            "page_label": css_string(_("Page")),
        }

    def html(self, context: dict[str, Any] | None = None) -> str:
        return sheet_html("feedback_sheet.html", context or self.context())

    def pdf(self) -> bytes:
        return sheets_pdf([self.html()])

    def filename(self) -> str:
        return f"phan-hoi-thon-{self.plan.village.code}-{self.plan.round.plan_year}.pdf"


class FeedbackSheets:
    """F13 of every village of a round in one PDF, from one published version of the commune
    plan (by default the latest): the sheet of each village plan, villages in their order,
    each on its own pages. NotFoundError while no version is published (or for a version
    number that is not a published one)."""

    def __init__(self, plan: CommunePlan, number: int | None = None) -> None:
        versions = Version.objects.filter(plan_uid=plan.uid, published_at__isnull=False)
        version = (
            latest_version(plan, published=True)
            if number is None
            else versions.filter(number=number).first()
        )
        if version is None:
            raise NotFoundError()
        self.plan = plan
        self.version = version
        village_plans = plan.round.plans.select_related(
            "village", "round__commune__parent", "round__profile"
        ).order_by("village__sort_key", "village__code")
        self.sheets = [
            FeedbackSheet(
                village_plan, (version, version_fates(version, village_plan.village.code))
            )
            for village_plan in village_plans
        ]
        if not self.sheets:
            raise NotFoundError()

    def contexts(self) -> list[dict[str, Any]]:
        """Every village's sheet as its formatter reads it (what the kept file is made from)."""
        return [sheet.context() for sheet in self.sheets]

    def pdf(self, contexts: list[dict[str, Any]] | None = None) -> bytes:
        contexts = contexts if contexts is not None else self.contexts()
        return sheets_pdf(
            [sheet.html(context) for sheet, context in zip(self.sheets, contexts, strict=True)]
        )

    def filename(self) -> str:
        round_ = self.plan.round
        return (
            f"phan-hoi-cac-thon-{round_.commune.code}-{round_.plan_year}-v{self.version.number}.pdf"
        )


def _sentence(text: str) -> str:
    """A text ending as a sentence does, so that the reason and the next step read on."""
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _poster_period(start: Any, end: Any) -> str:
    """The period as "03–06/2027" within one year, "11/2026–03/2027" across years."""
    if start.year == end.year:
        if start.month == end.month:
            return f"{start.month:02d}/{start.year}"
        return f"{start.month:02d}–{end.month:02d}/{end.year}"
    return f"{start.month:02d}/{start.year}–{end.month:02d}/{end.year}"


class VillagePoster:
    """The A0 poster of a village plan: its proposals by sector and priority, with, once the
    commune plan is published, what became of each."""

    def __init__(self, plan: VillagePlan) -> None:
        self.plan = plan
        self.decimals = int(plan.round.profile.money_decimals)
        self.version, fates, _commune_plan = village_feedback(plan)
        self.statuses: dict[str, str] = {}
        for fate in fates:
            decision = Decision.REJECTED if fate.dropped else fate.decision
            known = self.statuses.get(fate.village_line)
            if decision not in OUTCOME_ORDER:
                continue
            if known is None or OUTCOME_ORDER.index(decision) < OUTCOME_ORDER.index(known):
                self.statuses[fate.village_line] = decision

    def money(self, value: Decimal) -> str:
        return format_number_vi(value, self.decimals)

    def context(self) -> dict[str, Any]:
        plan = self.plan
        groups, grand = lines_by_sector(plan_lines(plan))
        published = self.version is not None
        sectors = []
        for group in groups:
            rows = []
            for line in group.lines:
                status = self.statuses.get(str(line.uid), "")
                rows.append(
                    {
                        "priority": line.priority or "",
                        "activity": line.activity,
                        "location": line.location,
                        "quantity": f"{number_text(line.quantity, 'qty')} {line.unit.name}".strip(),
                        "period": _poster_period(line.start_month, line.end_month),
                        "cost": self.money(line.total_cost_mvnd),
                        "contribution": self.money(line.contribution_mvnd),
                        "support": self.money(line.external_support_mvnd),
                        "status": status,
                        "status_label": decision_label(status) if status else "—",
                    }
                )
            sectors.append(
                {
                    "name": group.sector.name,
                    "rows": rows,
                    "subtotal": len(rows) > 1,  # one line is its own subtotal
                    "cost": self.money(group.total_cost),
                    "contribution": self.money(group.contribution),
                    "support": self.money(group.support),
                }
            )
        commune, province = _place_and_parents(plan)
        values = {"village": plan.village.name.upper(), "year": plan.round.plan_year}
        if published and self.version is not None:
            source = _(
                "Approved by Resolution No. %(number)s of %(date)s of the People's Council of "
                "the commune; published on %(published)s."
            ) % {
                "number": self.version.resolution_number,
                "date": format_date_vi(self.version.resolution_date),
                "published": format_date_vi(
                    self.version.published_at.date() if self.version.published_at else None
                ),
            }
        else:
            meeting = VillageMeeting.objects.filter(plan=plan).first()
            source = (
                _(
                    "Proposals adopted at the village meeting of %(date)s; not yet approved by "
                    "the commune."
                )
                % {"date": format_date_vi(meeting.held_on)}
                if meeting is not None
                else _("Proposals of the village; not yet approved by the commune.")
            )
        return {
            "title": _("DEVELOPMENT PLAN OF %(village)s FOR %(year)s") % values,
            "place": f"{commune} – {province}" if province else commune,
            "source": source,
            "published": published,
            "sectors": sectors,
            "total": {
                "cost": self.money(grand.total_cost),
                "contribution": self.money(grand.contribution),
                "support": self.money(grand.support),
            },
            "language": get_language() or "vi",
            "labels": {
                "priority": _("Priority"),
                "activity": _("Activity"),
                "quantity": _("Quantity"),
                "period": _("Period"),
                "cost": _("Cost"),
                "contribution": _("Contribution"),
                "support": _("Support"),
                "status": _("Result"),
                "subtotal": _("Subtotal"),
                "total": _("Total of the plan"),
                "unit": _("Amounts in million VND."),
                "empty": _("The village has no proposals yet."),
            },
        }

    def pdf(self) -> bytes:
        return sheet_pdf("poster.html", self.context())

    def filename(self) -> str:
        return f"ap-phich-thon-{self.plan.village.code}-{self.plan.round.plan_year}.pdf"


# --- the annex of the village plan: the PRA outputs (F2) --------------------------------------

PRA_IMAGE_SCHEME = "kehoach-pra:"
"""The only URLs the annex's PDF may load: a thumbnail kehoach re-encoded itself, handed to
WeasyPrint from memory by ``PraAnnex``'s own fetcher (nothing on disk or on the network)."""


def _thumbnail_bytes(photo: Any) -> bytes | None:
    """The stored thumbnail of a PRA photo (a JPEG kehoach wrote), None when its file is gone."""
    try:
        with photo.thumbnail.open("rb") as handle:
            return bytes(handle.read())
    except (OSError, ValueError):
        return None


class PraAnnex:
    """ "Phụ lục: Kết quả công cụ PRA" of a village plan (domain.md F2, §7.2): each PRA output
    with its tool, date, facilitators, women and men taking part, findings, the SWOT entries
    (F3) and problems (F4) it supports, and its photos' thumbnails; as PDF and as DOCX."""

    def __init__(self, plan: VillagePlan) -> None:
        self.plan = plan
        self.outputs = list(pra_outputs_of(plan))
        self.images: dict[str, bytes] = {}
        for output in self.outputs:
            for photo in output.photos.all():
                data = _thumbnail_bytes(photo)
                if data is not None:
                    self.images[f"{PRA_IMAGE_SCHEME}{photo.uid}"] = data

    def title(self) -> str:
        return _("Annex: PRA tool results")

    def rows(self) -> list[dict[str, Any]]:
        """Each output as both formatters write it."""
        rows = []
        for position, output in enumerate(self.outputs, start=1):
            supports = [
                _("SWOT: %(sector)s") % {"sector": entry.sector.display_name()}
                for entry in output.supports_swot.all()
            ] + [
                _("Problem: %(problem)s") % {"problem": problem}
                for problem in output.supports_problems.all()
            ]
            photos = [
                {"src": f"{PRA_IMAGE_SCHEME}{photo.uid}", "caption": photo.caption}
                for photo in output.photos.all()
                if f"{PRA_IMAGE_SCHEME}{photo.uid}" in self.images
            ]
            rows.append(
                {
                    "number": position,
                    "tool": output.tool.name,
                    "date": format_date_vi(output.held_on),
                    "facilitators": output.facilitators,
                    "participants": _("%(women)s women, %(men)s men")
                    % {
                        "women": format_number_vi(output.participants_women, 0),
                        "men": format_number_vi(output.participants_men, 0),
                    },
                    "findings": output.findings.splitlines(),
                    "supports": supports,
                    "photos": photos,
                }
            )
        return rows

    def labels(self) -> dict[str, str]:
        return {
            "date": _("Date"),
            "facilitators": _("Facilitators"),
            "participants": _("Taking part"),
            "findings": _("Findings"),
            "supports": _("Findings it supports"),
            "empty": _("No PRA output has been recorded for this plan."),
        }

    def context(self) -> dict[str, Any]:
        commune, province = _place_and_parents(self.plan)
        return {
            "language": get_language() or "vi",
            "title": self.title(),
            "subtitle": _("Village plan %(year)s — %(village)s")
            % {"year": self.plan.round.plan_year, "village": self.plan.village.name},
            "place": f"{commune} – {province}" if province else commune,
            "rows": self.rows(),
            "labels": self.labels(),
            "page_label": css_string(_("Page")),
        }

    def html(self) -> str:
        return sheet_html("pra_annex.html", self.context())

    def _fetch(self, url: str, *args: Any, **kwargs: Any) -> Any:
        data = self.images.get(url)
        if data is None:
            return refuse_fetch(url)
        try:  # WeasyPrint 68+; the dict form before it (the pin allows from 62)
            from weasyprint.urls import URLFetcherResponse
        except ImportError:  # pragma: no cover - older WeasyPrint
            return {"string": data, "mime_type": "image/jpeg"}
        return URLFetcherResponse(url, body=data, headers={"Content-Type": "image/jpeg"})

    def pdf(self) -> bytes:
        from weasyprint import HTML  # imported here: loading pango takes a moment

        return bytes(HTML(string=self.html(), url_fetcher=self._fetch).write_pdf())

    def docx(self) -> bytes:
        from docx import Document as new_docx
        from docx.shared import Cm, Pt

        document = new_docx()
        style = document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(12)
        context = self.context()
        document.add_heading(context["title"], level=1)
        document.add_paragraph(context["subtitle"])
        labels = context["labels"]
        if not context["rows"]:
            document.add_paragraph(labels["empty"])
        for row in context["rows"]:
            document.add_heading(f"{row['number']}. {row['tool']}", level=2)
            for key in ("date", "facilitators", "participants"):
                if row[key]:
                    paragraph = document.add_paragraph()
                    paragraph.add_run(f"{labels[key]}: ").bold = True
                    paragraph.add_run(row[key])
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{labels['findings']}:").bold = True
            for line in row["findings"]:
                document.add_paragraph(line)
            if row["supports"]:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{labels['supports']}:").bold = True
                for item in row["supports"]:
                    document.add_paragraph(item, style="List Bullet")
            for photo in row["photos"]:
                document.add_picture(io.BytesIO(self.images[photo["src"]]), width=Cm(7))
                if photo["caption"]:
                    document.add_paragraph(photo["caption"])
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    def filename(self, suffix: str = "pdf") -> str:
        return f"phu-luc-pra-thon-{self.plan.village.code}-{self.plan.round.plan_year}.{suffix}"
