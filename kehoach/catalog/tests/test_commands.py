from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from kehoach.catalog.models import Sector
from kehoach.catalog.services import catalog_load_defaults

pytestmark = pytest.mark.django_db


def _run(*args: str) -> list[str]:
    out = StringIO()
    with translation.override("en"):
        call_command("load_catalog", *args, stdout=out)
    return out.getvalue().splitlines()


def test_load_catalog_prints_one_line_per_model() -> None:
    lines = _run()

    assert lines[0] == "Sectors: 17 new, 0 already present"
    assert lines[1].startswith("Funding sources: ")
    assert lines[2].startswith("Units of measure: ")
    assert lines[3] == "Process profiles: 1 new, 0 already present"
    assert len(lines) == 4
    assert Sector.objects.count() == 17


def test_load_catalog_is_idempotent() -> None:
    _run()

    lines = _run()

    assert lines[0] == "Sectors: 0 new, 17 already present"
    assert all(": 0 new, " in line for line in lines)
    assert Sector.objects.count() == 17


def test_load_catalog_update_restores_seeded_fields() -> None:
    catalog_load_defaults()
    Sector.objects.filter(code="HT-GT").update(name="Giao thông")

    assert _run()[0] == "Sectors: 0 new, 17 already present"
    assert Sector.objects.get(code="HT-GT").name == "Giao thông"

    lines = _run("--update")

    assert lines[0] == "Sectors: 0 new, 1 updated, 16 unchanged"
    assert Sector.objects.get(code="HT-GT").name == "Hạ tầng: giao thông"


def test_load_catalog_help_is_translatable() -> None:
    from kehoach.catalog.management.commands.load_catalog import Command

    with translation.override("en"):
        text = Command().create_parser("manage.py", "load_catalog").format_help()
    assert "--update" in text
    assert "Also set the seeded fields" in text
