"""The content of the demo village plans: activities, villages, SWOT and problem texts,
names. Data in Vietnamese (not interface text); ``kehoach.plans.demo`` builds plans from it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

LABOUR_DAY_MVND = Decimal("0.2")
"""Value of one labour day of community contribution: 200.000 đồng (a locally fixed rate)."""

_ONE = Decimal(1)
_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")


class Stage(StrEnum):
    """What state the demo leaves a village plan in."""

    SUBMITTED = "submitted"
    DRAFT = "draft"
    """Basic information, SWOT, problems and proposals; no ranking or meeting yet."""
    NOT_STARTED = "not_started"


# --- proposals (F6) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """A kind of proposal and how to size it. ``name`` and ``location`` may use ``{village}``
    ("thôn Câu Nhi"), ``{xom}`` (a hamlet), ``{dong}`` (a field area), ``{kiet}`` (an alley
    number) and ``{duong}`` (a street). Amounts are million VND."""

    sector: str
    name: str
    unit: str
    quantity: tuple[str, str, str]
    """Lowest, highest, step."""
    unit_cost: tuple[str, str, str]
    """Million VND per unit: lowest, highest, step."""
    total: tuple[int, int]
    """The total cost is kept inside this range."""
    contribution_pct: tuple[int, int]
    """Community share of the total cost, in percent."""
    split: tuple[int, int, int]
    """How the contribution divides into cash, labour and materials (percent)."""
    source: str
    mode: str
    months: tuple[int, int]
    location: str = "Toàn {village}"
    reach: tuple[int, int] = (100, 100)
    """Beneficiary households as a share of the village's households (percent)."""
    per_unit: int = 0
    """Beneficiary households per unit of quantity (instead of ``reach``)."""
    for_poor: bool = False
    """Targeted at poor and near-poor households: the quantity is at most their number."""
    poor_pct: int = 0
    """Share of the beneficiaries who are poor, when the activity gives them priority
    (otherwise the village's share of poor households)."""
    land_m2: tuple[int, int] = (0, 0)
    notes: str = ""
    shared_by: tuple[str, str] | None = None
    """The two villages that propose this same work (an inter-village work)."""


_C = "community"
_X = "commune"
_T = "contractor"

