"""The demo village's findings: SWOT (F3) and problems (F4) of its main sectors, and the
ranking matrix (F5)."""

from __future__ import annotations

from typing import Any

from kehoach.core.text import fold

from ..models import (
    Problem,
    ProposalLine,
    RankingItem,
    SwotEntry,
)
from ..services.findings import problem_create, ranking_item_create, swot_save
from .content import (
    PROBLEMS_RURAL,
    PROBLEMS_URBAN,
    RANKING_EXTRA,
    SWOT_RURAL,
    SWOT_URBAN,
)
from .lines import DemoCatalog
from .village import DemoVillage, share


def main_sectors(lines: list[ProposalLine], limit: int) -> list[str]:
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


def solutions_with_lines(text: str, lines: list[ProposalLine]) -> list[dict[str, Any]]:
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


def findings_key(v: DemoVillage, sector: str) -> str:
    if v.urban:
        return sector
    for code, variant, keys, present in VARIANTS:
        if code == sector and bool(keys & set(v.keys)) == present:
            return variant
    return sector


def findings_sectors(v: DemoVillage, lines: list[ProposalLine]) -> list[str]:
    """The village's main sectors (at most five, in the order of its form) that have SWOT
    content."""
    swot = SWOT_URBAN if v.urban else SWOT_RURAL
    return [s for s in main_sectors(lines, 5) if findings_key(v, s) in swot]


def fill_swot(
    v: DemoVillage,
    *,
    actor: Any,
    catalog: DemoCatalog,
    main: list[str],
    lines: list[ProposalLine],
) -> None:
    """F3: the SWOT of the two or three main sectors (three when the village proposes in four
    sectors or more); a sector the planner already analysed is kept."""
    plan = v.plan
    sectors = len({line.sector.code for line in lines})
    swot = SWOT_URBAN if v.urban else SWOT_RURAL
    have_swot = set(SwotEntry.objects.filter(plan=plan).values_list("sector__code", flat=True))
    for code in main[: 3 if sectors >= 4 else 2]:
        if code in have_swot:
            continue
        strengths, weaknesses, opportunities, threats, implication = swot[findings_key(v, code)]
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


def fill_problems(
    v: DemoVillage,
    *,
    actor: Any,
    catalog: DemoCatalog,
    main: list[str],
    lines: list[ProposalLine],
) -> None:
    """F4: problems of the main sectors, each solution linked to the proposals it produced;
    none when the planner already entered some."""
    plan = v.plan
    problems = PROBLEMS_URBAN if v.urban else PROBLEMS_RURAL
    if not Problem.objects.filter(plan=plan).exists():
        with_problem = [s for s in main if findings_key(v, s) in problems]
        for priority, code in enumerate(with_problem[: 3 if len(lines) > 5 else 2], start=1):
            text, causes, solutions = problems[findings_key(v, code)]
            linked = [line for line in lines if line.sector.code == code]
            reached = max(line.beneficiary_households for line in linked)
            affected = min(v.households, max(reached, share(v.rng, v.households, 30, 60)))
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
                    "solutions": solutions_with_lines(solutions, linked),
                    "priority": priority,
                },
            )


def fill_ranking(v: DemoVillage, *, actor: Any, main: list[str], lines: list[ProposalLine]) -> None:
    """F5: the first proposal of each main sector, and one candidate the village dropped;
    none when the planner already ranked."""
    plan = v.plan
    profile = plan.round.profile
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
