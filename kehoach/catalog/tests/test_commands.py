from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from kehoach.catalog import defaults
from kehoach.catalog.choices import PraTheme
from kehoach.catalog.models import Alias, Indicator, PraTool, Sector
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
    assert lines[4] == f"Indicators: {len(defaults.INDICATORS)} new, 0 already present"
    assert lines[5] == "PRA tools: 20 new, 0 already present"
    assert lines[6] == f"Other names: {Alias.objects.count()} new, 0 already present"
    assert len(lines) == 7
    assert Sector.objects.count() == 17
    assert Indicator.objects.count() == len(defaults.INDICATORS)


def test_load_catalog_is_idempotent() -> None:
    _run()

    lines = _run()

    assert lines[0] == "Sectors: 0 new, 17 already present"
    assert lines[4] == f"Indicators: 0 new, {len(defaults.INDICATORS)} already present"
    assert lines[5] == "PRA tools: 0 new, 20 already present"
    assert lines[6] == f"Other names: 0 new, {Alias.objects.count()} already present"
    assert all(": 0 new, " in line for line in lines)
    assert Sector.objects.count() == 17
    assert Indicator.objects.count() == len(defaults.INDICATORS)


def test_load_catalog_update_restores_seeded_fields() -> None:
    catalog_load_defaults()
    Sector.objects.filter(code="HT-GT").update(name="Giao thông")

    assert _run()[0] == "Sectors: 0 new, 17 already present"
    assert Sector.objects.get(code="HT-GT").name == "Giao thông"

    lines = _run("--update")

    assert lines[0] == "Sectors: 0 new, 1 updated, 16 unchanged"
    assert Sector.objects.get(code="HT-GT").name == "Hạ tầng: giao thông"


def test_load_catalog_update_restores_an_indicator() -> None:
    catalog_load_defaults()
    Indicator.objects.filter(code="HO-NGHEO").update(unit="hộ", decimals=0)
    total = len(defaults.INDICATORS)

    assert _run()[4] == f"Indicators: 0 new, {total} already present"
    assert Indicator.objects.get(code="HO-NGHEO").unit == "hộ"

    lines = _run("--update")

    assert lines[4] == f"Indicators: 0 new, 1 updated, {total - 1} unchanged"
    indicator = Indicator.objects.get(code="HO-NGHEO")
    assert (indicator.unit, indicator.decimals) == ("%", 2)


def test_load_catalog_prints_vietnamese_by_default() -> None:
    out = StringIO()
    with translation.override("vi"):
        call_command("load_catalog", stdout=out)
    lines = out.getvalue().splitlines()

    assert lines[0] == "Lĩnh vực: 17 mục mới, 0 mục đã có"
    assert lines[4] == f"Chỉ tiêu kinh tế – xã hội: {len(defaults.INDICATORS)} mục mới, 0 mục đã có"


def test_load_catalog_help_is_translatable() -> None:
    from kehoach.catalog.management.commands.load_catalog import Command

    with translation.override("en"):
        text = Command().create_parser("manage.py", "load_catalog").format_help()
    assert "--update" in text
    assert "Also set the seeded fields" in text
    assert "socio-economic indicators" in text


def test_load_catalog_loads_the_twenty_pra_tools_by_theme() -> None:
    _run()

    tools = list(PraTool.objects.order_by("sort_order"))
    assert [t.code for t in tools] == [f"PRA-{n:02d}" for n in range(1, 21)]
    names = {t.code: t.name for t in tools}
    assert names["PRA-01"] == "Đi lát cắt"
    assert names["PRA-02"] == "Sơ đồ tài nguyên"
    assert names["PRA-03"] == "Lịch sử thôn"
    assert names["PRA-04"] == "Lịch thời vụ"
    assert names["PRA-11"] == "Xếp hạng giàu nghèo"
    assert names["PRA-13"] == "Sơ đồ Venn"
    themes = {t.code: t.theme for t in tools}
    assert themes["PRA-13"] == PraTheme.ORGANISATION
    assert themes["PRA-17"] == PraTheme.INFRASTRUCTURE
    assert all(t.is_active for t in tools)

    PraTool.objects.filter(code="PRA-13").update(name="Venn")
    assert _run("--update")[5] == "PRA tools: 0 new, 1 updated, 19 unchanged"
    assert PraTool.objects.get(code="PRA-13").name == "Sơ đồ Venn"
