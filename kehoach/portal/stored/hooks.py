"""At publication, the portal's home page, the commune's page and its province's page (their
stored parts, ``page_parts``) are rendered at once, inside the publishing transaction: a few
short queries and milliseconds, so that the first visitor after it already reads a stored row.
The plan page's tables and the commune's open-data files, which take longer, are built in the
background once the publication is committed (``tasks.commune_files_task``, run by the task
worker), so the publisher does not wait. The province's files, which change with every
commune's publication, are built by their first request. A failure here never touches the
publication: it is logged, and the first request builds what is missing instead.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction

from .page_parts import unit_pages_build, unit_pages_prune_all
from .tasks import commune_files_task

logger = logging.getLogger(__name__)


def on_plan_published(sender: Any, plan: Any, version: Any, **kwargs: Any) -> None:
    built = unit_pages_build(plan.round.commune_id)
    transaction.on_commit(partial(unit_pages_prune_all, built))
    transaction.on_commit(partial(_enqueue, plan.round.commune_id, plan.round.plan_year))


def _enqueue(commune_id: int, year: int) -> None:
    try:
        commune_files_task.enqueue(commune_id, year)
    except Exception:  # a queue that cannot take it leaves the build to the first request
        logger.exception("Open-data files of commune %s, %s not queued", commune_id, year)
