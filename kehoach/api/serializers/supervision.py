"""The shapes of a work's supervision board (F17) written through the API: the board, its
members and its visits, as the board's page shows them; inputs only parse JSON (every rule is
the services' own, ``monitoring.services.supervision``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehoach.monitoring.choices import MemberOrganisation, MemberRole


class BoardMemberOutput(serializers.Serializer[Any]):
    uid = serializers.UUIDField(help_text="Mã thành viên — member UUID")
    full_name = serializers.CharField(help_text="Họ tên — full name")
    role = serializers.CharField(help_text="Vai trò — role")
    organisation = serializers.CharField(help_text="Đại diện cho — represents")
    village_code = serializers.CharField(
        source="village.code", allow_null=True, default=None, help_text="Thôn — village code"
    )
    left_on = serializers.DateField(allow_null=True, help_text="Rời ban — left the board on")


class SupervisionVisitOutput(serializers.Serializer[Any]):
    uid = serializers.UUIDField(help_text="Mã lần giám sát — visit UUID")
    visited_on = serializers.DateField(help_text="Ngày giám sát — visited on")
    items_checked = serializers.CharField(help_text="Nội dung kiểm tra — items checked")
    findings = serializers.CharField(help_text="Phát hiện — findings")
    recommendations = serializers.CharField(help_text="Kiến nghị — recommendations")
    follow_up = serializers.CharField(help_text="Việc cần xử lý — follow-up")
    follow_up_done = serializers.BooleanField(help_text="Đã xử lý — follow-up done")
    follow_up_on = serializers.DateField(allow_null=True, help_text="Xử lý ngày — done on")
    version = serializers.IntegerField(help_text="Phiên bản (ETag) — version")


class SupervisionBoardDetailOutput(serializers.Serializer[Any]):
    uid = serializers.UUIDField(allow_null=True, help_text="Mã ban giám sát — board UUID")
    established_on = serializers.DateField(allow_null=True, help_text="Thành lập — established on")
    decision_ref = serializers.CharField(
        allow_null=True, help_text="Quyết định thành lập — decision"
    )
    dissolved_on = serializers.DateField(allow_null=True, help_text="Giải thể — dissolved on")
    notes = serializers.CharField(help_text="Ghi chú — notes")
    version = serializers.IntegerField(help_text="Phiên bản (ETag) — version")
    members = BoardMemberOutput(many=True, source="members.all")
    visits = SupervisionVisitOutput(many=True, source="visits.all")


class BoardInput(serializers.Serializer[Any]):
    established_on = serializers.DateField(help_text="Thành lập — established on")
    decision_ref = serializers.CharField(help_text="Quyết định thành lập — decision")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class DissolveInput(serializers.Serializer[Any]):
    dissolved_on = serializers.DateField(help_text="Giải thể ngày — dissolved on")


class MemberInput(serializers.Serializer[Any]):
    full_name = serializers.CharField(help_text="Họ tên — full name")
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.MEMBER)
    organisation = serializers.ChoiceField(choices=MemberOrganisation.choices)
    village_code = serializers.CharField(
        required=False, allow_null=True, default=None, help_text="Thôn (cư dân) — village code"
    )
    no_conflict = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Xác nhận cư trú, không xung đột lợi ích — lives in the commune, no conflict",
    )


class MemberPatch(MemberInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class LeaveInput(serializers.Serializer[Any]):
    left_on = serializers.DateField(help_text="Rời ban ngày — left on")


class VisitInput(serializers.Serializer[Any]):
    visited_on = serializers.DateField(help_text="Ngày giám sát — visited on")
    items_checked = serializers.CharField(help_text="Nội dung kiểm tra — items checked")
    findings = serializers.CharField(help_text="Phát hiện — findings")
    recommendations = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(required=False, allow_blank=True, default="")


class FollowUpDoneInput(serializers.Serializer[Any]):
    done_on = serializers.DateField(help_text="Đã xử lý ngày — done on")
