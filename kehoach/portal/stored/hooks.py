"""At publication, the commune's open-data files are built once the publication is committed,
so that the first visitor is served a stored file.

Until background jobs exist (``kehoach.jobs``, issue 16 point 5) the build runs right after the
commit, in the publisher's request: a commune's files are small (hundreds of lines). The
province's files, which are large, are built by their first request. A failure here never
touches the publication: it is logged, and the first request builds the file instead.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction

from kehoach.geo.models import AdministrativeUnit

from ..opendata import DATASETS, FORMATS, Scope
from .files import published_file

logger = logging.getLogger(__name__)


def on_plan_published(sender: Any, plan: Any, version: Any, **kwargs: Any) -> None:
    transaction.on_commit(partial(commune_files_build, plan.round.commune_id, plan.round.plan_year))


def commune_files_build(commune_id: int, year: int) -> None:
    """Build every open-data file of the commune's plan of ``year`` (those already built are
    found by their key and left)."""
    try:
        unit = AdministrativeUnit.objects.get(pk=commune_id)
        for dataset in DATASETS.values():
            for fmt in FORMATS:
                published_file(dataset, fmt, Scope(unit, year))
    except Exception:  # a cache warm-up must never fail the publication it follows
        logger.exception("Open-data files of commune %s, %s not built", commune_id, year)
