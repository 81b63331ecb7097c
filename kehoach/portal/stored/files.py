"""The open-data files, built once per fingerprint and stored.

``published_file`` answers the stored file of a scope's current fingerprint, building it first
if nobody has: the row is created (its key is unique) and locked (``select_for_update``) for the
time of the build, so that a second request for the same file waits for the first and then
serves what it stored instead of building again. The file is written to a temporary file as the
rows stream from the selectors (CSV and JSON chunk by chunk, XLSX by xlsxwriter in constant
memory), hashed, then moved into ``MEDIA_ROOT/published/``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from kehoach.core.errors import NotFoundError
from kehoach.synthesis.models import PublishedState

from ..collector import collector_paused
from ..models import PublishedFile
from ..opendata import Dataset, Scope
from ..opendata.formats import csv_chunks, json_chunks, write_xlsx
from .fingerprints import BUILD, digest, scope_fingerprint, versions_fingerprint

HASH_BLOCK = 1 << 20


class _BuiltFile(File):
    """A finished temporary file: a file-system storage moves it instead of copying it."""

    def temporary_file_path(self) -> str:
        return str(self.file.name)  # type: ignore[union-attr]


def file_key(dataset: Dataset, fmt: str, scope: Scope, fingerprint: str) -> str:
    return _key(dataset, fmt, scope.unit.code, scope.year, fingerprint)


def _key(dataset: Dataset, fmt: str, code: str, year: int, fingerprint: str) -> str:
    return digest(dataset.slug, fmt, code, year, fingerprint)


def published_file_kept(dataset: Dataset, fmt: str, code: str, year: int) -> PublishedFile | None:
    """The stored file of unit ``code``'s ``year`` as published now, in two queries (what is
    published there, kept on one row, and the file) without reading the unit: the path of every
    download after the first. None when it is not built yet, when the dataset follows the works'
    progress (its fingerprint reads the unit's plans), or when nothing is published —
    ``published_file`` then decides, from the unit. A file is only ever built for a unit that
    may have one, so finding it here needs no check of the unit's level."""
    if dataset.follows_progress:
        return None
    found = (
        PublishedState.objects.filter(unit_code=code, year=year)
        .values_list("versions", flat=True)
        .first()
    )
    if not found:
        return None
    key = _key(dataset, fmt, code, year, digest(BUILD, found))
    stored = PublishedFile.objects.filter(key=key, built_at__isnull=False).first()
    return stored if stored is not None and _kept(stored) else None


def published_file(dataset: Dataset, fmt: str, scope: Scope) -> PublishedFile:
    """The stored file of the scope as published now, built if it is not yet (then under the
    row's lock: two first requests build it once); NotFoundError when nothing of the scope's
    year is published in its unit."""
    versions = versions_fingerprint(scope.unit, scope.year)
    if not versions:
        raise NotFoundError()
    fingerprint = scope_fingerprint(dataset, scope.unit, scope.year, versions)
    key = file_key(dataset, fmt, scope, fingerprint)
    found = PublishedFile.objects.filter(key=key, built_at__isnull=False).first()
    if found is not None and _kept(found):
        return found
    return _build(dataset, fmt, scope, fingerprint, key)


def _kept(row: PublishedFile) -> bool:
    """The row's file is in storage (a restored database, a media directory emptied by hand:
    built again rather than answered with an error)."""
    return bool(row.file) and row.file.storage.exists(row.file.name)


def published_file_at(
    dataset: Dataset, fmt: str, unit_code: str, year: int, fingerprint: str
) -> PublishedFile:
    """A file stored earlier, by the start of its fingerprint (its own address), or
    NotFoundError: such an address is only ever given for a file that was built."""
    if len(fingerprint) < 16:
        raise NotFoundError()
    found = (
        PublishedFile.objects.filter(
            dataset=dataset.slug,
            fmt=fmt,
            unit_code=unit_code,
            year=year,
            fingerprint__startswith=fingerprint,
            built_at__isnull=False,
        )
        .order_by("-built_at")
        .first()
    )
    if found is None or not _kept(found):
        raise NotFoundError()
    return found


def _build(dataset: Dataset, fmt: str, scope: Scope, fingerprint: str, key: str) -> PublishedFile:
    with transaction.atomic():
        row, _created = PublishedFile.objects.get_or_create(
            key=key,
            defaults={
                "dataset": dataset.slug,
                "fmt": fmt,
                "unit_code": scope.unit.code,
                "year": scope.year,
                "fingerprint": fingerprint,
            },
        )
        row = PublishedFile.objects.select_for_update().get(pk=row.pk)
        if row.is_built and _kept(row):  # another request built it while this one waited
            return row
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - moved into storage or removed
            prefix="published-", suffix=f".{fmt}", delete=False
        )
        try:
            rows = write_file(dataset, fmt, scope, handle)
            handle.flush()
            row.size = handle.tell()
            row.etag = file_sha256(handle)
            row.rows = rows
            handle.close()
            name = f"{dataset.slug}-{scope.unit.code}-{scope.year}-{fingerprint[:16]}.{fmt}"
            with open(handle.name, "rb") as built:
                row.file.save(name, _BuiltFile(built, name=handle.name), save=False)
        finally:
            handle.close()
            if os.path.exists(handle.name):
                os.unlink(handle.name)
        row.built_at = timezone.now()
        row.save()
    return row


def write_file(dataset: Dataset, fmt: str, scope: Scope, out: Any) -> int | None:
    """Write the file as today's formatters make it, with the cycle collector paused (the rows
    and snapshots have no cycle: ``collector_paused``); the number of rows for XLSX."""
    with collector_paused():
        if fmt == "xlsx":
            return write_xlsx(dataset, scope, out)
        chunks = csv_chunks if fmt == "csv" else json_chunks
        for chunk in chunks(dataset, scope):
            out.write(chunk)
    return None


def file_sha256(handle: Any) -> str:
    handle.seek(0)
    sha = hashlib.sha256()
    while block := handle.read(HASH_BLOCK):
        sha.update(block)
    return sha.hexdigest()
