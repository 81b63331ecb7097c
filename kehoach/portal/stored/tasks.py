"""The background build of a commune's plan page (its tables) and open-data files after a
publication (a django-tasks
task, run by ``manage.py db_worker``; decisions.md D53, D55)."""

from __future__ import annotations

import logging

from django_tasks import task

from kehoach.geo.models import AdministrativeUnit

from ..opendata import DATASETS, FORMATS, Scope
from .files import published_file
from .page_parts import plan_parts_build

logger = logging.getLogger(__name__)


def commune_files_build(commune_id: int, year: int) -> None:
    """Store the tables of the commune's plan page of ``year``, then build every open-data file
    of the plan (those already built are found by their key and left)."""
    plan_parts_build(commune_id, year)
    try:
        unit = AdministrativeUnit.objects.get(pk=commune_id)
        for dataset in DATASETS.values():
            for fmt in FORMATS:
                published_file(dataset, fmt, Scope(unit, year))
    except Exception:  # a warm-up must never fail: the first request builds what is missing
        logger.exception("Open-data files of commune %s, %s not built", commune_id, year)


@task()
def commune_files_task(commune_id: int, year: int) -> None:
    commune_files_build(commune_id, year)
