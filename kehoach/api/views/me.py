"""``GET /api/v1/me/``: who the credential belongs to, with the roles and units it gives."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kehoach.accounts.permissions import assignments_of


class RoleOutput(serializers.Serializer[dict[str, object]]):
    role = serializers.CharField(help_text="Mã vai trò — role code")
    role_label = serializers.CharField(help_text="Tên vai trò — role name")
    unit_code = serializers.CharField(
        allow_null=True, help_text="Mã đơn vị hành chính — official unit code (null: all)"
    )
    unit_name = serializers.CharField(allow_null=True, help_text="Tên đơn vị — unit name")


class MeOutput(serializers.Serializer[dict[str, object]]):
    username = serializers.CharField(help_text="Tên đăng nhập — username")
    full_name = serializers.CharField(help_text="Họ và tên — full name")
    roles = RoleOutput(many=True, help_text="Vai trò và đơn vị — roles and units")


class MeView(APIView):
    @extend_schema(
        operation_id="me",
        summary="Tài khoản đang dùng — The account in use",
        description=(
            "Người dùng của khóa truy cập (hoặc phiên đăng nhập) này, với các vai trò và đơn vị "
            "được giao. — The user of this access token (or session), with the roles held and "
            "the units they are held on."
        ),
        responses={200: MeOutput},
        examples=[
            OpenApiExample(
                "Cán bộ kế hoạch xã — commune planning officer",
                value={
                    "username": "xa.hailang",
                    "full_name": "Nguyễn Văn An",
                    "roles": [
                        {
                            "role": "commune_planner",
                            "role_label": "Cán bộ kế hoạch xã",
                            "unit_code": "19702",
                            "unit_name": "Xã Hải Lăng",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        user = request.user
        roles = [
            {
                "role": a.role,
                "role_label": str(a.get_role_display()),
                "unit_code": a.unit.code if a.unit_id and a.unit else None,
                "unit_name": a.unit.name if a.unit_id and a.unit else None,
            }
            for a in sorted(
                assignments_of(user), key=lambda a: (a.role, a.unit.code if a.unit else "")
            )
        ]
        data = {
            "username": user.get_username(),
            "full_name": getattr(user, "full_name", ""),
            "roles": roles,
        }
        return Response(MeOutput(data).data)
