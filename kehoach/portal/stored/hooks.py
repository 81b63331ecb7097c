"""At publication, the commune's open-data files are built in the background once the
publication is committed (``tasks.commune_files_task``, run by the task worker), so that the
first visitor is served a stored file and the publisher does not wait. The province's files,
which change with every commune's publication, are built by their first request. A failure
here never touches the publication: it is logged, and the first request builds the file
instead.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction

from .tasks import commune_files_task

logger = logging.getLogger(__name__)


def on_plan_published(sender: Any, plan: Any, version: Any, **kwargs: Any) -> None:
    transaction.on_commit(partial(_enqueue, plan.round.commune_id, plan.round.plan_year))


def _enqueue(commune_id: int, year: int) -> None:
    try:
        commune_files_task.enqueue(commune_id, year)
    except Exception:  # a queue that cannot take it leaves the build to the first request
        logger.exception("Open-data files of commune %s, %s not queued", commune_id, year)
