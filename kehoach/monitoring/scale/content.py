"""What the generated data says: village names by region, the village's figures (F1), its
meeting (F8) and its proposals (F6) sized from the demo's activities
(``kehoach.plans.demo.content.ACTIVITIES``). Data in Vietnamese, not interface text. Every draw
comes from the ``random.Random`` it is given, so the same seed gives the same words."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from string import Formatter
from typing import Any

from kehoach.geo.choices import Kind
from kehoach.plans.demo.content import (
    ACTIVITIES,
    FIELDS,
    HAMLETS,
    LABOUR_DAY_MVND,
    MEN,
    MEN_MIDDLE,
    STREETS,
    SURNAMES,
    WOMEN,
    Activity,
)

_ONE = Decimal(1)
_TENTH = Decimal("0.1")
_MILLI = Decimal("0.001")
_ZERO = Decimal(0)

# --- villages ---------------------------------------------------------------------------------

NORTH_MOUNTAINS = {"04", "08", "11", "12", "14", "15", "19", "20"}
"""Provinces where most villages are "bản" of the Tày, Thái, Mông, Dao, Nùng."""
HIGHLANDS = {"52", "66", "68"}
"""Central Highlands: "buôn" and "làng" of the Ê Đê, Gia Rai, Ba Na, M'nông."""
SOUTH = {"75", "79", "80", "82", "86", "91", "92", "96"}
"""The South: "ấp"; wards have "khu phố"."""
KHMER = {"86", "91", "96"}

_BAN_FIRST = ("Nà", "Pá", "Huổi", "Nậm", "Khuổi", "Bó", "Phiêng", "Co", "Tà", "Lũng", "Pác", "Nặm")
_BAN_SECOND = (
    "Lìu", "Khoang", "Hịa", "Pục", "Cáy", "Mòn", "Luông", "Sản", "Phầy", "Noong", "Chang",
    "Tấu", "Ngần", "Bua", "Lếch", "Pẻn",
)  # fmt: skip
_BUON = ("Buôn Ea", "Buôn Kô", "Buôn Krông", "Làng Plei", "Làng Kon", "Buôn Cư")
_BUON_SECOND = ("Súp", "Tam", "Pắc", "Bông", "Jút", "Kuăn", "Mlan", "Ô", "Đrăng", "Kơ", "Ring")
_SINO = (
    "An Phú", "Tân Thành", "Phú Lộc", "Hòa Bình", "Đông Hà", "Xuân Hòa", "Trung Lương",
    "Phước Thọ", "Thạnh Mỹ", "Long Hưng", "Vĩnh An", "Mỹ Thủy", "Hưng Nhơn", "Bình Minh",
    "Thuận An", "Cát Sơn", "Đại An", "Tân Lập", "Phú Xuân", "Hiệp Hòa",
)  # fmt: skip
_DIRECTIONS = ("Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ")
EM_GROUPS = {
    "north": ("Tày", "Thái", "Mông", "Dao", "Nùng"),
    "highlands": ("Ê Đê", "Gia Rai", "Ba Na", "M'nông"),
    "khmer": ("Khmer",),
    "central": ("Bru-Vân Kiều", "Tà Ôi", "Cơ Tu"),
}


def region_of(province_code: str) -> str:
    if province_code in NORTH_MOUNTAINS:
        return "north"
    if province_code in HIGHLANDS:
        return "highlands"
    if province_code in SOUTH:
        return "south"
    return "plain"


