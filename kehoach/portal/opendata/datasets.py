"""The three open datasets: their fields (name, meaning, type and unit), the rows each yields
from the portal's selectors, and the data dictionary made from the fields."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kehoach.geo.models import AdministrativeUnit
from kehoach.monitoring.choices import ProgressStatus
from kehoach.synthesis.choices import Decision

from .. import selectors
from ..tables import (
    ZERO,
    decision_label,
    decision_labels,
    funded_works,
    line_villages,
    lines_in_plan_order,
    money,
)


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise


TEXT = Kind("text", _("text"))
INTEGER = Kind("integer", _("whole number"))
NUMBER = Kind("number", _("number"))
MONEY = Kind("money", _("number, million VND"))
PERCENT = Kind("percent", _("number, per cent"))
DATE = Kind("date", _("date, YYYY-MM-DD"))
MONTH = Kind("month", _("month, YYYY-MM"))
BOOLEAN = Kind("boolean", _("true or false"))
CODE = Kind("code", _("code (see the list of codes)"))
UID = Kind("uid", _("identifier (UUID)"))
SOURCES = Kind(
    "sources",
    _(
        "amounts by funding source, million VND: in CSV and XLSX “code: amount” separated by "
        "“; ”, in JSON a list of {source, source_name, amount_mvnd}"
    ),
)


@dataclass(frozen=True)
class Field:
    name: str
    meaning: Promise
    kind: Kind


COMMON = (
    Field("province_code", _("Official code of the province"), TEXT),
    Field("province_name", _("Province"), TEXT),
    Field("commune_code", _("Official code of the commune"), TEXT),
    Field("commune_name", _("Commune"), TEXT),
    Field("plan_year", _("Year of the plan"), INTEGER),
    Field(
        "version",
        _("Version of the plan published (1 = as first approved, 2 and more = amendments)"),
        INTEGER,
    ),
    Field("resolution_number", _("Number of the People's Council resolution approving it"), TEXT),
    Field("resolution_date", _("Date of the resolution"), DATE),
    Field("published_on", _("Date the version was published"), DATE),
)

LINE = (
    Field("line_uid", _("Identifier of the commune plan line (stable across versions)"), UID),
    Field("line_number", _("Number of the line in the commune plan"), INTEGER),
    Field("sector_code", _("Code of the sector"), TEXT),
    Field("sector_name", _("Sector"), TEXT),
    Field("activity", _("Activity or work"), TEXT),
)


@dataclass
class Scope:
    unit: AdministrativeUnit
    year: int


class Dataset:
    slug: str
    title: Promise
    description: Promise
    fields: tuple[Field, ...]
    codes: tuple[tuple[Promise, Any], ...] = ()
    """(what the codes are, their choices) for the fields of kind CODE."""
    follows_progress = False
    """The rows show progress reports, which change without a new published version."""

    def parts(self, scope: Scope) -> Iterator[tuple[dict[str, Any], Iterator[dict[str, Any]]]]:
        """Each published plan of the scope: the ``COMMON`` fields that all its rows share, and
        its rows' own fields (the writers format the shared part once a plan)."""
        for batch in selectors.published_in(scope.unit, scope.year):
            for plan in batch:
                yield _common(plan), self.plan_rows(plan)

    def rows(self, scope: Scope) -> Iterator[dict[str, Any]]:
        """The rows whole: the ``COMMON`` fields and then the row's own."""
        for common, own in self.parts(scope):
            for row in own:
                yield {**common, **row}

    def plan_rows(self, plan: selectors.ScopePlan) -> Iterator[dict[str, Any]]:
        """A plan's rows without the ``COMMON`` fields."""
        raise NotImplementedError

    def filename(self, scope: Scope, fmt: str) -> str:
        return f"{self.slug}-{scope.unit.code}-{scope.year}.{fmt}"


def _common(plan: selectors.ScopePlan) -> dict[str, Any]:
    version = plan.version
    published = version.published_at
    return {
        "province_code": plan.province_code,
        "province_name": plan.province_name,
        "commune_code": plan.commune_code,
        "commune_name": plan.commune_name,
        "plan_year": int(version.data.get("year") or 0),
        "version": version.number,
        "resolution_number": version.resolution_number,
        "resolution_date": version.resolution_date,
        "published_on": timezone.localdate(published) if published else None,
    }


def _line(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "line_uid": line["uid"],
        "line_number": line["number"],
        "sector_code": line["sector"],
        "sector_name": line["sector_name"],
        "activity": line["activity"],
    }


def _funding(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"source": f["source"], "source_name": f["source_name"], "amount_mvnd": money(f["amount"])}
        for f in items
    ]


