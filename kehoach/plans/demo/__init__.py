"""Demo village plans (kế hoạch thôn mẫu) for the demo communes' planning round.

``demo_village_plans`` fills every village plan of a round that has no proposal yet with
believable content — basic information (F1), SWOT (F3), problems (F4), proposals (F6), the
ranking matrix (F5) and the village meeting (F8) — and submits it to the commune. Every write
goes through the services of ``kehoach.plans.services``, so every rule is checked and the
history is written exactly as if a planner had typed the paper forms in.

Content: rural content for villages (thôn) of a lowland, coastal commune of Quảng Trị (rice,
livestock, aquaculture on sand, floods of the Ô Lâu river, inter-village roads, canals,
kindergartens, clean water, cultural houses, vocational training, women's livelihoods);
urban content (drainage, lighting, alleys, waste, security cameras) for residential groups
(tổ dân phố). ``VILLAGES`` chooses the activities of the known demo villages and the stage
their plan is left in; any other village gets a deterministic selection.

Deterministic: the numbers come from ``random.Random`` seeded with the village code, and a
work shared by two villages (``Activity.shared_by``) is sized from its own key, so that both
villages propose it with the same wording, quantity and cost — the commune merges them.

Idempotent: a plan that already has a proposal (even a deleted one) or is no longer a draft
is left as it is. Parts a planner already entered in an otherwise empty plan (basic
information, a sector's SWOT, problems, ranking, meeting) are kept, not overwritten.

Only for demo data (``KEHOACH_DEMO``); the texts are data in Vietnamese, not interface text.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from string import Formatter
from typing import Any

from django.db import transaction

from kehoach.accounts.choices import Role
from kehoach.accounts.demo import DEMO_USERS
from kehoach.accounts.models import User
from kehoach.accounts.permissions import Action, has_permission
from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.core.errors import ApplicationError
from kehoach.core.numbers import format_number_vi
from kehoach.core.text import fold
from kehoach.geo.choices import Kind
from kehoach.geo.models import AdministrativeUnit

from ..choices import PlanStatus
from ..models import (
    BasicInfo,
    PlanningRound,
    Problem,
    ProposalLine,
    RankingItem,
    SwotEntry,
    VillageMeeting,
    VillagePlan,
)
from ..services.checks import plan_checks
from ..services.findings import problem_create, ranking_item_create, swot_save
from ..services.info import basic_info_is_empty, basic_info_save
from ..services.lines import proposal_line_create
from ..services.meeting import meeting_save
from ..services.workflow import plan_submit
from .content import (
    _CENT,
    _ONE,
    _SAND,
    _TENTH,
    ACTIVITIES,
    FIELDS,
    HAMLETS,
    LABOUR_DAY_MVND,
    MEN,
    MEN_MIDDLE,
    PROBLEMS_RURAL,
    PROBLEMS_URBAN,
    RANKING_EXTRA,
    RURAL_POOL,
    STREETS,
    SURNAMES,
    SWOT_RURAL,
    SWOT_URBAN,
    URBAN_POOL,
    VILLAGES,
    WOMEN,
    Stage,
    VillageSpec,
)


def _pick(rng: random.Random, lo: str, hi: str, step: str) -> Decimal:
    low, high, by = Decimal(lo), Decimal(hi), Decimal(step)
    return low + by * rng.randint(0, int((high - low) / by))


def _share(rng: random.Random, whole: int, lo: int, hi: int, per: int = 100) -> int:
    """``whole`` × a share drawn between ``lo`` and ``hi`` (out of ``per``), rounded down."""
    return whole * rng.randint(lo, hi) // per


def _ha(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _round_total(value: Decimal) -> Decimal:
    step = Decimal(5) if value >= 100 else _ONE
    return (value / step).quantize(_ONE, rounding=ROUND_HALF_UP) * step


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _person(rng: random.Random, *, woman: bool) -> str:
    if woman:
        return f"{rng.choice(SURNAMES)} Thị {rng.choice(WOMEN)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MEN_MIDDLE)} {rng.choice(MEN)}"


# --- one village ------------------------------------------------------------------------------


@dataclass
class _Village:
    """What the demo knows about one village while it fills its plan."""

    plan: VillagePlan
    rng: random.Random
    urban: bool
    keys: tuple[str, ...]
    stage: Stage
    ethnic_minority: tuple[tuple[str, int], ...]
    households: int = 0
    population: int = 0
    women: int = 0
    poor: int = 0
    near_poor: int = 0
    em: int = 0

    @property
    def name(self) -> str:
        return _lower_first(self.plan.village.name)

    @property
    def sand(self) -> bool:
        return bool(_SAND & set(self.keys))


def _spec_for(village: AdministrativeUnit, rng: random.Random, urban: bool) -> VillageSpec:
    known = VILLAGES.get(village.name)
    if known is not None:
        return known
    pool = URBAN_POOL if urban else RURAL_POOL
    return VillageSpec(" ".join(rng.sample(pool.split(), rng.randint(4, 5))))


def _basic_info(v: _Village) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """F1 values, their sources and the ethnic groups; also sets the village's counts."""
    rng, keys, urban = v.rng, set(v.keys), v.urban
    hh = rng.randint(180, 420) if urban else rng.randint(150, 450)
    population = _share(rng, hh, 360, 400) if urban else _share(rng, hh, 350, 410)
    female = _share(rng, population, 500, 520, 1000)
    poor = _share(rng, hh, 30, 50, 1000) if urban else _share(rng, hh, 50, 120, 1000)
    near_poor = _share(rng, hh, 20, 40, 1000) if urban else _share(rng, hh, 40, 90, 1000)
    em = sum(n for _name, n in v.ethnic_minority)
    labour = (
        _share(rng, population, 580, 640, 1000)
        if urban
        else _share(rng, population, 550, 620, 1000)
    )
    v.households, v.population, v.women = hh, population, female
    v.poor, v.near_poor, v.em = poor, near_poor, em

    def d(lo: int, hi: int, per: int = 10) -> Decimal:
        return _ha(Decimal(rng.randint(lo, hi)) / per)

    if urban:
        land = {
            "land_wet_rice_ha": d(0, 80),
            "land_upland_ha": Decimal(0),
            "land_perennial_ha": Decimal(0),
            "land_garden_ha": _ha(Decimal(hh) / 100),
            "forest_production_ha": Decimal(0),
            "forest_protection_ha": Decimal(0),
            "forest_special_ha": Decimal(0),
            "land_residential_ha": _ha(Decimal(hh * rng.randint(15, 25)) / 1000),
            "land_unused_ha": d(0, 20),
        }
        stock: dict[str, Any] = {
            "buffalo": 0,
            "cattle": rng.randint(0, 10),
            "pigs": rng.randint(0, 40),
            "poultry": rng.randint(300, 1200),
            "fish_pond_ha": Decimal(0),
        }
        infrastructure: dict[str, Any] = {
            "road_length_km": d(5, 20),
            "road_surface": "Đường nhựa; kiệt bê tông xi măng",
            "road_all_season": True,
            "clean_water_households": hh - rng.randint(0, 3),
            "latrine_households": hh - rng.randint(0, 2),
            "classrooms_solid": 0,
            "classrooms_temporary": 0,
            "has_cultural_house": True,
            "cultural_house_state": (
                "Nhà sinh hoạt cộng đồng xây năm 2008, thấm dột, bong tróc"
                if "nha_sinh_hoat" in keys
                else "Nhà sinh hoạt cộng đồng sử dụng tốt"
            ),
            "has_sports_ground": False,
            "irrigation_canal_km": Decimal(0),
            "irrigated_area_ha": Decimal(0),
        }
        income = d(680, 850)
        ntm_status = ""
    else:
        rice = _ha(Decimal(hh * rng.randint(25, 45)) / 100)
        land = {
            "land_wet_rice_ha": rice,
            "land_upland_ha": d(80, 400),
            "land_perennial_ha": d(30, 150),
            "land_garden_ha": _ha(Decimal(hh * rng.randint(2, 4)) / 100),
            "forest_production_ha": d(100, 600) if v.sand else d(0, 150),
            "forest_protection_ha": d(100, 400) if "phi_lao" in keys else Decimal(0),
            "forest_special_ha": Decimal(0),
            "land_residential_ha": _ha(Decimal(hh * rng.randint(3, 5)) / 100),
            "land_unused_ha": d(10, 120),
        }
        fish = {"tom_tren_cat", "ca_ao"} & keys
        stock = {
            "buffalo": rng.randint(5, 40),
            "cattle": rng.randint(400, 600) if "bo_sinh_san" in keys else rng.randint(120, 400),
            "pigs": rng.randint(300, 1000),
            "poultry": rng.randint(4000, 12000),
            "fish_pond_ha": d(80, 200) if fish else d(10, 50),
        }
        water_works = {"ong_nuoc", "dau_noi_nuoc"} & keys
        infrastructure = {
            "road_length_km": d(15, 60),
            "road_surface": (
                "Bê tông xi măng; còn một số đoạn đường đất"
                if {"duong_truc_xom", "duong_lien_thon_ds_mc"} & keys
                else "Bê tông xi măng"
            ),
            "road_all_season": "ke_song" not in keys,
            "clean_water_households": (
                _share(rng, hh, 70, 82) if water_works else _share(rng, hh, 88, 97)
            ),
            "latrine_households": (
                _share(rng, hh, 80, 88) if "nha_tieu" in keys else _share(rng, hh, 90, 97)
            ),
            "classrooms_solid": rng.randint(1, 3),
            "classrooms_temporary": 1 if "phong_hoc_mam_non" in keys else 0,
            "has_cultural_house": True,
            "cultural_house_state": (
                "Xây năm 2005, xuống cấp: mái dột, nền lún, khu vệ sinh hỏng"
                if "nha_van_hoa" in keys
                else "Đạt chuẩn, sử dụng tốt"
            ),
            "has_sports_ground": "san_the_thao" not in keys,
            "irrigation_canal_km": d(30, 90),
            "irrigated_area_ha": _ha(rice * rng.randint(85, 95) / 100),
        }
        income = d(460, 620)
        ntm_status = rng.choice(
            (
                "Đạt chuẩn nông thôn mới",
                "Đạt chuẩn nông thôn mới nâng cao",
                "Đang xây dựng thôn nông thôn mới kiểu mẫu",
            )
        )
    data: dict[str, Any] = {
        "total_households": hh,
        "population": population,
        "population_female": female,
        "em_households": em,
        "poor_households": poor,
        "near_poor_households": near_poor,
        "female_headed_households": _share(rng, hh, 80, 160, 1000),
        "labour_force": labour,
        "labour_female": _share(rng, labour, 470, 500, 1000),
        **land,
        **stock,
        "electricity_households": hh,
        **infrastructure,
        "income_per_capita_mvnd": income,
        "food_shortage_months": 0,
        "is_extremely_difficult": False,
        "is_border": False,
        "is_p135": False,
        "ntm_status": ntm_status,
    }
    persons = {name: n * 4 for name, n in v.ethnic_minority}
    groups = [
        {"name": "Kinh", "households": hh - em, "persons": population - sum(persons.values())}
    ]
    groups += [
        {"name": name, "households": n, "persons": persons[name]} for name, n in v.ethnic_minority
    ]
    return data, _sources(data, urban), groups


