"""Village plans (Kế hoạch thôn) and their proposal lines (F6) as the API shows them: plans by
UUID, units and catalogue entries by public code."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from kehoach.plans.line_values import PROPOSAL_LINE_FIELDS
from kehoach.plans.models import BasicInfo, EthnicGroup, ProposalLine, VillagePlan

CATALOG_CODES = {
    "sector": ("sector_code", "Mã lĩnh vực — sector code"),
    "unit": ("unit_of_measure_code", "Mã đơn vị tính — unit of measure code"),
    "proposed_source": (
        "proposed_source_code",
        "Mã nguồn vốn đề xuất (có thể trống) — proposed funding source code (may be null)",
    ),
}
"""The catalogue relations of a line, shown by their public codes under these names."""


class VillagePlanOutput(serializers.Serializer[VillagePlan]):
    uid = serializers.UUIDField(help_text="Mã kế hoạch thôn — village plan UUID")
    village_code = serializers.CharField(source="village.code", help_text="Mã thôn — village code")
    village_name = serializers.CharField(source="village.name", help_text="Tên thôn — village")
    commune_code = serializers.CharField(
        source="round.commune.code", help_text="Mã xã — commune code"
    )
    plan_year = serializers.IntegerField(
        source="round.plan_year", help_text="Năm kế hoạch — plan year"
    )
    round_uid = serializers.UUIDField(
        source="round.uid", help_text="Mã kỳ lập kế hoạch — planning round UUID"
    )
    status = serializers.CharField(help_text="Trạng thái: draft, submitted, returned — status")
    submitted_at = serializers.DateTimeField(
        allow_null=True, help_text="Gửi xã lúc — submitted to the commune at"
    )
    created_at = serializers.DateTimeField(help_text="Tạo lúc — created at")
    updated_at = serializers.DateTimeField(help_text="Cập nhật lúc — last changed")


class EthnicGroupOutput(serializers.ModelSerializer[EthnicGroup]):
    class Meta:
        model = EthnicGroup
        fields = ["name", "households", "persons"]


class BasicInfoOutput(serializers.ModelSerializer[BasicInfo]):
    """F1 — every value of the village's basic information, with its sources."""

    ethnic_groups = EthnicGroupOutput(many=True, read_only=True)

    class Meta:
        model = BasicInfo
        exclude = ["id", "plan", "created_at"]


class VillagePlanDetailOutput(VillagePlanOutput):
    basic_info = serializers.SerializerMethodField(
        help_text="Thông tin cơ bản của thôn (F1), trống khi chưa nhập — the village's basic "
        "information (F1), null until entered"
    )

    def get_basic_info(self, plan: VillagePlan) -> dict[str, Any] | None:
        info = self.context.get("basic_info")  # read by the view, with its ethnic groups
        return BasicInfoOutput(info).data if info is not None else None


def value_columns(names: Iterable[str]) -> list[str]:
    """The API's names of a line's value columns: a catalogue relation by its code's name."""
    return [CATALOG_CODES[name][0] if name in CATALOG_CODES else name for name in names]


class LineOutput(serializers.ModelSerializer[Any]):
    """What the outputs of a line (a proposal, a commune line) share: the catalogue entries
    shown by their codes. A subclass names its model and its fields in ``Meta``."""

    sector_code = serializers.CharField(source="sector.code", help_text=CATALOG_CODES["sector"][1])
    unit_of_measure_code = serializers.CharField(
        source="unit.code", help_text=CATALOG_CODES["unit"][1]
    )
    proposed_source_code = serializers.CharField(
        source="proposed_source.code",
        allow_null=True,
        default=None,
        help_text=CATALOG_CODES["proposed_source"][1],
    )


