"""Following the approved works to completion (F14), the community's supervision (F17) and the
evaluation of the year (F15, F16 achieved).

A progress report states a work's position *to date*: quantity done, money disbursed from each
envelope line and community contribution realised are cumulative, so the latest report of a
line (``is_latest``, one per line, kept by the service under a lock on the line) is what the
dashboards sum. Reports are never changed: a correction is a newer report, and the line's
history keeps every one.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel

from .choices import MemberOrganisation, MemberRole, Opinion, PhotoStage, ProgressStatus

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 3}
"""Million VND with three decimals: one đồng is 0,000001 million, a thousand đồng 0,001."""
QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
REPORTED_MONEY: dict[str, Any] = {**MONEY, "validators": bounds.MONEY_MVND.validators()}
REPORTED_QUANTITY: dict[str, Any] = {**QUANTITY, "validators": bounds.QUANTITY.validators()}
LABOUR: dict[str, Any] = {**QUANTITY, "validators": bounds.LABOUR_DAYS.validators()}
LAND: dict[str, Any] = {**QUANTITY, "validators": bounds.LAND_M2.validators()}

_USER: dict[str, Any] = {
    "to": settings.AUTH_USER_MODEL,
    "null": True,
    "blank": True,
    "on_delete": models.PROTECT,
    "related_name": "+",
}


def private_storage() -> FileSystemStorage:
    """Photos are kept where no URL reaches them; a view that checks who asks serves them."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def photo_path(instance: ProgressPhoto, filename: str) -> str:
    return f"photos/{instance.uid}.{instance.extension}"


def thumbnail_path(instance: ProgressPhoto, filename: str) -> str:
    return f"photos/{instance.uid}-nho.jpg"


@bounded
class ProgressReport(TimeStampedModel):
    """F14: where an approved work stands on a date."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    line = models.ForeignKey(
        "synthesis.CommuneLine",
        verbose_name=_("work"),
        on_delete=models.PROTECT,
        related_name="progress_reports",
    )
    reported_on = models.DateField(_("reporting date"))
    quantity_done = models.DecimalField(_("quantity done"), **REPORTED_QUANTITY)
    status = models.CharField(
        _("status"), max_length=16, choices=ProgressStatus.choices, default=ProgressStatus.ONGOING
    )
    status_reason = models.TextField(
        _("reason for the status"), blank=True, max_length=bounds.NOTE_TEXT
    )
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateField(_("actual finish"), null=True, blank=True)
    contribution_cash_mvnd = models.DecimalField(
        _("contribution given in cash"), default=Decimal(0), **REPORTED_MONEY
    )
    contribution_labour_days = models.DecimalField(
        _("labour days given"), default=Decimal(0), **LABOUR
    )
    contribution_labour_mvnd = models.DecimalField(
        _("value of the labour given"), default=Decimal(0), **REPORTED_MONEY
    )
    contribution_materials_mvnd = models.DecimalField(
        _("materials given"), default=Decimal(0), **REPORTED_MONEY
    )
    contribution_land_m2 = models.DecimalField(_("land given (m²)"), default=Decimal(0), **LAND)
    problems = models.TextField(_("problems"), blank=True, max_length=bounds.NOTE_TEXT)
    excess_reason = models.TextField(
        _("reason for exceeding the approved plan"),
        blank=True,
        help_text=_("Required when the quantity or an amount is above what was approved."),
        max_length=bounds.NOTE_TEXT,
    )
    reporter = models.ForeignKey(verbose_name=_("reported by"), **_USER)
    reporter_name = models.CharField(_("reported by (name at the time)"), max_length=150)
    is_latest = models.BooleanField(_("latest report of the work"), default=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=Q(is_latest=True), name="monitoring_one_latest_report"
            ),
            models.CheckConstraint(
                condition=Q(quantity_done__gte=0)
                & Q(contribution_cash_mvnd__gte=0)
                & Q(contribution_labour_days__gte=0)
                & Q(contribution_labour_mvnd__gte=0)
                & Q(contribution_materials_mvnd__gte=0)
                & Q(contribution_land_m2__gte=0),
                name="monitoring_report_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["line", "is_latest"], name="monitoring_latest_idx")]

    def __str__(self) -> str:
        return f"{self.line} · {self.reported_on:%d/%m/%Y}"

    @property
    def contribution_mvnd(self) -> Decimal:
        return (
            self.contribution_cash_mvnd
            + self.contribution_labour_mvnd
            + self.contribution_materials_mvnd
        )


@bounded
class Disbursement(models.Model):
    """Money disbursed to date for a work from one envelope line (the columns of F12)."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="disbursements"
    )
    envelope_line = models.ForeignKey(
        "synthesis.EnvelopeLine",
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    amount_mvnd = models.DecimalField(_("disbursed"), **REPORTED_MONEY)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "envelope_line"], name="monitoring_disbursement_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount_mvnd__gte=0), name="monitoring_disbursement_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} ← {self.envelope_line_id}: {self.amount_mvnd}"