POPULATION_ROWS = (
    "total_households",
    "population",
    "population_female",
    "em_households",
    "female_headed_households",
)


def _sources(data: dict[str, Any], urban: bool) -> dict[str, Any]:
    """F1 row 20: where each value comes from and its date."""
    place, level = ("tổ dân phố", "phường") if urban else ("thôn", "xã")
    end_2025 = "31/12/2025"
    register = {"source": f"Sổ theo dõi hộ, nhân khẩu của {place}", "date": end_2025}
    by_row = {
        "population": register,
        "poverty": {
            "source": f"Kết quả rà soát hộ nghèo, hộ cận nghèo năm 2025 (UBND {level})",
            "date": end_2025,
        },
        "labour": {"source": f"Thống kê lao động, việc làm của {place}", "date": end_2025},
        "land": {"source": f"Số liệu thống kê đất đai năm 2025 của {level}", "date": end_2025},
        "livestock": {"source": "Điều tra chăn nuôi kỳ 01/4/2026", "date": "01/04/2026"},
        "infrastructure": {"source": f"Khảo sát của tổ kế hoạch {place}", "date": "20/04/2026"},
        "income": {
            "source": f"Báo cáo kinh tế – xã hội năm 2025 của {place}",
            "date": end_2025,
        },
        "ntm": {
            "source": "Báo cáo kết quả xây dựng nông thôn mới năm 2025 của xã",
            "date": end_2025,
        },
    }
    group_of = {
        "poor_households": "poverty",
        "near_poor_households": "poverty",
        "labour_force": "labour",
        "labour_female": "labour",
        "buffalo": "livestock",
        "cattle": "livestock",
        "pigs": "livestock",
        "poultry": "livestock",
        "fish_pond_ha": "livestock",
        "income_per_capita_mvnd": "income",
        "food_shortage_months": "income",
        "ntm_status": "ntm",
    }
    sources: dict[str, Any] = {"ethnic_groups": register}
    for field, value in data.items():
        if value in (None, "") or (isinstance(value, bool) and field.startswith("is_")):
            continue
        if field in group_of:
            group = group_of[field]
        elif field.startswith(("land_", "forest_")):
            group = "land"
        elif (
            field in ("total_households", "population", "population_female", "em_households")
            or field == "female_headed_households"
        ):
            group = "population"
        else:
            group = "infrastructure"
        sources[field] = by_row[group]
    return sources


