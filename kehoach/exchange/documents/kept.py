"""Documents rendered once and kept (decision D44).

The commune plan of an approved version (PDF and Word) and a village's feedback sheet (F13) of
a published version are rendered on the first download and kept as a file in
``PRIVATE_MEDIA_ROOT`` with a ``RenderedDocument`` row; later downloads read the file. Drafts
(``?draft=1``, the poster) are rendered every time, within the user's limits (``limits.py``).

What the bytes depend on is not only the version's immutable snapshot: the document also reads
live data (part I the evaluation and progress of the year before, part II the villages' basic
information, SWOT, problems and meetings, part V the supervision boards; the process profile's
texts and decimals; names of units, sectors and indicators; the language of the request) and
the templates. So a kept file carries a *fingerprint*: the SHA-256 of the generator's output
(the document model, or the sheet's context: every text and number the formatter writes, a
few milliseconds to build) together with the formatter's own sources. A download builds the
model, compares, and serves the kept file when it matches; otherwise it renders again and
replaces the file. A stale file can therefore never be served, whatever changed.

Two first downloads of one document at the same moment render it once: the renderer holds an
exclusive ``flock`` on a lock file of that document (next to the kept files), the other waits
on it and then finds the file kept. A lock file rather than a database lock, because on SQLite
a transaction held across a render would hold the whole database's write lock for seconds.
"""

from __future__ import annotations

import dataclasses
import fcntl
import functools
import hashlib
import importlib.metadata
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.dispatch import Signal

from kehoach.approvals.models import Version

from ..models import RenderedDocument
from .limits import render_slot

rendering = Signal()
"""Sent just before a document is rendered (kept or draft), with ``kind`` and ``format``.
Nothing in kehoach needs it; tests count renders with it."""

waiting = Signal()
"""Sent when a download waits for another request rendering the same document."""

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE.parent / "templates" / "exchange" / "documents"


@functools.cache
def formatter_digest() -> str:
    """The formatters' sources and libraries (read once per process): a new template, a changed
    formatter or another WeasyPrint renders the kept documents again."""
    templates = sorted(p for p in TEMPLATES.iterdir() if p.is_file())
    sources = [HERE / "model.py", HERE / "pdf.py", HERE / "word.py", *templates]
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for package in ("weasyprint", "python-docx"):
        digest.update(f"{package}={importlib.metadata.version(package)}\0".encode())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """What JSON does not know: a dataclass as its fields, anything else (Decimal, date, a lazy
    translation) as the text it would be written as."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def fingerprint(content: Any, fmt: str) -> str:
    """The digest of what a document is made from: the generator's output (a document model
    or a template context) and the format with its formatter."""
    text = json.dumps(content, default=_plain, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256()
    digest.update(f"{formatter_digest()}\0{fmt}\0".encode())
    digest.update(text.encode())
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class KeptKey:
    """Which kept document: its kind, the plan it is about, the version, format and language."""

    kind: str
    subject_uid: UUID
    version: Version
    format: str
    language: str

    def lookup(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject_uid": self.subject_uid,
            "version": self.version,
            "format": self.format,
            "language": self.language,
        }

    def lock_path(self) -> Path:
        name = "|".join(
            [self.kind, str(self.subject_uid), str(self.version.pk), self.format, self.language]
        )
        digest = hashlib.sha256(name.encode()).hexdigest()[:32]
        return Path(settings.PRIVATE_MEDIA_ROOT) / "documents" / "locks" / f"{digest}.lock"


def _kept_bytes(key: KeptKey, print_: str) -> bytes | None:
    row = RenderedDocument.objects.filter(**key.lookup()).only("fingerprint", "file").first()
    if row is None or row.fingerprint != print_:
        return None
    try:
        with row.file.open("rb") as handle:
            return bytes(handle.read())
    except FileNotFoundError:  # removed from the disk: rendered again
        return None


@contextmanager
def _exclusive(key: KeptKey) -> Iterator[None]:
    """Hold the document's lock file; a second holder waits (and says so) until the first is
    done. The kernel releases the lock when the process dies, so a killed worker leaves none."""
    path = key.lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting.send(sender=RenderedDocument, kind=key.kind, format=key.format)
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _keep(key: KeptKey, print_: str, data: bytes, elapsed_ms: int) -> None:
    """Store the file and its row, replacing an older rendering of the same document."""
    name = f"{key.kind}-v{key.version.number}-{key.language}-{print_[:16]}.{key.format}"
    with transaction.atomic():
        row = RenderedDocument.objects.select_for_update().filter(**key.lookup()).first()
        old = row.file.name if row is not None else ""
        if row is None:
            row = RenderedDocument(**key.lookup())
        row.fingerprint = print_
        row.size = len(data)
        row.render_ms = elapsed_ms
        row.file.save(name, ContentFile(data), save=False)
        row.save()
        if old and old != row.file.name:
            storage = row.file.storage
            transaction.on_commit(lambda: storage.delete(old))


def kept_document(*, user: Any, key: KeptKey, content: Any, render: Callable[[], bytes]) -> bytes:
    """The bytes of a version's document: the kept file when it was made from the same
    ``content``; otherwise rendered (within the user's limits: ``RenderLimited``) and kept."""
    print_ = fingerprint(content, key.format)
    data = _kept_bytes(key, print_)
    if data is not None:
        return data
    with _exclusive(key):
        data = _kept_bytes(key, print_)  # rendered by the request this one waited for
        if data is not None:
            return data
        with render_slot(user=user, kind=key.kind):
            rendering.send(sender=RenderedDocument, kind=key.kind, format=key.format)
            started = time.perf_counter()
            data = render()
            elapsed_ms = round(1000 * (time.perf_counter() - started))
        _keep(key, print_, data, elapsed_ms)
    return data


def draft_document(*, user: Any, kind: str, fmt: str, render: Callable[[], bytes]) -> bytes:
    """A document that is never kept (a draft, the poster): rendered within the user's
    limits."""
    with render_slot(user=user, kind=kind):
        rendering.send(sender=RenderedDocument, kind=kind, format=fmt)
        return render()