# fmt: off
ACTIVITIES: dict[str, Activity] = {
    # Inter-village works proposed by two neighbouring villages with the same wording.
    "duong_lien_thon_ds_mc": Activity(
        "HT-GT", "Bê tông hóa đường liên thôn Diên Sanh – Mỹ Chánh", "km",
        ("1.2", "1.2", "0.1"), ("1100", "1100", "50"), (300, 1500), (15, 20), (20, 55, 25),
        "NTP26", _X, (3, 7), location="Liên thôn Diên Sanh – Mỹ Chánh", reach=(55, 75),
        land_m2=(200, 400), shared_by=("Thôn Diên Sanh", "Thôn Mỹ Chánh"),
        notes="Tuyến đường liên thôn; {partner} đề xuất cùng công trình.",
    ),
    "kenh_lien_thon_pd_hk": Activity(
        "HT-TL", "Kiên cố hóa kênh mương nội đồng liên thôn Phước Điền – Hội Kỳ", "km",
        ("1.6", "1.6", "0.1"), ("700", "700", "50"), (300, 1500), (12, 18), (10, 70, 20),
        "NTP26", _X, (2, 5), location="Xứ đồng giáp ranh Phước Điền – Hội Kỳ", reach=(50, 70),
        shared_by=("Thôn Phước Điền", "Thôn Hội Kỳ"),
        notes="Kênh tưới chung của hai thôn; {partner} đề xuất cùng công trình.",
    ),
    "muong_lien_to_1_2": Activity(
        "HT-N", "Nạo vét, kiên cố hóa mương thoát nước liên tổ dân phố 1 – 2", "m",
        ("320", "320", "10"), ("2.2", "2.2", "0.1"), (300, 1000), (8, 12), (100, 0, 0),
        "NS-T", _T, (3, 6), location="Giáp ranh tổ dân phố 1 và tổ dân phố 2", reach=(40, 60),
        shared_by=("Tổ dân phố 1", "Tổ dân phố 2"),
        notes="Tuyến mương chung của hai tổ; {partner} đề xuất cùng công trình.",
    ),
    # Rural: transport.
    "duong_truc_xom": Activity(
        "HT-GT", "Bê tông hóa đường trục xóm {xom}, {village}", "km",
        ("0.4", "1.0", "0.1"), ("1100", "1400", "50"), (300, 1500), (18, 28), (20, 50, 30),
        "NTP26", _C, (3, 7), location="Xóm {xom}", reach=(30, 55), land_m2=(100, 300),
        notes="Nhân dân hiến đất mở rộng mặt đường, góp ngày công.",
    ),
    "duong_noi_dong": Activity(
        "HT-GT", "Cứng hóa đường giao thông nội đồng xứ đồng {dong}, {village}", "km",
        ("0.8", "1.5", "0.1"), ("550", "700", "25"), (300, 1100), (20, 30), (10, 60, 30),
        "NTP26", _C, (2, 6), location="Xứ đồng {dong}", reach=(40, 70),
    ),
    "cong_qua_duong": Activity(
        "HT-GT", "Xây dựng cống thoát nước ngang đường xóm {xom}, {village}", "cai",
        ("1", "2", "1"), ("70", "120", "5"), (70, 240), (10, 15), (0, 70, 30),
        "NS-X", _X, (3, 5), location="Xóm {xom}", reach=(20, 40),
    ),
    # Rural: irrigation and disaster prevention.
    "kenh_noi_dong": Activity(
        "HT-TL", "Kiên cố hóa kênh mương nội đồng xứ đồng {dong}, {village}", "km",
        ("0.5", "1.2", "0.1"), ("650", "800", "25"), (300, 950), (15, 20), (10, 70, 20),
        "NTP26", _C, (2, 5), location="Xứ đồng {dong}", reach=(40, 65),
        notes="Thi công xong trước vụ Hè Thu.",
    ),
    "tram_bom": Activity(
        "HT-TL", "Nâng cấp trạm bơm điện tưới tiêu xứ đồng {dong}, {village}", "tram",
        ("1", "1", "1"), ("350", "550", "10"), (350, 550), (8, 12), (40, 60, 0),
        "NS-T", _T, (2, 5), location="Xứ đồng {dong}", reach=(45, 70),
    ),
    "ke_song": Activity(
        "HT-TL", "Xây dựng kè chống sạt lở bờ sông Ô Lâu đoạn qua {village}", "m",
        ("200", "350", "10"), ("3.0", "4.0", "0.1"), (600, 1500), (4, 6), (0, 100, 0),
        "ODA", _T, (3, 8), location="Bờ sông Ô Lâu, xóm {xom}", reach=(30, 50),
        notes="Đề nghị lồng ghép dự án ODA thích ứng với biến đổi khí hậu.",
    ),
    "trang_bi_pclb": Activity(
        "HT-TL",
        "Mua sắm trang thiết bị phòng chống lụt bão, cứu hộ cứu nạn cho {village} "
        "(áo phao, phao tròn, thuyền nhôm)",
        "bo", ("1", "1", "1"), ("45", "80", "5"), (45, 80), (10, 10), (100, 0, 0),
        "NS-X", _X, (7, 8),
    ),
    # Rural: agriculture, livestock, aquaculture.
    "giong_lua": Activity(
        "NN", "Hỗ trợ giống lúa chất lượng cao vụ Hè Thu {year} cho {village}", "ha",
        ("20", "45", "5"), ("1.8", "2.4", "0.1"), (30, 110), (50, 50), (100, 0, 0),
        "NTP26", _C, (4, 5), reach=(50, 80), notes="Giống HN6, Thiên ưu 8; hộ đối ứng 50%.",
    ),
    "lua_huu_co": Activity(
        "NN", "Xây dựng mô hình lúa hữu cơ liên kết tiêu thụ tại xứ đồng {dong}, {village}",
        "ha", ("10", "15", "1"), ("8", "10", "0.5"), (80, 150), (30, 40), (60, 40, 0),
        "NS-T", _C, (4, 9), location="Xứ đồng {dong}", per_unit=3,
        notes="Doanh nghiệp bao tiêu sản phẩm theo hợp đồng.",
    ),
    "ga_tha_vuon": Activity(
        "NN", "Mô hình nuôi gà thả vườn an toàn sinh học ở {village}", "ho",
        ("10", "15", "1"), ("5", "7", "0.5"), (50, 105), (30, 40), (100, 0, 0),
        "NTP26", _C, (3, 9), poor_pct=30, per_unit=1,
    ),
    "ca_ao": Activity(
        "NN", "Cải tạo ao, hỗ trợ giống cá nước ngọt (trắm, rô phi đơn tính) ở {village}", "ha",
        ("2", "4", "0.5"), ("20", "30", "1"), (40, 120), (40, 40), (60, 40, 0),
        "NTP26", _C, (3, 6), poor_pct=20, per_unit=4,
    ),
    "tom_tren_cat": Activity(
        "NN", "Mô hình nuôi tôm thẻ chân trắng trên cát an toàn sinh học ở {village}", "ha",
        ("1", "2", "0.5"), ("70", "90", "5"), (70, 180), (45, 50), (100, 0, 0),
        "NS-T", _C, (3, 9), per_unit=5,
    ),
    "rau_tren_cat": Activity(
        "NN", "Mô hình trồng rau màu trên đất cát có tưới tiết kiệm nước ở {village}", "ha",
        ("2", "4", "0.5"), ("25", "35", "1"), (50, 140), (30, 40), (50, 50, 0),
        "NTP26", _C, (2, 6), poor_pct=20, per_unit=5,
    ),
    "tap_huan_chan_nuoi": Activity(
        "NN", "Tập huấn kỹ thuật chăn nuôi, phòng bệnh gia súc, gia cầm cho {village}", "lop",
        ("2", "3", "1"), ("10", "15", "1"), (20, 40), (0, 0), (0, 0, 0),
        "NS-X", _X, (3, 4), poor_pct=15, per_unit=30,
    ),
    # Rural: social protection and poverty reduction.
    "bo_sinh_san": Activity(
        "XH", "Hỗ trợ bò cái lai sinh sản cho hộ nghèo, hộ cận nghèo {village}", "con",
        ("6", "12", "1"), ("18", "22", "1"), (100, 270), (10, 15), (100, 0, 0),
        "NTP26", _C, (4, 6), per_unit=1, for_poor=True,
        notes="Hộ nhận bò cam kết chuyển giao bê cho hộ nghèo khác.",
    ),
    "nha_o_ho_ngheo": Activity(
        "XH", "Hỗ trợ xây mới, sửa chữa nhà ở cho hộ nghèo khó khăn về nhà ở, {village}", "can",
        ("2", "4", "1"), ("50", "60", "5"), (100, 240), (30, 40), (30, 50, 20),
        "NTP26", _C, (3, 8), per_unit=1, for_poor=True,
        notes="Họ hàng, đoàn thể góp ngày công.",
    ),
    "sinh_ke_phu_nu": Activity(
        "XH", "Hỗ trợ phụ nữ nghèo phát triển sinh kế: mô hình trồng nấm rơm, nấm sò ở {village}",
        "ho", ("10", "15", "1"), ("4", "6", "0.5"), (40, 90), (20, 20), (100, 0, 0),
        "ODA", _C, (3, 10), per_unit=1, for_poor=True,
        notes="Chi hội Phụ nữ thôn chủ trì; lồng ghép dự án sinh kế cho phụ nữ.",
    ),
    # Rural: education and vocational training.
    "phong_hoc_mam_non": Activity(
        "GD", "Xây dựng phòng học mầm non tại điểm trường {village}", "phong",
        ("1", "2", "1"), ("420", "450", "10"), (400, 900), (3, 5), (100, 0, 0),
        "NTP26", _T, (3, 8), location="Điểm trường mầm non {village}", reach=(20, 30),
        notes="Hoàn thành trước năm học {year}–{next_year}; thay phòng học tạm.",
    ),
    "do_choi_mam_non": Activity(
        "GD", "Mua sắm đồ chơi ngoài trời cho điểm trường mầm non {village}", "bo",
        ("1", "1", "1"), ("40", "65", "5"), (40, 65), (10, 10), (100, 0, 0),
        "NS-X", _X, (7, 8), location="Điểm trường mầm non {village}", reach=(15, 25),
    ),
    "nghe_may": Activity(
        "GD", "Mở lớp dạy nghề may công nghiệp cho lao động nữ {village}", "lop",
        ("1", "1", "1"), ("45", "60", "5"), (35, 60), (0, 0), (0, 0, 0),
        "NS-T", _X, (3, 5), location="Nhà văn hóa {village}", poor_pct=20, per_unit=30,
        notes="Doanh nghiệp may trên địa bàn tuyển dụng sau đào tạo.",
    ),
    "nghe_sua_may": Activity(
        "GD", "Đào tạo nghề sửa chữa máy nông nghiệp cho lao động {village}", "lop",
        ("1", "1", "1"), ("30", "45", "5"), (30, 45), (0, 0), (0, 0, 0),
        "NS-T", _X, (6, 8), location="Nhà văn hóa {village}", poor_pct=15, per_unit=25,
    ),
    # Rural: culture, water, environment, lighting, loudspeakers, processing, forestry.
    "nha_van_hoa": Activity(
        "HT-VH", "Nâng cấp, sửa chữa nhà văn hóa {village} (mái, nền, khu vệ sinh)",
        "cong-trinh", ("1", "1", "1"), ("250", "450", "10"), (250, 450), (20, 30), (40, 40, 20),
        "NTP26", _C, (3, 6), location="Nhà văn hóa {village}",
    ),
    "san_the_thao": Activity(
        "HT-VH", "Xây dựng sân thể thao {village} (bóng chuyền, cầu lông)", "m2",
        ("600", "1000", "100"), ("0.15", "0.22", "0.01"), (90, 220), (25, 25), (30, 70, 0),
        "NS-X", _C, (4, 7), location="Khuôn viên nhà văn hóa {village}",
    ),
    "am_thanh_nvh": Activity(
        "HT-VH", "Mua sắm bàn ghế, thiết bị âm thanh cho nhà văn hóa {village}", "bo",
        ("1", "1", "1"), ("40", "70", "5"), (40, 70), (20, 20), (100, 0, 0),
        "NS-X", _X, (5, 6), location="Nhà văn hóa {village}",
    ),
    "ong_nuoc": Activity(
        "HT-N", "Kéo nhánh đường ống cấp nước sạch đến xóm {xom}, {village}", "km",
        ("1.0", "2.5", "0.1"), ("180", "240", "10"), (180, 600), (15, 20), (50, 50, 0),
        "NTP26", _T, (3, 6), location="Xóm {xom}", reach=(25, 40),
    ),
    "dau_noi_nuoc": Activity(
        "HT-N", "Hỗ trợ đấu nối nước sạch cho hộ nghèo, hộ cận nghèo {village}", "ho",
        ("15", "40", "1"), ("3", "4", "0.5"), (45, 160), (10, 10), (100, 0, 0),
        "NTP26", _C, (4, 6), per_unit=1, for_poor=True,
    ),
    "nha_tieu": Activity(
        "HT-N", "Hỗ trợ xây nhà tiêu hợp vệ sinh cho hộ nghèo {village}", "cai",
        ("8", "15", "1"), ("5", "7", "0.5"), (40, 105), (30, 30), (0, 60, 40),
        "NTP26", _C, (3, 6), per_unit=1, for_poor=True,
    ),
    "thu_gom_rac": Activity(
        "MT", "Trang bị xe đẩy, thùng thu gom rác và xây điểm tập kết rác của {village}", "bo",
        ("1", "1", "1"), ("40", "70", "5"), (40, 70), (20, 20), (60, 40, 0),
        "NS-X", _C, (3, 4),
    ),
    "den_nang_luong": Activity(
        "HT-D", "Lắp đặt đèn năng lượng mặt trời chiếu sáng đường trục {village}", "cai",
        ("30", "50", "5"), ("3.2", "4.0", "0.1"), (95, 200), (30, 30), (100, 0, 0),
        "NS-X", _C, (5, 7), notes="Chi hội Phụ nữ vận động “Thắp sáng đường quê”.",
    ),
    "loa_ip": Activity(
        "HT-TT", "Lắp đặt hệ thống loa truyền thanh thông minh của {village}", "bo",
        ("1", "1", "1"), ("45", "70", "5"), (45, 70), (0, 0), (0, 0, 0),
        "NS-X", _T, (4, 5), notes="Phục vụ thông tin, cảnh báo lũ đến từng xóm.",
    ),
    "che_bien": Activity(
        "CN", "Hỗ trợ máy móc cho tổ hợp tác phụ nữ làm bánh tráng, bún tươi {village}", "bo",
        ("2", "3", "1"), ("20", "30", "1"), (40, 90), (40, 40), (100, 0, 0),
        "NS-T", _C, (4, 6), poor_pct=25, per_unit=4, notes="Hướng tới sản phẩm OCOP của xã.",
    ),
    "phi_lao": Activity(
        "LN", "Trồng rừng phi lao chắn gió, chắn cát bay trên vùng đất cát {village}", "ha",
        ("3", "6", "0.5"), ("22", "30", "1"), (60, 150), (30, 40), (0, 100, 0),
        "NS-T", _C, (10, 12), location="Vùng cát ven biển {village}", reach=(40, 70),
        notes="Nhân dân góp công trồng và nhận khoán chăm sóc, bảo vệ.",
    ),
    # Urban: residential groups of a ward.
    "be_tong_kiet": Activity(
        "HT-GT", "Bê tông hóa, làm rãnh thoát nước kiệt {kiet} đường {duong}", "m",
        ("120", "280", "10"), ("0.9", "1.2", "0.05"), (100, 350), (40, 50), (80, 20, 0),
        "NS-X", _C, (3, 6), location="Kiệt {kiet} {duong}", reach=(10, 25),
        notes="Nhà nước hỗ trợ xi măng, nhân dân đóng góp phần còn lại.",
    ),
    "cong_tieu_ung": Activity(
        "HT-TL", "Nâng cấp cống tiêu úng, nâng nền điểm ngập kiệt {kiet} đường {duong}", "m",
        ("80", "150", "10"), ("2.5", "3.5", "0.1"), (200, 525), (10, 10), (100, 0, 0),
        "NS-T", _T, (3, 7), location="Kiệt {kiet} {duong}", reach=(15, 30),
    ),
    "den_kiet": Activity(
        "HT-D", "Lắp đặt đèn LED chiếu sáng các kiệt của {village}", "cai",
        ("20", "35", "1"), ("4", "5", "0.5"), (80, 175), (30, 30), (100, 0, 0),
        "NS-X", _C, (4, 6), reach=(60, 90), notes="Tổ dân phố tự quản vận hành, bảo trì.",
    ),
    "thung_rac": Activity(
        "MT", "Trang bị thùng rác phân loại tại nguồn và điểm tập kết rác của {village}", "diem",
        ("3", "5", "1"), ("10", "14", "1"), (30, 70), (20, 20), (100, 0, 0),
        "NS-X", _X, (2, 3),
    ),
    "tap_huan_rac": Activity(
        "MT", "Tuyên truyền, hướng dẫn hộ gia đình {village} phân loại rác thải tại nguồn",
        "buoi", ("3", "4", "1"), ("5", "7", "0.5"), (15, 30), (0, 0), (0, 0, 0),
        "NS-X", _X, (2, 4), location="Nhà sinh hoạt cộng đồng {village}", reach=(80, 100),
    ),
    "cay_xanh": Activity(
        "MT", "Trồng cây xanh bóng mát dọc các kiệt của {village}", "cay",
        ("80", "150", "10"), ("0.45", "0.6", "0.05"), (35, 90), (40, 40), (50, 50, 0),
        "NS-X", _C, (9, 10), reach=(50, 80),
    ),
    "camera": Activity(
        "AN", "Lắp đặt camera an ninh tại các ngã ba, ngã tư trên địa bàn {village}", "cai",
        ("6", "10", "1"), ("6", "8", "0.5"), (36, 80), (50, 50), (100, 0, 0),
        "NS-X", _C, (3, 4), notes="Kết nối với hệ thống giám sát của Công an phường.",
    ),
    "nha_sinh_hoat": Activity(
        "HT-VH", "Sửa chữa, chống thấm nhà sinh hoạt cộng đồng {village}", "cong-trinh",
        ("1", "1", "1"), ("150", "250", "10"), (150, 250), (20, 20), (70, 30, 0),
        "NS-X", _C, (4, 6), location="Nhà sinh hoạt cộng đồng {village}",
    ),
    "nghe_ngan_han": Activity(
        "GD", "Mở lớp dạy nghề nấu ăn, pha chế đồ uống cho phụ nữ {village}", "lop",
        ("1", "1", "1"), ("35", "50", "5"), (35, 50), (0, 0), (0, 0, 0),
        "NS-T", _X, (3, 5), location="Nhà sinh hoạt cộng đồng {village}", poor_pct=20, per_unit=25,
        notes="Gắn với nhu cầu lao động dịch vụ du lịch của thành phố.",
    ),
}
# fmt: on


