"""Workbook layouts (as data) and the record of every workbook uploaded."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel


class Form(models.TextChoices):
    F1 = "F1", _("F1 — village basic information")
    F6 = "F6", _("F6 — village proposals")
    F7 = "F7", _("F7 — village five-year plan")
    F8 = "F8", _("F8 — village meeting and attendance")
    F9 = "F9", _("F9 — commune synthesis")
    F10 = "F10", _("F10 — commune scoring and ranking")
    F11 = "F11", _("F11 — resource envelope")
    F12 = "F12", _("F12 — financial plan by source")
    F14 = "F14", _("F14 — progress of the works")


class Layout(TimeStampedModel):
    """The columns of a form's workbook: their order, headers, widths and units. The shipped
    official layouts live in ``exchange/layouts/*.json``; an administrator adds a programme's
    own layout here and names it in a process profile (``extra["layouts"]``)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    form = models.CharField(_("form"), max_length=8, choices=Form.choices)
    name = models.CharField(_("name"), max_length=200)
    spec = models.JSONField(
        _("layout"),
        help_text=_(
            'The layout as JSON: {"title": "...", "columns": [{"key": "activity", "header": '
            '"...", "width": 30, "kind": "text"}, ...]}, as in the shipped layouts.'
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    profile = models.ForeignKey(
        "catalog.ProcessProfile",
        verbose_name=_("process profile"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For this process profile only; empty = every profile."),
    )
    programme = models.ForeignKey(
        "catalog.FundingSource",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The programme whose workbooks have this shape."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("workbook layout")
        verbose_name_plural = _("workbook layouts")
        ordering = ["form", "code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class HeaderSynonym(TimeStampedModel):
    """Another way a programme's workbook titles a column ("Tổng mức đầu tư" for the total
    cost), added by an administrator to the synonyms shipped in ``exchange/synonyms.json``.
    Compared folded: case, diacritics, units in parentheses and numbering do not matter."""

    form = models.CharField(
        _("form"),
        max_length=8,
        choices=Form.choices,
        blank=True,
        help_text=_("Empty = every form."),
    )
    key = models.CharField(
        _("field"),
        max_length=64,
        help_text=_(
            "The field the header names, as in the layouts (total_cost_mvnd, sector, activity, "
            "contribution_cash_mvnd …)."
        ),
    )
    text = models.CharField(
        _("header text"),
        max_length=200,
        help_text=_(
            "The header as written in the workbook, e.g. “Tổng mức đầu tư”; under a merged "
            "header write “Parent > Child”, e.g. “Dân đóng góp > Tổng”."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("column header synonym")
        verbose_name_plural = _("column header synonyms")
        ordering = ["form", "key", "text"]

    def __str__(self) -> str:
        return f"{self.form or '*'} · {self.key} · {self.text}"


def private_storage() -> FileSystemStorage:
    """Uploaded workbooks are kept where no URL reaches them (``PRIVATE_MEDIA_ROOT``); only the
    import views, which check who asks, read them."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def upload_path(instance: ImportRecord, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"imports/{instance.uid}.{suffix}"


class ImportRecord(TimeStampedModel):
    """One uploaded workbook: who, when, the file as received, what it would change and what
    happened (previewed, applied, refused)."""

    class Result(models.TextChoices):
        REFUSED = "refused", _("refused")
        PREVIEWED = "previewed", _("checked, waiting for confirmation")
        APPLIED = "applied", _("applied")
        STALE = "stale", _("not applied: the data changed after the check")
        CANCELLED = "cancelled", _("cancelled")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    form = models.CharField(_("form"), max_length=8, choices=Form.choices)
    plan_uid = models.UUIDField(_("plan"), db_index=True)
    target_uid = models.UUIDField(
        _("document"), help_text="The village plan, commune plan or round."
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("file"), upload_to=upload_path, storage=private_storage)
    filename = models.CharField(_("file name"), max_length=255)
    layout = models.CharField(_("layout"), max_length=32, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    kept = models.BinaryField(
        _("changes found by the check"),
        null=True,
        blank=True,
        editable=False,
        help_text="What the check found, compressed JSON (``services.keep_changes``): the "
        "confirmation applies it without reading the file again.",
    )

    class Meta:
        verbose_name = _("workbook import")
        verbose_name_plural = _("workbook imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.form} · {self.filename}"


class DocumentKind(models.TextChoices):
    COMMUNE_PLAN = "commune_plan", _("commune plan document")
    FEEDBACK = "feedback", _("village feedback sheet (F13)")
    POSTER = "poster", _("village poster (A0)")


def rendered_path(instance: RenderedDocument, filename: str) -> str:
    return f"documents/{instance.subject_uid}/{filename}"


class RenderedDocument(TimeStampedModel):
    """A document of an approved or published version, rendered once and kept (decision D44):
    the commune plan (PDF, Word) of a version, a village's feedback sheet (F13) of a published
    version. One row per document, version, format and language; ``fingerprint`` is the digest
    of everything the bytes were made from (the version's snapshot and the live data the
    document reads, the templates), so a change of any of it makes the next download render
    the file again and replace it. The file lies in ``PRIVATE_MEDIA_ROOT``: only the download
    views, which check who asks, read it."""

    kind = models.CharField(_("document"), max_length=16, choices=DocumentKind.choices)
    subject_uid = models.UUIDField(
        _("plan"), help_text="The commune plan, or the village plan of a feedback sheet."
    )
    version = models.ForeignKey(
        "approvals.Version",
        verbose_name=_("approved version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    format = models.CharField(_("format"), max_length=8)
    language = models.CharField(_("language"), max_length=8)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    file = models.FileField(_("file"), upload_to=rendered_path, storage=private_storage)
    size = models.PositiveIntegerField(_("size (bytes)"))
    render_ms = models.PositiveIntegerField(_("rendering time (ms)"))

    class Meta:
        verbose_name = _("kept document")
        verbose_name_plural = _("kept documents")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_uid", "version", "format", "language"],
                name="exchange_rendered_document_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.format} · {self.language}"


class DocumentRender(models.Model):
    """One render of a document asked for by a user, while it runs and for a while after: what
    the rate limit counts (``documents/limits.py``). Rows older than the limit's window are
    removed by the next render of the same user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("document"), max_length=16, choices=DocumentKind.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document rendering")
        verbose_name_plural = _("document renderings")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "started_at"], name="exchange_render_user_time")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.started_at:%Y-%m-%d %H:%M:%S}"
