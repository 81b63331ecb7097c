"""What the portal keeps of published data so that it is built once (issue 16).

A published version never changes, so an open-data file of a scope (a commune or a province and
a plan year) is a function of the versions it contains — and, for the progress dataset, of the
progress reports and photos read with them. ``PublishedFile`` holds such a file, built once and
stored under ``MEDIA_ROOT/published/``, keyed by that fingerprint: a new version (or a new
progress report) makes a new key and a new file; the old row and file stay, for the address that
names the old fingerprint. ``PublishedFragment`` holds the rendered part of a public page that
depends only on a published version (the plan's tables), keyed the same way;
``PublishedPage`` the part of a unit's page (its communes or plans) for one set of versions.

Both tables are caches of published data: deleting a row only makes the next request build it
again. Nothing here is ever built from a draft (the builders read through the portal's
selectors, which see published versions only).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


def published_path(instance: PublishedFile, filename: str) -> str:
    return f"published/{instance.unit_code}/{instance.year}/{filename}"


class PublishedFile(models.Model):
    """One open-data file (dataset × format × scope × fingerprint), built once."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    """sha256 of dataset, format, unit, year and fingerprint (``portal.stored.files``)."""
    dataset = models.CharField(_("dataset"), max_length=32)
    fmt = models.CharField(_("format"), max_length=8)
    unit_code = models.CharField(_("unit code"), max_length=32)
    year = models.PositiveIntegerField(_("plan year"))
    fingerprint = models.CharField(_("versions fingerprint"), max_length=64)
    """sha256 of the ids of the published versions in the file (and, for progress, of the
    state of their reports and photos); the address of this very file names its first 16
    characters."""
    file = models.FileField(_("file"), upload_to=published_path, max_length=300, blank=True)
    size = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    etag = models.CharField(_("sha256 of the content"), max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    """Empty while the file is being built (the builder holds the row's lock)."""

    class Meta:
        verbose_name = _("published open-data file")
        verbose_name_plural = _("published open-data files")
        indexes = [
            models.Index(
                fields=["unit_code", "year", "dataset", "fmt", "fingerprint"],
                name="portal_file_address_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dataset}-{self.unit_code}-{self.year}.{self.fmt} [{self.fingerprint[:16]}]"

    @property
    def is_built(self) -> bool:
        return self.built_at is not None and bool(self.file)


class PublishedFragment(models.Model):
    """The rendered HTML of the part of a public page made only from published versions."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    html = models.TextField(_("HTML"))
    built_at = models.DateTimeField(_("built at"), auto_now_add=True)

    class Meta:
        verbose_name = _("published page fragment")
        verbose_name_plural = _("published page fragments")

    def __str__(self) -> str:
        return self.key


class PublishedPage(models.Model):
    """The rendered part of a unit's public page — the home page's provinces, a province's
    communes, a commune's plans — for one set of published versions and one language.

    Apart from ``PublishedFragment`` because its life differs: it is rendered inside the
    publishing transaction (``portal.stored.page_parts``) and is superseded by every later
    publication in the unit (in the whole country for the home page), so the rows of a page
    that no longer match its versions are deleted after each publication, while a version's
    tables stay valid for ever."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    """sha256 of the templates, their source, the language, the page and ``fingerprint``."""
    page = models.CharField(_("page"), max_length=64, db_index=True)
    """Which page: ``home``, ``province:<code>`` or ``commune:<code>``."""
    fingerprint = models.CharField(_("versions fingerprint"), max_length=64)
    """What the page lists depends on: the published versions below the unit."""
    html = models.TextField(_("HTML"))
    built_at = models.DateTimeField(_("built at"), auto_now_add=True)

    class Meta:
        verbose_name = _("published unit page")
        verbose_name_plural = _("published unit pages")

    def __str__(self) -> str:
        return f"{self.page} [{self.fingerprint[:16]}]"
