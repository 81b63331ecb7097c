"""Publishing a round's envelope (R19) through the API (issue 17): ``POST
/rounds/<uid>/envelope/actions/publish/``, the envelope page's "Publish to the villages" button
(``envelope_publish``: the lines as they are copied for every village plan of the round, one
StatusChange row). If-Match names the envelope's version (the ETag of ``GET …/envelope/``);
``?dry_run=1`` asks ``envelope_publish_check``, the same checks without writing."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.rounds import EnvelopeOutput
from kehoach.api.writes import DRY_RUN, etag, is_dry_run, require_version
from kehoach.synthesis.models import Envelope
from kehoach.synthesis.services.envelope import (
    envelope_publish,
    envelope_publish_check,
    envelope_version,
)

from .common import bilingual
from .envelopes import envelope_of, envelope_shown
from .rounds import round_for

ENVELOPE_VERSION = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        'Bắt buộc: phiên bản khung nguồn lực bạn đã đọc (ETag của GET …/envelope/, ví dụ "7"); '
        "thiếu: 428; đã có người lưu sau đó: 412 kèm khung hiện tại — required: the envelope's "
        'version you read (the ETag of GET …/envelope/, e.g. "7"); missing: 428; saved by '
        "someone since: 412 with the current envelope"
    ),
)


class EnvelopePublish(generics.GenericAPIView[Envelope]):
    serializer_class = EnvelopeOutput

    @extend_schema(
        operation_id="rounds_envelope_publish",
        summary=bilingual("Công bố khung nguồn lực cho các thôn", "Publish the envelope"),
        description=bilingual(
            "Như nút «Công bố cho các thôn» trên trang khung nguồn lực: chép các dòng như hiện "
            "tại để mọi kế hoạch thôn của kỳ thấy chúng (công bố lại thì thay bản trước). Chỉ "
            "cán bộ xã được công bố, khi kế hoạch xã còn là bản nháp và khung có ít nhất một "
            "dòng. If-Match bắt buộc (phiên bản khung); ?dry_run=1 chỉ kiểm tra và trả lời số "
            "dòng sẽ công bố.",
            "As the envelope page's 'Publish to the villages' button: copies the lines as they "
            "are so that every village plan of the round shows them (publishing again replaces "
            "the copy). Only the commune may publish, while the commune plan is a draft and the "
            "envelope has at least one line. If-Match is required (the envelope's version); "
            "?dry_run=1 only checks and answers how many lines it would publish.",
        ),
        request=None,
        parameters=[ENVELOPE_VERSION, DRY_RUN],
        responses={200: EnvelopeOutput},
        examples=[
            OpenApiExample(
                "Kiểm tra — dry run",
                value={"dry_run": True, "counts": {"published_lines": 3}},
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        round_ = round_for(request, self.kwargs)
        require_version(
            request,
            envelope_version(envelope_of(round_)),
            lambda: envelope_shown(request, round_)[0],
        )
        if is_dry_run(request):
            counts = envelope_publish_check(actor=request.user, round_=round_)
            return Response({"dry_run": True, "counts": counts})
        envelope_publish(actor=request.user, round_=round_)
        body, version = envelope_shown(request, round_)
        return Response(body, headers={"ETag": etag(version)})