def village_names(
    rng: random.Random, count: int, *, region: str, urban: bool
) -> list[tuple[str, str]]:
    """(name, kind) of ``count`` villages of one commune, all different: "Tổ dân phố 3",
    "Khu phố 2", "Thôn 4", "Thôn Đông", "Thôn An Phú", "Bản Nà Lìu", "Buôn Ea Súp", "Ấp 3"."""
    if urban:
        word = "Khu phố" if region == "south" else "Tổ dân phố"
        return [(f"{word} {n}", Kind.RESIDENTIAL_GROUP) for n in range(1, count + 1)]
    if region == "south":
        named = [f"Ấp {name}" for name in rng.sample(_SINO, min(count // 2, len(_SINO)))]
        numbered = [f"Ấp {n}" for n in range(1, count - len(named) + 1)]
        return [(name, Kind.AP) for name in [*numbered, *named]]
    names: list[tuple[str, str]] = []
    taken: set[str] = set()

    def add(name: str, kind: str) -> None:
        if name not in taken:
            taken.add(name)
            names.append((name, kind))

    attempts = 0
    while len(names) < count and attempts < count * 20:
        attempts += 1
        draw = rng.random()
        if region == "north" and draw < 0.7:
            add(f"Bản {rng.choice(_BAN_FIRST)} {rng.choice(_BAN_SECOND)}", Kind.HAMLET)
        elif region == "highlands" and draw < 0.5:
            first = rng.choice(_BUON)
            kind = Kind.LANG if first.startswith("Làng") else Kind.BUON
            add(f"{first} {rng.choice(_BUON_SECOND)}", kind)
        elif draw < 0.85:
            add(f"Thôn {rng.choice(_SINO)}", Kind.VILLAGE)
        else:
            add(f"Thôn {rng.choice(_DIRECTIONS)}", Kind.VILLAGE)
    number = 1
    while len(names) < count:  # a large commune: numbered villages after the names
        add(f"Thôn {number}", Kind.VILLAGE)
        number += 1
    return names


def person(rng: random.Random, *, woman: bool) -> str:
    if woman:
        return f"{rng.choice(SURNAMES)} Thị {rng.choice(WOMEN)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MEN_MIDDLE)} {rng.choice(MEN)}"


@dataclass
class VillageFigures:
    """What a village's plan is sized from (F1)."""

    name: str
    households: int
    poor: int
    near_poor: int
    em: int
    em_group: str
    urban: bool


def village_figures(
    rng: random.Random, name: str, *, region: str, urban: bool, province_code: str
) -> VillageFigures:
    households = rng.randint(150, 600) if urban else rng.randint(70, 420)
    poor_pct = {"north": (12, 35), "highlands": (8, 28)}.get(region, (1, 8))
    poor = max(1, households * rng.randint(*poor_pct) // 100)
    near_poor = households * rng.randint(2, 10) // 100
    if region == "north":
        em_pct, groups = rng.randint(60, 100), EM_GROUPS["north"]
    elif region == "highlands":
        em_pct, groups = rng.randint(20, 95), EM_GROUPS["highlands"]
    elif province_code in KHMER:
        em_pct, groups = rng.randint(0, 40), EM_GROUPS["khmer"]
    else:
        em_pct, groups = (rng.randint(0, 6) if rng.random() < 0.2 else 0), EM_GROUPS["central"]
    em = households * em_pct // 100
    return VillageFigures(
        name=name,
        households=households,
        poor=poor,
        near_poor=near_poor,
        em=em,
        em_group=rng.choice(groups) if em else "",
        urban=urban,
    )


def basic_info_values(rng: random.Random, v: VillageFigures) -> dict[str, Any]:
    """F1 of the village: households, people, land, livestock, roads, services."""
    population = v.households * rng.randint(34, 44) // 10
    labour = population * rng.randint(52, 64) // 100
    rural = not v.urban
    return {
        "total_households": v.households,
        "population": population,
        "population_female": population * rng.randint(48, 52) // 100,
        "em_households": v.em,
        "poor_households": v.poor,
        "near_poor_households": v.near_poor,
        "female_headed_households": v.households * rng.randint(5, 15) // 100,
        "labour_force": labour,
        "labour_female": labour * rng.randint(45, 52) // 100,
        "land_wet_rice_ha": _ha(rng, 15, 120) if rural else None,
        "land_upland_ha": _ha(rng, 0, 60) if rural else None,
        "land_garden_ha": _ha(rng, 2, 20),
        "land_residential_ha": _ha(rng, 3, 25),
        "forest_production_ha": _ha(rng, 0, 300) if rural else None,
        "buffalo": rng.randint(0, 120) if rural else None,
        "cattle": rng.randint(10, 300) if rural else None,
        "pigs": rng.randint(20, 900) if rural else None,
        "poultry": rng.randint(500, 9000) if rural else None,
        "road_length_km": _ha(rng, 0, 12),
        "road_surface": "Bê tông" if rng.random() < 0.7 else "Cấp phối",
        "road_all_season": rng.random() < 0.8,
        "electricity_households": v.households * rng.randint(95, 100) // 100,
        "clean_water_households": v.households * rng.randint(55, 100) // 100,
        "latrine_households": v.households * rng.randint(60, 100) // 100,
        "has_cultural_house": rng.random() < 0.9,
        "has_sports_ground": rng.random() < 0.5,
        "income_per_capita_mvnd": Decimal(rng.randint(180, 700)) / 10,
        "food_shortage_months": rng.randint(0, 3) if v.poor * 5 > v.households else 0,
        "is_extremely_difficult": v.poor * 4 > v.households,
        "is_p135": v.poor * 4 > v.households and v.em * 2 > v.households,
    }


def _ha(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 10, high * 10)) / 10


def meeting_values(rng: random.Random, v: VillageFigures, year: int) -> dict[str, Any]:
    """F8: the village meeting that voted the plan, in July or August of the year before,
    with its quorum (R9, R10)."""
    represented = v.households * rng.randint(62, 92) // 100
    participants = represented + rng.randint(0, v.households // 10)
    agree = participants * rng.randint(80, 100) // 100
    disagree = (participants - agree) // 2
    return {
        "held_on": datetime.date(year - 1, rng.choice((7, 8)), rng.randint(1, 28)),
        "place": f"Nhà văn hóa {lower_first(v.name)}",
        "chair": f"{person(rng, woman=False)}, trưởng thôn",
        "secretary": person(rng, woman=True),
        "agenda": f"Thảo luận, biểu quyết kế hoạch phát triển {lower_first(v.name)} năm {year}.",
        "households_total": v.households,
        "households_represented": represented,
        "participants_total": participants,
        "participants_women": participants * rng.randint(35, 55) // 100,
        "participants_poor": min(participants, v.poor + v.near_poor),
        "participants_em": min(participants, v.em),
        "decision": "Thống nhất thông qua danh mục đề xuất và mức đóng góp của nhân dân.",
        "votes_agree": agree,
        "votes_disagree": disagree,
        "votes_abstain": participants - agree - disagree,
    }


# --- proposals (F6) ---------------------------------------------------------------------------

_URBAN_KEYS = {
    "be_tong_kiet",
    "cong_tieu_ung",
    "den_kiet",
    "thung_rac",
    "tap_huan_rac",
    "cay_xanh",
    "camera",
    "nha_sinh_hoat",
    "nghe_ngan_han",
}
_LOCAL_KEYS = {"ke_song", "tom_tren_cat", "rau_tren_cat", "phi_lao"}
"""Activities tied to Quảng Trị's coast and river: not spread over the country."""
RURAL_ACTIVITIES = tuple(
    key
    for key, a in ACTIVITIES.items()
    if a.shared_by is None and key not in _URBAN_KEYS and key not in _LOCAL_KEYS
)
URBAN_ACTIVITIES = tuple(
    sorted(_URBAN_KEYS | {"nha_tieu", "dau_noi_nuoc", "nha_o_ho_ngheo", "sinh_ke_phu_nu"})
)


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def pick(rng: random.Random, lo: str, hi: str, step: str) -> Decimal:
    low, high, by = Decimal(lo), Decimal(hi), Decimal(step)
    return low + by * rng.randint(0, int((high - low) / by))


def _round_total(value: Decimal) -> Decimal:
    step = Decimal(5) if value >= 100 else _ONE
    return (value / step).quantize(_ONE, rounding=ROUND_HALF_UP) * step


_PLACEHOLDERS = {
    key: {name for _t, name, _s, _c in Formatter().parse(a.name + a.location) if name}
    for key, a in ACTIVITIES.items()
}


def activity_keys(rng: random.Random, count: int, *, urban: bool) -> list[str]:
    """``count`` activities of a village: every kind at most once until each was drawn."""
    pool = URBAN_ACTIVITIES if urban else RURAL_ACTIVITIES
    keys: list[str] = []
    while len(keys) < count:
        keys.extend(rng.sample(pool, min(len(pool), count - len(keys))))
    return keys


def proposal_values(
    rng: random.Random, v: VillageFigures, key: str, *, year: int
) -> dict[str, Any]:
    """The values of one proposal of activity ``key`` (codes for sector, unit and source):
    sized, costed, its contribution split into cash, labour and materials so that R1 holds,
    its months inside the plan year (R5), its beneficiaries within the village."""
    activity: Activity = ACTIVITIES[key]
    quantity = pick(rng, *activity.quantity)
    unit_cost = pick(rng, *activity.unit_cost)
    if activity.for_poor:
        quantity = max(_ONE, min(quantity, Decimal(v.poor + v.near_poor)))
    total = _round_total(quantity * unit_cost)
    total = min(max(total, Decimal(activity.total[0])), Decimal(activity.total[1]))
    target = total * rng.randint(*activity.contribution_pct) / 100
    cash_pct, labour_pct, materials_pct = activity.split
    labour_days = (target * labour_pct / 100 / LABOUR_DAY_MVND).quantize(_ONE, ROUND_HALF_UP)
    labour = labour_days * LABOUR_DAY_MVND
    cash = (target * cash_pct / 100).quantize(_TENTH, ROUND_HALF_UP)
    materials = max(_ZERO, target - cash - labour) if materials_pct else _ZERO
    materials = materials.quantize(_TENTH, ROUND_HALF_UP)
    contribution = cash + labour + materials
    if contribution > total:  # a tiny work: the village pays it all, in cash
        cash, labour, labour_days, materials, contribution = total, _ZERO, _ZERO, _ZERO, total

    if activity.per_unit:
        households = min(v.households, int(quantity * activity.per_unit))
    else:
        households = v.households * rng.randint(*activity.reach) // 100
    households = max(households, 1)
    if activity.for_poor:
        poor = min(households, v.poor)
    else:
        poor = households * max(activity.poor_pct, v.poor * 100 // v.households) // 100
        poor = min(households, v.poor, poor)
    em = min(households, households * v.em // v.households) if v.em else 0

    used = _PLACEHOLDERS[key]
    fill: dict[str, Any] = {"village": lower_first(v.name), "year": year, "next_year": year + 1}
    if "xom" in used:
        fill["xom"] = rng.choice(HAMLETS)
    if "dong" in used:
        fill["dong"] = rng.choice(FIELDS)
    if "kiet" in used:
        fill["kiet"] = str(rng.randint(3, 120))
    if "duong" in used:
        fill["duong"] = rng.choice(STREETS)
    notes = activity.notes.format(partner="", year=year, next_year=year + 1)
    return {
        "sector": activity.sector,
        "activity": activity.name.format(**fill)[:300],
        "location": activity.location.format(**fill)[:200],
        "unit": activity.unit,
        "quantity": quantity.quantize(_MILLI),
        "start_month": datetime.date(year, activity.months[0], 1),
        "end_month": datetime.date(year, activity.months[1], 1),
        "total_cost_mvnd": total.quantize(_MILLI),
        "contribution_mvnd": contribution.quantize(_MILLI),
        "contribution_cash_mvnd": cash.quantize(_MILLI),
        "contribution_labour_days": labour_days.quantize(_TENTH),
        "contribution_labour_mvnd": labour.quantize(_MILLI),
        "contribution_materials_mvnd": materials.quantize(_MILLI),
        "contribution_land_m2": Decimal(rng.randint(*activity.land_m2) // 10 * 10).quantize(_TENTH),
        "external_support_mvnd": (total - contribution).quantize(_MILLI),
        "proposed_source": activity.source,
        "beneficiary_households": households,
        "beneficiary_poor": poor,
        "beneficiary_em": em,
        "implementation_mode": activity.mode,
        "notes": notes,
    }


DECISION_REASONS = {
    "funded": (
        "Phù hợp định hướng phát triển của xã, đủ điều kiện bố trí vốn.",
        "Ưu tiên cao của thôn, nhân dân cam kết đối ứng.",
        "Đáp ứng tiêu chí nông thôn mới, bố trí vốn năm kế hoạch.",
    ),
    "unfunded": (
        "Đưa vào kế hoạch, chưa đủ nguồn vốn; tiếp tục vận động nguồn lực.",
        "Vượt khả năng cân đối của khung nguồn lực năm nay.",
    ),
    "deferred": (
        "Chuyển sang năm sau do chưa cân đối được nguồn vốn.",
        "Tạm hoãn, chờ bố trí vốn năm sau.",
    ),
}
