"""A commune plan's line (F9) as a client writes it: the columns of ``CommuneLineOutput`` that
the pages' forms have — a commune sector's or organisation's own line (R14) every value of the
F6 form, who proposes it and its expenditure type; a line built from villages its texts and
expenditure type — and, on a change, a decision taken by hand with its reason. Catalogue
entries by code. The serializer only reads the JSON into values; every rule is the validators'
(``synthesis.services.lines``), the same the pages and the F9 workbook go through."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehoach.catalog.choices import ExpenditureType

from .line_input import FIELD_NAMES as LINE_FIELD_NAMES
from .line_input import ProposalLineInput, line_data

FIELD_NAMES = {**LINE_FIELD_NAMES, "priority": "village_priority"}
"""The service's name of a field → the API's (for the problems' ``where.field``)."""


class CommuneLineInput(ProposalLineInput):
    """The values of a commune line to add or change; a change sends only what changes."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = {
            "organisation": serializers.CharField(
                required=False,
                allow_blank=True,
                allow_null=True,
                trim_whitespace=False,
                help_text="Ban, ngành hay đoàn thể của xã đề xuất dòng (dòng của xã) — the "
                "commune sector or organisation that proposes the line (commune's own lines)",
            )
        }
        for name, field in super().get_fields().items():
            if name == "priority":
                field.help_text = "Mức ưu tiên của thôn (dòng của xã) — priority (own lines)"
                fields["village_priority"] = field
            else:
                fields[name] = field
        fields["expenditure_type"] = serializers.ChoiceField(
            choices=ExpenditureType.choices,
            required=False,
            allow_blank=True,
            help_text="Loại chi: đầu tư phát triển hay thường xuyên — expenditure type",
        )
        return fields


class CommuneLineChangeInput(CommuneLineInput):
    """A change: values (see ``CommuneLineInput``) and/or a decision taken by hand."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["decision"] = serializers.CharField(
            required=False,
            allow_blank=True,
            allow_null=True,
            help_text="Quyết định của xã không cấp vốn: unfunded (trong kế hoạch, chưa có vốn), "
            "deferred (lùi lại), rejected (không chọn); cấp vốn thì ở trang phân bổ — a "
            "decision without funding: unfunded, deferred or rejected (funding is decided "
            "where the amounts are given)",
        )
        fields["reason"] = serializers.CharField(
            required=False,
            allow_blank=True,
            allow_null=True,
            trim_whitespace=False,
            help_text="Lý do của quyết định, thôn sẽ đọc — the decision's reason, which the "
            "village reads",
        )
        return fields


def commune_line_data(values: dict[str, Any], codes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The service's values from a validated ``CommuneLineInput`` (without the decision):
    ``line_data`` for the F6 columns, the village priority as ``priority``, who proposes it and
    the expenditure type as given."""
    given = {k: v for k, v in values.items() if k not in ("decision", "reason")}
    if "village_priority" in given:
        given["priority"] = given.pop("village_priority")
    data = line_data(given, codes)
    for name in ("organisation", "expenditure_type"):
        if name in given:
            data[name] = given[name] if given[name] is not None else ""
    return data


def decision_of(values: dict[str, Any]) -> tuple[str | None, str]:
    """The decision a change asks for (None: none) and its reason."""
    return values.get("decision") or None, values.get("reason") or ""