class PlansDataset(Dataset):
    slug = "ke-hoach"
    title = _("Published plans")
    description = _(
        "One row per activity of the latest published version of each commune plan: where, "
        "how much, the community's contribution, the support asked for, the commune's decision "
        "with its reason, and the support approved by funding source."
    )
    fields = (
        *COMMON,
        *LINE,
        Field("villages", _("Villages that proposed it, separated by “; ”"), TEXT),
        Field("organisation", _("Commune sector or organisation that proposed it"), TEXT),
        Field("location", _("Location"), TEXT),
        Field("unit", _("Unit of measure"), TEXT),
        Field("quantity", _("Quantity"), NUMBER),
        Field("start_month", _("Planned start"), MONTH),
        Field("end_month", _("Planned end"), MONTH),
        Field("total_cost_mvnd", _("Total cost"), MONEY),
        Field("contribution_mvnd", _("Community contribution (cash, labour, materials)"), MONEY),
        Field("support_requested_mvnd", _("External support asked for"), MONEY),
        Field("decision", _("Decision of the commune"), CODE),
        Field("decision_label", _("Decision of the commune, in words"), TEXT),
        Field("decision_reason", _("Reason for the decision"), TEXT),
        Field("approved_support_mvnd", _("Support approved, all sources"), MONEY),
        Field("funding", _("Support approved by funding source"), SOURCES),
    )
    codes = ((_("Decision of the commune"), Decision.choices),)

    def plan_rows(self, plan: selectors.ScopePlan) -> Iterator[dict[str, Any]]:
        labels = decision_labels()
        for raw in lines_in_plan_order(plan.version.data):
            funding = raw.get("funding", [])
            decision = raw["decision"]
            yield {
                **_line(raw),
                "villages": "; ".join(line_villages(raw)),
                "organisation": raw.get("organisation", ""),
                "location": raw.get("location", ""),
                "unit": raw.get("unit", ""),
                "quantity": money(raw["quantity"]),
                "start_month": raw["start"],
                "end_month": raw["end"],
                "total_cost_mvnd": money(raw["total"]),
                "contribution_mvnd": money(raw["contribution"]),
                "support_requested_mvnd": money(raw["support"]),
                "decision": decision,
                "decision_label": str(labels.get(decision, decision)),
                "decision_reason": raw.get("decision_reason", ""),
                "approved_support_mvnd": sum((money(f["amount"]) for f in funding), ZERO),
                "funding": _funding(funding),
            }


class DecisionsDataset(Dataset):
    slug = "quyet-dinh"
    title = _("Decisions on the village proposals")
    description = _(
        "One row per proposal of each village (F13): what became of it in the latest published "
        "version of the commune plan, the village's own part of the approved support by "
        "source, the contribution it gives, and the reason. A proposal that an amendment took "
        "out of the plan is “rejected”, with the amendment's reason."
    )
    fields = (
        *COMMON,
        Field("village_code", _("Code of the village"), TEXT),
        Field("village_name", _("Village"), TEXT),
        Field("proposal_number", _("Number of the proposal in the village plan"), INTEGER),
        Field("proposal", _("Proposal of the village"), TEXT),
        Field("village_priority", _("Priority the village gave it (1 = highest)"), INTEGER),
        *LINE,
        Field(
            "shared_with",
            _("Other villages sharing the same work, separated by “; ”"),
            TEXT,
        ),
        Field("decision", _("Decision of the commune"), CODE),
        Field("decision_label", _("Decision of the commune, in words"), TEXT),
        Field("decision_reason", _("Reason for the decision"), TEXT),
        Field(
            "taken_out_by_amendment",
            _("The proposal was in an earlier version and an amendment took it out"),
            BOOLEAN,
        ),
        Field("approved_support_mvnd", _("Support approved for the village's part"), MONEY),
        Field("funding", _("Support approved for the village's part, by source"), SOURCES),
        Field("contribution_mvnd", _("Contribution the village gives for its part"), MONEY),
        Field("start_month", _("Planned start"), MONTH),
        Field("end_month", _("Planned end"), MONTH),
    )
    codes = ((_("Decision of the commune"), Decision.choices),)

    def plan_rows(self, plan: selectors.ScopePlan) -> Iterator[dict[str, Any]]:
        for code, name, fate in selectors.all_fates(plan):
            line = fate.line
            priority = next(
                (
                    s.get("priority")
                    for s in line.get("sources", [])
                    if s["village_line"] == fate.village_line
                ),
                None,
            )
            yield {
                "village_code": code,
                "village_name": name,
                "proposal_number": fate.number,
                "proposal": fate.activity,
                "village_priority": priority,
                **_line(line),
                "shared_with": "; ".join(fate.shared_with),
                "decision": fate.decision,
                "decision_label": decision_label(fate.decision),
                "decision_reason": line.get("decision_reason", ""),
                "taken_out_by_amendment": fate.dropped,
                "approved_support_mvnd": fate.funded_total,
                "funding": _funding(fate.funding),
                "contribution_mvnd": fate.contribution,
                "start_month": line["start"],
                "end_month": line["end"],
            }


