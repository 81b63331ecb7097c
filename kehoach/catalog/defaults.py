"""The seeded reference data: sectors, funding sources, units of measure, the default profile.

Codes are stable: other apps, workbooks and the API refer to them, so a code here is never
renamed; a retired entry is deactivated by an administrator instead. Names come from
domain.md (§6.1 sectors, §6.4 funding sources) with their full Vietnamese diacritics.
``services.catalog_load_defaults`` creates what is missing and leaves administrators' edits
alone unless asked to restore these values.

This is data, not interface text: the Vietnamese names are stored in the database (and
editable there); English names sit beside them in ``name_en``.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from .choices import FundingKind, PriorityBoundScope


class Criterion(TypedDict):
    code: str
    name: str
    name_en: str
    weight: int | float


class SectorSeed(TypedDict):
    code: str
    name: str
    name_en: str
    description: str
    sort_order: int
    ntm_criteria: str


class FundingSourceSeed(TypedDict):
    code: str
    name: str
    name_en: str
    kind: str
    parent: str | None
    valid_from_year: int | None
    valid_to_year: int | None
    counterpart_share_pct: Decimal
    is_external: bool
    sort_order: int
    notes: str


class UnitSeed(TypedDict):
    code: str
    name: str
    name_en: str
    aliases: str
    sort_order: int


class ProfileSeed(TypedDict):
    code: str
    name: str
    description: str
    is_default: bool
    min_priority_activities_per_sector: int
    max_priority_activities_per_sector: int
    priority_bound_applies_to: str
    unique_ranks_within_sector: bool
    min_priority: int
    max_priority: int
    quorum_households_pct: Decimal
    quorum_agreement_pct: Decimal
    money_decimals: int
    ranking_criteria: list[Criterion]
    scoring_criteria: list[Criterion]
    extra: NotRequired[dict[str, Any]]


# --- criteria (F5 ranking in the village, F10 scoring in the commune) -------------------------

RANKING_CRITERIA: list[Criterion] = [
    {
        "code": "affected_people",
        "name": "Vấn đề ảnh hưởng đến nhiều người nhất",
        "name_en": "Concerns the most people",
        "weight": 1,
    },
    {
        "code": "participation",
        "name": "Giải quyết được với sự tham gia của nhiều bên nhất",
        "name_en": "Can be solved with the participation of the most stakeholders",
        "weight": 1,
    },
    {
        "code": "urgency",
        "name": "Cần giải quyết trước",
        "name_en": "Must be solved first",
        "weight": 1,
    },
    {
        "code": "solves_others",
        "name": "Giải quyết được sẽ giải quyết cả các vấn đề khác",
        "name_en": "If solved, also solves other problems",
        "weight": 1,
    },
]
"""F5: criteria from the problem-tree guidance; each scored 1–5, equal weights [S/I]."""

SCORING_CRITERIA: list[Criterion] = [
    {
        "code": "village_priority",
        "name": "Thứ tự ưu tiên của thôn",
        "name_en": "Village priority",
        "weight": 1,
    },
    {
        "code": "villages_proposing",
        "name": "Số thôn cùng đề xuất",
        "name_en": "Number of villages proposing the same activity",
        "weight": 1,
    },
    {
        "code": "beneficiaries",
        "name": "Số người hưởng lợi (tổng số, tỷ lệ hộ nghèo, hộ DTTS)",
        "name_en": "Beneficiaries (total, poor and ethnic-minority share)",
        "weight": 1,
    },
    {
        "code": "ntm_criterion",
        "name": "Gắn với tiêu chí nông thôn mới chưa đạt",
        "name_en": "Link to a new-rural criterion not yet met",
        "weight": 1,
    },
    {
        "code": "urgency_safety",
        "name": "Tính cấp thiết, an toàn",
        "name_en": "Urgency and safety",
        "weight": 1,
    },
    {
        "code": "cost_per_beneficiary",
        "name": "Chi phí trên một người hưởng lợi",
        "name_en": "Cost per beneficiary",
        "weight": 1,
    },
    {
        "code": "community_contribution",
        "name": "Tỷ lệ đóng góp của cộng đồng",
        "name_en": "Community contribution share",
        "weight": 1,
    },
    {
        "code": "readiness",
        "name": "Mức độ sẵn sàng (mặt bằng, thiết kế)",
        "name_en": "Readiness (land, design)",
        "weight": 1,
    },
    {
        "code": "operation_maintenance",
        "name": "Phương án quản lý, vận hành và bảo dưỡng",
        "name_en": "Operation and maintenance arrangement",
        "weight": 1,
    },
]
"""F10: the proposed commune criteria (domain.md F10, §10 q.5), equal weights until a
province or programme sets its own."""


def default_ranking_criteria() -> list[Criterion]:
    """Field default for ``ProcessProfile.ranking_criteria`` (a fresh copy each time)."""
    return copy.deepcopy(RANKING_CRITERIA)


def default_scoring_criteria() -> list[Criterion]:
    """Field default for ``ProcessProfile.scoring_criteria`` (a fresh copy each time)."""
    return copy.deepcopy(SCORING_CRITERIA)


# --- sectors (domain.md §6.1) -----------------------------------------------------------------
# ntm_criteria maps each sector to the 19 new-rural criteria of §6.3 [I], for R8 checks.

SECTORS: list[SectorSeed] = [
    {
        "code": "NN",
        "name": "Nông nghiệp (trồng trọt, chăn nuôi, thủy sản, khuyến nông)",
        "name_en": "Agriculture: crops, livestock, aquaculture, extension",
        "description": "Giống cây trồng, giống vật nuôi, mô hình sản xuất, dịch vụ thú y.",
        "sort_order": 10,
        "ntm_criteria": "10,13",
    },
    {
        "code": "LN",
        "name": "Lâm nghiệp",
        "name_en": "Forestry",
        "description": "Trồng rừng, khoán bảo vệ rừng, lâm sản ngoài gỗ, giao đất giao rừng.",
        "sort_order": 20,
        "ntm_criteria": "10,13",
    },
    {
        "code": "CN",
        "name": "Công nghiệp – tiểu thủ công nghiệp",
        "name_en": "Industry & handicraft",
        "description": "Chế biến, làng nghề.",
        "sort_order": 30,
        "ntm_criteria": "10,12,13",
    },
    {
        "code": "DV",
        "name": "Thương mại – dịch vụ – du lịch",
        "name_en": "Trade, services, tourism, markets",
        "description": "Chợ, hợp tác xã, chuỗi giá trị.",
        "sort_order": 40,
        "ntm_criteria": "7,10,13",
    },
    {
        "code": "HT-GT",
        "name": "Hạ tầng: giao thông",
        "name_en": "Infrastructure: transport",
        "description": "Đường, cầu, cống.",
        "sort_order": 50,
        "ntm_criteria": "2",
    },
    {
        "code": "HT-TL",
        "name": "Thủy lợi, phòng chống thiên tai",
        "name_en": "Infrastructure: irrigation & disaster prevention",
        "description": "Kênh mương, đập, kè.",
        "sort_order": 60,
        "ntm_criteria": "3",
    },
    {
        "code": "HT-D",
        "name": "Điện",
        "name_en": "Infrastructure: electricity",
        "description": "Mở rộng lưới điện.",
        "sort_order": 70,
        "ntm_criteria": "4",
    },
    {
        "code": "HT-N",
        "name": "Nước sạch, vệ sinh môi trường",
        "name_en": "Clean water & sanitation",
        "description": "Công trình cấp nước, nhà tiêu hợp vệ sinh.",
        "sort_order": 80,
        "ntm_criteria": "17",
    },
    {
        "code": "HT-VH",
        "name": "Nhà văn hóa, khu thể thao",
        "name_en": "Cultural/sports facilities",
        "description": "Nhà văn hóa thôn, sân thể thao.",
        "sort_order": 90,
        "ntm_criteria": "6",
    },
    {
        "code": "HT-TT",
        "name": "Thông tin – truyền thông",
        "name_en": "Information & communication",
        "description": "Hệ thống loa truyền thanh, điểm truy cập internet.",
        "sort_order": 100,
        "ntm_criteria": "8",
    },
    {
        "code": "GD",
        "name": "Giáo dục – đào tạo, dạy nghề",
        "name_en": "Education & training, vocational training",
        "description": "Phòng học, bán trú, xóa mù chữ, dạy nghề.",
        "sort_order": 110,
        "ntm_criteria": "5,14",
    },
    {
        "code": "YT",
        "name": "Y tế, dinh dưỡng",
        "name_en": "Health & nutrition",
        "description": "Trạm y tế, bảo hiểm y tế, dinh dưỡng.",
        "sort_order": 120,
        "ntm_criteria": "15",
    },
    {
        "code": "VH",
        "name": "Văn hóa – xã hội",
        "name_en": "Culture, society, sports",
        "description": "Lễ hội, câu lạc bộ, thể thao.",
        "sort_order": 130,
        "ntm_criteria": "16",
    },
    {
        "code": "XH",
        "name": "An sinh xã hội, giảm nghèo",
        "name_en": "Social protection & poverty reduction",
        "description": "Nhà ở cho hộ nghèo, sinh kế.",
        "sort_order": 140,
        "ntm_criteria": "9,11,12",
    },
    {
        "code": "MT",
        "name": "Môi trường, tài nguyên, biến đổi khí hậu",
        "name_en": "Environment, natural resources, climate",
        "description": "Thu gom rác thải, thích ứng với xâm nhập mặn.",
        "sort_order": 150,
        "ntm_criteria": "17",
    },
    {
        "code": "QL",
        "name": "Quản lý nhà nước, nâng cao năng lực",
        "name_en": "Governance, capacity building, planning",
        "description": "Đào tạo, tập huấn, trang thiết bị.",
        "sort_order": 160,
        "ntm_criteria": "1,18",
    },
    {
        "code": "AN",
        "name": "Quốc phòng – an ninh",
        "name_en": "Defence & security",
        "description": "",
        "sort_order": 170,
        "ntm_criteria": "19",
    },
]


# --- funding sources (domain.md §6.4) ---------------------------------------------------------

_ZERO = Decimal("0")

FUNDING_SOURCES: list[FundingSourceSeed] = [
    {
        "code": "NS-X",
        "name": "Ngân sách xã",
        "name_en": "Commune budget",
        "kind": FundingKind.COMMUNE_BUDGET,
        "parent": None,
        "valid_from_year": None,
        "valid_to_year": None,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 10,
        "notes": "Dự toán ngân sách xã do HĐND xã quyết định theo Luật Ngân sách nhà nước.",
    },
    {
        "code": "NS-T",
        "name": "Ngân sách tỉnh (huyện)",
        "name_en": "Provincial budget (and pre-2025 district budget) incl. targeted supplements",
        "kind": FundingKind.PROVINCIAL_BUDGET,
        "parent": None,
        "valid_from_year": None,
        "valid_to_year": None,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 20,
        "notes": "Gồm bổ sung cân đối và bổ sung có mục tiêu; ngân sách huyện trước năm 2025.",
    },
    {
        "code": "NTM",
        "name": "CTMTQG xây dựng NTM",
        "name_en": "NTP New Rural Development 2021–2025",
        "kind": FundingKind.NATIONAL_TARGET_PROGRAMME,
        "parent": None,
        "valid_from_year": 2021,
        "valid_to_year": 2025,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 30,
        "notes": "Nghị quyết 25/2021/QH15.",
    },
    {
        "code": "GNBV",
        "name": "CTMTQG giảm nghèo bền vững",
        "name_en": "NTP Sustainable Poverty Reduction 2021–2025",
        "kind": FundingKind.NATIONAL_TARGET_PROGRAMME,
        "parent": None,
        "valid_from_year": 2021,
        "valid_to_year": 2025,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 40,
        "notes": "Nghị quyết 24/2021/QH15.",
    },
    {
        "code": "DTTS",
        "name": "CTMTQG phát triển KT-XH vùng DTTS&MN (QĐ 1719)",
        "name_en": "NTP socio-economic development of ethnic-minority & mountainous areas",
        "kind": FundingKind.NATIONAL_TARGET_PROGRAMME,
        "parent": None,
        "valid_from_year": 2021,
        "valid_to_year": 2025,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 50,
        "notes": (
            "Nghị quyết 120/2020/QH14; Quyết định 1719/QĐ-TTg ngày 14/10/2021 (giai đoạn I "
            "2021–2025). Từ năm 2026 thuộc chương trình NTP26."
        ),
    },
    {
        "code": "P135",
        "name": "Chương trình 135",
        "name_en": "Programme 135 (extremely difficult communes and villages)",
        "kind": FundingKind.PROGRAMME,
        "parent": None,
        "valid_from_year": 1998,
        "valid_to_year": 2020,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 60,
        "notes": (
            "Xã, thôn đặc biệt khó khăn, biên giới, an toàn khu; dùng cho dữ liệu trước năm "
            "2021 (nội dung kế thừa nằm trong chương trình 1719)."
        ),
    },
    {
        "code": "P30a",
        "name": "Chương trình 30a",
        "name_en": "Programme 30a (poorest districts)",
        "kind": FundingKind.PROGRAMME,
        "parent": None,
        "valid_from_year": 2009,
        "valid_to_year": 2020,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 70,
        "notes": (
            "Nghị quyết 30a/2008/NQ-CP cho các huyện nghèo; dùng cho dữ liệu trước năm 2021. "
            "Năm hiệu lực cần xác nhận."
        ),
    },
    {
        "code": "NTP26",
        "name": (
            "CTMTQG xây dựng NTM, giảm nghèo bền vững và phát triển KT-XH vùng DTTS&MN "
            "giai đoạn 2026–2035"
        ),
        "name_en": (
            "Unified NTP on new rural development, sustainable poverty reduction and "
            "ethnic-minority/mountain development 2026–2035"
        ),
        "kind": FundingKind.NATIONAL_TARGET_PROGRAMME,
        "parent": None,
        "valid_from_year": 2026,
        "valid_to_year": 2035,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 80,
        "notes": "Thay thế ba CTMTQG giai đoạn 2021–2025; Quốc hội thông qua ngày 11/12/2025.",
    },
    {
        "code": "NTP26-NTM",
        "name": "Hợp phần xây dựng nông thôn mới",
        "name_en": "New rural development component",
        "kind": FundingKind.NATIONAL_TARGET_PROGRAMME,
        "parent": "NTP26",
        "valid_from_year": 2026,
        "valid_to_year": 2035,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 81,
        "notes": "",
    },
    {
        "code": "NTP26-GN",
        "name": "Hợp phần giảm nghèo bền vững",
        "name_en": "Sustainable poverty reduction component",
        "kind": FundingKind.NATIONAL_TARGET_PROGRAMME,
        "parent": "NTP26",
        "valid_from_year": 2026,
        "valid_to_year": 2035,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 82,
        "notes": "",
    },
    {
        "code": "NTP26-DTTS",
        "name": "Hợp phần phát triển KT-XH vùng đồng bào DTTS và miền núi",
        "name_en": "Ethnic-minority and mountainous area socio-economic development component",
        "kind": FundingKind.NATIONAL_TARGET_PROGRAMME,
        "parent": "NTP26",
        "valid_from_year": 2026,
        "valid_to_year": 2035,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 83,
        "notes": "",
    },
    {
        "code": "LG",
        "name": "Vốn lồng ghép",
        "name_en": "Integrated capital from other programmes/projects",
        "kind": FundingKind.OTHER,
        "parent": None,
        "valid_from_year": None,
        "valid_to_year": None,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 90,
        "notes": "Vốn của chương trình, dự án khác được lồng ghép; tính riêng trong kế hoạch.",
    },
    {
        "code": "TD",
        "name": "Vốn tín dụng chính sách",
        "name_en": "Policy credit (Social Policy Bank) and other credit",
        "kind": FundingKind.CREDIT,
        "parent": None,
        "valid_from_year": None,
        "valid_to_year": None,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 100,
        "notes": "Ngân hàng Chính sách xã hội và tín dụng khác.",
    },
    {
        "code": "ODA",
        "name": "Vốn ODA, dự án tài trợ",
        "name_en": "Donor / ODA projects",
        "kind": FundingKind.ODA,
        "parent": None,
        "valid_from_year": None,
        "valid_to_year": None,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 110,
        "notes": "Từng dự án tài trợ có thể được thêm thành hợp phần con của nguồn này.",
    },
    {
        "code": "DN",
        "name": "Doanh nghiệp",
        "name_en": "Enterprises",
        "kind": FundingKind.ENTERPRISE,
        "parent": None,
        "valid_from_year": None,
        "valid_to_year": None,
        "counterpart_share_pct": _ZERO,
        "is_external": True,
        "sort_order": 120,
        "notes": "",
    },
    {
        "code": "CD",
        "name": "Nhân dân đóng góp (tiền, công, vật liệu, hiến đất)",
        "name_en": "Community contribution: cash, labour, materials, land",
        "kind": FundingKind.COMMUNITY,
        "parent": None,
        "valid_from_year": None,
        "valid_to_year": None,
        "counterpart_share_pct": _ZERO,
        "is_external": False,
        "sort_order": 130,
        "notes": "Hình thức: tiền mặt, ngày công, vật liệu tại chỗ, hiến đất, tài sản.",
    },
]


# --- units of measure -------------------------------------------------------------------------
# aliases: folded spellings (kehoach.core.text.fold) that free text may use for the unit.

UNITS_OF_MEASURE: list[UnitSeed] = [
    {"code": "km", "name": "km", "name_en": "km", "sort_order": 10,
     "aliases": "km,kilomet,ki lo met,ki-lo-met,cay so"},
    {"code": "m", "name": "m", "name_en": "m", "sort_order": 20,
     "aliases": "m,met,met dai,md"},
    {"code": "m2", "name": "m²", "name_en": "m²", "sort_order": 30,
     "aliases": "m2,m²,met vuong,m vuong"},
    {"code": "m3", "name": "m³", "name_en": "m³", "sort_order": 40,
     "aliases": "m3,m³,met khoi,m khoi,khoi"},
    {"code": "ha", "name": "ha", "name_en": "ha", "sort_order": 50,
     "aliases": "ha,hecta,hec ta,hectare"},
    {"code": "tan", "name": "tấn", "name_en": "tonne", "sort_order": 60,
     "aliases": "tan"},
    {"code": "kg", "name": "kg", "name_en": "kg", "sort_order": 70,
     "aliases": "kg,kilogam,ki lo gam,ki-lo-gam"},
    {"code": "ho", "name": "hộ", "name_en": "household", "sort_order": 80,
     "aliases": "ho,ho gia dinh"},
    {"code": "nguoi", "name": "người", "name_en": "person", "sort_order": 90,
     "aliases": "nguoi,nguoi dan,hoc vien"},
    {"code": "luot", "name": "lượt", "name_en": "attendance", "sort_order": 100,
     "aliases": "luot,luot nguoi"},
    {"code": "con", "name": "con", "name_en": "head (animals)", "sort_order": 110,
     "aliases": "con,con giong"},
    {"code": "cay", "name": "cây", "name_en": "tree / seedling", "sort_order": 120,
     "aliases": "cay,cay giong"},
    {"code": "lop", "name": "lớp", "name_en": "course / class", "sort_order": 130,
     "aliases": "lop,lop hoc,lop tap huan"},
    {"code": "buoi", "name": "buổi", "name_en": "session", "sort_order": 140,
     "aliases": "buoi"},
    {"code": "mo-hinh", "name": "mô hình", "name_en": "demonstration model", "sort_order": 150,
     "aliases": "mo hinh"},
    {"code": "cong-trinh", "name": "công trình", "name_en": "work (structure)",
     "sort_order": 160, "aliases": "cong trinh,ct"},
    {"code": "phong", "name": "phòng", "name_en": "room", "sort_order": 170,
     "aliases": "phong,phong hoc"},
    {"code": "can", "name": "căn", "name_en": "dwelling", "sort_order": 180,
     "aliases": "can,can nha,ngoi nha"},
    {"code": "be", "name": "bể", "name_en": "tank", "sort_order": 190,
     "aliases": "be,be nuoc"},
    {"code": "gieng", "name": "giếng", "name_en": "well", "sort_order": 200,
     "aliases": "gieng,gieng nuoc"},
    {"code": "tram", "name": "trạm", "name_en": "station", "sort_order": 210,
     "aliases": "tram"},
    {"code": "diem", "name": "điểm", "name_en": "site", "sort_order": 220,
     "aliases": "diem"},
    {"code": "cai", "name": "cái", "name_en": "piece", "sort_order": 230,
     "aliases": "cai"},
    {"code": "chiec", "name": "chiếc", "name_en": "item", "sort_order": 240,
     "aliases": "chiec"},
    {"code": "bo", "name": "bộ", "name_en": "set", "sort_order": 250,
     "aliases": "bo"},
    {"code": "goi", "name": "gói", "name_en": "package", "sort_order": 260,
     "aliases": "goi"},
    {"code": "chuyen", "name": "chuyến", "name_en": "trip", "sort_order": 270,
     "aliases": "chuyen,chuyen di"},
    {"code": "ngay-cong", "name": "ngày công", "name_en": "workday", "sort_order": 280,
     "aliases": "ngay cong,cong"},
]  # fmt: skip


# --- process profiles -------------------------------------------------------------------------

DEFAULT_PROFILE_CODE = "MAC-DINH"

PROCESS_PROFILES: list[ProfileSeed] = [
    {
        "code": DEFAULT_PROFILE_CODE,
        "name": "Quy trình mặc định (VDP/CDP)",
        "description": (
            "Quy trình lập kế hoạch thôn (VDP) và xã (CDP) có sự tham gia: mỗi lĩnh vực có "
            "từ 1 đến 3 hoạt động ưu tiên, ưu tiên từ 1 đến 3; họp thôn hợp lệ khi trên 50% "
            "số hộ tham dự và trên 50% người dự đồng ý."
        ),
        "is_default": True,
        "min_priority_activities_per_sector": 1,
        "max_priority_activities_per_sector": 3,
        "priority_bound_applies_to": PriorityBoundScope.RANKED_LINES,
        "unique_ranks_within_sector": False,
        "min_priority": 1,
        "max_priority": 3,
        "quorum_households_pct": Decimal("50"),
        "quorum_agreement_pct": Decimal("50"),
        "money_decimals": 1,
        "ranking_criteria": RANKING_CRITERIA,
        "scoring_criteria": SCORING_CRITERIA,
    },
]
