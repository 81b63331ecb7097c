"""One item of a batch of line changes, all or nothing (``…/lines/batch/`` of proposal lines,
commune lines and envelope lines): what it does (``op``), the line it names (``uid``), the
version it read (``version``) and the values it sends (``values``, the subclass's own line
input). The three batches share this shape and its checks; each subclass keeps its own name,
so the schema's components stay ``ProposalLineBatchItem``, ``CommuneLineBatchItem`` and
``BatchItem``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

ADD, CHANGE, REMOVE, RESTORE = "add", "change", "remove", "restore"
OPERATIONS = (ADD, CHANGE, REMOVE, RESTORE)

OP_HELP = (
    "add: thêm; change: sửa; remove: xóa; restore: khôi phục dòng đã xóa — add, change, "
    "remove, or restore a deleted line"
)
VALUES_HELP = "Các cột (add: đủ; change: chỉ cột thay đổi) — the columns"


class LineBatchItem(serializers.Serializer[Any]):
    """The shape and checks of a batch item; a subclass declares ``values`` (its line input)
    and may say what its operations mean in ``op_help``."""

    op_help = OP_HELP

    op = serializers.ChoiceField(choices=OPERATIONS, help_text=OP_HELP)
    uid = serializers.UUIDField(
        required=False, help_text="Mã dòng (trừ add) — the line's UUID (not for add)"
    )
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="Phiên bản đã đọc (bắt buộc với change, remove) — the version you read "
        "(required for change and remove)",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()
        if self.op_help != OP_HELP:  # in place, so that the fields keep their order
            fields["op"] = serializers.ChoiceField(choices=OPERATIONS, help_text=self.op_help)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        op = attrs["op"]
        if op != ADD and "uid" not in attrs:
            raise ValidationError(
                {"uid": _("Name the line (its uid) to change, remove or restore.")}
            )
        if op in (CHANGE, REMOVE) and "version" not in attrs:
            raise ValidationError(
                {"version": _("Send the version of the line you read (its ETag).")}
            )
        if op in (ADD, CHANGE) and "values" not in attrs:
            raise ValidationError({"values": _("Send the values of the line.")})
        return attrs