class ProgressDataset(Dataset):
    slug = "tien-do"
    title = _("Progress of the works")
    description = _(
        "One row per work (a funded activity of the latest published version of each commune "
        "plan) with its latest progress report (F14): quantity done, status, money disbursed "
        "against the support approved, and the community's contribution given against the "
        "contribution planned. A work without a report has the report's fields empty."
    )
    fields = (
        *COMMON,
        *LINE,
        Field("villages", _("Villages that proposed it, separated by “; ”"), TEXT),
        Field("location", _("Location"), TEXT),
        Field("unit", _("Unit of measure"), TEXT),
        Field("quantity_planned", _("Quantity approved"), NUMBER),
        Field("quantity_done", _("Quantity done to date"), NUMBER),
        Field("percent_done", _("Quantity done as a share of the quantity approved"), PERCENT),
        Field("status", _("Status of the work"), CODE),
        Field("status_label", _("Status of the work, in words"), TEXT),
        Field("status_reason", _("Why the work is suspended or cancelled"), TEXT),
        Field("reported_on", _("Date of the latest progress report"), DATE),
        Field("actual_start", _("Actual start"), DATE),
        Field("actual_finish", _("Actual finish"), DATE),
        Field("approved_support_mvnd", _("Support approved, all sources"), MONEY),
        Field("disbursed_mvnd", _("Money disbursed to date, all sources"), MONEY),
        Field("disbursed", _("Money disbursed to date, by source"), SOURCES),
        Field("contribution_planned_mvnd", _("Community contribution planned"), MONEY),
        Field(
            "contribution_given_mvnd",
            _("Community contribution given to date (cash, labour, materials)"),
            MONEY,
        ),
        Field("labour_days_given", _("Labour days given to date"), NUMBER),
        Field("photos", _("Number of photos of the work on the portal"), INTEGER),
    )
    codes = ((_("Status of the work"), ProgressStatus.choices),)
    follows_progress = True

    def parts(self, scope: Scope) -> Iterator[tuple[dict[str, Any], Iterator[dict[str, Any]]]]:
        for batch in selectors.published_in(scope.unit, scope.year):
            uids = [plan.version.plan_uid for plan in batch]
            reports = selectors.latest_reports(uids)
            photos = selectors.photo_counts(uids)
            for plan in batch:
                yield _common(plan), self._plan_rows(plan, reports, photos)

    def _plan_rows(
        self, plan: selectors.ScopePlan, reports: dict[str, Any], photos: dict[str, int]
    ) -> Iterator[dict[str, Any]]:
        statuses = dict(ProgressStatus.choices)
        for line in funded_works(plan.version.data):
            work = selectors.Work(line, reports.get(line["uid"]))
            report = work.report
            yield {
                **_line(line),
                "villages": "; ".join(line_villages(line)),
                "location": line.get("location", ""),
                "unit": line.get("unit", ""),
                "quantity_planned": work.quantity,
                "quantity_done": report.quantity_done if report else None,
                "percent_done": work.percent,
                "status": report.status if report else "",
                "status_label": str(statuses.get(report.status, "")) if report else "",
                "status_reason": report.status_reason if report else "",
                "reported_on": report.reported_on if report else None,
                "actual_start": report.actual_start if report else None,
                "actual_finish": report.actual_finish if report else None,
                "approved_support_mvnd": work.approved,
                "disbursed_mvnd": work.disbursed,
                "disbursed": [
                    {"source": s.code, "source_name": s.name, "amount_mvnd": s.disbursed}
                    for s in work.sources
                    if report is not None
                ],
                "contribution_planned_mvnd": work.contribution_planned,
                "contribution_given_mvnd": work.contribution_realised,
                "labour_days_given": report.contribution_labour_days if report else None,
                "photos": photos.get(line["uid"], 0),
            }


DATASETS: dict[str, Dataset] = {
    d.slug: d for d in (PlansDataset(), DecisionsDataset(), ProgressDataset())
}


@dataclass
class DictionaryEntry:
    """A dataset as the data dictionary page lists it."""

    slug: str
    title: Promise
    description: Promise
    rows: list[tuple[str, str, str, str]]
    """(field, meaning in Vietnamese, meaning in English, type and unit)"""
    code_lists: list[tuple[str, list[tuple[str, str, str]]]]
    """(what is coded, [(code, meaning in Vietnamese, meaning in English)])"""


def both_languages(text: Any) -> tuple[str, str]:
    with translation.override("vi"):
        vi = str(text)
    with translation.override("en"):
        en = str(text)
    return vi, en


def dictionary(dataset: Dataset) -> DictionaryEntry:
    return DictionaryEntry(
        slug=dataset.slug,
        title=dataset.title,
        description=dataset.description,
        rows=[(f.name, *both_languages(f.meaning), str(f.kind.label)) for f in dataset.fields],
        code_lists=[
            (str(title), [(str(code), *both_languages(label)) for code, label in choices])
            for title, choices in dataset.codes
        ],
    )
