"""Demo data for `make run`: Quảng Trị, Xã Hải Lăng with 12 villages, Phường Đồng Hới, and one
user per role. Created only when settings.KEHOACH_DEMO is on; production never has it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from kehoach.core.errors import ApplicationError
from kehoach.geo.choices import Kind, Level
from kehoach.geo.loaders import REFORM_DATE, units_load_legacy_csv
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.services import village_create

from .choices import Role
from .models import RoleAssignment, User

DEMO_PASSWORD = "kehoach-demo"
PROVINCE = "44"
COMMUNE = "19702"
OTHER_COMMUNE = "18880"

HAI_LANG_VILLAGES = [
    "Thôn Diên Sanh",
    "Thôn Mỹ Chánh",
    "Thôn Trường Phước",
    "Thôn Phước Điền",
    "Thôn Hội Kỳ",
    "Thôn Xuân Lộc",
    "Thôn Thượng Xá",
    "Thôn Câu Nhi",
    "Thôn Văn Quỹ",
    "Thôn Đông Dương",
    "Thôn Trà Lộc",
    "Thôn Long Hưng",
]
DONG_HOI_GROUPS = ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 3", "Tổ dân phố Đồng Phú"]
LEGACY_CSV = Path(settings.BASE_DIR) / "examples" / "legacy-units-quang-tri.csv"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit_code: str | None


DEMO_USERS = [
    DemoUser("quantri", "Quản trị hệ thống", Role.ADMIN, None),
    DemoUser(
        "xa.hailang", "Nguyễn Thị Hoa (cán bộ kế hoạch xã Hải Lăng)", Role.COMMUNE_PLANNER, COMMUNE
    ),
    DemoUser(
        "lanhdao.hailang", "Lê Văn Sơn (Chủ tịch UBND xã Hải Lăng)", Role.COMMUNE_APPROVER, COMMUNE
    ),
    DemoUser(
        "thon.diensanh",
        "Trần Văn Bình (trưởng thôn Diên Sanh)",
        Role.VILLAGE_EDITOR,
        f"{COMMUNE}-001",
    ),
    DemoUser(
        "tinh.quangtri", "Hoàng Minh Tuấn (Sở Tài chính Quảng Trị)", Role.PROVINCE_OFFICER, PROVINCE
    ),
    DemoUser(
        "huyen.hailang",
        "Phan Thị Lan (Phòng TC-KH huyện Hải Lăng cũ)",
        Role.DISTRICT_OFFICER,
        "H470",
    ),
    DemoUser("nhataitro", "Chương trình tài trợ (xem)", Role.DONOR_VIEWER, COMMUNE),
    DemoUser(
        "quocgia",
        "Đỗ Thị Thu (Bộ Tài chính — xem tổng hợp toàn quốc)",
        Role.NATIONAL_OFFICER,
        None,
    ),
    DemoUser(
        "xa.donghoi",
        "Võ Thị Mai (cán bộ kế hoạch phường Đồng Hới)",
        Role.COMMUNE_PLANNER,
        OTHER_COMMUNE,
    ),
]


def demo_enabled() -> bool:
    return bool(getattr(settings, "KEHOACH_DEMO", False))


def demo_load() -> dict[str, int]:
    """Create the demo villages, users and roles; refuse before touching the database when the
    demo setting is off (production may not even have a database reachable from here)."""
    if not demo_enabled():
        raise ApplicationError(
            "demo_off",
            "Dữ liệu mẫu bị tắt (KEHOACH_DEMO). Môi trường sản xuất không tạo dữ liệu mẫu.",
        )
    with transaction.atomic():
        return _demo_load()


def _demo_load() -> dict[str, int]:
    commune = AdministrativeUnit.objects.filter(code=COMMUNE, level=Level.COMMUNE).first()
    other = AdministrativeUnit.objects.filter(code=OTHER_COMMUNE, level=Level.COMMUNE).first()
    if commune is None or other is None:
        raise ApplicationError(
            "units_missing", "Chưa có đơn vị hành chính chính thức: hãy chạy load_units trước."
        )
    counts = {"villages": 0, "users": 0, "roles": 0}
    loader = User(username="demo", is_superuser=True, is_active=True)
    for target, names, kind in (
        (commune, HAI_LANG_VILLAGES, Kind.VILLAGE),
        (other, DONG_HOI_GROUPS, Kind.RESIDENTIAL_GROUP),
    ):
        if target.children.exists():
            continue  # the commune keeps its own list once it has one (renames, merges)
        for name in names:
            village_create(
                actor=loader, commune=target, name=name, kind=kind, valid_from=REFORM_DATE
            )
            counts["villages"] += 1
    if not AdministrativeUnit.objects.filter(code="H470").exists():
        units_load_legacy_csv(LEGACY_CSV.read_text(encoding="utf-8"))
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username, defaults={"full_name": spec.full_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if spec.role == Role.ADMIN:
                user.is_staff = True
                user.is_superuser = True
            user.save()
            counts["users"] += 1
        unit = AdministrativeUnit.objects.get(code=spec.unit_code) if spec.unit_code else None
        _, made = RoleAssignment.objects.get_or_create(user=user, role=spec.role, unit=unit)
        counts["roles"] += int(made)
    return counts