class ProgressPhoto(TimeStampedModel):
    """A photo of a work, before, during or after, attached to a report. The file kept is the
    image as kehoach re-encoded it (never the bytes as uploaded), with a thumbnail."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=8, choices=PhotoStage.choices)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    image = models.FileField(_("photo"), upload_to=photo_path, storage=private_storage)
    thumbnail = models.FileField(_("thumbnail"), upload_to=thumbnail_path, storage=private_storage)
    extension = models.CharField(max_length=5, default="jpg")
    content_type = models.CharField(max_length=32, default="image/jpeg")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(verbose_name=_("uploaded by"), **_USER)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["report", "stage", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.report}"


@bounded
class SupervisionBoard(TimeStampedModel):
    """F17: the community investment supervision board of a work (at least five members, from
    the commune Front, the People's Inspectorate and the residents of the village)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    line = models.OneToOneField(
        "synthesis.CommuneLine",
        verbose_name=_("work"),
        on_delete=models.PROTECT,
        related_name="supervision_board",
    )
    established_on = models.DateField(_("established on"))
    decision_ref = models.CharField(_("decision establishing the board"), max_length=200)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=bounds.NOTE_TEXT)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("supervision board")
        verbose_name_plural = _("supervision boards")

    def __str__(self) -> str:
        return str(self.line)


class BoardMember(TimeStampedModel):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    board = models.ForeignKey(SupervisionBoard, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(
        _("role"), max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    organisation = models.CharField(
        _("represents"),
        max_length=20,
        choices=MemberOrganisation.choices,
        default=MemberOrganisation.RESIDENT,
    )
    village = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    left_on = models.DateField(_("left the board on"), null=True, blank=True)

    class Meta:
        verbose_name = _("board member")
        verbose_name_plural = _("board members")
        ordering = ["board", "role", "full_name"]

    def __str__(self) -> str:
        return self.full_name


@bounded
class SupervisionVisit(TimeStampedModel):
    """One visit of the board to the work, with what was checked and found."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    board = models.ForeignKey(SupervisionBoard, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("date of the visit"))
    items_checked = models.TextField(
        _("items checked"),
        help_text=_("Materials, volumes, compliance with the design …"),
        max_length=bounds.LONG_TEXT,
    )
    findings = models.TextField(_("findings"), max_length=bounds.LONG_TEXT)
    recommendations = models.TextField(
        _("recommendations"), blank=True, max_length=bounds.LONG_TEXT
    )
    follow_up = models.TextField(_("follow-up"), blank=True, max_length=bounds.LONG_TEXT)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    follow_up_on = models.DateField(_("follow-up done on"), null=True, blank=True)
    recorded_by = models.ForeignKey(verbose_name=_("recorded by"), **_USER)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.board} · {self.visited_on:%d/%m/%Y}"


@bounded
class LineEvaluation(TimeStampedModel):
    """F15 (a): one work at the end of the year, plan against achieved."""

    line = models.OneToOneField(
        "synthesis.CommuneLine",
        verbose_name=_("work"),
        on_delete=models.PROTECT,
        related_name="evaluation",
    )
    deviation_reason = models.TextField(
        _("reasons for the difference from the plan"), blank=True, max_length=bounds.LONG_TEXT
    )
    beneficiary_opinion = models.CharField(
        _("beneficiaries' opinion"),
        max_length=16,
        choices=Opinion.choices,
        default=Opinion.NOT_ASKED,
    )
    opinion_notes = models.TextField(
        _("what the beneficiaries said"), blank=True, max_length=bounds.LONG_TEXT
    )
    operation_maintenance = models.TextField(
        _("operation and maintenance arrangement"), blank=True, max_length=bounds.LONG_TEXT
    )
    lesson = models.TextField(_("lesson"), blank=True, max_length=bounds.LONG_TEXT)
    evaluated_by = models.ForeignKey(verbose_name=_("evaluated by"), **_USER)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("evaluation of a work")
        verbose_name_plural = _("evaluations of works")

    def __str__(self) -> str:
        return str(self.line)


@bounded
class PlanEvaluation(TimeStampedModel):
    """F15 (b): the year as a whole. It becomes part I of next year's plan document."""

    plan = models.OneToOneField(
        "synthesis.CommunePlan",
        verbose_name=_("commune plan"),
        on_delete=models.PROTECT,
        related_name="evaluation",
    )
    evaluated_on = models.DateField(_("evaluated on"))
    results = models.TextField(_("results achieved"), max_length=bounds.LONG_TEXT)
    shortcomings = models.TextField(
        _("shortcomings and their causes"), blank=True, max_length=bounds.LONG_TEXT
    )
    lessons = models.TextField(_("lessons"), blank=True, max_length=bounds.LONG_TEXT)
    evaluated_by = models.ForeignKey(verbose_name=_("evaluated by"), **_USER)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("evaluation of the year")
        verbose_name_plural = _("evaluations of the year")

    def __str__(self) -> str:
        return str(self.plan)


@bounded
class TargetAchievement(TimeStampedModel):
    """F16: what an indicator of the plan achieved (the evaluation's column)."""

    target = models.OneToOneField(
        "synthesis.TargetValue",
        verbose_name=_("target"),
        on_delete=models.CASCADE,
        related_name="achievement",
    )
    achieved = models.DecimalField(
        _("achieved"), max_digits=16, decimal_places=3, validators=bounds.INDICATOR.validators()
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("target achieved")
        verbose_name_plural = _("targets achieved")

    def __str__(self) -> str:
        return f"{self.target}: {self.achieved}"
