"""The demo village's basic information (F1): believable numbers for its size, rural or urban,
and the data source and date of each row."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..models import BasicInfo
from ..services.info import basic_info_is_empty, basic_info_save
from .village import DemoVillage, ha, share


def basic_info_values(
    v: DemoVillage,
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """F1 values, their sources and the ethnic groups; also sets the village's counts."""
    rng, keys, urban = v.rng, set(v.keys), v.urban
    hh = rng.randint(180, 420) if urban else rng.randint(150, 450)
    population = share(rng, hh, 360, 400) if urban else share(rng, hh, 350, 410)
    female = share(rng, population, 500, 520, 1000)
    poor = share(rng, hh, 30, 50, 1000) if urban else share(rng, hh, 50, 120, 1000)
    near_poor = share(rng, hh, 20, 40, 1000) if urban else share(rng, hh, 40, 90, 1000)
    em = sum(n for _name, n in v.ethnic_minority)
    labour = (
        share(rng, population, 580, 640, 1000) if urban else share(rng, population, 550, 620, 1000)
    )
    v.households, v.population, v.women = hh, population, female
    v.poor, v.near_poor, v.em = poor, near_poor, em

    def d(lo: int, hi: int, per: int = 10) -> Decimal:
        return ha(Decimal(rng.randint(lo, hi)) / per)

    if urban:
        land = {
            "land_wet_rice_ha": d(0, 80),
            "land_upland_ha": Decimal(0),
            "land_perennial_ha": Decimal(0),
            "land_garden_ha": ha(Decimal(hh) / 100),
            "forest_production_ha": Decimal(0),
            "forest_protection_ha": Decimal(0),
            "forest_special_ha": Decimal(0),
            "land_residential_ha": ha(Decimal(hh * rng.randint(15, 25)) / 1000),
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
        rice = ha(Decimal(hh * rng.randint(25, 45)) / 100)
        land = {
            "land_wet_rice_ha": rice,
            "land_upland_ha": d(80, 400),
            "land_perennial_ha": d(30, 150),
            "land_garden_ha": ha(Decimal(hh * rng.randint(2, 4)) / 100),
            "forest_production_ha": d(100, 600) if v.sand else d(0, 150),
            "forest_protection_ha": d(100, 400) if "phi_lao" in keys else Decimal(0),
            "forest_special_ha": Decimal(0),
            "land_residential_ha": ha(Decimal(hh * rng.randint(3, 5)) / 100),
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
                share(rng, hh, 70, 82) if water_works else share(rng, hh, 88, 97)
            ),
            "latrine_households": (
                share(rng, hh, 80, 88) if "nha_tieu" in keys else share(rng, hh, 90, 97)
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
            "irrigated_area_ha": ha(rice * rng.randint(85, 95) / 100),
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
        "female_headed_households": share(rng, hh, 80, 160, 1000),
        "labour_force": labour,
        "labour_female": share(rng, labour, 470, 500, 1000),
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


def fill_basic_info(v: DemoVillage, *, actor: Any) -> None:
    """F1, unless the planner already entered it: then the village keeps their numbers (the
    meeting and the problems use them)."""
    plan = v.plan
    info = BasicInfo.objects.filter(plan=plan).first()
    data, sources, groups = basic_info_values(v)
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