@dataclass(frozen=True)
class VillageSpec:
    activities: str
    """Activity keys separated by spaces, in the order of the form; the first sector is the
    village's main one. A key may appear twice (two works of the same kind, two places)."""
    stage: Stage = Stage.SUBMITTED
    ethnic_minority: tuple[tuple[str, int], ...] = ()
    """Ethnic-minority groups living in the village: (name, households)."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.activities.split())


VILLAGES: dict[str, VillageSpec] = {
    # Xã Hải Lăng (19702)
    "Thôn Diên Sanh": VillageSpec(
        "duong_lien_thon_ds_mc duong_truc_xom nha_van_hoa nghe_may thu_gom_rac den_nang_luong"
    ),
    "Thôn Mỹ Chánh": VillageSpec(
        "duong_lien_thon_ds_mc ke_song trang_bi_pclb giong_lua bo_sinh_san"
    ),
    "Thôn Trường Phước": VillageSpec(
        "kenh_noi_dong tram_bom lua_huu_co giong_lua duong_noi_dong do_choi_mam_non"
    ),
    "Thôn Phước Điền": VillageSpec(
        "kenh_lien_thon_pd_hk duong_noi_dong ga_tha_vuon nha_tieu nha_o_ho_ngheo"
    ),
    "Thôn Hội Kỳ": VillageSpec("kenh_lien_thon_pd_hk giong_lua ca_ao san_the_thao loa_ip"),
    "Thôn Xuân Lộc": VillageSpec(
        "bo_sinh_san tap_huan_chan_nuoi rau_tren_cat duong_truc_xom dau_noi_nuoc nha_o_ho_ngheo"
    ),
    "Thôn Thượng Xá": VillageSpec(
        "phong_hoc_mam_non do_choi_mam_non duong_truc_xom cong_qua_duong ga_tha_vuon am_thanh_nvh"
    ),
    "Thôn Câu Nhi": VillageSpec(
        "nha_van_hoa san_the_thao sinh_ke_phu_nu nghe_may che_bien kenh_noi_dong"
    ),
    "Thôn Văn Quỹ": VillageSpec(
        "phi_lao rau_tren_cat tom_tren_cat ong_nuoc dau_noi_nuoc duong_truc_xom thu_gom_rac"
    ),
    "Thôn Đông Dương": VillageSpec(
        "tom_tren_cat ca_ao tap_huan_chan_nuoi ong_nuoc nha_tieu phong_hoc_mam_non nghe_sua_may "
        "duong_noi_dong"
    ),
    "Thôn Trà Lộc": VillageSpec(
        "ong_nuoc dau_noi_nuoc nha_tieu duong_truc_xom giong_lua den_nang_luong"
    ),
    "Thôn Long Hưng": VillageSpec(
        "ke_song trang_bi_pclb nghe_sua_may nghe_may sinh_ke_phu_nu cong_qua_duong",
        ethnic_minority=(("Bru-Vân Kiều", 3),),
    ),
    # Phường Đồng Hới (18880)
    "Tổ dân phố 1": VillageSpec(
        "muong_lien_to_1_2 be_tong_kiet be_tong_kiet den_kiet thung_rac camera"
    ),
    "Tổ dân phố 2": VillageSpec(
        "muong_lien_to_1_2 be_tong_kiet den_kiet cay_xanh tap_huan_rac nha_sinh_hoat",
        ethnic_minority=(("Bru-Vân Kiều", 2),),
    ),
    "Tổ dân phố 3": VillageSpec(
        "cong_tieu_ung be_tong_kiet nghe_ngan_han thung_rac", stage=Stage.DRAFT
    ),
    "Tổ dân phố Đồng Phú": VillageSpec("", stage=Stage.NOT_STARTED),
}

RURAL_POOL = "duong_truc_xom kenh_noi_dong giong_lua nghe_may nha_van_hoa dau_noi_nuoc bo_sinh_san"
URBAN_POOL = "be_tong_kiet den_kiet thung_rac camera nha_sinh_hoat cong_tieu_ung"
"""One activity per sector, for villages the demo does not know: 4 or 5 are drawn."""

HAMLETS = ("Đông", "Tây", "Trung", "Thượng", "Hạ", "Bàu", "Cồn", "Chợ", "Đình", "Giếng")
FIELDS = (
    "Bàu Sen",
    "Cồn Tranh",
    "Trằm Sau",
    "Đồng Cát",
    "Ruộng Cả",
    "Bàu Nẩy",
    "Cửa Truông",
    "Đồng Mối",
    "Trảng Lớn",
    "Bàu Bàng",
)
STREETS = (
    "Lý Thường Kiệt",
    "Trần Hưng Đạo",
    "Quang Trung",
    "Hữu Nghị",
    "Hà Huy Tập",
    "Nguyễn Trãi",
    "Lê Lợi",
    "Trương Pháp",
)
_SAND = {"tom_tren_cat", "rau_tren_cat", "phi_lao"}
"""Activities of villages on the coastal sand."""


# --- findings (F3, F4, F5) --------------------------------------------------------------------

# sector, or a variant of it (see ``_findings_key``) -> strengths, weaknesses, opportunities,
# threats, what it means for the plan.
SWOT_RURAL: dict[str, tuple[str, str, str, str, str]] = {
    "HT-GT": (
        "Nhân dân đồng thuận hiến đất, góp ngày công làm đường\n"
        "Đã có quy hoạch mạng lưới giao thông thôn",
        "Một số tuyến đường trục xóm, liên thôn và nội đồng còn là đường đất, lầy lội mùa mưa\n"
        "Mặt đường hẹp, nhiều đoạn xuống cấp sau lũ",
        "Chương trình MTQG giai đoạn 2026–2035 tiếp tục hỗ trợ làm đường theo cơ chế đặc thù\n"
        "Xã ưu tiên các tuyến liên thôn nối về trung tâm xã",
        "Mưa lũ hằng năm gây xói lở, hư hỏng mặt đường\nGiá vật liệu xây dựng tăng",
        "Ưu tiên bê tông hóa đường liên thôn, đường trục xóm; nhân dân hiến đất, góp ngày công",
    ),
    "HT-TL": (
        "Có hệ thống kênh mương, trạm bơm phục vụ phần lớn diện tích lúa\n"
        "Tổ dùng nước hoạt động thường xuyên",
        "Nhiều đoạn kênh đất bị bồi lấp, rò rỉ, thất thoát nước\n"
        "Cuối kênh thiếu nước tưới vụ Hè Thu",
        "Chương trình MTQG và ngân sách tỉnh hỗ trợ kiên cố hóa kênh mương nội đồng",
        "Hạn hán vụ Hè Thu, ngập úng tháng 10–11\nGiá điện bơm tưới tăng",
        "Kiên cố hóa kênh mương, nâng cấp trạm bơm trước vụ Hè Thu",
    ),
    "HT-TL-lu": (
        "Nhân dân có kinh nghiệm ứng phó lũ; lực lượng xung kích của thôn được tập huấn",
        "Bờ sông Ô Lâu đoạn qua thôn bị sạt lở, có nơi sát nhà dân\n"
        "Thiếu áo phao, thuyền cứu hộ khi có lũ",
        "Dự án ODA thích ứng biến đổi khí hậu vùng ven sông Ô Lâu\n"
        "Ngân sách xã dành cho phòng chống thiên tai",
        "Lũ lớn, lũ chồng lũ tháng 10–11 ngày càng khốc liệt\nSạt lở đe dọa đất sản xuất và nhà ở",
        "Đề xuất kè chống sạt lở và trang thiết bị phòng chống lụt bão, cứu hộ cứu nạn",
    ),
    "NN": (
        "Diện tích lúa lớn, người dân có kinh nghiệm thâm canh\n"
        "Đã có mô hình lúa hữu cơ, chăn nuôi bò hiệu quả",
        "Giống lúa thoái hóa, năng suất chưa cao\n"
        "Chăn nuôi nhỏ lẻ, dịch bệnh gia súc, gia cầm còn xảy ra",
        "Doanh nghiệp liên kết bao tiêu lúa hữu cơ\n"
        "Chương trình MTQG hỗ trợ giống, mô hình sản xuất",
        "Thời tiết thất thường, rét đậm vụ Đông Xuân, nắng nóng vụ Hè Thu\n"
        "Giá vật tư nông nghiệp tăng, giá nông sản bấp bênh",
        "Hỗ trợ giống chất lượng cao, nhân rộng mô hình sản xuất liên kết, tập huấn kỹ thuật",
    ),
    "NN-cat": (
        "Vùng cát ven biển rộng, thuận lợi nuôi tôm trên cát, trồng rau màu\n"
        "Lao động trẻ năng động, sẵn sàng áp dụng kỹ thuật mới",
        "Đất cát bạc màu, thiếu nước tưới mùa khô\nNuôi tôm tự phát, chưa bảo đảm an toàn sinh học",
        "Nhu cầu tôm thương phẩm và rau an toàn của Đông Hà, Huế tăng\n"
        "Ngân sách tỉnh hỗ trợ mô hình sản xuất thích ứng biến đổi khí hậu",
        "Nắng nóng, cát bay; dịch bệnh trên tôm\nÔ nhiễm môi trường nếu xả thải không xử lý",
        "Xây dựng mô hình nuôi tôm an toàn sinh học và rau màu có tưới tiết kiệm nước",
    ),
    "XH": (
        "Hội Phụ nữ, Hội Nông dân tích cực giúp đỡ hộ nghèo\n"
        "Hộ nghèo có ý chí vươn lên, sẵn sàng đối ứng",
        "Hộ nghèo thiếu vốn, thiếu tư liệu sản xuất\nMột số nhà ở tạm bợ, không an toàn mùa bão lũ",
        "Hợp phần giảm nghèo bền vững của Chương trình MTQG 2026–2035 hỗ trợ sinh kế, nhà ở\n"
        "Vốn vay ưu đãi của Ngân hàng Chính sách xã hội",
        "Thiên tai, dịch bệnh dễ làm hộ vừa thoát nghèo tái nghèo\nGiá bò giống biến động",
        "Hỗ trợ sinh kế và nhà ở cho hộ nghèo, gắn với tổ nhóm cùng sở thích",
    ),
    "GD": (
        "Tỷ lệ trẻ đi học mẫu giáo cao\nGiáo viên mầm non tận tâm",
        "Điểm trường mầm non còn phòng học tạm, thiếu đồ chơi ngoài trời",
        "Chương trình MTQG hỗ trợ kiên cố hóa trường lớp\nTiêu chí trường học của nông thôn mới",
        "Bão lũ làm hư hỏng phòng học tạm\nSố trẻ tăng, phòng học không đủ",
        "Xây phòng học mầm non kiên cố, mua sắm đồ chơi ngoài trời",
    ),
    "GD-nghe": (
        "Lao động trẻ, lao động nữ muốn học nghề để có việc làm gần nhà",
        "Phần lớn lao động nữ, lao động nông nhàn chưa qua đào tạo nghề",
        "Doanh nghiệp may, khu công nghiệp trong tỉnh cần tuyển lao động\n"
        "Ngân sách tỉnh hỗ trợ đào tạo nghề cho lao động nông thôn",
        "Lao động trẻ đi làm ăn xa\nKinh phí đào tạo nghề hằng năm có hạn",
        "Mở lớp dạy nghề gắn với việc làm cho lao động nữ và lao động nông nhàn",
    ),
    "HT-VH": (
        "Phong trào văn nghệ, thể thao sôi nổi\n"
        "Nhân dân và con em xa quê sẵn sàng đóng góp xây dựng thiết chế văn hóa",
        "Nhà văn hóa xây đã lâu, xuống cấp: mái dột, nền lún, khu vệ sinh hỏng",
        "Tiêu chí văn hóa của nông thôn mới được ưu tiên hỗ trợ",
        "Bão lũ làm hư hỏng mái, tường\nThiếu kinh phí duy tu sau đầu tư",
        "Sửa chữa nhà văn hóa; thôn lập quỹ duy tu, bảo dưỡng",
    ),
    "HT-VH-san": (
        "Nhà văn hóa sử dụng tốt; phong trào bóng chuyền, cầu lông sôi nổi",
        "Chưa có sân thể thao đạt chuẩn; nhà văn hóa thiếu bàn ghế, âm thanh",
        "Tiêu chí văn hóa của nông thôn mới được ưu tiên hỗ trợ\nCon em xa quê sẵn lòng ủng hộ",
        "Thiếu kinh phí duy tu sau đầu tư",
        "Xây sân thể thao, mua sắm trang thiết bị cho nhà văn hóa",
    ),
    "HT-N": (
        "Tuyến ống cấp nước chính của xã đi qua thôn\nNgười dân thấy rõ lợi ích của nước sạch",
        "Các xóm xa tuyến ống còn dùng giếng khoan nhiễm phèn, nhiễm mặn\n"
        "Hộ nghèo chưa đủ tiền đấu nối nước, xây nhà tiêu hợp vệ sinh",
        "Chương trình MTQG hỗ trợ nước sạch và nhà tiêu hợp vệ sinh cho hộ nghèo\n"
        "Đơn vị cấp nước mở rộng mạng lưới",
        "Giếng nhiễm mặn mùa khô\nNgập lụt làm ô nhiễm nguồn nước",
        "Kéo nhánh ống, hỗ trợ đấu nối và nhà tiêu hợp vệ sinh cho hộ nghèo",
    ),
    "LN": (
        "Có diện tích đất cát ven biển trồng được rừng phòng hộ\n"
        "Người dân có kinh nghiệm trồng phi lao",
        "Rừng phi lao chắn cát bị thưa, nhiều khoảnh chết sau đợt hạn",
        "Ngân sách tỉnh hỗ trợ trồng rừng phòng hộ ven biển",
        "Cát bay, cát lấn vùi lấp đất sản xuất\nNắng hạn kéo dài làm cây mới trồng chết",
        "Trồng bổ sung rừng phi lao chắn gió, chắn cát; nhân dân góp công và nhận khoán",
    ),
    "MT": (
        "Tổ thu gom rác của thôn hoạt động; phong trào “Ngày Chủ nhật xanh”",
        "Thiếu phương tiện thu gom, rác còn đổ ra bờ sông, ven đường",
        "Chương trình MTQG hỗ trợ thu gom, phân loại rác thải tại nguồn",
        "Ô nhiễm môi trường sau mùa lũ\nÝ thức của một bộ phận người dân chưa cao",
        "Trang bị phương tiện thu gom rác, tuyên truyền phân loại rác tại nguồn",
    ),
}
SWOT_URBAN: dict[str, tuple[str, str, str, str, str]] = {
    "HT-N": (
        "Đã có mương thoát nước dọc các tuyến chính\nNhân dân đồng thuận đóng góp",
        "Mương cũ, nhỏ, bồi lắng, nhiều đoạn chưa có nắp đậy\nMột số kiệt ngập cục bộ khi mưa lớn",
        "Phường và tỉnh ưu tiên chống ngập đô thị",
        "Mưa lớn tập trung, triều cường sông Nhật Lệ\n"
        "Đô thị hóa làm tăng diện tích bê tông, nước khó thấm",
        "Nạo vét, cải tạo mương thoát nước tại các điểm ngập; làm nắp đậy an toàn",
    ),
    "HT-GT": (
        "Phần lớn kiệt đã bê tông hóa theo phương châm “Nhà nước và nhân dân cùng làm”",
        "Còn một số kiệt hẹp, mặt đường xuống cấp, chưa có rãnh thoát nước",
        "Phường hỗ trợ xi măng, nhân dân đóng góp phần còn lại",
        "Xe tải nhỏ vào kiệt làm hư hỏng mặt đường",
        "Bê tông hóa, nâng cấp các kiệt còn lại, kết hợp làm rãnh thoát nước",
    ),
    "HT-D": (
        "Các tuyến đường chính đã có điện chiếu sáng",
        "Nhiều kiệt chưa có đèn, mất an toàn ban đêm",
        "Phong trào “Kiệt sáng” của phường; đèn LED tiết kiệm điện",
        "Chi phí tiền điện, bảo trì hằng năm",
        "Lắp đèn LED chiếu sáng kiệt, tổ dân phố tự quản vận hành",
    ),
    "MT": (
        "Rác được đơn vị vệ sinh môi trường thu gom hằng ngày",
        "Chưa phân loại rác tại nguồn; thiếu điểm tập kết, thùng rác công cộng",
        "Quy định phân loại chất thải rắn sinh hoạt tại nguồn của Luật Bảo vệ môi trường",
        "Rác ùn ứ sau bão lũ; ý thức của một bộ phận người dân chưa cao",
        "Trang bị thùng rác phân loại, tuyên truyền phân loại rác, trồng cây xanh",
    ),
    "HT-TL": (
        "Tổ dân phố chủ động khơi thông cống rãnh trước mùa mưa",
        "Nền đường một số kiệt thấp, cống tiêu nhỏ, ngập sâu khi mưa lớn",
        "Tỉnh ưu tiên vốn chống ngập cho các phường trung tâm",
        "Mưa lớn kết hợp triều cường; bão mạnh",
        "Nâng cấp cống tiêu úng và nâng nền các điểm ngập",
    ),
}

# sector -> problem, causes (one per line), solutions (one per line)
PROBLEMS_RURAL: dict[str, tuple[str, str, str]] = {
    "HT-GT": (
        "Đường trục xóm, liên thôn và nội đồng lầy lội, đi lại và vận chuyển nông sản khó "
        "khăn mùa mưa",
        "Đường đất, chưa được cứng hóa\nMưa lũ gây xói lở\nThiếu kinh phí đầu tư",
        "Bê tông hóa các tuyến đường trục xóm, liên thôn, nội đồng\n"
        "Nhân dân hiến đất, góp ngày công",
    ),
    "HT-TL": (
        "Thiếu nước tưới cuối kênh vụ Hè Thu, một số diện tích phải bỏ vụ hoặc năng suất thấp",
        "Kênh đất bồi lấp, rò rỉ\nTrạm bơm xuống cấp, hay hỏng",
        "Kiên cố hóa kênh mương nội đồng\nNâng cấp trạm bơm",
    ),
    "HT-TL-lu": (
        "Sạt lở bờ sông và lũ lụt hằng năm đe dọa nhà ở, đất sản xuất; thiếu phương tiện cứu hộ",
        "Bờ sông bị xói lở mỗi mùa lũ\nChưa có kè bảo vệ\nThiếu áo phao, thuyền cứu hộ",
        "Xây kè chống sạt lở\nTrang bị phương tiện phòng chống lụt bão, cứu hộ cứu nạn",
    ),
    "NN": (
        "Năng suất lúa, hiệu quả chăn nuôi thấp; thu nhập từ nông nghiệp chưa ổn định",
        "Giống thoái hóa\nNgười dân thiếu kỹ thuật\nChưa liên kết tiêu thụ",
        "Hỗ trợ giống chất lượng cao\nXây dựng mô hình sản xuất liên kết\nTập huấn kỹ thuật",
    ),
    "NN-cat": (
        "Đất cát bạc màu, nuôi trồng trên cát chưa hiệu quả, dễ thua lỗ",
        "Đất nghèo dinh dưỡng, thiếu nước tưới\nNuôi tôm tự phát, không an toàn sinh học\n"
        "Thiếu vốn đầu tư",
        "Mô hình rau màu có tưới tiết kiệm nước\nMô hình nuôi tôm trên cát an toàn sinh học\n"
        "Tập huấn kỹ thuật",
    ),
    "XH": (
        "Hộ nghèo, hộ cận nghèo thiếu sinh kế bền vững; một số nhà ở không an toàn",
        "Thiếu vốn, thiếu tư liệu sản xuất\nNhiều hộ có người già, người ốm, thiếu lao động\n"
        "Nhà tạm xây đã lâu",
        "Hỗ trợ bò sinh sản, mô hình sinh kế cho phụ nữ\nHỗ trợ xây, sửa nhà ở\n"
        "Hội Phụ nữ, Hội Nông dân kèm cặp hộ nghèo",
    ),
    "GD": (
        "Trẻ mầm non còn học phòng tạm, thiếu đồ chơi ngoài trời",
        "Điểm trường xây đã lâu, thiếu phòng\nChưa có kinh phí mua sắm đồ chơi",
        "Xây phòng học mầm non kiên cố\nMua sắm đồ chơi ngoài trời",
    ),
    "GD-nghe": (
        "Lao động nữ, lao động nông nhàn chưa có nghề, thiếu việc làm ổn định",
        "Ít được đào tạo nghề\nChưa liên kết với doanh nghiệp tuyển dụng",
        "Mở lớp dạy nghề gắn với tuyển dụng của doanh nghiệp",
    ),
    "HT-VH": (
        "Nhà văn hóa xuống cấp, không bảo đảm sinh hoạt cộng đồng và tránh trú bão",
        "Xây dựng đã lâu, bão lũ làm hư hỏng\nChưa có quỹ duy tu",
        "Sửa chữa nhà văn hóa\nXây sân thể thao, mua sắm trang thiết bị",
    ),
    "HT-VH-san": (
        "Thiếu sân thể thao và trang thiết bị cho sinh hoạt văn hóa, thể thao",
        "Chưa có kinh phí làm sân thể thao\nNhà văn hóa thiếu bàn ghế, âm thanh",
        "Xây sân thể thao\nMua sắm trang thiết bị cho nhà văn hóa",
    ),
    "HT-N": (
        "Nhiều hộ chưa được dùng nước sạch; hộ nghèo thiếu nhà tiêu hợp vệ sinh",
        "Tuyến ống chưa đến các xóm xa\nHộ nghèo không đủ tiền đấu nối\n"
        "Nước giếng nhiễm phèn, nhiễm mặn",
        "Kéo nhánh ống cấp nước\nHỗ trợ đấu nối nước sạch và xây nhà tiêu cho hộ nghèo",
    ),
    "LN": (
        "Cát bay, cát lấn vùi lấp ruộng vườn và đường đi",
        "Rừng phi lao chắn cát bị thưa, chết do hạn\nChưa trồng bổ sung kịp thời",
        "Trồng bổ sung rừng phi lao\nGiao khoán chăm sóc, bảo vệ cho hộ gia đình",
    ),
    "MT": (
        "Rác thải sinh hoạt chưa được thu gom triệt để, gây ô nhiễm",
        "Thiếu phương tiện thu gom\nChưa có điểm tập kết\nÝ thức người dân chưa cao",
        "Trang bị xe, thùng thu gom rác\nTuyên truyền phân loại rác tại nguồn",
    ),
}
PROBLEMS_URBAN: dict[str, tuple[str, str, str]] = {
    "HT-N": (
        "Ngập úng cục bộ khi mưa lớn do mương thoát nước bồi lắng, xuống cấp",
        "Mương nhỏ, cũ, bồi lắng\nRác thải làm tắc cửa thu nước\nChưa có nắp đậy",
        "Nạo vét, kiên cố hóa mương thoát nước\nLàm nắp đậy, tổ chức khơi thông định kỳ",
    ),
    "HT-GT": (
        "Một số kiệt hẹp, mặt đường xuống cấp, đọng nước, đi lại khó khăn",
        "Kiệt làm đã lâu, chưa có rãnh thoát nước\nXe tải nhỏ đi vào làm hư hỏng",
        "Bê tông hóa lại mặt kiệt, làm rãnh thoát nước\nNhân dân đóng góp, phường hỗ trợ xi măng",
    ),
    "HT-TL": (
        "Điểm trũng ngập sâu khi mưa lớn kết hợp triều cường, ảnh hưởng nhà ở và đi lại",
        "Nền đường thấp\nCống tiêu nhỏ, không kịp thoát nước",
        "Nâng cấp cống tiêu úng\nNâng nền điểm ngập",
    ),
    "HT-D": (
        "Nhiều kiệt chưa có điện chiếu sáng, đi lại ban đêm không an toàn",
        "Chưa có kinh phí lắp đèn\nCột điện xa kiệt",
        "Lắp đèn LED chiếu sáng kiệt, tổ dân phố tự quản vận hành",
    ),
    "MT": (
        "Rác thải chưa được phân loại tại nguồn, thiếu điểm tập kết, thiếu cây xanh",
        "Thiếu thùng rác phân loại\nNgười dân chưa quen phân loại rác",
        "Trang bị thùng rác phân loại\nTuyên truyền, hướng dẫn phân loại rác\nTrồng cây xanh",
    ),
}

RANKING_EXTRA = {
    False: "Xây dựng chợ phiên của thôn",
    True: "Làm mái che, ghế ngồi tại điểm chờ xe buýt",
}
"""A candidate the village scored but did not keep (rural, urban)."""

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phan", "Hoàng", "Võ", "Đặng", "Hồ", "Ngô", "Dương")
MEN = ("Hùng", "Dũng", "Thành", "Phong", "Quý", "Lợi", "Tâm", "Hải", "Nam", "Lộc", "Thắng")
WOMEN = ("Lan", "Hương", "Nga", "Thủy", "Hằng", "Liên", "Nhung", "Hiền", "Tuyết", "Loan")
MEN_MIDDLE = ("Văn", "Hữu", "Đức", "Quang", "Minh")
