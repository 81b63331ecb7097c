"""The schema of a problem (RFC 9457), documented on every operation (``kehoach.api.schema``)."""

from __future__ import annotations

from rest_framework import serializers


class ProblemWhereSerializer(serializers.Serializer):
    field = serializers.CharField(
        required=False, help_text="Trường dữ liệu — the field (a dotted path when nested)."
    )
    line = serializers.IntegerField(
        required=False,
        help_text="Dòng: vị trí trong yêu cầu (từ 1) hoặc dòng của tệp Excel — the item of a "
        "batch request (from 1) or the row of a workbook.",
    )
    sheet = serializers.CharField(required=False, help_text="Trang tính — the workbook sheet.")
    column = serializers.CharField(required=False, help_text="Cột — the column.")


class ProblemEntrySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Mã lỗi ổn định — the stable code.")
    detail = serializers.CharField(help_text="Lời giải thích — what is wrong and what to do.")
    where = ProblemWhereSerializer()


class ProblemDifferenceSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    saved = serializers.CharField(help_text="Giá trị đã lưu — the value saved now.")
    yours = serializers.CharField(help_text="Giá trị bạn gửi — the value you sent.")


class ProblemSerializer(serializers.Serializer):
    """Lỗi theo RFC 9457 (application/problem+json). — An error as RFC 9457 problem details."""

    type = serializers.URLField(
        help_text="Tên ổn định của loại lỗi, https://kehoach.vn/problems/<code>; là một tên, "
        "không phải trang để mở. — The stable name of the problem type; a name, not a page."
    )
    title = serializers.CharField(help_text="Loại lỗi — the kind of problem (per status).")
    status = serializers.IntegerField(help_text="Mã trạng thái HTTP — the HTTP status.")
    detail = serializers.CharField(
        help_text="Lời giải thích, tiếng Việt hoặc tiếng Anh theo Accept-Language. — This "
        "occurrence, in Vietnamese or English (Accept-Language: en)."
    )
    code = serializers.CharField(help_text="Mã lỗi ổn định — the stable code.")
    where = ProblemWhereSerializer(required=False)
    errors = ProblemEntrySerializer(
        many=True, required=False, help_text="Từng lỗi khi có nhiều — each problem, if several."
    )
    differences = ProblemDifferenceSerializer(
        many=True,
        required=False,
        help_text="Các giá trị khác nhau khi người khác đã lưu trước — what someone else saved.",
    )
    current = serializers.DictField(
        required=False,
        help_text="Giá trị hiện tại (412) — the values saved now, on a stale If-Match.",
    )
