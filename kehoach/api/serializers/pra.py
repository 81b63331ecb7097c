"""A village plan's PRA outputs (F2) as the API shows them (issue 18): the tool by its code and
name, the problems it supports and its photos by UUID, the SWOT entries it supports by their
sector code (a plan has one SWOT entry per sector, its key: ``/swot/<sector_code>/``). The
photos' files are served by the pages, which check who asks; the API names them only."""

from __future__ import annotations

from rest_framework import serializers

from kehoach.plans.models import PraOutput


class PraOutputOutput(serializers.Serializer[PraOutput]):
    uid = serializers.UUIDField(help_text="Mã kết quả công cụ PRA — PRA output UUID")
    tool_code = serializers.CharField(source="tool.code", help_text="Mã công cụ — tool code")
    tool_name = serializers.CharField(source="tool.name", help_text="Tên công cụ — tool name")
    held_on = serializers.DateField(help_text="Ngày thực hiện — date")
    facilitators = serializers.CharField(help_text="Người điều hành — facilitators")
    participants_women = serializers.IntegerField(help_text="Số nữ tham gia — women taking part")
    participants_men = serializers.IntegerField(help_text="Số nam tham gia — men taking part")
    findings = serializers.CharField(help_text="Kết quả, phát hiện — findings")
    supports_swot_sector_codes = serializers.SerializerMethodField(
        help_text="Các mục SWOT (F3) được kết quả này làm căn cứ, theo mã lĩnh vực (khóa của "
        "mục SWOT: /village-plans/<uid>/swot/<sector_code>/) — the SWOT entries it supports, "
        "by sector code (a SWOT entry's key)"
    )
    supports_problem_uids = serializers.SerializerMethodField(
        help_text="Các vấn đề (F4) được kết quả này làm căn cứ — problems it supports"
    )
    photo_uids = serializers.SerializerMethodField(help_text="Ảnh chụp, bản quét — photos or scans")
    version = serializers.IntegerField(help_text="Phiên bản — version")
    created_at = serializers.DateTimeField(help_text="Tạo lúc — created at")
    updated_at = serializers.DateTimeField(help_text="Cập nhật lúc — last changed")

    # prefetched by ``pra_outputs_of``: no query per output
    def get_supports_swot_sector_codes(self, output: PraOutput) -> list[str]:
        return [entry.sector.code for entry in output.supports_swot.all()]

    def get_supports_problem_uids(self, output: PraOutput) -> list[str]:
        return [str(problem.uid) for problem in output.supports_problems.all()]

    def get_photo_uids(self, output: PraOutput) -> list[str]:
        return [str(photo.uid) for photo in output.photos.all()]