class ProposalLineOutput(LineOutput):
    """F6 — one proposal with every column; catalogue entries by code."""

    origin_uid = serializers.UUIDField(
        source="origin.uid",
        allow_null=True,
        default=None,
        help_text="Đề xuất năm trước được chuyển sang — the line it was carried over from",
    )

    class Meta:
        model = ProposalLine
        fields = [
            "uid",
            "number",
            *value_columns(PROPOSAL_LINE_FIELDS),
            "outcome",
            "origin_uid",
            "version",
            "created_at",
            "updated_at",
        ]


class _Column:
    """One field of ``ProposalLineOutput`` read from a ``.values()`` row: the row's key (its
    source with ``__``) and the field's own ``to_representation``."""

    __slots__ = ("field", "key", "name")

    def __init__(self, name: str, field: serializers.Field[Any, Any, Any, Any]) -> None:
        if field.source == "*" or isinstance(field, serializers.SerializerMethodField):
            raise TypeError(f"{name}: only fields read from a column can be shown from rows")
        self.name = name
        self.field = field
        self.key = field.source.replace(".", "__")


def _columns() -> list[_Column]:
    return [_Column(name, field) for name, field in ProposalLineOutput().fields.items()]


def _converter(field: serializers.Field[Any, Any, Any, Any]) -> Callable[[Any], Any]:
    """``field.to_representation`` with what it works out on every call worked out once: a
    text, a number and a UUID by ``str`` and ``int`` as it does, a date in ISO 8601, the
    quantum and context of a decimal (REST framework's own ``quantize``: ``Decimal('.1') **
    places``, ``max_digits`` as precision, the field's rounding), the current time zone of a
    date and time (its ``enforce_timezone`` and ISO 8601 with ``Z`` for UTC). Any other field,
    or a value of another type, is the field's own ``to_representation``."""
    convert = field.to_representation
    kind = type(field)
    if kind in (serializers.CharField, serializers.IntegerField):
        return str if kind is serializers.CharField else int  # their to_representation
    if kind is serializers.UUIDField and field.uuid_format == "hex_verbose":
        return str
    if (
        kind is serializers.DateField
        and str(getattr(field, "format", api_settings.DATE_FORMAT)).lower() == ISO_8601
    ):
        return lambda value: value.isoformat() if type(value) is datetime.date else convert(value)
    if (
        kind is serializers.DecimalField
        and field.decimal_places is not None
        and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and not field.localize
        and not field.normalize_output
    ):
        quantum = decimal.Decimal(".1") ** field.decimal_places
        context = decimal.getcontext().copy()
        if field.max_digits is not None:
            context.prec = field.max_digits
        rounding = field.rounding

        def decimal_text(value: Any) -> Any:
            if type(value) is not decimal.Decimal:
                return convert(value)
            return f"{value.quantize(quantum, rounding=rounding, context=context):f}"

        return decimal_text
    if (
        kind is serializers.DateTimeField
        and str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601
        and getattr(field, "timezone", None) is None
        and settings.USE_TZ
    ):
        zone = timezone.get_current_timezone()

        def moment_text(value: Any) -> Any:
            if type(value) is not datetime.datetime or value.tzinfo is None:
                return convert(value)
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return moment_text
    return convert


PROPOSAL_LINE_VALUES: tuple[str, ...] = tuple(column.key for column in _columns())
"""The ``.values()`` a list of proposal lines reads for ``proposal_lines_shown``: every column
of ``ProposalLineOutput``, its catalogue entries' codes and its origin's uid by join."""


def proposal_lines_shown(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``ProposalLineOutput(line).data`` for each ``.values(*PROPOSAL_LINE_VALUES)`` row,
    without a model instance or the serializer's per-row work (issue 17: a list of 10.000
    lines within 3× of a raw select): each field's ``to_representation`` (``_converter``) on
    the value, and ``None`` as ``None``, as the serializer does — the same JSON, field by field
    (a test compares them)."""
    columns = [(c.name, c.key, _converter(c.field)) for c in _columns()]
    return [
        {
            name: None if (value := row[key]) is None else convert(value)
            for name, key, convert in columns
        }
        for row in rows
    ]
