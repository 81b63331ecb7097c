"""The works of a published plan with their progress, and their public photos."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.db.models import Count, F, Prefetch

from kehoach.core.errors import NotFoundError
from kehoach.monitoring.choices import PhotoStage
from kehoach.monitoring.models import Disbursement, ProgressPhoto, ProgressReport

from ..tables import funded_works
from .published import PublishedPlan, latest_published_versions, published_versions

# --- works and their progress ------------------------------------------------------------------


@dataclass
class SourceMoney:
    code: str
    name: str
    approved: Decimal
    disbursed: Decimal


@dataclass
class Work:
    """A funded line of the published snapshot with its latest progress report."""

    line: dict[str, Any]
    report: ProgressReport | None
    photos: list[ProgressPhoto] = field(default_factory=list)

    @property
    def uid(self) -> str:
        return str(self.line["uid"])

    @property
    def quantity(self) -> Decimal:
        return Decimal(self.line["quantity"])

    @property
    def percent(self) -> Decimal | None:
        """Quantity done as a share of the approved quantity (computed, never stored)."""
        if self.report is None or not self.quantity:
            return None
        return (self.report.quantity_done * 100 / self.quantity).quantize(Decimal("0.1"))

    @property
    def sources(self) -> list[SourceMoney]:
        """Approved (as published) and disbursed (to date) by source."""
        rows: dict[str, SourceMoney] = {}
        for item in self.line.get("funding", []):
            row = rows.setdefault(
                item["source"],
                SourceMoney(item["source"], item["source_name"], Decimal(0), Decimal(0)),
            )
            row.approved += Decimal(item["amount"])
        if self.report is not None:
            for d in self.report.disbursements.all():
                source = d.envelope_line.source
                row = rows.setdefault(
                    source.code, SourceMoney(source.code, source.name, Decimal(0), Decimal(0))
                )
                row.disbursed += d.amount_mvnd
        return list(rows.values())

    @property
    def approved(self) -> Decimal:
        return sum((Decimal(f["amount"]) for f in self.line.get("funding", [])), Decimal(0))

    @property
    def disbursed(self) -> Decimal | None:
        if self.report is None:
            return None
        return sum((d.amount_mvnd for d in self.report.disbursements.all()), Decimal(0))

    @property
    def contribution_planned(self) -> Decimal:
        return Decimal(self.line["contribution"])

    @property
    def contribution_realised(self) -> Decimal | None:
        return self.report.contribution_mvnd if self.report is not None else None

    def photos_by_stage(self) -> list[tuple[str, str, list[ProgressPhoto]]]:
        """(stage, its label, its photos) for each stage that has photos, before → after."""
        return [
            (value, str(label), [p for p in self.photos if p.stage == value])
            for value, label in PhotoStage.choices
            if any(p.stage == value for p in self.photos)
        ]


def latest_reports(plan_uids: Iterable[Any], line_uid: str | None = None) -> dict[str, Any]:
    """Line uid → latest progress report, for the lines of these plans (two queries: the
    reports and their money). The caller keeps only the works of the published snapshot."""
    reports = ProgressReport.objects.filter(
        is_latest=True, line__plan__uid__in=[str(u) for u in plan_uids]
    )
    if line_uid is not None:
        reports = reports.filter(line__uid=line_uid)
    reports = reports.annotate(line_uid=F("line__uid")).prefetch_related(
        Prefetch(
            "disbursements",
            queryset=Disbursement.objects.select_related("envelope_line__source").order_by("id"),
        )
    )
    return {str(r.line_uid): r for r in reports}


def photo_counts(plan_uids: Iterable[Any]) -> dict[str, int]:
    """Line uid → number of photos of the line's reports, for the lines of these plans."""
    rows = (
        ProgressPhoto.objects.filter(report__line__plan__uid__in=[str(u) for u in plan_uids])
        .values("report__line__uid")
        .annotate(n=Count("id"))
        .values_list("report__line__uid", "n")
    )
    return {str(uid): n for uid, n in rows}


def plan_works(published: PublishedPlan) -> list[Work]:
    """The works of the published snapshot with their latest report."""
    reports = latest_reports([published.plan_uid])
    return [Work(line, reports.get(line["uid"])) for line in funded_works(published.data)]


def published_work(published: PublishedPlan, line_uid: UUID | str) -> Work:
    """One work of the published snapshot with its latest report and the photos of all its
    reports; NotFoundError for a line that is not a funded line of the snapshot."""
    line = next((x for x in funded_works(published.data) if x["uid"] == str(line_uid)), None)
    if line is None:
        raise NotFoundError()
    report = latest_reports([published.plan_uid], str(line_uid)).get(str(line_uid))
    photos = list(
        ProgressPhoto.objects.filter(
            report__line__uid=line_uid, report__line__plan__uid=published.plan_uid
        )
        .select_related("report")
        .order_by("report__reported_on", "id")
    )
    return Work(line, report, photos)


@lru_cache(maxsize=1024)
def _published_work_uids(plan_uid: str, number: int) -> frozenset[str]:
    """The funded lines of a published version. A published version never changes (it is
    append-only), so what it funds is kept in memory by plan and number."""
    data = (
        published_versions().filter(plan_uid=plan_uid, number=number).values_list("data", flat=True)
    )
    snapshot = next(iter(data), None) or {}
    return frozenset(line["uid"] for line in funded_works(snapshot))


def public_photo(uid: UUID | str) -> ProgressPhoto:
    """A photo of a work of a published plan — a funded line of the plan's latest published
    version — or NotFoundError, the same for a photo that does not exist."""
    photo = (
        ProgressPhoto.objects.filter(uid=uid)
        .annotate(line_uid=F("report__line__uid"), plan_uid=F("report__line__plan__uid"))
        .first()
    )
    if photo is None:
        raise NotFoundError()
    plan_uid = str(photo.plan_uid)
    number = (
        latest_published_versions()
        .filter(plan_uid=plan_uid)
        .values_list("number", flat=True)
        .first()
    )
    if number is None or str(photo.line_uid) not in _published_work_uids(plan_uid, number):
        raise NotFoundError()
    return photo
