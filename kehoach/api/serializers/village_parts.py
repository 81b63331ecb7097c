"""The shapes of a village plan's basic information (F1) and meeting (F8) in the API (issue 17):
output as the forms have them, input that only parses JSON — every rule stays in the services'
validators (``plans.services.info.validate_basic_info``, ``plans.services.meeting
.validate_meeting``, ``plans.services.attendance.validate_attendance``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from kehoach.plans.choices import PovertyStatus, Sex
from kehoach.plans.models import BasicInfo, VillageMeeting, VillagePlan
from kehoach.plans.services.attendance import ATTENDEE_FIELDS
from kehoach.plans.services.info import INFO_FIELDS, basic_info_percentages
from kehoach.plans.services.meeting import MEETING_FIELDS, meeting_result

# --- F1: basic information ---------------------------------------------------------------------


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def basic_info_shown(info: BasicInfo) -> dict[str, Any]:
    """The basic information as the API shows it (an unsaved one: version 0, every value
    empty): values by F1 field, computed shares, data sources and ethnic groups."""
    saved = info.pk is not None
    return {
        "version": info.version if saved else 0,
        "values": {field: _json(getattr(info, field)) for field in INFO_FIELDS},
        "percentages": {key: _json(v) for key, v in basic_info_percentages(info).items()},
        "sources": dict(info.sources or {}),
        "ethnic_groups": [
            {"name": g.name, "households": g.households, "persons": g.persons}
            for g in (info.ethnic_groups.all() if saved else [])
        ],
        "updated_at": info.updated_at if saved else None,
    }


class EthnicGroupShape(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="Tên dân tộc — the ethnic group")
    households = serializers.IntegerField(help_text="Số hộ — households")
    persons = serializers.IntegerField(help_text="Số khẩu — persons")


class BasicInfoOutput(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        help_text="Phiên bản (0: chưa nhập) — the version (0: nothing saved yet)"
    )
    values = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="Giá trị theo từng dòng của biểu F1 — the value of each F1 row, by field",
    )
    percentages = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        help_text="Tỷ lệ tính từ tử số và mẫu số, không lưu — computed shares, never stored",
    )
    sources = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        help_text="Nguồn số liệu và ngày theo dòng — data source and date by field",
    )
    ethnic_groups = EthnicGroupShape(many=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class BasicInfoInput(serializers.Serializer[Any]):
    """The whole F1 at once (a value left out is emptied, like the form); values are typed
    as JSON numbers, strings or booleans and judged by the F1 rules."""

    values = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        default=dict,
        help_text="Giá trị theo dòng F1 (thiếu: để trống) — values by F1 field (left out: empty)",
    )
    sources = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        default=dict,
        help_text='{"trường": {"source": "…", "date": "yyyy-mm-dd"}} — data source and date',
    )
    ethnic_groups = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField(allow_null=True)),
        required=False,
        default=list,
        max_length=200,
        help_text="Các dân tộc (thay toàn bộ) — the ethnic groups (all replaced)",
    )


# --- F8: village meeting -----------------------------------------------------------------------


class AttendeeShape(serializers.Serializer[Any]):
    full_name = serializers.CharField(allow_blank=True, help_text="Họ tên — full name")
    sex = serializers.CharField(
        allow_blank=True, required=False, help_text=f"{' | '.join(Sex.values)}"
    )
    ethnicity = serializers.CharField(
        allow_blank=True, required=False, help_text="Dân tộc — ethnic group"
    )
    poverty_status = serializers.CharField(
        allow_blank=True, required=False, help_text=f"{' | '.join(PovertyStatus.values)}"
    )
    household = serializers.CharField(
        allow_blank=True, required=False, help_text="Hộ đại diện — household represented"
    )


class MeetingValues(serializers.Serializer[Any]):
    held_on = serializers.DateField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    chair = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    secretary = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    agenda = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    commune_staff = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    decision = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    households_total = serializers.IntegerField(required=False, allow_null=True)
    households_represented = serializers.IntegerField(required=False, allow_null=True)
    participants_total = serializers.IntegerField(required=False, allow_null=True)
    participants_women = serializers.IntegerField(required=False, allow_null=True)
    participants_poor = serializers.IntegerField(required=False, allow_null=True)
    participants_em = serializers.IntegerField(required=False, allow_null=True)
    participants_youth = serializers.IntegerField(required=False, allow_null=True)
    participants_elderly = serializers.IntegerField(required=False, allow_null=True)
    votes_agree = serializers.IntegerField(required=False, allow_null=True)
    votes_disagree = serializers.IntegerField(required=False, allow_null=True)
    votes_abstain = serializers.IntegerField(required=False, allow_null=True)


class MeetingInput(serializers.Serializer[Any]):
    """The whole meeting record (a value left out is empty) and, when given, the whole
    attendance list (replaced, as the workbook F8 does)."""

    values = MeetingValues()
    attendees = AttendeeShape(
        many=True,
        required=False,
        max_length=5000,
        help_text="Danh sách người dự (thay toàn bộ; bỏ qua: giữ nguyên) — the attendance list "
        "(all replaced; left out: kept)",
    )


class MeetingResultShape(serializers.Serializer[Any]):
    households_pct = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    agree_pct = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    quorate = serializers.BooleanField()
    approved = serializers.BooleanField()


class MeetingOutput(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        help_text="Phiên bản (0: chưa ghi biên bản) — the version (0: no meeting recorded yet)"
    )
    values = MeetingValues(allow_null=True)
    result = MeetingResultShape(
        allow_null=True,
        help_text="Đủ số hộ (R9), thông qua, tỷ lệ — quorum (R9), approval and shares",
    )
    attendees = AttendeeShape(many=True)


def meeting_shown(plan: VillagePlan, meeting: VillageMeeting | None) -> dict[str, Any]:
    """The meeting as the API shows it; none recorded yet: version 0 and no values."""
    if meeting is None:
        return {"version": 0, "values": None, "result": None, "attendees": []}
    result = meeting_result(meeting, plan.round.profile)
    values = {field: getattr(meeting, field) for field in MEETING_FIELDS}
    values["held_on"] = meeting.held_on.isoformat() if meeting.held_on else None
    return {
        "version": meeting.version,
        "values": values,
        "result": {
            "households_pct": _json(result.households_pct),
            "agree_pct": _json(result.agree_pct),
            "quorate": result.quorate,
            "approved": result.approved,
        },
        "attendees": [
            {field: getattr(person, field) for field in ATTENDEE_FIELDS}
            for person in meeting.attendees.all()
        ],
    }
