"""Implementation as the API shows it (issue 17, F14–F18): progress reports of a work with their
money and photos, a new report's input (shape only: every rule stays in
``monitoring.validators.progress``), a photo's upload, the supervision boards and the
evaluation of a commune plan — the values the pages show."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehoach.monitoring.choices import PhotoStage, ProgressStatus
from kehoach.monitoring.models import Disbursement, ProgressPhoto, ProgressReport

MONEY = {"max_digits": 18, "decimal_places": 3}


def photo_url(photo: ProgressPhoto, thumbnail: bool = False) -> str:
    return f"/api/v1/photos/{photo.uid}/" + ("?size=thumbnail" if thumbnail else "")


class ProgressDisbursementOutput(serializers.Serializer[Disbursement]):
    envelope_line_uid = serializers.UUIDField(
        source="envelope_line.uid", help_text="Mã dòng nguồn lực (F11) — envelope line UUID"
    )
    source_code = serializers.CharField(
        source="envelope_line.source.code", help_text="Mã nguồn vốn — funding source code"
    )
    amount_mvnd = serializers.DecimalField(
        **MONEY, help_text="Đã giải ngân (triệu đồng) — disbursed (million VND)"
    )


class ProgressPhotoOutput(serializers.Serializer[ProgressPhoto]):
    uid = serializers.UUIDField(help_text="Mã ảnh — photo UUID")
    stage = serializers.ChoiceField(
        choices=PhotoStage.choices,
        help_text="Giai đoạn: before, during, after — stage of the works",
    )
    caption = serializers.CharField(help_text="Chú thích — caption")
    width = serializers.IntegerField(help_text="Rộng (điểm ảnh) — width (pixels)")
    height = serializers.IntegerField(help_text="Cao (điểm ảnh) — height (pixels)")
    size = serializers.IntegerField(help_text="Dung lượng (byte) — size in bytes")
    url = serializers.SerializerMethodField(help_text="Tải ảnh (JPEG) — download (JPEG)")
    thumbnail_url = serializers.SerializerMethodField(help_text="Ảnh nhỏ — thumbnail")
    created_at = serializers.DateTimeField(help_text="Gửi lúc — uploaded at")

    def get_url(self, photo: ProgressPhoto) -> str:
        return photo_url(photo)

    def get_thumbnail_url(self, photo: ProgressPhoto) -> str:
        return photo_url(photo, thumbnail=True)


class ProgressReportOutput(serializers.Serializer[ProgressReport]):
    uid = serializers.UUIDField(help_text="Mã báo cáo — report UUID")
    line_uid = serializers.UUIDField(source="line.uid", help_text="Mã công trình — work UUID")
    reported_on = serializers.DateField(help_text="Ngày báo cáo — reporting date")
    status = serializers.ChoiceField(
        choices=ProgressStatus.choices,
        help_text="not_started, ongoing, completed, suspended, cancelled — status",
    )
    status_reason = serializers.CharField(help_text="Lý do (tạm dừng, hủy) — reason")
    quantity_done = serializers.DecimalField(
        max_digits=18, decimal_places=3, help_text="Khối lượng đã làm — quantity done to date"
    )
    actual_start = serializers.DateField(allow_null=True, help_text="Khởi công — actual start")
    actual_finish = serializers.DateField(allow_null=True, help_text="Hoàn thành — actual finish")
    contribution_cash_mvnd = serializers.DecimalField(
        **MONEY, help_text="Tiền mặt đóng góp (triệu đồng) — cash given (million VND)"
    )
    contribution_labour_days = serializers.DecimalField(
        max_digits=18, decimal_places=1, help_text="Ngày công đóng góp — labour days given"
    )
    contribution_labour_mvnd = serializers.DecimalField(
        **MONEY, help_text="Giá trị ngày công (triệu đồng) — value of the labour"
    )
    contribution_materials_mvnd = serializers.DecimalField(
        **MONEY, help_text="Vật tư đóng góp (triệu đồng) — materials given"
    )
    contribution_land_m2 = serializers.DecimalField(
        max_digits=18, decimal_places=1, help_text="Đất hiến (m²) — land given (m²)"
    )
    problems = serializers.CharField(help_text="Khó khăn — problems")
    excess_reason = serializers.CharField(
        help_text="Lý do vượt kế hoạch — reason for exceeding the plan"
    )
    reporter_name = serializers.CharField(help_text="Người báo cáo — reported by")
    is_latest = serializers.BooleanField(
        help_text="Báo cáo mới nhất của công trình — the work's latest report"
    )
    disbursed = ProgressDisbursementOutput(
        source="disbursements", many=True, help_text="Giải ngân theo nguồn — disbursed by source"
    )
    photos = ProgressPhotoOutput(many=True, help_text="Ảnh — photos")
    created_at = serializers.DateTimeField(help_text="Ghi lúc — recorded at")


class ProgressDisbursedInput(serializers.Serializer[Any]):
    envelope_line_uid = serializers.UUIDField(
        help_text="Dòng nguồn lực (F11) cấp vốn cho công trình — the envelope line funding it"
    )
    amount_mvnd = serializers.DecimalField(
        max_digits=24, decimal_places=6, help_text="Lũy kế giải ngân (triệu đồng) — to date"
    )


class ProgressReportInput(serializers.Serializer[Any]):
    """The shape of a report, as the page's form; every rule is the service's."""

    reported_on = serializers.DateField(help_text="Ngày báo cáo — reporting date")
    status = serializers.CharField(
        help_text="not_started, ongoing, completed, suspended, cancelled — status"
    )
    quantity_done = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    actual_start = serializers.DateField(required=False, allow_null=True)
    actual_finish = serializers.DateField(required=False, allow_null=True)
    status_reason = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    contribution_cash_mvnd = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    contribution_labour_days = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    contribution_labour_mvnd = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    contribution_materials_mvnd = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    contribution_land_m2 = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    problems = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    excess_reason = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    disbursed = ProgressDisbursedInput(many=True, required=False, max_length=100)


class ProgressPhotoInput(serializers.Serializer[Any]):
    image = serializers.FileField(
        required=False,
        allow_empty_file=True,
        help_text="Ảnh JPEG, PNG hoặc WebP (được mã hóa lại thành JPEG, bỏ mọi siêu dữ liệu) — "
        "a JPEG, PNG or WebP photo (re-encoded as JPEG without any metadata)",
    )
    stage = serializers.CharField(help_text="before, during, after — stage of the works")
    caption = serializers.CharField(required=False, allow_blank=True, default="")


class SupervisionBoardOutput(serializers.Serializer[Any]):
    """A work of the plan with its supervision board (F17) as the boards page lists it."""

    line_uid = serializers.UUIDField(source="uid", help_text="Mã công trình — work UUID")
    number = serializers.IntegerField(help_text="Số thứ tự — line number")
    activity = serializers.CharField(help_text="Hoạt động — activity")
    board_uid = serializers.UUIDField(
        source="board.uid", allow_null=True, help_text="Mã ban giám sát — board UUID"
    )
    established_on = serializers.DateField(
        source="board.established_on", allow_null=True, help_text="Thành lập — established on"
    )
    decision_ref = serializers.CharField(
        source="board.decision_ref", allow_null=True, help_text="Quyết định — decision"
    )
    dissolved_on = serializers.DateField(
        source="board.dissolved_on", allow_null=True, help_text="Giải thể — dissolved on"
    )
    members = serializers.IntegerField(
        source="board_members", help_text="Thành viên hiện tại — current members"
    )
    short_of_members = serializers.BooleanField(
        source="short", help_text="Thiếu thành viên tối thiểu — below the minimum"
    )
    visits = serializers.IntegerField(source="board_visits", help_text="Số lần giám sát — visits")
    last_visit = serializers.DateField(
        source="board_last_visit", allow_null=True, help_text="Lần giám sát cuối — last visit"
    )
    open_follow_ups = serializers.IntegerField(
        source="board_open", help_text="Kiến nghị chưa xử lý — follow-ups still open"
    )


class SupervisionFollowUpOutput(serializers.Serializer[Any]):
    visit_uid = serializers.UUIDField(source="uid", help_text="Mã lần giám sát — visit UUID")
    line_uid = serializers.UUIDField(source="board.line.uid", help_text="Công trình — work")
    visited_on = serializers.DateField(help_text="Ngày giám sát — visited on")
    findings = serializers.CharField(help_text="Phát hiện — findings")
    follow_up = serializers.CharField(help_text="Việc cần xử lý — follow-up")


class SupervisionOutput(serializers.Serializer[Any]):
    minimum_members = serializers.IntegerField(
        help_text="Số thành viên tối thiểu — minimum members"
    )
    without_board = serializers.IntegerField(
        help_text="Công trình chưa có ban — works without a board"
    )
    works = SupervisionBoardOutput(many=True)
    follow_ups = SupervisionFollowUpOutput(many=True)


class EvaluationSourceOutput(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Mã nguồn — source code")
    name = serializers.CharField(help_text="Nguồn — source")
    approved_mvnd = serializers.DecimalField(**MONEY, help_text="Được duyệt — approved")
    disbursed_mvnd = serializers.DecimalField(**MONEY, help_text="Đã giải ngân — disbursed")


class EvaluationWorkOutput(serializers.Serializer[Any]):
    line_uid = serializers.UUIDField(source="line.uid", help_text="Công trình — work")
    number = serializers.IntegerField(source="line.number", help_text="Số thứ tự — number")
    activity = serializers.CharField(source="line.activity", help_text="Hoạt động — activity")
    status = serializers.CharField(help_text="Trạng thái mới nhất — latest status")
    quantity_planned = serializers.DecimalField(
        source="line.quantity", max_digits=18, decimal_places=3, help_text="Kế hoạch — planned"
    )
    quantity_done = serializers.DecimalField(
        max_digits=18, decimal_places=3, help_text="Đã làm — done"
    )
    percent_done = serializers.DecimalField(
        max_digits=9, decimal_places=1, allow_null=True, help_text="% khối lượng — % done"
    )
    sources = EvaluationSourceOutput(many=True)
    evaluated = serializers.SerializerMethodField(help_text="Đã đánh giá — evaluated")
    beneficiary_opinion = serializers.SerializerMethodField(
        help_text="Ý kiến người hưởng lợi — beneficiaries' opinion"
    )
    lesson = serializers.SerializerMethodField(help_text="Bài học — lesson")

    def get_evaluated(self, row: Any) -> bool:
        return row.evaluation is not None

    def get_beneficiary_opinion(self, row: Any) -> str:
        return row.evaluation.beneficiary_opinion if row.evaluation else ""

    def get_lesson(self, row: Any) -> str:
        return row.evaluation.lesson if row.evaluation else ""


class EvaluationTotalsOutput(serializers.Serializer[Any]):
    works = serializers.IntegerField()
    completed = serializers.IntegerField()
    ongoing = serializers.IntegerField()
    not_started = serializers.IntegerField()
    suspended = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    evaluated = serializers.IntegerField()
    approved_mvnd = serializers.DecimalField(**MONEY)
    disbursed_mvnd = serializers.DecimalField(**MONEY)
    contribution_promised_mvnd = serializers.DecimalField(**MONEY)
    contribution_realised_mvnd = serializers.DecimalField(**MONEY)
    by_source = EvaluationSourceOutput(many=True)


class EvaluationTargetOutput(serializers.Serializer[Any]):
    indicator_code = serializers.CharField(source="indicator.code", help_text="Chỉ tiêu — code")
    planned = serializers.DecimalField(
        max_digits=24, decimal_places=6, allow_null=True, help_text="Kế hoạch — planned"
    )
    achieved = serializers.DecimalField(
        max_digits=24, decimal_places=6, allow_null=True, help_text="Đạt được — achieved"
    )
    met = serializers.BooleanField(allow_null=True, help_text="Đạt — met")


class EvaluationOutput(serializers.Serializer[Any]):
    evaluated_on = serializers.DateField(allow_null=True, help_text="Ngày đánh giá — date")
    results_achieved = serializers.CharField(
        source="results", help_text="Kết quả đạt được — results achieved"
    )
    shortcomings = serializers.CharField(help_text="Tồn tại, hạn chế — shortcomings")
    lessons = serializers.CharField(help_text="Bài học — lessons")
    totals = EvaluationTotalsOutput()
    works = EvaluationWorkOutput(source="rows", many=True)
    targets = EvaluationTargetOutput(many=True)