def _line_data(
    v: _Village,
    key: str,
    places: dict[str, list[str]],
    catalog: _Catalog,
    priority: int | None,
) -> dict[str, Any]:
    activity = ACTIVITIES[key]
    rng = v.rng
    year = v.plan.round.plan_year
    # A shared work is sized from its own key, so both villages propose the same work.
    size_rng = random.Random(f"kehoach-demo:{key}") if activity.shared_by else rng
    quantity = _pick(size_rng, *activity.quantity)
    unit_cost = _pick(size_rng, *activity.unit_cost)
    if activity.for_poor:
        quantity = max(_ONE, min(quantity, Decimal(v.poor + v.near_poor)))
    total = _round_total(quantity * unit_cost)
    total = min(max(total, Decimal(activity.total[0])), Decimal(activity.total[1]))

    target = total * rng.randint(*activity.contribution_pct) / 100
    cash_pct, labour_pct, materials_pct = activity.split
    labour_days = (target * labour_pct / 100 / LABOUR_DAY_MVND).quantize(_ONE, ROUND_HALF_UP)
    labour = labour_days * LABOUR_DAY_MVND
    cash = (target * cash_pct / 100).quantize(_TENTH, ROUND_HALF_UP)
    materials = max(Decimal(0), target - cash - labour) if materials_pct else Decimal(0)
    materials = materials.quantize(_TENTH, ROUND_HALF_UP)
    contribution = cash + labour + materials

    if activity.per_unit:
        households = min(v.households, int(quantity * activity.per_unit))
    else:
        households = _share(rng, v.households, *activity.reach)
    households = max(households, 1)
    if activity.for_poor:
        poor = min(households, v.poor)
    else:
        poor = households * max(activity.poor_pct, v.poor * 100 // v.households) // 100
        poor = min(households, v.poor, poor)
    em = min(households, households * v.em // v.households) if v.em else 0

    used = {
        name for _text, name, _spec, _conv in Formatter().parse(activity.name + activity.location)
    }
    fill = {
        "village": v.name,
        "year": year,
        "next_year": year + 1,
        **{kind: places[kind].pop(0) for kind in places if kind in used},
    }
    partner = ""
    if activity.shared_by:
        partner = _lower_first(next(n for n in activity.shared_by if n != v.plan.village.name))
    return {
        "sector": catalog.sectors[activity.sector],
        "activity": activity.name.format(**fill),
        "location": activity.location.format(**fill),
        "unit": catalog.units[activity.unit],
        "quantity": quantity,
        "start_month": datetime.date(year, activity.months[0], 1),
        "end_month": datetime.date(year, activity.months[1], 1),
        "total_cost_mvnd": total,
        "contribution_mvnd": contribution,
        "contribution_cash_mvnd": cash,
        "contribution_labour_days": labour_days,
        "contribution_labour_mvnd": labour,
        "contribution_materials_mvnd": materials,
        "contribution_land_m2": Decimal(rng.randint(*activity.land_m2) // 10 * 10),
        "external_support_mvnd": total - contribution,
        "proposed_source": catalog.sources[activity.source],
        "beneficiary_households": households,
        "beneficiary_poor": poor,
        "beneficiary_em": em,
        "implementation_mode": activity.mode,
        "priority": priority,
        "notes": activity.notes.format(partner=partner, year=year, next_year=year + 1),
    }


def _places(v: _Village) -> dict[str, list[str]]:
    """Fresh hamlets, field areas, alleys and streets for the village's activities, drawn
    without repetition so that two works of the same kind get different places."""
    rng = v.rng
    streets = list(rng.sample(STREETS, 2))
    alleys = sorted(rng.sample(range(3, 90), 6))
    return {
        "xom": [str(name) for name in rng.sample(HAMLETS, 5)],
        "dong": [str(name) for name in rng.sample(FIELDS, 5)],
        "kiet": [str(n) for n in alleys],
        "duong": [streets[i % 2] for i in range(6)],
    }


@dataclass
class _Catalog:
    sectors: dict[str, Sector]
    units: dict[str, UnitOfMeasure]
    sources: dict[str, FundingSource]


def _catalog() -> _Catalog:
    used = ACTIVITIES.values()
    sectors = {s.code: s for s in Sector.objects.filter(code__in={a.sector for a in used})}
    units = {u.code: u for u in UnitOfMeasure.objects.filter(code__in={a.unit for a in used})}
    sources = {s.code: s for s in FundingSource.objects.filter(code__in={a.source for a in used})}
    missing = (
        {a.sector for a in used} - set(sectors)
        | {a.unit for a in used} - set(units)
        | {a.source for a in used} - set(sources)
    )
    if missing:
        raise ApplicationError(
            "catalog_missing",
            "Chưa có danh mục dùng chung (lĩnh vực, đơn vị tính, nguồn vốn): hãy chạy "
            f"load_catalog trước. Thiếu: {', '.join(sorted(missing))}.",
        )
    return _Catalog(sectors, units, sources)


def _main_sectors(lines: list[ProposalLine], limit: int) -> list[str]:
    """The village's first ``limit`` sectors in the order of its form."""
    found: list[str] = []
    for line in lines:
        if line.sector.code not in found:
            found.append(line.sector.code)
    return found[:limit]


VARIANTS: tuple[tuple[str, str, set[str], bool], ...] = (
    ("NN", "NN-cat", {"tom_tren_cat"}, True),
    ("HT-TL", "HT-TL-lu", {"ke_song", "trang_bi_pclb"}, True),
    ("GD", "GD-nghe", {"phong_hoc_mam_non", "do_choi_mam_non"}, False),
    ("HT-VH", "HT-VH-san", {"nha_van_hoa"}, False),
)
"""(sector, variant, activities, present): a rural village whose activities include (present)
or lack (not present) any of these gets the variant's SWOT and problem."""


def _solutions_with_lines(text: str, lines: list[ProposalLine]) -> list[dict[str, Any]]:
    """The problem's solutions (one per line of ``text``), each proposal given to the solution
    whose words it shares most (the first one on a tie)."""

    def words(value: str) -> set[str]:
        return set(fold(value).split())

    rows: list[dict[str, Any]] = [
        {"text": item, "lines": []} for item in text.splitlines() if item.strip()
    ]
    for line in lines:
        best = max(
            range(len(rows)),
            key=lambda i: (len(words(rows[i]["text"]) & words(line.activity)), -i),
        )
        rows[best]["lines"].append(line)
    return rows


def _findings_key(v: _Village, sector: str) -> str:
    if v.urban:
        return sector
    for code, variant, keys, present in VARIANTS:
        if code == sector and bool(keys & set(v.keys)) == present:
            return variant
    return sector


def _fill(
    v: _Village, *, actor: Any, catalog: _Catalog, submit: bool, counts: Counter[str]
) -> None:
    plan = v.plan
    info = BasicInfo.objects.filter(plan=plan).first()
    data, sources, groups = _basic_info(v)
    if info is None or basic_info_is_empty(info):
        basic_info_save(
            actor=actor,
            plan=plan,
            data=data,
            sources=sources,
            ethnic_groups=groups,
            expected_version=info.version if info is not None else 0,
        )
    else:  # keep what the planner entered; the meeting uses their numbers
        v.households = info.total_households or v.households
        v.poor = info.poor_households if info.poor_households is not None else v.poor
        v.near_poor = info.near_poor_households or 0
        v.em = min(info.em_households or 0, v.households)

    # F6: proposals, each sector's lines ranked 1, 2, 3 in the order of the form.
    profile = plan.round.profile
    places = _places(v)
    per_sector: Counter[str] = Counter()
    lines: list[ProposalLine] = []
    for key in v.keys:
        sector = ACTIVITIES[key].sector
        position = per_sector[sector]
        per_sector[sector] += 1
        priority = (
            min(profile.min_priority + position, profile.max_priority)
            if position < profile.max_priority_activities_per_sector
            else None
        )
        line_data = _line_data(v, key, places, catalog, priority)
        lines.append(proposal_line_create(actor=actor, plan=plan, data=line_data))
    counts["lines"] += len(lines)

    sectors = len(per_sector)
    swot = SWOT_URBAN if v.urban else SWOT_RURAL
    problems = PROBLEMS_URBAN if v.urban else PROBLEMS_RURAL
    main = [s for s in _main_sectors(lines, 5) if _findings_key(v, s) in swot]

    # F3: SWOT of the two or three main sectors.
    have_swot = set(SwotEntry.objects.filter(plan=plan).values_list("sector__code", flat=True))
    for code in main[: 3 if sectors >= 4 else 2]:
        if code in have_swot:
            continue
        strengths, weaknesses, opportunities, threats, implication = swot[_findings_key(v, code)]
        swot_save(
            actor=actor,
            plan=plan,
            sector=catalog.sectors[code],
            strengths=strengths,
            weaknesses=weaknesses,
            opportunities=opportunities,
            threats=threats,
            implication=implication,
        )

    # F4: problems of the main sectors, each solution linked to the proposals it produced.
    if not Problem.objects.filter(plan=plan).exists():
        with_problem = [s for s in main if _findings_key(v, s) in problems]
        for priority, code in enumerate(with_problem[: 3 if len(lines) > 5 else 2], start=1):
            text, causes, solutions = problems[_findings_key(v, code)]
            linked = [line for line in lines if line.sector.code == code]
            reached = max(line.beneficiary_households for line in linked)
            affected = min(v.households, max(reached, _share(v.rng, v.households, 30, 60)))
            reached_poor = max(line.beneficiary_poor for line in linked)
            poor = min(affected, v.poor, max(affected * v.poor // v.households, reached_poor))
            problem_create(
                actor=actor,
                plan=plan,
                data={
                    "sector": catalog.sectors[code],
                    "problem": text,
                    "affected_households": affected,
                    "affected_poor": poor,
                    "affected_women": affected * v.women // max(v.households, 1),
                    "affected_em": min(affected, affected * v.em // max(v.households, 1)),
                    "causes": causes,
                    "solutions": _solutions_with_lines(solutions, linked),
                    "priority": priority,
                },
            )

    if v.stage == Stage.DRAFT:
        counts["drafts"] += 1
        return

    # F5: the first proposal of each main sector, and one candidate the village dropped.
    if not RankingItem.objects.filter(plan=plan).exists():
        firsts = [next(line for line in lines if line.sector.code == code) for code in main[:3]]
        bands = ((4, 5), (3, 5), (3, 4))
        criteria = [c["code"] for c in profile.ranking_criteria or [] if isinstance(c, dict)]
        for line, (low, high) in zip(firsts, bands, strict=False):
            ranking_item_create(
                actor=actor,
                plan=plan,
                label=line.activity,
                line=line,
                scores={code: v.rng.randint(low, high) for code in criteria},
            )
        ranking_item_create(
            actor=actor,
            plan=plan,
            label=RANKING_EXTRA[v.urban],
            scores={code: v.rng.randint(1, 3) for code in criteria},
        )

    # F8: a quorate meeting that approves the plan, in May or June of the year before.
    if not VillageMeeting.objects.filter(plan=plan).exists():
        meeting_save(actor=actor, plan=plan, data=_meeting(v, actor, lines))

    if submit and v.stage == Stage.SUBMITTED and all(c.ok for c in plan_checks(plan)):
        plan_submit(actor=actor, plan=plan)
        counts["submitted"] += 1
    else:
        counts["drafts"] += 1


def _meeting(v: _Village, actor: Any, lines: list[ProposalLine]) -> dict[str, Any]:
    rng, year = v.rng, v.plan.round.plan_year
    households = max(v.households, 1)
    represented = _share(rng, households, 58, 78)
    participants = represented + _share(rng, represented, 5, 15)
    disagree = _share(rng, participants, 0, 4)
    abstain = _share(rng, participants, 1, 5)
    agree = participants - disagree - abstain - rng.randint(0, 2)
    total = sum((line.total_cost_mvnd for line in lines), Decimal(0))
    contribution = sum((line.contribution_mvnd for line in lines), Decimal(0))
    head = _village_head(v.plan.village) or _person(rng, woman=rng.random() < 0.3)
    kind, head_title = (
        ("tổ dân phố", "tổ trưởng tổ dân phố") if v.urban else ("thôn", "trưởng thôn")
    )
    place = "Nhà sinh hoạt cộng đồng" if v.urban else "Nhà văn hóa"
    staff = str(getattr(actor, "full_name", "") or "") or (
        "Tổ kế hoạch phường" if v.urban else "Tổ kế hoạch xã"
    )
    return {
        "held_on": datetime.date(year - 1, 5, 11) + datetime.timedelta(days=rng.randint(0, 40)),
        "place": f"{place} {v.name}",
        "chair": f"{head} ({head_title})",
        "secretary": f"{_person(rng, woman=True)} (chi hội trưởng Chi hội Phụ nữ)",
        "agenda": (
            f"1. Đánh giá kết quả thực hiện kế hoạch năm {year - 1}\n"
            f"2. Thông tin nguồn lực dự kiến năm {year}\n"
            "3. Thảo luận, xếp hạng ưu tiên các hoạt động đề xuất\n"
            f"4. Thống nhất mức đóng góp của nhân dân và biểu quyết kế hoạch năm {year}"
        ),
        "commune_staff": staff,
        "households_total": households,
        "households_represented": represented,
        "participants_total": participants,
        "participants_women": _share(rng, participants, 36, 48),
        "participants_poor": min(participants, _share(rng, v.poor + v.near_poor, 60, 90)),
        "participants_em": min(participants, v.em),
        "participants_youth": _share(rng, participants, 10, 18),
        "participants_elderly": _share(rng, participants, 15, 25),
        "decision": (
            f"Thông qua kế hoạch phát triển {kind} năm {year} gồm {len(lines)} hoạt động, "
            f"tổng kinh phí {format_number_vi(total, 1)} triệu đồng; nhân dân đóng góp "
            f"{format_number_vi(contribution, 1)} triệu đồng (tiền mặt, ngày công, vật liệu, "
            f"hiến đất), đề nghị hỗ trợ {format_number_vi(total - contribution, 1)} triệu đồng.\n"
            "Thống nhất thứ tự ưu tiên các hoạt động theo kết quả xếp hạng."
        ),
        "votes_agree": agree,
        "votes_disagree": disagree,
        "votes_abstain": abstain,
    }


def _village_head(village: AdministrativeUnit) -> str:
    """The name of the demo village editor of this village, if there is one."""
    for spec in DEMO_USERS:
        if spec.role == Role.VILLAGE_EDITOR and spec.unit_code == village.code:
            return spec.full_name.split(" (")[0]
    return ""


# --- entry points -----------------------------------------------------------------------------


def demo_planner_for(commune: AdministrativeUnit) -> Any:
    """Who the demo data is written by: the commune's demo planner (``xa.hailang``,
    ``xa.donghoi``) when that user exists and may plan there, otherwise an unsaved system
    administrator (history rows then show no user)."""
    for spec in DEMO_USERS:
        if spec.role == Role.COMMUNE_PLANNER and spec.unit_code == commune.code:
            user = User.objects.filter(username=spec.username, is_active=True).first()
            if user is not None and all(
                has_permission(user, action, commune)
                for action in (Action.MANAGE_ROUNDS, Action.EDIT_PLAN, Action.SUBMIT_PLAN)
            ):
                return user
    return User(username="demo", is_superuser=True, is_active=True)


@transaction.atomic
def demo_village_plans(*, actor: Any, round_: PlanningRound, submit: bool = True) -> dict[str, int]:
    """Fill every village plan of ``round_`` that has no proposal yet (see the module
    docstring) and, if ``submit``, submit it with the real transition. Returns counts:
    ``filled`` plans, of which ``submitted`` and ``drafts``; ``not_started`` plans the demo
    leaves empty on purpose; ``kept`` plans left as they were; ``lines`` created."""
    counts: Counter[str] = Counter()
    catalog = _catalog()
    urban_commune = round_.commune.kind == Kind.WARD
    plans = (
        VillagePlan.objects.filter(round=round_)
        .select_related("village", "round__profile", "round__commune")
        .order_by("village__code")
    )
    for plan in plans:
        village = plan.village
        if plan.status != PlanStatus.DRAFT or ProposalLine.objects.filter(plan=plan).exists():
            counts["kept"] += 1
            continue
        urban = urban_commune or village.kind == Kind.RESIDENTIAL_GROUP
        year = round_.plan_year
        # 2027 (the round being planned) keeps its proposals; another year gets others.
        rng = random.Random(f"kehoach-demo:{village.code}" + ("" if year == 2027 else f":{year}"))
        spec = _spec_for(village, rng, urban)
        if spec.stage == Stage.NOT_STARTED or not spec.keys:
            counts["not_started"] += 1
            continue
        v = _Village(plan, rng, urban, spec.keys, spec.stage, spec.ethnic_minority)
        _fill(v, actor=actor, catalog=catalog, submit=submit, counts=counts)
        counts["filled"] += 1
    keys = ("filled", "submitted", "drafts", "not_started", "kept", "lines")
    return {key: counts[key] for key in keys}
