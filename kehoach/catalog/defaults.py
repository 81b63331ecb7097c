"""The seeded reference data: sectors, funding sources, units of measure, socio-economic
indicators, the default profile.

Codes are stable: other apps, workbooks and the API refer to them, so a code here is never
renamed; a retired entry is deactivated by an administrator instead. Names come from
domain.md (§6.1 sectors, §6.4 funding sources, F16 and §6.3 indicators) with their full
Vietnamese diacritics.
``services.catalog_load_defaults`` creates what is missing and leaves administrators' edits
alone unless asked to restore these values.

This is data, not interface text: the Vietnamese names are stored in the database (and
editable there); English names sit beside them in ``name_en``.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from .choices import ExpenditureType, FundingKind, IndicatorGroup, PraTheme, PriorityBoundScope


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
    default_expenditure: str


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


class IndicatorSeed(TypedDict):
    code: str
    name: str
    name_en: str
    unit: str
    group: str
    higher_is_better: bool
    decimals: int
    description: str
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
# default_expenditure is the expenditure type (F11 col. 7; Decree 38/2023 splits state-budget
# money into development investment and recurrent) that commune plan lines of the sector get
# by default [I]: works (the HT-* sectors) are investment; production support, training,
# services, social and governance activities are recurrent (sự nghiệp). GD and YT are mixed in
# reality (classrooms and health stations are investment, teaching and health programmes are
# recurrent); they default to recurrent and a line can be changed one by one.

SECTORS: list[SectorSeed] = [
    {
        "code": "NN",
        "name": "Nông nghiệp (trồng trọt, chăn nuôi, thủy sản, khuyến nông)",
        "name_en": "Agriculture: crops, livestock, aquaculture, extension",
        "description": "Giống cây trồng, giống vật nuôi, mô hình sản xuất, dịch vụ thú y.",
        "sort_order": 10,
        "ntm_criteria": "10,13",
        "default_expenditure": ExpenditureType.RECURRENT,
    },
    {
        "code": "LN",
        "name": "Lâm nghiệp",
        "name_en": "Forestry",
        "description": "Trồng rừng, khoán bảo vệ rừng, lâm sản ngoài gỗ, giao đất giao rừng.",
        "sort_order": 20,
        "ntm_criteria": "10,13",
        "default_expenditure": ExpenditureType.RECURRENT,
    },
    {
        "code": "CN",
        "name": "Công nghiệp – tiểu thủ công nghiệp",
        "name_en": "Industry & handicraft",
        "description": "Chế biến, làng nghề.",
        "sort_order": 30,
        "ntm_criteria": "10,12,13",
        "default_expenditure": ExpenditureType.RECURRENT,
    },
    {
        "code": "DV",
        "name": "Thương mại – dịch vụ – du lịch",
        "name_en": "Trade, services, tourism, markets",
        "description": "Chợ, hợp tác xã, chuỗi giá trị.",
        "sort_order": 40,
        "ntm_criteria": "7,10,13",
        "default_expenditure": ExpenditureType.RECURRENT,
    },
    {
        "code": "HT-GT",
        "name": "Hạ tầng: giao thông",
        "name_en": "Infrastructure: transport",
        "description": "Đường, cầu, cống.",
        "sort_order": 50,
        "ntm_criteria": "2",
        "default_expenditure": ExpenditureType.INVESTMENT,
    },
    {
        "code": "HT-TL",
        "name": "Thủy lợi, phòng chống thiên tai",
        "name_en": "Infrastructure: irrigation & disaster prevention",
        "description": "Kênh mương, đập, kè.",
        "sort_order": 60,
        "ntm_criteria": "3",
        "default_expenditure": ExpenditureType.INVESTMENT,
    },
    {
        "code": "HT-D",
        "name": "Điện",
        "name_en": "Infrastructure: electricity",
        "description": "Mở rộng lưới điện.",
        "sort_order": 70,
        "ntm_criteria": "4",
        "default_expenditure": ExpenditureType.INVESTMENT,
    },
    {
        "code": "HT-N",
        "name": "Nước sạch, vệ sinh môi trường",
        "name_en": "Clean water & sanitation",
        "description": "Công trình cấp nước, nhà tiêu hợp vệ sinh.",
        "sort_order": 80,
        "ntm_criteria": "17",
        "default_expenditure": ExpenditureType.INVESTMENT,
    },
    {
        "code": "HT-VH",
        "name": "Nhà văn hóa, khu thể thao",
        "name_en": "Cultural/sports facilities",
        "description": "Nhà văn hóa thôn, sân thể thao.",
        "sort_order": 90,
        "ntm_criteria": "6",
        "default_expenditure": ExpenditureType.INVESTMENT,
    },
    {
        "code": "HT-TT",
        "name": "Thông tin – truyền thông",
        "name_en": "Information & communication",
        "description": "Hệ thống loa truyền thanh, điểm truy cập internet.",
        "sort_order": 100,
        "ntm_criteria": "8",
        "default_expenditure": ExpenditureType.INVESTMENT,
    },
    {
        "code": "GD",
        "name": "Giáo dục – đào tạo, dạy nghề",
        "name_en": "Education & training, vocational training",
        "description": "Phòng học, bán trú, xóa mù chữ, dạy nghề.",
        "sort_order": 110,
        "ntm_criteria": "5,14",
        "default_expenditure": ExpenditureType.RECURRENT,  # mixed: set investment line by line
    },
    {
        "code": "YT",
        "name": "Y tế, dinh dưỡng",
        "name_en": "Health & nutrition",
        "description": "Trạm y tế, bảo hiểm y tế, dinh dưỡng.",
        "sort_order": 120,
        "ntm_criteria": "15",
        "default_expenditure": ExpenditureType.RECURRENT,  # mixed: set investment line by line
    },
    {
        "code": "VH",
        "name": "Văn hóa – xã hội",
        "name_en": "Culture, society, sports",
        "description": "Lễ hội, câu lạc bộ, thể thao.",
        "sort_order": 130,
        "ntm_criteria": "16",
        "default_expenditure": ExpenditureType.RECURRENT,
    },
    {
        "code": "XH",
        "name": "An sinh xã hội, giảm nghèo",
        "name_en": "Social protection & poverty reduction",
        "description": "Nhà ở cho hộ nghèo, sinh kế.",
        "sort_order": 140,
        "ntm_criteria": "9,11,12",
        "default_expenditure": ExpenditureType.RECURRENT,
    },
    {
        "code": "MT",
        "name": "Môi trường, tài nguyên, biến đổi khí hậu",
        "name_en": "Environment, natural resources, climate",
        "description": "Thu gom rác thải, thích ứng với xâm nhập mặn.",
        "sort_order": 150,
        "ntm_criteria": "17",
        "default_expenditure": ExpenditureType.RECURRENT,
    },
    {
        "code": "QL",
        "name": "Quản lý nhà nước, nâng cao năng lực",
        "name_en": "Governance, capacity building, planning",
        "description": "Đào tạo, tập huấn, trang thiết bị.",
        "sort_order": 160,
        "ntm_criteria": "1,18",
        "default_expenditure": ExpenditureType.RECURRENT,
    },
    {
        "code": "AN",
        "name": "Quốc phòng – an ninh",
        "name_en": "Defence & security",
        "description": "",
        "sort_order": 170,
        "ntm_criteria": "19",
        "default_expenditure": ExpenditureType.RECURRENT,
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


# --- socio-economic indicators (targets table F16) --------------------------------------------
# Groups are those of the Hậu Giang commune handbook [S domain.md F16]. The indicators are a
# commune-level starting list: each is tagged [S …] where the same measure is stated in
# domain.md (the 19 new-rural criteria of §6.3, the village data of F1, the poverty standard of
# §6.6, the NTP targets of §6.4) and [I] where it is ordinary commune SEDP practice only. Even
# for [S] rows the exact wording and unit are [I]: provinces rename, add and retire indicators.
# Stock measures (km of road, shares of households) are the level at the end of the year.

INDICATORS: list[IndicatorSeed] = [
    # general ----------------------------------------------------------------------------------
    # [S] F1 #17 (unit), §6.3 criterion 10.
    {
        "code": "THU-NHAP-BQ",
        "name": "Thu nhập bình quân đầu người",
        "name_en": "Average income per capita",
        "unit": "triệu đồng/người/năm",
        "group": IndicatorGroup.GENERAL,
        "higher_is_better": True,
        "decimals": 1,
        "description": "Thu nhập bình quân một người một năm của dân cư trong xã (tiêu chí 10).",
        "sort_order": 10,
    },
    # [S] §6.3 criterion 11, §6.4 (poverty rate to fall 1–1.5%/year), §6.6.
    {
        "code": "HO-NGHEO",
        "name": "Tỷ lệ hộ nghèo (chuẩn nghèo đa chiều)",
        "name_en": "Poor-household rate (multidimensional standard)",
        "unit": "%",
        "group": IndicatorGroup.GENERAL,
        "higher_is_better": False,
        "decimals": 2,
        "description": "Số hộ nghèo trên tổng số hộ, theo chuẩn nghèo đa chiều đang áp dụng.",
        "sort_order": 20,
    },
    # [S] §6.6.
    {
        "code": "HO-CAN-NGHEO",
        "name": "Tỷ lệ hộ cận nghèo",
        "name_en": "Near-poor household rate",
        "unit": "%",
        "group": IndicatorGroup.GENERAL,
        "higher_is_better": False,
        "decimals": 2,
        "description": "Số hộ cận nghèo trên tổng số hộ, theo chuẩn nghèo đa chiều đang áp dụng.",
        "sort_order": 30,
    },
    # [S] §6.3 (19 criteria).
    {
        "code": "TIEU-CHI-NTM",
        "name": "Số tiêu chí nông thôn mới đạt chuẩn",
        "name_en": "New-rural criteria met",
        "unit": "tiêu chí",
        "group": IndicatorGroup.GENERAL,
        "higher_is_better": True,
        "decimals": 0,
        "description": (
            "Số tiêu chí của Bộ tiêu chí quốc gia về xã nông thôn mới (19 tiêu chí) mà xã đạt."
        ),
        "sort_order": 40,
    },
    # economy ----------------------------------------------------------------------------------
    # [I]
    {
        "code": "SAN-LUONG-LT",
        "name": "Tổng sản lượng lương thực có hạt",
        "name_en": "Cereal production",
        "unit": "tấn",
        "group": IndicatorGroup.ECONOMY,
        "higher_is_better": True,
        "decimals": 0,
        "description": "Lúa, ngô và các cây lương thực có hạt khác.",
        "sort_order": 10,
    },
    # [S] §6.3 criterion 12.
    {
        "code": "LD-CO-VIEC-LAM",
        "name": "Tỷ lệ lao động có việc làm",
        "name_en": "Employment rate of the working-age population",
        "unit": "%",
        "group": IndicatorGroup.ECONOMY,
        "higher_is_better": True,
        "decimals": 1,
        "description": (
            "Số người có việc làm trên dân số trong độ tuổi lao động có khả năng "
            "tham gia lao động (tiêu chí 12)."
        ),
        "sort_order": 20,
    },
    # [S] §6.3 criterion 13 (production organisation); the count itself [I].
    {
        "code": "HTX",
        "name": "Số hợp tác xã hoạt động hiệu quả",
        "name_en": "Cooperatives operating effectively",
        "unit": "hợp tác xã",
        "group": IndicatorGroup.ECONOMY,
        "higher_is_better": True,
        "decimals": 0,
        "description": "Hợp tác xã trên địa bàn hoạt động có hiệu quả (tiêu chí 13).",
        "sort_order": 30,
    },
    # infrastructure (construction) ------------------------------------------------------------
    # [S] §6.3 criterion 2, F1 #11; the unit [I].
    {
        "code": "DUONG-CUNG-HOA-KM",
        "name": "Đường giao thông nông thôn được cứng hóa",
        "name_en": "Rural roads with a hard surface",
        "unit": "km",
        "group": IndicatorGroup.INFRASTRUCTURE,
        "higher_is_better": True,
        "decimals": 1,
        "description": (
            "Chiều dài đường trục xã, liên thôn, trục thôn, ngõ xóm đã được nhựa "
            "hóa hoặc bê tông hóa, lũy kế đến cuối năm (tiêu chí 2)."
        ),
        "sort_order": 10,
    },
    # [S] §6.3 criterion 2.
    {
        "code": "DUONG-CUNG-HOA-TL",
        "name": "Tỷ lệ đường giao thông nông thôn được cứng hóa",
        "name_en": "Share of rural roads with a hard surface",
        "unit": "%",
        "group": IndicatorGroup.INFRASTRUCTURE,
        "higher_is_better": True,
        "decimals": 1,
        "description": (
            "Chiều dài đường đã cứng hóa trên tổng chiều dài đường giao thông nông thôn của xã."
        ),
        "sort_order": 20,
    },
    # [S] §6.3 criterion 3; the measure [I].
    {
        "code": "KENH-MUONG-KC",
        "name": "Tỷ lệ kênh mương do xã quản lý được kiên cố hóa",
        "name_en": "Share of commune-managed canals that are lined",
        "unit": "%",
        "group": IndicatorGroup.INFRASTRUCTURE,
        "higher_is_better": True,
        "decimals": 1,
        "description": "Tiêu chí 3: thủy lợi và phòng, chống thiên tai.",
        "sort_order": 30,
    },
    # [S] F1 #12, §6.3 criterion 4.
    {
        "code": "HO-DIEN-LUOI",
        "name": "Tỷ lệ hộ sử dụng điện lưới quốc gia",
        "name_en": "Households on the national grid",
        "unit": "%",
        "group": IndicatorGroup.INFRASTRUCTURE,
        "higher_is_better": True,
        "decimals": 1,
        "description": (
            "Số hộ sử dụng điện thường xuyên, an toàn từ lưới điện quốc gia trên "
            "tổng số hộ (tiêu chí 4)."
        ),
        "sort_order": 40,
    },
    # [S] F1 #14, §6.3 criterion 5, §6.6 (solid preschool classrooms).
    {
        "code": "PHONG-HOC-KC",
        "name": "Tỷ lệ phòng học kiên cố",
        "name_en": "Share of solid classrooms",
        "unit": "%",
        "group": IndicatorGroup.INFRASTRUCTURE,
        "higher_is_better": True,
        "decimals": 1,
        "description": (
            "Phòng học mầm non, tiểu học, trung học cơ sở xây kiên cố trên tổng "
            "số phòng học (tiêu chí 5)."
        ),
        "sort_order": 50,
    },
    # education and public health --------------------------------------------------------------
    # [S] §6.3 criterion 15, §6.6 (health insurance among the poverty indicators).
    {
        "code": "BHYT",
        "name": "Tỷ lệ người dân tham gia bảo hiểm y tế",
        "name_en": "Health insurance coverage",
        "unit": "%",
        "group": IndicatorGroup.EDUCATION_HEALTH,
        "higher_is_better": True,
        "decimals": 1,
        "description": "Số người có thẻ bảo hiểm y tế trên dân số của xã (tiêu chí 15).",
        "sort_order": 10,
    },
    # [S] §6.3 criterion 15, §6.6 (nutrition); the measure [I].
    {
        "code": "TRE-SDD-THAP-COI",
        "name": "Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi",
        "name_en": "Stunting among children under five",
        "unit": "%",
        "group": IndicatorGroup.EDUCATION_HEALTH,
        "higher_is_better": False,
        "decimals": 1,
        "description": "Chiều cao theo tuổi thấp hơn chuẩn.",
        "sort_order": 20,
    },
    # [S] §6.3 criterion 14; the measure [I].
    {
        "code": "LD-QUA-DAO-TAO",
        "name": "Tỷ lệ lao động qua đào tạo",
        "name_en": "Share of trained workers",
        "unit": "%",
        "group": IndicatorGroup.EDUCATION_HEALTH,
        "higher_is_better": True,
        "decimals": 1,
        "description": (
            "Lao động trong độ tuổi đã qua đào tạo nghề hoặc có bằng cấp, chứng chỉ (tiêu chí 14)."
        ),
        "sort_order": 30,
    },
    # environment ------------------------------------------------------------------------------
    # [S] F1 #13, §6.3 criterion 17, §6.6 (water source).
    {
        "code": "HO-NUOC-HVS",
        "name": "Tỷ lệ hộ sử dụng nước hợp vệ sinh",
        "name_en": "Households using hygienic water",
        "unit": "%",
        "group": IndicatorGroup.ENVIRONMENT,
        "higher_is_better": True,
        "decimals": 1,
        "description": "Tiêu chí 17: môi trường và an toàn thực phẩm.",
        "sort_order": 10,
    },
    # [S] F1 #13, §6.6 (hygienic latrine).
    {
        "code": "HO-NHA-TIEU-HVS",
        "name": "Tỷ lệ hộ có nhà tiêu hợp vệ sinh",
        "name_en": "Households with a hygienic latrine",
        "unit": "%",
        "group": IndicatorGroup.ENVIRONMENT,
        "higher_is_better": True,
        "decimals": 1,
        "description": "",
        "sort_order": 20,
    },
    # [S] §6.3 criterion 17; the measure [I].
    {
        "code": "RAC-THU-GOM",
        "name": "Tỷ lệ chất thải rắn sinh hoạt được thu gom, xử lý",
        "name_en": "Household solid waste collected and treated",
        "unit": "%",
        "group": IndicatorGroup.ENVIRONMENT,
        "higher_is_better": True,
        "decimals": 1,
        "description": "",
        "sort_order": 30,
    },
    # [I]
    {
        "code": "CHE-PHU-RUNG",
        "name": "Tỷ lệ che phủ rừng",
        "name_en": "Forest cover",
        "unit": "%",
        "group": IndicatorGroup.ENVIRONMENT,
        "higher_is_better": True,
        "decimals": 1,
        "description": "Diện tích có rừng trên diện tích tự nhiên của xã.",
        "sort_order": 40,
    },
    # public administration reform and local government capacity -------------------------------
    # [I]
    {
        "code": "TTHC-TRUC-TUYEN",
        "name": "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận, giải quyết trực tuyến",
        "name_en": "Administrative procedure files received and handled online",
        "unit": "%",
        "group": IndicatorGroup.ADMINISTRATION,
        "higher_is_better": True,
        "decimals": 1,
        "description": "Qua Cổng dịch vụ công trên tổng số hồ sơ tiếp nhận tại xã.",
        "sort_order": 10,
    },
    # [I]
    {
        "code": "TTHC-DUNG-HAN",
        "name": "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết đúng hạn",
        "name_en": "Administrative procedure files settled on time",
        "unit": "%",
        "group": IndicatorGroup.ADMINISTRATION,
        "higher_is_better": True,
        "decimals": 1,
        "description": "",
        "sort_order": 20,
    },
    # defence and security ---------------------------------------------------------------------
    # [I]
    {
        "code": "TUYEN-QUAN",
        "name": "Tỷ lệ hoàn thành chỉ tiêu giao quân",
        "name_en": "Military call-up quota fulfilled",
        "unit": "%",
        "group": IndicatorGroup.SECURITY,
        "higher_is_better": True,
        "decimals": 0,
        "description": "",
        "sort_order": 10,
    },
    # [S] §6.3 criterion 19; the measure [I].
    {
        "code": "THON-AN-TOAN-ANTT",
        "name": "Tỷ lệ thôn đạt tiêu chuẩn an toàn về an ninh, trật tự",
        "name_en": "Villages meeting the security and public order standard",
        "unit": "%",
        "group": IndicatorGroup.SECURITY,
        "higher_is_better": True,
        "decimals": 1,
        "description": "Tiêu chí 19: quốc phòng và an ninh.",
        "sort_order": 20,
    },
    # [I]
    {
        "code": "VU-PHAM-PHAP",
        "name": "Số vụ phạm pháp hình sự",
        "name_en": "Criminal offences",
        "unit": "vụ",
        "group": IndicatorGroup.SECURITY,
        "higher_is_better": False,
        "decimals": 0,
        "description": "Số vụ xảy ra trên địa bàn xã trong năm.",
        "sort_order": 30,
    },
]


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


# --- aliases: names as people write them in their workbooks (issue 15) -------------------------
# kind → entry code → other names, as typed (folded by catalog.names.name_key when stored).
# Only codes that exist get theirs; a name that already is the name, code or alias of an entry
# of the same kind is skipped. "CTMTQG" alone names the unified programme 2026–2035 (NTP26):
# a plan of 2021–2025 has three national target programmes, so there the bare word asks.

ALIASES: dict[str, dict[str, list[str]]] = {
    "sector": {
        "NN": ["Nông nghiệp", "Nông nghiệp, lâm nghiệp và thủy sản", "Sản xuất nông nghiệp",
               "Phát triển sản xuất", "Hỗ trợ phát triển sản xuất", "Sinh kế",
               "Hỗ trợ sinh kế", "Trồng trọt", "Chăn nuôi", "Thủy sản", "Khuyến nông"],
        "LN": ["Trồng rừng", "Bảo vệ rừng", "Lâm nghiệp và phát triển rừng"],
        "CN": ["Công nghiệp", "Tiểu thủ công nghiệp", "TTCN", "Ngành nghề nông thôn"],
        "DV": ["Thương mại", "Dịch vụ", "Du lịch", "Thương mại dịch vụ"],
        "HT-GT": ["Giao thông", "Hạ tầng giao thông", "Giao thông nông thôn", "GTNT",
                  "Đường giao thông"],
        "HT-TL": ["Thủy lợi", "Hạ tầng thủy lợi", "Phòng chống thiên tai", "PCTT",
                  "Kênh mương"],
        "HT-D": ["Hạ tầng điện", "Điện sinh hoạt", "Lưới điện", "Điện nông thôn"],
        "HT-N": ["Nước sạch", "Nước sinh hoạt", "Vệ sinh môi trường", "Nước sạch và VSMT"],
        "HT-VH": ["Nhà văn hóa", "Khu thể thao", "Thể dục thể thao", "Cơ sở vật chất văn hóa"],
        "HT-TT": ["Thông tin truyền thông", "Thông tin", "Truyền thông"],
        "GD": ["Giáo dục", "Giáo dục - đào tạo", "Giáo dục và đào tạo", "GD-ĐT", "Đào tạo",
               "Dạy nghề", "Đào tạo nghề", "Trường học"],
        "YT": ["Y tế", "Dinh dưỡng", "Chăm sóc sức khỏe"],
        "VH": ["Văn hóa", "Văn hóa xã hội", "VHXH"],
        "XH": ["An sinh xã hội", "Giảm nghèo", "Bảo trợ xã hội"],
        "MT": ["Môi trường", "Tài nguyên môi trường", "Tài nguyên và môi trường",
               "Biến đổi khí hậu"],
        "QL": ["Quản lý nhà nước", "Nâng cao năng lực", "Nâng cao năng lực cán bộ"],
        "AN": ["Quốc phòng", "An ninh", "An ninh trật tự", "Quốc phòng an ninh", "QP-AN"],
    },
    "source": {
        "NTP26": ["CTMTQG", "CT MTQG", "MTQG", "Chương trình MTQG",
                  "Chương trình mục tiêu quốc gia", "CTMTQG 2026-2035",
                  "CTMTQG giai đoạn 2026-2035",
                  "Chương trình mục tiêu quốc gia giai đoạn 2026-2035"],
        "NTP26-NTM": ["Hợp phần nông thôn mới", "Hợp phần NTM"],
        "NTP26-GN": ["Hợp phần giảm nghèo", "Hợp phần GNBV"],
        "NTP26-DTTS": ["Hợp phần DTTS", "Hợp phần dân tộc thiểu số và miền núi"],
        "NTM": ["Chương trình MTQG xây dựng nông thôn mới",
                "Chương trình mục tiêu quốc gia xây dựng nông thôn mới",
                "CTMTQG xây dựng nông thôn mới", "CTMTQG NTM", "CT NTM",
                "Xây dựng nông thôn mới", "Nông thôn mới"],
        "GNBV": ["Giảm nghèo bền vững", "CTMTQG giảm nghèo", "CT giảm nghèo",
                 "Chương trình MTQG giảm nghèo bền vững",
                 "Chương trình mục tiêu quốc gia giảm nghèo bền vững", "Giảm nghèo"],
        "DTTS": ["Vùng đồng bào dân tộc thiểu số", "Vùng đồng bào dân tộc thiểu số và miền núi",
                 "CTMTQG DTTS", "CTMTQG 1719", "Chương trình 1719", "CT 1719", "1719",
                 "Chương trình MTQG phát triển kinh tế - xã hội vùng đồng bào DTTS và miền núi",
                 "Dân tộc thiểu số"],
        "P135": ["CT 135", "135", "Chương trình 135 (giai đoạn cũ)"],
        "P30a": ["CT 30a", "30a", "Nghị quyết 30a"],
        "NS-T": ["NS tỉnh", "Ngân sách tỉnh", "NST", "NS huyện", "Ngân sách huyện",
                 "NS tỉnh (huyện)", "Ngân sách cấp tỉnh", "Ngân sách cấp trên"],
        "NS-X": ["NS xã", "Ngân sách xã", "NSX", "Ngân sách cấp xã"],
        "ODA": ["Vốn ODA", "ODA", "Dự án ODA", "Dự án tài trợ", "Nhà tài trợ", "Vốn tài trợ"],
        "LG": ["Vốn lồng ghép", "Lồng ghép", "Lồng ghép các chương trình",
               "Vốn lồng ghép các chương trình, dự án"],
        "TD": ["Tín dụng", "Vốn vay", "Tín dụng chính sách", "NHCSXH",
               "Ngân hàng Chính sách xã hội"],
        "DN": ["Doanh nghiệp", "Vốn doanh nghiệp", "Xã hội hóa", "Vốn xã hội hóa"],
        "CD": ["Dân góp", "Nhân dân đóng góp", "Dân đóng góp", "Người dân đóng góp",
               "Nhân dân góp", "Đóng góp của nhân dân", "Cộng đồng đóng góp",
               "Vốn dân", "Đối ứng của dân"],
    },
    "unit": {
        "m": ["mét", "mét dài", "m dài"],
        "km": ["ki-lô-mét", "kilômét"],
        "m2": ["m²", "mét vuông"],
        "m3": ["m³", "mét khối"],
        "tan": ["tấn"],
        "cai": ["cái"],
        "chiec": ["chiếc"],
        "con": ["con"],
        "ho": ["hộ", "hộ dân", "hộ gia đình"],
        "lop": ["lớp", "lớp tập huấn"],
        "nguoi": ["người", "người dân"],
        "cong-trinh": ["công trình", "CT"],
        "gieng": ["giếng khoan"],
        "be": ["bể chứa", "bể chứa nước"],
        "buoi": ["buổi tập huấn"],
    },
}  # fmt: skip


class PraToolSeed(TypedDict):
    code: str
    name: str
    name_en: str
    theme: str
    sort_order: int


def _pra(number: int, theme: str, name: str, name_en: str) -> PraToolSeed:
    return {
        "code": f"PRA-{number:02d}",
        "name": name,
        "name_en": name_en,
        "theme": theme,
        "sort_order": number * 10,
    }


PRA_TOOLS: list[PraToolSeed] = [
    # domain.md F2 and §6.2: the Helvetas tool list by thematic area; the resource map serves
    # the general information and land-use planning (A) alike and is listed once.
    _pra(1, PraTheme.GENERAL, "Đi lát cắt", "Transect walk"),
    _pra(2, PraTheme.GENERAL, "Sơ đồ tài nguyên", "Resource map"),
    _pra(3, PraTheme.GENERAL, "Lịch sử thôn", "Brief village history"),
    _pra(4, PraTheme.GENERAL, "Lịch thời vụ", "Seasonal calendar"),
    _pra(5, PraTheme.PADDY_UPLAND, "Đánh giá sản xuất lúa nước", "Wet rice cultivation"),
    _pra(6, PraTheme.PADDY_UPLAND, "Đánh giá canh tác nương rẫy", "Upland cultivation"),
    _pra(
        7,
        PraTheme.GARDEN_CASH_CROPS,
        "Đánh giá vườn nhà và cây hàng hóa",
        "Home garden and cash crops",
    ),
    _pra(8, PraTheme.LIVESTOCK, "Đánh giá chăn nuôi", "Livestock"),
    _pra(9, PraTheme.FORESTRY, "Đánh giá lâm nghiệp", "Forestry assessment"),
    _pra(10, PraTheme.FORESTRY, "Lâm sản và lâm sản ngoài gỗ", "Forest products and NTFP"),
    _pra(11, PraTheme.ECONOMY, "Xếp hạng giàu nghèo", "Wealth ranking"),
    _pra(
        12,
        PraTheme.ECONOMY,
        "Thị trường, buôn bán và cung ứng vật tư",
        "Market, trading and input supply",
    ),
    _pra(13, PraTheme.ORGANISATION, "Sơ đồ Venn", "Venn diagram"),
    _pra(14, PraTheme.EDUCATION_HEALTH, "Đánh giá giáo dục", "Education"),
    _pra(15, PraTheme.EDUCATION_HEALTH, "Đánh giá y tế", "Health"),
    _pra(16, PraTheme.INFRASTRUCTURE, "Đánh giá giao thông", "Transport"),
    _pra(17, PraTheme.INFRASTRUCTURE, "Đánh giá thủy lợi", "Irrigation"),
    _pra(18, PraTheme.OTHER, "Nước sinh hoạt", "Drinking water"),
    _pra(19, PraTheme.OTHER, "Các vấn đề của phụ nữ", "Women's issues"),
    _pra(
        20,
        PraTheme.OTHER,
        "Họp thôn thảo luận kết quả, rà soát kế hoạch trung hạn và xếp hạng kế hoạch năm",
        "Village meeting to discuss the findings, review the mid-term plan "
        "and rank the yearly plan",
    ),
]
"""The 20 PRA tools (F2) in their Helvetas order."""
