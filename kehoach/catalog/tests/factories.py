"""factory_boy factories for the catalog's reference data."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from kehoach.catalog.choices import FundingKind, IndicatorGroup
from kehoach.catalog.models import (
    FundingSource,
    Indicator,
    ProcessProfile,
    Sector,
    UnitOfMeasure,
)
from kehoach.core.text import collation_key


class SectorFactory(DjangoModelFactory[Sector]):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TS-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực thử {n}")
    name_en = factory.Sequence(lambda n: f"Test sector {n}")
    sort_order = factory.Sequence(lambda n: n)
    sort_key = factory.LazyAttribute(lambda o: collation_key(o.name))


class FundingSourceFactory(DjangoModelFactory[FundingSource]):
    class Meta:
        model = FundingSource
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"NV-{n}")
    name = factory.Sequence(lambda n: f"Nguồn vốn thử {n}")
    name_en = factory.Sequence(lambda n: f"Test source {n}")
    kind = FundingKind.PROGRAMME
    counterpart_share_pct = Decimal("0")
    is_external = True


class UnitOfMeasureFactory(DjangoModelFactory[UnitOfMeasure]):
    class Meta:
        model = UnitOfMeasure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dv-{n}")
    name = factory.Sequence(lambda n: f"đơn vị {n}")
    aliases = factory.Sequence(lambda n: f"don vi {n}")


class ProcessProfileFactory(DjangoModelFactory[ProcessProfile]):
    class Meta:
        model = ProcessProfile

    code = factory.Sequence(lambda n: f"QT-{n}")
    name = factory.Sequence(lambda n: f"Quy trình thử {n}")


class IndicatorFactory(DjangoModelFactory[Indicator]):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CT-{n}")
    name = factory.Sequence(lambda n: f"Chỉ tiêu thử {n}")
    name_en = factory.Sequence(lambda n: f"Test indicator {n}")
    unit = "%"
    group = IndicatorGroup.GENERAL
    decimals = 1
    sort_order = factory.Sequence(lambda n: n)
